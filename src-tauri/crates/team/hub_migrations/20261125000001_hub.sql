-- The hub: one PostgreSQL database a church's devices share. It holds every device's changes
-- in the order they arrived, the devices allowed to exchange them, the join codes that let a
-- device in, and the leases that decide which device sends an outbox entry to Planning Center.

CREATE TABLE hub_church (
    singleton   BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    church_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE hub_device (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    campus_scope    TEXT,
    -- SHA-256 of the device's secret; the secret itself stays in that device's keychain.
    secret_hash     TEXT NOT NULL,
    joined_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_contact_at TIMESTAMPTZ,
    -- Changes the device still held unsent when it last reported.
    unsent_changes  BIGINT NOT NULL DEFAULT 0,
    pulled_through  BIGINT NOT NULL DEFAULT 0,
    removed_at      TIMESTAMPTZ,
    removed_by      TEXT
);

CREATE TABLE hub_join_code (
    code_hash       TEXT PRIMARY KEY,
    campus_scope    TEXT,
    made_by_device  TEXT NOT NULL REFERENCES hub_device(id),
    -- The administrator who made the code: a new, empty device that joins with it is used
    -- as them, since they are the one setting it up.
    made_by_person  TEXT,
    made_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at      TIMESTAMPTZ NOT NULL,
    used_by_device  TEXT,
    used_at         TIMESTAMPTZ
);

-- Pushes take an advisory lock before they draw sequence numbers, so a change with a lower
-- seq is always committed before one with a higher seq and a pull by cursor misses nothing.
CREATE TABLE hub_change (
    seq         BIGSERIAL PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    device_id   TEXT NOT NULL REFERENCES hub_device(id),
    table_name  TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    fields      JSONB NOT NULL,
    deleted     BOOLEAN NOT NULL DEFAULT FALSE,
    hlc         TEXT NOT NULL,
    campus_ids  TEXT[] NOT NULL DEFAULT '{}',
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX hub_change_campus ON hub_change USING GIN (campus_ids);
-- When a person joins a campus, their earlier changes are tagged with it (see the push).
CREATE INDEX hub_change_record ON hub_change (table_name, record_id);
CREATE INDEX hub_change_person ON hub_change ((fields->>'people_id')) WHERE fields ? 'people_id';

CREATE TABLE hub_outbox_lease (
    outbox_id       TEXT PRIMARY KEY,
    device_id       TEXT NOT NULL REFERENCES hub_device(id),
    leased_until    TIMESTAMPTZ NOT NULL,
    completed_at    TIMESTAMPTZ
);
