//! The local side of syncing with Planning Center: applying pulled records under the conflict
//! policy, grouping and acknowledging outbox entries, possible duplicates, and reconciling
//! deletions. Pulled changes are written by the system actor with the outbox off: they came
//! from Planning Center and must not be sent back.
//!
//! Conflict policy, per field of a person: when the local record has no unsent change,
//! Planning Center's value is taken. When it has one (an outbox entry not yet sent) and the
//! field differs, the newer edit wins: the local value if the local record was updated after
//! Planning Center's, else Planning Center's. Every such clash is logged in
//! `pco_sync_conflict` for a person to see.

use crate::records;
use crate::row::{from_row, read_row};
use crate::{Result, Store, StoreError, WriteTx};
use cct_domain::records::{Household, Person, PersonStatus};
use cct_domain::{new_id, Actor, Permission, Timestamp};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashSet;
use uuid::Uuid;
use ts_rs::TS;

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
    /// changes wait for a person to decide (see [`resolve_duplicate`]).
    HeldAsPossibleDuplicate(Uuid),
    Updated { id: Uuid, conflicts: usize },
    Unchanged(Uuid),
}

/// A value Planning Center does not have: it never erases one entered here and not yet sent.
fn is_blank(debug: &str) -> bool {
    matches!(debug, "None" | "\"\"" | "Some(\"\")")
}

fn same_text(a: &Option<String>, b: &Option<String>) -> bool {
    let norm = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_lowercase);
    norm(a) == norm(b)
}

/// Applies one pulled person: links it to a local record (by Planning Center id, or by the
/// remote_id we stamped when we created it), or inserts it, under the conflict policy.
pub async fn apply_remote_person(tx: &mut WriteTx<'_>, remote: &RemotePerson) -> Result<Applied> {
    tx.require(Permission::SyncManage)?;
    tx.disable_outbox();
    let household_id = match &remote.household {
        Some((pco_id, name)) => Some(upsert_household(tx, pco_id, name).await?),
        None => None,
    };
    let by_pco: Option<String> = sqlx::query_scalar("SELECT id FROM people WHERE planning_center_id = ?").bind(&remote.planning_center_id).fetch_optional(tx.conn()).await?;
    if by_pco.is_none() {
        if let Some(stamp) = remote.remote_id {
            let ours: Option<String> = sqlx::query_scalar("SELECT id FROM people WHERE pco_remote_id = ? AND planning_center_id IS NULL").bind(stamp).fetch_optional(tx.conn()).await?;
            if let Some(id) = ours.and_then(|id| Uuid::parse_str(&id).ok()) {
                // We created this person and a crash cut the sync off before we recorded it.
                // Planning Center holds only part of what we sent: every local value stays, and
                // the queued entries finish sending the rest.
                link_person(tx, id, &remote.planning_center_id).await?;
                set_remote_stamp(tx, id, remote.updated_at).await?;
                return Ok(Applied::Unchanged(id));
            }
        }
        if let Some(twin) = unlinked_match(tx, remote).await? {
            return Ok(Applied::HeldAsPossibleDuplicate(twin));
        }
    }
    let local_id = by_pco.and_then(|id| Uuid::parse_str(&id).ok());
    let Some(local_id) = local_id else {
        let person = Person {
            planning_center_id: Some(remote.planning_center_id.clone()),
            first_name: remote.first_name.clone(),
            last_name: remote.last_name.clone(),
            nickname: remote.nickname.clone(),
            email: remote.email.clone().filter(|e| cct_domain::validate::optional_email("email", &Some(e.clone())).is_ok()),
            phone: remote.phone.clone().filter(|p| cct_domain::validate::optional_phone("phone", &Some(p.clone())).is_ok()),
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
        let person = records::insert_derived(tx, person).await?;
        set_remote_stamp(tx, person.meta.id, remote.updated_at).await?;
        return Ok(Applied::Inserted(person.meta.id));
    };

    let mut local: Person = records::get_in(tx, local_id).await?;
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pco_outbox WHERE table_name = 'people' AND record_id = ? AND status IN ('pending', 'in_flight', 'held', 'failed')")
        .bind(local_id.to_string())
        .fetch_one(tx.conn())
        .await?;
    let local_is_newer = remote.updated_at.is_none_or(|remote_at| local.meta.updated_at > remote_at);
    let before = local.clone();
    let mut conflicts = Vec::new();
    macro_rules! reconcile {
        ($field:ident, $remote:expr, $same:expr) => {{
            let remote_value = $remote;
            if !$same(&local.$field, &remote_value) {
                if pending > 0 && (local_is_newer || is_blank(&format!("{:?}", remote_value))) {
                    conflicts.push((stringify!($field), format!("{:?}", local.$field), format!("{:?}", remote_value), "local_won"));
                } else {
                    if pending > 0 {
                        conflicts.push((stringify!($field), format!("{:?}", local.$field), format!("{:?}", remote_value), "remote_won"));
                    }
                    local.$field = remote_value;
                }
            }
        }};
    }
    let eq_string = |a: &String, b: &String| a.trim() == b.trim();
    reconcile!(first_name, remote.first_name.clone(), eq_string);
    reconcile!(last_name, remote.last_name.clone(), eq_string);
    reconcile!(nickname, remote.nickname.clone(), same_text);
    reconcile!(email, remote.email.clone(), same_text);
    reconcile!(phone, remote.phone.clone(), same_text);
    reconcile!(date_of_birth, remote.date_of_birth, |a: &Option<NaiveDate>, b: &Option<NaiveDate>| a == b);
    reconcile!(gender, remote.gender.clone(), same_text);
    reconcile!(address1, remote.address1.clone(), same_text);
    reconcile!(city, remote.city.clone(), same_text);
    reconcile!(state, remote.state.clone(), same_text);
    reconcile!(zip, remote.zip.clone(), same_text);
    let remote_status = if remote.inactive { PersonStatus::Inactive } else { PersonStatus::Active };
    reconcile!(status, remote_status, |a: &PersonStatus, b: &PersonStatus| a == b);
    local.planning_center_id = Some(remote.planning_center_id.clone());
    if household_id.is_some() {
        local.household_id = household_id;
        local.household_name = remote.household.as_ref().map(|(_, n)| n.clone());
    }
    for (field, local_value, remote_value, resolution) in &conflicts {
        record_conflict(tx, "people", local_id, field, local_value, remote_value, resolution).await?;
    }
    let changed = local != before;
    local.last_synced_at = Some(tx.now());
    if changed {
        records::update_derived(tx, local).await?;
    } else {
        // Only bookkeeping changed: no audit row for a sync timestamp.
        sqlx::query("UPDATE people SET last_synced_at = ? WHERE id = ?").bind(tx.now().to_rfc3339()).bind(local_id.to_string()).execute(tx.conn()).await?;
    }
    set_remote_stamp(tx, local_id, remote.updated_at).await?;
    Ok(if changed { Applied::Updated { id: local_id, conflicts: conflicts.len() } } else { Applied::Unchanged(local_id) })
}

/// An active local person not yet in Planning Center who may be this remote person (same
/// e-mail, same phone, or same name and birthdate). They are held as a possible duplicate with
/// this remote person as the candidate, instead of a second local record being made.
async fn unlinked_match(tx: &mut WriteTx<'_>, remote: &RemotePerson) -> Result<Option<Uuid>> {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    // Runs for every pulled person not yet here, so SQLite narrows the unlinked people to
    // those that could match before any is read. The checks below decide; this only has to
    // keep every row they could accept (an e-mail with non-ASCII letters, which SQLite's
    // lower() leaves alone, or a phone with characters the replace chain does not strip, is
    // kept and checked in Rust).
    let remote_email = remote.email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_lowercase);
    let remote_digits = remote.phone.as_deref().map(digits).filter(|d| d.len() >= 7);
    let rows = sqlx::query(
        "SELECT * FROM people WHERE planning_center_id IS NULL AND is_active = 1 AND (
             (?1 IS NOT NULL AND email IS NOT NULL AND (lower(trim(email)) = ?1 OR email GLOB '*[^ -~]*'))
          OR (?2 IS NOT NULL AND phone IS NOT NULL AND (
                 replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', '') = ?2
              OR phone GLOB '*[^0-9 ().+-]*'))
          OR (?3 IS NOT NULL AND date_of_birth = ?3)
         ) ORDER BY rowid",
    )
    .bind(&remote_email)
    .bind(&remote_digits)
    .bind(remote.date_of_birth.map(|d| d.to_string()))
    .fetch_all(tx.conn())
    .await?;
    for row in rows {
        let person: Person = from_row("people", read_row(&row)?)?;
        let reason = if person.email.is_some() && same_text(&person.email, &remote.email) {
            "same e-mail"
        } else if person.phone.as_deref().map(digits).filter(|d| d.len() >= 7).is_some_and(|d| Some(d) == remote.phone.as_deref().map(digits)) {
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
        let entries: Vec<String> = sqlx::query_scalar("SELECT id FROM pco_outbox WHERE table_name = 'people' AND record_id = ? AND status IN ('pending', 'failed')")
            .bind(person.meta.id.to_string())
            .fetch_all(tx.conn())
            .await?;
        let group = OutboxGroup { table_name: "people".into(), record_id: person.meta.id, entry_ids: entries };
        hold_as_possible_duplicate(tx, &group, &[candidate]).await?;
        return Ok(Some(person.meta.id));
    }
    Ok(None)
}

async fn set_remote_stamp(tx: &mut WriteTx<'_>, person: Uuid, updated_at: Option<Timestamp>) -> Result<()> {
    sqlx::query("UPDATE people SET pco_updated_at = ? WHERE id = ?").bind(updated_at.map(|t| t.to_rfc3339())).bind(person.to_string()).execute(tx.conn()).await?;
    Ok(())
}

async fn record_conflict(tx: &mut WriteTx<'_>, table: &str, record: Uuid, field: &str, local: &str, remote: &str, resolution: &str) -> Result<()> {
    sqlx::query("INSERT INTO pco_sync_conflict (id, table_name, record_id, field, local_value, remote_value, resolution, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(new_id().to_string())
        .bind(table)
        .bind(record.to_string())
        .bind(field)
        .bind(local)
        .bind(remote)
        .bind(resolution)
        .bind(tx.now().to_rfc3339())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Finds or creates the local household for a Planning Center household.
pub async fn upsert_household(tx: &mut WriteTx<'_>, planning_center_id: &str, name: &str) -> Result<Uuid> {
    tx.disable_outbox();
    let existing: Option<String> = sqlx::query_scalar("SELECT id FROM household WHERE planning_center_id = ?").bind(planning_center_id).fetch_optional(tx.conn()).await?;
    match existing.and_then(|id| Uuid::parse_str(&id).ok()) {
        Some(id) => {
            let mut household: Household = records::get_in(tx, id).await?;
            if household.name != name && !name.trim().is_empty() {
                household.name = name.to_owned();
                records::update_derived(tx, household).await?;
            }
            Ok(id)
        }
        None => {
            let name = if name.trim().is_empty() { "Household".to_owned() } else { name.to_owned() };
            Ok(records::insert_derived(tx, Household { planning_center_id: Some(planning_center_id.to_owned()), name, ..Default::default() }).await?.meta.id)
        }
    }
}

/// Marks inactive every linked local person whose Planning Center record no longer exists
/// (deleted or merged away there). Never a hard delete.
pub async fn deactivate_missing_people(tx: &mut WriteTx<'_>, remote_ids: &HashSet<String>) -> Result<usize> {
    tx.require(Permission::SyncManage)?;
    tx.disable_outbox();
    let linked: Vec<(String, String)> = sqlx::query_as("SELECT id, planning_center_id FROM people WHERE planning_center_id IS NOT NULL AND is_active = 1").fetch_all(tx.conn()).await?;
    let mut count = 0;
    for (id, pco_id) in linked {
        if remote_ids.contains(&pco_id) {
            continue;
        }
        if let Ok(id) = Uuid::parse_str(&id) {
            records::deactivate::<Person>(tx, id).await?;
            count += 1;
        }
    }
    Ok(count)
}

/// Outbox entries for one record, sent as one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxGroup {
    pub table_name: String,
    pub record_id: Uuid,
    pub entry_ids: Vec<String>,
}

/// Pending outbox entries grouped by record, people first (their ids are needed by the rest),
/// each group in the order its first change was made.
pub async fn pending_groups(store: &Store) -> Result<Vec<OutboxGroup>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name, record_id, id FROM pco_outbox WHERE status IN ('pending', 'failed')
         ORDER BY CASE table_name WHEN 'people' THEN 0 WHEN 'household' THEN 1 ELSE 2 END, created_at, id",
    )
    .fetch_all(&mut *store.reader().await?)
    .await?;
    let mut groups: Vec<OutboxGroup> = Vec::new();
    for (table, record, entry) in rows {
        let Ok(record_id) = Uuid::parse_str(&record) else { continue };
        match groups.iter_mut().find(|g| g.table_name == table && g.record_id == record_id) {
            Some(group) => group.entry_ids.push(entry),
            None => groups.push(OutboxGroup { table_name: table, record_id, entry_ids: vec![entry] }),
        }
    }
    Ok(groups)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryOutcome {
    Sent,
    /// Planning Center refused it (403): kept locally, shown, never retried.
    Refused,
    /// A lasting error a person must fix (422); retried after the record changes.
    Failed,
    /// Waiting for a person to decide on a possible duplicate.
    Held,
    /// Nothing in Planning Center to send it to.
    Skipped,
    /// A passing failure (network, rate limit): tried again next run.
    Retry,
}

/// Records what happened to a group of entries. A new person's Planning Center id is recorded
/// by [`link_person`] before anything else is sent for them, so nothing is linked here.
pub async fn settle(tx: &mut WriteTx<'_>, group: &OutboxGroup, outcome: EntryOutcome, error: Option<&str>) -> Result<()> {
    tx.require(Permission::SyncManage)?;
    let status = match outcome {
        EntryOutcome::Sent => "sent",
        EntryOutcome::Refused => "refused",
        EntryOutcome::Failed => "failed",
        EntryOutcome::Held => "held",
        EntryOutcome::Skipped => "skipped",
        EntryOutcome::Retry => "pending",
    };
    for entry in &group.entry_ids {
        sqlx::query("UPDATE pco_outbox SET status = ?, attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?")
            .bind(status)
            .bind(error)
            .bind(tx.now().to_rfc3339())
            .bind(entry)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// Records the Planning Center id of a person we just created (or found by our stamp), before
/// anything else is sent for them.
pub async fn link_person(tx: &mut WriteTx<'_>, people_id: Uuid, planning_center_id: &str) -> Result<()> {
    tx.require(Permission::SyncManage)?;
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM people WHERE planning_center_id = ? AND id <> ?").bind(planning_center_id).bind(people_id.to_string()).fetch_optional(tx.conn()).await?;
    if taken.is_some() {
        return Err(StoreError::Duplicate { table: "people".into(), field: "planning_center_id".into() });
    }
    sqlx::query("UPDATE people SET planning_center_id = ?, last_synced_at = ? WHERE id = ?")
        .bind(planning_center_id)
        .bind(tx.now().to_rfc3339())
        .bind(people_id.to_string())
        .execute(tx.conn())
        .await?;
    let mut audit = crate::row::JsonRow::new();
    audit.insert("planning_center_id".into(), Value::String(planning_center_id.into()));
    tx.audit("people", &people_id.to_string(), crate::AuditAction::Update, None, Some(&audit)).await
}

/// A Registrations attendee of a signup mapped to a local course becomes (or updates) that
/// person's enrollment. Planning Center is the record of registration here, so prerequisites
/// and capacity are not re-checked; the enrollment notes where it came from.
pub async fn apply_remote_registration(tx: &mut WriteTx<'_>, course_id: Uuid, people_id: Uuid, registration_id: &str, status: cct_domain::records::RegistrationStatus) -> Result<()> {
    use cct_domain::records::{CourseEnrollment, EnrollmentStatus, RegistrationStatus};
    tx.require(Permission::SyncManage)?;
    tx.disable_outbox();
    let existing: Option<String> = sqlx::query_scalar("SELECT id FROM course_enrollment WHERE planning_center_registration_id = ? OR (people_id = ? AND course_id = ?)")
        .bind(registration_id)
        .bind(people_id.to_string())
        .bind(course_id.to_string())
        .fetch_optional(tx.conn())
        .await?;
    match existing.and_then(|id| Uuid::parse_str(&id).ok()) {
        Some(id) => {
            let mut enrollment: CourseEnrollment = records::get_in(tx, id).await?;
            enrollment.planning_center_registration_id = Some(registration_id.to_owned());
            enrollment.registration_status = status;
            enrollment.planning_center_synced = true;
            if status == RegistrationStatus::Cancelled && enrollment.status != EnrollmentStatus::Completed {
                enrollment.status = EnrollmentStatus::Dropped;
            }
            records::update_derived(tx, enrollment).await?;
        }
        None => {
            let now = tx.now();
            let enrollment = CourseEnrollment {
                people_id,
                course_id,
                planning_center_registration_id: Some(registration_id.to_owned()),
                enrollment_date: now.date(),
                status: if status == RegistrationStatus::Cancelled { EnrollmentStatus::Dropped } else { EnrollmentStatus::Enrolled },
                registration_status: status,
                waitlisted_at: (status == RegistrationStatus::Waitlisted).then_some(now),
                planning_center_synced: true,
                registration_notes: Some("Registered in Planning Center".into()),
                ..Default::default()
            };
            records::insert_derived(tx, enrollment).await?;
        }
    }
    Ok(())
}

/// Local people by Planning Center id, for mapping attendees.
pub async fn person_by_planning_center_id(store: &Store, planning_center_id: &str) -> Result<Option<Uuid>> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM people WHERE planning_center_id = ?").bind(planning_center_id).fetch_optional(&mut *store.reader().await?).await?;
    Ok(id.and_then(|id| Uuid::parse_str(&id).ok()))
}

/// The local course mapped to a Planning Center signup.
pub async fn course_for_signup(store: &Store, signup_id: &str) -> Result<Option<Uuid>> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM course WHERE planning_center_event_id = ? AND is_active = 1").bind(signup_id).fetch_optional(&mut *store.reader().await?).await?;
    Ok(id.and_then(|id| Uuid::parse_str(&id).ok()))
}

/// What the push needs to know about a local person.
#[derive(Debug, Clone)]
pub struct PushPerson {
    pub person: Person,
    pub remote_stamp: Option<i64>,
    pub duplicate_decision: Option<DuplicateStatus>,
}

pub async fn push_person(store: &Store, id: Uuid) -> Result<PushPerson> {
    let row = sqlx::query("SELECT * FROM people WHERE id = ?").bind(id.to_string()).fetch_optional(&mut *store.reader().await?).await?.ok_or(StoreError::NotFound { table: "people", id })?;
    let map = read_row(&row)?;
    let remote_stamp = map.get("pco_remote_id").and_then(Value::as_i64);
    let person: Person = from_row("people", map)?;
    let decision: Option<String> = sqlx::query_scalar("SELECT status FROM pco_possible_duplicate WHERE people_id = ? ORDER BY created_at DESC LIMIT 1").bind(id.to_string()).fetch_optional(&mut *store.reader().await?).await?;
    let duplicate_decision = decision.and_then(|s| serde_json::from_value(Value::String(s)).ok());
    Ok(PushPerson { person, remote_stamp, duplicate_decision })
}

/// Gives a person the integer stamp we send as Planning Center's `remote_id`, committed before
/// the create is sent, so a create cut off by a crash is recognised afterwards. Derived from the
/// UUID's random tail (53 bits, safe in any JSON number); unique, enforced by an index.
pub async fn stamp_for_create(store: &Store, id: Uuid) -> Result<i64> {
    let system = Actor::system();
    let mut tx = store.begin_write(&system).await?;
    let existing: Option<i64> = sqlx::query_scalar("SELECT pco_remote_id FROM people WHERE id = ?").bind(id.to_string()).fetch_one(tx.conn()).await?;
    if let Some(stamp) = existing {
        return Ok(stamp);
    }
    let bytes = id.as_bytes();
    let mut tail = [0u8; 8];
    tail.copy_from_slice(&bytes[8..16]);
    let stamp = (u64::from_be_bytes(tail) & ((1 << 53) - 1)).max(1) as i64;
    sqlx::query("UPDATE people SET pco_remote_id = ? WHERE id = ?").bind(stamp).bind(id.to_string()).execute(tx.conn()).await?;
    // Shared, so another device sending this person finds the create by the same stamp.
    let mut stamped = crate::row::JsonRow::new();
    stamped.insert("pco_remote_id".into(), Value::from(stamp));
    tx.record_team_change("people", &id.to_string(), &stamped, false).await?;
    tx.commit().await?;
    Ok(stamp)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateStatus {
    Open,
    Linked,
    CreateNew,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DuplicateCandidate {
    pub planning_center_id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub birthdate: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PossibleDuplicate {
    pub id: Uuid,
    pub people_id: Uuid,
    /// The local person's name, for the question "is this the same person?".
    #[serde(default)]
    pub person_name: Option<String>,
    #[serde(deserialize_with = "cct_domain::record::json_text::deserialize")]
    pub candidates: Vec<DuplicateCandidate>,
    pub status: DuplicateStatus,
    pub linked_planning_center_id: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// Queues a possible duplicate for a person to decide, and holds the person's outbox entries.
pub async fn hold_as_possible_duplicate(tx: &mut WriteTx<'_>, group: &OutboxGroup, candidates: &[DuplicateCandidate]) -> Result<()> {
    let open: Option<(String, String)> = sqlx::query_as("SELECT id, candidates FROM pco_possible_duplicate WHERE people_id = ? AND status = 'open'").bind(group.record_id.to_string()).fetch_optional(tx.conn()).await?;
    if let Some((id, existing)) = &open {
        let mut all: Vec<DuplicateCandidate> = serde_json::from_str(existing).unwrap_or_default();
        for candidate in candidates {
            if !all.iter().any(|c| c.planning_center_id == candidate.planning_center_id) {
                all.push(candidate.clone());
            }
        }
        sqlx::query("UPDATE pco_possible_duplicate SET candidates = ? WHERE id = ?").bind(serde_json::to_string(&all).unwrap_or_else(|_| "[]".into())).bind(id).execute(tx.conn()).await?;
    } else {
        sqlx::query("INSERT INTO pco_possible_duplicate (id, people_id, candidates, status, created_at) VALUES (?, ?, ?, 'open', ?)")
            .bind(new_id().to_string())
            .bind(group.record_id.to_string())
            .bind(serde_json::to_string(candidates).unwrap_or_else(|_| "[]".into()))
            .bind(tx.now().to_rfc3339())
            .execute(tx.conn())
            .await?;
    }
    settle(tx, group, EntryOutcome::Held, Some("possibly the same person as someone already in Planning Center: decide in Sync")).await
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum DuplicateResolution {
    /// The same person: link to this Planning Center record, then send the local changes to it.
    Link { planning_center_id: String },
    /// Someone else: create them in Planning Center.
    CreateNew,
}

/// A person's decision on a possible duplicate. Held outbox entries go back in the queue.
pub async fn resolve_duplicate(tx: &mut WriteTx<'_>, duplicate_id: Uuid, resolution: DuplicateResolution) -> Result<()> {
    tx.require(Permission::PeopleWrite)?;
    let row: Option<(String, String)> = sqlx::query_as("SELECT people_id, status FROM pco_possible_duplicate WHERE id = ?").bind(duplicate_id.to_string()).fetch_optional(tx.conn()).await?;
    let (people_id, status) = row.ok_or(StoreError::NotFound { table: "pco_possible_duplicate", id: duplicate_id })?;
    if status != "open" {
        return Err(StoreError::Conflict { field: "decision", message: "this possible duplicate was already decided".into() });
    }
    let (status, linked) = match &resolution {
        DuplicateResolution::Link { planning_center_id } => ("linked", Some(planning_center_id.clone())),
        DuplicateResolution::CreateNew => ("create_new", None),
    };
    if let Some(pco_id) = &linked {
        let taken: Option<String> = sqlx::query_scalar("SELECT id FROM people WHERE planning_center_id = ? AND id <> ?").bind(pco_id).bind(&people_id).fetch_optional(tx.conn()).await?;
        if taken.is_some() {
            return Err(StoreError::Conflict {
                field: "planning_center_id",
                message: "that Planning Center person is already here as another record: they are the same person twice in this app; keep one and remove the other".into(),
            });
        }
        sqlx::query("UPDATE people SET planning_center_id = ? WHERE id = ?").bind(pco_id).bind(&people_id).execute(tx.conn()).await?;
        let mut linked = crate::row::JsonRow::new();
        linked.insert("planning_center_id".into(), Value::String(pco_id.clone()));
        tx.record_team_change("people", &people_id, &linked, false).await?;
    }
    sqlx::query("UPDATE pco_possible_duplicate SET status = ?, linked_planning_center_id = ?, resolved_by = ?, resolved_at = ? WHERE id = ?")
        .bind(status)
        .bind(&linked)
        .bind(tx.actor().person_id.map(|p| p.to_string()))
        .bind(tx.now().to_rfc3339())
        .bind(duplicate_id.to_string())
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE pco_outbox SET status = 'pending', last_error = NULL, updated_at = ? WHERE table_name = 'people' AND record_id = ? AND status = 'held'")
        .bind(tx.now().to_rfc3339())
        .bind(&people_id)
        .execute(tx.conn())
        .await?;
    let mut audit = crate::row::JsonRow::new();
    audit.insert("decision".into(), Value::String(status.into()));
    audit.insert("planning_center_id".into(), linked.map(Value::String).unwrap_or(Value::Null));
    tx.audit("pco_possible_duplicate", &duplicate_id.to_string(), crate::AuditAction::Update, None, Some(&audit)).await
}

/// The Planning Center people offered as candidates for a local person: after "create new",
/// they are still to be brought in as people of their own.
pub async fn duplicate_candidate_ids(store: &Store, people_id: Uuid) -> Result<Vec<String>> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT candidates FROM pco_possible_duplicate WHERE people_id = ? AND status = 'create_new'").bind(people_id.to_string()).fetch_all(&mut *store.reader().await?).await?;
    Ok(rows.iter().flat_map(|json| serde_json::from_str::<Vec<DuplicateCandidate>>(json).unwrap_or_default()).map(|c| c.planning_center_id).collect())
}

pub async fn open_duplicates(store: &Store, actor: &Actor) -> Result<Vec<PossibleDuplicate>> {
    crate::actor::require(actor, Permission::PeopleRead)?;
    let rows = sqlx::query(
        "SELECT d.*, p.first_name || ' ' || p.last_name AS person_name FROM pco_possible_duplicate d
         JOIN people p ON p.id = d.people_id WHERE d.status = 'open' ORDER BY d.created_at",
    )
    .fetch_all(&mut *store.reader().await?)
    .await?;
    rows.iter().map(|r| read_row(r).and_then(|row| from_row("pco_possible_duplicate", row))).collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncConflict {
    pub id: Uuid,
    pub table_name: String,
    pub record_id: Uuid,
    pub field: String,
    pub local_value: Option<String>,
    pub remote_value: Option<String>,
    pub resolution: String,
    pub detected_at: Timestamp,
}

pub async fn conflicts(store: &Store, actor: &Actor, limit: u32) -> Result<Vec<SyncConflict>> {
    crate::actor::require(actor, Permission::SyncManage)?;
    let rows = sqlx::query("SELECT * FROM pco_sync_conflict ORDER BY detected_at DESC LIMIT ?").bind(limit.min(1000)).fetch_all(&mut *store.reader().await?).await?;
    rows.iter().map(|r| read_row(r).and_then(|row| from_row("pco_sync_conflict", row))).collect()
}

/// Outbox entries that need a person's attention: refused, failed, held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OutboxProblem {
    pub id: String,
    pub table_name: String,
    pub record_id: String,
    pub status: String,
    pub last_error: Option<String>,
    pub attempts: i64,
    pub updated_at: String,
}

pub async fn outbox_problems(store: &Store, actor: &Actor) -> Result<Vec<OutboxProblem>> {
    crate::actor::require(actor, Permission::SyncManage)?;
    let rows = sqlx::query("SELECT id, table_name, record_id, status, last_error, attempts, updated_at FROM pco_outbox WHERE status IN ('refused', 'failed', 'held', 'skipped') ORDER BY updated_at DESC")
        .fetch_all(&mut *store.reader().await?)
        .await?;
    rows.iter().map(|r| read_row(r).and_then(|row| from_row("pco_outbox", row))).collect()
}

/// "Foundations of Faith (2026-11-24); Growing in Faith (2026-12-10)": a person's completed
/// courses, as written to the Planning Center field the office maps completions to.
pub async fn completions_summary(store: &Store, people_id: Uuid) -> Result<String> {
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT c.name, e.completion_date FROM course_enrollment e JOIN course c ON c.id = e.course_id
         WHERE e.people_id = ? AND e.is_active = 1 AND e.status = 'completed' ORDER BY e.completion_date, c.name",
    )
    .bind(people_id.to_string())
    .fetch_all(&mut *store.reader().await?)
    .await?;
    Ok(rows.into_iter().map(|(name, date)| format!("{name} ({})", date.unwrap_or_default())).collect::<Vec<_>>().join("; "))
}

/// "Children's Ministry Worker: completed, expires 2028-11-24".
pub async fn certifications_summary(store: &Store, people_id: Uuid) -> Result<String> {
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT c.name, p.status, p.expires_date FROM certification_progress p JOIN certification c ON c.id = p.certification_id
         WHERE p.people_id = ? AND p.is_active = 1 ORDER BY c.name",
    )
    .bind(people_id.to_string())
    .fetch_all(&mut *store.reader().await?)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, status, expires)| match expires {
            Some(date) => format!("{name}: {}, expires {date}", status.replace('_', " ")),
            None => format!("{name}: {}", status.replace('_', " ")),
        })
        .collect::<Vec<_>>()
        .join("; "))
}

/// The person an enrollment or certification-progress row belongs to.
pub async fn owner_of(store: &Store, table: &str, record_id: Uuid) -> Result<Option<Uuid>> {
    let sql = match table {
        "course_enrollment" => "SELECT people_id FROM course_enrollment WHERE id = ?",
        "certification_progress" => "SELECT people_id FROM certification_progress WHERE id = ?",
        "people_campus" => "SELECT people_id FROM people_campus WHERE id = ?",
        _ => return Ok(None),
    };
    let id: Option<String> = sqlx::query_scalar(sql).bind(record_id.to_string()).fetch_optional(&mut *store.reader().await?).await?;
    Ok(id.and_then(|id| Uuid::parse_str(&id).ok()))
}

pub async fn planning_center_id_of(store: &Store, people_id: Uuid) -> Result<Option<String>> {
    Ok(sqlx::query_scalar::<_, Option<String>>("SELECT planning_center_id FROM people WHERE id = ?").bind(people_id.to_string()).fetch_optional(&mut *store.reader().await?).await?.flatten())
}

/// Attendance as CSV for staff who want to enter it in Planning Center by hand: Planning
/// Center's API cannot create check-ins or attendance, so this product is their record.
pub async fn attendance_csv(store: &Store, actor: &Actor, from: Timestamp, to: Timestamp) -> Result<String> {
    crate::actor::require(actor, Permission::AttendanceRead)?;
    let rows: Vec<(String, String, String, String, Option<String>, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT c.name, s.title, s.starts_at, p.first_name || ' ' || p.last_name, p.planning_center_id, a.status, a.check_in_at, a.check_out_at
         FROM attendance_record a
         JOIN class_session s ON s.id = a.class_session_id
         JOIN course c ON c.id = s.course_id
         JOIN people p ON p.id = a.people_id
         WHERE a.is_active = 1 AND s.starts_at >= ? AND s.starts_at < ?
         ORDER BY s.starts_at, c.name, p.last_name, p.first_name",
    )
    .bind(from.to_rfc3339())
    .bind(to.to_rfc3339())
    .fetch_all(&mut *store.reader().await?)
    .await?;
    let mut csv = String::from("course,session,session_starts_at,person,planning_center_person_id,status,checked_in_at,checked_out_at\r\n");
    for (course, session, starts, person, pco_id, status, check_in, check_out) in rows {
        let fields = [course, session, starts, person, pco_id.unwrap_or_default(), status, check_in.unwrap_or_default(), check_out.unwrap_or_default()];
        csv.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        csv.push_str("\r\n");
    }
    Ok(csv)
}

/// RFC 4180 quoting, and a leading quote on values a spreadsheet would run as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_owned() };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(super::csv_field("plain"), "plain");
        assert_eq!(super::csv_field("Smith, Ann"), "\"Smith, Ann\"");
        assert_eq!(super::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(super::csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
