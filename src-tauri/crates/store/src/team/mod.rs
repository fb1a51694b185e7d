//! Team sync on the device's side: the change log every local write adds to, the merge of
//! changes from the church's other devices into this store, and this device's place in the
//! team. The hub itself (PostgreSQL) is the `cct-team` crate's.

pub mod apply;
pub mod audit_trail;
mod bulk;
pub mod changes;
pub mod clock;
pub mod device;
pub mod fold;
pub mod merge;
mod validate;

pub use clock::{DeviceClock, Hlc};
pub use merge::Change;

/// The tables whose rows every device of a church shares. The settings of one computer and
/// its Planning Center sync bookkeeping stay with it; the church's settings are shared
/// (`church_setting`). The audit trail travels on a channel of its own, append-only (see
/// [`audit_trail`]). The outbox is shared so that any signed-in device can send a classroom
/// laptop's changes to Planning Center; the hub's lease decides which one does.
/// Parents come before the rows that refer to them: a batch of changes is written in this order.
pub const REPLICATED_TABLES: [&str; 28] = [
    "household",
    "people",
    "campus",
    "role",
    "course",
    "course_prerequisite",
    "content_type",
    "course_module",
    "content",
    "certification",
    "certification_course",
    "people_campus",
    "people_role",
    "facility",
    "course_offering",
    "course_enrollment",
    "course_role",
    "certification_progress",
    "certification_record",
    "content_completion",
    "assessment",
    "assessment_attempt",
    "class_session",
    "attendance_record",
    "special_requirement",
    "pickup_contact",
    "church_setting",
    "pco_outbox",
];

pub fn is_replicated(table: &str) -> bool {
    REPLICATED_TABLES.contains(&table)
}

/// Tables whose rows are about one person (their `people_id`): they go where the person goes.
pub const PERSONAL_TABLES: [&str; 7] = [
    "people_campus",
    "people_role",
    "special_requirement",
    "certification_progress",
    "certification_record",
    "course_enrollment",
    "attendance_record",
];

/// The campuses a record belongs to, for scoping a classroom laptop to its campus's roster:
/// a person's campuses, for their own rows too; an offering's campus (else its course's), for
/// the offering and its sessions, and for enrollments and attendance of people of no campus. Tables not listed are church-wide.
/// Each query takes the record id as `?1`.
pub(crate) fn campus_lookup(table: &str) -> Option<&'static str> {
    Some(match table {
        "campus" => "SELECT id AS campus_id FROM campus WHERE id = ?1",
        "course" => "SELECT campus_id FROM course WHERE id = ?1 AND campus_id IS NOT NULL",
        "facility" => "SELECT campus_id FROM facility WHERE id = ?1",
        "course_offering" => {
            "SELECT coalesce(o.campus_id, c.campus_id) AS campus_id FROM course_offering o JOIN course c ON c.id = o.course_id
             WHERE o.id = ?1 AND coalesce(o.campus_id, c.campus_id) IS NOT NULL"
        }
        "class_session" => {
            "SELECT coalesce(o.campus_id, c.campus_id) AS campus_id FROM class_session s JOIN course c ON c.id = s.course_id
             LEFT JOIN course_offering o ON o.id = s.offering_id
             WHERE s.id = ?1 AND coalesce(o.campus_id, c.campus_id) IS NOT NULL"
        }
        "people" => "SELECT campus_id FROM people_campus WHERE people_id = ?1 AND is_active = 1",
        "people_campus" => "SELECT campus_id FROM people_campus WHERE id = ?1",
        "people_role" => "SELECT campus_id FROM people_campus WHERE people_id = (SELECT people_id FROM people_role WHERE id = ?1) AND is_active = 1",
        "special_requirement" => "SELECT campus_id FROM people_campus WHERE people_id = (SELECT people_id FROM special_requirement WHERE id = ?1) AND is_active = 1",
        "pickup_contact" => "SELECT campus_id FROM people_campus WHERE people_id = (SELECT child_id FROM pickup_contact WHERE id = ?1) AND is_active = 1",
        "certification_progress" => "SELECT campus_id FROM people_campus WHERE people_id = (SELECT people_id FROM certification_progress WHERE id = ?1) AND is_active = 1",
        "certification_record" => "SELECT campus_id FROM people_campus WHERE people_id = (SELECT people_id FROM certification_record WHERE id = ?1) AND is_active = 1",
        "course_enrollment" => {
            "WITH person AS (SELECT campus_id FROM people_campus WHERE people_id = (SELECT people_id FROM course_enrollment WHERE id = ?1) AND is_active = 1)
             SELECT campus_id FROM person
             UNION ALL
             SELECT coalesce(o.campus_id, c.campus_id) AS campus_id FROM course_enrollment e JOIN course c ON c.id = e.course_id
             LEFT JOIN course_offering o ON o.id = e.offering_id
             WHERE e.id = ?1 AND coalesce(o.campus_id, c.campus_id) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM person)"
        }
        "attendance_record" => {
            "WITH person AS (SELECT campus_id FROM people_campus WHERE people_id = (SELECT people_id FROM attendance_record WHERE id = ?1) AND is_active = 1)
             SELECT campus_id FROM person
             UNION ALL
             SELECT coalesce(o.campus_id, c.campus_id) AS campus_id FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
             JOIN course c ON c.id = s.course_id LEFT JOIN course_offering o ON o.id = s.offering_id
             WHERE a.id = ?1 AND coalesce(o.campus_id, c.campus_id) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM person)"
        }
        _ => return None,
    })
}
