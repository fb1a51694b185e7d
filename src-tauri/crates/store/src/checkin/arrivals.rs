//! Checking people in and out at the station: one row per person and session (never two), a
//! guardian tag with a secret code for the children of each check-in (see `pickup`), labels,
//! and a room's capacity.

use super::pickup::{self, CheckInError};
use super::{requirement_scope, MOST_SEVERE_FIRST};
use crate::db::{Query, Result, StoreError, WriteTx};
use crate::office::{attendance, progress};
use crate::records;
use cct_domain::records::{AttendanceRecord, AttendanceStatus};
use cct_domain::{Actor, Permission, Timestamp, ValidationError};
use cct_labels::LabelLayout;
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
    /// The session's room, where the child is taken.
    pub room: Option<String>,
    pub security_code: Option<String>,
    /// Short text of what the volunteer must know (allergies first).
    pub alerts: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct GuardianTag {
    pub security_code: String,
    pub children: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct CheckInResult {
    pub labels: Vec<Label>,
    pub guardian_tag: Option<GuardianTag>,
    /// Names of people who were already checked in: nothing changed for them, and nothing is
    /// given that would let someone collect them.
    pub already_checked_in: Vec<String>,
    /// What the volunteer must know now: a ratio passed, someone serving without their
    /// certification.
    pub warnings: Vec<String>,
    /// The labels laid out at the station's label size, as they print: the screen draws these.
    pub layouts: Vec<LabelLayout>,
}

/// Why someone comes to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coming {
    /// To attend: children get a guardian tag.
    Attending,
    /// To serve (a teacher, a volunteer): no tag, counted toward the room's ratio, and checked
    /// against the certification the session asks of those who serve.
    Serving,
}

/// Checks people in to a session. The children of one check-in share one new guardian tag,
/// whose code is on their labels and nowhere else; someone already checked in is named and
/// given nothing. A check-in past the room's capacity needs staff.
///
/// Attendance counts toward course progress: the enrollments of those checked in are brought up
/// to date in the same transaction, with the certifications a completed course earns.
pub fn check_in(
    tx: &mut WriteTx<'_>,
    class_session_id: Uuid,
    people_ids: &[Uuid],
    station: &str,
) -> Result<CheckInResult> {
    check_in_as(tx, class_session_id, people_ids, station, Coming::Attending)
}

/// Checks people in to attend or to serve (see [`Coming`]).
pub fn check_in_as(
    tx: &mut WriteTx<'_>,
    class_session_id: Uuid,
    people_ids: &[Uuid],
    station: &str,
    coming: Coming,
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
    let mut result = CheckInResult::default();
    let mut arriving = Vec::new();
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
        if existing.as_ref().is_some_and(is_in) {
            result.already_checked_in.push(person.name.clone());
        } else if !arriving.iter().any(|(p, _): &(Arrival, _)| p.id == people_id) {
            arriving.push((person, existing));
        }
    }
    if let Some(capacity) = session.capacity {
        let present: i64 = tx.conn().scalar(
            "SELECT COUNT(*) FROM attendance_record WHERE class_session_id = ?1 AND is_active = 1
             AND check_in_at IS NOT NULL AND check_out_at IS NULL AND status IN ('present', 'late')",
            [class_session_id.to_string()],
        )?;
        if present + arriving.len() as i64 > capacity && !tx.actor().can(Permission::CheckinOverride) {
            return Err(StoreError::CheckIn(CheckInError::RoomFull { session: session.title.clone(), capacity }));
        }
    }
    let serving = coming == Coming::Serving;
    let refuse_uncertified = serving && crate::office::settings::office_rules_on(tx.conn())?.refuse_uncertified_serving;
    let mut tag: Option<(Uuid, String)> = None;
    let mut children = Vec::new();
    for (person, existing) in arriving {
        let uncertified = match (&session.serving_certification, serving) {
            (Some(certification), true) => certification.problem_for(tx.conn(), person.id, today)?,
            _ => None,
        };
        if let Some(problem) = &uncertified {
            if refuse_uncertified {
                return Err(StoreError::CheckIn(CheckInError::NotCertified {
                    name: person.name.clone(),
                    session: session.title.clone(),
                    problem: problem.clone(),
                }));
            }
            result.warnings.push(format!("{}: {problem}", person.name));
        }
        let security_code = if !serving && is_child(person.date_of_birth, today) {
            if tag.is_none() {
                tag = Some(pickup::issue_guardian_tag(tx, station, pickup::station_day())?);
            }
            let (tag_id, code) = tag.as_ref().map(|(id, code)| (*id, code.clone())).unwrap_or_default();
            pickup::put_on_tag(tx, tag_id, class_session_id, person.id)?;
            children.push(person.name.clone());
            Some(code)
        } else {
            None
        };
        let enrollment = attendance::active_enrollment_id(tx.conn(), person.id, class_session_id)?;
        let now = tx.now();
        let exists = existing.is_some();
        let mut record = existing.unwrap_or_else(|| AttendanceRecord {
            class_session_id,
            people_id: person.id,
            ..Default::default()
        });
        record.meta.is_active = true;
        record.status = AttendanceStatus::Present;
        record.check_in_at = Some(now);
        record.check_out_at = None;
        record.released_by = None;
        record.release_method = None;
        record.release_reason = None;
        record.collected_by = None;
        record.serving = serving;
        record.serving_uncertified = uncertified.is_some();
        record.course_enrollment_id = enrollment;
        record.marked_by = tx.actor().person_id;
        // The code is the tag's, kept where no log reaches; the attendance row never holds one.
        record.security_code = None;
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
    if let Some((_, code)) = tag {
        result.guardian_tag = Some(GuardianTag { security_code: code, children });
    }
    result.warnings.extend(ratio_warning(tx.conn(), class_session_id, &session)?);
    Ok(result)
}

/// Children in and adults serving in a session now.
fn room_counts(conn: &Connection, class_session_id: Uuid) -> Result<(i64, i64)> {
    let today = Timestamp::now().date();
    let present: Vec<(Option<String>, bool)> = conn.tuples(
        "SELECT p.date_of_birth, a.serving FROM attendance_record a JOIN people p ON p.id = a.people_id
         WHERE a.class_session_id = ?1 AND a.is_active = 1 AND a.check_in_at IS NOT NULL AND a.check_out_at IS NULL
           AND a.status IN ('present', 'late')",
        [class_session_id.to_string()],
    )?;
    let children = present
        .iter()
        .filter(|(born, serving)| !serving && is_child(born.as_deref().and_then(|d| d.parse().ok()), today))
        .count();
    let serving = present.iter().filter(|(_, serving)| *serving).count();
    Ok((children as i64, serving as i64))
}

/// A warning when the session's children outnumber what its adults serving may watch.
fn ratio_warning(conn: &Connection, class_session_id: Uuid, session: &SessionFacts) -> Result<Option<String>> {
    let Some(per_adult) = session.children_per_adult else { return Ok(None) };
    let (children, adults) = room_counts(conn, class_session_id)?;
    Ok((children > adults * per_adult).then(|| {
        format!(
            "{}: {children} children and {adults} adults serving; the room asks for one adult per {per_adult} children",
            session.title
        )
    }))
}

/// Checked in and not yet gone.
fn is_in(record: &AttendanceRecord) -> bool {
    record.meta.is_active
        && record.check_in_at.is_some()
        && record.check_out_at.is_none()
        && matches!(record.status, AttendanceStatus::Present | AttendanceStatus::Late)
}

/// Records when an adult left. A child is released with their guardian tag's code, or by staff
/// (see `pickup`); checking out someone not checked in is refused.
pub fn check_out(tx: &mut WriteTx<'_>, class_session_id: Uuid, people_id: Uuid) -> Result<AttendanceRecord> {
    tx.require(Permission::AttendanceWrite)?;
    let person = Arrival::read(tx.conn(), people_id)?.ok_or(StoreError::UnknownReference {
        field: "people_id",
        table: "people",
        id: people_id,
    })?;
    if is_child(person.date_of_birth, tx.now().date()) {
        return Err(StoreError::CheckIn(CheckInError::CodeRequired { name: person.name }));
    }
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
    record.released_by = tx.actor().person_id;
    records::update_derived(tx, record)
}

/// The labels of the children on a tag, and the tag, as first printed.
pub(crate) fn labels_for_tag(conn: &Connection, actor: &Actor, tag: Uuid, code: String) -> Result<CheckInResult> {
    let on_tag: Vec<(String, String)> =
        conn.tuples("SELECT people_id, class_session_id FROM guardian_tag_child WHERE tag_id = ?1", [tag.to_string()])?;
    let mut result = CheckInResult::default();
    let mut children = Vec::new();
    for (people_id, session_id) in on_tag {
        let (Ok(people_id), Ok(session_id)) = (Uuid::parse_str(&people_id), Uuid::parse_str(&session_id)) else {
            continue;
        };
        let (Some(person), Some(session)) = (Arrival::read(conn, people_id)?, SessionFacts::read(conn, session_id)?)
        else {
            continue;
        };
        children.push(person.name.clone());
        result.labels.push(label(conn, actor, &person, &session, Some(code.clone()))?);
    }
    result.guardian_tag = Some(GuardianTag { security_code: code, children });
    Ok(result)
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

/// Title, active, capacity, children per adult, serving certification and its name, room.
type SessionRow = (String, bool, Option<i64>, Option<i64>, Option<String>, Option<String>, Option<String>);

/// What check-in needs to know of a session.
struct SessionFacts {
    title: String,
    room: Option<String>,
    is_active: bool,
    /// The session's own, else its room's.
    capacity: Option<i64>,
    children_per_adult: Option<i64>,
    serving_certification: Option<ServingCertification>,
}

/// The certification a session asks of those who serve in it.
struct ServingCertification {
    id: Uuid,
    name: String,
}

impl ServingCertification {
    /// Why someone may not serve, or None when they hold the certification, valid today.
    fn problem_for(&self, conn: &Connection, people_id: Uuid, today: NaiveDate) -> Result<Option<String>> {
        let held: Option<(String, Option<String>)> = conn.tuple(
            "SELECT status, expires_date FROM certification_progress
             WHERE people_id = ?1 AND certification_id = ?2 AND is_active = 1",
            [people_id.to_string(), self.id.to_string()],
        )?;
        Ok(match held {
            None => Some(format!("no {} certification", self.name)),
            Some((status, expires)) => {
                // Valid through its expiry date, expired the day after (as the certification rules say).
                let expired_on = expires.filter(|day| day.as_str() < today.to_string().as_str());
                if let Some(day) = expired_on {
                    Some(format!("{} certification expired on {day}", self.name))
                } else if status == "expired" {
                    Some(format!("{} certification expired", self.name))
                } else if status != "completed" {
                    Some(format!("{} certification not yet completed", self.name))
                } else {
                    None
                }
            }
        })
    }
}

impl SessionFacts {
    fn read(conn: &Connection, id: Uuid) -> Result<Option<Self>> {
        let row: Option<SessionRow> = conn.tuple(
            "SELECT s.title, s.is_active, COALESCE(s.capacity, f.capacity), s.children_per_adult,
                    c.id, c.name, f.name
             FROM class_session s LEFT JOIN facility f ON f.id = s.facility_id
             LEFT JOIN certification c ON c.id = s.serving_certification_id WHERE s.id = ?1",
            [id.to_string()],
        )?;
        Ok(row.map(|(title, is_active, capacity, children_per_adult, certification, name, room)| {
            let serving_certification = certification
                .and_then(|id| Uuid::parse_str(&id).ok())
                .map(|id| ServingCertification { id, name: name.unwrap_or_default() });
            SessionFacts { title, room, is_active, capacity, children_per_adult, serving_certification }
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
    Ok(Label {
        people_id: person.id,
        name: person.name.clone(),
        session: session.title.clone(),
        room: session.room.clone(),
        security_code,
        alerts,
    })
}

/// A station is one letter, given to each check-in laptop by the office (A, B, C, ...). Codes
/// start with it, so two laptops with different letters never issue the same code, even if they
/// never see each other.
pub fn validate_station(station: &str) -> Result<()> {
    if station.len() == 1 && station.chars().all(|c| c.is_ascii_uppercase() && !matches!(c, 'I' | 'O')) {
        Ok(())
    } else {
        Err(ValidationError::new("station", "a station is one capital letter (not I or O, which look like 1 and 0)")
            .into())
    }
}
