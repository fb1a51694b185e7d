-- Team sync: a church's devices share their data through a PostgreSQL hub. Each device keeps
-- this store and works offline; every local write of a replicated table records a change
-- here in the same transaction, which the device pushes to the hub when it can.

-- This device, and its place in the church's team once it has joined one. Every device has
-- an id from the start, so changes made before joining are attributed to it.
CREATE TABLE team_device (
    singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id       TEXT NOT NULL,
    device_name     TEXT NOT NULL DEFAULT '',
    -- The hub's connection string without its password (that is in the OS keychain).
    hub_url         TEXT,
    church_id       TEXT,
    -- A classroom laptop may hold only one campus's roster.
    campus_scope    TEXT,
    -- The hub's sequence number of the last change applied here.
    pull_cursor     INTEGER NOT NULL DEFAULT 0,
    joined_at       TEXT,
    last_push_at    TEXT,
    last_pull_at    TEXT,
    last_error      TEXT
);
INSERT INTO team_device (singleton, device_id) VALUES (1, lower(hex(randomblob(16))));

-- One row per write of a replicated record: the fields it set, when (hybrid logical clock)
-- and where. Local rows wait here until pushed; rows pulled from the hub are kept beside them
-- so the history of a record can be read on any device.
CREATE TABLE team_change (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    table_name  TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    fields      TEXT NOT NULL,
    deleted     BOOLEAN NOT NULL DEFAULT 0,
    hlc         TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    campus_ids  TEXT NOT NULL DEFAULT '[]',
    origin      TEXT NOT NULL CHECK (origin IN ('local', 'remote')),
    pushed      BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX idx_team_change_unpushed ON team_change(seq) WHERE pushed = 0;
CREATE INDEX idx_team_change_record ON team_change(table_name, record_id);

-- The clock of the write that holds each field of each replicated record now, so a change
-- from another device wins a field only if it is later (last writer wins, per field). A
-- deleted record stays deleted, whatever arrives after.
CREATE TABLE team_record_clock (
    table_name  TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    clocks      TEXT NOT NULL DEFAULT '{}',
    deleted     BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (table_name, record_id)
) WITHOUT ROWID;

-- A local change keeps its record's field versions current, in the statement that logs it
-- (one round trip per write). Bringing back a deleted record is refused.
CREATE TRIGGER team_change_refuses_revival BEFORE INSERT ON team_change
WHEN NEW.origin = 'local' AND NOT NEW.deleted AND json_extract(NEW.fields, '$.is_active') = 1
    AND EXISTS (SELECT 1 FROM team_record_clock k WHERE k.table_name = NEW.table_name AND k.record_id = NEW.record_id AND k.deleted)
BEGIN
    SELECT RAISE(ABORT, 'team: a deleted record stays deleted');
END;

CREATE TRIGGER team_change_versions AFTER INSERT ON team_change WHEN NEW.origin = 'local'
BEGIN
    INSERT INTO team_record_clock (table_name, record_id, clocks, deleted)
    VALUES (NEW.table_name, NEW.record_id,
            (SELECT json_group_object(key, NEW.hlc || '@' || NEW.device_id) FROM json_each(NEW.fields)), NEW.deleted)
    ON CONFLICT(table_name, record_id) DO UPDATE
        SET clocks = json_patch(clocks, excluded.clocks), deleted = deleted OR excluded.deleted;
END;

-- Changes from other devices that could not be written yet because a record they refer to has
-- not arrived; they are tried again after every pulled batch.
CREATE TABLE team_waiting_change (
    change_id   TEXT PRIMARY KEY REFERENCES team_change(id),
    reason      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 1
);
