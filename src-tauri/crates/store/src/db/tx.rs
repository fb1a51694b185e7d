//! The one kind of write transaction. Whatever calls it (office screens, check-in, sync,
//! import, the team's merge), it stamps each row with when and by whom, and writes the row's
//! audit entry, its Planning Center outbox entry and its change for the team in the same
//! transaction as the row itself.

use super::error::{Result, StoreError};
use super::query::Query;
use super::rows::{json_text, JsonRow};
use super::schema::Schema;
use crate::team::{changes, DeviceClock};
use cct_domain::{Actor, Permission, Timestamp};
use parking_lot::MappedMutexGuard;
use rusqlite::Connection;
use serde_json::Value;
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

/// The statement writing one audit row about a record of `table`: it names this computer and
/// looks up the record's campuses, as the team's change log does, so the row reaches the
/// computers that may see the record. Parameters: ?1 the record id (which the campus lookups
/// use), ?2 a new id, ?3 the table, ?4 the action, ?5 old and ?6 new values, ?7 the reason,
/// ?8 who, ?9 when, ?10 the user agent, ?11 this device.
fn audit_insert_sql(table: &str) -> String {
    format!(
        "INSERT INTO audit_log (id, table_name, record_id, action, old_values, new_values, reason, changed_by, changed_at, user_agent, device_id, campus_ids)
         VALUES (?2, ?3, ?1, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, {})",
        changes::campuses_of_record_sql(table)
    )
}

/// Parameters: id, table, record id, action, payload (JSON text), when queued.
const OUTBOX_INSERT: &str =
    "INSERT INTO pco_outbox (id, table_name, record_id, action, payload, status, attempts, created_at, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?6)";

/// What wrote an audit row.
pub(crate) const USER_AGENT: &str = concat!("church-course-tracker/", env!("CARGO_PKG_VERSION"));

/// A write transaction on behalf of one actor. Everything written through it is audited, and
/// it commits all or nothing: dropped without [`WriteTx::commit`], it rolls back.
pub struct WriteTx<'a> {
    /// The store's one writing connection, held for the whole transaction.
    conn: MappedMutexGuard<'a, Connection>,
    actor: &'a Actor,
    schema: &'a Schema,
    clock: &'a DeviceClock,
    now: Timestamp,
    reason: Option<String>,
    outbox_enabled: bool,
    finished: bool,
}

impl<'a> WriteTx<'a> {
    pub(crate) fn begin(
        conn: MappedMutexGuard<'a, Connection>,
        actor: &'a Actor,
        schema: &'a Schema,
        clock: &'a DeviceClock,
    ) -> Result<Self> {
        if let Err(error) = conn.execute_batch("BEGIN IMMEDIATE") {
            // A transaction whose rollback failed (an I/O error) is still open: end it first.
            if !conn.is_autocommit() {
                conn.execute_batch("ROLLBACK")?;
                conn.execute_batch("BEGIN IMMEDIATE")?;
            } else {
                return Err(error.into());
            }
        }
        Ok(Self {
            conn,
            actor,
            schema,
            clock,
            now: Timestamp::now(),
            reason: None,
            outbox_enabled: true,
            finished: false,
        })
    }

    pub fn actor(&self) -> &Actor {
        self.actor
    }

    /// The one timestamp every row of this transaction carries.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The reason the audit rows written now carry, if one was given.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// A reason recorded on the audit rows written from now on (an override's why).
    pub fn set_reason(&mut self, reason: Option<String>) {
        self.reason = reason;
    }

    /// Demo data and changes pulled from Planning Center must never be sent to it: their
    /// writers turn the outbox off.
    pub(crate) fn disable_outbox(&mut self) {
        self.outbox_enabled = false;
    }

    pub(crate) fn schema(&self) -> &Schema {
        self.schema
    }

    /// The transaction's connection, which sees its own writes. Rows written straight through
    /// it are neither audited nor shared: the store's own bookkeeping only.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn require(&self, permission: Permission) -> Result<()> {
        crate::office::people::require(self.actor, permission)
    }

    pub fn commit(mut self) -> Result<()> {
        // On failure the transaction is still open; dropping `self` rolls it back.
        self.conn.execute_batch("COMMIT")?;
        self.finished = true;
        Ok(())
    }

    /// Runs `work` inside a savepoint: if it fails, what it wrote is undone and the rest of
    /// the transaction stands (an import's row that fails among rows that apply).
    pub fn savepoint<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("SAVEPOINT step")?;
        match work(self) {
            Ok(value) => {
                self.conn.execute_batch("RELEASE step")?;
                Ok(value)
            }
            Err(error) => {
                self.conn.execute_batch("ROLLBACK TO step; RELEASE step")?;
                Err(error)
            }
        }
    }

    /// Writes the audit row for a change and logs the change for the team.
    pub(crate) fn audit(
        &mut self,
        table: &str,
        record_id: &str,
        action: AuditAction,
        old_values: Option<&JsonRow>,
        new_values: Option<&JsonRow>,
    ) -> Result<()> {
        self.audit_only(table, record_id, action, old_values, new_values)?;
        let empty = JsonRow::new();
        self.record_team_change(table, record_id, new_values.unwrap_or(&empty), action == AuditAction::Delete)
    }

    /// An audit row for an action that changes no record (see `office::audit::record_event`);
    /// it stays on this computer, like the action.
    pub(crate) fn audit_event(&mut self, subject: &str, what: &str, values: &JsonRow) -> Result<()> {
        self.audit_only(subject, what, AuditAction::Insert, None, Some(values))
    }

    /// The audit row alone, for a caller that logs the team change itself (with bookkeeping
    /// columns the audit leaves out).
    pub(crate) fn audit_only(
        &mut self,
        table: &str,
        record_id: &str,
        action: AuditAction,
        old_values: Option<&JsonRow>,
        new_values: Option<&JsonRow>,
    ) -> Result<()> {
        self.conn.run(
            &audit_insert_sql(table),
            rusqlite::params![
                record_id,
                cct_domain::new_id().to_string(),
                table,
                action.as_str(),
                old_values.map(json_text),
                new_values.map(json_text),
                self.reason,
                self.actor.person_id.map(|id| id.to_string()),
                self.now.to_rfc3339(),
                USER_AGENT,
                self.clock.device_id(),
            ],
        )?;
        Ok(())
    }

    /// Adds a write of a replicated table to this device's change log, for the church's other
    /// devices. Audited writes do this themselves; bookkeeping written beside them calls it.
    pub(crate) fn record_team_change(
        &mut self,
        table: &str,
        record_id: &str,
        fields: &JsonRow,
        deleted: bool,
    ) -> Result<()> {
        changes::record_local(&self.conn, self.clock, table, record_id, fields, deleted)
    }

    /// Queues a change for Planning Center (unless the outbox is off), shared with the team so
    /// that any signed-in office computer can send a classroom laptop's change.
    pub(crate) fn enqueue_outbox(
        &mut self,
        table: &str,
        record_id: Uuid,
        action: AuditAction,
        payload: &JsonRow,
    ) -> Result<()> {
        if !self.outbox_enabled {
            return Ok(());
        }
        let id = cct_domain::new_id().to_string();
        let payload = json_text(payload);
        let queued_at = self.now.to_rfc3339();
        self.conn.run(
            OUTBOX_INSERT,
            rusqlite::params![id, table, record_id.to_string(), action.as_str(), payload, queued_at],
        )?;
        let shared = serde_json::json!({
            "id": id,
            "table_name": table,
            "record_id": record_id.to_string(),
            "action": action.as_str(),
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "created_at": queued_at,
            "updated_at": queued_at,
        });
        let Value::Object(fields) = shared else {
            return Err(StoreError::Constraint("an outbox entry is an object".into()));
        };
        self.record_team_change("pco_outbox", &id, &fields, false)
    }
}

impl Drop for WriteTx<'_> {
    /// Rolls back a transaction that was not committed (an error, a preview thrown away, a
    /// panic) before the writing connection is given to anyone else.
    fn drop(&mut self) {
        if !self.finished {
            // Fails only if SQLite already rolled back on its own (an I/O error); either way
            // nothing of the transaction remains, and `begin` ends anything left open.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}
