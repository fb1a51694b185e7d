//! Registrations attendees of a signup mapped to a local course become enrollments here.

use crate::db::{Query, Result, Store, WriteTx};
use crate::records;
use cct_domain::records::{CourseEnrollment, EnrollmentStatus, RegistrationStatus};
use cct_domain::Permission;
use uuid::Uuid;

/// A Registrations attendee of a signup mapped to a local course becomes (or updates) that
/// person's enrollment. Planning Center is the record of registration here, so prerequisites
/// and capacity are not re-checked; the enrollment notes where it came from.
pub fn apply_remote_registration(
    tx: &mut WriteTx<'_>,
    course_id: Uuid,
    people_id: Uuid,
    registration_id: &str,
    status: RegistrationStatus,
) -> Result<()> {
    tx.require(Permission::SyncManage)?;
    tx.disable_outbox();
    let existing = tx.conn().id(
        "SELECT id FROM course_enrollment WHERE planning_center_registration_id = ?1 OR (people_id = ?2 AND course_id = ?3)",
        [registration_id.to_owned(), people_id.to_string(), course_id.to_string()],
    )?;
    match existing {
        Some(id) => {
            let mut enrollment: CourseEnrollment = records::get_in(tx, id)?;
            enrollment.planning_center_registration_id = Some(registration_id.to_owned());
            enrollment.registration_status = status;
            enrollment.planning_center_synced = true;
            if status == RegistrationStatus::Cancelled && enrollment.status != EnrollmentStatus::Completed {
                enrollment.status = EnrollmentStatus::Dropped;
            }
            records::update_derived(tx, enrollment)?;
        }
        None => {
            let now = tx.now();
            let enrollment = CourseEnrollment {
                people_id,
                course_id,
                planning_center_registration_id: Some(registration_id.to_owned()),
                enrollment_date: now.date(),
                status: if status == RegistrationStatus::Cancelled {
                    EnrollmentStatus::Dropped
                } else {
                    EnrollmentStatus::Enrolled
                },
                registration_status: status,
                waitlisted_at: (status == RegistrationStatus::Waitlisted).then_some(now),
                planning_center_synced: true,
                registration_notes: Some("Registered in Planning Center".into()),
                ..Default::default()
            };
            records::insert_derived(tx, enrollment)?;
        }
    }
    Ok(())
}

/// The local course mapped to a Planning Center signup.
pub fn course_for_signup(store: &Store, signup_id: &str) -> Result<Option<Uuid>> {
    store.read(|conn| {
        conn.id("SELECT id FROM course WHERE planning_center_event_id = ?1 AND is_active = 1", [signup_id])
    })
}
