//! Folding records that two computers made separately for the same thing. Two laptops that
//! enroll the same person in the same offering offline each make an enrollment with its own id;
//! the database allows one. Every computer folds the two into one the same way, whatever order
//! the changes arrive in:
//! - the earliest id is kept (ids are time-ordered, so it is the first one made);
//! - each field takes the value of its latest writer across both records, as if every change
//!   to either had been a change to the kept one, and a record either deleted stays deleted;
//! - rows that referred to the folded record refer to the kept one, folding in turn where that
//!   makes two of them the same (both enrollments had the same lesson completed);
//! - the fold is kept in `team_fold`, so changes naming the folded record, or referring to it,
//!   go to the kept one from then on, and it is audited on this computer.
//!
//! A fold writes no change for the team: every computer makes the same fold from the same
//! changes, and a change about the folded record would reach the others as one about the kept
//! record anyway.

use super::merge::{Change, FieldVersions, ACTIVE_FIELD};
use crate::db::rows::sql_value;
use crate::db::{JsonRow, Query, Result, StoreError, USER_AGENT};
use rusqlite::Connection;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// The tables whose records name a thing by a natural key, and that key: two records with the
/// same key are the same thing. Records named by their name (two campuses called "North")
/// are not folded: two offices may mean different things by one name, and the clash waits
/// for a person to rename one.
pub const NATURAL_KEYS: [(&str, &[&str]); 11] = [
    ("course_prerequisite", &["course_id", "prerequisite_course_id"]),
    ("certification_course", &["certification_id", "course_id"]),
    ("people_campus", &["people_id", "campus_id"]),
    ("people_role", &["people_id", "role_id"]),
    ("course_enrollment", &["people_id", "offering_id"]),
    ("course_role", &["people_id", "offering_id", "role_type"]),
    ("certification_progress", &["people_id", "certification_id"]),
    ("certification_record", &["people_id", "certification_id", "earned_on"]),
    ("content_completion", &["course_enrollment_id", "content_id"]),
    ("assessment_attempt", &["course_enrollment_id", "assessment_id", "attempt_number"]),
    ("attendance_record", &["class_session_id", "people_id"]),
];

fn natural_key(table: &str) -> Option<&'static [&'static str]> {
    NATURAL_KEYS.iter().find(|(t, _)| *t == table).map(|(_, key)| *key)
}

/// Whether the database's refusal `reason` of a write to `table` is a clash on its natural
/// key (SQLite names the key's columns: `UNIQUE constraint failed: t.a, t.b`).
pub(crate) fn is_natural_key_clash(table: &str, reason: &str) -> bool {
    let Some(key) = natural_key(table) else { return false };
    let Some(columns) = reason.strip_prefix("UNIQUE constraint failed: ") else { return false };
    let named: Vec<&str> = columns.split(", ").map(|c| c.strip_prefix(&format!("{table}.")).unwrap_or(c)).collect();
    named == key
}

/// The folds made here, to send changes about folded records to the kept ones.
#[derive(Default)]
pub(crate) struct Folds {
    kept: HashMap<(String, String), String>,
    /// The columns of shared tables that refer to a table whose records may be folded.
    references: HashMap<(String, String), String>,
}

impl Folds {
    pub(crate) fn load(conn: &Connection) -> Result<Self> {
        let rows: Vec<(String, String, String)> =
            conn.tuples("SELECT table_name, folded_id, kept_id FROM team_fold", [])?;
        if rows.is_empty() {
            return Ok(Self::default());
        }
        let kept = rows.into_iter().map(|(table, folded, kept)| ((table, folded), kept)).collect();
        let mut references = HashMap::new();
        for (table, _) in NATURAL_KEYS {
            for (from_table, column) in referring_columns(conn, table)? {
                references.insert((from_table, column), table.to_owned());
            }
        }
        Ok(Self { kept, references })
    }

    fn kept_id<'a>(&'a self, table: &str, id: &'a str) -> &'a str {
        self.kept.get(&(table.to_owned(), id.to_owned())).map_or(id, String::as_str)
    }

    /// `change` as it applies here: to the kept record if it names a folded one, with its
    /// references to folded records moved to the kept ones.
    pub(crate) fn redirect<'a>(&self, change: &'a Change) -> Cow<'a, Change> {
        if self.kept.is_empty() {
            return Cow::Borrowed(change);
        }
        let record_id = self.kept_id(&change.table_name, &change.record_id);
        let mut moved: Vec<(String, String)> = Vec::new();
        for (field, value) in &change.fields {
            let Some(referred) = self.references.get(&(change.table_name.clone(), field.clone())) else { continue };
            if let Some(id) = value.as_str() {
                let kept = self.kept_id(referred, id);
                if kept != id {
                    moved.push((field.clone(), kept.to_owned()));
                }
            }
        }
        if record_id == change.record_id && moved.is_empty() {
            return Cow::Borrowed(change);
        }
        let mut redirected = change.clone();
        redirected.record_id = record_id.to_owned();
        for (field, kept) in moved {
            redirected.fields.insert(field, Value::String(kept));
        }
        Cow::Owned(redirected)
    }
}

/// The columns (of any table, shared or this computer's own) that refer to `table`'s records.
fn referring_columns(conn: &Connection, table: &str) -> Result<Vec<(String, String)>> {
    conn.tuples(
        "SELECT m.name, f.\"from\" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
         WHERE m.type = 'table' AND f.\"table\" = ?1 ORDER BY m.name, f.\"from\"",
        [table],
    )
}

/// A record that clashed on its natural key: its id, the values being written (the whole
/// record when it is new here) and its field versions with the ones being written.
pub(crate) struct Clashing<'a> {
    pub id: &'a str,
    pub values: &'a BTreeMap<String, Value>,
    pub versions: &'a FieldVersions,
    pub new_here: bool,
}

/// One fold made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Folded {
    pub table: String,
    pub kept_id: String,
    pub folded_id: String,
}

/// Folds `clashing` into the record of `table` with the same natural key, or the other way
/// round; `None` when no such record is here (the clash was on another unique column, and the
/// write waits). The field versions of the kept record are saved here.
pub(crate) fn fold_clash(
    conn: &Connection,
    table: &str,
    clashing: Clashing<'_>,
    now: &str,
) -> Result<Option<Vec<Folded>>> {
    // Rows that referred to the folded record refer to the kept one only once it is written:
    // until then the database would refuse the moves, so its check waits for the fold's end.
    // Turning the deferral off forgets what it deferred (SQLite resets the count), so the fold
    // checks every reference it touches itself: before writing, and below.
    conn.execute_batch("PRAGMA defer_foreign_keys = ON")?;
    let mut folds = Vec::new();
    let outcome = fold_one(conn, table, &clashing, now, &mut folds);
    conn.execute_batch("PRAGMA defer_foreign_keys = OFF")?;
    if !outcome? {
        return Ok(None);
    }
    for fold in &folds {
        for (from_table, column) in referring_columns(conn, &fold.table)? {
            let left: i64 =
                conn.scalar(&format!("SELECT count(*) FROM {from_table} WHERE \"{column}\" = ?1"), [&fold.folded_id])?;
            if left > 0 {
                return Err(StoreError::Constraint(format!(
                    "folding {} {} left {left} {from_table} rows referring to it",
                    fold.table, fold.folded_id
                )));
            }
        }
    }
    Ok(Some(folds))
}

/// One record's side of a fold: everything it holds and the version of each field.
struct Side {
    id: String,
    row: JsonRow,
    versions: FieldVersions,
    here: bool,
}

fn fold_one(
    conn: &Connection,
    table: &str,
    clashing: &Clashing<'_>,
    now: &str,
    folds: &mut Vec<Folded>,
) -> Result<bool> {
    let Some(key) = natural_key(table) else { return Ok(false) };
    let mut row =
        if clashing.new_here { JsonRow::new() } else { stored_row(conn, table, clashing.id)?.unwrap_or_default() };
    row.extend(clashing.values.iter().map(|(k, v)| (k.clone(), v.clone())));
    row.remove("id");
    in_first_offering_if_unplaced(table, &mut row);
    let incoming =
        Side { id: clashing.id.to_owned(), row, versions: clashing.versions.clone(), here: !clashing.new_here };

    let key_values: Vec<rusqlite::types::Value> =
        key.iter().map(|column| sql_value(incoming.row.get(*column).unwrap_or(&Value::Null))).collect();
    if key_values.iter().any(|v| matches!(v, rusqlite::types::Value::Null)) {
        return Ok(false);
    }
    let matching: Vec<String> = key.iter().enumerate().map(|(i, c)| format!("\"{c}\" = ?{}", i + 2)).collect();
    let other_id: Option<String> = conn.optional(
        &format!("SELECT id FROM {table} WHERE id <> ?1 AND {} ORDER BY id LIMIT 1", matching.join(" AND ")),
        rusqlite::params_from_iter(
            std::iter::once(rusqlite::types::Value::Text(incoming.id.clone())).chain(key_values),
        ),
    )?;
    let Some(other_id) = other_id else { return Ok(false) };
    let mut other_row = stored_row(conn, table, &other_id)?.unwrap_or_default();
    other_row.remove("id");
    let other = Side { versions: stored_versions(conn, table, &other_id)?, id: other_id, row: other_row, here: true };

    let (kept, folded) = if incoming.id < other.id { (incoming, other) } else { (other, incoming) };
    let (mut row, versions) = merged(&kept, &folded);
    // What it refers to may itself have been folded, earlier in this same batch.
    let references = references_of(conn, table)?;
    for (column, parent) in &references {
        if let Some(Value::String(id)) = row.get(column) {
            let kept_parent: Option<String> =
                conn.optional("SELECT kept_id FROM team_fold WHERE table_name = ?1 AND folded_id = ?2", [parent, id])?;
            if let Some(kept_parent) = kept_parent {
                row.insert(column.clone(), Value::String(kept_parent));
            }
        }
    }
    // The database checks references only at the fold's end: check them before writing.
    for (column, parent) in &references {
        if let Some(Value::String(id)) = row.get(column) {
            let here: i64 = conn.scalar(&format!("SELECT count(*) FROM {parent} WHERE id = ?1"), [id])?;
            if here == 0 {
                return Ok(false);
            }
        }
    }

    for side in [&kept, &folded] {
        if side.here {
            conn.run(&format!("DELETE FROM {table} WHERE id = ?1"), [&side.id])?;
        }
    }
    insert_row(conn, table, &kept.id, &row)?;
    save_versions(conn, table, &kept.id, &versions)?;
    conn.run("DELETE FROM team_record_clock WHERE table_name = ?1 AND record_id = ?2", [table, &folded.id])?;
    conn.run(
        "INSERT INTO team_fold (table_name, folded_id, kept_id, folded_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(table_name, folded_id) DO UPDATE SET kept_id = excluded.kept_id",
        [table, &folded.id, &kept.id, now],
    )?;
    // A record folded into this one earlier now goes to the one kept.
    conn.run(
        "UPDATE team_fold SET kept_id = ?3 WHERE table_name = ?1 AND kept_id = ?2",
        [table, &folded.id, &kept.id],
    )?;
    audit(conn, table, &kept.id, &folded.id, key, &row, now)?;
    folds.push(Folded { table: table.to_owned(), kept_id: kept.id.clone(), folded_id: folded.id.clone() });
    move_references(conn, table, &kept.id, &folded.id, now, folds)?;
    Ok(true)
}

/// A change from a computer on a release before offerings names no offering: its record
/// belongs to its course's first, whose id is the course's (as the database's triggers place
/// it when the row is written).
fn in_first_offering_if_unplaced(table: &str, row: &mut JsonRow) {
    if !matches!(table, "course_enrollment" | "course_role" | "class_session") {
        return;
    }
    if matches!(row.get("offering_id"), None | Some(Value::Null)) {
        if let Some(course) = row.get("course_id").cloned() {
            row.insert("offering_id".to_owned(), course);
        }
    }
}

/// The two records as one: each field from the side whose write of it is the latest; a field
/// neither side's changes wrote keeps the kept record's value.
fn merged(kept: &Side, folded: &Side) -> (JsonRow, FieldVersions) {
    let mut row = folded.row.clone();
    row.extend(kept.row.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut versions = kept.versions.clone();
    for (field, version) in &folded.versions.by_field {
        let folded_wins = kept.versions.by_field.get(field).is_none_or(|held| version > held);
        if folded_wins {
            versions.by_field.insert(field.clone(), version.clone());
            if let Some(value) = folded.row.get(field) {
                row.insert(field.clone(), value.clone());
            }
        }
    }
    versions.deleted = kept.versions.deleted || folded.versions.deleted;
    if versions.deleted && row.contains_key(ACTIVE_FIELD) {
        row.insert(ACTIVE_FIELD.to_owned(), Value::Bool(false));
    }
    (row, versions)
}

/// Rows that referred to the folded record now refer to the kept one. A shared record that
/// becomes the same as one already there (both enrollments had the same lesson completed) is
/// folded in turn. A row of this computer's own bookkeeping that would clash is dropped: it
/// is worked out from the record it names, and the kept record has its own.
fn move_references(
    conn: &Connection,
    table: &str,
    kept_id: &str,
    folded_id: &str,
    now: &str,
    folds: &mut Vec<Folded>,
) -> Result<()> {
    for (from_table, column) in referring_columns(conn, table)? {
        if !super::is_replicated(&from_table) {
            conn.run(
                &format!("UPDATE OR IGNORE {from_table} SET \"{column}\" = ?1 WHERE \"{column}\" = ?2"),
                [kept_id, folded_id],
            )?;
            conn.run(&format!("DELETE FROM {from_table} WHERE \"{column}\" = ?1"), [folded_id])?;
            continue;
        }
        let ids: Vec<String> =
            conn.column(&format!("SELECT id FROM {from_table} WHERE \"{column}\" = ?1 ORDER BY id"), [folded_id])?;
        for id in ids {
            let moved =
                conn.execute(&format!("UPDATE {from_table} SET \"{column}\" = ?1 WHERE id = ?2"), [kept_id, &id]);
            match moved {
                Ok(_) => {}
                Err(rusqlite::Error::SqliteFailure(_, Some(reason))) if is_natural_key_clash(&from_table, &reason) => {
                    let values = BTreeMap::from([(column.clone(), Value::String(kept_id.to_owned()))]);
                    let versions = stored_versions(conn, &from_table, &id)?;
                    let clashing = Clashing { id: &id, values: &values, versions: &versions, new_here: false };
                    if !fold_one(conn, &from_table, &clashing, now, folds)? {
                        return Err(StoreError::Constraint(format!("{from_table} {id} clashes and cannot be folded")));
                    }
                }
                Err(other) => return Err(other.into()),
            }
        }
    }
    Ok(())
}

/// The columns of `table` that refer to another table's records, with that table.
fn references_of(conn: &Connection, table: &str) -> Result<Vec<(String, String)>> {
    conn.tuples("SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?1) ORDER BY \"from\"", [table])
}

fn stored_row(conn: &Connection, table: &str, id: &str) -> Result<Option<JsonRow>> {
    Ok(conn.rows(&format!("SELECT * FROM {table} WHERE id = ?1"), [id])?.pop())
}

fn stored_versions(conn: &Connection, table: &str, id: &str) -> Result<FieldVersions> {
    let stored: Option<(String, bool)> = conn
        .tuple("SELECT clocks, deleted FROM team_record_clock WHERE table_name = ?1 AND record_id = ?2", [table, id])?;
    let Some((clocks, deleted)) = stored else { return Ok(FieldVersions::default()) };
    FieldVersions::from_stored(&clocks, deleted)
        .map_err(|source| StoreError::CorruptRecord { table: "team_record_clock".into(), source })
}

fn save_versions(conn: &Connection, table: &str, id: &str, versions: &FieldVersions) -> Result<()> {
    conn.run(
        "INSERT INTO team_record_clock (table_name, record_id, clocks, deleted) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(table_name, record_id) DO UPDATE SET clocks = excluded.clocks, deleted = excluded.deleted",
        rusqlite::params![table, id, versions.stored_clocks(), versions.deleted],
    )?;
    Ok(())
}

fn insert_row(conn: &Connection, table: &str, id: &str, row: &JsonRow) -> Result<()> {
    let names: Vec<String> = row.keys().map(|c| format!("\"{c}\"")).collect();
    let sql = format!("INSERT INTO {table} ({}, id) VALUES ({}?)", names.join(", "), "?, ".repeat(names.len()));
    let values = row.values().map(sql_value).chain([rusqlite::types::Value::Text(id.to_owned())]);
    conn.execute(&sql, rusqlite::params_from_iter(values))?;
    Ok(())
}

/// The fold's audit row names the two records and the key they share, nothing else they hold.
/// Every computer makes the same fold, so each keeps its own row of it and none sends it to
/// the hub (it is written as already sent).
fn audit(
    conn: &Connection,
    table: &str,
    kept_id: &str,
    folded_id: &str,
    key: &[&str],
    row: &JsonRow,
    now: &str,
) -> Result<()> {
    let mut values = json!({ "kept_record_id": kept_id, "folded_record_id": folded_id });
    for column in key {
        values[*column] = row.get(*column).cloned().unwrap_or(Value::Null);
    }
    let reason = format!(
        "Folded {} {folded_id}, made separately on another computer for the same thing, into {kept_id}, the earlier one; what referred to it now refers to {kept_id}",
        table.replace('_', " ")
    );
    conn.run(
        &format!(
            "INSERT INTO audit_log (id, table_name, record_id, action, new_values, reason, changed_at, user_agent, device_id, campus_ids, pushed)
             VALUES (?2, ?3, ?1, 'update', ?4, ?5, ?6, ?7, (SELECT device_id FROM team_device), {}, 1)",
            super::changes::campuses_of_record_sql(table)
        ),
        rusqlite::params![kept_id, cct_domain::new_id().to_string(), table, values.to_string(), reason, now, USER_AGENT],
    )?;
    Ok(())
}

/// A fold, for the office to see.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct FoldMade {
    pub table_name: String,
    pub kept_id: String,
    pub folded_id: String,
    pub folded_at: String,
}

/// The latest folds made here, and how many in all.
pub fn folds_made(store: &crate::db::Store) -> Result<(Vec<FoldMade>, i64)> {
    store.read(|conn| {
        let latest = conn.records(
            "team_fold",
            "SELECT table_name, kept_id, folded_id, folded_at FROM team_fold ORDER BY folded_at DESC, table_name, folded_id LIMIT 50",
            [],
        )?;
        let total = conn.scalar("SELECT count(*) FROM team_fold", [])?;
        Ok((latest, total))
    })
}
