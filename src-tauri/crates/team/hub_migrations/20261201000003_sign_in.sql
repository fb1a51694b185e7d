-- Each person's password, as the church's computers share it: an Argon2id hash only (never the
-- password), on a channel of its own beside the change log, so that a volunteer can sign in on
-- any classroom laptop, offline, with the password they set on another. The latest one set
-- anywhere wins.
CREATE TABLE hub_sign_in (
    people_id       TEXT PRIMARY KEY,
    password_hash   TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    set_at          TEXT NOT NULL,
    set_on_device   TEXT NOT NULL,
    sent_by_device  TEXT NOT NULL REFERENCES hub_device(id),
    received_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
