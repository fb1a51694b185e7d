//! The outbox as the push sees it: pending entries grouped per record (one request each),
//! what happened to them, and the entries that need a person's attention.

use super::duplicates::DuplicateStatus;
use crate::db::{Query, Result, Store, StoreError, WriteTx};
use cct_domain::records::Person;
use cct_domain::{Actor, Permission};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use uuid::Uuid;

/// Outbox entries for one record, sent as one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxGroup {
    pub table_name: String,
    pub record_id: Uuid,
    pub entry_ids: Vec<String>,
}

/// Pending outbox entries grouped by record, people first (their ids are needed by the rest),
/// each group in the order its first change was made.
pub fn pending_groups(store: &Store) -> Result<Vec<OutboxGroup>> {
    let rows: Vec<(String, String, String)> = store.read(|conn| {
        conn.tuples(
            "SELECT table_name, record_id, id FROM pco_outbox WHERE status IN ('pending', 'failed')
             ORDER BY CASE table_name WHEN 'people' THEN 0 WHEN 'household' THEN 1 ELSE 2 END, created_at, id",
            [],
        )
    })?;
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
/// by [`super::people::link_person`] before anything else is sent for them, so nothing is
/// linked here.
pub fn settle(tx: &mut WriteTx<'_>, group: &OutboxGroup, outcome: EntryOutcome, error: Option<&str>) -> Result<()> {
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
        tx.conn().run(
            "UPDATE pco_outbox SET status = ?1, attempts = attempts + 1, last_error = ?2, updated_at = ?3 WHERE id = ?4",
            rusqlite::params![status, error, tx.now().to_rfc3339(), entry],
        )?;
    }
    Ok(())
}

/// What the push needs to know about a local person.
#[derive(Debug, Clone)]
pub struct PushPerson {
    pub person: Person,
    pub remote_stamp: Option<i64>,
    pub duplicate_decision: Option<DuplicateStatus>,
}

pub fn push_person(store: &Store, id: Uuid) -> Result<PushPerson> {
    store.read(|conn| {
        let mut rows = conn.rows("SELECT * FROM people WHERE id = ?1", [id.to_string()])?;
        let row = rows.pop().ok_or(StoreError::NotFound { table: "people", id })?;
        let remote_stamp = row.get("pco_remote_id").and_then(Value::as_i64);
        let person: Person = crate::db::rows::from_row("people", row)?;
        let decision: Option<String> = conn.optional(
            "SELECT status FROM pco_possible_duplicate WHERE people_id = ?1 ORDER BY created_at DESC LIMIT 1",
            [id.to_string()],
        )?;
        let duplicate_decision = decision.and_then(|s| serde_json::from_value(Value::String(s)).ok());
        Ok(PushPerson { person, remote_stamp, duplicate_decision })
    })
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

pub fn outbox_problems(store: &Store, actor: &Actor) -> Result<Vec<OutboxProblem>> {
    crate::office::people::require(actor, Permission::SyncManage)?;
    store.read(|conn| {
        conn.records(
            "pco_outbox",
            "SELECT id, table_name, record_id, status, last_error, attempts, updated_at FROM pco_outbox
             WHERE status IN ('refused', 'failed', 'held', 'skipped') ORDER BY updated_at DESC",
            [],
        )
    })
}
