//! Finding families as you type at the station: everyone who matches and everyone in their
//! households, so a parent can check in the whole family at once.

use super::CheckInError;
use super::{is_child, requirement_scope, MOST_SEVERE_FIRST};
use crate::db::{Query, Result, Store, StoreError};
use crate::office::search::{self, NameMatch};
use cct_domain::records::{AttendanceRecord, SpecialRequirement};
use cct_domain::{Actor, Permission, Timestamp, ValidationError};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;
use uuid::Uuid;

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
    /// Whether they are in the session searched for, or have left it. Never a code: a
    /// passer-by can read the station's screen.
    pub presence: Option<Presence>,
    /// Only those the volunteer's role may see.
    pub special_requirements: Vec<SpecialRequirement>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Presence {
    pub checked_in_at: Option<Timestamp>,
    pub checked_out_at: Option<Timestamp>,
}

impl From<AttendanceRecord> for Presence {
    fn from(record: AttendanceRecord) -> Self {
        Presence { checked_in_at: record.check_in_at, checked_out_at: record.check_out_at }
    }
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
/// a phone), each with all its members. A search is a handful of quick statements on a reader.
pub fn search_families(store: &Store, actor: &Actor, text: &str, class_session_id: Uuid) -> Result<FamilySearch> {
    crate::office::people::require(actor, Permission::AttendanceRead)?;
    store.read(|conn| search_on(conn, actor, text, class_session_id))
}

fn search_on(conn: &rusqlite::Connection, actor: &Actor, text: &str, class_session_id: Uuid) -> Result<FamilySearch> {
    let (matches, complete) = search::search_names(conn, actor, text, 12)?;
    families_of(conn, actor, &matches, complete, class_session_id)
}

/// What a family card's QR code says: the household (or a person of none).
pub const FAMILY_CARD_PREFIX: &str = "CCT-FAMILY:";
pub const PERSON_CARD_PREFIX: &str = "CCT-PERSON:";

/// Self check-in: one family, found by the last four digits of a phone (or the whole number),
/// or by their family card. Nobody else's names are ever in the answer: digits that more than
/// one family's phones end with are refused, asking for the whole number.
pub fn find_own_family(store: &Store, actor: &Actor, typed: &str, class_session_id: Uuid) -> Result<FamilySearch> {
    crate::office::people::require(actor, Permission::AttendanceRead)?;
    store.read(|conn| {
        let typed = typed.trim();
        let card = typed
            .strip_prefix(FAMILY_CARD_PREFIX)
            .map(|id| ("household_id", id))
            .or_else(|| typed.strip_prefix(PERSON_CARD_PREFIX).map(|id| ("id", id)));
        let found: Vec<NameMatch> = if let Some((column, id)) = card {
            card_holder(conn, column, id)?
        } else {
            let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
            if digits.len() < 4 || digits.len() != typed.chars().filter(|c| c.is_alphanumeric()).count() {
                return Err(ValidationError::new(
                    "text",
                    "type the last 4 digits of your phone number, or scan your family card",
                )
                .into());
            }
            // The index holds each phone's last four digits as a word; the whole number typed
            // narrows those down.
            let last_four = &digits[digits.len() - 4..];
            conn.tuples::<(String, Option<String>, Option<String>)>(
                "SELECT p.id, p.household_id, p.phone FROM people_fts f JOIN people p ON p.rowid = f.rowid
                 WHERE people_fts MATCH ?1 AND p.is_active = 1",
                [format!("phone_digits : \"{last_four}\"")],
            )?
            .into_iter()
            .filter(|(_, _, phone)| {
                phone
                    .as_deref()
                    .is_some_and(|p| p.chars().filter(char::is_ascii_digit).collect::<String>().ends_with(&digits))
            })
            .map(|(id, household_id, _)| NameMatch { id, household_id })
            .collect()
        };
        let mut families: Vec<String> =
            found.iter().map(|m| m.household_id.clone().unwrap_or_else(|| m.id.clone())).collect();
        families.sort();
        families.dedup();
        match families.len() {
            0 => Err(CheckInError::NoFamily.into()),
            1 => families_of(conn, actor, &found[..1], true, class_session_id),
            _ => Err(CheckInError::ManyFamilies.into()),
        }
    })
}

/// Someone active whom a card names: by their household (`household_id`) or themselves (`id`).
fn card_holder(conn: &rusqlite::Connection, column: &'static str, id: &str) -> Result<Vec<NameMatch>> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| StoreError::from(CheckInError::NoFamily))?;
    let sql = format!("SELECT id, household_id FROM people WHERE {column} = ?1 AND is_active = 1 LIMIT 1");
    Ok(conn
        .tuples::<(String, Option<String>)>(&sql, [id.to_string()])?
        .into_iter()
        .map(|(id, household_id)| NameMatch { id, household_id })
        .collect())
}

fn families_of(
    conn: &rusqlite::Connection,
    actor: &Actor,
    matches: &[NameMatch],
    complete: bool,
    class_session_id: Uuid,
) -> Result<FamilySearch> {
    if matches.is_empty() {
        return Ok(FamilySearch { families: Vec::new(), complete });
    }
    let match_ids = json_list(matches.iter().map(|m| &m.id));
    let household_ids = json_list(matches.iter().filter_map(|m| m.household_id.as_ref()));
    // Everyone found and everyone in their households, in one statement and only the columns
    // the station shows.
    let people: Vec<MemberRow> = conn
        .tuples::<(String, String, String, Option<String>, Option<String>, Option<String>, Option<String>)>(
            "SELECT id, first_name, last_name, nickname, date_of_birth, household_id, household_name FROM people
             WHERE is_active = 1 AND (id IN (SELECT value FROM json_each(?1)) OR household_id IN (SELECT value FROM json_each(?2)))
             ORDER BY date_of_birth",
            [&match_ids, &household_ids],
        )?
        .into_iter()
        .map(|(id, first_name, last_name, nickname, date_of_birth, household_id, household_name)| MemberRow {
            id,
            first_name,
            last_name,
            nickname,
            date_of_birth,
            household_id,
            household_name,
        })
        .collect();
    let ids = json_list(people.iter().map(|p| &p.id));
    let mut attendance: HashMap<Uuid, AttendanceRecord> = HashMap::new();
    for record in conn.records::<AttendanceRecord>(
        "attendance_record",
        "SELECT * FROM attendance_record WHERE class_session_id = ?1 AND is_active = 1 AND people_id IN (SELECT value FROM json_each(?2))",
        [class_session_id.to_string(), ids.clone()],
    )? {
        attendance.insert(record.people_id, record);
    }
    let mut needs: HashMap<Uuid, Vec<SpecialRequirement>> = HashMap::new();
    if actor.can(Permission::SpecialRequirementsRead) {
        let scope = requirement_scope(actor);
        let sql = format!("SELECT * FROM special_requirement WHERE is_active = 1 AND people_id IN (SELECT value FROM json_each(?1)){scope} ORDER BY {MOST_SEVERE_FIRST}");
        for need in conn.records::<SpecialRequirement>("special_requirement", &sql, [&ids])? {
            needs.entry(need.people_id).or_default().push(need);
        }
    }
    let today = Timestamp::now().date();
    // Families in the order their first match ranked; people without a household stand alone.
    let mut families: Vec<Family> = Vec::new();
    for found in matches {
        let members: Vec<&MemberRow> = match &found.household_id {
            Some(household)
                if families.iter().any(|f| f.household_id.map(|id| id.to_string()).as_ref() == Some(household)) =>
            {
                continue
            }
            Some(household) => people.iter().filter(|p| p.household_id.as_ref() == Some(household)).collect(),
            None => people.iter().filter(|p| p.id == found.id).collect(),
        };
        let Some(first) = members.first() else { continue };
        families.push(Family {
            household_id: found.household_id.as_deref().and_then(|id| Uuid::parse_str(id).ok()),
            name: first.household_name.clone().unwrap_or_else(|| first.display_name()),
            members: members
                .into_iter()
                .filter_map(|member| member.to_family_member(today, &mut attendance, &mut needs))
                .collect(),
        });
    }
    Ok(FamilySearch { families, complete })
}

/// Ids as a JSON array, for `json_each`.
fn json_list<'a>(ids: impl Iterator<Item = &'a String>) -> String {
    serde_json::to_string(&ids.collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into())
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

    fn to_family_member(
        &self,
        today: NaiveDate,
        attendance: &mut HashMap<Uuid, AttendanceRecord>,
        needs: &mut HashMap<Uuid, Vec<SpecialRequirement>>,
    ) -> Option<FamilyMember> {
        let id = Uuid::parse_str(&self.id).ok()?;
        let date_of_birth = self.date_of_birth.as_deref().and_then(|d| d.parse::<NaiveDate>().ok());
        Some(FamilyMember {
            person: StationPerson {
                id,
                first_name: self.first_name.clone(),
                last_name: self.last_name.clone(),
                nickname: self.nickname.clone(),
            },
            is_child: is_child(date_of_birth, today),
            presence: attendance.remove(&id).map(Presence::from),
            special_requirements: needs.remove(&id).unwrap_or_default(),
        })
    }
}
