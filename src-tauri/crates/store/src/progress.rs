//! Content completions and attendance drive progress: the percentage follows the course's
//! required content and required sessions, doing all of them completes the enrollment, and a
//! completed course may complete a certification.

use crate::direct::DirectTx;
use crate::records;
use crate::{certifications, Result, Store, StoreError, WriteTx};
use cct_domain::records::{Content, ContentCompletion, CourseEnrollment, EnrollmentStatus};
use cct_domain::rules::progress::{progress, Work};
use cct_domain::{Actor, Permission, Record, Timestamp};
use serde::Deserialize;
use std::collections::HashSet;
use uuid::Uuid;
use ts_rs::TS;

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
pub async fn complete_content(tx: &mut WriteTx<'_>, input: CompletionInput) -> Result<CourseEnrollment> {
    tx.require(Permission::EnrollmentsWrite)?;
    let enrollment: CourseEnrollment = records::get_in(tx, input.course_enrollment_id).await?;
    let content: Content = records::get_in(tx, input.content_id)
        .await
        .map_err(|_| StoreError::UnknownReference { field: "content_id", table: "content", id: input.content_id })?;
    if content.course_id != enrollment.course_id {
        return Err(StoreError::Conflict { field: "content_id", message: "this content belongs to another course".into() });
    }
    if !enrollment.meta.is_active || enrollment.status == EnrollmentStatus::Dropped {
        return Err(StoreError::Conflict { field: "course_enrollment_id", message: "this enrollment was dropped".into() });
    }
    let existing: Option<String> = sqlx::query_scalar("SELECT id FROM content_completion WHERE course_enrollment_id = ? AND content_id = ?")
        .bind(enrollment.meta.id.to_string())
        .bind(content.meta.id.to_string())
        .fetch_optional(tx.conn())
        .await?;
    let completed_at = input.completed_at.unwrap_or(tx.now());
    match existing.and_then(|id| Uuid::parse_str(&id).ok()) {
        Some(id) => {
            let mut completion: ContentCompletion = records::get_in(tx, id).await?;
            completion.meta.is_active = true;
            completion.completed_at = completed_at;
            completion.time_spent_minutes = input.time_spent_minutes.or(completion.time_spent_minutes);
            completion.score = input.score.or(completion.score);
            completion.notes = input.notes.or(completion.notes);
            records::update(tx, completion).await?;
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
            records::insert(tx, completion).await?;
        }
    }
    recompute(tx, enrollment.meta.id).await
}

/// Takes a completion back (entered by mistake); progress and status follow.
pub async fn undo_completion(tx: &mut WriteTx<'_>, course_enrollment_id: Uuid, content_id: Uuid) -> Result<CourseEnrollment> {
    tx.require(Permission::EnrollmentsWrite)?;
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM content_completion WHERE course_enrollment_id = ? AND content_id = ? AND is_active = 1")
        .bind(course_enrollment_id.to_string())
        .bind(content_id.to_string())
        .fetch_optional(tx.conn())
        .await?;
    let id = id.and_then(|id| Uuid::parse_str(&id).ok()).ok_or(StoreError::NotFound { table: "content_completion", id: content_id })?;
    records::deactivate::<ContentCompletion>(tx, id).await?;
    recompute(tx, course_enrollment_id).await
}

/// Brings an enrollment's percentage and status in line with its completions and attendance.
pub async fn recompute(tx: &mut WriteTx<'_>, course_enrollment_id: Uuid) -> Result<CourseEnrollment> {
    let mut enrollment: CourseEnrollment = records::get_in(tx, course_enrollment_id).await?;
    let required = uuids(sqlx::query_scalar(REQUIRED_CONTENT).bind(enrollment.course_id.to_string()).fetch_all(tx.conn()).await?);
    let completed = uuids(sqlx::query_scalar(COMPLETED_CONTENT).bind(course_enrollment_id.to_string()).fetch_all(tx.conn()).await?);
    let attendance: (Option<i64>, i64) =
        sqlx::query_as(ATTENDANCE_TOWARD_COURSE).bind(enrollment.course_id.to_string()).bind(enrollment.people_id.to_string()).fetch_one(tx.conn()).await?;
    let was_completed = enrollment.status == EnrollmentStatus::Completed;
    let outcome = work_out(&enrollment, &required, completed, attendance);
    enrollment.progress_percentage = outcome.percentage;
    enrollment.status = outcome.status;
    enrollment.completion_date = match outcome.status {
        EnrollmentStatus::Completed => enrollment.completion_date.or(Some(latest_step(tx, &enrollment).await?.unwrap_or(tx.now()).date())),
        _ => None,
    };
    let saved = records::update_derived(tx, enrollment).await?;
    if was_completed != (saved.status == EnrollmentStatus::Completed) {
        certifications::refresh_for_person(tx, saved.people_id).await?;
    }
    Ok(saved)
}

/// Works out an enrollment's progress inside a station's check-in, on its connection, without
/// the hand-offs of the store's writer. An enrollment this would complete or reopen is left as
/// it is and `false` returned: that also re-evaluates the person's certifications, which the
/// caller queues for [`settle_pending`].
pub(crate) fn recompute_direct(tx: &mut DirectTx<'_>, course_enrollment_id: Uuid) -> Result<bool> {
    let (mut enrollment, stored): (CourseEnrollment, _) = tx.get_with_row(course_enrollment_id)?;
    let conn = tx.conn();
    let ids = |sql: &str, id: Uuid| -> Result<Vec<Uuid>> {
        let texts = conn.prepare_cached(sql)?.query_map([id.to_string()], |row| row.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(uuids(texts))
    };
    let required = ids(REQUIRED_CONTENT, enrollment.course_id)?;
    let completed = ids(COMPLETED_CONTENT, course_enrollment_id)?;
    let attendance = conn
        .prepare_cached(ATTENDANCE_TOWARD_COURSE)?
        .query_row([enrollment.course_id.to_string(), enrollment.people_id.to_string()], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let outcome = work_out(&enrollment, &required, completed, attendance);
    if (enrollment.status == EnrollmentStatus::Completed) != (outcome.status == EnrollmentStatus::Completed) {
        return Ok(false);
    }
    enrollment.progress_percentage = outcome.percentage;
    enrollment.status = outcome.status;
    tx.update_over(stored, enrollment)?;
    Ok(true)
}

/// The rule, given what the statements below read.
fn work_out(enrollment: &CourseEnrollment, required: &[Uuid], completed: Vec<Uuid>, (sessions_required, sessions_attended): (Option<i64>, i64)) -> cct_domain::rules::progress::Progress {
    let completed: HashSet<Uuid> = completed.into_iter().collect();
    progress(Work { required_content: required, completed_content: &completed, sessions_required: sessions_required.unwrap_or(0), sessions_attended }, enrollment.status)
}

/// A course's required content. Parameter: the course.
const REQUIRED_CONTENT: &str = "SELECT id FROM content WHERE course_id = ?1 AND is_active = 1 AND is_required = 1 ORDER BY order_sequence";

/// The content an enrollment completed. Parameter: the enrollment.
const COMPLETED_CONTENT: &str = "SELECT content_id FROM content_completion WHERE course_enrollment_id = ?1 AND is_active = 1";

/// The sessions a course requires (NULL when none) and those of its sessions a person was
/// present or late at. Parameters: the course, the person.
const ATTENDANCE_TOWARD_COURSE: &str = "SELECT
        (SELECT sessions_required FROM course WHERE id = ?1),
        (SELECT COUNT(*) FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
         WHERE a.people_id = ?2 AND s.course_id = ?1 AND a.is_active = 1 AND s.is_active = 1 AND a.status IN ('present', 'late'))";

/// Brings every live enrollment of a course up to date, after what the course asks for changed
/// (its sessions required, its required content, a session cancelled).
pub async fn recompute_course(tx: &mut WriteTx<'_>, course_id: Uuid) -> Result<usize> {
    let ids = uuids(
        sqlx::query_scalar("SELECT id FROM course_enrollment WHERE course_id = ? AND is_active = 1 AND status <> 'dropped'")
            .bind(course_id.to_string())
            .fetch_all(tx.conn())
            .await?,
    );
    for &id in &ids {
        recompute(tx, id).await?;
    }
    Ok(ids.len())
}

/// Follows a write of a record that shapes progress: a course, its content or its sessions.
/// Other records leave progress as it was.
pub async fn follow_course_change<T: Record>(tx: &mut WriteTx<'_>, record: &T) -> Result<()> {
    let course_id = match T::TABLE {
        "course" => Some(record.id()),
        "content" | "class_session" => {
            let row = crate::row::to_row(T::TABLE, record)?;
            row.get("course_id").and_then(|id| id.as_str()).and_then(|id| Uuid::parse_str(id).ok())
        }
        _ => None,
    };
    match course_id {
        Some(course_id) => recompute_course(tx, course_id).await.map(drop),
        None => Ok(()),
    }
}

/// Queues an enrollment whose progress a check-in changed in a way the check-in leaves to the
/// store's writer (see [`recompute_direct`] and [`settle_pending`]). Parameters: the
/// enrollment, when.
pub(crate) const QUEUE_PENDING: &str = "INSERT OR IGNORE INTO progress_pending (course_enrollment_id, queued_at) VALUES (?1, ?2)";

/// Enrollments settled per transaction, so a station's next check-in never waits long.
const SETTLE_BATCH: i64 = 50;

/// Brings every queued enrollment up to date, a batch per transaction, and empties the queue.
/// Check-in calls this right after its own transaction; the store calls it when it opens, for
/// anything a crash left queued. Returns how many enrollments were settled.
pub async fn settle_pending(store: &Store, actor: &Actor) -> Result<usize> {
    // Nearly always empty: a look from a reader keeps the writer free.
    let queued: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM progress_pending)").fetch_one(&mut *store.reader().await?).await?;
    if !queued {
        return Ok(0);
    }
    let mut settled = 0;
    loop {
        let mut tx = store.begin_write(actor).await?;
        let ids: Vec<String> = sqlx::query_scalar("SELECT course_enrollment_id FROM progress_pending ORDER BY queued_at LIMIT ?")
            .bind(SETTLE_BATCH)
            .fetch_all(tx.conn())
            .await?;
        if ids.is_empty() {
            return Ok(settled);
        }
        for id in &ids {
            // An enrollment that is no longer there has nothing to settle.
            if let Ok(id) = Uuid::parse_str(id) {
                match recompute(&mut tx, id).await {
                    Ok(_) | Err(StoreError::NotFound { .. }) => {}
                    Err(other) => return Err(other),
                }
            }
            sqlx::query("DELETE FROM progress_pending WHERE course_enrollment_id = ?").bind(id).execute(tx.conn()).await?;
        }
        tx.commit().await?;
        settled += ids.len();
    }
}

/// When the enrollment's last step was done: its latest completion or attended session.
async fn latest_step(tx: &mut WriteTx<'_>, enrollment: &CourseEnrollment) -> Result<Option<Timestamp>> {
    let latest: Option<String> = sqlx::query_scalar(
        "SELECT MAX(at) FROM (
             SELECT completed_at AS at FROM content_completion WHERE course_enrollment_id = ?1 AND is_active = 1
             UNION ALL
             SELECT COALESCE(a.check_in_at, s.starts_at) FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
             WHERE a.people_id = ?2 AND s.course_id = ?3 AND a.is_active = 1 AND s.is_active = 1 AND a.status IN ('present', 'late'))",
    )
    .bind(enrollment.meta.id.to_string())
    .bind(enrollment.people_id.to_string())
    .bind(enrollment.course_id.to_string())
    .fetch_one(tx.conn())
    .await?;
    Ok(latest.and_then(|t| Timestamp::parse(&t).ok()))
}

fn uuids(ids: Vec<String>) -> Vec<Uuid> {
    ids.iter().filter_map(|id| Uuid::parse_str(id).ok()).collect()
}
