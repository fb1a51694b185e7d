//! This device's change log: written with every local write of a replicated table, read by
//! the push, and marked once the hub holds each change.

use super::clock::{DeviceClock, Hlc};
use super::merge::{Change, ACTIVE_FIELD};
use super::{campus_lookup, is_replicated, REPLICATED_TABLES};
use crate::db::{JsonRow, Query, Result, Store, StoreError};
use cct_domain::Actor;
use rusqlite::Connection;
use serde_json::Value;

/// What the migration's trigger says when a local write would bring back a deleted record.
const REVIVAL_REFUSED: &str = "team: a deleted record stays deleted";

/// Records one local write in the same transaction as the write, in one statement: the
/// record's campuses are looked up inside it, and a trigger keeps the record's field versions
/// current. Refuses to bring back a record that another device (or this one) deleted: deleted
/// records stay deleted.
pub(crate) fn record_local(
    conn: &Connection,
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
    let logged = conn.prepare_cached(&sql).and_then(|mut statement| {
        statement.execute(rusqlite::params![
            record_id,
            cct_domain::new_id().to_string(),
            table,
            crate::db::rows::json_text(fields),
            deleted,
            clock.tick().to_string(),
            clock.device_id(),
        ])
    });
    match logged {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(_, Some(message))) if message.contains(REVIVAL_REFUSED) => {
            Err(revival_refused())
        }
        Err(other) => Err(other.into()),
    }
}

/// The statement logging one local write of a table, or `None` when the table is not shared
/// with the team. Its parameters: ?1 the record id (which the campus lookups use too), ?2 a new
/// change id, ?3 the table, ?4 the fields written as JSON, ?5 deleted, ?6 the clock, ?7 this
/// device.
fn local_change_sql(table: &str) -> Option<String> {
    if !is_replicated(table) {
        return None;
    }
    let campuses = campuses_of_record_sql(table);
    Some(format!(
        "INSERT INTO team_change (id, table_name, record_id, fields, deleted, hlc, device_id, campus_ids, origin, pushed)
         VALUES (?2, ?3, ?1, ?4, ?5, ?6, ?7, {campuses}, 'local', 0)"
    ))
}

/// An expression for the campuses of a record of `table` (its id as `?1`), as a JSON array;
/// `'[]'` for church-wide tables. The change log and the audit trail both tag rows with it.
pub(crate) fn campuses_of_record_sql(table: &str) -> String {
    match campus_lookup(table) {
        Some(lookup) => format!(
            "(SELECT json_group_array(campus_id) FROM (SELECT DISTINCT campus_id FROM ({lookup}) WHERE campus_id IS NOT NULL ORDER BY campus_id))"
        ),
        None => "'[]'".to_owned(),
    }
}

fn revival_refused() -> StoreError {
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
pub fn unpushed(store: &Store, limit: u32) -> Result<Vec<LoggedChange>> {
    store.read(|conn| {
        logged_changes(
            conn,
            "SELECT seq, id, table_name, record_id, fields, deleted, hlc, device_id, campus_ids FROM team_change
             WHERE pushed = 0 ORDER BY seq LIMIT ?1",
            [limit],
        )
    })
}

/// Changes as a statement reads them, its columns in the order `unpushed` names them.
pub(crate) fn logged_changes(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<LoggedChange>> {
    let corrupt = |source| StoreError::CorruptRecord { table: "team_change".into(), source };
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = statement.query(params)?;
    let mut changes = Vec::new();
    while let Some(row) = rows.next()? {
        let fields: String = row.get(4)?;
        let campus_ids: String = row.get(8)?;
        changes.push(LoggedChange {
            seq: row.get(0)?,
            change: Change {
                id: row.get(1)?,
                table_name: row.get(2)?,
                record_id: row.get(3)?,
                fields: serde_json::from_str(&fields).map_err(corrupt)?,
                deleted: row.get(5)?,
                hlc: row.get(6)?,
                device_id: row.get(7)?,
                campus_ids: serde_json::from_str(&campus_ids).map_err(corrupt)?,
            },
        });
    }
    Ok(changes)
}

/// Marks changes up to and including `through_seq` as held by the hub. Called only after the
/// hub committed them; if the device dies first, they are sent again and the hub, which keys
/// changes by id, keeps one copy.
pub fn mark_pushed(store: &Store, through_seq: i64) -> Result<()> {
    store.write(&Actor::system(), |tx| {
        tx.conn().run("UPDATE team_change SET pushed = 1 WHERE pushed = 0 AND seq <= ?1", [through_seq])?;
        Ok(())
    })
}

/// Changes made here while this computer's clock ran ahead, later than `bound` (the hub's time
/// plus the margin), and not sent yet: stamped again with this device's clock as it is now, so
/// that the hub takes them and they count as what they are, edits made now (their record's
/// field versions with them). Answers how many.
pub fn restamp_beyond(store: &Store, bound: Hlc) -> Result<usize> {
    let ahead: Vec<(i64, String, String, String)> = store.read(|conn| {
        conn.tuples(
            "SELECT seq, hlc, table_name, record_id FROM team_change
             WHERE pushed = 0 AND origin = 'local' AND hlc > ?1 ORDER BY seq",
            [bound.to_string()],
        )
    })?;
    if ahead.is_empty() {
        return Ok(0);
    }
    store.write(&Actor::system(), |tx| {
        let device = store.clock().device_id().to_owned();
        for (seq, old, table, record) in &ahead {
            let new = store.clock().tick().to_string();
            tx.conn().run("UPDATE team_change SET hlc = ?1 WHERE seq = ?2", rusqlite::params![new, seq])?;
            tx.conn().run(
                "UPDATE team_record_clock SET clocks = replace(clocks, ?1, ?2) WHERE table_name = ?3 AND record_id = ?4",
                rusqlite::params![super::clock::version(old, &device), super::clock::version(&new, &device), table, record],
            )?;
        }
        Ok(ahead.len())
    })
}

pub fn unpushed_count(store: &Store) -> Result<i64> {
    store.read(|conn| conn.scalar("SELECT count(*) FROM team_change WHERE pushed = 0", []))
}

/// The latest clock this device has written or seen, to start its clock from after a restart.
///
/// Every change logged before this device's last local one is older than it: a local write's
/// clock comes after everything the device had seen (a pulled batch pushes the clock forward in
/// the batch's own transaction). So only the changes from that last local one on are looked at,
/// not the whole log, which a large church's laptop holds hundreds of thousands of.
pub(crate) fn latest_clock(conn: &Connection) -> Result<Hlc> {
    let latest: Option<String> = conn.scalar(
        "SELECT max(hlc) FROM team_change
         WHERE seq >= coalesce((SELECT seq FROM team_change WHERE origin = 'local' ORDER BY seq DESC LIMIT 1), 0)",
        [],
    )?;
    Ok(latest.as_deref().and_then(Hlc::parse).unwrap_or_default())
}

/// Records an insert change for every replicated row that has none: data from before team
/// sync existed, brought into the log before the device first pushes. Returns how many.
pub fn record_baseline(store: &Store) -> Result<u64> {
    let system = Actor::system();
    let mut recorded = 0;
    for table in REPLICATED_TABLES {
        let sql = format!(
            "SELECT t.* FROM {table} t WHERE NOT EXISTS
             (SELECT 1 FROM team_record_clock k WHERE k.table_name = '{table}' AND k.record_id = t.id) LIMIT 1000"
        );
        loop {
            let batch = store.write(&system, |tx| {
                let rows = tx.conn().rows(&sql, [])?;
                for fields in &rows {
                    let id = fields.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
                    // A row soft-deleted before team sync is deleted for the whole team.
                    let deleted = fields.get(ACTIVE_FIELD) == Some(&Value::Bool(false));
                    tx.record_team_change(table, &id, fields, deleted)?;
                }
                Ok(rows.len() as u64)
            })?;
            if batch == 0 {
                break;
            }
            recorded += batch;
        }
    }
    Ok(recorded)
}
