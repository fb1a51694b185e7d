//! Checking people in and out at the station: one row per person and session (never two),
//! children's security codes that no two laptops can both issue on the same day, labels, and
//! reprints that keep the code.

use super::{requirement_scope, MOST_SEVERE_FIRST};
use crate::db::{Query, Result, Store, StoreError, WriteTx};
use crate::office::{attendance, progress};
use crate::records;
use cct_domain::records::{AttendanceRecord, AttendanceStatus};
use cct_domain::{Actor, Permission, ValidationError};
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

/// Under this age on the day, a person is a child: they get a security code and a label, and
/// whoever collects them needs the matching tag.
pub const CHILD_UNDER_YEARS: u32 = 18;

pub fn is_child(date_of_birth: Option<NaiveDate>, today: NaiveDate) -> bool {
    date_of_birth.and_then(|born| today.years_since(born)).is_some_and(|age| age < CHILD_UNDER_YEARS)
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Label {
    pub people_id: Uuid,
    pub name: String,
    pub session: String,
    pub security_code: Option<String>,
    /// Short text of what the volunteer must know (allergies first).
    pub alerts: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct GuardianTag {
    pub security_code: String,
    pub children: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CheckInResult {
    pub labels: Vec<Label>,
    pub guardian_tag: Option<GuardianTag>,
    /// Names of people who were already checked in (nothing changed for them).
    pub already_checked_in: Vec<String>,
}

/// Checks people in to a session. The children of one check-in share one security code, new
/// from this station's range for the day; someone already checked in keeps their row and code.
///
/// Attendance counts toward course progress: the enrollments of those checked in are brought up
/// to date in the same transaction, with the certifications a completed course earns.
pub fn check_in(
    tx: &mut WriteTx<'_>,
    class_session_id: Uuid,
    people_ids: &[Uuid],
    station: &str,
) -> Result<CheckInResult> {
    tx.require(Permission::AttendanceWrite)?;
    if people_ids.is_empty() {
        return Err(ValidationError::new("people_ids", "choose who to check in").into());
    }
    let session = SessionFacts::read(tx.conn(), class_session_id)?
        .ok_or_else(|| ValidationError::new("class_session_id", "no such session"))?;
    if !session.is_active {
        return Err(StoreError::InactiveReference {
            field: "class_session_id",
            table: "class_session",
            id: class_session_id,
        });
    }
    let today = tx.now().date();
    let mut code: Option<String> = None;
    let mut result = CheckInResult { labels: Vec::new(), guardian_tag: None, already_checked_in: Vec::new() };
    let mut children = Vec::new();
    for &people_id in people_ids {
        let person = Arrival::read(tx.conn(), people_id)?.ok_or(StoreError::UnknownReference {
            field: "people_ids",
            table: "people",
            id: people_id,
        })?;
        if !person.is_active {
            return Err(StoreError::InactiveReference { field: "people_ids", table: "people", id: people_id });
        }
        let existing = attendance::record_of(tx.conn(), class_session_id, people_id)?;
        if let Some(record) = &existing {
            if record.meta.is_active
                && record.check_in_at.is_some()
                && record.check_out_at.is_none()
                && matches!(record.status, AttendanceStatus::Present | AttendanceStatus::Late)
            {
                result.already_checked_in.push(person.name.clone());
                result.labels.push(label(tx.conn(), tx.actor(), &person, &session, record.security_code.clone())?);
                continue;
            }
        }
        let security_code = if is_child(person.date_of_birth, today) {
            if code.is_none() {
                code = Some(next_security_code(tx, station, today)?);
            }
            children.push(person.name.clone());
            code.clone()
        } else {
            None
        };
        let enrollment = attendance::active_enrollment_id(tx.conn(), people_id, session.course_id)?;
        let now = tx.now();
        let exists = existing.is_some();
        let mut record =
            existing.unwrap_or_else(|| AttendanceRecord { class_session_id, people_id, ..Default::default() });
        record.meta.is_active = true;
        record.status = AttendanceStatus::Present;
        record.check_in_at = Some(now);
        record.check_out_at = None;
        record.course_enrollment_id = enrollment;
        record.marked_by = tx.actor().person_id;
        record.security_code = security_code.clone();
        if exists {
            records::update_derived(tx, record)?;
        } else {
            // The session and the person were read above, the enrollment is active, and the
            // station acts for its (active) starter: nothing to look up again.
            records::insert_unchecked_references(tx, record)?;
        }
        if let Some(enrollment) = enrollment {
            progress::recompute(tx, enrollment)?;
        }
        result.labels.push(label(tx.conn(), tx.actor(), &person, &session, security_code)?);
    }
    if let Some(code) = code {
        result.guardian_tag = Some(GuardianTag { security_code: code, children });
    }
    Ok(result)
}

/// Records when someone left. Checking out someone not checked in is refused.
pub fn check_out(tx: &mut WriteTx<'_>, class_session_id: Uuid, people_id: Uuid) -> Result<AttendanceRecord> {
    tx.require(Permission::AttendanceWrite)?;
    let mut record = attendance::record_of(tx.conn(), class_session_id, people_id)?
        .filter(|r| r.meta.is_active && r.check_in_at.is_some())
        .ok_or_else(|| StoreError::Conflict {
            field: "people_id",
            message: "this person is not checked in to this session".into(),
        })?;
    if record.check_out_at.is_some() {
        return Ok(record);
    }
    record.check_out_at = Some(tx.now());
    records::update_derived(tx, record)
}

/// The label again, with the code it was first printed with.
pub fn reprint(store: &Store, actor: &Actor, class_session_id: Uuid, people_id: Uuid) -> Result<Label> {
    crate::office::people::require(actor, Permission::AttendanceRead)?;
    store.read(|conn| {
        let not_checked_in = || StoreError::Conflict {
            field: "people_id",
            message: "this person is not checked in, so there is no label to reprint".into(),
        };
        let record = attendance::record_of(conn, class_session_id, people_id)?
            .filter(|r| r.meta.is_active && r.check_in_at.is_some())
            .ok_or_else(not_checked_in)?;
        let person = Arrival::read(conn, people_id)?.ok_or_else(not_checked_in)?;
        let session = SessionFacts::read(conn, class_session_id)?
            .ok_or(StoreError::NotFound { table: "class_session", id: class_session_id })?;
        label(conn, actor, &person, &session, record.security_code)
    })
}

/// What check-in needs to know of a person (read alone: a person's row is wide).
struct Arrival {
    id: Uuid,
    name: String,
    date_of_birth: Option<NaiveDate>,
    is_active: bool,
}

/// First name, nickname, last name, date of birth, whether active.
type ArrivalColumns = (String, Option<String>, String, Option<String>, bool);

impl Arrival {
    fn read(conn: &Connection, id: Uuid) -> Result<Option<Self>> {
        let row: Option<ArrivalColumns> = conn.tuple(
            "SELECT first_name, nickname, last_name, date_of_birth, is_active FROM people WHERE id = ?1",
            [id.to_string()],
        )?;
        Ok(row.map(|(first, nickname, last, born, is_active)| Arrival {
            id,
            name: cct_domain::records::display_name(&first, nickname.as_deref(), &last),
            date_of_birth: born.and_then(|d| d.parse().ok()),
            is_active,
        }))
    }
}

/// What check-in needs to know of a session.
struct SessionFacts {
    course_id: Uuid,
    title: String,
    is_active: bool,
}

impl SessionFacts {
    fn read(conn: &Connection, id: Uuid) -> Result<Option<Self>> {
        let row: Option<(String, String, bool)> =
            conn.tuple("SELECT course_id, title, is_active FROM class_session WHERE id = ?1", [id.to_string()])?;
        Ok(row.and_then(|(course_id, title, is_active)| {
            Some(SessionFacts { course_id: Uuid::parse_str(&course_id).ok()?, title, is_active })
        }))
    }
}

fn label(
    conn: &Connection,
    actor: &Actor,
    person: &Arrival,
    session: &SessionFacts,
    security_code: Option<String>,
) -> Result<Label> {
    let mut alerts = Vec::new();
    if actor.can(Permission::SpecialRequirementsRead) {
        let scope = requirement_scope(actor);
        let sql = format!("SELECT requirement_type, details FROM special_requirement WHERE people_id = ?1 AND is_active = 1{scope} ORDER BY {MOST_SEVERE_FIRST}");
        for (kind, details) in conn.tuples::<(String, String)>(&sql, [person.id.to_string()])? {
            alerts.push(format!("{}: {details}", kind.to_uppercase()));
        }
    }
    Ok(Label { people_id: person.id, name: person.name.clone(), session: session.title.clone(), security_code, alerts })
}

/// A station is one letter, given to each check-in laptop by the office (A, B, C, ...). Codes
/// are the letter and a number counting up from 1 each day on that laptop, so two laptops with
/// different letters never issue the same code, even if they never see each other.
pub fn validate_station(station: &str) -> Result<()> {
    if station.len() == 1 && station.chars().all(|c| c.is_ascii_uppercase() && !matches!(c, 'I' | 'O')) {
        Ok(())
    } else {
        Err(ValidationError::new("station", "a station is one capital letter (not I or O, which look like 1 and 0)")
            .into())
    }
}

fn next_security_code(tx: &WriteTx<'_>, station: &str, today: NaiveDate) -> Result<String> {
    validate_station(station)?;
    // A counter, not a record: it is taken and moved on in one statement of the transaction
    // of the check-in it serves, so a crash can never hand out the same number twice. Its
    // value is `{"day": "2026-11-29", "next": 4}`.
    let next: i64 = tx.conn().scalar(
        "INSERT INTO office_setting (key, value, updated_at, updated_by) VALUES (?1, json_object('day', ?2, 'next', 2), ?3, ?4)
         ON CONFLICT(key) DO UPDATE SET
             value = json_object('day', ?2, 'next', CASE WHEN json_extract(value, '$.day') = ?2 THEN json_extract(value, '$.next') + 1 ELSE 2 END),
             updated_at = ?3, updated_by = ?4
         RETURNING json_extract(value, '$.next') - 1",
        rusqlite::params![format!("checkin_code_counter:{station}"), today.to_string(), tx.now().to_rfc3339(), tx.actor().person_id.map(|id| id.to_string())],
    )?;
    Ok(format!("{station}{next:03}"))
}
