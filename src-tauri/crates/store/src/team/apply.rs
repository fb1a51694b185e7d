//! Merging changes from the church's other devices into this store. A pulled batch, the
//! changes it could write and the new pull cursor commit together, so a pull cut off anywhere
//! resumes where it stopped and applying the same change twice changes nothing.

use super::changes::logged_change;
use super::clock::Hlc;
use super::merge::{value_to_write, Change, FieldVersions};
use super::{bulk, is_replicated};
use crate::connection::Schema;
use crate::row::bind_value;
use crate::{Result, Store, StoreError};
use cct_domain::Actor;
use sqlx::{Row, SqliteConnection};
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
        // A record this device has no clocks for is new here (its first change to arrive);
        // otherwise it is updated. A refused statement leaves the transaction as it was, so
        // no savepoint is needed around it.
        let outcome = if stored.is_none() {
            match write_row(conn, table, &change.record_id, &won, &versions, change, RowWrite::Insert).await? {
                Err(reason) if reason.contains("UNIQUE constraint failed: ") && reason.ends_with(".id") => {
                    write_row(conn, table, &change.record_id, &won, &versions, change, RowWrite::Update).await?
                }
                other => other,
            }
        } else {
            write_row(conn, table, &change.record_id, &won, &versions, change, RowWrite::Update).await?
        };
        if let Err(reason) = outcome {
            return Ok(Err(reason));
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

#[derive(Clone, Copy)]
enum RowWrite {
    Insert,
    Update,
}

/// One INSERT or UPDATE of the won fields; `Ok(Err(reason))` when the database refused it.
async fn write_row(
    conn: &mut SqliteConnection,
    table: &str,
    record_id: &str,
    won: &[String],
    versions: &FieldVersions,
    change: &Change,
    how: RowWrite,
) -> Result<std::result::Result<(), String>> {
    let sql = match how {
        RowWrite::Update => {
            let sets: Vec<String> = won.iter().map(|f| format!("\"{f}\" = ?")).collect();
            format!("UPDATE {table} SET {} WHERE id = ?", sets.join(", "))
        }
        RowWrite::Insert => {
            let columns: Vec<String> = won.iter().map(|f| format!("\"{f}\"")).collect();
            format!("INSERT INTO {table} ({}, id) VALUES ({}?)", columns.join(", "), "?, ".repeat(won.len()))
        }
    };
    let mut query = sqlx::query(&sql);
    for field in won {
        query = bind_value(query, &value_to_write(versions, field, change.fields.get(field)));
    }
    match query.bind(record_id).execute(&mut *conn).await {
        Ok(done) if matches!(how, RowWrite::Update) && done.rows_affected() == 0 => {
            // Clocks without a row: the row's first change is still waiting.
            Ok(Err(format!("no {table} record {record_id} here yet")))
        }
        Ok(_) => Ok(Ok(())),
        Err(sqlx::Error::Database(refused)) => Ok(Err(refused.message().to_owned())),
        Err(other) => Err(other.into()),
    }
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
