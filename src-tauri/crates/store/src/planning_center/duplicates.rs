//! Someone added here may already be in Planning Center: such a person is held, with the
//! people there who may be them, until someone in the office decides.

use super::outbox::{settle, EntryOutcome, OutboxGroup};
use crate::db::{AuditAction, JsonRow, Query, Result, Store, StoreError, WriteTx};
use cct_domain::{new_id, Actor, Permission, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use uuid::Uuid;

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

fn candidates_json(candidates: &[DuplicateCandidate]) -> String {
    serde_json::to_string(candidates).unwrap_or_else(|_| "[]".into())
}

/// Queues a possible duplicate for a person to decide, and holds the person's outbox entries.
pub fn hold_as_possible_duplicate(
    tx: &mut WriteTx<'_>,
    group: &OutboxGroup,
    candidates: &[DuplicateCandidate],
) -> Result<()> {
    let open: Option<(String, String)> = tx.conn().tuple(
        "SELECT id, candidates FROM pco_possible_duplicate WHERE people_id = ?1 AND status = 'open'",
        [group.record_id.to_string()],
    )?;
    match open {
        Some((id, existing)) => {
            let mut all: Vec<DuplicateCandidate> = serde_json::from_str(&existing).unwrap_or_default();
            for candidate in candidates {
                if !all.iter().any(|c| c.planning_center_id == candidate.planning_center_id) {
                    all.push(candidate.clone());
                }
            }
            tx.conn()
                .run("UPDATE pco_possible_duplicate SET candidates = ?1 WHERE id = ?2", [candidates_json(&all), id])?;
        }
        None => {
            tx.conn().run(
                "INSERT INTO pco_possible_duplicate (id, people_id, candidates, status, created_at) VALUES (?1, ?2, ?3, 'open', ?4)",
                [new_id().to_string(), group.record_id.to_string(), candidates_json(candidates), tx.now().to_rfc3339()],
            )?;
        }
    }
    settle(
        tx,
        group,
        EntryOutcome::Held,
        Some("possibly the same person as someone already in Planning Center: decide in Sync"),
    )
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
pub fn resolve_duplicate(tx: &mut WriteTx<'_>, duplicate_id: Uuid, resolution: DuplicateResolution) -> Result<()> {
    tx.require(Permission::PeopleWrite)?;
    let (people_id, status): (String, String) = tx
        .conn()
        .tuple("SELECT people_id, status FROM pco_possible_duplicate WHERE id = ?1", [duplicate_id.to_string()])?
        .ok_or(StoreError::NotFound { table: "pco_possible_duplicate", id: duplicate_id })?;
    if status != "open" {
        return Err(StoreError::Conflict {
            field: "decision",
            message: "this possible duplicate was already decided".into(),
        });
    }
    let (status, linked) = match &resolution {
        DuplicateResolution::Link { planning_center_id } => ("linked", Some(planning_center_id.clone())),
        DuplicateResolution::CreateNew => ("create_new", None),
    };
    if let Some(pco_id) = &linked {
        let taken =
            tx.conn().id("SELECT id FROM people WHERE planning_center_id = ?1 AND id <> ?2", [pco_id, &people_id])?;
        if taken.is_some() {
            return Err(StoreError::Conflict {
                field: "planning_center_id",
                message: "that Planning Center person is already here as another record: they are the same person twice in this app; keep one and remove the other".into(),
            });
        }
        tx.conn().run("UPDATE people SET planning_center_id = ?1 WHERE id = ?2", [pco_id, &people_id])?;
        let mut linked = JsonRow::new();
        linked.insert("planning_center_id".into(), Value::String(pco_id.clone()));
        tx.record_team_change("people", &people_id, &linked, false)?;
    }
    tx.conn().run(
        "UPDATE pco_possible_duplicate SET status = ?1, linked_planning_center_id = ?2, resolved_by = ?3, resolved_at = ?4 WHERE id = ?5",
        rusqlite::params![status, linked, tx.actor().person_id.map(|p| p.to_string()), tx.now().to_rfc3339(), duplicate_id.to_string()],
    )?;
    tx.conn().run(
        "UPDATE pco_outbox SET status = 'pending', last_error = NULL, updated_at = ?1 WHERE table_name = 'people' AND record_id = ?2 AND status = 'held'",
        [tx.now().to_rfc3339(), people_id],
    )?;
    let mut audit = JsonRow::new();
    audit.insert("decision".into(), Value::String(status.into()));
    audit.insert("planning_center_id".into(), linked.map(Value::String).unwrap_or(Value::Null));
    tx.audit("pco_possible_duplicate", &duplicate_id.to_string(), AuditAction::Update, None, Some(&audit))
}

/// The Planning Center people offered as candidates for a local person: after "create new",
/// they are still to be brought in as people of their own.
pub fn duplicate_candidate_ids(store: &Store, people_id: Uuid) -> Result<Vec<String>> {
    let rows: Vec<String> = store.read(|conn| {
        conn.column(
            "SELECT candidates FROM pco_possible_duplicate WHERE people_id = ?1 AND status = 'create_new'",
            [people_id.to_string()],
        )
    })?;
    Ok(rows
        .iter()
        .flat_map(|json| serde_json::from_str::<Vec<DuplicateCandidate>>(json).unwrap_or_default())
        .map(|c| c.planning_center_id)
        .collect())
}

pub fn open_duplicates(store: &Store, actor: &Actor) -> Result<Vec<PossibleDuplicate>> {
    crate::office::people::require(actor, Permission::PeopleRead)?;
    store.read(|conn| {
        conn.records(
            "pco_possible_duplicate",
            "SELECT d.*, p.first_name || ' ' || p.last_name AS person_name FROM pco_possible_duplicate d
             JOIN people p ON p.id = d.people_id WHERE d.status = 'open' ORDER BY d.created_at",
            [],
        )
    })
}
