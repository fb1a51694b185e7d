//! Compaction and joins from a snapshot. The hub keeps a snapshot of the church's current
//! state (the shortest change log that merges to the same data, see the hub migration
//! "compaction") and prunes the log before it once every active computer has fetched it. A
//! new computer, or one that was away while the changes it needed were pruned, merges the
//! snapshot and goes on from there with the log.

use crate::error::{hub_error, Result};
use crate::exchange::ExchangeProgress;
use crate::hub::{verify_device, DeviceCredentials, Hub};
use cct_store::team::{apply, Change};
use cct_store::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use ts_rs::TS;

/// What one call of the hub's compaction did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
pub struct Compacted {
    /// A new snapshot was made (the hub makes one at most hourly, once the log has grown).
    pub made_snapshot: bool,
    /// Changes removed from the hub's log.
    pub pruned: u64,
}

/// Asks the hub to compact. The hub decides whether a snapshot is due and how far the log
/// can go; a computer can neither skip its schedule nor prune what another has not fetched.
pub async fn compact(hub: &Hub, credentials: &DeviceCredentials) -> Result<Compacted> {
    let mut tx = hub.pool().begin().await.map_err(hub_error)?;
    verify_device(&mut tx, credentials).await?;
    let (made, pruned): (Option<i64>, i64) = sqlx::query_as("SELECT made_snapshot, pruned FROM cct_compact()")
        .fetch_one(&mut *tx)
        .await
        .map_err(hub_error)?;
    tx.commit().await.map_err(hub_error)?;
    Ok(Compacted { made_snapshot: made.is_some(), pruned: pruned.max(0) as u64 })
}

/// The hub's latest snapshot and what compaction removed, for the Team screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct CompactionStatus {
    pub snapshot: Option<Snapshot>,
    /// Changes up to this sequence number are no longer in the hub's log.
    pub pruned_through: i64,
    /// Changes compaction removed from the log, in all.
    pub pruned_changes: i64,
    /// Changes the log holds now.
    pub log_changes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Snapshot {
    pub made_at: String,
    /// The computer whose sync made it.
    pub made_by: String,
    pub through_seq: i64,
    /// The changes it stands for, and the ones it keeps.
    pub changes_before: i64,
    pub changes_kept: i64,
    pub took_ms: i64,
}

pub async fn status(hub: &Hub, credentials: &DeviceCredentials) -> Result<CompactionStatus> {
    let mut conn = hub.pool().acquire().await.map_err(hub_error)?;
    verify_device(&mut conn, credentials).await?;
    let (pruned_through, pruned_changes, log_changes): (i64, i64, i64) =
        sqlx::query_as("SELECT pruned_through, pruned_changes, (SELECT count(*) FROM hub_change) FROM hub_compaction")
            .fetch_one(&mut *conn)
            .await
            .map_err(hub_error)?;
    let snapshot = sqlx::query(
        "SELECT s.made_at, COALESCE(d.name, s.made_by_device), s.through_seq, s.changes_before, s.changes_kept, s.took_ms
         FROM hub_snapshot s LEFT JOIN hub_device d ON d.id = s.made_by_device ORDER BY s.id DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(hub_error)?
    .map(|r| {
        Ok::<_, sqlx::Error>(Snapshot {
            made_at: r.try_get::<DateTime<Utc>, _>(0)?.to_rfc3339(),
            made_by: r.try_get(1)?,
            through_seq: r.try_get(2)?,
            changes_before: r.try_get(3)?,
            changes_kept: r.try_get(4)?,
            took_ms: r.try_get(5)?,
        })
    })
    .transpose()
    .map_err(hub_error)?;
    Ok(CompactionStatus { snapshot, pruned_through, pruned_changes, log_changes })
}

/// What merging a snapshot brought.
pub(crate) struct FromSnapshot {
    pub through_seq: i64,
    pub received: u64,
    pub waiting: u64,
    pub folded: u64,
}

/// Merges the latest snapshot when this computer needs it: it has never fetched anything
/// (the snapshot is shorter than the log it stands for), or changes it has not fetched were
/// pruned. Anything else goes on with the log. The snapshot is read in one repeatable-read
/// transaction, so a newer one made meanwhile does not pull it away; a merge cut off part-way
/// starts again from the snapshot's beginning next time, skipping the changes already here.
pub(crate) async fn start_from_snapshot(
    store: &Store,
    hub: &Hub,
    credentials: &DeviceCredentials,
    cursor: i64,
    batch: u32,
    progress: &(dyn Fn(ExchangeProgress) + Sync),
) -> Result<Option<FromSnapshot>> {
    let mut tx = hub.pool().begin().await.map_err(hub_error)?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await.map_err(hub_error)?;
    verify_device(&mut tx, credentials).await?;
    let latest: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT s.id, s.through_seq, c.pruned_through FROM hub_snapshot s, hub_compaction c ORDER BY s.id DESC LIMIT 1",
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(hub_error)?;
    let Some((snapshot_id, through_seq, pruned_through)) = latest else { return Ok(None) };
    if through_seq <= cursor || (cursor > 0 && cursor >= pruned_through) {
        return Ok(None);
    }
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM hub_snapshot_change WHERE snapshot_id = $1")
        .bind(snapshot_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(hub_error)?;
    let (mut at_ord, mut done) = (i64::MIN, 0u64);
    let (mut received, mut folded) = (0u64, 0u64);
    loop {
        // Whole records: a record's changes share its `ord`, so a window never splits one.
        let window_end: Option<i64> = sqlx::query_scalar(
            "SELECT max(ord) FROM (SELECT ord FROM hub_snapshot_change WHERE snapshot_id = $1 AND ord > $2
                                   ORDER BY ord LIMIT $3) w",
        )
        .bind(snapshot_id)
        .bind(at_ord)
        .bind(batch as i64)
        .fetch_one(&mut *tx)
        .await
        .map_err(hub_error)?;
        let Some(window_end) = window_end else { break };
        let rows = sqlx::query(
            "SELECT id, device_id, table_name, record_id, fields::text, deleted, hlc, campus_ids FROM hub_snapshot_change
             WHERE snapshot_id = $1 AND ord > $2 AND ord <= $3 ORDER BY ord, hlc, id",
        )
        .bind(snapshot_id)
        .bind(at_ord)
        .bind(window_end)
        .fetch_all(&mut *tx)
        .await
        .map_err(hub_error)?;
        done += rows.len() as u64;
        let changes = rows
            .iter()
            .map(crate::exchange::change_from_row)
            .collect::<std::result::Result<Vec<Change>, sqlx::Error>>()
            .map_err(hub_error)?;
        // The cursor stays where it was until the whole snapshot is here.
        let counts = store.call(move |store| apply::apply_batch(store, &changes, cursor)).await?;
        received += counts.received;
        folded += counts.folded;
        at_ord = window_end;
        progress(ExchangeProgress { phase: "snapshot", done, total: total.max(0) as u64 });
    }
    let counts = store.call(move |store| apply::apply_batch(store, &[], through_seq)).await?;
    folded += counts.folded;
    sqlx::query("SELECT cct_note_contact(NULL, $1)").bind(through_seq).execute(&mut *tx).await.map_err(hub_error)?;
    tx.commit().await.map_err(hub_error)?;
    Ok(Some(FromSnapshot { through_seq, received, waiting: counts.waiting, folded }))
}
