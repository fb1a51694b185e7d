//! Content completions drive progress: the percentage follows required content, completing all
//! of it completes the enrollment, and a completed course may complete a certification.

use crate::records;
use crate::{certifications, Result, StoreError, WriteTx};
use cct_domain::records::{Content, ContentCompletion, CourseEnrollment, EnrollmentStatus};
use cct_domain::rules::progress::progress;
use cct_domain::{Permission, Timestamp};
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

/// Brings an enrollment's percentage and status in line with its completions.
pub async fn recompute(tx: &mut WriteTx<'_>, course_enrollment_id: Uuid) -> Result<CourseEnrollment> {
    let mut enrollment: CourseEnrollment = records::get_in(tx, course_enrollment_id).await?;
    let required = uuids(
        sqlx::query_scalar("SELECT id FROM content WHERE course_id = ? AND is_active = 1 AND is_required = 1 ORDER BY order_sequence")
            .bind(enrollment.course_id.to_string())
            .fetch_all(tx.conn())
            .await?,
    );
    let completed: HashSet<Uuid> = uuids(
        sqlx::query_scalar("SELECT content_id FROM content_completion WHERE course_enrollment_id = ? AND is_active = 1")
            .bind(course_enrollment_id.to_string())
            .fetch_all(tx.conn())
            .await?,
    )
    .into_iter()
    .collect();
    let was_completed = enrollment.status == EnrollmentStatus::Completed;
    let outcome = progress(&required, &completed, enrollment.status);
    enrollment.progress_percentage = outcome.percentage;
    enrollment.status = outcome.status;
    enrollment.completion_date = match outcome.status {
        EnrollmentStatus::Completed => enrollment.completion_date.or(Some(latest_completion(tx, course_enrollment_id).await?.unwrap_or(tx.now()).date())),
        _ => None,
    };
    let saved = records::update_derived(tx, enrollment).await?;
    if was_completed != (saved.status == EnrollmentStatus::Completed) {
        certifications::refresh_for_person(tx, saved.people_id).await?;
    }
    Ok(saved)
}

async fn latest_completion(tx: &mut WriteTx<'_>, course_enrollment_id: Uuid) -> Result<Option<Timestamp>> {
    let latest: Option<String> = sqlx::query_scalar("SELECT MAX(completed_at) FROM content_completion WHERE course_enrollment_id = ? AND is_active = 1")
        .bind(course_enrollment_id.to_string())
        .fetch_one(tx.conn())
        .await?;
    Ok(latest.and_then(|t| Timestamp::parse(&t).ok()))
}

fn uuids(ids: Vec<String>) -> Vec<Uuid> {
    ids.iter().filter_map(|id| Uuid::parse_str(id).ok()).collect()
}
