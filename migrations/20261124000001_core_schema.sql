-- Church Course Tracker: the core schema (seed 000) plus what a church office needs from
-- seeds 001, 003 and 004. Conventions, so every repository can treat tables alike:
--   * ids are UUID text made on the device (v7); Planning Center ids live in their own
--     columns, unique where set;
--   * timestamps are UTC RFC 3339 text, dates are YYYY-MM-DD text;
--   * booleans are declared BOOLEAN (0/1) and JSON columns hold JSON text;
--   * rows are never hard-deleted: is_active = 0 is the soft delete.
-- Seed 000 kept prerequisites and required courses as JSON arrays of ids; here they are the
-- join tables course_prerequisite and certification_course, so foreign keys hold and cycles
-- can be checked. The planning_center_*_cache tables stay separate from course/enrollment:
-- a cached Planning Center signup is mapped to a course, not merged into it.

CREATE TABLE household (
    id                  TEXT PRIMARY KEY NOT NULL,
    planning_center_id  TEXT UNIQUE,
    name                TEXT NOT NULL,
    is_active           BOOLEAN NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    created_by          TEXT,
    updated_by          TEXT
);

CREATE TABLE people (
    id                  TEXT PRIMARY KEY NOT NULL,
    planning_center_id  TEXT UNIQUE,
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    nickname            TEXT,
    email               TEXT,
    phone               TEXT,
    date_of_birth       TEXT,
    gender              TEXT,
    address1            TEXT,
    address2            TEXT,
    city                TEXT,
    state               TEXT,
    zip                 TEXT,
    household_id        TEXT REFERENCES household(id),
    household_name      TEXT,
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    join_date           TEXT,
    last_synced_at      TEXT,
    is_active           BOOLEAN NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    created_by          TEXT,
    updated_by          TEXT
);
CREATE INDEX idx_people_name ON people(last_name, first_name);
CREATE INDEX idx_people_email ON people(email);
CREATE INDEX idx_people_household ON people(household_id);

CREATE TABLE campus (
    id                          TEXT PRIMARY KEY NOT NULL,
    name                        TEXT NOT NULL UNIQUE,
    address                     TEXT,
    phone                       TEXT,
    email                       TEXT,
    planning_center_location_id TEXT UNIQUE,
    time_zone                   TEXT NOT NULL DEFAULT 'UTC',
    is_active                   BOOLEAN NOT NULL DEFAULT 1,
    created_at                  TEXT NOT NULL,
    updated_at                  TEXT NOT NULL,
    created_by                  TEXT,
    updated_by                  TEXT
);

CREATE TABLE role (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE,
    description TEXT,
    permissions TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(permissions)),
    is_active   BOOLEAN NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT,
    updated_by  TEXT
);

CREATE TABLE course (
    id                          TEXT PRIMARY KEY NOT NULL,
    name                        TEXT NOT NULL,
    description                 TEXT,
    duration_weeks              INTEGER CHECK (duration_weeks IS NULL OR duration_weeks >= 0),
    campus_id                   TEXT REFERENCES campus(id),
    planning_center_event_id    TEXT UNIQUE,
    planning_center_event_name  TEXT,
    event_start_date            TEXT,
    event_end_date              TEXT,
    max_capacity                INTEGER CHECK (max_capacity IS NULL OR max_capacity >= 0),
    current_registrations       INTEGER NOT NULL DEFAULT 0,
    absence_warning_threshold   INTEGER,
    is_active                   BOOLEAN NOT NULL DEFAULT 1,
    created_at                  TEXT NOT NULL,
    updated_at                  TEXT NOT NULL,
    created_by                  TEXT,
    updated_by                  TEXT
);
CREATE INDEX idx_course_campus ON course(campus_id);

CREATE TABLE course_prerequisite (
    id                      TEXT PRIMARY KEY NOT NULL,
    course_id               TEXT NOT NULL REFERENCES course(id),
    prerequisite_course_id  TEXT NOT NULL REFERENCES course(id),
    is_active               BOOLEAN NOT NULL DEFAULT 1,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    created_by              TEXT,
    updated_by              TEXT,
    UNIQUE (course_id, prerequisite_course_id),
    CHECK (course_id <> prerequisite_course_id)
);
CREATE INDEX idx_course_prerequisite_prerequisite ON course_prerequisite(prerequisite_course_id);

CREATE TABLE content_type (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE,
    description TEXT,
    icon_class  TEXT,
    is_active   BOOLEAN NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT,
    updated_by  TEXT
);

-- Seeds 001/003: a course is divided into modules, each holding ordered lessons (content).
CREATE TABLE course_module (
    id              TEXT PRIMARY KEY NOT NULL,
    course_id       TEXT NOT NULL REFERENCES course(id),
    title           TEXT NOT NULL,
    description     TEXT,
    order_sequence  INTEGER NOT NULL CHECK (order_sequence >= 0),
    is_active       BOOLEAN NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    created_by      TEXT,
    updated_by      TEXT
);
CREATE INDEX idx_course_module_course ON course_module(course_id, order_sequence);

CREATE TABLE content (
    id                  TEXT PRIMARY KEY NOT NULL,
    course_id           TEXT NOT NULL REFERENCES course(id),
    module_id           TEXT REFERENCES course_module(id),
    title               TEXT NOT NULL,
    content_type_id     TEXT NOT NULL REFERENCES content_type(id),
    order_sequence      INTEGER NOT NULL CHECK (order_sequence >= 0),
    file_path_or_url    TEXT,
    duration_minutes    INTEGER CHECK (duration_minutes IS NULL OR duration_minutes >= 0),
    is_required         BOOLEAN NOT NULL DEFAULT 1,
    is_active           BOOLEAN NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    created_by          TEXT,
    updated_by          TEXT
);
CREATE INDEX idx_content_course ON content(course_id, order_sequence);
CREATE INDEX idx_content_module ON content(module_id, order_sequence);
CREATE INDEX idx_content_type ON content(content_type_id);

CREATE TABLE certification (
    id              TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL UNIQUE,
    description     TEXT,
    validity_months INTEGER CHECK (validity_months IS NULL OR validity_months > 0),
    is_active       BOOLEAN NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    created_by      TEXT,
    updated_by      TEXT
);

CREATE TABLE certification_course (
    id                  TEXT PRIMARY KEY NOT NULL,
    certification_id    TEXT NOT NULL REFERENCES certification(id),
    course_id           TEXT NOT NULL REFERENCES course(id),
    is_active           BOOLEAN NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    created_by          TEXT,
    updated_by          TEXT,
    UNIQUE (certification_id, course_id)
);
CREATE INDEX idx_certification_course_course ON certification_course(course_id);

CREATE TABLE people_campus (
    id              TEXT PRIMARY KEY NOT NULL,
    people_id       TEXT NOT NULL REFERENCES people(id),
    campus_id       TEXT NOT NULL REFERENCES campus(id),
    assigned_date   TEXT NOT NULL,
    is_primary      BOOLEAN NOT NULL DEFAULT 0,
    is_active       BOOLEAN NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    created_by      TEXT,
    updated_by      TEXT,
    UNIQUE (people_id, campus_id)
);
CREATE INDEX idx_people_campus_campus ON people_campus(campus_id);
-- A person has at most one primary campus among active assignments.
CREATE UNIQUE INDEX idx_people_campus_one_primary
    ON people_campus(people_id) WHERE is_primary = 1 AND is_active = 1;

CREATE TABLE people_role (
    id              TEXT PRIMARY KEY NOT NULL,
    people_id       TEXT NOT NULL REFERENCES people(id),
    role_id         TEXT NOT NULL REFERENCES role(id),
    assigned_date   TEXT NOT NULL,
    assigned_by     TEXT,
    is_active       BOOLEAN NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    created_by      TEXT,
    updated_by      TEXT,
    UNIQUE (people_id, role_id)
);
CREATE INDEX idx_people_role_role ON people_role(role_id);

CREATE TABLE course_enrollment (
    id                              TEXT PRIMARY KEY NOT NULL,
    people_id                       TEXT NOT NULL REFERENCES people(id),
    course_id                       TEXT NOT NULL REFERENCES course(id),
    planning_center_registration_id TEXT UNIQUE,
    enrollment_date                 TEXT NOT NULL,
    status                          TEXT NOT NULL DEFAULT 'enrolled'
        CHECK (status IN ('enrolled', 'in_progress', 'completed', 'dropped')),
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
    is_active                       BOOLEAN NOT NULL DEFAULT 1,
    created_at                      TEXT NOT NULL,
    updated_at                      TEXT NOT NULL,
    created_by                      TEXT,
    updated_by                      TEXT,
    UNIQUE (people_id, course_id),
    CHECK (dependency_override = 0 OR (dependency_override_by IS NOT NULL AND dependency_override_reason IS NOT NULL))
);
CREATE INDEX idx_course_enrollment_course ON course_enrollment(course_id, registration_status);
CREATE INDEX idx_course_enrollment_status ON course_enrollment(status);

CREATE TABLE course_role (
    id              TEXT PRIMARY KEY NOT NULL,
    people_id       TEXT NOT NULL REFERENCES people(id),
    course_id       TEXT NOT NULL REFERENCES course(id),
    role_type       TEXT NOT NULL CHECK (role_type IN ('teacher', 'student', 'assistant', 'observer')),
    assigned_date   TEXT NOT NULL,
    assigned_by     TEXT,
    is_active       BOOLEAN NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    created_by      TEXT,
    updated_by      TEXT,
    UNIQUE (people_id, course_id, role_type)
);
CREATE INDEX idx_course_role_course ON course_role(course_id);

CREATE TABLE certification_progress (
    id                  TEXT PRIMARY KEY NOT NULL,
    people_id           TEXT NOT NULL REFERENCES people(id),
    certification_id    TEXT NOT NULL REFERENCES certification(id),
    started_date        TEXT NOT NULL,
    completed_date      TEXT,
    status              TEXT NOT NULL DEFAULT 'in_progress'
        CHECK (status IN ('in_progress', 'completed', 'expired')),
    expires_date        TEXT,
    certificate_number  TEXT UNIQUE,
    is_active           BOOLEAN NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    created_by          TEXT,
    updated_by          TEXT,
    UNIQUE (people_id, certification_id)
);
CREATE INDEX idx_certification_progress_expiry ON certification_progress(status, expires_date);

CREATE TABLE content_completion (
    id                      TEXT PRIMARY KEY NOT NULL,
    course_enrollment_id    TEXT NOT NULL REFERENCES course_enrollment(id),
    content_id              TEXT NOT NULL REFERENCES content(id),
    completed_at            TEXT NOT NULL,
    time_spent_minutes      INTEGER CHECK (time_spent_minutes IS NULL OR time_spent_minutes >= 0),
    score                   REAL CHECK (score IS NULL OR (score >= 0 AND score <= 100)),
    notes                   TEXT,
    is_active               BOOLEAN NOT NULL DEFAULT 1,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    created_by              TEXT,
    updated_by              TEXT,
    UNIQUE (course_enrollment_id, content_id)
);
CREATE INDEX idx_content_completion_content ON content_completion(content_id);

-- Seed 003: assessments with scores.
CREATE TABLE assessment (
    id              TEXT PRIMARY KEY NOT NULL,
    course_id       TEXT NOT NULL REFERENCES course(id),
    module_id       TEXT REFERENCES course_module(id),
    title           TEXT NOT NULL,
    description     TEXT,
    passing_score   REAL NOT NULL DEFAULT 70 CHECK (passing_score >= 0 AND passing_score <= 100),
    max_attempts    INTEGER CHECK (max_attempts IS NULL OR max_attempts > 0),
    is_required     BOOLEAN NOT NULL DEFAULT 1,
    is_active       BOOLEAN NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    created_by      TEXT,
    updated_by      TEXT
);
CREATE INDEX idx_assessment_course ON assessment(course_id);

CREATE TABLE assessment_attempt (
    id                      TEXT PRIMARY KEY NOT NULL,
    course_enrollment_id    TEXT NOT NULL REFERENCES course_enrollment(id),
    assessment_id           TEXT NOT NULL REFERENCES assessment(id),
    attempt_number          INTEGER NOT NULL CHECK (attempt_number > 0),
    score                   REAL NOT NULL CHECK (score >= 0 AND score <= 100),
    is_passed               BOOLEAN NOT NULL,
    submitted_at            TEXT NOT NULL,
    graded_by               TEXT REFERENCES people(id),
    feedback                TEXT,
    is_active               BOOLEAN NOT NULL DEFAULT 1,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    created_by              TEXT,
    updated_by              TEXT,
    UNIQUE (course_enrollment_id, assessment_id, attempt_number)
);

-- Seeds 001/004: rooms with a capacity, per campus.
CREATE TABLE facility (
    id          TEXT PRIMARY KEY NOT NULL,
    campus_id   TEXT NOT NULL REFERENCES campus(id),
    name        TEXT NOT NULL,
    capacity    INTEGER CHECK (capacity IS NULL OR capacity >= 0),
    notes       TEXT,
    is_active   BOOLEAN NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT,
    updated_by  TEXT,
    UNIQUE (campus_id, name)
);

-- Seeds 003/004: a course's scheduled meetings.
CREATE TABLE class_session (
    id          TEXT PRIMARY KEY NOT NULL,
    course_id   TEXT NOT NULL REFERENCES course(id),
    facility_id TEXT REFERENCES facility(id),
    title       TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    capacity    INTEGER CHECK (capacity IS NULL OR capacity >= 0),
    status      TEXT NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'in_progress', 'completed', 'cancelled')),
    is_active   BOOLEAN NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT,
    updated_by  TEXT,
    CHECK (ends_at > starts_at)
);
CREATE INDEX idx_class_session_course ON class_session(course_id, starts_at);
CREATE INDEX idx_class_session_start ON class_session(starts_at);

CREATE TABLE attendance_record (
    id                      TEXT PRIMARY KEY NOT NULL,
    class_session_id        TEXT NOT NULL REFERENCES class_session(id),
    people_id               TEXT NOT NULL REFERENCES people(id),
    course_enrollment_id    TEXT REFERENCES course_enrollment(id),
    status                  TEXT NOT NULL CHECK (status IN ('present', 'absent', 'late', 'excused')),
    check_in_at             TEXT,
    check_out_at            TEXT,
    marked_by               TEXT REFERENCES people(id),
    security_code           TEXT,
    notes                   TEXT,
    is_active               BOOLEAN NOT NULL DEFAULT 1,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    created_by              TEXT,
    updated_by              TEXT,
    UNIQUE (class_session_id, people_id),
    CHECK (check_out_at IS NULL OR check_in_at IS NULL OR check_out_at >= check_in_at)
);
CREATE INDEX idx_attendance_record_person ON attendance_record(people_id);
CREATE INDEX idx_attendance_record_enrollment ON attendance_record(course_enrollment_id);

-- Seed 004: needs a volunteer must know at check-in. `visibility` says who may read it:
-- 'checkin' = anyone allowed to read special requirements, 'staff' = confidential ones only.
CREATE TABLE special_requirement (
    id                  TEXT PRIMARY KEY NOT NULL,
    people_id           TEXT NOT NULL REFERENCES people(id),
    requirement_type    TEXT NOT NULL
        CHECK (requirement_type IN ('allergy', 'medical', 'accessibility', 'dietary', 'other')),
    details             TEXT NOT NULL,
    severity            TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    visibility          TEXT NOT NULL DEFAULT 'checkin' CHECK (visibility IN ('checkin', 'staff')),
    requires_action     BOOLEAN NOT NULL DEFAULT 0,
    is_active           BOOLEAN NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    created_by          TEXT,
    updated_by          TEXT
);
CREATE INDEX idx_special_requirement_person ON special_requirement(people_id);

-- Office-wide settings the rules read (time zone, expiring-soon window, ...).
CREATE TABLE office_setting (
    key         TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL CHECK (json_valid(value)),
    updated_at  TEXT NOT NULL,
    updated_by  TEXT
);

-- Planning Center integration (seed 000).
CREATE TABLE planning_center_sync_log (
    id                  TEXT PRIMARY KEY NOT NULL,
    sync_type           TEXT NOT NULL,
    sync_direction      TEXT NOT NULL CHECK (sync_direction IN ('from_pc', 'to_pc')),
    records_processed   INTEGER NOT NULL DEFAULT 0,
    records_successful  INTEGER NOT NULL DEFAULT 0,
    records_failed      INTEGER NOT NULL DEFAULT 0,
    error_details       TEXT CHECK (error_details IS NULL OR json_valid(error_details)),
    started_at          TEXT NOT NULL,
    completed_at        TEXT,
    created_by          TEXT
);
CREATE INDEX idx_sync_log_started ON planning_center_sync_log(started_at);

CREATE TABLE planning_center_webhook_events (
    id                  TEXT PRIMARY KEY NOT NULL,
    event_type          TEXT NOT NULL,
    planning_center_id  TEXT,
    payload             TEXT NOT NULL CHECK (json_valid(payload)),
    processed           BOOLEAN NOT NULL DEFAULT 0,
    processed_at        TEXT,
    error_message       TEXT,
    created_at          TEXT NOT NULL
);
CREATE INDEX idx_webhook_events_unprocessed ON planning_center_webhook_events(processed, created_at);

CREATE TABLE planning_center_events_cache (
    id                          TEXT PRIMARY KEY NOT NULL,
    planning_center_event_id    TEXT NOT NULL UNIQUE,
    event_name                  TEXT NOT NULL,
    event_description           TEXT,
    start_date                  TEXT,
    end_date                    TEXT,
    max_capacity                INTEGER,
    current_registrations_count INTEGER NOT NULL DEFAULT 0,
    registration_deadline       TEXT,
    event_status                TEXT,
    course_id                   TEXT REFERENCES course(id),
    last_synced_at              TEXT,
    created_at                  TEXT NOT NULL,
    updated_at                  TEXT NOT NULL
);

CREATE TABLE planning_center_registrations_cache (
    id                              TEXT PRIMARY KEY NOT NULL,
    planning_center_registration_id TEXT NOT NULL UNIQUE,
    planning_center_event_id        TEXT NOT NULL,
    planning_center_person_id       TEXT,
    registration_status             TEXT NOT NULL CHECK (registration_status IN ('registered', 'cancelled', 'waitlisted')),
    registration_date               TEXT,
    registration_notes              TEXT,
    custom_field_responses          TEXT CHECK (custom_field_responses IS NULL OR json_valid(custom_field_responses)),
    last_synced_at                  TEXT,
    created_at                      TEXT NOT NULL,
    updated_at                      TEXT NOT NULL
);
CREATE INDEX idx_registrations_cache_event ON planning_center_registrations_cache(planning_center_event_id);
CREATE INDEX idx_registrations_cache_person ON planning_center_registrations_cache(planning_center_person_id);

-- Changes bound for Planning Center, written in the same transaction as the change itself.
CREATE TABLE pco_outbox (
    id              TEXT PRIMARY KEY NOT NULL,
    table_name      TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    payload         TEXT NOT NULL CHECK (json_valid(payload)),
    status          TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_flight', 'sent', 'refused', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    remote_id       TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX idx_pco_outbox_pending ON pco_outbox(status, created_at);
CREATE INDEX idx_pco_outbox_record ON pco_outbox(table_name, record_id);

-- Where each incremental pull from Planning Center stands.
CREATE TABLE pco_sync_cursor (
    resource                TEXT PRIMARY KEY NOT NULL,
    updated_since           TEXT,
    next_url                TEXT,
    full_pull_completed_at  TEXT,
    last_reconciled_at      TEXT,
    updated_at              TEXT NOT NULL
);

CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY NOT NULL,
    table_name  TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    old_values  TEXT CHECK (old_values IS NULL OR json_valid(old_values)),
    new_values  TEXT CHECK (new_values IS NULL OR json_valid(new_values)),
    reason      TEXT,
    changed_by  TEXT,
    changed_at  TEXT NOT NULL,
    ip_address  TEXT,
    user_agent  TEXT
);
CREATE INDEX idx_audit_log_record ON audit_log(table_name, record_id, changed_at);
CREATE INDEX idx_audit_log_changed_by ON audit_log(changed_by, changed_at);
CREATE INDEX idx_audit_log_changed_at ON audit_log(changed_at);

-- Full-text search over people: names, nickname, email, phone (and the phone's digits, so
-- "5309" finds "(555) 867-5309"). External-content FTS5 kept current by triggers.
CREATE VIRTUAL TABLE people_fts USING fts5(
    first_name, last_name, nickname, email, phone, phone_digits,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- phone_digits holds two tokens: all the digits (prefix search) and the last four (kiosk search).
CREATE TRIGGER people_fts_insert AFTER INSERT ON people BEGIN
    INSERT INTO people_fts(rowid, first_name, last_name, nickname, email, phone, phone_digits)
    VALUES (new.rowid, new.first_name, new.last_name, new.nickname, new.email, new.phone,
            (SELECT d || ' ' || substr(d, -4) FROM (SELECT replace(replace(replace(replace(replace(replace(coalesce(new.phone, ''), ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', '') AS d)));
END;
CREATE TRIGGER people_fts_update AFTER UPDATE OF first_name, last_name, nickname, email, phone ON people BEGIN
    DELETE FROM people_fts WHERE rowid = old.rowid;
    INSERT INTO people_fts(rowid, first_name, last_name, nickname, email, phone, phone_digits)
    VALUES (new.rowid, new.first_name, new.last_name, new.nickname, new.email, new.phone,
            (SELECT d || ' ' || substr(d, -4) FROM (SELECT replace(replace(replace(replace(replace(replace(coalesce(new.phone, ''), ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', '') AS d)));
END;
CREATE TRIGGER people_fts_delete AFTER DELETE ON people BEGIN
    DELETE FROM people_fts WHERE rowid = old.rowid;
END;
