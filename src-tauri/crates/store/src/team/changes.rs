//! This device's change log: written with every local write of a replicated table, read by
//! the push, and marked once the hub holds each change.

use super::clock::{DeviceClock, Hlc};
use super::merge::{Change, ACTIVE_FIELD};
use super::{campus_lookup, is_replicated, REPLICATED_TABLES};
use crate::row::{read_row, JsonRow};
use crate::{Result, Store, StoreError};
use cct_domain::Actor;
use serde_json::Value;
use sqlx::{Row, SqliteConnection};

/// What the migration's trigger says when a local write would bring back a deleted record.
const REVIVAL_REFUSED: &str = "team: a deleted record stays deleted";

/// Records one local write in the same transaction as the write, in one statement: the
/// record's campuses are looked up inside it, and a trigger keeps the record's field versions
/// current. Refuses to bring back a record that another device (or this one) deleted: deleted
/// records stay deleted.
pub(crate) async fn record_local(
    conn: &mut SqliteConnection,
    clock: &DeviceClock,
    table: &str,
    record_id: &str,
    fields: &JsonRow,
    deleted: bool,
) -> Result<()> {
    if fields.is_empty() && !deleted {
        return Ok(());
    }
    let Some(sql) = local_change_sql(table) else { return Ok(()) };
    let logged = sqlx::query(&sql)
        .bind(record_id)
        .bind(cct_domain::new_id().to_string())
        .bind(table)
        .bind(Value::Object(fields.clone()).to_string())
        .bind(deleted)
        .bind(clock.tick().to_string())
        .bind(clock.device_id())
        .execute(&mut *conn)
        .await;
    match logged {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(refused)) if is_revival(refused.message()) => Err(revival_refused()),
        Err(other) => Err(other.into()),
    }
}

/// The statement logging one local write of a table, or `None` when the table is not shared
/// with the team. Its parameters: ?1 the record id (which the campus lookups use too), ?2 a new
/// change id, ?3 the table, ?4 the fields written as JSON, ?5 deleted, ?6 the clock, ?7 this
/// device.
pub(crate) fn local_change_sql(table: &str) -> Option<String> {
    if !is_replicated(table) {
        return None;
    }
    let campuses = match campus_lookup(table) {
        Some(lookup) => format!(
            "(SELECT json_group_array(campus_id) FROM (SELECT DISTINCT campus_id FROM ({lookup}) WHERE campus_id IS NOT NULL ORDER BY campus_id))"
        ),
        None => "'[]'".to_owned(),
    };
    Some(format!(
        "INSERT INTO team_change (id, table_name, record_id, fields, deleted, hlc, device_id, campus_ids, origin, pushed)
         VALUES (?2, ?3, ?1, ?4, ?5, ?6, ?7, {campuses}, 'local', 0)"
    ))
}

/// Whether SQLite refused a change because it would bring a deleted record back.
pub(crate) fn is_revival(message: &str) -> bool {
    message.contains(REVIVAL_REFUSED)
}

pub(crate) fn revival_refused() -> StoreError {
    StoreError::Conflict {
        field: "is_active",
        message: "this record was deleted (perhaps on another device of the team) and stays deleted; add it again as a new record".into(),
    }
}

/// A change as it is stored, with its place in this device's log.
#[derive(Debug, Clone)]
pub struct LoggedChange {
    pub seq: i64,
    pub change: Change,
}

/// The oldest changes made here that the hub does not hold yet.
pub async fn unpushed(store: &Store, limit: u32) -> Result<Vec<LoggedChange>> {
    let rows = sqlx::query(
        "SELECT seq, id, table_name, record_id, fields, deleted, hlc, device_id, campus_ids FROM team_change
         WHERE pushed = 0 ORDER BY seq LIMIT ?",
    )
    .bind(limit)
    .fetch_all(&mut *store.reader().await?)
    .await?;
    rows.iter().map(logged_change).collect()
}

pub(crate) fn logged_change(row: &sqlx::sqlite::SqliteRow) -> Result<LoggedChange> {
    let corrupt = |source| StoreError::CorruptRecord { table: "team_change".into(), source };
    let fields: String = row.try_get("fields")?;
    let campus_ids: String = row.try_get("campus_ids")?;
    Ok(LoggedChange {
        seq: row.try_get("seq")?,
        change: Change {
            id: row.try_get("id")?,
            table_name: row.try_get("table_name")?,
            record_id: row.try_get("record_id")?,
            fields: serde_json::from_str(&fields).map_err(corrupt)?,
            deleted: row.try_get("deleted")?,
            hlc: row.try_get("hlc")?,
            device_id: row.try_get("device_id")?,
            campus_ids: serde_json::from_str(&campus_ids).map_err(corrupt)?,
        },
    })
}

/// Marks changes up to and including `through_seq` as held by the hub. Called only after the
/// hub committed them; if the device dies first, they are sent again and the hub, which keys
/// changes by id, keeps one copy.
pub async fn mark_pushed(store: &Store, through_seq: i64) -> Result<()> {
    let system = Actor::system();
    let mut tx = store.begin_write(&system).await?;
    sqlx::query("UPDATE team_change SET pushed = 1 WHERE pushed = 0 AND seq <= ?").bind(through_seq).execute(tx.conn()).await?;
    tx.commit().await
}

pub async fn unpushed_count(store: &Store) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM team_change WHERE pushed = 0").fetch_one(&mut *store.reader().await?).await?)
}

/// The latest clock this device has written or seen, to start its clock from after a restart.
pub(crate) async fn latest_clock(conn: &mut SqliteConnection) -> Result<Hlc> {
    let latest: Option<String> = sqlx::query_scalar("SELECT max(hlc) FROM team_change").fetch_one(conn).await?;
    Ok(latest.as_deref().and_then(Hlc::parse).unwrap_or_default())
}

/// Records an insert change for every replicated row that has none: data from before team
/// sync existed, brought into the log before the device first pushes. Returns how many.
pub async fn record_baseline(store: &Store) -> Result<u64> {
    let system = Actor::system();
    let mut recorded = 0;
    for table in REPLICATED_TABLES {
        loop {
            let mut tx = store.begin_write(&system).await?;
            let sql = format!(
                "SELECT t.* FROM {table} t WHERE NOT EXISTS
                 (SELECT 1 FROM team_record_clock k WHERE k.table_name = '{table}' AND k.record_id = t.id) LIMIT 1000"
            );
            let rows = sqlx::query(&sql).fetch_all(tx.conn()).await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let fields = read_row(row)?;
                let id = fields.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
                // A row soft-deleted before team sync is deleted for the whole team.
                let deleted = fields.get(ACTIVE_FIELD) == Some(&Value::Bool(false));
                tx.record_team_change(table, &id, &fields, deleted).await?;
            }
            recorded += rows.len() as u64;
            tx.commit().await?;
        }
    }
    Ok(recorded)
}
