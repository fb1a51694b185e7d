//! Checked pickup: the guardian tag's code is a secret between the station and the family. It is
//! drawn from the OS's secure random source, kept only in this station's `guardian_tag` table
//! (never in the audit log, the team's change log, an error message or a search result), shown
//! once on the labels, and asked for again to reprint a label or to release a child. Staff may
//! release without it, giving a reason; who may and who must not collect each child is shown at
//! pickup, and a release to someone on the "must not" list needs staff.

use super::arrivals::validate_station;
use super::is_child;
use crate::access::{self, AccessError};
use crate::db::{AuditAction, JsonRow, Query, Result, Store, StoreError, WriteTx};
use crate::office::attendance;
use crate::records;
use cct_domain::records::{display_name, ReleaseMethod};
use cct_domain::{Actor, Permission, Timestamp, ValidationError};
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;
use uuid::Uuid;

/// The symbols of a code after its station letter: digits and capitals without the look-alikes
/// 0/O and 1/I/L. 31 of them, so 31³ = 29,791 codes per station and day.
pub const CODE_SYMBOLS: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Symbols after the station letter.
pub const CODE_SYMBOL_COUNT: usize = 3;
/// The throttle subject of wrong pickup codes at this station.
const PICKUP_GUESSES: &str = "pickup-codes";

/// Why a check-in, a pickup, a release or a reprint was refused. No message carries a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckInError {
    #[error("that code does not match a guardian tag printed at this station today: check the tag, or ask staff")]
    WrongCode,
    #[error("codes starting with {station} are printed at station {station}: check out there, or ask staff")]
    OtherStation { station: String },
    #[error("that guardian tag was printed on {day}; a tag is good only on its day: ask staff")]
    OtherDay { day: String },
    #[error("too many wrong codes: wait {seconds} seconds, or ask staff")]
    Wait { seconds: i64 },
    #[error("that guardian tag no longer releases anyone: its children were checked in again with a new tag")]
    TagReplaced,
    #[error("{name} is not on this guardian tag")]
    NotOnTag { name: String },
    #[error("{collector} must not collect {child} (see the pickup list): do not release; fetch a staff member")]
    NotAuthorized { collector: String, child: String },
    #[error("{name} is a child: children are released with their guardian tag's code, or by staff")]
    CodeRequired { name: String },
    #[error("{session} is full ({capacity} places): staff may let more in")]
    RoomFull { session: String, capacity: i64 },
    #[error("no family found: check the digits (the phone number the church has for you), or ask a volunteer")]
    NoFamily,
    #[error("more than one family has a phone ending in those digits: type the whole number, or ask a volunteer")]
    ManyFamilies,
    #[error("{name} cannot serve in {session}: {problem}; the office's rule asks for it")]
    NotCertified { name: String, session: String, problem: String },
}

impl CheckInError {
    pub fn field(&self) -> &'static str {
        match self {
            CheckInError::WrongCode
            | CheckInError::OtherStation { .. }
            | CheckInError::OtherDay { .. }
            | CheckInError::Wait { .. }
            | CheckInError::TagReplaced => "code",
            CheckInError::NotOnTag { .. } => "people_ids",
            CheckInError::NotAuthorized { .. } => "collected_by",
            CheckInError::CodeRequired { .. } => "people_id",
            CheckInError::RoomFull { .. } => "class_session_id",
            CheckInError::NotCertified { .. } => "people_ids",
            CheckInError::NoFamily | CheckInError::ManyFamilies => "text",
        }
    }
}

fn refused(error: CheckInError) -> StoreError {
    StoreError::CheckIn(error)
}

/// The station's date: a tag is good from its check-in to the end of that day where the
/// station stands, whatever the hour in UTC.
pub fn station_day() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// A code as people type or scan it: case, spaces and dashes do not matter.
fn normal_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// Uniform symbols from the OS's random source: bytes at or above the largest multiple of the
/// alphabet's size are drawn again, so no symbol is likelier than another.
fn random_symbols(count: usize) -> Result<String> {
    let limit = (256 / CODE_SYMBOLS.len() * CODE_SYMBOLS.len()) as u8;
    let mut symbols = String::with_capacity(count);
    while symbols.len() < count {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Constraint(format!("the system's random source failed: {e}")))?;
        for byte in bytes.into_iter().filter(|b| *b < limit) {
            if symbols.len() < count {
                symbols.push(CODE_SYMBOLS[byte as usize % CODE_SYMBOLS.len()] as char);
            }
        }
    }
    Ok(symbols)
}

/// A new guardian tag for this station's day, in the check-in's transaction: a code no other
/// tag of the day holds (the table's unique key decides, so two check-ins at the same moment
/// cannot both take one). Not audited and not in the change log: the code is the family's.
pub fn issue_guardian_tag(tx: &mut WriteTx<'_>, station: &str, day: NaiveDate) -> Result<(Uuid, String)> {
    validate_station(station)?;
    // With a third of the day's codes taken, 64 draws all missing is a chance of 3^-64.
    for _ in 0..64 {
        let code = format!("{station}{}", random_symbols(CODE_SYMBOL_COUNT)?);
        let id = cct_domain::new_id();
        let taken = tx.conn().run(
            "INSERT INTO guardian_tag (id, station, day, code, made_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (day, code) DO NOTHING",
            rusqlite::params![id.to_string(), station, day.to_string(), code, tx.now().to_rfc3339()],
        )?;
        if taken == 1 {
            return Ok((id, code));
        }
    }
    Err(StoreError::Conflict {
        field: "station",
        message: "this station has given out nearly all of today's codes: start another station with a new letter"
            .into(),
    })
}

/// Puts a child's attendance on a tag, and off any earlier tag: a child checked in again (after
/// leaving) is released only with the new tag, never with the one their family took home.
pub(crate) fn put_on_tag(tx: &WriteTx<'_>, tag_id: Uuid, class_session_id: Uuid, people_id: Uuid) -> Result<()> {
    tx.conn().run(
        "DELETE FROM guardian_tag_child WHERE class_session_id = ?1 AND people_id = ?2 AND tag_id <> ?3",
        [class_session_id.to_string(), people_id.to_string(), tag_id.to_string()],
    )?;
    tx.conn().run(
        "INSERT OR IGNORE INTO guardian_tag_child (tag_id, class_session_id, people_id) VALUES (?1, ?2, ?3)",
        [tag_id.to_string(), class_session_id.to_string(), people_id.to_string()],
    )?;
    Ok(())
}

/// The tag (id and code) a child's attendance is on, most recent first.
pub(crate) fn tag_of(conn: &Connection, class_session_id: Uuid, people_id: Uuid) -> Result<Option<(Uuid, String)>> {
    let row: Option<(String, String)> = conn.tuple(
        "SELECT t.id, t.code FROM guardian_tag_child c JOIN guardian_tag t ON t.id = c.tag_id
         WHERE c.class_session_id = ?1 AND c.people_id = ?2 ORDER BY t.made_at DESC LIMIT 1",
        [class_session_id.to_string(), people_id.to_string()],
    )?;
    Ok(row.and_then(|(id, code)| Some((Uuid::parse_str(&id).ok()?, code))))
}

/// The tag a typed code names, checked against this station and today.
fn find_tag(conn: &Connection, station: &str, code: &str) -> Result<Uuid> {
    let code = normal_code(code);
    if code.is_empty() {
        return Err(ValidationError::new("code", "type or scan the code on the guardian tag").into());
    }
    let letter = &code[..1];
    if letter != station && code.len() == 1 + CODE_SYMBOL_COUNT && letter.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(refused(CheckInError::OtherStation { station: letter.to_owned() }));
    }
    let tags: Vec<(String, String)> = conn.tuples(
        "SELECT id, day FROM guardian_tag WHERE code = ?1 AND station = ?2 ORDER BY day DESC",
        [&code, station],
    )?;
    let today = station_day().to_string();
    match tags.iter().find(|(_, day)| *day == today).or(tags.first()) {
        Some((id, day)) if *day == today => Uuid::parse_str(id).map_err(|_| refused(CheckInError::WrongCode)),
        Some((_, day)) => Err(refused(CheckInError::OtherDay { day: day.clone() })),
        None => Err(refused(CheckInError::WrongCode)),
    }
}

/// Counts a code guess against the station before it is checked (see `access::count_guess`):
/// a stranger cannot try the day's codes one after another.
fn guessing<T>(store: &Store, check: impl FnOnce() -> Result<T>) -> Result<T> {
    count_guess(store)?;
    let answer = check();
    if !is_wrong_guess(&answer) {
        access::forgive_one_guess(store, PICKUP_GUESSES)?;
    }
    answer
}

/// [`guessing`] for a write: a right code's forgiveness is part of the write's own transaction.
fn guessing_in<T>(store: &Store, actor: &Actor, write: impl FnOnce(&mut WriteTx<'_>) -> Result<T>) -> Result<T> {
    count_guess(store)?;
    let answer = store.write(actor, |tx| {
        let answer = write(tx)?;
        access::forgive_one_guess_in(tx, PICKUP_GUESSES)?;
        Ok(answer)
    });
    if answer.is_err() && !is_wrong_guess(&answer) {
        access::forgive_one_guess(store, PICKUP_GUESSES)?;
    }
    answer
}

fn count_guess(store: &Store) -> Result<()> {
    access::count_guess(store, PICKUP_GUESSES).map_err(|error| match error {
        StoreError::Access(AccessError::Wait { seconds }) => refused(CheckInError::Wait { seconds }),
        other => other,
    })
}

/// Only a code that matched nothing is a wrong guess. Many families share the station, so a
/// right code forgives one miss rather than all of them (see `access::forgive_one_guess`).
fn is_wrong_guess<T>(answer: &Result<T>) -> bool {
    matches!(answer, Err(StoreError::CheckIn(CheckInError::WrongCode | CheckInError::OtherDay { .. })))
}

/// Someone the station shows at pickup.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PickupPerson {
    pub people_id: Option<Uuid>,
    pub name: String,
    pub relationship: Option<String>,
    /// Only for roles allowed confidential notes (a custody order's terms).
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PickupChild {
    pub people_id: Uuid,
    pub name: String,
    pub class_session_id: Uuid,
    pub session: String,
    pub checked_out: bool,
    /// The adults of the child's household, and others the office named.
    pub may_collect: Vec<PickupPerson>,
    /// People the office named who must not collect the child.
    pub must_not_collect: Vec<PickupPerson>,
}

/// What a guardian tag's code opens at the station: the children it releases.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Pickup {
    pub children: Vec<PickupChild>,
}

/// Who collected a child: someone from the pickup list (with their id) or a name typed.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct Collector {
    pub people_id: Option<Uuid>,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Released {
    /// Names of the children released now.
    pub released: Vec<String>,
    /// Names of those already released earlier (nothing changed for them).
    pub already_released: Vec<String>,
}

/// The children a code releases, with who may and who must not collect each one.
pub fn look_up(store: &Store, actor: &Actor, station: &str, code: &str) -> Result<Pickup> {
    crate::office::people::require(actor, Permission::AttendanceRead)?;
    guessing(store, || {
        store.read(|conn| {
            let tag = find_tag(conn, station, code)?;
            Ok(Pickup { children: children_of_tag(conn, actor, tag)? })
        })
    })
}

/// A child on a tag: id, first name, last name, session id, nickname, session title, when
/// they left.
type TaggedChildRow = (String, String, String, String, Option<String>, String, Option<String>);
/// Someone of the child's household: id, first name, last name, nickname, date of birth.
type HouseholdRow = (String, String, String, Option<String>, Option<String>);
/// A pickup list entry: person, name, relationship, may collect, note.
type ContactRow = (Option<String>, String, Option<String>, bool, Option<String>);

/// The children a tag releases; a tag whose children all moved to a newer tag releases nobody.
fn children_of_tag(conn: &Connection, actor: &Actor, tag: Uuid) -> Result<Vec<PickupChild>> {
    let children = children_on(conn, actor, tag)?;
    if children.is_empty() {
        return Err(refused(CheckInError::TagReplaced));
    }
    Ok(children)
}

fn children_on(conn: &Connection, actor: &Actor, tag: Uuid) -> Result<Vec<PickupChild>> {
    let rows: Vec<TaggedChildRow> = conn.tuples(
        "SELECT p.id, p.first_name, p.last_name, s.id, p.nickname, s.title, a.check_out_at
         FROM guardian_tag_child c JOIN people p ON p.id = c.people_id JOIN class_session s ON s.id = c.class_session_id
         LEFT JOIN attendance_record a ON a.class_session_id = c.class_session_id AND a.people_id = c.people_id AND a.is_active = 1
         WHERE c.tag_id = ?1 ORDER BY p.first_name",
        [tag.to_string()],
    )?;
    let mut children = Vec::new();
    for (id, first, last, session_id, nickname, session, checked_out) in rows {
        let (Ok(people_id), Ok(class_session_id)) = (Uuid::parse_str(&id), Uuid::parse_str(&session_id)) else {
            continue;
        };
        let (may_collect, must_not_collect) = pickup_lists(conn, actor, people_id)?;
        children.push(PickupChild {
            people_id,
            name: display_name(&first, nickname.as_deref(), &last),
            class_session_id,
            session,
            checked_out: checked_out.is_some(),
            may_collect,
            must_not_collect,
        });
    }
    Ok(children)
}

/// Who may collect a child (the adults of their household, and those the office named) and who
/// must not. Notes are shown only to roles allowed confidential information.
pub fn pickup_lists(conn: &Connection, actor: &Actor, child: Uuid) -> Result<(Vec<PickupPerson>, Vec<PickupPerson>)> {
    let today = Timestamp::now().date();
    let confidential = actor.can(Permission::SpecialRequirementsReadConfidential);
    let mut may = Vec::new();
    let household: Vec<HouseholdRow> = conn.tuples(
        "SELECT a.id, a.first_name, a.last_name, a.nickname, a.date_of_birth FROM people c JOIN people a ON a.household_id = c.household_id
         WHERE c.id = ?1 AND a.id <> c.id AND a.is_active = 1 ORDER BY a.first_name",
        [child.to_string()],
    )?;
    for (id, first, last, nickname, born) in household {
        if !is_child(born.and_then(|d| d.parse().ok()), today) {
            let relationship = Some("household".to_owned());
            let name = display_name(&first, nickname.as_deref(), &last);
            may.push(PickupPerson { people_id: Uuid::parse_str(&id).ok(), name, relationship, note: None });
        }
    }
    let mut must_not = Vec::new();
    let named: Vec<ContactRow> = conn.tuples(
        "SELECT people_id, name, relationship, may_collect, note FROM pickup_contact
         WHERE child_id = ?1 AND is_active = 1 ORDER BY may_collect, name",
        [child.to_string()],
    )?;
    for (people_id, name, relationship, may_collect, note) in named {
        let people_id = people_id.and_then(|id| Uuid::parse_str(&id).ok());
        let note = note.filter(|_| confidential);
        if may_collect {
            // Someone named and also in the household is shown once.
            if !may.iter().any(|p| people_id.is_some() && p.people_id == people_id) {
                may.push(PickupPerson { people_id, name, relationship, note });
            }
        } else {
            // A "must not" entry overrides the household: a parent under a custody order.
            may.retain(|p| !(people_id.is_some() && p.people_id == people_id));
            must_not.push(PickupPerson { people_id, name, relationship, note });
        }
    }
    Ok((may, must_not))
}

/// Whether `collector` is on a child's "must not collect" list: by the person chosen, or by
/// the name typed (case and spacing aside).
fn is_barred(must_not: &[PickupPerson], collector: &Collector) -> bool {
    let typed = collector.name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    must_not.iter().any(|p| {
        (collector.people_id.is_some() && p.people_id == collector.people_id)
            || (!typed.is_empty() && p.name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase() == typed)
    })
}

/// Releases the chosen children of the tag the code names (all of them when none are chosen).
/// A code that does not match releases nobody; a collector on a child's "must not" list is
/// refused and needs staff ([`release_by_staff`]).
pub fn release_by_code(
    store: &Store,
    actor: &Actor,
    station: &str,
    code: &str,
    people_ids: &[Uuid],
    collected_by: Option<&Collector>,
) -> Result<Released> {
    guessing_in(store, actor, |tx| {
        tx.require(Permission::AttendanceWrite)?;
        let tag = find_tag(tx.conn(), station, code)?;
        let children = children_of_tag(tx.conn(), actor, tag)?;
        let chosen: Vec<&PickupChild> = if people_ids.is_empty() {
            children.iter().collect()
        } else {
            let mut chosen = Vec::new();
            for id in people_ids {
                let child = children.iter().find(|c| c.people_id == *id).ok_or_else(|| {
                    let name = person_name(tx.conn(), *id).ok().flatten().unwrap_or_else(|| "that person".into());
                    refused(CheckInError::NotOnTag { name })
                })?;
                chosen.push(child);
            }
            chosen
        };
        if let Some(collector) = collected_by {
            if let Some(child) = chosen.iter().find(|c| is_barred(&c.must_not_collect, collector)) {
                return Err(refused(CheckInError::NotAuthorized {
                    collector: collector.name.trim().to_owned(),
                    child: child.name.clone(),
                }));
            }
        }
        let mut result = Released { released: Vec::new(), already_released: Vec::new() };
        for child in chosen {
            release_one(tx, child.class_session_id, child.people_id, ReleaseMethod::Code, collected_by, &mut result)?;
        }
        Ok(result)
    })
}

/// Staff release children without the tag's code, or to someone the office barred, giving a
/// reason. The reason is on the audit row and on the attendance, flagged for the day's report.
pub fn release_by_staff(
    tx: &mut WriteTx<'_>,
    class_session_id: Uuid,
    people_ids: &[Uuid],
    reason: &str,
    collected_by: Option<&Collector>,
) -> Result<Released> {
    tx.require(Permission::CheckinOverride)?;
    if people_ids.is_empty() {
        return Err(ValidationError::new("people_ids", "choose who to release").into());
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ValidationError::new("reason", "say why the child is released without the tag's code").into());
    }
    if reason.chars().count() > 500 {
        return Err(ValidationError::new("reason", "keep the reason under 500 characters").into());
    }
    let barred_to = collected_by
        .map(|collector| -> Result<bool> {
            for id in people_ids {
                let (_, must_not) = pickup_lists(tx.conn(), tx.actor(), *id)?;
                if is_barred(&must_not, collector) {
                    return Ok(true);
                }
            }
            Ok(false)
        })
        .transpose()?
        .unwrap_or(false);
    tx.set_reason(Some(if barred_to {
        format!("released to someone on the child's not-authorized list: {reason}")
    } else {
        reason.to_owned()
    }));
    let mut result = Released { released: Vec::new(), already_released: Vec::new() };
    for id in people_ids {
        release_one(tx, class_session_id, *id, ReleaseMethod::Staff, collected_by, &mut result)?;
    }
    Ok(result)
}

/// A person's first and last name, as the station's messages name them.
fn person_name(conn: &Connection, people_id: Uuid) -> Result<Option<String>> {
    conn.optional("SELECT first_name || ' ' || last_name FROM people WHERE id = ?1", [people_id.to_string()])
}

fn release_one(
    tx: &mut WriteTx<'_>,
    class_session_id: Uuid,
    people_id: Uuid,
    method: ReleaseMethod,
    collected_by: Option<&Collector>,
    result: &mut Released,
) -> Result<()> {
    let name = person_name(tx.conn(), people_id)?.unwrap_or_default();
    let mut record = attendance::record_of(tx.conn(), class_session_id, people_id)?
        .filter(|r| r.meta.is_active && r.check_in_at.is_some())
        .ok_or_else(|| StoreError::Conflict {
            field: "people_ids",
            message: format!("{name} is not checked in to this session"),
        })?;
    if record.check_out_at.is_some() {
        result.already_released.push(name);
        return Ok(());
    }
    record.check_out_at = Some(tx.now());
    record.released_by = tx.actor().person_id;
    record.release_method = Some(method);
    record.release_reason = tx.reason().map(str::to_owned).filter(|_| method == ReleaseMethod::Staff);
    record.collected_by = collected_by.map(|c| c.name.trim().to_owned()).filter(|n| !n.is_empty());
    records::update_derived(tx, record)?;
    result.released.push(name);
    Ok(())
}

/// How a reprint is allowed: the guardian tag's code, or a staff member (the actor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReprintProof<'a> {
    Code(&'a str),
    Staff,
}

/// A child's label and their guardian tag again, audited with how it was allowed (never the
/// code itself).
pub fn reprint(
    store: &Store,
    actor: &Actor,
    station: &str,
    class_session_id: Uuid,
    people_id: Uuid,
    proof: ReprintProof<'_>,
) -> Result<super::CheckInResult> {
    crate::office::people::require(actor, Permission::AttendanceRead)?;
    let check = || {
        store.write(actor, |tx| {
            let (tag, code) = tag_of(tx.conn(), class_session_id, people_id)?.ok_or_else(|| StoreError::Conflict {
                field: "people_id",
                message: "this child has no guardian tag for this session, so there is nothing to reprint".into(),
            })?;
            match proof {
                ReprintProof::Code(typed) => {
                    if find_tag(tx.conn(), station, typed)? != tag {
                        return Err(refused(CheckInError::WrongCode));
                    }
                }
                ReprintProof::Staff => tx.require(Permission::CheckinOverride)?,
            }
            let mut values = JsonRow::new();
            values.insert("event".into(), json!("labels_reprinted"));
            values.insert("class_session_id".into(), json!(class_session_id));
            values.insert("allowed_by".into(), json!(if proof == ReprintProof::Staff { "staff" } else { "tag" }));
            tx.audit_only("check_in_labels", &people_id.to_string(), AuditAction::Update, None, Some(&values))?;
            super::arrivals::labels_for_tag(tx.conn(), tx.actor(), tag, code)
        })
    };
    match proof {
        ReprintProof::Code(_) => guessing(store, check),
        ReprintProof::Staff => check(),
    }
}
