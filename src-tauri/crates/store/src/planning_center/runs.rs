//! The sync's own bookkeeping: the sync log (one row per run), cursors for incremental pulls,
//! and received webhook events. All need `sync.manage`. The log and the webhook table are logs
//! in their own right, and cursors are bookkeeping, so none of them is audited.

use crate::db::rows::to_row;
use crate::db::{Query, Result, Store, StoreError, WriteTx};
use crate::records::insert_row;
use cct_domain::record::json_text;
use cct_domain::{new_id, Actor, Permission, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    FromPc,
    ToPc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncRun {
    pub id: Uuid,
    pub sync_type: String,
    pub sync_direction: Direction,
    pub records_processed: i64,
    pub records_successful: i64,
    pub records_failed: i64,
    #[serde(deserialize_with = "json_text::deserialize")]
    pub error_details: Option<Value>,
    pub started_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub created_by: Option<Uuid>,
}

/// Opens a sync-log row for a run; [`finish_run`] closes it. A run left open was interrupted.
pub fn start_run(tx: &mut WriteTx<'_>, sync_type: &str, direction: Direction) -> Result<SyncRun> {
    tx.require(Permission::SyncManage)?;
    let run = SyncRun {
        id: new_id(),
        sync_type: sync_type.to_owned(),
        sync_direction: direction,
        records_processed: 0,
        records_successful: 0,
        records_failed: 0,
        error_details: None,
        started_at: tx.now(),
        completed_at: None,
        created_by: tx.actor().person_id,
    };
    insert_row(tx, "planning_center_sync_log", &to_row("planning_center_sync_log", &run)?)?;
    Ok(run)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    pub processed: i64,
    pub successful: i64,
    pub failed: i64,
}

pub fn finish_run(tx: &mut WriteTx<'_>, run_id: Uuid, counts: RunCounts, errors: Option<Value>) -> Result<()> {
    tx.require(Permission::SyncManage)?;
    let done = tx.conn().run(
        "UPDATE planning_center_sync_log SET records_processed = ?1, records_successful = ?2, records_failed = ?3,
         error_details = ?4, completed_at = ?5 WHERE id = ?6 AND completed_at IS NULL",
        rusqlite::params![
            counts.processed,
            counts.successful,
            counts.failed,
            errors.map(|e| e.to_string()),
            tx.now().to_rfc3339(),
            run_id.to_string()
        ],
    )?;
    if done == 0 {
        return Err(StoreError::Conflict {
            field: "run_id",
            message: "this sync run does not exist or has already finished".into(),
        });
    }
    Ok(())
}

/// The latest runs, newest first.
pub fn recent_runs(store: &Store, actor: &Actor, limit: u32) -> Result<Vec<SyncRun>> {
    crate::office::people::require(actor, Permission::SyncManage)?;
    store.read(|conn| {
        conn.records(
            "planning_center_sync_log",
            "SELECT * FROM planning_center_sync_log ORDER BY started_at DESC, id DESC LIMIT ?1",
            [limit.min(1000)],
        )
    })
}

/// Where an incremental pull of one resource stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncCursor {
    pub resource: String,
    /// Records updated at or after this were not yet pulled.
    pub updated_since: Option<Timestamp>,
    /// The next page of an unfinished full pull, to resume after a crash.
    pub next_url: Option<String>,
    pub full_pull_completed_at: Option<Timestamp>,
    pub last_reconciled_at: Option<Timestamp>,
    /// The reader's own resume position (opaque JSON), saved with the page it follows.
    #[serde(default)]
    pub position: Option<String>,
    pub updated_at: Timestamp,
}

impl SyncCursor {
    /// A resource never read yet.
    pub fn new(resource: &str) -> Self {
        Self {
            resource: resource.to_owned(),
            updated_since: None,
            next_url: None,
            full_pull_completed_at: None,
            last_reconciled_at: None,
            position: None,
            updated_at: Timestamp::now(),
        }
    }
}

pub fn cursor(store: &Store, actor: &Actor, resource: &str) -> Result<Option<SyncCursor>> {
    crate::office::people::require(actor, Permission::SyncManage)?;
    store.read(|conn| conn.record("pco_sync_cursor", "SELECT * FROM pco_sync_cursor WHERE resource = ?1", [resource]))
}

pub fn save_cursor(tx: &mut WriteTx<'_>, mut cursor: SyncCursor) -> Result<SyncCursor> {
    tx.require(Permission::SyncManage)?;
    cursor.updated_at = tx.now();
    tx.conn().run(
        "INSERT INTO pco_sync_cursor (resource, updated_since, next_url, full_pull_completed_at, last_reconciled_at, position, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(resource) DO UPDATE SET updated_since = excluded.updated_since, next_url = excluded.next_url,
           full_pull_completed_at = excluded.full_pull_completed_at, last_reconciled_at = excluded.last_reconciled_at,
           position = excluded.position, updated_at = excluded.updated_at",
        rusqlite::params![
            cursor.resource,
            cursor.updated_since.map(|t| t.to_rfc3339()),
            cursor.next_url,
            cursor.full_pull_completed_at.map(|t| t.to_rfc3339()),
            cursor.last_reconciled_at.map(|t| t.to_rfc3339()),
            cursor.position,
            cursor.updated_at.to_rfc3339(),
        ],
    )?;
    Ok(cursor)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct WebhookEvent {
    pub id: Uuid,
    pub event_type: String,
    pub planning_center_id: Option<String>,
    #[serde(deserialize_with = "json_text::deserialize")]
    pub payload: Value,
    pub processed: bool,
    pub processed_at: Option<Timestamp>,
    pub error_message: Option<String>,
    pub created_at: Timestamp,
}

pub fn record_webhook(
    tx: &mut WriteTx<'_>,
    event_type: &str,
    planning_center_id: Option<String>,
    payload: Value,
) -> Result<WebhookEvent> {
    tx.require(Permission::SyncManage)?;
    if event_type.trim().is_empty() {
        return Err(cct_domain::ValidationError::new("event_type", "is required").into());
    }
    let event = WebhookEvent {
        id: new_id(),
        event_type: event_type.to_owned(),
        planning_center_id,
        payload,
        processed: false,
        processed_at: None,
        error_message: None,
        created_at: tx.now(),
    };
    insert_row(tx, "planning_center_webhook_events", &to_row("planning_center_webhook_events", &event)?)?;
    Ok(event)
}

/// Marks a webhook handled; `error` keeps why handling failed, for a person to see.
pub fn mark_webhook_processed(tx: &mut WriteTx<'_>, id: Uuid, error: Option<String>) -> Result<()> {
    tx.require(Permission::SyncManage)?;
    let done = tx.conn().run(
        "UPDATE planning_center_webhook_events SET processed = 1, processed_at = ?1, error_message = ?2 WHERE id = ?3",
        rusqlite::params![tx.now().to_rfc3339(), error, id.to_string()],
    )?;
    if done == 0 {
        return Err(StoreError::NotFound { table: "planning_center_webhook_events", id });
    }
    Ok(())
}

pub fn unprocessed_webhooks(store: &Store, actor: &Actor, limit: u32) -> Result<Vec<WebhookEvent>> {
    crate::office::people::require(actor, Permission::SyncManage)?;
    store.read(|conn| {
        conn.records(
            "planning_center_webhook_events",
            "SELECT * FROM planning_center_webhook_events WHERE processed = 0 ORDER BY created_at LIMIT ?1",
            [limit.min(1000)],
        )
    })
}

/// A webhook event as the Planning Center card lists it: what, about whom, and how it went.
/// The payload (a person's details) stays out of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct WebhookEventSummary {
    pub event_type: String,
    pub planning_center_id: Option<String>,
    pub processed: bool,
    pub error_message: Option<String>,
    pub created_at: Timestamp,
}

/// The latest webhook events here, newest first.
pub fn recent_webhooks(store: &Store, actor: &Actor, limit: u32) -> Result<Vec<WebhookEventSummary>> {
    crate::office::people::require(actor, Permission::SyncManage)?;
    store.read(|conn| {
        conn.records(
            "planning_center_webhook_events",
            "SELECT event_type, planning_center_id, processed, error_message, created_at
             FROM planning_center_webhook_events ORDER BY created_at DESC LIMIT ?1",
            [limit.min(200)],
        )
    })
}
