-- The office's reports (attendance over time, first-time visitors, course funnels,
-- certifications, rooms), worked out as SQL aggregates over indexed columns.
--  * reports.read: admin and staff read the reports; a report's list of people with their
--    contact details also asks people.read.
--  * idx_attendance_report: a session's attendance read from the index alone (who, whether
--    present, whether serving and certified, how released), without reading the rows.
--  * session_attendance: each session's attendance counted (attended, children, adults
--    serving, released by staff without a code), kept by triggers as attendance is written, so a
--    report over three years of weekly sessions reads 31,000 rows, not a million. Like the next
--    table it is worked out on this computer and never audited or shared itself.
--  * idx_course_enrollment_date and idx_content_completion_done: the enrollments of a range and
--    the lessons each has done, for the course funnel, read from the indexes alone.
--  * person_first_visit: the first session each person attended (present or late, not serving),
--    kept by triggers as attendance is written, so "first-time visitors this week" is a range
--    read, not a minimum over a million rows. Worked out here on this computer from the
--    attendance rows (which travel to the team); it is never audited or shared itself.
UPDATE role SET permissions = json_insert(permissions, '$[#]', 'reports.read')
WHERE name IN ('admin', 'staff') AND NOT EXISTS (SELECT 1 FROM json_each(role.permissions) WHERE value = 'reports.read');

CREATE INDEX idx_attendance_report
    ON attendance_record(class_session_id, is_active, status, serving, serving_uncertified, release_method, people_id);

CREATE TABLE person_first_visit (
    people_id   TEXT PRIMARY KEY NOT NULL REFERENCES people(id),
    first_at    TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX idx_person_first_visit_at ON person_first_visit(first_at);

INSERT INTO person_first_visit (people_id, first_at)
SELECT a.people_id, min(s.starts_at)
FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
WHERE a.is_active = 1 AND a.status IN ('present', 'late') AND a.serving = 0 AND s.is_active = 1
GROUP BY a.people_id;

-- A new visit can only make the first one earlier.
CREATE TRIGGER person_first_visit_on_attendance_insert AFTER INSERT ON attendance_record
WHEN NEW.is_active = 1 AND NEW.status IN ('present', 'late') AND NEW.serving = 0
BEGIN
    INSERT OR REPLACE INTO person_first_visit (people_id, first_at)
    SELECT NEW.people_id, min(at) FROM (
        SELECT first_at AS at FROM person_first_visit WHERE people_id = NEW.people_id
        UNION ALL SELECT starts_at FROM class_session WHERE id = NEW.class_session_id AND is_active = 1
    ) HAVING min(at) IS NOT NULL;
END;

-- A visit corrected (absent after all, removed, moved to another person): that person's
-- first visit is worked out again from what remains, and so is the old person's.
CREATE TRIGGER person_first_visit_on_attendance_update AFTER UPDATE OF is_active, status, serving, people_id, class_session_id ON attendance_record
BEGIN
    DELETE FROM person_first_visit WHERE people_id IN (OLD.people_id, NEW.people_id);
    INSERT INTO person_first_visit (people_id, first_at)
    SELECT a.people_id, min(s.starts_at)
    FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
    WHERE a.people_id IN (OLD.people_id, NEW.people_id)
      AND a.is_active = 1 AND a.status IN ('present', 'late') AND a.serving = 0 AND s.is_active = 1
    GROUP BY a.people_id;
END;

CREATE TRIGGER person_first_visit_on_attendance_delete AFTER DELETE ON attendance_record
BEGIN
    DELETE FROM person_first_visit WHERE people_id = OLD.people_id;
    INSERT INTO person_first_visit (people_id, first_at)
    SELECT a.people_id, min(s.starts_at)
    FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
    WHERE a.people_id = OLD.people_id AND a.is_active = 1 AND a.status IN ('present', 'late') AND a.serving = 0 AND s.is_active = 1
    GROUP BY a.people_id;
END;

-- A session moved to another day moves the first visits that were it.
CREATE TRIGGER person_first_visit_on_session_move AFTER UPDATE OF starts_at, is_active ON class_session
BEGIN
    DELETE FROM person_first_visit WHERE people_id IN (SELECT people_id FROM attendance_record WHERE class_session_id = NEW.id);
    INSERT INTO person_first_visit (people_id, first_at)
    SELECT a.people_id, min(s.starts_at)
    FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
    WHERE a.people_id IN (SELECT people_id FROM attendance_record WHERE class_session_id = NEW.id)
      AND a.is_active = 1 AND a.status IN ('present', 'late') AND a.serving = 0 AND s.is_active = 1
    GROUP BY a.people_id;
END;

CREATE TABLE session_attendance (
    class_session_id    TEXT PRIMARY KEY NOT NULL REFERENCES class_session(id),
    -- Present or late.
    attended            INTEGER NOT NULL DEFAULT 0,
    children            INTEGER NOT NULL DEFAULT 0,
    serving             INTEGER NOT NULL DEFAULT 0,
    released_by_staff   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO session_attendance (class_session_id, attended, children, serving, released_by_staff)
SELECT class_session_id, count(*), sum(serving = 0), sum(serving = 1), count(CASE WHEN release_method = 'staff' THEN 1 END)
FROM attendance_record WHERE is_active = 1 AND status IN ('present', 'late')
GROUP BY class_session_id;

CREATE TRIGGER session_attendance_on_insert AFTER INSERT ON attendance_record
WHEN NEW.is_active = 1 AND NEW.status IN ('present', 'late')
BEGIN
    INSERT OR IGNORE INTO session_attendance (class_session_id) VALUES (NEW.class_session_id);
    UPDATE session_attendance
    SET attended = attended + 1, children = children + (NEW.serving = 0), serving = serving + (NEW.serving = 1),
        released_by_staff = released_by_staff + (NEW.release_method IS 'staff')
    WHERE class_session_id = NEW.class_session_id;
END;

-- What the row counted before is taken away, and what it counts now is added.
CREATE TRIGGER session_attendance_on_update AFTER UPDATE OF class_session_id, is_active, status, serving, release_method ON attendance_record
BEGIN
    UPDATE session_attendance
    SET attended = attended - 1, children = children - (OLD.serving = 0), serving = serving - (OLD.serving = 1),
        released_by_staff = released_by_staff - (OLD.release_method IS 'staff')
    WHERE class_session_id = OLD.class_session_id AND OLD.is_active = 1 AND OLD.status IN ('present', 'late');
    INSERT OR IGNORE INTO session_attendance (class_session_id)
    SELECT NEW.class_session_id WHERE NEW.is_active = 1 AND NEW.status IN ('present', 'late');
    UPDATE session_attendance
    SET attended = attended + 1, children = children + (NEW.serving = 0), serving = serving + (NEW.serving = 1),
        released_by_staff = released_by_staff + (NEW.release_method IS 'staff')
    WHERE class_session_id = NEW.class_session_id AND NEW.is_active = 1 AND NEW.status IN ('present', 'late');
END;

CREATE TRIGGER session_attendance_on_delete AFTER DELETE ON attendance_record
WHEN OLD.is_active = 1 AND OLD.status IN ('present', 'late')
BEGIN
    UPDATE session_attendance
    SET attended = attended - 1, children = children - (OLD.serving = 0), serving = serving - (OLD.serving = 1),
        released_by_staff = released_by_staff - (OLD.release_method IS 'staff')
    WHERE class_session_id = OLD.class_session_id;
END;

CREATE INDEX idx_course_enrollment_date
    ON course_enrollment(enrollment_date, course_id, status, is_active, registration_status, completion_date, id);
CREATE INDEX idx_content_completion_done ON content_completion(course_enrollment_id, is_active, content_id);

-- A person's visits, read from the index alone: did a first-time visitor come back?
CREATE INDEX idx_attendance_person_visits ON attendance_record(people_id, is_active, status, class_session_id);

-- Certifications by expiry, and who served without one, each read from a small index.
CREATE INDEX idx_certification_progress_report
    ON certification_progress(status, expires_date, is_active, certification_id, people_id);
CREATE INDEX idx_attendance_served_uncertified ON attendance_record(class_session_id)
    WHERE serving = 1 AND serving_uncertified = 1 AND is_active = 1;
