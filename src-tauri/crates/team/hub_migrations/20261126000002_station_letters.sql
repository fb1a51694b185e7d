-- A check-in station's letter starts the children's security codes it issues (B001, B002, …),
-- counted from 1 each day on each laptop. Two laptops with one letter could hand two families
-- the same code on the same day, so each letter belongs to one device of the team: the first
-- to start a station with it. A device keeps its letters; those of a removed device are free.
CREATE TABLE hub_station_letter (
    letter      TEXT PRIMARY KEY CHECK (letter ~ '^[A-Z]$'),
    device_id   TEXT NOT NULL REFERENCES hub_device(id),
    claimed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
