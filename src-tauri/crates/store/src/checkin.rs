//! Check-in at a classroom laptop, with or without a network: finding families as you type,
//! checking people in (never twice) and out, children's security codes that no two laptops can
//! both issue on the same day, reprints that keep the code, and visitors added at the station.

use crate::direct::{none_if_no_rows, read_rows, DirectTx};
use crate::records;
use crate::row::{from_row, read_row};
use crate::{attendance, progress, search, Result, Store, StoreError, WriteTx};
use cct_domain::records::{AttendanceRecord, AttendanceStatus, Household, Person, SpecialRequirement};
use cct_domain::{Actor, Permission, Record, Timestamp, ValidationError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use ts_rs::TS;
use uuid::Uuid;

/// Under this age on the day, a person is a child: they get a security code and a label, and
/// whoever collects them needs the matching tag.
pub const CHILD_UNDER_YEARS: u32 = 18;

/// What the station shows of a person.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StationPerson {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub nickname: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct FamilyMember {
    pub person: StationPerson,
    pub is_child: bool,
    /// Their attendance for the session searched for, if they have one.
    pub attendance: Option<AttendanceRecord>,
    /// Only those the volunteer's role may see.
    pub special_requirements: Vec<SpecialRequirement>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Family {
    pub household_id: Option<Uuid>,
    pub name: String,
    pub members: Vec<FamilyMember>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct FamilySearch {
    pub families: Vec<Family>,
    /// False when more people matched than were looked at: the volunteer should keep typing.
    pub complete: bool,
}

/// Families whose members match what was typed (first, last or nickname, or the last digits of
/// a phone), each with all its members, so a parent can check in the whole family at once.
/// Runs on the calling thread (see `direct`): a search is a handful of quick statements.
pub fn search_families(store: &Store, actor: &Actor, text: &str, class_session_id: Uuid) -> Result<FamilySearch> {
    crate::actor::require(actor, Permission::AttendanceRead)?;
    store.read_direct(|conn| search_families_on(conn, actor, text, class_session_id))
}

fn search_families_on(conn: &rusqlite::Connection, actor: &Actor, text: &str, class_session_id: Uuid) -> Result<FamilySearch> {
    let (matches, complete) = search::search_names(conn, actor, text, 12)?;
    if matches.is_empty() {
        return Ok(FamilySearch { families: Vec::new(), complete });
    }
    let match_ids = serde_json::to_string(&matches.iter().map(|m| &m.id).collect::<Vec<_>>()).unwrap_or_default();
    let household_ids = serde_json::to_string(&matches.iter().filter_map(|m| m.household_id.as_ref()).collect::<Vec<_>>()).unwrap_or_default();
    // Everyone found and everyone in their households, in one statement and only the columns
    // the station shows.
    let people: Vec<MemberRow> = conn
        .prepare_cached(
            "SELECT id, first_name, last_name, nickname, date_of_birth, household_id, household_name FROM people
             WHERE is_active = 1 AND (id IN (SELECT value FROM json_each(?1)) OR household_id IN (SELECT value FROM json_each(?2)))
             ORDER BY date_of_birth",
        )?
        .query_map([&match_ids, &household_ids], |row| {
            Ok(MemberRow {
                id: row.get(0)?,
                first_name: row.get(1)?,
                last_name: row.get(2)?,
                nickname: row.get(3)?,
                date_of_birth: row.get(4)?,
                household_id: row.get(5)?,
                household_name: row.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let ids = serde_json::to_string(&people.iter().map(|p| &p.id).collect::<Vec<_>>()).unwrap_or_default();
    let mut attendance: HashMap<Uuid, AttendanceRecord> = HashMap::new();
    for row in read_rows(
        conn,
        "SELECT * FROM attendance_record WHERE class_session_id = ?1 AND is_active = 1 AND people_id IN (SELECT value FROM json_each(?2))",
        [class_session_id.to_string(), ids.clone()],
    )? {
        let record: AttendanceRecord = from_row("attendance_record", row)?;
        attendance.insert(record.people_id, record);
    }
    let mut needs: HashMap<Uuid, Vec<SpecialRequirement>> = HashMap::new();
    if actor.can(Permission::SpecialRequirementsRead) {
        let scope = requirement_scope(actor);
        let sql = format!("SELECT * FROM special_requirement WHERE is_active = 1 AND people_id IN (SELECT value FROM json_each(?1)){scope} ORDER BY {MOST_SEVERE_FIRST}");
        for row in read_rows(conn, &sql, [&ids])? {
            let need: SpecialRequirement = from_row("special_requirement", row)?;
            needs.entry(need.people_id).or_default().push(need);
        }
    }
    let today = Timestamp::now().date();
    // Families in the order their first match ranked; people without a household stand alone.
    let mut families: Vec<Family> = Vec::new();
    for found in &matches {
        let members: Vec<&MemberRow> = match &found.household_id {
            Some(household) if families.iter().any(|f| f.household_id.map(|id| id.to_string()).as_ref() == Some(household)) => continue,
            Some(household) => people.iter().filter(|p| p.household_id.as_ref() == Some(household)).collect(),
            None => people.iter().filter(|p| p.id == found.id).collect(),
        };
        let Some(first) = members.first() else { continue };
        families.push(Family {
            household_id: found.household_id.as_deref().and_then(|id| Uuid::parse_str(id).ok()),
            name: first.household_name.clone().unwrap_or_else(|| first.display_name()),
            members: members.into_iter().filter_map(|member| member.to_family_member(today, &mut attendance, &mut needs)).collect(),
        });
    }
    Ok(FamilySearch { families, complete })
}

/// A person as the station's search reads them.
struct MemberRow {
    id: String,
    first_name: String,
    last_name: String,
    nickname: Option<String>,
    date_of_birth: Option<String>,
    household_id: Option<String>,
    household_name: Option<String>,
}

impl MemberRow {
    fn display_name(&self) -> String {
        cct_domain::records::display_name(&self.first_name, self.nickname.as_deref(), &self.last_name)
    }

    fn to_family_member(&self, today: NaiveDate, attendance: &mut HashMap<Uuid, AttendanceRecord>, needs: &mut HashMap<Uuid, Vec<SpecialRequirement>>) -> Option<FamilyMember> {
        let id = Uuid::parse_str(&self.id).ok()?;
        let date_of_birth = self.date_of_birth.as_deref().and_then(|d| d.parse::<NaiveDate>().ok());
        Some(FamilyMember {
            person: StationPerson { id, first_name: self.first_name.clone(), last_name: self.last_name.clone(), nickname: self.nickname.clone() },
            is_child: is_child(date_of_birth, today),
            attendance: attendance.remove(&id),
            special_requirements: needs.remove(&id).unwrap_or_default(),
        })
    }
}

pub fn is_child(date_of_birth: Option<NaiveDate>, today: NaiveDate) -> bool {
    date_of_birth.and_then(|born| today.years_since(born)).is_some_and(|age| age < CHILD_UNDER_YEARS)
}

/// Severity is stored as text, whose alphabetical order is not its urgency.
const MOST_SEVERE_FIRST: &str = "CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END";

/// The special requirements the actor may see, as a condition to append (the record type's own
/// read scope).
fn requirement_scope(actor: &Actor) -> String {
    SpecialRequirement::read_scope(actor).map(|scope| format!(" AND ({scope})")).unwrap_or_default()
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
/// One transaction, run on the calling thread (see `direct`): the station's busiest write.
///
/// Attendance counts toward course progress: the enrollments of those checked in are brought up
/// to date in the same transaction. One that this completes (or reopens) is queued instead and
/// settled right after through the store's writer, with the person's certifications. Should
/// that fail, the check-in still stands and the queue keeps it for the next check-in or the
/// next start.
pub async fn check_in(store: &Store, actor: &Actor, class_session_id: Uuid, people_ids: &[Uuid], station: &str) -> Result<CheckInResult> {
    let (result, enrollments_queued) = store.write_direct(actor, |tx| check_in_now(tx, class_session_id, people_ids, station)).await?;
    if enrollments_queued {
        let _kept_in_the_queue_on_failure = progress::settle_pending(store, actor).await;
    }
    Ok(result)
}

/// The check-in, and whether it queued an enrollment's progress.
fn check_in_now(tx: &mut DirectTx<'_>, class_session_id: Uuid, people_ids: &[Uuid], station: &str) -> Result<(CheckInResult, bool)> {
    tx.require(Permission::AttendanceWrite)?;
    if people_ids.is_empty() {
        return Err(ValidationError::new("people_ids", "choose who to check in").into());
    }
    let session = SessionFacts::read(tx.conn(), class_session_id)?.ok_or_else(|| ValidationError::new("class_session_id", "no such session"))?;
    if !session.is_active {
        return Err(StoreError::InactiveReference { field: "class_session_id", table: "class_session", id: class_session_id });
    }
    let today = tx.now().date();
    let mut code: Option<String> = None;
    let mut result = CheckInResult { labels: Vec::new(), guardian_tag: None, already_checked_in: Vec::new() };
    let mut children = Vec::new();
    let mut enrollments_queued = false;
    for &people_id in people_ids {
        let person = Arrival::read(tx.conn(), people_id)?.ok_or(StoreError::UnknownReference { field: "people_ids", table: "people", id: people_id })?;
        if !person.is_active {
            return Err(StoreError::InactiveReference { field: "people_ids", table: "people", id: people_id });
        }
        let existing = attendance_of(tx, class_session_id, people_id)?;
        if let Some(record) = &existing {
            if record.meta.is_active && record.check_in_at.is_some() && record.check_out_at.is_none() && matches!(record.status, AttendanceStatus::Present | AttendanceStatus::Late) {
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
        let enrollment: Option<String> = tx
            .conn()
            .prepare_cached(attendance::ACTIVE_ENROLLMENT)?
            .query_row([people_id.to_string(), session.course_id.clone()], |row| row.get(0))
            .map(Some)
            .or_else(none_if_no_rows)?;
        let now = tx.now();
        let exists = existing.is_some();
        let mut record = existing.unwrap_or_else(|| AttendanceRecord { class_session_id, people_id, ..Default::default() });
        record.meta.is_active = true;
        record.status = AttendanceStatus::Present;
        record.check_in_at = Some(now);
        record.check_out_at = None;
        record.course_enrollment_id = enrollment.and_then(|id| Uuid::parse_str(&id).ok());
        record.marked_by = tx.actor().person_id;
        record.security_code = security_code.clone();
        let enrollment = record.course_enrollment_id;
        if exists {
            tx.update(record)?;
        } else {
            // The session and the person were read above, the enrollment is active, and the
            // station acts for its (active) starter: nothing to look up again.
            tx.insert(record)?;
        }
        if let Some(enrollment) = enrollment {
            if !progress::recompute_direct(tx, enrollment)? {
                tx.queue_progress(enrollment)?;
                enrollments_queued = true;
            }
        }
        result.labels.push(label(tx.conn(), tx.actor(), &person, &session, security_code)?);
    }
    if let Some(code) = code {
        result.guardian_tag = Some(GuardianTag { security_code: code, children });
    }
    Ok((result, enrollments_queued))
}

/// What check-in needs to know of a person (read alone: a person's row is wide).
struct Arrival {
    id: Uuid,
    name: String,
    date_of_birth: Option<NaiveDate>,
    is_active: bool,
}

impl Arrival {
    fn read(conn: &rusqlite::Connection, id: Uuid) -> Result<Option<Self>> {
        let row = conn
            .prepare_cached("SELECT first_name, nickname, last_name, date_of_birth, is_active FROM people WHERE id = ?1")?
            .query_row([id.to_string()], |row| {
                let (first, nickname, last): (String, Option<String>, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
                let born: Option<String> = row.get(3)?;
                Ok(Arrival {
                    id,
                    name: cct_domain::records::display_name(&first, nickname.as_deref(), &last),
                    date_of_birth: born.and_then(|d| d.parse().ok()),
                    is_active: row.get(4)?,
                })
            })
            .map(Some)
            .or_else(none_if_no_rows)?;
        Ok(row)
    }
}

/// What check-in needs to know of a session.
struct SessionFacts {
    course_id: String,
    title: String,
    is_active: bool,
}

impl SessionFacts {
    fn read(conn: &rusqlite::Connection, id: Uuid) -> Result<Option<Self>> {
        Ok(conn
            .prepare_cached("SELECT course_id, title, is_active FROM class_session WHERE id = ?1")?
            .query_row([id.to_string()], |row| Ok(SessionFacts { course_id: row.get(0)?, title: row.get(1)?, is_active: row.get(2)? }))
            .map(Some)
            .or_else(none_if_no_rows)?)
    }
}

fn attendance_of(tx: &DirectTx<'_>, class_session_id: Uuid, people_id: Uuid) -> Result<Option<AttendanceRecord>> {
    read_rows(tx.conn(), attendance::RECORD_OF, [class_session_id.to_string(), people_id.to_string()])?.pop().map(|row| from_row("attendance_record", row)).transpose()
}

/// Records when someone left. Checking out someone not checked in is refused.
pub async fn check_out(store: &Store, actor: &Actor, class_session_id: Uuid, people_id: Uuid) -> Result<AttendanceRecord> {
    store
        .write_direct(actor, |tx| {
            tx.require(Permission::AttendanceWrite)?;
            let mut record = attendance_of(tx, class_session_id, people_id)?
                .filter(|r| r.meta.is_active && r.check_in_at.is_some())
                .ok_or_else(|| StoreError::Conflict { field: "people_id", message: "this person is not checked in to this session".into() })?;
            if record.check_out_at.is_some() {
                return Ok(record);
            }
            record.check_out_at = Some(tx.now());
            tx.update(record)
        })
        .await
}

/// The label again, with the code it was first printed with.
pub fn reprint(store: &Store, actor: &Actor, class_session_id: Uuid, people_id: Uuid) -> Result<Label> {
    crate::actor::require(actor, Permission::AttendanceRead)?;
    store.read_direct(|conn| {
        let not_checked_in = || StoreError::Conflict { field: "people_id", message: "this person is not checked in, so there is no label to reprint".into() };
        let record: AttendanceRecord = read_rows(conn, attendance::RECORD_OF, [class_session_id.to_string(), people_id.to_string()])?
            .pop()
            .map(|row| from_row("attendance_record", row))
            .transpose()?
            .filter(|r: &AttendanceRecord| r.meta.is_active && r.check_in_at.is_some())
            .ok_or_else(not_checked_in)?;
        let person = Arrival::read(conn, people_id)?.ok_or_else(not_checked_in)?;
        let session = SessionFacts::read(conn, class_session_id)?.ok_or(StoreError::NotFound { table: "class_session", id: class_session_id })?;
        label(conn, actor, &person, &session, record.security_code)
    })
}

fn label(conn: &rusqlite::Connection, actor: &Actor, person: &Arrival, session: &SessionFacts, security_code: Option<String>) -> Result<Label> {
    let mut alerts = Vec::new();
    if actor.can(Permission::SpecialRequirementsRead) {
        let scope = requirement_scope(actor);
        let sql = format!("SELECT requirement_type, details FROM special_requirement WHERE people_id = ?1 AND is_active = 1{scope} ORDER BY {MOST_SEVERE_FIRST}");
        let mut statement = conn.prepare_cached(&sql)?;
        let mut rows = statement.query([person.id.to_string()])?;
        while let Some(row) = rows.next()? {
            let (kind, details): (String, String) = (row.get(0)?, row.get(1)?);
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
        Err(ValidationError::new("station", "a station is one capital letter (not I or O, which look like 1 and 0)").into())
    }
}

fn next_security_code(tx: &DirectTx<'_>, station: &str, today: NaiveDate) -> Result<String> {
    validate_station(station)?;
    // A counter, not a record: it is taken and moved on in one statement of the transaction
    // of the check-in it serves, so a crash can never hand out the same number twice. Its
    // value is `{"day": "2026-11-29", "next": 4}`.
    let next: i64 = tx
        .conn()
        .prepare_cached(
            "INSERT INTO office_setting (key, value, updated_at, updated_by) VALUES (?1, json_object('day', ?2, 'next', 2), ?3, ?4)
             ON CONFLICT(key) DO UPDATE SET
                 value = json_object('day', ?2, 'next', CASE WHEN json_extract(value, '$.day') = ?2 THEN json_extract(value, '$.next') + 1 ELSE 2 END),
                 updated_at = ?3, updated_by = ?4
             RETURNING json_extract(value, '$.next') - 1",
        )?
        .query_row(
            rusqlite::params![format!("checkin_code_counter:{station}"), today.to_string(), tx.now().to_rfc3339(), tx.actor().person_id.map(|id| id.to_string())],
            |row| row.get(0),
        )?;
    Ok(format!("{station}{next:03}"))
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct VisitorInput {
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    /// Add to this household (a family already here) instead of a new one.
    pub household_id: Option<Uuid>,
    /// The volunteer saw the possible duplicates and says this is someone new.
    #[serde(default)]
    pub confirmed_new: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum VisitorOutcome {
    Added { person: Box<Person> },
    /// People already here who may be the visitor; nothing was added.
    PossibleDuplicates { candidates: Vec<Person> },
}

/// Adds a visitor at the station. People with the same name, or the same phone digits, are
/// offered first so a returning family is not entered twice.
pub async fn add_visitor(tx: &mut WriteTx<'_>, input: VisitorInput) -> Result<VisitorOutcome> {
    tx.require(Permission::AttendanceWrite)?;
    if !input.confirmed_new {
        let digits: String = input.phone.as_deref().unwrap_or("").chars().filter(char::is_ascii_digit).collect();
        let rows = sqlx::query(
            "SELECT * FROM people WHERE is_active = 1 AND (
                (lower(first_name) = lower(?) AND lower(last_name) = lower(?))
                OR (length(?) >= 7 AND replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '+', '') LIKE '%' || ?)
                OR (? IS NOT NULL AND lower(email) = lower(?)))
             LIMIT 10",
        )
        .bind(input.first_name.trim())
        .bind(input.last_name.trim())
        .bind(&digits)
        .bind(&digits)
        .bind(&input.email)
        .bind(&input.email)
        .fetch_all(tx.conn())
        .await?;
        if !rows.is_empty() {
            let candidates = rows.iter().map(|r| read_row(r).and_then(|row| from_row("people", row))).collect::<Result<Vec<Person>>>()?;
            return Ok(VisitorOutcome::PossibleDuplicates { candidates });
        }
    }
    let household = match input.household_id {
        Some(id) => records::get_in::<Household>(tx, id).await?,
        None => records::insert_derived(tx, Household { name: format!("{} Household", input.last_name.trim()), ..Default::default() }).await?,
    };
    // A volunteer may add a visitor without the right to edit people: the station's job is
    // attendance, and the office reviews visitors in the audit log.
    let person = records::insert_derived(
        tx,
        Person {
            first_name: input.first_name.trim().to_owned(),
            last_name: input.last_name.trim().to_owned(),
            phone: input.phone.filter(|p| !p.trim().is_empty()),
            email: input.email.filter(|e| !e.trim().is_empty()),
            date_of_birth: input.date_of_birth,
            household_id: Some(household.meta.id),
            household_name: Some(household.name),
            ..Default::default()
        },
    )
    .await?;
    Ok(VisitorOutcome::Added { person: Box::new(person) })
}

/// Each session's roster size and how many are checked in, for the station's header.
pub async fn session_counts(store: &Store, session_ids: &[Uuid]) -> Result<BTreeMap<Uuid, i64>> {
    let ids = serde_json::to_string(&session_ids.iter().map(|id| id.to_string()).collect::<Vec<_>>()).unwrap_or_default();
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT class_session_id, COUNT(*) FROM attendance_record WHERE is_active = 1 AND check_in_at IS NOT NULL AND check_out_at IS NULL
         AND class_session_id IN (SELECT value FROM json_each(?)) GROUP BY class_session_id",
    )
    .bind(ids)
    .fetch_all(&mut *store.reader().await?)
    .await?;
    Ok(rows.into_iter().filter_map(|(id, n)| Some((Uuid::parse_str(&id).ok()?, n))).collect())
}

/// When people last came in from Planning Center on this laptop (the roster a station works
/// from offline), if ever.
pub async fn last_roster_refresh(store: &Store) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT MAX(completed_at) FROM planning_center_sync_log WHERE sync_direction = 'from_pc' AND sync_type = 'people' AND completed_at IS NOT NULL")
        .fetch_one(&mut *store.reader().await?)
        .await?)
}
