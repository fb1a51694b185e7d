//! Content completions, assessments passed and attendance drive progress: the percentage
//! follows the course's required content, required assessments and required sessions, doing all of them completes the enrollment, and a
//! completed course may complete a certification, all in the transaction of the step itself.

use crate::db::{Query, Result, StoreError, WriteTx};
use crate::office::certifications;
use crate::records;
use cct_domain::records::{Content, ContentCompletion, CourseEnrollment, EnrollmentStatus, Grading};
use cct_domain::rules::progress::{graded, progress, Work};
use cct_domain::{Permission, Record, Timestamp};
use rusqlite::Connection;
use serde::Deserialize;
use std::collections::HashSet;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct CompletionInput {
    pub course_enrollment_id: Uuid,
    pub content_id: Uuid,
    pub completed_at: Option<Timestamp>,
    pub time_spent_minutes: Option<i64>,
    pub score: Option<f64>,
    pub notes: Option<String>,
}

/// Records that a person finished a piece of content, then brings the enrollment (and any
/// certification it completes) up to date, all in the caller's transaction.
pub fn complete_content(tx: &mut WriteTx<'_>, input: CompletionInput) -> Result<CourseEnrollment> {
    tx.require(Permission::EnrollmentsWrite)?;
    let enrollment: CourseEnrollment = records::get_in(tx, input.course_enrollment_id)?;
    let content: Content = records::get_in(tx, input.content_id).map_err(|_| StoreError::UnknownReference {
        field: "content_id",
        table: "content",
        id: input.content_id,
    })?;
    if content.course_id != enrollment.course_id {
        return Err(StoreError::Conflict {
            field: "content_id",
            message: "this content belongs to another course".into(),
        });
    }
    if !enrollment.meta.is_active || enrollment.status == EnrollmentStatus::Dropped {
        return Err(StoreError::Conflict {
            field: "course_enrollment_id",
            message: "this enrollment was dropped".into(),
        });
    }
    if enrollment.status == EnrollmentStatus::NotPassed {
        return Err(StoreError::Conflict {
            field: "course_enrollment_id",
            message: "this enrollment ended without passing: enroll the person in a later offering to retake it".into(),
        });
    }
    let existing = tx.conn().id(
        "SELECT id FROM content_completion WHERE course_enrollment_id = ?1 AND content_id = ?2",
        [enrollment.meta.id.to_string(), content.meta.id.to_string()],
    )?;
    let completed_at = input.completed_at.unwrap_or(tx.now());
    match existing {
        Some(id) => {
            let mut completion: ContentCompletion = records::get_in(tx, id)?;
            completion.meta.is_active = true;
            completion.completed_at = completed_at;
            completion.time_spent_minutes = input.time_spent_minutes.or(completion.time_spent_minutes);
            completion.score = input.score.or(completion.score);
            completion.notes = input.notes.or(completion.notes);
            records::update(tx, completion)?;
        }
        None => {
            let completion = ContentCompletion {
                course_enrollment_id: enrollment.meta.id,
                content_id: content.meta.id,
                completed_at,
                time_spent_minutes: input.time_spent_minutes,
                score: input.score,
                notes: input.notes,
                ..Default::default()
            };
            records::insert(tx, completion)?;
        }
    }
    recompute(tx, enrollment.meta.id)
}

/// Takes a completion back (entered by mistake); progress and status follow.
pub fn undo_completion(tx: &mut WriteTx<'_>, course_enrollment_id: Uuid, content_id: Uuid) -> Result<CourseEnrollment> {
    tx.require(Permission::EnrollmentsWrite)?;
    let id = tx
        .conn()
        .id(
            "SELECT id FROM content_completion WHERE course_enrollment_id = ?1 AND content_id = ?2 AND is_active = 1",
            [course_enrollment_id.to_string(), content_id.to_string()],
        )?
        .ok_or(StoreError::NotFound { table: "content_completion", id: content_id })?;
    records::deactivate::<ContentCompletion>(tx, id)?;
    recompute(tx, course_enrollment_id)
}

/// Brings an enrollment's percentage and status in line with its completions and attendance.
/// Completing (or reopening) it re-evaluates the person's certifications in the same
/// transaction: a station's check-in that completes a course also certifies.
pub fn recompute(tx: &mut WriteTx<'_>, course_enrollment_id: Uuid) -> Result<CourseEnrollment> {
    let (mut enrollment, stored): (CourseEnrollment, _) = records::get_with_row(tx, course_enrollment_id)?;
    let conn = tx.conn();
    // A required assessment passed is a step, as a required lesson done is.
    let mut required = conn.ids(REQUIRED_CONTENT, [enrollment.course_id.to_string()])?;
    required.extend(conn.ids(REQUIRED_ASSESSMENTS, [enrollment.course_id.to_string()])?);
    let mut completed: HashSet<Uuid> =
        conn.ids(COMPLETED_CONTENT, [course_enrollment_id.to_string()])?.into_iter().collect();
    completed.extend(conn.ids(PASSED_ASSESSMENTS, [course_enrollment_id.to_string()])?);
    let (sessions_required, sessions_attended): (Option<i64>, i64) = conn
        .tuple(
            ATTENDANCE_TOWARD_COURSE,
            [
                enrollment.course_id.to_string(),
                enrollment.people_id.to_string(),
                crate::office::enrollment::offering_of(&enrollment).to_string(),
            ],
        )?
        .unwrap_or((None, 0));
    let final_exam = crate::office::assessments::final_standing(conn, &enrollment)?;
    let was_completed = enrollment.status == EnrollmentStatus::Completed;
    let outcome = graded(
        final_exam.grading,
        progress(
            Work {
                required_content: &required,
                completed_content: &completed,
                sessions_required: sessions_required.unwrap_or(0),
                sessions_attended,
            },
            enrollment.status,
        ),
        final_exam.failed_with_no_attempts_left,
    );
    if final_exam.grading == Grading::Percentage {
        enrollment.grade = final_exam.best_score;
    }
    enrollment.progress_percentage = outcome.percentage;
    enrollment.status = outcome.status;
    enrollment.completion_date = match outcome.status {
        EnrollmentStatus::Completed => match enrollment.completion_date {
            Some(date) => Some(date),
            None => Some(latest_step(conn, &enrollment)?.unwrap_or(tx.now()).date()),
        },
        _ => None,
    };
    let saved = records::update_over(tx, stored, enrollment)?;
    if was_completed != (saved.status == EnrollmentStatus::Completed) {
        certifications::refresh_for_person(tx, saved.people_id)?;
    }
    Ok(saved)
}

/// A course's required content. Parameter: the course.
const REQUIRED_CONTENT: &str =
    "SELECT id FROM content WHERE course_id = ?1 AND is_active = 1 AND is_required = 1 ORDER BY order_sequence";

/// A course's required assessments. Parameter: the course.
const REQUIRED_ASSESSMENTS: &str =
    "SELECT id FROM assessment WHERE course_id = ?1 AND is_active = 1 AND is_required = 1 ORDER BY created_at";

/// The assessments an enrollment passed. Parameter: the enrollment.
const PASSED_ASSESSMENTS: &str = "SELECT DISTINCT assessment_id FROM assessment_attempt
     WHERE course_enrollment_id = ?1 AND is_active = 1 AND is_passed = 1";

/// The content an enrollment completed. Parameter: the enrollment.
const COMPLETED_CONTENT: &str =
    "SELECT content_id FROM content_completion WHERE course_enrollment_id = ?1 AND is_active = 1";

/// The sessions a course requires (NULL when none) and those of the enrollment's offering a
/// person was present or late at (a retake counts its own offering's sessions). Parameters:
/// the course, the person, the offering.
const ATTENDANCE_TOWARD_COURSE: &str = "SELECT
        (SELECT sessions_required FROM course WHERE id = ?1),
        (SELECT COUNT(*) FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
         WHERE a.people_id = ?2 AND s.offering_id = ?3 AND a.is_active = 1 AND s.is_active = 1 AND a.status IN ('present', 'late'))";

/// Brings every live enrollment of a course up to date, after what the course asks for changed
/// (its sessions required, its required content, a session cancelled).
pub fn recompute_course(tx: &mut WriteTx<'_>, course_id: Uuid) -> Result<usize> {
    let ids = tx.conn().ids(
        "SELECT id FROM course_enrollment WHERE course_id = ?1 AND is_active = 1 AND status NOT IN ('dropped', 'not_passed')",
        [course_id.to_string()],
    )?;
    for &id in &ids {
        recompute(tx, id)?;
    }
    Ok(ids.len())
}

/// Follows a write of a record that shapes progress: a course, its content, its assessments or
/// its sessions.
/// Other records leave progress as it was.
pub(crate) fn follow_course_change<T: Record>(tx: &mut WriteTx<'_>, record: &T) -> Result<()> {
    let course_id = match T::TABLE {
        "course" => Some(record.id()),
        "content" | "class_session" | "assessment" => {
            let row = crate::db::rows::to_row(T::TABLE, record)?;
            row.get("course_id").and_then(|id| id.as_str()).and_then(|id| Uuid::parse_str(id).ok())
        }
        _ => None,
    };
    match course_id {
        Some(course_id) => recompute_course(tx, course_id).map(drop),
        None => Ok(()),
    }
}

/// When the enrollment's last step was done: its latest completion or attended session.
fn latest_step(conn: &Connection, enrollment: &CourseEnrollment) -> Result<Option<Timestamp>> {
    let latest: Option<String> = conn.scalar(
        "SELECT MAX(at) FROM (
             SELECT completed_at AS at FROM content_completion WHERE course_enrollment_id = ?1 AND is_active = 1
             UNION ALL
             SELECT submitted_at FROM assessment_attempt WHERE course_enrollment_id = ?1 AND is_active = 1 AND is_passed = 1
             UNION ALL
             SELECT COALESCE(a.check_in_at, s.starts_at) FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
             WHERE a.people_id = ?2 AND s.offering_id = ?3 AND a.is_active = 1 AND s.is_active = 1 AND a.status IN ('present', 'late'))",
        [
            enrollment.meta.id.to_string(),
            enrollment.people_id.to_string(),
            crate::office::enrollment::offering_of(enrollment).to_string(),
        ],
    )?;
    Ok(latest.and_then(|t| Timestamp::parse(&t).ok()))
}

/// Enrollments a check-in on release 0.1 queued for its store's writer to work out, read
/// before the migration that retires the queue: the store works them out once it is open.
pub(crate) fn queued_before_upgrade(conn: &Connection) -> Result<Vec<Uuid>> {
    let queue_exists: bool = conn
        .scalar("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'progress_pending')", [])?;
    if !queue_exists {
        return Ok(Vec::new());
    }
    conn.ids("SELECT course_enrollment_id FROM progress_pending ORDER BY queued_at", [])
}
