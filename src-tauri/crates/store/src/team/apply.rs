//! Merging changes from the church's other devices into this store. A pulled batch, the
//! changes it could write and the new pull cursor commit together, so a pull cut off anywhere
//! resumes where it stopped and applying the same change twice changes nothing.

use super::changes::logged_change;
use super::clock::Hlc;
use super::merge::{value_to_write, Change, FieldVersions};
use super::is_replicated;
use crate::connection::Schema;
use crate::row::bind_value;
use crate::{Result, Store, StoreError};
use cct_domain::Actor;
use serde_json::Value;
use sqlx::{Connection, Row, SqliteConnection};
use std::collections::BTreeMap;

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
    let mut counts = ApplyCounts::default();
    let mut latest = Hlc::default();
    for change in changes {
        if !is_replicated(&change.table_name) {
            continue; // a table a newer version of the app shares; this version has no place for it
        }
        if !log_remote(tx.conn(), change).await? {
            continue;
        }
        counts.received += 1;
        latest = latest.max(Hlc::parse(&change.hlc).unwrap_or_default());
        if let Err(reason) = write_change(tx.conn(), schema, change).await? {
            wait(tx.conn(), &change.id, &reason).await?;
        }
    }
    retry_waiting(tx.conn(), schema).await?;
    sqlx::query("UPDATE team_device SET pull_cursor = max(pull_cursor, ?), last_pull_at = ?").bind(cursor).bind(tx.now().to_rfc3339()).execute(tx.conn()).await?;
    counts.waiting = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM team_waiting_change").fetch_one(tx.conn()).await? as u64;
    tx.commit().await?;
    store.clock().observe(latest);
    Ok(counts)
}

/// Keeps the change in this device's log; false when it was already here.
async fn log_remote(conn: &mut SqliteConnection, change: &Change) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO team_change (id, table_name, record_id, fields, deleted, hlc, device_id, campus_ids, origin, pushed)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'remote', 1) ON CONFLICT(id) DO NOTHING",
    )
    .bind(&change.id)
    .bind(&change.table_name)
    .bind(&change.record_id)
    .bind(Value::Object(change.fields.clone()).to_string())
    .bind(change.deleted)
    .bind(&change.hlc)
    .bind(&change.device_id)
    .bind(serde_json::to_string(&change.campus_ids).unwrap_or_else(|_| "[]".into()))
    .execute(&mut *conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Writes the fields `change` wins. `Ok(Err(reason))` when the database refused the row as it
/// stands (a reference not here yet, a clash on a unique value); nothing is written then.
async fn write_change(conn: &mut SqliteConnection, schema: &Schema, change: &Change) -> Result<std::result::Result<(), String>> {
    let table = change.table_name.as_str();
    let stored: Option<(String, bool)> = sqlx::query_as("SELECT clocks, deleted FROM team_record_clock WHERE table_name = ? AND record_id = ?")
        .bind(table)
        .bind(&change.record_id)
        .fetch_optional(&mut *conn)
        .await?;
    let mut versions = match &stored {
        Some((clocks, deleted)) => FieldVersions {
            by_field: serde_json::from_str::<BTreeMap<String, String>>(clocks)
                .map_err(|source| StoreError::CorruptRecord { table: "team_record_clock".into(), source })?,
            deleted: *deleted,
        },
        None => FieldVersions::default(),
    };
    let won: Vec<String> = versions.absorb(change).into_iter().filter(|field| schema.has_column(table, field) && field != "id").collect();
    if !won.is_empty() {
        let mut savepoint = conn.begin().await?;
        let exists_sql = format!("SELECT 1 FROM {table} WHERE id = ?");
        let exists = sqlx::query(&exists_sql).bind(&change.record_id).fetch_optional(&mut *savepoint).await?.is_some();
        let sql = if exists {
            let sets: Vec<String> = won.iter().map(|f| format!("\"{f}\" = ?")).collect();
            format!("UPDATE {table} SET {} WHERE id = ?", sets.join(", "))
        } else {
            let columns: Vec<String> = won.iter().map(|f| format!("\"{f}\"")).collect();
            format!("INSERT INTO {table} ({}, id) VALUES ({}?)", columns.join(", "), "?, ".repeat(won.len()))
        };
        let mut query = sqlx::query(&sql);
        for field in &won {
            query = bind_value(query, &value_to_write(&versions, field, change.fields.get(field)));
        }
        match query.bind(&change.record_id).execute(&mut *savepoint).await {
            Ok(_) => savepoint.commit().await?,
            Err(sqlx::Error::Database(refused)) => {
                savepoint.rollback().await?;
                return Ok(Err(refused.message().to_owned()));
            }
            Err(other) => return Err(other.into()),
        }
    }
    let clocks = serde_json::to_string(&versions.by_field).unwrap_or_else(|_| "{}".into());
    sqlx::query(
        "INSERT INTO team_record_clock (table_name, record_id, clocks, deleted) VALUES (?, ?, ?, ?)
         ON CONFLICT(table_name, record_id) DO UPDATE SET clocks = excluded.clocks, deleted = excluded.deleted",
    )
    .bind(table)
    .bind(&change.record_id)
    .bind(clocks)
    .bind(versions.deleted)
    .execute(&mut *conn)
    .await?;
    Ok(Ok(()))
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

/// Tries the waiting changes again, oldest first, until a pass writes none of them.
async fn retry_waiting(conn: &mut SqliteConnection, schema: &Schema) -> Result<()> {
    loop {
        let rows = sqlx::query(
            "SELECT c.seq, c.id, c.table_name, c.record_id, c.fields, c.deleted, c.hlc, c.device_id, c.campus_ids
             FROM team_waiting_change w JOIN team_change c ON c.id = w.change_id ORDER BY c.seq",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut progressed = false;
        for row in &rows {
            let change = logged_change(row)?.change;
            match write_change(conn, schema, &change).await? {
                Ok(()) => {
                    sqlx::query("DELETE FROM team_waiting_change WHERE change_id = ?").bind(&change.id).execute(&mut *conn).await?;
                    progressed = true;
                }
                Err(reason) => wait(conn, &change.id, &reason).await?,
            }
        }
        if !progressed {
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
    .fetch_all(store.reader())
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
