//! Taking attendance for a class session from the office: one row per person and session,
//! marked again rather than duplicated.

use crate::db::{Query, Result, Store, StoreError, WriteTx};
use crate::office::views::person_names;
use crate::records::{self, ListQuery};
use cct_domain::records::{AttendanceRecord, AttendanceStatus, ClassSession, CourseEnrollment};
use cct_domain::{Actor, Permission};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, TS)]
pub struct MarkAttendance {
    pub class_session_id: Uuid,
    pub people_id: Uuid,
    pub status: AttendanceStatus,
    pub notes: Option<String>,
}

/// Marks one person for one session. Present and late record the arrival time the first time.
/// The person's enrollment in the course follows: attendance counts toward progress.
pub fn mark(tx: &mut WriteTx<'_>, input: MarkAttendance) -> Result<AttendanceRecord> {
    tx.require(Permission::AttendanceWrite)?;
    let session: ClassSession = records::get_in(tx, input.class_session_id).map_err(|e| match e {
        StoreError::NotFound { id, .. } => {
            StoreError::UnknownReference { field: "class_session_id", table: "class_session", id }
        }
        other => other,
    })?;
    let enrollment_id = active_enrollment_id(tx.conn(), input.people_id, session.meta.id)?;
    let existing = record_of(tx.conn(), session.meta.id, input.people_id)?;
    let is_new = existing.is_none();
    let mut record = existing.unwrap_or_else(|| AttendanceRecord {
        class_session_id: session.meta.id,
        people_id: input.people_id,
        ..Default::default()
    });
    record.meta.is_active = true;
    record.status = input.status;
    record.course_enrollment_id = enrollment_id;
    record.marked_by = tx.actor().person_id;
    if input.notes.is_some() {
        record.notes = input.notes;
    }
    match input.status {
        AttendanceStatus::Present | AttendanceStatus::Late => {
            record.check_in_at = record.check_in_at.or(Some(tx.now()))
        }
        AttendanceStatus::Absent | AttendanceStatus::Excused => {
            record.check_in_at = None;
            record.check_out_at = None;
        }
    }
    let saved = if is_new { records::insert(tx, record)? } else { records::update(tx, record)? };
    if let Some(enrollment_id) = saved.course_enrollment_id {
        crate::office::progress::recompute(tx, enrollment_id)?;
    }
    Ok(saved)
}

/// Parameters: the session, the person.
pub(crate) const RECORD_OF: &str = "SELECT * FROM attendance_record WHERE class_session_id = ?1 AND people_id = ?2";

/// Parameters: the person, the session.
pub(crate) const ACTIVE_ENROLLMENT: &str = "SELECT e.id FROM course_enrollment e JOIN class_session s ON s.id = ?2
     WHERE e.people_id = ?1 AND e.offering_id = coalesce(s.offering_id, s.course_id) AND e.is_active = 1
       AND e.status NOT IN ('dropped', 'not_passed')";

/// A person's attendance row for a session, active or not (there is at most one).
pub(crate) fn record_of(
    conn: &rusqlite::Connection,
    class_session_id: Uuid,
    people_id: Uuid,
) -> Result<Option<AttendanceRecord>> {
    conn.record("attendance_record", RECORD_OF, [class_session_id.to_string(), people_id.to_string()])
}

/// The enrollment an attendance row counts toward: the person's live one in the session's
/// offering.
pub(crate) fn active_enrollment_id(
    conn: &rusqlite::Connection,
    people_id: Uuid,
    class_session_id: Uuid,
) -> Result<Option<Uuid>> {
    conn.id(ACTIVE_ENROLLMENT, [people_id.to_string(), class_session_id.to_string()])
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RosterLine {
    pub people_id: Uuid,
    pub person_name: String,
    pub enrollment_id: Option<Uuid>,
    pub attendance: Option<AttendanceRecord>,
}

/// Everyone expected at a session (its offering's registered enrollments) plus anyone marked who
/// is not enrolled, sorted by name: the sheet a teacher marks and prints.
pub fn session_roster(store: &Store, actor: &Actor, class_session_id: Uuid) -> Result<Vec<RosterLine>> {
    crate::office::people::require(actor, Permission::PeopleRead)?;
    let session = records::get::<ClassSession>(store, actor, class_session_id)?;
    let enrollments = records::list::<CourseEnrollment>(
        store,
        actor,
        &ListQuery::default()
            .filter("offering_id", session.offering_id.unwrap_or(session.course_id).to_string())
            .filter("registration_status", "registered")
            .page(records::MAX_PAGE, 0),
    )?
    .items;
    let marked = records::list::<AttendanceRecord>(
        store,
        actor,
        &ListQuery::default().filter("class_session_id", class_session_id.to_string()).page(records::MAX_PAGE, 0),
    )?
    .items;
    let mut lines: Vec<RosterLine> = enrollments
        .iter()
        .filter(|e| {
            !matches!(
                e.status,
                cct_domain::records::EnrollmentStatus::Dropped | cct_domain::records::EnrollmentStatus::NotPassed
            )
        })
        .map(|e| RosterLine {
            people_id: e.people_id,
            person_name: String::new(),
            enrollment_id: Some(e.meta.id),
            attendance: None,
        })
        .collect();
    for record in marked {
        match lines.iter_mut().find(|line| line.people_id == record.people_id) {
            Some(line) => line.attendance = Some(record),
            None => lines.push(RosterLine {
                people_id: record.people_id,
                person_name: String::new(),
                enrollment_id: record.course_enrollment_id,
                attendance: Some(record),
            }),
        }
    }
    let names = person_names(store, lines.iter().map(|l| l.people_id))?;
    for line in &mut lines {
        line.person_name = names.get(&line.people_id).cloned().unwrap_or_default();
    }
    lines.sort_by_cached_key(|line| line.person_name.to_lowercase());
    Ok(lines)
}
