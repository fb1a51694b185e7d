//! Create, read, update, list and soft-delete for every record type, generically: a record's
//! serde form is its row. Writes check the actor's permission, the record's own rules and its
//! references, then write the row, its audit entry, its change for the team and (for data
//! Planning Center must learn of) its outbox entry in the caller's transaction.

use crate::db::rows::{from_row, sql_value, to_row};
use crate::db::{AuditAction, JsonRow, Query, Result, Schema, Store, StoreError, WriteTx};
use cct_domain::{Actor, Record, Reference, Timestamp};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;
use uuid::Uuid;

/// The key of an outbox entry that records a member leaving a group Planning Center keeps.
pub(crate) const MEMBER_LEFT: &str = "member_left";

/// Columns the store fills in; a caller's values there are ignored on update.
const MANAGED_COLUMNS: [&str; 4] = ["created_at", "created_by", "updated_at", "updated_by"];

pub fn insert<T: Record>(tx: &mut WriteTx<'_>, record: T) -> Result<T> {
    tx.require(T::RESOURCE.write_permission())?;
    insert_derived(tx, record)
}

/// Inserts a record that follows from a write the caller was already allowed to make (a
/// certification earned by completing a course). Validated and audited like any other, but
/// not checked against the record's own write permission.
pub(crate) fn insert_derived<T: Record>(tx: &mut WriteTx<'_>, record: T) -> Result<T> {
    check_references(tx.conn(), &record.references())?;
    insert_unchecked_references(tx, record)
}

/// [`insert`] for a caller that has just read, in this transaction, every record the new one
/// refers to and checked they are active (check-in reads the session and the person), so they
/// are not looked up again. The permission is the caller's to have checked.
pub(crate) fn insert_unchecked_references<T: Record>(tx: &mut WriteTx<'_>, mut record: T) -> Result<T> {
    let row = new_row(&mut record, tx.now(), tx.actor().person_id)?;
    insert_row(tx, T::TABLE, &row)?;
    tx.audit(T::TABLE, &record.id().to_string(), AuditAction::Insert, None, Some(&row))?;
    if T::PUSHED_TO_PLANNING_CENTER {
        tx.enqueue_outbox(T::TABLE, record.id(), AuditAction::Insert, &row)?;
    }
    Ok(record)
}

/// Validates a new record and stamps when and by whom it was created; its row, to insert.
fn new_row<T: Record>(record: &mut T, now: Timestamp, by: Option<Uuid>) -> Result<JsonRow> {
    record.complete();
    record.validate()?;
    let meta = record.meta_mut();
    meta.created_at = now;
    meta.updated_at = now;
    meta.created_by = by;
    meta.updated_by = by;
    to_row(T::TABLE, record)
}

/// Writes every column of `record` over the stored row with the same id. Only the columns that
/// changed are audited; an update that changes nothing writes nothing.
pub fn update<T: Record>(tx: &mut WriteTx<'_>, record: T) -> Result<T> {
    tx.require(T::RESOURCE.write_permission())?;
    update_derived(tx, record)
}

/// [`update`] for a change that follows from a write the caller was already allowed to make
/// (progress after a completion, a cached count); see [`insert_derived`].
pub(crate) fn update_derived<T: Record>(tx: &mut WriteTx<'_>, record: T) -> Result<T> {
    let stored = fetch_row(tx.conn(), T::TABLE, record.id())?;
    update_over(tx, stored, record)
}

/// [`update_derived`] for a caller that has just read the stored row in this transaction (see
/// [`get_with_row`]), so it is not read again.
pub(crate) fn update_over<T: Record>(tx: &mut WriteTx<'_>, stored: JsonRow, mut record: T) -> Result<T> {
    record.complete();
    record.validate()?;
    check_references(tx.conn(), &changed_references(&record, &stored))?;
    let update = match Update::plan(stored, record, tx.now(), tx.actor().person_id)? {
        Planned::Unchanged(old) => return Ok(old),
        Planned::Changed(update) => update,
    };
    let id = update.record.id();
    // Only the columns that changed (and the update's stamps) are written: an index whose
    // columns are all left alone is not touched, as it would be by a SET of every column.
    let written = update.team_fields();
    update_row(tx, T::TABLE, id, &written)?;
    tx.audit_only(T::TABLE, &id.to_string(), update.action, Some(&update.old_changed), Some(&update.new_changed))?;
    tx.record_team_change(T::TABLE, &id.to_string(), &written, update.action == AuditAction::Delete)?;
    if T::update_reaches_planning_center(&update.old, &update.record) {
        tx.enqueue_outbox(T::TABLE, id, update.action, &update.row)?;
    }
    if let Some((group_table, group)) = T::left_group_in_planning_center(&update.old, &update.record) {
        // The group's own entry carries who left: its push takes them out there (see
        // `planning_center::households::members_who_left`).
        let mut departure = JsonRow::new();
        departure.insert(MEMBER_LEFT.into(), Value::String(id.to_string()));
        tx.enqueue_outbox(group_table, group, AuditAction::Update, &departure)?;
    }
    Ok(update.record)
}

/// What writing `record` over its stored row changes.
struct Update<T> {
    old: T,
    record: T,
    /// The whole new row.
    row: JsonRow,
    /// The changed columns before and after, for the audit row.
    old_changed: JsonRow,
    new_changed: JsonRow,
    action: AuditAction,
}

enum Planned<T> {
    /// Nothing changed: nothing is written, and this is the record as stored.
    Unchanged(T),
    Changed(Update<T>),
}

impl<T: Record> Update<T> {
    /// Keeps who created the record and when; stamps the update with `now` and `by`.
    fn plan(old_row: JsonRow, mut record: T, now: Timestamp, by: Option<Uuid>) -> Result<Planned<T>> {
        let old: T = from_row(T::TABLE, old_row.clone())?;
        let meta = record.meta_mut();
        meta.created_at = old.meta().created_at;
        meta.created_by = old.meta().created_by;
        let (old_changed, new_changed) = diff(&old_row, &to_row(T::TABLE, &record)?);
        if new_changed.is_empty() {
            return Ok(Planned::Unchanged(old));
        }
        let meta = record.meta_mut();
        meta.updated_at = now;
        meta.updated_by = by;
        let row = to_row(T::TABLE, &record)?;
        let action =
            if old.meta().is_active && !record.meta().is_active { AuditAction::Delete } else { AuditAction::Update };
        Ok(Planned::Changed(Update { old, record, row, old_changed, new_changed, action }))
    }

    /// The team learns when and by whom too, which the audit row already says in its own way.
    fn team_fields(&self) -> JsonRow {
        let mut fields = self.new_changed.clone();
        for managed in ["updated_at", "updated_by"] {
            fields.insert(managed.to_owned(), self.row.get(managed).cloned().unwrap_or(Value::Null));
        }
        fields
    }
}

/// Soft delete: the row stays (history, sync and audit need it) with `is_active = 0`.
pub fn deactivate<T: Record>(tx: &mut WriteTx<'_>, id: Uuid) -> Result<T> {
    let mut record: T = get_in(tx, id)?;
    record.meta_mut().is_active = false;
    update(tx, record)
}

/// Reads one record inside a write transaction (sees the transaction's own writes). The
/// operation that reads it is what the caller's permission was checked for.
pub(crate) fn get_in<T: Record>(tx: &WriteTx<'_>, id: Uuid) -> Result<T> {
    from_row(T::TABLE, fetch_row(tx.conn(), T::TABLE, id)?)
}

/// A record as the transaction sees it, and its stored row, for [`update_over`].
pub(crate) fn get_with_row<T: Record>(tx: &WriteTx<'_>, id: Uuid) -> Result<(T, JsonRow)> {
    let row = fetch_row(tx.conn(), T::TABLE, id)?;
    Ok((from_row(T::TABLE, row.clone())?, row))
}

/// Reads one record, active or not.
pub fn get<T: Record>(store: &Store, actor: &Actor, id: Uuid) -> Result<T> {
    require_read::<T>(actor)?;
    let scope = T::read_scope(actor).map(|s| format!(" AND ({s})")).unwrap_or_default();
    let sql = format!("SELECT * FROM {} WHERE id = ?1{scope}", T::TABLE);
    store
        .read(|conn| conn.record(T::TABLE, &sql, [id.to_string()]))?
        .ok_or(StoreError::NotFound { table: T::TABLE, id })
}

/// Filters, order and paging for [`list`]. Filters are equality on columns; the column names are
/// checked against the schema.
#[derive(Debug, Clone, Default, serde::Deserialize, TS)]
#[serde(default)]
pub struct ListQuery {
    pub filters: Vec<(String, Value)>,
    pub include_inactive: bool,
    pub order_by: Option<String>,
    pub descending: bool,
    pub limit: Option<u32>,
    pub offset: u32,
}

impl ListQuery {
    pub fn filter(mut self, column: &str, value: impl Into<Value>) -> Self {
        self.filters.push((column.to_owned(), value.into()));
        self
    }

    pub fn order_by(mut self, column: &str) -> Self {
        self.order_by = Some(column.to_owned());
        self
    }

    pub fn page(mut self, limit: u32, offset: u32) -> Self {
        self.limit = Some(limit);
        self.offset = offset;
        self
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: u32,
    pub offset: u32,
}

pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 1000;

pub fn list<T: Record>(store: &Store, actor: &Actor, query: &ListQuery) -> Result<Page<T>> {
    require_read::<T>(actor)?;
    let mut conditions: Vec<String> = Vec::new();
    if !query.include_inactive {
        conditions.push("is_active = 1".into());
    }
    if let Some(scope) = T::read_scope(actor) {
        conditions.push(format!("({scope})"));
    }
    let mut values = Vec::new();
    for (column, value) in &query.filters {
        store.schema().check_column(T::TABLE, column)?;
        if value.is_null() {
            conditions.push(format!("{column} IS NULL"));
        } else {
            values.push(sql_value(value));
            conditions.push(format!("{column} = ?{}", values.len()));
        }
    }
    let order = match &query.order_by {
        Some(column) => {
            store.schema().check_column(T::TABLE, column)?;
            column.as_str()
        }
        None => "id",
    };
    let direction = if query.descending { "DESC" } else { "ASC" };
    let where_clause =
        if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE);
    let count_sql = format!("SELECT COUNT(*) FROM {}{where_clause}", T::TABLE);
    let page_at = values.len();
    let select_sql = format!(
        "SELECT * FROM {}{where_clause} ORDER BY {order} {direction}, id LIMIT ?{} OFFSET ?{}",
        T::TABLE,
        page_at + 1,
        page_at + 2
    );
    store.read(|conn| {
        let total: i64 = conn.scalar(&count_sql, rusqlite::params_from_iter(&values))?;
        let paged = values.iter().cloned().chain([i64::from(limit).into(), i64::from(query.offset).into()]);
        let items = conn.records(T::TABLE, &select_sql, rusqlite::params_from_iter(paged))?;
        Ok(Page { items, total, limit, offset: query.offset })
    })
}

fn require_read<T: Record>(actor: &Actor) -> Result<()> {
    crate::office::people::require(actor, T::RESOURCE.read_permission())
}

pub(crate) fn fetch_row(conn: &rusqlite::Connection, table: &'static str, id: Uuid) -> Result<JsonRow> {
    let sql = format!("SELECT * FROM {table} WHERE id = ?1");
    conn.rows(&sql, [id.to_string()])?.pop().ok_or(StoreError::NotFound { table, id })
}

/// Checks that every referenced row exists (and is active where it must be).
pub(crate) fn check_references(conn: &rusqlite::Connection, references: &[Reference]) -> Result<()> {
    for reference in references {
        let sql = format!("SELECT is_active FROM {} WHERE id = ?1", reference.table);
        let active: Option<bool> = conn.optional(&sql, [reference.id.to_string()])?;
        match active {
            None => {
                return Err(StoreError::UnknownReference {
                    field: reference.field,
                    table: reference.table,
                    id: reference.id,
                })
            }
            Some(false) if reference.must_be_active => {
                return Err(StoreError::InactiveReference {
                    field: reference.field,
                    table: reference.table,
                    id: reference.id,
                })
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// An update re-checks only the references it changes: a record may keep pointing at a row that
/// has since been deactivated (a completed enrollment in a retired course stays valid).
fn changed_references<T: Record>(record: &T, old_row: &JsonRow) -> Vec<Reference> {
    record
        .references()
        .into_iter()
        .filter(|r| old_row.get(r.field).and_then(Value::as_str) != Some(r.id.to_string().as_str()))
        .collect()
}

pub(crate) fn diff(old: &JsonRow, new: &JsonRow) -> (JsonRow, JsonRow) {
    let mut old_changed = JsonRow::new();
    let mut new_changed = JsonRow::new();
    for (column, new_value) in new {
        if MANAGED_COLUMNS.contains(&column.as_str()) {
            continue;
        }
        let old_value = old.get(column).unwrap_or(&Value::Null);
        if !same_value(old_value, new_value) {
            old_changed.insert(column.clone(), old_value.clone());
            new_changed.insert(column.clone(), new_value.clone());
        }
    }
    (old_changed, new_changed)
}

/// Equality as stored: JSON columns come back as text, and 1.0 is 1.
fn same_value(old: &Value, new: &Value) -> bool {
    match (old, new) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::String(text), structured @ (Value::Array(_) | Value::Object(_))) => {
            serde_json::from_str::<Value>(text).ok().as_ref() == Some(structured)
        }
        _ => old == new,
    }
}

/// Inserts a row of `table` as it is, its columns checked against the schema.
pub(crate) fn insert_row(tx: &WriteTx<'_>, table: &str, row: &JsonRow) -> Result<()> {
    let sql = insert_sql(tx.schema(), table, row)?;
    tx.conn().run(&sql, rusqlite::params_from_iter(row.values().map(sql_value)))?;
    Ok(())
}

/// The INSERT of a row's columns, in the row's order, each checked against the schema.
fn insert_sql(schema: &Schema, table: &str, row: &JsonRow) -> Result<String> {
    for column in row.keys() {
        schema.check_column(table, column)?;
    }
    let columns: Vec<&str> = row.keys().map(String::as_str).collect();
    let placeholders = (1..=columns.len()).map(|n| format!("?{n}")).collect::<Vec<_>>().join(", ");
    Ok(format!("INSERT INTO {table} ({}) VALUES ({placeholders})", columns.join(", ")))
}

/// Writes every column of `row` but the id over the row with id `id`.
pub(crate) fn update_row(tx: &WriteTx<'_>, table: &str, id: Uuid, row: &JsonRow) -> Result<()> {
    let columns: Vec<&String> = row.keys().filter(|c| c.as_str() != "id").collect();
    for column in &columns {
        tx.schema().check_column(table, column)?;
    }
    let assignments =
        columns.iter().enumerate().map(|(n, c)| format!("{c} = ?{}", n + 1)).collect::<Vec<_>>().join(", ");
    let sql = format!("UPDATE {table} SET {assignments} WHERE id = ?{}", columns.len() + 1);
    let values =
        columns.iter().map(|c| sql_value(&row[c.as_str()])).chain([rusqlite::types::Value::Text(id.to_string())]);
    tx.conn().run(&sql, rusqlite::params_from_iter(values))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Query;
    use cct_domain::records::{Course, CourseEnrollment, Person};

    fn queued_for_planning_center(store: &Store, record_id: Uuid) -> i64 {
        store
            .read(|conn| conn.scalar("SELECT COUNT(*) FROM pco_outbox WHERE record_id = ?1", [record_id.to_string()]))
            .unwrap()
    }

    #[test]
    fn an_update_queues_planning_center_only_when_it_reaches_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("church.sqlite"), &crate::DatabaseKey::generate().unwrap()).unwrap();
        let system = Actor::system();
        let enrollment = store
            .write(&system, |tx| {
                let person = insert(
                    tx,
                    Person { first_name: "Lydia".into(), last_name: "Thyatira".into(), ..Default::default() },
                )?;
                let course = insert(tx, Course { name: "Membership".into(), ..Default::default() })?;
                insert(
                    tx,
                    CourseEnrollment {
                        people_id: person.meta.id,
                        course_id: course.meta.id,
                        enrollment_date: tx.now().date(),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        let id = enrollment.meta.id;
        let before = queued_for_planning_center(&store, id);

        store
            .write(&system, |tx| {
                let (mut moved, stored): (CourseEnrollment, _) = get_with_row(tx, id)?;
                moved.progress_percentage = 40.0;
                update_over(tx, stored, moved)
            })
            .unwrap();
        assert_eq!(queued_for_planning_center(&store, id), before, "progress alone is not for Planning Center");

        store.write(&system, |tx| deactivate::<CourseEnrollment>(tx, id)).unwrap();
        assert_eq!(queued_for_planning_center(&store, id), before + 1, "a dropped enrollment is");
        let shared: i64 = store
            .read(|conn| {
                conn.scalar("SELECT COUNT(*) FROM team_change WHERE table_name = 'pco_outbox' AND json_extract(fields, '$.record_id') = ?1", [id.to_string()])
            })
            .unwrap();
        assert_eq!(shared, before + 1, "and the outbox entry is shared with the team");
    }
}
