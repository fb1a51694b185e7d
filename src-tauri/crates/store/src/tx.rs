use crate::connection::Schema;
use crate::lender::Lent;
use crate::row::JsonRow;
use crate::team::{changes, DeviceClock};
use crate::Result;
use cct_domain::{Actor, Permission, Timestamp};
use serde_json::Value;
use sqlx::SqliteConnection;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Insert,
    Update,
    /// A soft delete: rows are never removed, `is_active` turns false.
    Delete,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Insert => "insert",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
        }
    }
}

pub(crate) const AUDIT_INSERT: &str = "INSERT INTO audit_log (id, table_name, record_id, action, old_values, new_values, reason, changed_by, changed_at, user_agent)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// What wrote an audit row.
pub(crate) const USER_AGENT: &str = concat!("church-course-tracker/", env!("CARGO_PKG_VERSION"));

/// A write transaction on behalf of one actor. Everything written through it is audited, and
/// it commits all or nothing: dropped without [`WriteTx::commit`], it rolls back.
pub struct WriteTx<'a> {
    /// The store's one writing connection, held for the whole transaction; `None` once the
    /// transaction has ended.
    tx: Option<Lent>,
    actor: &'a Actor,
    schema: &'a Schema,
    clock: &'a DeviceClock,
    now: Timestamp,
    reason: Option<String>,
    outbox_enabled: bool,
}

impl<'a> WriteTx<'a> {
    /// Takes the write lock at once (`BEGIN IMMEDIATE`), so the transaction never fails
    /// half-way with SQLITE_BUSY.
    pub(crate) async fn begin(mut writer: Lent, actor: &'a Actor, schema: &'a Schema, clock: &'a DeviceClock) -> Result<Self> {
        if let Err(error) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *writer).await {
            // A transaction dropped where it could not roll back (no runtime left to do it)
            // is still open: end it, then begin.
            if !error.to_string().contains("within a transaction") {
                return Err(error.into());
            }
            sqlx::query("ROLLBACK").execute(&mut *writer).await?;
            sqlx::query("BEGIN IMMEDIATE").execute(&mut *writer).await?;
        }
        Ok(Self { tx: Some(writer), actor, schema, clock, now: Timestamp::now(), reason: None, outbox_enabled: true })
    }

    pub fn actor(&self) -> &Actor {
        self.actor
    }

    /// The one timestamp every row of this transaction carries.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// A reason recorded on the audit rows written from now on (an override's why).
    pub fn set_reason(&mut self, reason: Option<String>) {
        self.reason = reason;
    }

    /// Demo data must never reach Planning Center: its loader turns the outbox off.
    pub(crate) fn disable_outbox(&mut self) {
        self.outbox_enabled = false;
    }

    pub(crate) fn schema(&self) -> &Schema {
        self.schema
    }

    pub fn conn(&mut self) -> &mut SqliteConnection {
        self.tx.as_mut().expect("a WriteTx holds its connection until it ends")
    }

    pub fn require(&self, permission: Permission) -> Result<()> {
        crate::actor::require(self.actor, permission)
    }

    pub async fn commit(mut self) -> Result<()> {
        let committed = sqlx::query("COMMIT").execute(self.conn()).await;
        if committed.is_ok() {
            self.tx = None;
        }
        // On failure the transaction is still open; dropping `self` rolls it back.
        committed?;
        Ok(())
    }

    /// Writes the audit row for a change and logs the change for the team.
    pub(crate) async fn audit(
        &mut self,
        table: &str,
        record_id: &str,
        action: AuditAction,
        old_values: Option<&JsonRow>,
        new_values: Option<&JsonRow>,
    ) -> Result<()> {
        self.audit_only(table, record_id, action, old_values, new_values).await?;
        let empty = JsonRow::new();
        self.record_team_change(table, record_id, new_values.unwrap_or(&empty), action == AuditAction::Delete).await
    }

    /// The audit row alone, for a caller that logs the team change itself (with bookkeeping
    /// columns the audit leaves out).
    pub(crate) async fn audit_only(
        &mut self,
        table: &str,
        record_id: &str,
        action: AuditAction,
        old_values: Option<&JsonRow>,
        new_values: Option<&JsonRow>,
    ) -> Result<()> {
        let old = old_values.map(|v| Value::Object(v.clone()).to_string());
        let new = new_values.map(|v| Value::Object(v.clone()).to_string());
        sqlx::query(AUDIT_INSERT)
        .bind(cct_domain::new_id().to_string())
        .bind(table)
        .bind(record_id)
        .bind(action.as_str())
        .bind(old)
        .bind(new)
        .bind(self.reason.clone())
        .bind(self.actor.person_id.map(|id| id.to_string()))
        .bind(self.now.to_rfc3339())
        .bind(USER_AGENT)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Adds a write of a replicated table to this device's change log, for the church's other
    /// devices. Audited writes do this themselves; bookkeeping written beside them calls it.
    pub(crate) async fn record_team_change(&mut self, table: &str, record_id: &str, fields: &JsonRow, deleted: bool) -> Result<()> {
        let clock = self.clock;
        changes::record_local(self.conn(), clock, table, record_id, fields, deleted).await
    }

    pub(crate) async fn enqueue_outbox(&mut self, table: &str, record_id: Uuid, action: AuditAction, payload: &JsonRow) -> Result<()> {
        if !self.outbox_enabled {
            return Ok(());
        }
        let entry = OutboxEntry::new(table, record_id, action, payload, self.now);
        sqlx::query(OUTBOX_INSERT)
            .bind(&entry.id)
            .bind(table)
            .bind(record_id.to_string())
            .bind(action.as_str())
            .bind(&entry.payload)
            .bind(&entry.queued_at)
            .execute(self.conn())
            .await?;
        self.record_team_change("pco_outbox", &entry.id, &entry.team_fields(), false).await
    }
}

/// Parameters: id, table, record id, action, payload (JSON text), when queued.
pub(crate) const OUTBOX_INSERT: &str = "INSERT INTO pco_outbox (id, table_name, record_id, action, payload, status, attempts, created_at, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?6)";

/// A change queued for Planning Center beside the write that made it.
pub(crate) struct OutboxEntry {
    pub(crate) id: String,
    table: String,
    record_id: String,
    action: AuditAction,
    /// The record's row as JSON text.
    pub(crate) payload: String,
    pub(crate) queued_at: String,
}

impl OutboxEntry {
    pub(crate) fn new(table: &str, record_id: Uuid, action: AuditAction, payload: &JsonRow, now: Timestamp) -> Self {
        Self {
            id: cct_domain::new_id().to_string(),
            table: table.to_owned(),
            record_id: record_id.to_string(),
            action,
            payload: Value::Object(payload.clone()).to_string(),
            queued_at: now.to_rfc3339(),
        }
    }

    /// The row as the team sees it: the outbox is shared, so a signed-in office computer can
    /// send a classroom laptop's changes to Planning Center.
    pub(crate) fn team_fields(&self) -> JsonRow {
        serde_json::json!({
            "id": self.id,
            "table_name": self.table,
            "record_id": self.record_id,
            "action": self.action.as_str(),
            "payload": self.payload,
            "status": "pending",
            "attempts": 0,
            "created_at": self.queued_at,
            "updated_at": self.queued_at,
        })
        .as_object()
        .cloned()
        .unwrap_or_default()
    }
}

impl Drop for WriteTx<'_> {
    /// Rolls back a transaction that was not committed (an error, or a preview thrown away)
    /// before the writing connection is lent again: the connection goes to a task that says
    /// ROLLBACK and only then gives it back.
    fn drop(&mut self) {
        let Some(mut writer) = self.tx.take() else { return };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                // Fails only if SQLite already rolled back on its own (an I/O error); either
                // way nothing of the transaction remains.
                let _ = sqlx::query("ROLLBACK").execute(&mut *writer).await;
            });
        }
    }
}
