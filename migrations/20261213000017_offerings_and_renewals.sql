-- Courses that run every term, retakes, and certifications that are renewed.
--  * course_offering: one running of a course ("Autumn 2026, Tuesdays 7 pm, Room 3"), with its
--    own dates, campus, room, capacity and waitlist, and its Planning Center signup mapping.
--    Enrollments, class sessions and course roles belong to an offering.
--  * Every course has a first offering whose id is the course's own. Every computer of a team
--    makes it itself, from the course row alone (here for the courses it holds, and by trigger
--    for each course it writes or receives later), so no computer has to send it and all of
--    them hold the same one.
--  * An enrollment, session or role written without an offering (by a computer still on the
--    previous release) belongs to its course's first offering.
--  * course_enrollment: one enrollment per person and offering, not per course, so a person may
--    retake a course in a later offering; `not_passed` ends one whose final assessment failed.
--  * course_role: a teacher or helper per offering.
--  * certification_record: each time a certification is earned, kept with the completions it
--    rests on. certification_progress remains the person's standing, from the latest record.
--  * certification.refresher_course_id: a shorter course whose completion renews it.
--  * Grading: a course is graded by completion only, pass/fail against a pass mark, or by
--    percentage; an assessment may be the course's final one; an enrollment keeps its grade.
-- migrate: rebuilds tables (run with foreign keys off, every reference checked before commit)

CREATE TABLE course_offering (
    id                          TEXT PRIMARY KEY NOT NULL,
    course_id                   TEXT NOT NULL REFERENCES course(id),
    name                        TEXT NOT NULL,
    starts_on                   TEXT,
    ends_on                     TEXT,
    schedule                    TEXT,
    campus_id                   TEXT REFERENCES campus(id),
    facility_id                 TEXT REFERENCES facility(id),
    max_capacity                INTEGER CHECK (max_capacity IS NULL OR max_capacity >= 0),
    current_registrations       INTEGER NOT NULL DEFAULT 0,
    planning_center_event_id    TEXT UNIQUE,
    planning_center_event_name  TEXT,
    is_active                   BOOLEAN NOT NULL DEFAULT 1,
    created_at                  TEXT NOT NULL,
    updated_at                  TEXT NOT NULL,
    created_by                  TEXT,
    updated_by                  TEXT,
    CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX idx_course_offering_course ON course_offering(course_id, starts_on);

INSERT INTO course_offering (id, course_id, name, starts_on, ends_on, campus_id, max_capacity, current_registrations,
                             planning_center_event_id, planning_center_event_name, is_active,
                             created_at, updated_at, created_by, updated_by)
SELECT id, id, COALESCE(planning_center_event_name, 'First offering'), event_start_date, event_end_date, campus_id,
       max_capacity, current_registrations, planning_center_event_id, planning_center_event_name, is_active,
       created_at, updated_at, created_by, updated_by
FROM course;

CREATE TRIGGER course_has_first_offering AFTER INSERT ON course
BEGIN
    INSERT OR IGNORE INTO course_offering (id, course_id, name, starts_on, ends_on, campus_id, max_capacity,
                                           current_registrations, planning_center_event_id,
                                           planning_center_event_name, is_active,
                                           created_at, updated_at, created_by, updated_by)
    VALUES (NEW.id, NEW.id, COALESCE(NEW.planning_center_event_name, 'First offering'), NEW.event_start_date,
            NEW.event_end_date, NEW.campus_id, NEW.max_capacity, 0,
            CASE WHEN EXISTS (SELECT 1 FROM course_offering WHERE planning_center_event_id = NEW.planning_center_event_id)
                 THEN NULL ELSE NEW.planning_center_event_id END,
            NEW.planning_center_event_name, NEW.is_active, NEW.created_at, NEW.created_at, NEW.created_by, NEW.created_by);
END;

-- Enrollments, rebuilt: SQLite cannot drop a UNIQUE constraint in place.
CREATE TABLE course_enrollment_rebuilt (
    id                              TEXT PRIMARY KEY NOT NULL,
    people_id                       TEXT NOT NULL REFERENCES people(id),
    course_id                       TEXT NOT NULL REFERENCES course(id),
    offering_id                     TEXT REFERENCES course_offering(id),
    planning_center_registration_id TEXT UNIQUE,
    enrollment_date                 TEXT NOT NULL,
    status                          TEXT NOT NULL DEFAULT 'enrolled'
        CHECK (status IN ('enrolled', 'in_progress', 'completed', 'dropped', 'not_passed')),
    progress_percentage             REAL NOT NULL DEFAULT 0
        CHECK (progress_percentage >= 0 AND progress_percentage <= 100),
    completion_date                 TEXT,
    notes                           TEXT,
    dependency_override             BOOLEAN NOT NULL DEFAULT 0,
    dependency_override_by          TEXT REFERENCES people(id),
    dependency_override_reason      TEXT,
    dependency_override_at          TEXT,
    planning_center_synced          BOOLEAN NOT NULL DEFAULT 0,
    registration_status             TEXT NOT NULL DEFAULT 'registered'
        CHECK (registration_status IN ('registered', 'cancelled', 'waitlisted')),
    registration_notes              TEXT,
    waitlisted_at                   TEXT,
    grade                           REAL CHECK (grade IS NULL OR (grade >= 0 AND grade <= 100)),
    is_active                       BOOLEAN NOT NULL DEFAULT 1,
    created_at                      TEXT NOT NULL,
    updated_at                      TEXT NOT NULL,
    created_by                      TEXT,
    updated_by                      TEXT,
    UNIQUE (people_id, offering_id),
    CHECK (dependency_override = 0 OR (dependency_override_by IS NOT NULL AND dependency_override_reason IS NOT NULL))
);
INSERT INTO course_enrollment_rebuilt (id, people_id, course_id, offering_id, planning_center_registration_id,
    enrollment_date, status, progress_percentage, completion_date, notes, dependency_override,
    dependency_override_by, dependency_override_reason, dependency_override_at, planning_center_synced,
    registration_status, registration_notes, waitlisted_at, is_active, created_at, updated_at, created_by, updated_by)
SELECT id, people_id, course_id, course_id, planning_center_registration_id,
    enrollment_date, status, progress_percentage, completion_date, notes, dependency_override,
    dependency_override_by, dependency_override_reason, dependency_override_at, planning_center_synced,
    registration_status, registration_notes, waitlisted_at, is_active, created_at, updated_at, created_by, updated_by
FROM course_enrollment;

-- Triggers of other tables name course_enrollment; with the modern rename SQLite would check
-- them against a schema that, for a moment, lacks it.
PRAGMA legacy_alter_table = ON;
DROP TABLE course_enrollment;
ALTER TABLE course_enrollment_rebuilt RENAME TO course_enrollment;

CREATE INDEX idx_course_enrollment_course ON course_enrollment(course_id, registration_status);
CREATE INDEX idx_course_enrollment_offering ON course_enrollment(offering_id, registration_status);
CREATE INDEX idx_course_enrollment_person ON course_enrollment(people_id, course_id);
CREATE INDEX idx_course_enrollment_status ON course_enrollment(status);
CREATE INDEX idx_course_enrollment_funnel
    ON course_enrollment(course_id, status, enrollment_date, is_active, registration_status,
                         julianday(completion_date) - julianday(enrollment_date));

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

CREATE TRIGGER course_enrollment_in_first_offering AFTER INSERT ON course_enrollment WHEN NEW.offering_id IS NULL
BEGIN
    UPDATE course_enrollment SET offering_id = NEW.course_id WHERE id = NEW.id;
END;

-- Course roles, rebuilt for the same reason: a teacher may teach every offering.
CREATE TABLE course_role_rebuilt (
    id              TEXT PRIMARY KEY NOT NULL,
    people_id       TEXT NOT NULL REFERENCES people(id),
    course_id       TEXT NOT NULL REFERENCES course(id),
    offering_id     TEXT REFERENCES course_offering(id),
    role_type       TEXT NOT NULL CHECK (role_type IN ('teacher', 'student', 'assistant', 'observer')),
    assigned_date   TEXT NOT NULL,
    assigned_by     TEXT,
    is_active       BOOLEAN NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    created_by      TEXT,
    updated_by      TEXT,
    UNIQUE (people_id, offering_id, role_type)
);
INSERT INTO course_role_rebuilt (id, people_id, course_id, offering_id, role_type, assigned_date, assigned_by,
                                 is_active, created_at, updated_at, created_by, updated_by)
SELECT id, people_id, course_id, course_id, role_type, assigned_date, assigned_by,
       is_active, created_at, updated_at, created_by, updated_by
FROM course_role;
DROP TABLE course_role;
ALTER TABLE course_role_rebuilt RENAME TO course_role;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX idx_course_role_course ON course_role(course_id);
CREATE INDEX idx_course_role_offering ON course_role(offering_id);

CREATE TRIGGER course_role_in_first_offering AFTER INSERT ON course_role WHEN NEW.offering_id IS NULL
BEGIN
    UPDATE course_role SET offering_id = NEW.course_id WHERE id = NEW.id;
END;

ALTER TABLE class_session ADD COLUMN offering_id TEXT REFERENCES course_offering(id);
UPDATE class_session SET offering_id = course_id;
CREATE INDEX idx_class_session_offering ON class_session(offering_id, starts_at);

CREATE TRIGGER class_session_in_first_offering AFTER INSERT ON class_session WHEN NEW.offering_id IS NULL
BEGIN
    UPDATE class_session SET offering_id = NEW.course_id WHERE id = NEW.id;
END;

ALTER TABLE certification ADD COLUMN refresher_course_id TEXT REFERENCES course(id);

ALTER TABLE course ADD COLUMN grading TEXT NOT NULL DEFAULT 'completion'
    CHECK (grading IN ('completion', 'pass_fail', 'percentage'));
ALTER TABLE course ADD COLUMN pass_mark REAL CHECK (pass_mark IS NULL OR (pass_mark >= 0 AND pass_mark <= 100));
ALTER TABLE assessment ADD COLUMN is_final BOOLEAN NOT NULL DEFAULT 0;

CREATE TABLE certification_record (
    id                      TEXT PRIMARY KEY NOT NULL,
    people_id               TEXT NOT NULL REFERENCES people(id),
    certification_id        TEXT NOT NULL REFERENCES certification(id),
    earned_on               TEXT NOT NULL,
    expires_on              TEXT,
    certificate_number      TEXT UNIQUE,
    -- The completed enrollments it rests on, a JSON array of ids.
    course_enrollment_ids   TEXT NOT NULL DEFAULT '[]',
    renewal                 BOOLEAN NOT NULL DEFAULT 0,
    is_active               BOOLEAN NOT NULL DEFAULT 1,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    created_by              TEXT,
    updated_by              TEXT,
    UNIQUE (people_id, certification_id, earned_on),
    CHECK (expires_on IS NULL OR expires_on >= earned_on)
);
CREATE INDEX idx_certification_record_person ON certification_record(people_id, certification_id, earned_on);

-- Each certification held today becomes its first record, with the record id of the standing
-- (every computer makes the same one).
INSERT INTO certification_record (id, people_id, certification_id, earned_on, expires_on, certificate_number,
                                  course_enrollment_ids, is_active, created_at, updated_at, created_by, updated_by)
SELECT cp.id, cp.people_id, cp.certification_id, cp.completed_date, cp.expires_date, cp.certificate_number,
       (SELECT json_group_array(e.id) FROM course_enrollment e
        JOIN certification_course cc ON cc.course_id = e.course_id AND cc.certification_id = cp.certification_id
                                     AND cc.is_active = 1
        WHERE e.people_id = cp.people_id AND e.is_active = 1 AND e.status = 'completed'),
       1, cp.created_at, cp.updated_at, cp.created_by, cp.updated_by
FROM certification_progress cp
WHERE cp.completed_date IS NOT NULL AND cp.is_active = 1
  AND (cp.expires_date IS NULL OR cp.expires_date >= cp.completed_date);
