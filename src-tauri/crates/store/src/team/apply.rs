//! Merging changes from the church's other devices into this store. A pulled batch, the
//! changes it could write and the new pull cursor commit together, so a pull cut off anywhere
//! resumes where it stopped and applying the same change twice changes nothing.

use super::changes::logged_changes;
use super::clock::Hlc;
use super::merge::Change;
use super::{bulk, is_replicated};
use crate::db::{Query, Result, Schema, Store};
use cct_domain::Actor;
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};

/// What a pulled batch did here.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ApplyCounts {
    /// Changes new to this device.
    pub received: u64,
    /// Changes that could not be written yet: they refer to records not here yet, or clash
    /// with a record made separately on another device (the same person enrolled twice).
    pub waiting: u64,
    /// Records found to be the same thing as a record here (the same person enrolled in the
    /// same course on two laptops offline), folded into it.
    pub folded: u64,
}

/// Applies `changes` (in the hub's order) and moves the pull cursor to `cursor`, in one
/// transaction. Changes already here are skipped.
pub fn apply_batch(store: &Store, changes: &[Change], cursor: i64) -> Result<ApplyCounts> {
    let schema = store.schema();
    store.write(&Actor::system(), |tx| {
        let conn = tx.conn();
        // Tables a newer version of the app shares have no place here yet.
        let known: Vec<&Change> = changes.iter().filter(|c| is_replicated(&c.table_name)).collect();
        let new_here = bulk::log_remote(conn, &known)?;
        let (fresh, ahead): (Vec<&Change>, Vec<&Change>) =
            known.into_iter().filter(|c| new_here.contains(&c.id)).partition(|c| !too_far_ahead(c));
        for change in &ahead {
            wait_with(conn, change, AHEAD)?;
        }
        let latest = fresh.iter().filter_map(|c| Hlc::parse(&c.hlc)).max().unwrap_or_default();
        let now = tx.now().to_rfc3339();
        let merged = bulk::merge(conn, schema, &fresh, &now)?;
        let by_id: HashMap<&str, &Change> = fresh.iter().map(|c| (c.id.as_str(), *c)).collect();
        for (change_id, reason) in &merged.waiting {
            match by_id.get(change_id.as_str()) {
                Some(change) => wait_with(conn, change, reason)?,
                None => wait(conn, change_id, reason)?,
            }
        }
        let folded = merged.folded + retry_waiting(conn, schema, &now)?;
        conn.run(
            "UPDATE team_device SET pull_cursor = max(pull_cursor, ?1), last_pull_at = ?2",
            rusqlite::params![cursor, tx.now().to_rfc3339()],
        )?;
        let waiting: i64 = conn.scalar("SELECT count(*) FROM team_waiting_change", [])?;
        // Inside the transaction, while no local write can come between: whatever is written
        // here next is later than every change of this batch (see `changes::latest_clock`).
        store.clock().observe(latest);
        Ok(ApplyCounts { received: fresh.len() as u64, waiting: waiting as u64, folded })
    })
}

/// Why a change from a clock ahead of this computer's waits.
const AHEAD: &str = "its computer's clock was more than 10 minutes ahead of this one's (or its clock is not one this app writes); it waits until this computer's clock catches up, and is never applied before";

/// A change stamped further ahead of this computer's clock than an honest clock runs (or with
/// no readable clock) is not applied: it would win every later edit.
fn too_far_ahead(change: &Change) -> bool {
    Hlc::parse(&change.hlc).is_none_or(|hlc| hlc.is_ahead_of(super::clock::now_ms()))
}

/// A change that waits for the first time: its fields are kept in the log (which holds only
/// the ids of the changes it merged), to be tried again.
fn wait_with(conn: &Connection, change: &Change, reason: &str) -> Result<()> {
    conn.run(
        "UPDATE team_change SET fields = ?2 WHERE id = ?1",
        [change.id.as_str(), &serde_json::to_string(&change.fields).unwrap_or_else(|_| "{}".into())],
    )?;
    wait(conn, &change.id, reason)
}

fn wait(conn: &Connection, change_id: &str, reason: &str) -> Result<()> {
    conn.run(
        "INSERT INTO team_waiting_change (change_id, reason) VALUES (?1, ?2)
         ON CONFLICT(change_id) DO UPDATE SET reason = excluded.reason, attempts = attempts + 1",
        [change_id, reason],
    )?;
    Ok(())
}

/// Tries the waiting changes again, oldest first and as one batch, until a pass writes none
/// of them; returns the folds they made.
fn retry_waiting(conn: &Connection, schema: &Schema, now: &str) -> Result<u64> {
    let mut folded = 0;
    loop {
        // The waiting changes are few and the log is long: the planner is told to start from
        // the few (CROSS JOIN keeps that order) rather than walk the whole log in seq order.
        let changes: Vec<Change> = logged_changes(
            conn,
            "SELECT c.seq, c.id, c.table_name, c.record_id, c.fields, c.deleted, c.hlc, c.device_id, c.campus_ids
             FROM team_waiting_change w CROSS JOIN team_change c ON c.id = w.change_id ORDER BY c.seq",
            [],
        )?
        .into_iter()
        .map(|logged| logged.change)
        .collect();
        // Those still ahead of this computer's clock stay as they are.
        let changes: Vec<Change> = changes.into_iter().filter(|c| !too_far_ahead(c)).collect();
        if changes.is_empty() {
            return Ok(folded);
        }
        let merged = bulk::merge(conn, schema, &changes.iter().collect::<Vec<_>>(), now)?;
        folded += merged.folded;
        let still = merged.waiting;
        let still_ids: HashSet<&str> = still.iter().map(|(id, _)| id.as_str()).collect();
        let written: Vec<&str> = changes.iter().map(|c| c.id.as_str()).filter(|id| !still_ids.contains(id)).collect();
        conn.run(
            "DELETE FROM team_waiting_change WHERE change_id IN (SELECT value FROM json_each(?1))",
            [serde_json::to_string(&written).unwrap_or_else(|_| "[]".into())],
        )?;
        for (change_id, reason) in &still {
            wait(conn, change_id, reason)?;
        }
        if written.is_empty() {
            return Ok(folded);
        }
    }
}

/// A change that could not be written, for the office to see.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct WaitingChange {
    pub table_name: String,
    pub record_id: String,
    pub device_id: String,
    pub reason: String,
    pub attempts: i64,
}

pub fn waiting(store: &Store) -> Result<Vec<WaitingChange>> {
    store.read(|conn| {
        conn.records(
            "team_waiting_change",
            "SELECT c.table_name, c.record_id, c.device_id, w.reason, w.attempts FROM team_waiting_change w
             JOIN team_change c ON c.id = w.change_id ORDER BY c.seq LIMIT 200",
            [],
        )
    })
}
