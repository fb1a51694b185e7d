//! Merging changes from the church's other devices into this store. A pulled batch, the
//! changes it could write and the new pull cursor commit together, so a pull cut off anywhere
//! resumes where it stopped and applying the same change twice changes nothing.

use super::changes::logged_change;
use super::clock::Hlc;
use super::merge::Change;
use super::{bulk, is_replicated};
use crate::connection::Schema;
use crate::{Result, Store};
use cct_domain::Actor;
use sqlx::{Row, SqliteConnection};
use std::collections::HashSet;

/// What a pulled batch did here.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ApplyCounts {
    /// Changes new to this device.
    pub received: u64,
    /// Changes that could not be written yet: they refer to records not here yet, or clash
    /// with a record made separately on another device (the same person enrolled twice).
    pub waiting: u64,
}

/// Applies `changes` (in the hub's order) and moves the pull cursor to `cursor`, in one
/// transaction. Changes already here are skipped.
pub async fn apply_batch(store: &Store, changes: &[Change], cursor: i64) -> Result<ApplyCounts> {
    let system = Actor::system();
    let mut tx = store.begin_write(&system).await?;
    let schema = store.schema();
    // Tables a newer version of the app shares have no place here yet.
    let known: Vec<&Change> = changes.iter().filter(|c| is_replicated(&c.table_name)).collect();
    let new_here = bulk::log_remote(tx.conn(), &known).await?;
    let fresh: Vec<&Change> = known.into_iter().filter(|c| new_here.contains(&c.id)).collect();
    let mut counts = ApplyCounts { received: fresh.len() as u64, waiting: 0 };
    let latest = fresh.iter().filter_map(|c| Hlc::parse(&c.hlc)).max().unwrap_or_default();
    for (change_id, reason) in bulk::merge(tx.conn(), schema, &fresh).await? {
        wait(tx.conn(), &change_id, &reason).await?;
    }
    retry_waiting(tx.conn(), schema).await?;
    sqlx::query("UPDATE team_device SET pull_cursor = max(pull_cursor, ?), last_pull_at = ?").bind(cursor).bind(tx.now().to_rfc3339()).execute(tx.conn()).await?;
    counts.waiting = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM team_waiting_change").fetch_one(tx.conn()).await? as u64;
    tx.commit().await?;
    store.clock().observe(latest);
    Ok(counts)
}

async fn wait(conn: &mut SqliteConnection, change_id: &str, reason: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO team_waiting_change (change_id, reason) VALUES (?, ?)
         ON CONFLICT(change_id) DO UPDATE SET reason = excluded.reason, attempts = attempts + 1",
    )
    .bind(change_id)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Tries the waiting changes again, oldest first and as one batch, until a pass writes none
/// of them.
async fn retry_waiting(conn: &mut SqliteConnection, schema: &Schema) -> Result<()> {
    loop {
        let rows = sqlx::query(
            "SELECT c.seq, c.id, c.table_name, c.record_id, c.fields, c.deleted, c.hlc, c.device_id, c.campus_ids
             FROM team_waiting_change w JOIN team_change c ON c.id = w.change_id ORDER BY c.seq",
        )
        .fetch_all(&mut *conn)
        .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let changes = rows.iter().map(|row| logged_change(row).map(|l| l.change)).collect::<Result<Vec<Change>>>()?;
        let still = bulk::merge(conn, schema, &changes.iter().collect::<Vec<_>>()).await?;
        let still_ids: HashSet<&str> = still.iter().map(|(id, _)| id.as_str()).collect();
        let written: Vec<&str> = changes.iter().map(|c| c.id.as_str()).filter(|id| !still_ids.contains(id)).collect();
        sqlx::query("DELETE FROM team_waiting_change WHERE change_id IN (SELECT value FROM json_each(?))")
            .bind(serde_json::to_string(&written).unwrap_or_else(|_| "[]".into()))
            .execute(&mut *conn)
            .await?;
        for (change_id, reason) in &still {
            wait(conn, change_id, reason).await?;
        }
        if written.is_empty() {
            return Ok(());
        }
    }
}

/// A change that could not be written, for the office to see.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct WaitingChange {
    pub table_name: String,
    pub record_id: String,
    pub device_id: String,
    pub reason: String,
    pub attempts: i64,
}

pub async fn waiting(store: &Store) -> Result<Vec<WaitingChange>> {
    let rows = sqlx::query(
        "SELECT c.table_name, c.record_id, c.device_id, w.reason, w.attempts FROM team_waiting_change w
         JOIN team_change c ON c.id = w.change_id ORDER BY c.seq LIMIT 200",
    )
    .fetch_all(&mut *store.reader().await?)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(WaitingChange {
                table_name: r.try_get(0)?,
                record_id: r.try_get(1)?,
                device_id: r.try_get(2)?,
                reason: r.try_get(3)?,
                attempts: r.try_get(4)?,
            })
        })
        .collect()
}
