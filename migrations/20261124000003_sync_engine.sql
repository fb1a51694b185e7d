-- The sync engine's state.
--  * Outbox entries may now be `held` (waiting for a person to decide on a possible duplicate)
--    or `skipped` (nothing in Planning Center to send them to, e.g. no field mapped). SQLite
--    cannot change a CHECK constraint in place, so the table is rebuilt with its rows.
--  * people.pco_remote_id: the integer we stamp on a person we create in Planning Center
--    (its `remote_id`), so a create interrupted by a crash is found, not repeated.
--  * people.pco_updated_at: Planning Center's updated_at last applied here, for conflicts.
--  * Possible duplicates wait for a person's decision; conflicts are logged for people to see.

CREATE TABLE pco_outbox_rebuilt (
    id              TEXT PRIMARY KEY NOT NULL,
    table_name      TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    payload         TEXT NOT NULL CHECK (json_valid(payload)),
    status          TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_flight', 'sent', 'refused', 'failed', 'held', 'skipped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    remote_id       TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
INSERT INTO pco_outbox_rebuilt (id, table_name, record_id, action, payload, status, attempts, last_error, remote_id, created_at, updated_at)
    SELECT id, table_name, record_id, action, payload, status, attempts, last_error, remote_id, created_at, updated_at FROM pco_outbox;
DROP TABLE pco_outbox;
ALTER TABLE pco_outbox_rebuilt RENAME TO pco_outbox;
CREATE INDEX idx_pco_outbox_pending ON pco_outbox(status, created_at);
CREATE INDEX idx_pco_outbox_record ON pco_outbox(table_name, record_id);

ALTER TABLE people ADD COLUMN pco_remote_id INTEGER;
ALTER TABLE people ADD COLUMN pco_updated_at TEXT;
CREATE UNIQUE INDEX idx_people_pco_remote_id ON people(pco_remote_id) WHERE pco_remote_id IS NOT NULL;

CREATE TABLE pco_possible_duplicate (
    id              TEXT PRIMARY KEY NOT NULL,
    people_id       TEXT NOT NULL REFERENCES people(id),
    -- [{"id": "123", "name": "...", "email": "...", "phone": "...", "birthdate": "...", "reason": "same e-mail"}]
    candidates      TEXT NOT NULL CHECK (json_valid(candidates)),
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'linked', 'create_new')),
    linked_planning_center_id TEXT,
    resolved_by     TEXT REFERENCES people(id),
    resolved_at     TEXT,
    created_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX idx_possible_duplicate_open ON pco_possible_duplicate(people_id) WHERE status = 'open';

CREATE TABLE pco_sync_conflict (
    id              TEXT PRIMARY KEY NOT NULL,
    table_name      TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    field           TEXT NOT NULL,
    local_value     TEXT,
    remote_value    TEXT,
    resolution      TEXT NOT NULL CHECK (resolution IN ('remote_won', 'local_won')),
    detected_at     TEXT NOT NULL
);
CREATE INDEX idx_sync_conflict_record ON pco_sync_conflict(table_name, record_id, detected_at);

-- Where an incremental pull resumes: an opaque position (the change feed's `updated_at` and how
-- many records at exactly that time were read), written in the same transaction as the page.
ALTER TABLE pco_sync_cursor ADD COLUMN position TEXT;
