//! Enrolling in an offering of a course: prerequisites (with an audited admin override, met by
//! any completed offering of the required course), the offering's capacity (a waitlist, never
//! a silent refusal), retakes in a later offering, and dropping (which moves the waitlist up).

use crate::db::{Query, Result, StoreError, WriteTx};
use crate::office::{offerings, prerequisites};
use crate::records;
use cct_domain::records::{Course, CourseEnrollment, CourseOffering, EnrollmentStatus, RegistrationStatus};
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
    /// The offering to enroll in; when `None`, the course's next offering.
    #[serde(default)]
    pub offering_id: Option<Uuid>,
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
    let offering_id = match request.offering_id {
        Some(id) => id,
        None => offerings::next_offering(tx.conn(), course.meta.id, tx.now().date())?,
    };
    let offering = offerings::offering_of_course(tx, course.meta.id, offering_id)?;
    let existing = find(tx.conn(), request.people_id, offering.meta.id)?;
    let is_new = existing.is_none();
    if let Some(existing) = &existing {
        if existing.meta.is_active && existing.status != EnrollmentStatus::Dropped {
            return Err(StoreError::Conflict {
                field: "offering_id",
                message: "this person is already enrolled in this offering".into(),
            });
        }
    }
    // A retake waits for the earlier enrollment to end: completed, dropped or not passed.
    if let Some(name) = live_enrollment_elsewhere(tx.conn(), request.people_id, course.meta.id, offering.meta.id)? {
        return Err(StoreError::Conflict {
            field: "offering_id",
            message: format!(
                "this person is still enrolled in {name} of this course: finish or drop that enrollment first"
            ),
        });
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

    let registered = offerings::registered_count(tx.conn(), offering.meta.id)?;
    let placement = capacity::place_new_enrollment(offering.max_capacity, registered);
    let now = tx.now();
    let mut enrollment = existing.unwrap_or_default();
    enrollment.meta.is_active = true;
    enrollment.people_id = request.people_id;
    enrollment.course_id = request.course_id;
    enrollment.offering_id = Some(offering.meta.id);
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
    offerings::refresh_registration_count(tx, offering.meta.id)?;
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
    promote_waitlist(tx, offering_of(&dropped))?;
    Ok(dropped)
}

/// The offering an enrollment belongs to (its course's first, for one from an earlier release
/// not yet placed).
pub(crate) fn offering_of(enrollment: &CourseEnrollment) -> Uuid {
    enrollment.offering_id.unwrap_or_else(|| offerings::first_offering_id(enrollment.course_id))
}

/// Moves waitlisted people into an offering's free seats, first come first served.
pub fn promote_waitlist(tx: &mut WriteTx<'_>, offering_id: Uuid) -> Result<Vec<CourseEnrollment>> {
    let offering: CourseOffering = records::get_in(tx, offering_id)?;
    let registered = offerings::registered_count(tx.conn(), offering_id)?;
    let waiting = tx.conn().ids(
        "SELECT id FROM course_enrollment WHERE offering_id = ?1 AND is_active = 1 AND registration_status = 'waitlisted'
         AND status NOT IN ('dropped', 'not_passed') ORDER BY waitlisted_at, created_at",
        [offering_id.to_string()],
    )?;
    let seats = capacity::seats_to_fill(offering.max_capacity, registered, waiting.len() as i64);
    let mut promoted = Vec::new();
    for &id in waiting.iter().take(seats as usize) {
        let mut enrollment: CourseEnrollment = records::get_in(tx, id)?;
        enrollment.registration_status = RegistrationStatus::Registered;
        enrollment.waitlisted_at = None;
        promoted.push(records::update(tx, enrollment)?);
    }
    offerings::refresh_registration_count(tx, offering_id)?;
    Ok(promoted)
}

/// The name of another offering of the course in which the person's enrollment is still
/// going on, if there is one.
fn live_enrollment_elsewhere(
    conn: &Connection,
    people_id: Uuid,
    course_id: Uuid,
    offering_id: Uuid,
) -> Result<Option<String>> {
    conn.optional(
        "SELECT o.name FROM course_enrollment e JOIN course_offering o ON o.id = e.offering_id
         WHERE e.people_id = ?1 AND e.course_id = ?2 AND e.offering_id <> ?3 AND e.is_active = 1
           AND e.status IN ('enrolled', 'in_progress') AND e.registration_status <> 'cancelled'
         LIMIT 1",
        [people_id.to_string(), course_id.to_string(), offering_id.to_string()],
    )
}

fn find(conn: &Connection, people_id: Uuid, offering_id: Uuid) -> Result<Option<CourseEnrollment>> {
    conn.record(
        "course_enrollment",
        "SELECT * FROM course_enrollment WHERE people_id = ?1 AND offering_id = ?2",
        [people_id.to_string(), offering_id.to_string()],
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
