//! Statements run on the calling thread, for the check-in station's busiest work.
//!
//! sqlx keeps each SQLite connection on a worker thread of its own, so every statement is a
//! hand-off to that thread and back. On a 2-core machine one hand-off costs 100–150 µs, more
//! than the statement itself: a check-in of ten statements spent most of its time waiting for
//! threads (see `benches/checkin.rs`). Check-in and its search as you type therefore run here,
//! through rusqlite, on connections of their own to the same file. Writes still happen one at
//! a time: [`Store::write_direct`](crate::Store::write_direct) holds the store's writing
//! connection for as long as it writes here.
//!
//! (sqlx can lend its own connection's handle to the calling thread, but here that hand-back
//! deadlocked when taken twice in a row, so these connections are separate.)

use crate::connection::{Schema, CACHE_SIZE, MMAP_SIZE};
use crate::records::{changed_references, check_reference, insert_sql, new_row, update_sql, Planned, Update};
use crate::row::{from_row, JsonRow};
use crate::team::{changes, DeviceClock};
use crate::tx::{OutboxEntry, AUDIT_INSERT, OUTBOX_INSERT, USER_AGENT};
use crate::{AuditAction, Result, StoreError};
use cct_domain::{Actor, Permission, Record, Reference, Timestamp};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use serde_json::Value;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use uuid::Uuid;

/// Pages the write-ahead log may hold before a check-in's commit copies it into the database
/// (32 MiB).
const WAL_PAGES_BEFORE_CHECKPOINT: i64 = 8_000;

/// One connection that writes and one that reads; `None` once closed.
pub(crate) struct Direct {
    writer: Mutex<Option<Connection>>,
    reader: Mutex<Option<Connection>>,
}

impl Direct {
    /// Opens both connections to a database the store has already migrated.
    pub(crate) fn open(path: &Path, busy_timeout: Duration) -> Result<Self> {
        // Configured as the store's own connections (see `Store::open`).
        let configure = |connection: &Connection| -> Result<()> {
            connection.busy_timeout(busy_timeout)?;
            connection.execute_batch(&format!(
                "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = memory; PRAGMA mmap_size = {MMAP_SIZE}; PRAGMA cache_size = {CACHE_SIZE};"
            ))?;
            Ok(())
        };
        let writer = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        configure(&writer)?;
        // A check-in dirties about sixteen pages. At SQLite's default (a checkpoint once the
        // log holds 1,000 pages) every sixtieth check-in would also copy the log into the
        // database and wait for the disk; a longer log is copied less often, and pages written
        // many times over (the ends of the audit and change logs) are copied once.
        writer.pragma_update(None, "wal_autocheckpoint", WAL_PAGES_BEFORE_CHECKPOINT)?;
        let reader = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        configure(&reader)?;
        Ok(Self { writer: Mutex::new(Some(writer)), reader: Mutex::new(Some(reader)) })
    }

    /// Runs `work` in one write transaction (`BEGIN IMMEDIATE`), committed if it succeeds and
    /// rolled back if it fails. The caller keeps the store's other writers out.
    pub(crate) fn write<T>(&self, actor: &Actor, schema: &Schema, clock: &DeviceClock, work: impl FnOnce(&mut DirectTx<'_>) -> Result<T>) -> Result<T> {
        let mut slot = lock(&self.writer);
        let connection = slot.as_mut().ok_or(StoreError::Database(sqlx::Error::PoolClosed))?;
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut direct = DirectTx { tx, actor, schema, clock, now: Timestamp::now() };
        let result = work(&mut direct)?;
        direct.tx.commit()?;
        Ok(result)
    }

    /// Runs `work` on the reading connection, which sees the last committed state.
    pub(crate) fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let slot = lock(&self.reader);
        work(slot.as_ref().ok_or(StoreError::Database(sqlx::Error::PoolClosed))?)
    }

    pub(crate) fn close(&self) {
        lock(&self.writer).take();
        lock(&self.reader).take();
    }
}

/// A connection whose last user panicked is still sound: a transaction it left open was
/// rolled back when that user's `Transaction` was dropped during unwinding.
fn lock(slot: &Mutex<Option<Connection>>) -> MutexGuard<'_, Option<Connection>> {
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A write transaction on the direct connection, audited, logged for the team and queued for
/// Planning Center like a [`WriteTx`](crate::WriteTx).
pub(crate) struct DirectTx<'a> {
    tx: rusqlite::Transaction<'a>,
    actor: &'a Actor,
    schema: &'a Schema,
    clock: &'a DeviceClock,
    now: Timestamp,
}

impl DirectTx<'_> {
    pub(crate) fn actor(&self) -> &Actor {
        self.actor
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.now
    }

    pub(crate) fn require(&self, permission: Permission) -> Result<()> {
        crate::actor::require(self.actor, permission)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.tx
    }

    /// Inserts a record whose references the caller has just read and found active, with
    /// its audit row and team change.
    pub(crate) fn insert<T: Record>(&mut self, mut record: T) -> Result<T> {
        let row = new_row(&mut record, self.now, self.actor.person_id)?;
        let sql = insert_sql(self.schema, T::TABLE, &row)?;
        self.tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(row.values().map(sql_value)))?;
        let id = record.id().to_string();
        let outbox_payload = T::PUSHED_TO_PLANNING_CENTER.then(|| row.clone());
        // The audit row and the team's change both carry the whole new row.
        let row_json = Value::Object(row).to_string();
        self.audit(T::TABLE, &id, AuditAction::Insert, None, Some(row_json.clone()))?;
        self.record_team_change(T::TABLE, &id, row_json, false)?;
        if let Some(payload) = outbox_payload {
            self.enqueue_outbox(T::TABLE, record.id(), AuditAction::Insert, &payload)?;
        }
        Ok(record)
    }

    /// Writes a record over its stored row; only what changed is audited and logged.
    pub(crate) fn update<T: Record>(&mut self, record: T) -> Result<T> {
        let old_row = self.get_row(T::TABLE, record.id())?.ok_or(StoreError::NotFound { table: T::TABLE, id: record.id() })?;
        self.update_over(old_row, record)
    }

    /// [`DirectTx::update`] for a caller that has just read the stored row in this transaction
    /// (see [`DirectTx::get_with_row`]).
    pub(crate) fn update_over<T: Record>(&mut self, old_row: JsonRow, record: T) -> Result<T> {
        record.validate()?;
        self.check_references(&changed_references(&record, &old_row))?;
        let update = match Update::plan(old_row, record, self.now, self.actor.person_id)? {
            Planned::Unchanged(old) => return Ok(old),
            Planned::Changed(update) => update,
        };
        let (sql, columns) = update_sql(self.schema, T::TABLE, &update.row)?;
        let id = update.record.id();
        let values = columns.iter().map(|c| sql_value(&update.row[c.as_str()])).chain([SqlValue::Text(id.to_string())]);
        self.tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
        self.audit(T::TABLE, &id.to_string(), update.action, Some(json(update.old_changed.clone())), Some(json(update.new_changed.clone())))?;
        self.record_team_change(T::TABLE, &id.to_string(), json(update.team_fields()), update.action == AuditAction::Delete)?;
        if update.reaches_planning_center() {
            self.enqueue_outbox(T::TABLE, id, update.action, &update.row)?;
        }
        Ok(update.record)
    }

    /// Queues an enrollment whose progress this transaction leaves to the store's writer (one
    /// it would complete or reopen), for [`crate::progress::settle_pending`] once it commits.
    pub(crate) fn queue_progress(&self, course_enrollment_id: Uuid) -> Result<()> {
        self.tx.prepare_cached(crate::progress::QUEUE_PENDING)?.execute([course_enrollment_id.to_string(), self.now.to_rfc3339()])?;
        Ok(())
    }

    /// A record as this transaction sees it, and its stored row, for a caller that updates it with [`DirectTx::update_over`].
    pub(crate) fn get_with_row<T: Record>(&self, id: Uuid) -> Result<(T, JsonRow)> {
        let row = self.get_row(T::TABLE, id)?.ok_or(StoreError::NotFound { table: T::TABLE, id })?;
        Ok((from_row(T::TABLE, row.clone())?, row))
    }

    fn get_row(&self, table: &str, id: Uuid) -> Result<Option<JsonRow>> {
        Ok(read_rows(&self.tx, &format!("SELECT * FROM {table} WHERE id = ?1"), [id.to_string()])?.pop())
    }

    fn check_references(&self, references: &[Reference]) -> Result<()> {
        for reference in references {
            let sql = format!("SELECT is_active FROM {} WHERE id = ?1", reference.table);
            let active: Option<bool> = self.tx.prepare_cached(&sql)?.query_row([reference.id.to_string()], |row| row.get(0)).map(Some).or_else(none_if_no_rows)?;
            check_reference(reference, active)?;
        }
        Ok(())
    }

    /// `old_values` and `new_values` as JSON text.
    fn audit(&self, table: &str, record_id: &str, action: AuditAction, old_values: Option<String>, new_values: Option<String>) -> Result<()> {
        self.tx.prepare_cached(AUDIT_INSERT)?.execute(rusqlite::params![
            cct_domain::new_id().to_string(),
            table,
            record_id,
            action.as_str(),
            old_values,
            new_values,
            None::<String>,
            self.actor.person_id.map(|id| id.to_string()),
            self.now.to_rfc3339(),
            USER_AGENT,
        ])?;
        Ok(())
    }

    /// As [`WriteTx::enqueue_outbox`](crate::WriteTx): the change queued for Planning Center and
    /// logged for the team.
    fn enqueue_outbox(&self, table: &str, record_id: Uuid, action: AuditAction, payload: &JsonRow) -> Result<()> {
        let entry = OutboxEntry::new(table, record_id, action, payload, self.now);
        self.tx.prepare_cached(OUTBOX_INSERT)?.execute(rusqlite::params![entry.id, table, record_id.to_string(), action.as_str(), entry.payload, entry.queued_at])?;
        self.record_team_change("pco_outbox", &entry.id, json(entry.team_fields()), false)
    }

    /// `fields` as JSON text: the columns written, never empty.
    fn record_team_change(&self, table: &str, record_id: &str, fields: String, deleted: bool) -> Result<()> {
        let Some(sql) = changes::local_change_sql(table) else { return Ok(()) };
        let logged = self.tx.prepare_cached(&sql)?.execute(rusqlite::params![
            record_id,
            cct_domain::new_id().to_string(),
            table,
            fields,
            deleted,
            self.clock.tick().to_string(),
            self.clock.device_id(),
        ]);
        match logged {
            Err(rusqlite::Error::SqliteFailure(_, Some(message))) if changes::is_revival(&message) => Err(changes::revival_refused()),
            other => other.map(drop).map_err(StoreError::from),
        }
    }
}

fn json(row: JsonRow) -> String {
    Value::Object(row).to_string()
}

/// Rows as JSON objects, read as [`crate::row::read_row`] reads them (BOOLEAN columns become
/// `true`/`false`).
pub(crate) fn read_rows(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<JsonRow>> {
    let mut statement = conn.prepare_cached(sql)?;
    let columns: Vec<(String, bool)> = statement.columns().iter().map(|c| (c.name().to_owned(), c.decl_type() == Some("BOOLEAN"))).collect();
    let mut rows = statement.query(params)?;
    let mut read = Vec::new();
    while let Some(row) = rows.next()? {
        let mut map = JsonRow::with_capacity(columns.len());
        for (index, (name, boolean)) in columns.iter().enumerate() {
            let value = match row.get_ref(index)? {
                ValueRef::Null | ValueRef::Blob(_) => Value::Null,
                ValueRef::Integer(i) if *boolean => Value::Bool(i != 0),
                ValueRef::Integer(i) => Value::from(i),
                ValueRef::Real(r) => Value::from(r),
                ValueRef::Text(text) => Value::String(String::from_utf8_lossy(text).into_owned()),
            };
            map.insert(name.clone(), value);
        }
        read.push(map);
    }
    Ok(read)
}

/// A JSON value as SQLite stores it (as [`crate::row::bind_value`] binds it).
fn sql_value(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => n.as_i64().map(SqlValue::Integer).unwrap_or_else(|| SqlValue::Real(n.as_f64().unwrap_or_default())),
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

pub(crate) fn none_if_no_rows<T>(error: rusqlite::Error) -> rusqlite::Result<Option<T>> {
    match error {
        rusqlite::Error::QueryReturnedNoRows => Ok(None),
        other => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use crate::{records, Store};
    use cct_domain::records::{Course, CourseEnrollment, Person};
    use cct_domain::Actor;

    async fn queued_for_planning_center(store: &Store, record_id: uuid::Uuid) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM pco_outbox WHERE record_id = ?")
            .bind(record_id.to_string())
            .fetch_one(&mut *store.reader().await.unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_direct_update_queues_planning_center_only_when_it_reaches_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("church.sqlite")).await.unwrap();
        let system = Actor::system();
        let mut tx = store.begin_write(&system).await.unwrap();
        let person = records::insert(&mut tx, Person { first_name: "Lydia".into(), last_name: "Thyatira".into(), ..Default::default() }).await.unwrap();
        let course = records::insert(&mut tx, Course { name: "Membership".into(), ..Default::default() }).await.unwrap();
        let enrollment = CourseEnrollment { people_id: person.meta.id, course_id: course.meta.id, enrollment_date: tx.now().date(), ..Default::default() };
        let enrollment = records::insert(&mut tx, enrollment).await.unwrap();
        tx.commit().await.unwrap();
        let id = enrollment.meta.id;
        let before = queued_for_planning_center(&store, id).await;

        store
            .write_direct(&system, |tx| {
                let (mut moved, stored): (CourseEnrollment, _) = tx.get_with_row(id)?;
                moved.progress_percentage = 40.0;
                tx.update_over(stored, moved)
            })
            .await
            .unwrap();
        assert_eq!(queued_for_planning_center(&store, id).await, before, "progress alone is not for Planning Center");

        store
            .write_direct(&system, |tx| {
                let (mut dropped, stored): (CourseEnrollment, _) = tx.get_with_row(id)?;
                dropped.meta.is_active = false;
                tx.update_over(stored, dropped)
            })
            .await
            .unwrap();
        assert_eq!(queued_for_planning_center(&store, id).await, before + 1, "a dropped enrollment is");
        let shared: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM team_change WHERE table_name = 'pco_outbox' AND json_extract(fields, '$.record_id') = ?")
            .bind(id.to_string())
            .fetch_one(&mut *store.reader().await.unwrap())
            .await
            .unwrap();
        assert_eq!(shared, before + 1, "and the outbox entry is shared with the team");
        store.close().await;
    }
}
