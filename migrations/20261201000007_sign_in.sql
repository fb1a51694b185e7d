-- Each person signs in, offline. What a computer keeps of it, and why each part is separate:
--  * sign_in_credential: a person's password as an Argon2id hash (the PHC string, which names the
--    parameters and the salt). It is not in the team's change log: credentials travel through
--    the hub on a channel of their own, hashes only, so neither the audit log nor the change log
--    ever holds one. `set_at` orders them: the latest password set anywhere wins.
--  * sign_in_invitation: single-use codes an administrator makes so someone can set their own
--    password (or a new one). Only a SHA-256 of the code is kept.
--  * sign_in_throttle: wrong passwords, PINs and codes per subject ("person:<id>", "station",
--    "invitations"), so that the wait they bring survives a restart. This computer's alone.
CREATE TABLE sign_in_credential (
    people_id       TEXT PRIMARY KEY NOT NULL REFERENCES people(id),
    password_hash   TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    set_at          TEXT NOT NULL,
    set_on_device   TEXT NOT NULL,
    -- Whether the team's hub holds this version (0 until the next team sync sends it).
    shared          BOOLEAN NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE sign_in_invitation (
    code_hash   TEXT PRIMARY KEY NOT NULL,
    people_id   TEXT NOT NULL REFERENCES people(id),
    purpose     TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    made_by     TEXT REFERENCES people(id),
    made_at     TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
) WITHOUT ROWID;
CREATE INDEX idx_sign_in_invitation_person ON sign_in_invitation(people_id);

CREATE TABLE sign_in_throttle (
    subject     TEXT PRIMARY KEY NOT NULL,
    failures    INTEGER NOT NULL DEFAULT 0,
    wait_until  TEXT
) WITHOUT ROWID;

-- Exporting the church's people is its own permission: a check-in volunteer reads people at a
-- station, and must not be able to carry them all away in a file.
UPDATE role SET permissions = json_insert(permissions, '$[#]', 'data.export')
WHERE name IN ('admin', 'staff') AND NOT EXISTS (SELECT 1 FROM json_each(role.permissions) WHERE value = 'data.export');

-- Release 0.1 audited the check-in station's whole configuration, its PIN's salt and hash
-- among it. The audit log keeps who started a station and when; the hash goes.
UPDATE audit_log SET
    old_values = CASE WHEN old_values IS NULL THEN NULL ELSE json_remove(old_values, '$.value.pin_hash', '$.value.pin_salt') END,
    new_values = CASE WHEN new_values IS NULL THEN NULL ELSE json_remove(new_values, '$.value.pin_hash', '$.value.pin_salt') END
WHERE table_name = 'office_setting' AND record_id = 'kiosk';

-- Release 0.1 acted, on every computer, as the one person in `current_person_id`: the demo's
-- administrator, or whoever set up this office or made its join code. The demo keeps signing
-- in as its administrator without a password. A real office's administrator sets a password
-- once, on the sign-in screen, after the upgrade (no more than release 0.1 let anyone at this
-- computer do); after that, everyone signs in.
UPDATE office_setting SET key = 'demo_admin_id'
WHERE key = 'current_person_id' AND EXISTS (SELECT 1 FROM office_setting WHERE key = 'demo_mode' AND value = 'true');
UPDATE office_setting SET key = 'upgraded_admin_id' WHERE key = 'current_person_id';
