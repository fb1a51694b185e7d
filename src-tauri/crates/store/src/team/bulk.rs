//! The merge of a pulled batch, in a handful of statements instead of several per change:
//! the batch's changes are logged in one statement, the records' field versions read in one,
//! merged in memory (several changes of one record become one write), written a table at a
//! time as one statement per shape (parents before children), and the versions saved in one.
//! A statement the database refuses is retried record by record, and a record it still
//! refuses waits, as with the change-at-a-time path.
//!
//! What a statement writes is first staged, row by row with bound values, in a temporary
//! table of the same columns (in memory, with no index, trigger or check), and then written
//! by one set-based statement. Passing the rows as one JSON document instead cost more than
//! the writes: SQLite turned each row back into text, and parsed it again, for every column
//! read from it.

use super::fold::{self, Clashing, Folds};
use super::merge::{value_to_write, Change, FieldVersions};
use super::REPLICATED_TABLES;
use crate::db::rows::sql_value;
use crate::db::{Query, Result, Schema, StoreError};
use rusqlite::Connection;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Logs the batch's changes by id, so each is applied once; returns the ids that were new
/// here. Their fields are not kept: once merged, the record and its field versions hold what
/// they brought, and a change that must wait keeps its fields then (see `apply::wait_with`).
pub(crate) fn log_remote(conn: &Connection, changes: &[&Change]) -> Result<HashSet<String>> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS team_stage_log (id, table_name, record_id, deleted, hlc, device_id, campus_ids);
         DELETE FROM temp.team_stage_log;",
    )?;
    {
        let mut stage = conn.prepare_cached(
            "INSERT INTO temp.team_stage_log (id, table_name, record_id, deleted, hlc, device_id, campus_ids)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for c in changes {
            let campuses = serde_json::to_string(&c.campus_ids).unwrap_or_else(|_| "[]".into());
            stage.execute(rusqlite::params![
                c.id,
                c.table_name,
                c.record_id,
                c.deleted,
                c.hlc,
                c.device_id,
                campuses
            ])?;
        }
    }
    let new: Vec<String> = conn.column(
        "INSERT INTO team_change (id, table_name, record_id, fields, deleted, hlc, device_id, campus_ids, origin, pushed)
         SELECT id, table_name, record_id, '{}', deleted, hlc, device_id, campus_ids, 'remote', 1
         FROM temp.team_stage_log WHERE true
         ON CONFLICT(id) DO NOTHING RETURNING id",
        [],
    )?;
    Ok(new.into_iter().collect())
}

/// Stages `rows` (each a value per column of `columns`) in a temporary table with the columns
/// of `table`, emptied first; returns its name.
fn stage_rows(
    conn: &Connection,
    table: &str,
    columns: &[&str],
    rows: impl Iterator<Item = Vec<rusqlite::types::Value>>,
) -> Result<String> {
    let stage = format!("team_stage_{table}");
    conn.execute_batch(&format!(
        "CREATE TEMP TABLE IF NOT EXISTS \"{stage}\" AS SELECT * FROM main.\"{table}\" WHERE 0;
         DELETE FROM temp.\"{stage}\";"
    ))?;
    let names: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    let marks = vec!["?"; columns.len()].join(", ");
    let mut insert =
        conn.prepare_cached(&format!("INSERT INTO temp.\"{stage}\" ({}) VALUES ({marks})", names.join(", ")))?;
    for row in rows {
        insert.execute(rusqlite::params_from_iter(row))?;
    }
    Ok(stage)
}

/// One record's merged write.
struct RecordWrite {
    table: String,
    record_id: String,
    /// No versions were stored for it: its first change to arrive here.
    new_row: bool,
    values: BTreeMap<String, Value>,
    versions: FieldVersions,
    change_ids: Vec<String>,
}

/// What merging a batch did: the changes that must wait, with the reason, and how many
/// records were folded into others.
#[derive(Default)]
pub(crate) struct Merged {
    pub waiting: Vec<(String, String)>,
    pub folded: u64,
}

/// Merges `fresh` (in the hub's order) into the store. Changes about records folded here go
/// to the kept records (see [`fold`]); `now` dates any fold this batch makes.
pub(crate) fn merge(conn: &Connection, schema: &Schema, fresh: &[&Change], now: &str) -> Result<Merged> {
    let folds = Folds::load(conn)?;
    let redirected: Vec<std::borrow::Cow<'_, Change>> = fresh.iter().map(|c| folds.redirect(c)).collect();
    let fresh: Vec<&Change> = redirected.iter().map(|c| c.as_ref()).collect();
    let fresh = fresh.as_slice();
    let stored = stored_versions(conn, fresh)?;
    let mut writes: Vec<RecordWrite> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    for change in fresh {
        let key = (change.table_name.clone(), change.record_id.clone());
        let at = *index.entry(key.clone()).or_insert_with(|| {
            writes.push(RecordWrite {
                table: key.0.clone(),
                record_id: key.1.clone(),
                new_row: !stored.contains_key(&key),
                values: BTreeMap::new(),
                versions: stored.get(&key).cloned().unwrap_or_default(),
                change_ids: Vec::new(),
            });
            writes.len() - 1
        });
        let write = &mut writes[at];
        for field in write.versions.absorb(change) {
            if field != "id" && schema.has_column(&write.table, &field) {
                let value = value_to_write(&write.versions, &field, change.fields.get(&field));
                write.values.insert(field, value);
            }
        }
        write.change_ids.push(change.id.clone());
    }

    let checked: Vec<(&str, &str, &BTreeMap<String, Value>)> = writes
        .iter()
        .filter(|w| !w.values.is_empty())
        .map(|w| (w.table.as_str(), w.record_id.as_str(), &w.values))
        .collect();
    let refused = super::validate::refused(conn, &checked)?;
    let mut waiting = Vec::new();
    let mut folded = 0;
    // Each write's versions are saved as soon as it is written: a fold later in the batch
    // reads the versions of the record it folds with.
    let mut unchanged: Vec<&RecordWrite> = Vec::new();
    for table in REPLICATED_TABLES {
        let mut shapes: BTreeMap<(bool, Vec<String>), Vec<&RecordWrite>> = BTreeMap::new();
        for write in writes.iter().filter(|w| w.table == table) {
            if let Some(reason) = refused.get(&(write.table.clone(), write.record_id.clone())) {
                waiting.extend(write.change_ids.iter().map(|id| (id.clone(), reason.clone())));
                continue;
            }
            if write.values.is_empty() {
                unchanged.push(write); // lost every field: only its versions change
                continue;
            }
            shapes.entry((write.new_row, write.values.keys().cloned().collect())).or_default().push(write);
        }
        for ((new_row, columns), group) in shapes {
            if write_group(conn, table, new_row, &columns, &group)? {
                save_versions(conn, &group)?;
                continue;
            }
            for write in group {
                match write_one(conn, write, now)? {
                    Outcome::Written => save_versions(conn, &[write])?,
                    Outcome::Folded(count) => folded += count,
                    Outcome::Refused(reason) => {
                        waiting.extend(write.change_ids.iter().map(|id| (id.clone(), reason.clone())))
                    }
                }
            }
        }
    }
    save_versions(conn, &unchanged)?;
    Ok(Merged { waiting, folded })
}

/// What became of one record's write.
enum Outcome {
    Written,
    /// It was the same thing as a record here, and the two (and this many in all, with the
    /// records referring to them) were folded into one.
    Folded(u64),
    Refused(String),
}

fn stored_versions(conn: &Connection, fresh: &[&Change]) -> Result<HashMap<(String, String), FieldVersions>> {
    let keys: HashSet<(&str, &str)> = fresh.iter().map(|c| (c.table_name.as_str(), c.record_id.as_str())).collect();
    let keys: Vec<Value> = keys.into_iter().map(|(t, r)| json!([t, r])).collect();
    let rows: Vec<(String, String, String, bool)> = conn.tuples(
        "SELECT k.table_name, k.record_id, k.clocks, k.deleted FROM json_each(?1) j
         JOIN team_record_clock k ON k.table_name = j.value->>0 AND k.record_id = j.value->>1",
        [Value::Array(keys).to_string()],
    )?;
    rows.into_iter()
        .map(|(table, record, clocks, deleted)| {
            let versions = FieldVersions::from_stored(&clocks, deleted)
                .map_err(|source| StoreError::CorruptRecord { table: "team_record_clock".into(), source })?;
            Ok(((table, record), versions))
        })
        .collect()
}

/// Writes one shape of one table in a single statement; false when the database refused it
/// (or an update missed a row), so the caller goes record by record.
fn write_group(
    conn: &Connection,
    table: &str,
    new_row: bool,
    columns: &[String],
    group: &[&RecordWrite],
) -> Result<bool> {
    let staged: Vec<&str> = columns.iter().map(String::as_str).chain(["id"]).collect();
    let rows = group.iter().map(|w| {
        // Every write of a group has the group's columns.
        let mut row: Vec<rusqlite::types::Value> =
            columns.iter().map(|c| w.values.get(c).map(sql_value).unwrap_or(rusqlite::types::Value::Null)).collect();
        row.push(rusqlite::types::Value::Text(w.record_id.clone()));
        row
    });
    let stage = stage_rows(conn, table, &staged, rows)?;
    let names: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    let sql = if new_row {
        format!("INSERT INTO {table} ({names}, id) SELECT {names}, id FROM temp.\"{stage}\"", names = names.join(", "))
    } else {
        let sets: Vec<String> = names.iter().map(|c| format!("{c} = s.{c}")).collect();
        format!("UPDATE {table} SET {} FROM temp.\"{stage}\" s WHERE {table}.id = s.id", sets.join(", "))
    };
    // Each shape's statement is new text: prepared once, not kept.
    match conn.execute(&sql, []) {
        Ok(changed) => Ok(changed == group.len()),
        Err(rusqlite::Error::SqliteFailure(..)) => Ok(false),
        Err(other) => Err(other.into()),
    }
}

/// One record on its own: insert (or, when the row turns out to exist, update) or update;
/// folded into the record here that is the same thing, when it clashes with one.
fn write_one(conn: &Connection, write: &RecordWrite, now: &str) -> Result<Outcome> {
    let table = write.table.as_str();
    let outcome = if write.new_row {
        match single(conn, table, write, true)? {
            // The row is here without versions (a new computer's built-in roles, its default
            // rules, which it never logged): SQLite may name another unique column, or a
            // column the change does not carry, before the id, so the id is looked up.
            Err(_) if row_exists(conn, table, &write.record_id)? => single(conn, table, write, false)?,
            other => other,
        }
    } else {
        single(conn, table, write, false)?
    };
    match outcome {
        Ok(()) => Ok(Outcome::Written),
        Err(reason) if fold::is_natural_key_clash(table, &reason) => {
            let clashing = Clashing {
                id: &write.record_id,
                values: &write.values,
                versions: &write.versions,
                new_here: write.new_row,
            };
            Ok(match fold::fold_clash(conn, table, clashing, now)? {
                Some(folds) => Outcome::Folded(folds.len() as u64),
                None => Outcome::Refused(reason),
            })
        }
        Err(reason) => Ok(Outcome::Refused(reason)),
    }
}

fn row_exists(conn: &Connection, table: &str, id: &str) -> Result<bool> {
    Ok(conn.scalar::<i64>(&format!("SELECT count(*) FROM {table} WHERE id = ?1"), [id])? > 0)
}

fn single(
    conn: &Connection,
    table: &str,
    write: &RecordWrite,
    insert: bool,
) -> Result<std::result::Result<(), String>> {
    let columns: Vec<&String> = write.values.keys().collect();
    let sql = if insert {
        let names: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
        format!("INSERT INTO {table} ({}, id) VALUES ({}?)", names.join(", "), "?, ".repeat(columns.len()))
    } else {
        let sets: Vec<String> = columns.iter().map(|c| format!("\"{c}\" = ?")).collect();
        format!("UPDATE {table} SET {} WHERE id = ?", sets.join(", "))
    };
    let values = write.values.values().map(sql_value).chain([rusqlite::types::Value::Text(write.record_id.clone())]);
    match conn.execute(&sql, rusqlite::params_from_iter(values)) {
        Ok(0) if !insert => Ok(Err(format!("no {table} record {} here yet", write.record_id))),
        Ok(_) => Ok(Ok(())),
        Err(rusqlite::Error::SqliteFailure(_, Some(refused))) => Ok(Err(refused)),
        Err(rusqlite::Error::SqliteFailure(code, None)) => Ok(Err(code.to_string())),
        Err(other) => Err(other.into()),
    }
}

fn save_versions(conn: &Connection, written: &[&RecordWrite]) -> Result<()> {
    if written.is_empty() {
        return Ok(());
    }
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS team_stage_clock (table_name, record_id, clocks, deleted);
         DELETE FROM temp.team_stage_clock;",
    )?;
    {
        let mut stage = conn.prepare_cached(
            "INSERT INTO temp.team_stage_clock (table_name, record_id, clocks, deleted) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for w in written {
            stage.execute(rusqlite::params![w.table, w.record_id, w.versions.stored_clocks(), w.versions.deleted])?;
        }
    }
    conn.run(
        "INSERT INTO team_record_clock (table_name, record_id, clocks, deleted)
         SELECT table_name, record_id, clocks, deleted FROM temp.team_stage_clock WHERE true
         ON CONFLICT(table_name, record_id) DO UPDATE SET clocks = excluded.clocks, deleted = excluded.deleted",
        [],
    )?;
    Ok(())
}
