//! Enrolling: prerequisites (with an audited admin override), capacity (a waitlist, never a
//! silent refusal), and dropping (which moves the waitlist up).

use crate::db::{Query, Result, StoreError, WriteTx};
use crate::office::prerequisites;
use crate::records;
use cct_domain::records::{Course, CourseEnrollment, EnrollmentStatus, RegistrationStatus};
use cct_domain::rules::{capacity, prerequisites::missing};
use cct_domain::{DomainError, Permission, ValidationError};
use rusqlite::Connection;
use serde::Deserialize;
use std::collections::HashSet;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct EnrollRequest {
    pub people_id: Uuid,
    pub course_id: Uuid,
    pub notes: Option<String>,
    /// Set to enroll someone who lacks prerequisites; needs the override permission.
    pub override_reason: Option<String>,
}

pub fn enroll(tx: &mut WriteTx<'_>, request: EnrollRequest) -> Result<CourseEnrollment> {
    tx.require(Permission::EnrollmentsWrite)?;
    let course: Course = records::get_in(tx, request.course_id).map_err(|e| match e {
        StoreError::NotFound { .. } => {
            StoreError::UnknownReference { field: "course_id", table: "course", id: request.course_id }
        }
        other => other,
    })?;
    if !course.meta.is_active {
        return Err(StoreError::InactiveReference { field: "course_id", table: "course", id: course.meta.id });
    }
    let existing = find(tx.conn(), request.people_id, request.course_id)?;
    let is_new = existing.is_none();
    if let Some(existing) = &existing {
        if existing.meta.is_active && existing.status != EnrollmentStatus::Dropped {
            return Err(StoreError::Conflict {
                field: "people_id",
                message: "this person is already enrolled in this course".into(),
            });
        }
    }

    let required = prerequisites::required_by(tx.conn(), course.meta.id)?;
    let completed = completed_courses(tx.conn(), request.people_id)?;
    let lacking = missing(&required, &completed);
    let override_reason =
        request.override_reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    if request.override_reason.is_some() && override_reason.is_none() {
        return Err(ValidationError::new("override_reason", "an override needs a reason").into());
    }
    let overriding = !lacking.is_empty();
    if overriding {
        match &override_reason {
            None => {
                let names = prerequisites::course_names(tx.conn(), &lacking)?;
                return Err(DomainError::PrerequisitesNotMet { missing: lacking, names }.into());
            }
            Some(_) => tx.require(Permission::OverridePrerequisites)?,
        }
    }

    let registered = registered_count(tx.conn(), course.meta.id)?;
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
            return Err(ValidationError::new(
                "dependency_override_by",
                "an override must be made by a signed-in person",
            )
            .into());
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
    let saved = if is_new { records::insert(tx, enrollment)? } else { records::update(tx, enrollment)? };
    tx.set_reason(None);
    refresh_registration_count(tx, course.meta.id)?;
    Ok(saved)
}

/// Drops an enrollment. If it held a seat, the longest-waiting people move up.
pub fn drop_enrollment(tx: &mut WriteTx<'_>, enrollment_id: Uuid) -> Result<CourseEnrollment> {
    let mut enrollment: CourseEnrollment = records::get_in(tx, enrollment_id)?;
    if enrollment.status == EnrollmentStatus::Dropped {
        return Ok(enrollment);
    }
    enrollment.status = EnrollmentStatus::Dropped;
    enrollment.registration_status = RegistrationStatus::Cancelled;
    let dropped = records::update(tx, enrollment)?;
    promote_waitlist(tx, dropped.course_id)?;
    Ok(dropped)
}

/// Moves waitlisted people into free seats, first come first served.
pub fn promote_waitlist(tx: &mut WriteTx<'_>, course_id: Uuid) -> Result<Vec<CourseEnrollment>> {
    let course: Course = records::get_in(tx, course_id)?;
    let registered = registered_count(tx.conn(), course_id)?;
    let waiting = tx.conn().ids(
        "SELECT id FROM course_enrollment WHERE course_id = ?1 AND is_active = 1 AND registration_status = 'waitlisted'
         AND status <> 'dropped' ORDER BY waitlisted_at, created_at",
        [course_id.to_string()],
    )?;
    let seats = capacity::seats_to_fill(course.max_capacity, registered, waiting.len() as i64);
    let mut promoted = Vec::new();
    for &id in waiting.iter().take(seats as usize) {
        let mut enrollment: CourseEnrollment = records::get_in(tx, id)?;
        enrollment.registration_status = RegistrationStatus::Registered;
        enrollment.waitlisted_at = None;
        promoted.push(records::update(tx, enrollment)?);
    }
    refresh_registration_count(tx, course_id)?;
    Ok(promoted)
}

fn refresh_registration_count(tx: &mut WriteTx<'_>, course_id: Uuid) -> Result<()> {
    let registered = registered_count(tx.conn(), course_id)?;
    let mut course: Course = records::get_in(tx, course_id)?;
    if course.current_registrations != registered {
        course.current_registrations = registered;
        // A cached count follows from the enrollment the caller was allowed to write; it is
        // not a course edit, so it needs no course permission (it is still audited).
        records::update_derived(tx, course)?;
    }
    Ok(())
}

fn find(conn: &Connection, people_id: Uuid, course_id: Uuid) -> Result<Option<CourseEnrollment>> {
    conn.record(
        "course_enrollment",
        "SELECT * FROM course_enrollment WHERE people_id = ?1 AND course_id = ?2",
        [people_id.to_string(), course_id.to_string()],
    )
}

fn registered_count(conn: &Connection, course_id: Uuid) -> Result<i64> {
    conn.scalar(
        "SELECT COUNT(*) FROM course_enrollment WHERE course_id = ?1 AND is_active = 1
         AND registration_status = 'registered' AND status <> 'dropped'",
        [course_id.to_string()],
    )
}

pub(crate) fn completed_courses(conn: &Connection, people_id: Uuid) -> Result<HashSet<Uuid>> {
    Ok(conn
        .ids(
            "SELECT course_id FROM course_enrollment WHERE people_id = ?1 AND is_active = 1 AND status = 'completed'",
            [people_id.to_string()],
        )?
        .into_iter()
        .collect())
}
