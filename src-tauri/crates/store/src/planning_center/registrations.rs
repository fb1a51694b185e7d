//! Registrations attendees of a signup mapped to an offering of a local course become
//! enrollments in that offering here.

use crate::db::{Query, Result, Store, WriteTx};
use crate::records;
use cct_domain::records::{CourseEnrollment, EnrollmentStatus, RegistrationStatus};
use cct_domain::Permission;
use uuid::Uuid;

/// A Registrations attendee of a signup mapped to an offering becomes (or updates) that
/// person's enrollment in it. Planning Center is the record of registration here, so prerequisites
/// and capacity are not re-checked; the enrollment notes where it came from.
pub fn apply_remote_registration(
    tx: &mut WriteTx<'_>,
    signup: SignupMapping,
    people_id: Uuid,
    registration_id: &str,
    status: RegistrationStatus,
) -> Result<()> {
    tx.require(Permission::SyncManage)?;
    tx.disable_outbox();
    let existing = tx.conn().id(
        "SELECT id FROM course_enrollment WHERE planning_center_registration_id = ?1 OR (people_id = ?2 AND offering_id = ?3)
         ORDER BY planning_center_registration_id IS NULL LIMIT 1",
        [registration_id.to_owned(), people_id.to_string(), signup.offering_id.to_string()],
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
                course_id: signup.course_id,
                offering_id: Some(signup.offering_id),
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

/// The offering a Planning Center signup enrolls people in, and its course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignupMapping {
    pub course_id: Uuid,
    pub offering_id: Uuid,
}

/// The offering mapped to a Planning Center signup. A course mapped by a computer on a release
/// before offerings maps its first offering.
pub fn offering_for_signup(store: &Store, signup_id: &str) -> Result<Option<SignupMapping>> {
    store.read(|conn| {
        let found: Option<(String, String)> = conn
            .tuples(
                "SELECT course_id, id FROM course_offering WHERE planning_center_event_id = ?1 AND is_active = 1
                 UNION ALL
                 SELECT id, id FROM course WHERE planning_center_event_id = ?1 AND is_active = 1
                 LIMIT 1",
                [signup_id],
            )?
            .into_iter()
            .next();
        Ok(found.and_then(|(course, offering)| {
            Some(SignupMapping {
                course_id: Uuid::parse_str(&course).ok()?,
                offering_id: Uuid::parse_str(&offering).ok()?,
            })
        }))
    })
}
