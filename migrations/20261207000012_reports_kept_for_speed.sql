-- The reports over three years of a large church, each worked out in 100 ms (issue 23's
-- benchmark): what they read per person or per enrollment is kept beside the data by triggers,
-- so a report reads one small index instead of joining a million attendance rows.
--  * person_first_visit also keeps the session of the first visit (for the campus and course
--    filters) and every visit of the 29 days after it (`early_visits`, the sessions' starts,
--    space-separated). "Came back within four weeks" counts local days, and where a local day
--    ends depends on the computer's offset from UTC, which the kept rows cannot know. Every
--    visit that could count, for any offset, lies in those 29 days: the report decides from
--    them, with the offset it is asked for.
--  * enrollment_next_step keeps, for each open enrollment (enrolled or in progress, active, not
--    cancelled), the first required item not done in the course's order: where the funnel says
--    people stall. It follows completions, the course's items and modules, and the enrollment.
--  * session_attendance also keeps its session's start, course, room, capacity and ratio, and
--    how many served uncertified, indexed by start: the session reports read one index.
--  * idx_course_enrollment_funnel reads a course's enrollments of a range by status, with the
--    days each took to complete, so the funnel counts them without sorting or reading rows.
-- Like migration 11's kept tables, these are worked out on this computer from rows that travel
-- to the team, and are never audited or shared themselves.

DROP TRIGGER person_first_visit_on_attendance_insert;
DROP TRIGGER person_first_visit_on_attendance_update;
DROP TRIGGER person_first_visit_on_attendance_delete;
DROP TRIGGER person_first_visit_on_session_move;
DROP TABLE person_first_visit;

CREATE TABLE person_first_visit (
    people_id           TEXT PRIMARY KEY NOT NULL REFERENCES people(id),
    first_at            TEXT NOT NULL,
    first_session_id    TEXT NOT NULL REFERENCES class_session(id),
    -- The starts of the sessions attended (serving too) after the first visit and less than
    -- 29 days after it, space-separated; NULL when there were none.
    early_visits        TEXT
) WITHOUT ROWID;
-- The visitors report reads only this index: the range, the filters' session, the visits.
CREATE INDEX idx_person_first_visit_at ON person_first_visit(first_at, first_session_id, early_visits);

-- Who needs their first visit worked out again; filled and emptied inside each trigger, so it
-- is empty between statements.
CREATE TABLE person_first_visit_stale (people_id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;

-- Works the stale people's rows out again from their attendance, then empties the list. A
-- trigger cannot call a trigger's body, so this one runs whenever a row lands in the list.
CREATE TRIGGER person_first_visit_work_out AFTER INSERT ON person_first_visit_stale
BEGIN
    DELETE FROM person_first_visit WHERE people_id = NEW.people_id;
    INSERT INTO person_first_visit (people_id, first_at, first_session_id, early_visits)
    SELECT first.people_id, first.starts_at, first.session_id,
           (SELECT group_concat(visit.starts_at, ' ') FROM (
                SELECT DISTINCT s.starts_at FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
                WHERE a.people_id = first.people_id AND a.is_active = 1 AND a.status IN ('present', 'late') AND s.is_active = 1
                  AND s.starts_at > first.starts_at
                  AND s.starts_at < strftime('%Y-%m-%dT%H:%M:%S', first.starts_at, '+29 days')
                ORDER BY s.starts_at) visit)
    FROM (
        -- SQLite gives the bare column (the session) of the row holding the minimum.
        SELECT a.people_id, min(s.starts_at) AS starts_at, s.id AS session_id
        FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
        WHERE a.people_id = NEW.people_id AND a.is_active = 1 AND a.status IN ('present', 'late') AND a.serving = 0
          AND s.is_active = 1
        GROUP BY a.people_id
    ) first;
    DELETE FROM person_first_visit_stale WHERE people_id = NEW.people_id;
END;

-- A new visit changes a person's row only if it is their first, or before, or within the 29
-- days after their first.
CREATE TRIGGER person_first_visit_on_attendance_insert AFTER INSERT ON attendance_record
WHEN NEW.is_active = 1 AND NEW.status IN ('present', 'late')
 AND (SELECT starts_at FROM class_session WHERE id = NEW.class_session_id AND is_active = 1)
     < COALESCE((SELECT strftime('%Y-%m-%dT%H:%M:%S', first_at, '+29 days') FROM person_first_visit WHERE people_id = NEW.people_id),
                CASE WHEN NEW.serving = 0 THEN '9999' END)
BEGIN
    INSERT OR IGNORE INTO person_first_visit_stale (people_id) VALUES (NEW.people_id);
END;

-- A visit corrected (absent after all, removed, moved to another person or session): both
-- people's rows are worked out again from what remains.
CREATE TRIGGER person_first_visit_on_attendance_update
AFTER UPDATE OF is_active, status, serving, people_id, class_session_id ON attendance_record
BEGIN
    INSERT OR IGNORE INTO person_first_visit_stale (people_id) VALUES (OLD.people_id);
    INSERT OR IGNORE INTO person_first_visit_stale (people_id) VALUES (NEW.people_id);
END;

CREATE TRIGGER person_first_visit_on_attendance_delete AFTER DELETE ON attendance_record
BEGIN
    INSERT OR IGNORE INTO person_first_visit_stale (people_id) VALUES (OLD.people_id);
END;

-- A session moved to another day, or cancelled: everyone who attended it.
CREATE TRIGGER person_first_visit_on_session_move AFTER UPDATE OF starts_at, is_active ON class_session
BEGIN
    INSERT OR IGNORE INTO person_first_visit_stale (people_id)
    SELECT DISTINCT people_id FROM attendance_record WHERE class_session_id = NEW.id;
END;

-- Everyone who ever attended, worked out by the same trigger.
INSERT OR IGNORE INTO person_first_visit_stale (people_id)
SELECT DISTINCT people_id FROM attendance_record WHERE is_active = 1 AND status IN ('present', 'late') AND serving = 0;

CREATE TABLE enrollment_next_step (
    course_enrollment_id    TEXT PRIMARY KEY NOT NULL REFERENCES course_enrollment(id),
    course_id               TEXT NOT NULL REFERENCES course(id),
    enrollment_date         TEXT NOT NULL,
    -- NULL when every required item is done.
    content_id              TEXT REFERENCES content(id)
) WITHOUT ROWID;
-- In the order the funnel groups them (course, then step), so it counts without sorting.
CREATE INDEX idx_enrollment_next_step ON enrollment_next_step(course_id, content_id, enrollment_date);

CREATE TABLE enrollment_next_step_stale (course_enrollment_id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;

-- The course's required items in order (modules in theirs, then items in theirs), as the
-- progress screens order them: the first one this enrollment has not done.
CREATE TRIGGER enrollment_next_step_work_out AFTER INSERT ON enrollment_next_step_stale
BEGIN
    DELETE FROM enrollment_next_step WHERE course_enrollment_id = NEW.course_enrollment_id;
    INSERT INTO enrollment_next_step (course_enrollment_id, course_id, enrollment_date, content_id)
    SELECT e.id, e.course_id, e.enrollment_date,
           (SELECT ct.id FROM content ct LEFT JOIN course_module m ON m.id = ct.module_id
            WHERE ct.course_id = e.course_id AND ct.is_active = 1 AND ct.is_required = 1
              AND NOT EXISTS (SELECT 1 FROM content_completion cc
                              WHERE cc.course_enrollment_id = e.id AND cc.content_id = ct.id AND cc.is_active = 1)
            ORDER BY COALESCE(m.order_sequence, -1), ct.order_sequence, ct.id
            LIMIT 1)
    FROM course_enrollment e
    WHERE e.id = NEW.course_enrollment_id AND e.is_active = 1 AND e.registration_status <> 'cancelled'
      AND e.status IN ('enrolled', 'in_progress');
    DELETE FROM enrollment_next_step_stale WHERE course_enrollment_id = NEW.course_enrollment_id;
END;

CREATE TRIGGER enrollment_next_step_on_enrollment_insert AFTER INSERT ON course_enrollment
BEGIN
    INSERT OR IGNORE INTO enrollment_next_step_stale VALUES (NEW.id);
END;

CREATE TRIGGER enrollment_next_step_on_enrollment_update
AFTER UPDATE OF id, course_id, enrollment_date, status, is_active, registration_status ON course_enrollment
BEGIN
    DELETE FROM enrollment_next_step WHERE course_enrollment_id = OLD.id;
    INSERT OR IGNORE INTO enrollment_next_step_stale VALUES (NEW.id);
END;

CREATE TRIGGER enrollment_next_step_on_enrollment_delete AFTER DELETE ON course_enrollment
BEGIN
    DELETE FROM enrollment_next_step WHERE course_enrollment_id = OLD.id;
END;

CREATE TRIGGER enrollment_next_step_on_completion_insert AFTER INSERT ON content_completion
BEGIN
    INSERT OR IGNORE INTO enrollment_next_step_stale VALUES (NEW.course_enrollment_id);
END;

CREATE TRIGGER enrollment_next_step_on_completion_update
AFTER UPDATE OF course_enrollment_id, content_id, is_active ON content_completion
BEGIN
    INSERT OR IGNORE INTO enrollment_next_step_stale VALUES (OLD.course_enrollment_id);
    INSERT OR IGNORE INTO enrollment_next_step_stale VALUES (NEW.course_enrollment_id);
END;

CREATE TRIGGER enrollment_next_step_on_completion_delete AFTER DELETE ON content_completion
BEGIN
    INSERT OR IGNORE INTO enrollment_next_step_stale VALUES (OLD.course_enrollment_id);
END;

-- A course's items added, removed, reordered or made optional: its enrollments again (read from
-- the enrollments, which the working out does not change; those not open are passed over).
CREATE TRIGGER enrollment_next_step_on_content_insert AFTER INSERT ON content
BEGIN
    INSERT OR IGNORE INTO enrollment_next_step_stale
    SELECT id FROM course_enrollment WHERE course_id = NEW.course_id;
END;

CREATE TRIGGER enrollment_next_step_on_content_update
AFTER UPDATE OF course_id, module_id, order_sequence, is_required, is_active ON content
BEGIN
    INSERT OR IGNORE INTO enrollment_next_step_stale
    SELECT id FROM course_enrollment WHERE course_id IN (OLD.course_id, NEW.course_id);
END;

CREATE TRIGGER enrollment_next_step_on_content_delete AFTER DELETE ON content
BEGIN
    INSERT OR IGNORE INTO enrollment_next_step_stale
    SELECT id FROM course_enrollment WHERE course_id = OLD.course_id;
END;

CREATE TRIGGER enrollment_next_step_on_module_update AFTER UPDATE OF course_id, order_sequence ON course_module
BEGIN
    INSERT OR IGNORE INTO enrollment_next_step_stale
    SELECT id FROM course_enrollment WHERE course_id IN (OLD.course_id, NEW.course_id);
END;

CREATE TRIGGER enrollment_next_step_on_module_delete AFTER DELETE ON course_module
BEGIN
    INSERT OR IGNORE INTO enrollment_next_step_stale
    SELECT id FROM course_enrollment WHERE course_id = OLD.course_id;
END;

INSERT INTO enrollment_next_step_stale (course_enrollment_id)
SELECT id FROM course_enrollment
WHERE is_active = 1 AND registration_status <> 'cancelled' AND status IN ('enrolled', 'in_progress');

-- A course's enrollments of a range, a course and a status at a time, with the days each took
-- to complete (an expression the index keeps, so the median reads no rows).
CREATE INDEX idx_course_enrollment_funnel
    ON course_enrollment(course_id, status, enrollment_date, is_active, registration_status,
                         julianday(completion_date) - julianday(enrollment_date));
DROP INDEX idx_course_enrollment_date;

-- Each session's counts also keep what the reports ask of the session (its start, course, room,
-- whether it is on, its capacity and ratio) and who served without the certification it asks,
-- indexed by start: attendance over time, rooms and certifications read a range of sessions
-- from this one index, joining nothing. The session's columns follow the session.
ALTER TABLE session_attendance ADD COLUMN starts_at TEXT;
ALTER TABLE session_attendance ADD COLUMN course_id TEXT;
ALTER TABLE session_attendance ADD COLUMN facility_id TEXT;
ALTER TABLE session_attendance ADD COLUMN session_active INTEGER;
ALTER TABLE session_attendance ADD COLUMN capacity INTEGER;
ALTER TABLE session_attendance ADD COLUMN children_per_adult INTEGER;
ALTER TABLE session_attendance ADD COLUMN served_uncertified INTEGER NOT NULL DEFAULT 0;
UPDATE session_attendance SET
    (starts_at, course_id, facility_id, session_active, capacity, children_per_adult) =
        (SELECT s.starts_at, s.course_id, s.facility_id, s.is_active, s.capacity, s.children_per_adult
         FROM class_session s WHERE s.id = session_attendance.class_session_id),
    served_uncertified = (
        SELECT count(*) FROM attendance_record a
        WHERE a.class_session_id = session_attendance.class_session_id AND a.is_active = 1
          AND a.status IN ('present', 'late') AND a.serving = 1 AND a.serving_uncertified = 1);
CREATE INDEX idx_session_attendance_report ON session_attendance(
    starts_at, session_active, course_id, facility_id, attended, children, serving, released_by_staff,
    served_uncertified, capacity, children_per_adult);

CREATE TRIGGER session_attendance_follows_session
AFTER UPDATE OF starts_at, course_id, facility_id, is_active, capacity, children_per_adult ON class_session
BEGIN
    UPDATE session_attendance
    SET starts_at = NEW.starts_at, course_id = NEW.course_id, facility_id = NEW.facility_id,
        session_active = NEW.is_active, capacity = NEW.capacity, children_per_adult = NEW.children_per_adult
    WHERE class_session_id = NEW.id;
END;

DROP TRIGGER session_attendance_on_insert;
DROP TRIGGER session_attendance_on_update;
DROP TRIGGER session_attendance_on_delete;

CREATE TRIGGER session_attendance_on_insert AFTER INSERT ON attendance_record
WHEN NEW.is_active = 1 AND NEW.status IN ('present', 'late')
BEGIN
    INSERT OR IGNORE INTO session_attendance
        (class_session_id, starts_at, course_id, facility_id, session_active, capacity, children_per_adult)
    SELECT id, starts_at, course_id, facility_id, is_active, capacity, children_per_adult
    FROM class_session WHERE id = NEW.class_session_id;
    UPDATE session_attendance
    SET attended = attended + 1, children = children + (NEW.serving = 0), serving = serving + (NEW.serving = 1),
        released_by_staff = released_by_staff + (NEW.release_method IS 'staff'),
        served_uncertified = served_uncertified + (NEW.serving = 1 AND NEW.serving_uncertified = 1)
    WHERE class_session_id = NEW.class_session_id;
END;

-- What the row counted before is taken away, and what it counts now is added.
CREATE TRIGGER session_attendance_on_update
AFTER UPDATE OF class_session_id, is_active, status, serving, serving_uncertified, release_method ON attendance_record
BEGIN
    UPDATE session_attendance
    SET attended = attended - 1, children = children - (OLD.serving = 0), serving = serving - (OLD.serving = 1),
        released_by_staff = released_by_staff - (OLD.release_method IS 'staff'),
        served_uncertified = served_uncertified - (OLD.serving = 1 AND OLD.serving_uncertified = 1)
    WHERE class_session_id = OLD.class_session_id AND OLD.is_active = 1 AND OLD.status IN ('present', 'late');
    INSERT OR IGNORE INTO session_attendance
        (class_session_id, starts_at, course_id, facility_id, session_active, capacity, children_per_adult)
    SELECT id, starts_at, course_id, facility_id, is_active, capacity, children_per_adult
    FROM class_session WHERE id = NEW.class_session_id AND NEW.is_active = 1 AND NEW.status IN ('present', 'late');
    UPDATE session_attendance
    SET attended = attended + 1, children = children + (NEW.serving = 0), serving = serving + (NEW.serving = 1),
        released_by_staff = released_by_staff + (NEW.release_method IS 'staff'),
        served_uncertified = served_uncertified + (NEW.serving = 1 AND NEW.serving_uncertified = 1)
    WHERE class_session_id = NEW.class_session_id AND NEW.is_active = 1 AND NEW.status IN ('present', 'late');
END;

CREATE TRIGGER session_attendance_on_delete AFTER DELETE ON attendance_record
WHEN OLD.is_active = 1 AND OLD.status IN ('present', 'late')
BEGIN
    UPDATE session_attendance
    SET attended = attended - 1, children = children - (OLD.serving = 0), serving = serving - (OLD.serving = 1),
        released_by_staff = released_by_staff - (OLD.release_method IS 'staff'),
        served_uncertified = served_uncertified - (OLD.serving = 1 AND OLD.serving_uncertified = 1)
    WHERE class_session_id = OLD.class_session_id;
END;

-- The listed sessions' uncertified servers, read from this small index alone.
DROP INDEX idx_attendance_served_uncertified;
CREATE INDEX idx_attendance_served_uncertified ON attendance_record(class_session_id, status, people_id)
    WHERE serving = 1 AND serving_uncertified = 1 AND is_active = 1;
