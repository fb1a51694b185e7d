//! Person merges made in Planning Center, applied here. Staff merge two records of one person
//! there; the one removed disappears from every list, so without this its enrollments,
//! attendance and certifications would stay on a record that reconciliation later marks
//! inactive, and the person kept would look untrained.
//!
//! A merge is applied in the caller's one transaction: every record of the person removed moves
//! to the person kept (see [`fold`]), where both had the same thing (the same course, the same
//! session) the two fold into one, and each row written is audited with the merge as its reason
//! and shared with the team like any other write. Applying a merge again changes nothing: it is
//! remembered by its Planning Center id, and a second computer that applies it finds the rows
//! already moved by the team.

mod fold;

use crate::db::{Query, Result, Store, WriteTx};
use crate::records;
use cct_domain::records::Person;
use cct_domain::{Actor, Permission, Timestamp};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

pub use fold::{LEFT_IN_PLACE, MOVED_REFERENCES};

/// A merge as Planning Center lists it (`GET /people/v2/person_mergers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteMerger {
    pub planning_center_id: String,
    pub person_to_keep_id: String,
    pub person_to_remove_id: String,
    pub merged_at: Option<Timestamp>,
}

/// What applying a merge did here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum MergeOutcome {
    /// Applied before (on this computer): nothing was written.
    AlreadyApplied,
    /// Neither person removed is here (never pulled, or already moved by the team).
    NothingHere,
    /// Only the person removed was here: that record now stands for the person kept, and the
    /// next pull brings the kept person's details onto it.
    Relinked { people_id: Uuid },
    /// Both were here: `moved` rows went to the person kept, `folded` pairs became one.
    Merged { kept: Uuid, removed: Uuid, moved: usize, folded: usize },
}

/// Applies one Planning Center merge.
pub fn apply_person_merger(tx: &mut WriteTx<'_>, merger: &RemoteMerger) -> Result<MergeOutcome> {
    tx.require(Permission::SyncManage)?;
    let seen: bool = tx.conn().scalar(
        "SELECT EXISTS (SELECT 1 FROM pco_person_merger WHERE planning_center_id = ?1)",
        [&merger.planning_center_id],
    )?;
    if seen || merger.person_to_keep_id == merger.person_to_remove_id {
        return Ok(MergeOutcome::AlreadyApplied);
    }
    // Planning Center already merged the person there: nothing of the moves goes back to it.
    tx.disable_outbox();
    let reason = format!(
        "Planning Center merged person {} into person {} (merge {})",
        merger.person_to_remove_id, merger.person_to_keep_id, merger.planning_center_id
    );
    let previous_reason = tx.reason().map(str::to_owned);
    tx.set_reason(Some(reason));
    let outcome = merge_here(tx, merger);
    tx.set_reason(previous_reason);
    let outcome = outcome?;
    remember(tx, merger, outcome)?;
    Ok(outcome)
}

fn merge_here(tx: &mut WriteTx<'_>, merger: &RemoteMerger) -> Result<MergeOutcome> {
    let linked =
        |tx: &WriteTx<'_>, pco_id: &str| tx.conn().id("SELECT id FROM people WHERE planning_center_id = ?1", [pco_id]);
    let kept = linked(tx, &merger.person_to_keep_id)?;
    let Some(removed) = linked(tx, &merger.person_to_remove_id)? else {
        return Ok(MergeOutcome::NothingHere);
    };
    let removed_person: Person = records::get_in(tx, removed)?;
    let Some(kept) = kept else {
        // The record here becomes the kept person's: its history is theirs already.
        let mut relinked = removed_person;
        relinked.planning_center_id = Some(merger.person_to_keep_id.clone());
        records::update_derived(tx, relinked)?;
        return Ok(MergeOutcome::Relinked { people_id: removed });
    };
    let counts = fold::move_everything(tx, kept, removed)?;
    let mut kept_person: Person = records::get_in(tx, kept)?;
    if kept_person.household_id.is_none() && removed_person.household_id.is_some() {
        kept_person.household_id = removed_person.household_id;
        kept_person.household_name = removed_person.household_name.clone();
        records::update_derived(tx, kept_person)?;
    }
    if removed_person.meta.is_active {
        let mut gone = removed_person;
        gone.meta.is_active = false;
        records::update_derived(tx, gone)?;
    }
    Ok(MergeOutcome::Merged { kept, removed, moved: counts.moved, folded: counts.folded })
}

fn remember(tx: &mut WriteTx<'_>, merger: &RemoteMerger, outcome: MergeOutcome) -> Result<()> {
    let (name, kept, removed, moved, folded) = match outcome {
        MergeOutcome::AlreadyApplied => return Ok(()),
        MergeOutcome::NothingHere => ("nothing_here", None, None, 0, 0),
        MergeOutcome::Relinked { people_id } => ("relinked", Some(people_id), None, 0, 0),
        MergeOutcome::Merged { kept, removed, moved, folded } => ("merged", Some(kept), Some(removed), moved, folded),
    };
    tx.conn().run(
        "INSERT INTO pco_person_merger (planning_center_id, person_to_keep_id, person_to_remove_id, merged_at, applied_at, outcome, kept_people_id, removed_people_id, moved, folded)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        rusqlite::params![
            merger.planning_center_id,
            merger.person_to_keep_id,
            merger.person_to_remove_id,
            merger.merged_at.map(|t| t.to_rfc3339()),
            tx.now().to_rfc3339(),
            name,
            kept.map(|id| id.to_string()),
            removed.map(|id| id.to_string()),
            moved as i64,
            folded as i64,
        ],
    )?;
    Ok(())
}

/// A merge applied here, for the Sync screen and a person's record.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, TS)]
pub struct AppliedMerger {
    pub planning_center_id: String,
    pub person_to_keep_id: String,
    pub person_to_remove_id: String,
    pub merged_at: Option<Timestamp>,
    pub applied_at: Timestamp,
    pub outcome: String,
    pub kept_people_id: Option<Uuid>,
    pub removed_people_id: Option<Uuid>,
    /// The names the two records had here, for the office to recognise them.
    #[serde(default)]
    pub kept_name: Option<String>,
    #[serde(default)]
    pub removed_name: Option<String>,
    pub moved: i64,
    pub folded: i64,
}

/// The latest merges applied here, newest first.
pub fn applied_mergers(store: &Store, actor: &Actor, limit: u32) -> Result<Vec<AppliedMerger>> {
    crate::office::people::require(actor, Permission::SyncManage)?;
    store.read(|conn| {
        conn.records(
            "pco_person_merger",
            "SELECT m.*, k.first_name || ' ' || k.last_name AS kept_name, r.first_name || ' ' || r.last_name AS removed_name
             FROM pco_person_merger m
             LEFT JOIN people k ON k.id = m.kept_people_id
             LEFT JOIN people r ON r.id = m.removed_people_id
             ORDER BY m.applied_at DESC, m.planning_center_id LIMIT ?1",
            [limit.min(1000)],
        )
    })
}
