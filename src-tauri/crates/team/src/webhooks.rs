//! Planning Center webhook events, from the hub to this computer. The receiver beside the hub
//! (`cct-webhooks`) stores each event once; each computer copies the events after its saved
//! position into its own store, the position saved in the same transaction, so a copy cut off
//! is neither lost nor taken twice. The sync engine then acts on them
//! (`SyncEngine::process_webhooks`).

use crate::error::{hub_error, Result};
use crate::Hub;
use cct_domain::Actor;
use cct_store::planning_center::runs::{self, SyncCursor};
use cct_store::Store;
use serde_json::Value;

const POSITION: &str = "hub_webhook_events";
const PAGE: i64 = 500;

/// Copies the hub's new webhook events here, and says how many. A hub from before webhooks
/// (no table yet) has none.
pub async fn copy_new_events(store: &Store, hub: &Hub) -> Result<usize> {
    let mut copied = 0;
    loop {
        let after: i64 = store
            .call(|store| runs::cursor(store, &Actor::system(), POSITION))
            .await?
            .and_then(|c| c.position)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let rows: Vec<(i64, String, Option<String>, sqlx::types::Json<Value>)> = match sqlx::query_as(
            "SELECT seq, event_name, planning_center_id, payload FROM planning_center_webhook_events
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(hub.pool())
        .await
        {
            Ok(rows) => rows,
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42P01") => return Ok(copied),
            Err(error) => return Err(hub_error(error)),
        };
        let Some(last) = rows.last().map(|r| r.0) else { return Ok(copied) };
        let count = rows.len();
        store
            .call(move |store| {
                store.write(&Actor::system(), |tx| {
                    for (_, name, planning_center_id, payload) in rows {
                        runs::record_webhook(tx, &name, planning_center_id, payload.0)?;
                    }
                    runs::save_cursor(tx, SyncCursor { position: Some(last.to_string()), ..SyncCursor::new(POSITION) })
                        .map(drop)
                })
            })
            .await?;
        copied += count;
        if count < PAGE as usize {
            return Ok(copied);
        }
    }
}
