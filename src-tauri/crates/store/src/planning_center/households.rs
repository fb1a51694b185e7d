//! What a household push sends: the household's name, its members as Planning Center knows
//! them, and its primary contact.

use crate::db::{AuditAction, JsonRow, Query, Result, Store, StoreError, WriteTx};
use cct_domain::Permission;
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdMember {
    pub people_id: Uuid,
    pub planning_center_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdForPush {
    pub id: Uuid,
    pub name: String,
    pub planning_center_id: Option<String>,
    pub is_active: bool,
    /// Active members, the primary contact first.
    pub members: Vec<HouseholdMember>,
}

impl HouseholdForPush {
    /// Planning Center asks every household for a primary contact; this app keeps none of its
    /// own, so it is the eldest member (a parent, in a family), and the first added when no
    /// birthdates are known. Deterministic, so a push sent again names the same person.
    pub fn primary_contact(&self) -> Option<&HouseholdMember> {
        self.members.first()
    }
}

pub fn for_push(store: &Store, id: Uuid) -> Result<Option<HouseholdForPush>> {
    store.read(|conn| {
        let Some((name, planning_center_id, is_active)) = conn.tuple::<(String, Option<String>, bool)>(
            "SELECT name, planning_center_id, is_active FROM household WHERE id = ?1",
            [id.to_string()],
        )?
        else {
            return Ok(None);
        };
        let members = conn
            .tuples::<(String, Option<String>)>(
                "SELECT id, planning_center_id FROM people WHERE household_id = ?1 AND is_active = 1
                 ORDER BY date_of_birth IS NULL, date_of_birth, created_at, id",
                [id.to_string()],
            )?
            .into_iter()
            .filter_map(|(people_id, planning_center_id)| {
                people_id.parse().ok().map(|people_id| HouseholdMember { people_id, planning_center_id })
            })
            .collect();
        Ok(Some(HouseholdForPush { id, name, planning_center_id, is_active, members }))
    })
}

/// Records the Planning Center household a local one was sent as (or found as, after a push
/// cut off before this was written), audited; not queued again for Planning Center.
pub fn link_household(tx: &mut WriteTx<'_>, id: Uuid, planning_center_id: &str) -> Result<()> {
    tx.require(Permission::SyncManage)?;
    let taken = tx.conn().id(
        "SELECT id FROM household WHERE planning_center_id = ?1 AND id <> ?2",
        [planning_center_id.to_owned(), id.to_string()],
    )?;
    if taken.is_some() {
        return Err(StoreError::Duplicate { table: "household".into(), field: "planning_center_id".into() });
    }
    let changed = tx.conn().run(
        "UPDATE household SET planning_center_id = ?1 WHERE id = ?2",
        [planning_center_id.to_owned(), id.to_string()],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound { table: "household", id });
    }
    let mut audit = JsonRow::new();
    audit.insert("planning_center_id".into(), Value::String(planning_center_id.into()));
    tx.audit("household", &id.to_string(), AuditAction::Update, None, Some(&audit))
}

/// The Planning Center id of a local household, when it has one.
pub fn planning_center_id_of(store: &Store, id: Uuid) -> Result<Option<String>> {
    Ok(store
        .read(|conn| {
            conn.optional::<Option<String>>("SELECT planning_center_id FROM household WHERE id = ?1", [id.to_string()])
        })?
        .flatten())
}

/// The people an outbox group of a household records as having left it here (each move out
/// queues one entry on the household), first departure first. Planning Center is told of these
/// only: someone it holds in two households (a child of two homes) lives in one here, and is
/// not taken out of the other because of it.
pub fn members_who_left(store: &Store, entry_ids: &[String]) -> Result<Vec<Uuid>> {
    let entries = serde_json::to_string(entry_ids).map_err(|e| StoreError::Constraint(e.to_string()))?;
    let people: Vec<String> = store.read(|conn| {
        conn.column(
            &format!(
                "SELECT json_extract(payload, '$.{}') FROM pco_outbox
                 WHERE id IN (SELECT value FROM json_each(?1)) AND json_extract(payload, '$.{0}') IS NOT NULL
                 ORDER BY created_at, id",
                crate::records::MEMBER_LEFT
            ),
            [entries],
        )
    })?;
    let mut left: Vec<Uuid> = Vec::new();
    for person in people.iter().filter_map(|p| p.parse().ok()) {
        if !left.contains(&person) {
            left.push(person);
        }
    }
    Ok(left)
}
