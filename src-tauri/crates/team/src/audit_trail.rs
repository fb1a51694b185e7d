//! The church's audit trail at the hub: this computer's rows go there (the hub names the
//! computer, whatever a row says), and the other computers' rows within its campus come here,
//! in batches that commit with their cursor, so a sync cut off anywhere resumes and adds
//! nothing twice.

use crate::error::{hub_error, Result};
use crate::exchange::ExchangeProgress;
use crate::hub::{verify_device, DeviceCredentials, Hub};
use cct_store::team::audit_trail::{self, SharedAuditRow};
use cct_store::team::device;
use cct_store::Store;
use sqlx::Row;

/// The hub takes at most 1000 rows a call (`cct_add_audit_rows`).
pub const BATCH: u32 = 500;

/// Sends every audit row the hub does not hold yet; returns how many.
pub async fn push(
    store: &Store,
    hub: &Hub,
    credentials: &DeviceCredentials,
    progress: &(dyn Fn(ExchangeProgress) + Sync),
) -> Result<u64> {
    let total = store.call(audit_trail::unpushed_count).await? as u64;
    let mut pushed = 0;
    loop {
        let rows = store.call(|store| audit_trail::unpushed(store, BATCH)).await?;
        if rows.is_empty() {
            return Ok(pushed);
        }
        let mut tx = hub.pool().begin().await.map_err(hub_error)?;
        verify_device(&mut tx, credentials).await?;
        sqlx::query("SELECT cct_add_audit_rows($1)")
            .bind(sqlx::types::Json(&rows))
            .execute(&mut *tx)
            .await
            .map_err(hub_error)?;
        tx.commit().await.map_err(hub_error)?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        store.call(move |store| audit_trail::mark_pushed(store, &ids)).await?;
        pushed += rows.len() as u64;
        progress(ExchangeProgress { phase: "audit_push", done: pushed, total: total.max(pushed) });
    }
}

/// Brings the other computers' rows added since the last pull (the hub shows each computer
/// only its campus's); returns how many were new here.
pub async fn pull(
    store: &Store,
    hub: &Hub,
    credentials: &DeviceCredentials,
    progress: &(dyn Fn(ExchangeProgress) + Sync),
) -> Result<u64> {
    let me = store.call(device::membership).await?;
    let start = store.call(audit_trail::pull_cursor).await?;
    let last: i64 = sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM hub_audit")
        .fetch_one(hub.pool())
        .await
        .map_err(hub_error)?;
    let mut cursor = start;
    let mut added = 0;
    loop {
        let mut conn = hub.pool().acquire().await.map_err(hub_error)?;
        verify_device(&mut conn, credentials).await?;
        // The window is every visible row's seq, this computer's own included, so a window of
        // nothing but its own rows still moves the cursor on.
        let window_end: Option<i64> = sqlx::query_scalar(
            "SELECT max(seq) FROM (SELECT seq FROM hub_audit WHERE seq > $1 ORDER BY seq LIMIT $2) w",
        )
        .bind(cursor)
        .bind(BATCH as i64)
        .fetch_one(&mut *conn)
        .await
        .map_err(hub_error)?;
        let Some(window_end) = window_end else { return Ok(added) };
        let rows = sqlx::query(
            "SELECT a.id, a.device_id, d.name, a.table_name, a.record_id, a.action, a.old_values::text,
                    a.new_values::text, a.reason, a.changed_by, a.changed_at, a.user_agent, a.campus_ids
             FROM hub_audit a JOIN hub_device d ON d.id = a.device_id
             WHERE a.seq > $1 AND a.seq <= $2 AND (a.device_id <> $3 OR $4)
             ORDER BY a.seq",
        )
        .bind(cursor)
        .bind(window_end)
        .bind(&credentials.device_id)
        .bind(me.catch_up_own_changes)
        .fetch_all(&mut *conn)
        .await
        .map_err(hub_error)?;
        drop(conn);
        let batch =
            rows.iter().map(row_from_hub).collect::<std::result::Result<Vec<_>, sqlx::Error>>().map_err(hub_error)?;
        added += store.call(move |store| audit_trail::apply_batch(store, &batch, window_end)).await?;
        cursor = window_end;
        let total = (last - start).max(0) as u64;
        progress(ExchangeProgress { phase: "audit_pull", done: ((cursor - start).max(0) as u64).min(total), total });
    }
}

fn row_from_hub(row: &sqlx::postgres::PgRow) -> std::result::Result<SharedAuditRow, sqlx::Error> {
    let json = |index: usize| -> std::result::Result<Option<serde_json::Value>, sqlx::Error> {
        let text: Option<String> = row.try_get(index)?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| sqlx::Error::Decode(Box::new(e)))).transpose()
    };
    Ok(SharedAuditRow {
        id: row.try_get(0)?,
        device_id: row.try_get(1)?,
        device_name: row.try_get(2)?,
        table_name: row.try_get(3)?,
        record_id: row.try_get(4)?,
        action: row.try_get(5)?,
        old_values: json(6)?,
        new_values: json(7)?,
        reason: row.try_get(8)?,
        changed_by: row.try_get(9)?,
        changed_at: row.try_get(10)?,
        user_agent: row.try_get(11)?,
        campus_ids: row.try_get(12)?,
    })
}
