//! The church's one audit trail, on the device's side: the rows written here go to the hub,
//! and every other computer's rows (within this device's campus) come back, so the office's
//! audit log shows who did what on every computer. Rows are only ever added: the hub lets a
//! device insert its own and change none, and here a pulled row is inserted once and kept.

use crate::db::{Query, Result, Store, StoreError};
use cct_domain::Actor;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One audit row as devices exchange it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedAuditRow {
    pub id: String,
    /// The computer that wrote it.
    pub device_id: String,
    /// That computer's name, as the hub knows it (rows sent from here leave it out).
    pub device_name: Option<String>,
    pub table_name: String,
    pub record_id: String,
    pub action: String,
    pub old_values: Option<Value>,
    pub new_values: Option<Value>,
    pub reason: Option<String>,
    pub changed_by: Option<String>,
    pub changed_at: String,
    pub user_agent: Option<String>,
    /// The campuses of the record it is about; empty for church-wide records.
    pub campus_ids: Vec<String>,
}

const COLUMNS: &str = "id, device_id, device_name, table_name, record_id, action, old_values, new_values, reason, changed_by, changed_at, user_agent, campus_ids";

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SharedAuditRow> {
    let json = |index: usize| -> rusqlite::Result<Option<Value>> {
        let text: Option<String> = row.get(index)?;
        // The schema keeps these columns valid JSON; a value that is not stays out of the copy.
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    };
    let campus_ids: String = row.get(12)?;
    Ok(SharedAuditRow {
        id: row.get(0)?,
        device_id: row.get(1)?,
        device_name: row.get(2)?,
        table_name: row.get(3)?,
        record_id: row.get(4)?,
        action: row.get(5)?,
        old_values: json(6)?,
        new_values: json(7)?,
        reason: row.get(8)?,
        changed_by: row.get(9)?,
        changed_at: row.get(10)?,
        user_agent: row.get(11)?,
        campus_ids: serde_json::from_str(&campus_ids).unwrap_or_default(),
    })
}

/// The oldest rows written here that the hub does not hold yet.
pub fn unpushed(store: &Store, limit: u32) -> Result<Vec<SharedAuditRow>> {
    store.read(|conn| {
        // A row that names no computer was written here (a restore's note, written on the
        // restored file before it opened as a store).
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {} FROM audit_log WHERE pushed = 0 ORDER BY changed_at, id LIMIT ?1",
            COLUMNS.replacen("device_id", "coalesce(device_id, (SELECT device_id FROM team_device))", 1)
        ))?;
        let rows = statement.query_map([limit], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    })
}

pub fn unpushed_count(store: &Store) -> Result<i64> {
    store.read(|conn| conn.scalar("SELECT count(*) FROM audit_log WHERE pushed = 0", []))
}

/// Marks rows as held by the hub, after the hub committed them. If the device dies first
/// they are sent again, and the hub, which keys rows by id, keeps one copy.
pub fn mark_pushed(store: &Store, ids: &[String]) -> Result<()> {
    let ids =
        serde_json::to_string(ids).map_err(|source| StoreError::CorruptRecord { table: "audit_log".into(), source })?;
    store.write(&Actor::system(), |tx| {
        tx.conn().run("UPDATE audit_log SET pushed = 1 WHERE id IN (SELECT value FROM json_each(?1))", [&ids])?;
        Ok(())
    })
}

/// The hub's sequence number of the last audit row brought here.
pub fn pull_cursor(store: &Store) -> Result<i64> {
    store.read(|conn| conn.scalar("SELECT audit_pull_cursor FROM team_device", []))
}

/// Adds rows from the hub and moves the cursor to `cursor`, in one transaction; rows already
/// here (this device's own, brought back after a restore) are kept as they are. Returns how
/// many were new.
pub fn apply_batch(store: &Store, rows: &[SharedAuditRow], cursor: i64) -> Result<u64> {
    let rows_json = serde_json::to_string(rows)
        .map_err(|source| StoreError::CorruptRecord { table: "audit_log".into(), source })?;
    store.write(&Actor::system(), |tx| {
        // Written straight, not through the audited path: these rows are the audit itself.
        let added = tx.conn().run(
            "INSERT INTO audit_log (id, table_name, record_id, action, old_values, new_values, reason, changed_by,
                                    changed_at, user_agent, device_id, device_name, campus_ids, pushed)
             SELECT value->>'$.id', value->>'$.table_name', value->>'$.record_id', value->>'$.action',
                    CASE WHEN value->'$.old_values' = 'null' THEN NULL ELSE value->'$.old_values' END,
                    CASE WHEN value->'$.new_values' = 'null' THEN NULL ELSE value->'$.new_values' END,
                    value->>'$.reason', value->>'$.changed_by', value->>'$.changed_at', value->>'$.user_agent',
                    value->>'$.device_id', value->>'$.device_name', value->'$.campus_ids', 1
             FROM json_each(?1) WHERE value->>'$.action' IN ('insert', 'update', 'delete')
             ON CONFLICT(id) DO NOTHING",
            [&rows_json],
        )?;
        tx.conn().run("UPDATE team_device SET audit_pull_cursor = max(audit_pull_cursor, ?1)", [cursor])?;
        Ok(added as u64)
    })
}
