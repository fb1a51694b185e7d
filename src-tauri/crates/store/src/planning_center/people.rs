//! People pulled from Planning Center, applied here: linked to the local record (by Planning
//! Center id, or by the stamp we sent when we created them), inserted, or held as a possible
//! duplicate of someone added here and not yet sent. Fields where the two disagree are settled
//! by the conflict rule (`cct_domain::rules::conflict`), and every clash is kept for a person
//! to see. Pulled changes are written by the system actor with the outbox off: they came from
//! Planning Center and must not be sent back.

use super::duplicates::{hold_as_possible_duplicate, DuplicateCandidate};
use super::outbox::OutboxGroup;
use crate::db::{AuditAction, JsonRow, Query, Result, Store, StoreError, WriteTx};
use crate::records;
use cct_domain::records::{Household, Person, PersonStatus};
use cct_domain::rules::conflict::{reconcile, Clash, FieldValue, LocalEdits};
use cct_domain::{new_id, Actor, Permission, Timestamp};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashSet;
use ts_rs::TS;
use uuid::Uuid;

/// A person as Planning Center has them, in local terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RemotePerson {
    pub planning_center_id: String,
    pub first_name: String,
    pub last_name: String,
    pub nickname: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<String>,
    pub inactive: bool,
    pub address1: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub household: Option<(String, String)>,
    pub remote_id: Option<i64>,
    pub updated_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Inserted(Uuid),
    /// Not applied: someone added here, not yet in Planning Center, may be this person. Their
    /// changes wait for a person to decide (see [`super::duplicates::resolve_duplicate`]).
    HeldAsPossibleDuplicate(Uuid),
    Updated {
        id: Uuid,
        conflicts: usize,
    },
    Unchanged(Uuid),
}

/// Applies one pulled person under the conflict rule.
pub fn apply_remote_person(tx: &mut WriteTx<'_>, remote: &RemotePerson) -> Result<Applied> {
    tx.require(Permission::SyncManage)?;
    tx.disable_outbox();
    let household_id = match &remote.household {
        Some((pco_id, name)) => Some(upsert_household(tx, pco_id, name)?),
        None => None,
    };
    let by_pco = tx.conn().id("SELECT id FROM people WHERE planning_center_id = ?1", [&remote.planning_center_id])?;
    if by_pco.is_none() {
        if let Some(stamp) = remote.remote_id {
            let ours = tx
                .conn()
                .id("SELECT id FROM people WHERE pco_remote_id = ?1 AND planning_center_id IS NULL", [stamp])?;
            if let Some(id) = ours {
                // We created this person and a crash cut the sync off before we recorded it.
                // Planning Center holds only part of what we sent: every local value stays, and
                // the queued entries finish sending the rest.
                link_person(tx, id, &remote.planning_center_id)?;
                set_remote_stamp(tx, id, remote.updated_at)?;
                return Ok(Applied::Unchanged(id));
            }
        }
        if let Some(twin) = unlinked_match(tx, remote)? {
            return Ok(Applied::HeldAsPossibleDuplicate(twin));
        }
    }
    let Some(local_id) = by_pco else {
        let person = Person {
            planning_center_id: Some(remote.planning_center_id.clone()),
            first_name: remote.first_name.clone(),
            last_name: remote.last_name.clone(),
            nickname: remote.nickname.clone(),
            email: remote
                .email
                .clone()
                .filter(|e| cct_domain::validate::optional_email("email", &Some(e.clone())).is_ok()),
            phone: remote
                .phone
                .clone()
                .filter(|p| cct_domain::validate::optional_phone("phone", &Some(p.clone())).is_ok()),
            date_of_birth: remote.date_of_birth,
            gender: remote.gender.clone(),
            address1: remote.address1.clone(),
            city: remote.city.clone(),
            state: remote.state.clone(),
            zip: remote.zip.clone(),
            household_id,
            household_name: remote.household.as_ref().map(|(_, n)| n.clone()),
            status: if remote.inactive { PersonStatus::Inactive } else { PersonStatus::Active },
            last_synced_at: Some(tx.now()),
            ..Default::default()
        };
        let person = records::insert_derived(tx, person)?;
        set_remote_stamp(tx, person.meta.id, remote.updated_at)?;
        return Ok(Applied::Inserted(person.meta.id));
    };

    let mut local: Person = records::get_in(tx, local_id)?;
    let unsent: i64 = tx.conn().scalar(
        "SELECT COUNT(*) FROM pco_outbox WHERE table_name = 'people' AND record_id = ?1 AND status IN ('pending', 'in_flight', 'held', 'failed')",
        [local_id.to_string()],
    )?;
    let edits = LocalEdits {
        unsent: unsent > 0,
        local_is_newer: remote.updated_at.is_none_or(|remote_at| local.meta.updated_at > remote_at),
    };
    let before = local.clone();
    let remote_status = if remote.inactive { PersonStatus::Inactive } else { PersonStatus::Active };
    let clashes: Vec<Clash> = [
        reconcile("first_name", &mut local.first_name, remote.first_name.clone(), edits),
        reconcile("last_name", &mut local.last_name, remote.last_name.clone(), edits),
        reconcile("nickname", &mut local.nickname, remote.nickname.clone(), edits),
        reconcile("email", &mut local.email, remote.email.clone(), edits),
        reconcile("phone", &mut local.phone, remote.phone.clone(), edits),
        reconcile("date_of_birth", &mut local.date_of_birth, remote.date_of_birth, edits),
        reconcile("gender", &mut local.gender, remote.gender.clone(), edits),
        reconcile("address1", &mut local.address1, remote.address1.clone(), edits),
        reconcile("city", &mut local.city, remote.city.clone(), edits),
        reconcile("state", &mut local.state, remote.state.clone(), edits),
        reconcile("zip", &mut local.zip, remote.zip.clone(), edits),
        reconcile("status", &mut local.status, remote_status, edits),
    ]
    .into_iter()
    .flatten()
    .collect();
    local.planning_center_id = Some(remote.planning_center_id.clone());
    if household_id.is_some() {
        local.household_id = household_id;
        local.household_name = remote.household.as_ref().map(|(_, n)| n.clone());
    }
    for clash in &clashes {
        record_clash(tx, "people", local_id, clash)?;
    }
    let changed = local != before;
    local.last_synced_at = Some(tx.now());
    if changed {
        records::update_derived(tx, local)?;
    } else {
        // Only bookkeeping changed: no audit row for a sync timestamp.
        tx.conn().run(
            "UPDATE people SET last_synced_at = ?1 WHERE id = ?2",
            [tx.now().to_rfc3339(), local_id.to_string()],
        )?;
    }
    set_remote_stamp(tx, local_id, remote.updated_at)?;
    Ok(if changed { Applied::Updated { id: local_id, conflicts: clashes.len() } } else { Applied::Unchanged(local_id) })
}

/// An active local person not yet in Planning Center who may be this remote person (same
/// e-mail, same phone, or same name and birthdate). They are held as a possible duplicate with
/// this remote person as the candidate, instead of a second local record being made.
fn unlinked_match(tx: &mut WriteTx<'_>, remote: &RemotePerson) -> Result<Option<Uuid>> {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    // Runs for every pulled person not yet here, so SQLite narrows the unlinked people to
    // those that could match before any is read. The checks below decide; this only has to
    // keep every row they could accept (an e-mail with non-ASCII letters, which SQLite's
    // lower() leaves alone, or a phone with characters the replace chain does not strip, is
    // kept and checked in Rust).
    let remote_email = remote.email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_lowercase);
    let remote_digits = remote.phone.as_deref().map(digits).filter(|d| d.len() >= 7);
    let people: Vec<Person> = tx.conn().records(
        "people",
        "SELECT * FROM people WHERE planning_center_id IS NULL AND is_active = 1 AND (
             (?1 IS NOT NULL AND email IS NOT NULL AND (lower(trim(email)) = ?1 OR email GLOB '*[^ -~]*'))
          OR (?2 IS NOT NULL AND phone IS NOT NULL AND (
                 replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', '') = ?2
              OR phone GLOB '*[^0-9 ().+-]*'))
          OR (?3 IS NOT NULL AND date_of_birth = ?3)
         ) ORDER BY rowid",
        rusqlite::params![remote_email, remote_digits, remote.date_of_birth.map(|d| d.to_string())],
    )?;
    for person in people {
        let reason = if person.email.is_some() && person.email.same(&remote.email) {
            "same e-mail"
        } else if person
            .phone
            .as_deref()
            .map(digits)
            .filter(|d| d.len() >= 7)
            .is_some_and(|d| Some(d) == remote.phone.as_deref().map(digits))
        {
            "same phone number"
        } else if person.date_of_birth.is_some()
            && person.date_of_birth == remote.date_of_birth
            && person.first_name.eq_ignore_ascii_case(&remote.first_name)
            && person.last_name.eq_ignore_ascii_case(&remote.last_name)
        {
            "same name and birthdate"
        } else {
            continue;
        };
        let candidate = DuplicateCandidate {
            planning_center_id: remote.planning_center_id.clone(),
            name: format!("{} {}", remote.first_name, remote.last_name).trim().to_owned(),
            email: remote.email.clone(),
            phone: remote.phone.clone(),
            birthdate: remote.date_of_birth.map(|d| d.to_string()),
            reason: reason.into(),
        };
        let entry_ids: Vec<String> = tx.conn().column(
            "SELECT id FROM pco_outbox WHERE table_name = 'people' AND record_id = ?1 AND status IN ('pending', 'failed')",
            [person.meta.id.to_string()],
        )?;
        let group = OutboxGroup { table_name: "people".into(), record_id: person.meta.id, entry_ids };
        hold_as_possible_duplicate(tx, &group, &[candidate])?;
        return Ok(Some(person.meta.id));
    }
    Ok(None)
}

fn set_remote_stamp(tx: &WriteTx<'_>, person: Uuid, updated_at: Option<Timestamp>) -> Result<()> {
    tx.conn().run(
        "UPDATE people SET pco_updated_at = ?1 WHERE id = ?2",
        rusqlite::params![updated_at.map(|t| t.to_rfc3339()), person.to_string()],
    )?;
    Ok(())
}

fn record_clash(tx: &WriteTx<'_>, table: &str, record: Uuid, clash: &Clash) -> Result<()> {
    tx.conn().run(
        "INSERT INTO pco_sync_conflict (id, table_name, record_id, field, local_value, remote_value, resolution, detected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        rusqlite::params![new_id().to_string(), table, record.to_string(), clash.field, clash.local, clash.remote, clash.resolution.as_str(), tx.now().to_rfc3339()],
    )?;
    Ok(())
}

/// Finds or creates the local household for a Planning Center household.
pub fn upsert_household(tx: &mut WriteTx<'_>, planning_center_id: &str, name: &str) -> Result<Uuid> {
    tx.disable_outbox();
    match tx.conn().id("SELECT id FROM household WHERE planning_center_id = ?1", [planning_center_id])? {
        Some(id) => {
            let mut household: Household = records::get_in(tx, id)?;
            if household.name != name && !name.trim().is_empty() {
                household.name = name.to_owned();
                records::update_derived(tx, household)?;
            }
            Ok(id)
        }
        None => {
            let name = if name.trim().is_empty() { "Household".to_owned() } else { name.to_owned() };
            Ok(records::insert_derived(
                tx,
                Household { planning_center_id: Some(planning_center_id.to_owned()), name, ..Default::default() },
            )?
            .meta
            .id)
        }
    }
}

/// Marks inactive every linked local person whose Planning Center record no longer exists
/// (deleted or merged away there). Never a hard delete.
pub fn deactivate_missing_people(tx: &mut WriteTx<'_>, remote_ids: &HashSet<String>) -> Result<usize> {
    tx.require(Permission::SyncManage)?;
    tx.disable_outbox();
    let linked: Vec<(String, String)> = tx.conn().tuples(
        "SELECT id, planning_center_id FROM people WHERE planning_center_id IS NOT NULL AND is_active = 1",
        [],
    )?;
    let mut count = 0;
    for (id, pco_id) in linked {
        if remote_ids.contains(&pco_id) {
            continue;
        }
        if let Ok(id) = Uuid::parse_str(&id) {
            records::deactivate::<Person>(tx, id)?;
            count += 1;
        }
    }
    Ok(count)
}

/// Retires the person linked to `planning_center_id`, whom Planning Center no longer has
/// (a webhook said so, and a read of them confirmed it): what the next reconciliation would do,
/// at once. Returns whether someone here was retired. Never a hard delete.
pub fn deactivate_removed_person(tx: &mut WriteTx<'_>, planning_center_id: &str) -> Result<bool> {
    tx.require(Permission::SyncManage)?;
    tx.disable_outbox();
    let linked =
        tx.conn().id("SELECT id FROM people WHERE planning_center_id = ?1 AND is_active = 1", [planning_center_id])?;
    match linked {
        Some(id) => {
            records::deactivate::<Person>(tx, id)?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Records the Planning Center id of a person we just created (or found by our stamp), before
/// anything else is sent for them.
pub fn link_person(tx: &mut WriteTx<'_>, people_id: Uuid, planning_center_id: &str) -> Result<()> {
    tx.require(Permission::SyncManage)?;
    let taken = tx.conn().id(
        "SELECT id FROM people WHERE planning_center_id = ?1 AND id <> ?2",
        [planning_center_id.to_owned(), people_id.to_string()],
    )?;
    if taken.is_some() {
        return Err(StoreError::Duplicate { table: "people".into(), field: "planning_center_id".into() });
    }
    tx.conn().run(
        "UPDATE people SET planning_center_id = ?1, last_synced_at = ?2 WHERE id = ?3",
        [planning_center_id.to_owned(), tx.now().to_rfc3339(), people_id.to_string()],
    )?;
    let mut audit = JsonRow::new();
    audit.insert("planning_center_id".into(), Value::String(planning_center_id.into()));
    tx.audit("people", &people_id.to_string(), AuditAction::Update, None, Some(&audit))
}

/// Gives a person the integer stamp we send as Planning Center's `remote_id`, committed before
/// the create is sent, so a create cut off by a crash is recognised afterwards. Derived from the
/// UUID's random tail (53 bits, safe in any JSON number); unique, enforced by an index.
pub fn stamp_for_create(store: &Store, id: Uuid) -> Result<i64> {
    store.write(&Actor::system(), |tx| {
        let existing: Option<Option<i64>> =
            tx.conn().optional("SELECT pco_remote_id FROM people WHERE id = ?1", [id.to_string()])?;
        if let Some(stamp) = existing.ok_or(StoreError::NotFound { table: "people", id })? {
            return Ok(stamp);
        }
        let bytes = id.as_bytes();
        let mut tail = [0u8; 8];
        tail.copy_from_slice(&bytes[8..16]);
        let stamp = (u64::from_be_bytes(tail) & ((1 << 53) - 1)).max(1) as i64;
        tx.conn()
            .run("UPDATE people SET pco_remote_id = ?1 WHERE id = ?2", rusqlite::params![stamp, id.to_string()])?;
        // Shared, so another device sending this person finds the create by the same stamp.
        let mut stamped = JsonRow::new();
        stamped.insert("pco_remote_id".into(), Value::from(stamp));
        tx.record_team_change("people", &id.to_string(), &stamped, false)?;
        Ok(stamp)
    })
}

/// The local person with this Planning Center id, for mapping attendees.
pub fn person_by_planning_center_id(store: &Store, planning_center_id: &str) -> Result<Option<Uuid>> {
    store.read(|conn| conn.id(LINKED_PERSON, [planning_center_id]))
}

/// [`person_by_planning_center_id`] as a transaction sees it.
pub fn linked_person(tx: &WriteTx<'_>, planning_center_id: &str) -> Result<Option<Uuid>> {
    tx.conn().id(LINKED_PERSON, [planning_center_id])
}

const LINKED_PERSON: &str = "SELECT id FROM people WHERE planning_center_id = ?1";

/// A field where this computer and Planning Center disagreed while a change waited here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncConflict {
    pub id: Uuid,
    pub table_name: String,
    pub record_id: Uuid,
    pub field: String,
    /// The values as a person reads them; `None` for an empty field.
    pub local_value: Option<String>,
    pub remote_value: Option<String>,
    pub resolution: String,
    pub detected_at: Timestamp,
}

/// The latest clashes, newest first.
pub fn conflicts(store: &Store, actor: &Actor, limit: u32) -> Result<Vec<SyncConflict>> {
    crate::office::people::require(actor, Permission::SyncManage)?;
    store.read(|conn| {
        conn.records(
            "pco_sync_conflict",
            "SELECT * FROM pco_sync_conflict ORDER BY detected_at DESC LIMIT ?1",
            [limit.min(1000)],
        )
    })
}
