-- Children's check-in a ministry can trust: the pickup code stays with the family.
--  * guardian_tag: the codes this station printed, one per family check-in, unique for the
--    station's day. A code is a secret between the station and the family: this table is
--    written inside the check-in's transaction but is neither audited nor part of the team's
--    change log, and no screen shows a code after its labels were given.
--  * guardian_tag_child: the children a tag releases (its attendance rows).
--  * attendance_record gains who released a child, how (the tag's code, or staff with a reason)
--    and who collected them. These are audited and travel to the team like the rest of the row.
--  * pickup_contact: who may, and who must not, collect a child (a custody order, with a note
--    only confidential readers see). The adults of the child's household may collect them
--    without being listed.
--  * A session may set a ratio of children to adults serving, and a certification those who
--    serve in it must hold; an attendance row says whether its person came to serve, and
--    whether they served without that certification valid.
CREATE TABLE guardian_tag (
    id          TEXT PRIMARY KEY NOT NULL,
    station     TEXT NOT NULL,
    -- The station's local date of the check-in: a code is good for that day only.
    day         TEXT NOT NULL,
    code        TEXT NOT NULL CHECK (length(code) = 4),
    made_at     TEXT NOT NULL,
    UNIQUE (day, code)
);

CREATE TABLE guardian_tag_child (
    tag_id              TEXT NOT NULL REFERENCES guardian_tag(id),
    class_session_id    TEXT NOT NULL REFERENCES class_session(id),
    people_id           TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (tag_id, class_session_id, people_id)
) WITHOUT ROWID;
CREATE INDEX idx_guardian_tag_child_attendance ON guardian_tag_child(class_session_id, people_id);

ALTER TABLE attendance_record ADD COLUMN released_by TEXT REFERENCES people(id);
ALTER TABLE attendance_record ADD COLUMN release_method TEXT
    CHECK (release_method IS NULL OR release_method IN ('code', 'staff'));
ALTER TABLE attendance_record ADD COLUMN release_reason TEXT;
ALTER TABLE attendance_record ADD COLUMN collected_by TEXT;
ALTER TABLE attendance_record ADD COLUMN serving BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE attendance_record ADD COLUMN serving_uncertified BOOLEAN NOT NULL DEFAULT 0;

ALTER TABLE class_session ADD COLUMN children_per_adult INTEGER
    CHECK (children_per_adult IS NULL OR children_per_adult > 0);
ALTER TABLE class_session ADD COLUMN serving_certification_id TEXT REFERENCES certification(id);

CREATE TABLE pickup_contact (
    id              TEXT PRIMARY KEY NOT NULL,
    child_id        TEXT NOT NULL REFERENCES people(id),
    -- Someone in the church's records, or only a name (a grandparent from out of town).
    people_id       TEXT REFERENCES people(id),
    name            TEXT NOT NULL,
    relationship    TEXT,
    may_collect     BOOLEAN NOT NULL,
    note            TEXT,
    is_active       BOOLEAN NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    created_by      TEXT,
    updated_by      TEXT,
    CHECK (length(trim(name)) > 0),
    CHECK (people_id IS NULL OR people_id <> child_id)
);
CREATE INDEX idx_pickup_contact_child ON pickup_contact(child_id);

-- Release 0.1 kept each child's code on their attendance row, so it was in the audit log and
-- the team's change log too. The codes move to guardian tags (a family holding one from a
-- check-in made before the upgrade can still be released with it that day), and leave the logs.
INSERT OR IGNORE INTO guardian_tag (id, station, day, code, made_at)
SELECT 'release-0.1:' || date(min(check_in_at)) || ':' || security_code, substr(security_code, 1, 1),
       date(min(check_in_at)), substr(security_code, 1, 4), min(check_in_at)
FROM attendance_record
WHERE security_code IS NOT NULL AND length(security_code) = 4 AND check_in_at IS NOT NULL
GROUP BY date(check_in_at), security_code;

INSERT OR IGNORE INTO guardian_tag_child (tag_id, class_session_id, people_id)
SELECT t.id, a.class_session_id, a.people_id
FROM attendance_record a JOIN guardian_tag t ON t.code = a.security_code AND t.day = date(a.check_in_at)
WHERE a.security_code IS NOT NULL;

UPDATE attendance_record SET security_code = NULL WHERE security_code IS NOT NULL;

UPDATE audit_log SET
    old_values = CASE WHEN old_values IS NULL THEN NULL ELSE json_remove(old_values, '$.security_code') END,
    new_values = CASE WHEN new_values IS NULL THEN NULL ELSE json_remove(new_values, '$.security_code') END
WHERE table_name = 'attendance_record';

UPDATE team_change SET fields = json_remove(fields, '$.security_code')
WHERE table_name = 'attendance_record' AND json_extract(fields, '$.security_code') IS NOT NULL;

-- Releasing a child without their tag's code, past a room's capacity or to someone on the
-- child's not-authorized list, and reprinting a label without the tag: staff's decisions.
UPDATE role SET permissions = json_insert(permissions, '$[#]', 'checkin.override')
WHERE name IN ('admin', 'staff') AND NOT EXISTS (SELECT 1 FROM json_each(role.permissions) WHERE value = 'checkin.override');
