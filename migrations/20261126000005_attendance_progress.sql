-- Attendance counts toward course progress: a course may require a number of sessions
-- attended, each a step of progress beside its required content.
ALTER TABLE course ADD COLUMN sessions_required INTEGER CHECK (sessions_required IS NULL OR sessions_required >= 0);

-- Enrollments whose progress must be worked out again. A check-in at a classroom laptop that
-- completes or reopens an enrollment writes here in its own transaction, and the store brings
-- the enrollment and the person's certifications up to date right after; a row left by a
-- crash in between is settled when the store next opens. The rows are this device's
-- bookkeeping and are not shared with the team.
CREATE TABLE progress_pending (
    course_enrollment_id TEXT PRIMARY KEY NOT NULL REFERENCES course_enrollment(id),
    queued_at            TEXT NOT NULL
) WITHOUT ROWID;
