-- A team that lasts a church's year (issue 25): one audit trail for the church, and the
-- office's rules shared by every computer.

-- 1. The audit trail travels to the hub. Each row names the computer that wrote it (this
--    one, for every row written here so far), the campuses of the record it is about (so a
--    campus laptop receives only its campus's history, as with the data), and whether the
--    hub holds it yet. Rows brought from the hub carry the other computer's id and name.
ALTER TABLE audit_log ADD COLUMN device_id TEXT;
ALTER TABLE audit_log ADD COLUMN device_name TEXT;
ALTER TABLE audit_log ADD COLUMN campus_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(campus_ids));
-- 0: written here, not yet at the hub (every row until now: the church's history so far
-- goes to the hub at the next sync). 1: the hub holds it, or it came from there.
ALTER TABLE audit_log ADD COLUMN pushed BOOLEAN NOT NULL DEFAULT 0;
UPDATE audit_log SET device_id = (SELECT device_id FROM team_device);
CREATE INDEX idx_audit_log_unpushed ON audit_log(changed_at) WHERE pushed = 0;
CREATE INDEX idx_audit_log_device ON audit_log(device_id, changed_at);

-- The hub's sequence number of the last audit row brought here.
ALTER TABLE team_device ADD COLUMN audit_pull_cursor INTEGER NOT NULL DEFAULT 0;

-- 2. Settings that belong to the church (the rules' thresholds and windows, its time zone,
--    how completions reach Planning Center) move out of `office_setting`, which keeps what
--    belongs to this computer alone (its station, its printer, its sign-ins, its Planning
--    Center sign-in). A church setting is a replicated record whose id is the setting's key:
--    every computer holds the same one, the last writer wins, and each says who set it where.
CREATE TABLE church_setting (
    id              TEXT PRIMARY KEY NOT NULL,
    value           TEXT NOT NULL CHECK (json_valid(value)),
    is_active       BOOLEAN NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT,
    -- The name of the computer it was set on, as that computer was named then.
    set_on_computer TEXT
);

-- The keys listed here are `settings::CHURCH_SETTINGS`. On a computer already in a team the
-- moved settings are offered to the team at its next sync; where two computers had set one,
-- the one that upgrades last wins, and the office screen says which computer that was.
INSERT INTO church_setting (id, value, is_active, created_at, updated_at, updated_by, set_on_computer)
SELECT key, value, 1, updated_at, updated_at, updated_by, (SELECT nullif(device_name, '') FROM team_device)
FROM office_setting
WHERE key IN ('certification_expiring_soon_days', 'absence_warning_threshold', 'office_time_zone',
              'refuse_uncertified_serving', 'idle_lock_minutes', 'pco_completions_field_definition_id',
              'pco_certifications_field_definition_id', 'pco_completions_workflow_id');
DELETE FROM office_setting WHERE key IN (SELECT id FROM church_setting);
