//! Enrolling: prerequisites (with an audited admin override), capacity (a waitlist, never a
//! silent refusal), and dropping (which moves the waitlist up).

use crate::records;
use crate::{prerequisites, Result, StoreError, WriteTx};
use cct_domain::records::{Course, CourseEnrollment, EnrollmentStatus, RegistrationStatus};
use cct_domain::rules::{capacity, prerequisites::missing};
use cct_domain::{DomainError, Permission, ValidationError};
use serde::Deserialize;
use sqlx::SqliteConnection;
use std::collections::HashSet;
use uuid::Uuid;
use ts_rs::TS;

#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct EnrollRequest {
    pub people_id: Uuid,
    pub course_id: Uuid,
    pub notes: Option<String>,
    /// Set to enroll someone who lacks prerequisites; needs the override permission.
    pub override_reason: Option<String>,
}

pub async fn enroll(tx: &mut WriteTx<'_>, request: EnrollRequest) -> Result<CourseEnrollment> {
    tx.require(Permission::EnrollmentsWrite)?;
    let course: Course = records::get_in(tx, request.course_id).await.map_err(|e| match e {
        StoreError::NotFound { .. } => StoreError::UnknownReference { field: "course_id", table: "course", id: request.course_id },
        other => other,
    })?;
    if !course.meta.is_active {
        return Err(StoreError::InactiveReference { field: "course_id", table: "course", id: course.meta.id });
    }
    let existing = find(tx.conn(), request.people_id, request.course_id).await?;
    let is_new = existing.is_none();
    if let Some(existing) = &existing {
        if existing.meta.is_active && existing.status != EnrollmentStatus::Dropped {
            return Err(StoreError::Conflict { field: "people_id", message: "this person is already enrolled in this course".into() });
        }
    }

    let required = prerequisites::required_by(tx.conn(), course.meta.id).await?;
    let completed = completed_courses(tx.conn(), request.people_id).await?;
    let lacking = missing(&required, &completed);
    let override_reason = request.override_reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    if request.override_reason.is_some() && override_reason.is_none() {
        return Err(ValidationError::new("override_reason", "an override needs a reason").into());
    }
    let overriding = !lacking.is_empty();
    if overriding {
        match &override_reason {
            None => {
                let names = prerequisites::course_names(tx.conn(), &lacking).await?;
                return Err(DomainError::PrerequisitesNotMet { missing: lacking, names }.into());
            }
            Some(_) => tx.require(Permission::OverridePrerequisites)?,
        }
    }

    let registered = registered_count(tx.conn(), course.meta.id).await?;
    let placement = capacity::place_new_enrollment(course.max_capacity, registered);
    let now = tx.now();
    let mut enrollment = existing.unwrap_or_default();
    enrollment.meta.is_active = true;
    enrollment.people_id = request.people_id;
    enrollment.course_id = request.course_id;
    enrollment.enrollment_date = now.date();
    enrollment.status = EnrollmentStatus::Enrolled;
    enrollment.progress_percentage = 0.0;
    enrollment.completion_date = None;
    enrollment.notes = request.notes;
    enrollment.registration_status = placement;
    enrollment.waitlisted_at = (placement == RegistrationStatus::Waitlisted).then_some(now);
    if overriding {
        // The system actor has no person to name, and an override must name who made it.
        let Some(by) = tx.actor().person_id else {
            return Err(ValidationError::new("dependency_override_by", "an override must be made by a signed-in person").into());
        };
        enrollment.dependency_override = true;
        enrollment.dependency_override_by = Some(by);
        enrollment.dependency_override_reason = override_reason.clone();
        enrollment.dependency_override_at = Some(now);
        tx.set_reason(override_reason);
    } else {
        enrollment.dependency_override = false;
        enrollment.dependency_override_by = None;
        enrollment.dependency_override_reason = None;
        enrollment.dependency_override_at = None;
    }
    let saved = if is_new { records::insert(tx, enrollment).await? } else { records::update(tx, enrollment).await? };
    tx.set_reason(None);
    refresh_registration_count(tx, course.meta.id).await?;
    Ok(saved)
}

/// Drops an enrollment. If it held a seat, the longest-waiting people move up.
pub async fn drop_enrollment(tx: &mut WriteTx<'_>, enrollment_id: Uuid) -> Result<CourseEnrollment> {
    let mut enrollment: CourseEnrollment = records::get_in(tx, enrollment_id).await?;
    if enrollment.status == EnrollmentStatus::Dropped {
        return Ok(enrollment);
    }
    enrollment.status = EnrollmentStatus::Dropped;
    enrollment.registration_status = RegistrationStatus::Cancelled;
    let dropped = records::update(tx, enrollment).await?;
    promote_waitlist(tx, dropped.course_id).await?;
    Ok(dropped)
}

/// Moves waitlisted people into free seats, first come first served.
pub async fn promote_waitlist(tx: &mut WriteTx<'_>, course_id: Uuid) -> Result<Vec<CourseEnrollment>> {
    let course: Course = records::get_in(tx, course_id).await?;
    let registered = registered_count(tx.conn(), course_id).await?;
    let waiting: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM course_enrollment WHERE course_id = ? AND is_active = 1 AND registration_status = 'waitlisted'
         AND status <> 'dropped' ORDER BY waitlisted_at, created_at",
    )
    .bind(course_id.to_string())
    .fetch_all(tx.conn())
    .await?;
    let seats = capacity::seats_to_fill(course.max_capacity, registered, waiting.len() as i64);
    let mut promoted = Vec::new();
    for id in waiting.iter().take(seats as usize).filter_map(|id| Uuid::parse_str(id).ok()) {
        let mut enrollment: CourseEnrollment = records::get_in(tx, id).await?;
        enrollment.registration_status = RegistrationStatus::Registered;
        enrollment.waitlisted_at = None;
        promoted.push(records::update(tx, enrollment).await?);
    }
    refresh_registration_count(tx, course_id).await?;
    Ok(promoted)
}

async fn refresh_registration_count(tx: &mut WriteTx<'_>, course_id: Uuid) -> Result<()> {
    let registered = registered_count(tx.conn(), course_id).await?;
    let mut course: Course = records::get_in(tx, course_id).await?;
    if course.current_registrations != registered {
        course.current_registrations = registered;
        // A cached count follows from the enrollment the caller was allowed to write; it is
        // not a course edit, so it needs no course permission (it is still audited).
        records::update_derived(tx, course).await?;
    }
    Ok(())
}

async fn find(conn: &mut SqliteConnection, people_id: Uuid, course_id: Uuid) -> Result<Option<CourseEnrollment>> {
    let row = sqlx::query("SELECT * FROM course_enrollment WHERE people_id = ? AND course_id = ?")
        .bind(people_id.to_string())
        .bind(course_id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|r| crate::row::read_row(&r).and_then(|row| crate::row::from_row("course_enrollment", row))).transpose()
}

async fn registered_count(conn: &mut SqliteConnection, course_id: Uuid) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM course_enrollment WHERE course_id = ? AND is_active = 1
         AND registration_status = 'registered' AND status <> 'dropped'",
    )
    .bind(course_id.to_string())
    .fetch_one(conn)
    .await?)
}

pub(crate) async fn completed_courses(conn: &mut SqliteConnection, people_id: Uuid) -> Result<HashSet<Uuid>> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT course_id FROM course_enrollment WHERE people_id = ? AND is_active = 1 AND status = 'completed'")
        .bind(people_id.to_string())
        .fetch_all(conn)
        .await?;
    Ok(ids.iter().filter_map(|id| Uuid::parse_str(id).ok()).collect())
}
