-- A computer restored from a backup, in a team, takes back from the hub its own changes made
-- after that backup: a pull skips a device's own changes (it has them), except while this is
-- set. The first pull that reaches the end of the hub's changes clears it.
ALTER TABLE team_device ADD COLUMN catch_up_own_changes BOOLEAN NOT NULL DEFAULT 0;
