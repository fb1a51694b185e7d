//! The Planning Center integration tables: the sync log (one row per run), cursors for
//! incremental pulls, received webhook events, and the caches of Planning Center events and
//! registrations. All need `sync.manage`. Cache writes are data and are audited; the sync log and
//! webhook table are logs in their own right, and cursors are bookkeeping, so they are not.

use crate::records::{insert_row, update_row};
use crate::row::{from_row, read_row, to_row};
use crate::{AuditAction, Result, Store, StoreError, WriteTx};
use cct_domain::record::json_text;
use cct_domain::{new_id, Actor, Permission, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;
use ts_rs::TS;

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
pub async fn start_run(tx: &mut WriteTx<'_>, sync_type: &str, direction: Direction) -> Result<SyncRun> {
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
    insert_row(tx, "planning_center_sync_log", &to_row("planning_center_sync_log", &run)?).await?;
    Ok(run)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    pub processed: i64,
    pub successful: i64,
    pub failed: i64,
}

pub async fn finish_run(tx: &mut WriteTx<'_>, run_id: Uuid, counts: RunCounts, errors: Option<Value>) -> Result<()> {
    tx.require(Permission::SyncManage)?;
    let done = sqlx::query(
        "UPDATE planning_center_sync_log SET records_processed = ?, records_successful = ?, records_failed = ?,
         error_details = ?, completed_at = ? WHERE id = ? AND completed_at IS NULL",
    )
    .bind(counts.processed)
    .bind(counts.successful)
    .bind(counts.failed)
    .bind(errors.map(|e| e.to_string()))
    .bind(tx.now().to_rfc3339())
    .bind(run_id.to_string())
    .execute(tx.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict { field: "run_id", message: "this sync run does not exist or has already finished".into() });
    }
    Ok(())
}

/// The latest runs, newest first.
pub async fn recent_runs(store: &Store, actor: &Actor, limit: u32) -> Result<Vec<SyncRun>> {
    crate::actor::require(actor, Permission::SyncManage)?;
    let rows = sqlx::query("SELECT * FROM planning_center_sync_log ORDER BY started_at DESC, id DESC LIMIT ?")
        .bind(limit.min(1000))
        .fetch_all(&mut *store.reader().await?)
        .await?;
    rows.iter().map(|r| read_row(r).and_then(|row| from_row("planning_center_sync_log", row))).collect()
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
        Self { resource: resource.to_owned(), updated_since: None, next_url: None, full_pull_completed_at: None, last_reconciled_at: None, position: None, updated_at: Timestamp::now() }
    }
}

pub async fn cursor(store: &Store, actor: &Actor, resource: &str) -> Result<Option<SyncCursor>> {
    crate::actor::require(actor, Permission::SyncManage)?;
    let row = sqlx::query("SELECT * FROM pco_sync_cursor WHERE resource = ?").bind(resource).fetch_optional(&mut *store.reader().await?).await?;
    row.map(|r| read_row(&r).and_then(|row| from_row("pco_sync_cursor", row))).transpose()
}

pub async fn save_cursor(tx: &mut WriteTx<'_>, mut cursor: SyncCursor) -> Result<SyncCursor> {
    tx.require(Permission::SyncManage)?;
    cursor.updated_at = tx.now();
    sqlx::query(
        "INSERT INTO pco_sync_cursor (resource, updated_since, next_url, full_pull_completed_at, last_reconciled_at, position, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(resource) DO UPDATE SET updated_since = excluded.updated_since, next_url = excluded.next_url,
           full_pull_completed_at = excluded.full_pull_completed_at, last_reconciled_at = excluded.last_reconciled_at,
           position = excluded.position, updated_at = excluded.updated_at",
    )
    .bind(&cursor.resource)
    .bind(cursor.updated_since.map(|t| t.to_rfc3339()))
    .bind(&cursor.next_url)
    .bind(cursor.full_pull_completed_at.map(|t| t.to_rfc3339()))
    .bind(cursor.last_reconciled_at.map(|t| t.to_rfc3339()))
    .bind(&cursor.position)
    .bind(cursor.updated_at.to_rfc3339())
    .execute(tx.conn())
    .await?;
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

pub async fn record_webhook(tx: &mut WriteTx<'_>, event_type: &str, planning_center_id: Option<String>, payload: Value) -> Result<WebhookEvent> {
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
    insert_row(tx, "planning_center_webhook_events", &to_row("planning_center_webhook_events", &event)?).await?;
    Ok(event)
}

/// Marks a webhook handled; `error` keeps why handling failed, for a person to see.
pub async fn mark_webhook_processed(tx: &mut WriteTx<'_>, id: Uuid, error: Option<String>) -> Result<()> {
    tx.require(Permission::SyncManage)?;
    let done = sqlx::query("UPDATE planning_center_webhook_events SET processed = 1, processed_at = ?, error_message = ? WHERE id = ?")
        .bind(tx.now().to_rfc3339())
        .bind(error)
        .bind(id.to_string())
        .execute(tx.conn())
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { table: "planning_center_webhook_events", id });
    }
    Ok(())
}

pub async fn unprocessed_webhooks(store: &Store, actor: &Actor, limit: u32) -> Result<Vec<WebhookEvent>> {
    crate::actor::require(actor, Permission::SyncManage)?;
    let rows = sqlx::query("SELECT * FROM planning_center_webhook_events WHERE processed = 0 ORDER BY created_at LIMIT ?")
        .bind(limit.min(1000))
        .fetch_all(&mut *store.reader().await?)
        .await?;
    rows.iter().map(|r| read_row(r).and_then(|row| from_row("planning_center_webhook_events", row))).collect()
}

/// A Planning Center event (a Registrations signup), as last pulled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CachedEvent {
    #[serde(default = "new_id")]
    pub id: Uuid,
    pub planning_center_event_id: String,
    pub event_name: String,
    pub event_description: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub max_capacity: Option<i64>,
    #[serde(default)]
    pub current_registrations_count: i64,
    pub registration_deadline: Option<String>,
    pub event_status: Option<String>,
    /// The local course this event is mapped to, if any.
    pub course_id: Option<Uuid>,
    pub last_synced_at: Option<Timestamp>,
    #[serde(default)]
    pub created_at: Timestamp,
    #[serde(default)]
    pub updated_at: Timestamp,
}

/// A Planning Center registration (an attendee of a signup), as last pulled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CachedRegistration {
    #[serde(default = "new_id")]
    pub id: Uuid,
    pub planning_center_registration_id: String,
    pub planning_center_event_id: String,
    pub planning_center_person_id: Option<String>,
    pub registration_status: cct_domain::records::RegistrationStatus,
    pub registration_date: Option<String>,
    pub registration_notes: Option<String>,
    #[serde(default, deserialize_with = "json_text::deserialize")]
    pub custom_field_responses: Option<Value>,
    pub last_synced_at: Option<Timestamp>,
    #[serde(default)]
    pub created_at: Timestamp,
    #[serde(default)]
    pub updated_at: Timestamp,
}

/// Inserts or refreshes a cached event by its Planning Center id; audited.
pub async fn upsert_event(tx: &mut WriteTx<'_>, event: CachedEvent) -> Result<CachedEvent> {
    if event.event_name.trim().is_empty() {
        return Err(cct_domain::ValidationError::new("event_name", "is required").into());
    }
    if let Some(course) = event.course_id {
        crate::records::check_references(tx.conn(), &[cct_domain::Reference::to("course_id", "course", course)]).await?;
    }
    let key = event.planning_center_event_id.clone();
    upsert_cache(tx, "planning_center_events_cache", "planning_center_event_id", &key, event).await
}

/// Inserts or refreshes a cached registration by its Planning Center id; audited.
pub async fn upsert_registration(tx: &mut WriteTx<'_>, registration: CachedRegistration) -> Result<CachedRegistration> {
    let key = registration.planning_center_registration_id.clone();
    upsert_cache(tx, "planning_center_registrations_cache", "planning_center_registration_id", &key, registration).await
}

pub async fn cached_event(store: &Store, actor: &Actor, planning_center_event_id: &str) -> Result<Option<CachedEvent>> {
    crate::actor::require(actor, Permission::CoursesRead)?;
    let row = sqlx::query("SELECT * FROM planning_center_events_cache WHERE planning_center_event_id = ?")
        .bind(planning_center_event_id)
        .fetch_optional(&mut *store.reader().await?)
        .await?;
    row.map(|r| read_row(&r).and_then(|row| from_row("planning_center_events_cache", row))).transpose()
}

pub async fn cached_registrations(store: &Store, actor: &Actor, planning_center_event_id: &str) -> Result<Vec<CachedRegistration>> {
    crate::actor::require(actor, Permission::EnrollmentsRead)?;
    let rows = sqlx::query("SELECT * FROM planning_center_registrations_cache WHERE planning_center_event_id = ? ORDER BY registration_date, id")
        .bind(planning_center_event_id)
        .fetch_all(&mut *store.reader().await?)
        .await?;
    rows.iter().map(|r| read_row(r).and_then(|row| from_row("planning_center_registrations_cache", row))).collect()
}

/// The row is keyed by its Planning Center id: an existing row keeps its local id and creation
/// time, and only changed columns are audited.
async fn upsert_cache<T: Serialize + serde::de::DeserializeOwned>(tx: &mut WriteTx<'_>, table: &'static str, key_column: &str, key: &str, record: T) -> Result<T> {
    tx.require(Permission::SyncManage)?;
    if key.trim().is_empty() {
        return Err(cct_domain::ValidationError::new(key_column, "is required").into());
    }
    let mut row = to_row(table, &record)?;
    let now = Value::String(tx.now().to_rfc3339());
    row.insert("updated_at".into(), now.clone());
    row.insert("last_synced_at".into(), now.clone());
    let existing = sqlx::query(&format!("SELECT * FROM {table} WHERE {key_column} = ?")).bind(key).fetch_optional(tx.conn()).await?;
    match existing {
        None => {
            row.insert("created_at".into(), now);
            insert_row(tx, table, &row).await?;
            let id = row.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
            tx.audit(table, &id, AuditAction::Insert, None, Some(&row)).await?;
        }
        Some(old) => {
            let old = read_row(&old)?;
            for kept in ["id", "created_at"] {
                if let Some(value) = old.get(kept) {
                    row.insert(kept.into(), value.clone());
                }
            }
            let id = row.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
            let (before, after): (crate::row::JsonRow, crate::row::JsonRow) = row
                .iter()
                .filter(|(column, value)| !matches!(column.as_str(), "updated_at" | "last_synced_at") && old.get(*column) != Some(value))
                .map(|(column, value)| ((column.clone(), old.get(column).cloned().unwrap_or(Value::Null)), (column.clone(), value.clone())))
                .unzip();
            let uuid = Uuid::parse_str(&id).map_err(|_| StoreError::Constraint(format!("{table} row has a malformed id {id:?}")))?;
            update_row(tx, table, uuid, &row).await?;
            if !after.is_empty() {
                tx.audit(table, &id, AuditAction::Update, Some(&before), Some(&after)).await?;
            }
        }
    }
    from_row(table, row)
}
