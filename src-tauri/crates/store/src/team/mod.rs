//! Team sync on the device's side: the change log every local write adds to, the merge of
//! changes from the church's other devices into this store, and this device's place in the
//! team. The hub itself (PostgreSQL) is the `cct-team` crate's.

pub mod apply;
pub mod changes;
pub mod clock;
pub mod device;
pub mod merge;

pub use clock::{DeviceClock, Hlc};
pub use merge::Change;

/// The tables whose rows every device of a church shares. Settings, Planning Center sync
/// bookkeeping and the audit log stay with the device that wrote them. The outbox is shared
/// so that any signed-in device can send a classroom laptop's changes to Planning Center; the
/// hub's lease decides which one does.
pub const REPLICATED_TABLES: [&str; 24] = [
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
    "course_enrollment",
    "course_role",
    "certification_progress",
    "content_completion",
    "assessment",
    "assessment_attempt",
    "facility",
    "class_session",
    "attendance_record",
    "special_requirement",
    "pco_outbox",
];

pub fn is_replicated(table: &str) -> bool {
    REPLICATED_TABLES.contains(&table)
}

/// The campuses a record belongs to, for scoping a classroom laptop to its campus's roster.
/// Tables not listed are church-wide.
pub(crate) fn campus_lookup(table: &str) -> Option<&'static str> {
    Some(match table {
        "campus" => "SELECT id FROM campus WHERE id = ?",
        "course" => "SELECT campus_id FROM course WHERE id = ? AND campus_id IS NOT NULL",
        "facility" => "SELECT campus_id FROM facility WHERE id = ?",
        "people_campus" => "SELECT campus_id FROM people_campus WHERE id = ?",
        "people" => "SELECT campus_id FROM people_campus WHERE people_id = ? AND is_active = 1",
        "class_session" => "SELECT c.campus_id FROM class_session s JOIN course c ON c.id = s.course_id WHERE s.id = ? AND c.campus_id IS NOT NULL",
        "course_enrollment" => "SELECT c.campus_id FROM course_enrollment e JOIN course c ON c.id = e.course_id WHERE e.id = ? AND c.campus_id IS NOT NULL",
        "attendance_record" => {
            "SELECT c.campus_id FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id JOIN course c ON c.id = s.course_id
             WHERE a.id = ? AND c.campus_id IS NOT NULL"
        }
        _ => return None,
    })
}
