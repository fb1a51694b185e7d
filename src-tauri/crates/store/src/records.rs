//! Create, read, update, list and soft-delete for every record type, generically: a record's
//! serde form is its row. Writes check the actor's permission, the record's own rules and its
//! references, then write the row, its audit entry and (for data Planning Center must learn
//! of) its outbox entry in the caller's transaction.

use crate::connection::Schema;
use crate::row::{bind_value, from_row, read_row, to_row, JsonRow};
use crate::{AuditAction, Result, Store, StoreError, WriteTx};
use cct_domain::{Actor, Record, Reference};
use serde::Serialize;
use serde_json::Value;
use sqlx::SqliteConnection;
use uuid::Uuid;
use ts_rs::TS;

/// Columns the store fills in; a caller's values there are ignored on update.
const MANAGED_COLUMNS: [&str; 4] = ["created_at", "created_by", "updated_at", "updated_by"];

pub async fn insert<T: Record>(tx: &mut WriteTx<'_>, record: T) -> Result<T> {
    tx.require(T::RESOURCE.write_permission())?;
    insert_derived(tx, record).await
}

/// Inserts a record that follows from a write the caller was already allowed to make (a
/// certification earned by completing a course). Validated and audited like any other, but
/// not checked against the record's own write permission.
pub(crate) async fn insert_derived<T: Record>(tx: &mut WriteTx<'_>, record: T) -> Result<T> {
    check_references(tx.conn(), &record.references()).await?;
    insert_unchecked_references(tx, record).await
}

/// [`insert`] for a caller that has just read, in this transaction, every record the new one
/// refers to and checked they are active (check-in reads the session and the person), so they
/// are not looked up again. The permission is the caller's to have checked.
pub(crate) async fn insert_unchecked_references<T: Record>(tx: &mut WriteTx<'_>, mut record: T) -> Result<T> {
    let row = new_row(&mut record, tx.now(), tx.actor().person_id)?;
    insert_row(tx, T::TABLE, &row).await?;
    tx.audit(T::TABLE, &record.id().to_string(), AuditAction::Insert, None, Some(&row)).await?;
    if T::PUSHED_TO_PLANNING_CENTER {
        tx.enqueue_outbox(T::TABLE, record.id(), AuditAction::Insert, &row).await?;
    }
    Ok(record)
}

/// Validates a new record and stamps when and by whom it was created; its row, to insert.
pub(crate) fn new_row<T: Record>(record: &mut T, now: cct_domain::Timestamp, by: Option<Uuid>) -> Result<JsonRow> {
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
pub async fn update<T: Record>(tx: &mut WriteTx<'_>, record: T) -> Result<T> {
    tx.require(T::RESOURCE.write_permission())?;
    update_derived(tx, record).await
}

/// [`update`] for a change that follows from a write the caller was already allowed to make
/// (progress after a completion, a cached count); see [`insert_derived`].
pub(crate) async fn update_derived<T: Record>(tx: &mut WriteTx<'_>, record: T) -> Result<T> {
    record.validate()?;
    let old_row = fetch_row(tx.conn(), T::TABLE, record.id()).await?;
    check_references(tx.conn(), &changed_references(&record, &old_row)).await?;
    let update = match Update::plan(old_row, record, tx.now(), tx.actor().person_id)? {
        Planned::Unchanged(old) => return Ok(old),
        Planned::Changed(update) => update,
    };
    let id = update.record.id();
    update_row(tx, T::TABLE, id, &update.row).await?;
    tx.audit_only(T::TABLE, &id.to_string(), update.action, Some(&update.old_changed), Some(&update.new_changed)).await?;
    tx.record_team_change(T::TABLE, &id.to_string(), &update.team_fields(), update.action == AuditAction::Delete).await?;
    if update.reaches_planning_center() {
        tx.enqueue_outbox(T::TABLE, id, update.action, &update.row).await?;
    }
    Ok(update.record)
}

/// What writing `record` over its stored row changes, worked out alike for the store's writer
/// and the check-in station's direct one: each then writes the row, the audit row, the team's
/// change and, where it reaches Planning Center, the outbox entry.
pub(crate) struct Update<T> {
    old: T,
    pub(crate) record: T,
    /// The whole new row.
    pub(crate) row: JsonRow,
    /// The changed columns before and after, for the audit row.
    pub(crate) old_changed: JsonRow,
    pub(crate) new_changed: JsonRow,
    pub(crate) action: AuditAction,
}

pub(crate) enum Planned<T> {
    /// Nothing changed: nothing is written, and this is the record as stored.
    Unchanged(T),
    Changed(Update<T>),
}

impl<T: Record> Update<T> {
    /// Keeps who created the record and when; stamps the update with `now` and `by`.
    pub(crate) fn plan(old_row: JsonRow, mut record: T, now: cct_domain::Timestamp, by: Option<Uuid>) -> Result<Planned<T>> {
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
        let action = if old.meta().is_active && !record.meta().is_active { AuditAction::Delete } else { AuditAction::Update };
        Ok(Planned::Changed(Update { old, record, row, old_changed, new_changed, action }))
    }

    /// The team learns when and by whom too, which the audit row already says in its own way.
    pub(crate) fn team_fields(&self) -> JsonRow {
        let mut fields = self.new_changed.clone();
        for managed in ["updated_at", "updated_by"] {
            fields.insert(managed.to_owned(), self.row.get(managed).cloned().unwrap_or(Value::Null));
        }
        fields
    }

    pub(crate) fn reaches_planning_center(&self) -> bool {
        T::update_reaches_planning_center(&self.old, &self.record)
    }
}

/// Soft delete: the row stays (history, sync and audit need it) with `is_active = 0`.
pub async fn deactivate<T: Record>(tx: &mut WriteTx<'_>, id: Uuid) -> Result<T> {
    let mut record: T = get_in(tx, id).await?;
    record.meta_mut().is_active = false;
    update(tx, record).await
}

/// Reads one record inside a write transaction (sees the transaction's own writes). The
/// operation that reads it is what the caller's permission was checked for.
pub(crate) async fn get_in<T: Record>(tx: &mut WriteTx<'_>, id: Uuid) -> Result<T> {
    let row = fetch_row(tx.conn(), T::TABLE, id).await?;
    from_row(T::TABLE, row)
}

/// Reads one record, active or not.
pub async fn get<T: Record>(store: &Store, actor: &Actor, id: Uuid) -> Result<T> {
    require_read::<T>(actor)?;
    let scope = T::read_scope(actor).map(|s| format!(" AND ({s})")).unwrap_or_default();
    let sql = format!("SELECT * FROM {} WHERE id = ?{scope}", T::TABLE);
    let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(&mut *store.reader().await?).await?;
    match row {
        Some(row) => from_row(T::TABLE, read_row(&row)?),
        None => Err(StoreError::NotFound { table: T::TABLE, id }),
    }
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

pub async fn list<T: Record>(store: &Store, actor: &Actor, query: &ListQuery) -> Result<Page<T>> {
    require_read::<T>(actor)?;
    let mut conditions: Vec<String> = Vec::new();
    if !query.include_inactive {
        conditions.push("is_active = 1".into());
    }
    if let Some(scope) = T::read_scope(actor) {
        conditions.push(format!("({scope})"));
    }
    for (column, value) in &query.filters {
        store.schema().check_column(T::TABLE, column)?;
        conditions.push(if value.is_null() { format!("{column} IS NULL") } else { format!("{column} = ?") });
    }
    let order = match &query.order_by {
        Some(column) => {
            store.schema().check_column(T::TABLE, column)?;
            column.as_str()
        }
        None => "id",
    };
    let direction = if query.descending { "DESC" } else { "ASC" };
    let where_clause = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE);

    let count_sql = format!("SELECT COUNT(*) FROM {}{where_clause}", T::TABLE);
    let mut count_query = sqlx::query(&count_sql);
    let select_sql = format!("SELECT * FROM {}{where_clause} ORDER BY {order} {direction}, id LIMIT ? OFFSET ?", T::TABLE);
    let mut select_query = sqlx::query(&select_sql);
    for (_, value) in query.filters.iter().filter(|(_, v)| !v.is_null()) {
        count_query = bind_value(count_query, value);
        select_query = bind_value(select_query, value);
    }
    let total: i64 = sqlx::Row::try_get(&count_query.fetch_one(&mut *store.reader().await?).await?, 0)?;
    let rows = select_query.bind(limit).bind(query.offset).fetch_all(&mut *store.reader().await?).await?;
    let items = rows.iter().map(|r| read_row(r).and_then(|row| from_row(T::TABLE, row))).collect::<Result<Vec<T>>>()?;
    Ok(Page { items, total, limit, offset: query.offset })
}

fn require_read<T: Record>(actor: &Actor) -> Result<()> {
    crate::actor::require(actor, T::RESOURCE.read_permission())
}

pub(crate) async fn fetch_row(conn: &mut SqliteConnection, table: &'static str, id: Uuid) -> Result<JsonRow> {
    let sql = format!("SELECT * FROM {table} WHERE id = ?");
    match sqlx::query(&sql).bind(id.to_string()).fetch_optional(&mut *conn).await? {
        Some(row) => read_row(&row),
        None => Err(StoreError::NotFound { table, id }),
    }
}

pub(crate) async fn check_references(conn: &mut SqliteConnection, references: &[Reference]) -> Result<()> {
    for reference in references {
        let sql = format!("SELECT is_active FROM {} WHERE id = ?", reference.table);
        let active: Option<bool> = sqlx::query_scalar(&sql).bind(reference.id.to_string()).fetch_optional(&mut *conn).await?;
        check_reference(reference, active)?;
    }
    Ok(())
}

/// Whether a reference may be written, given whether the row it names is active (`None`: no
/// such row).
pub(crate) fn check_reference(reference: &Reference, active: Option<bool>) -> Result<()> {
    match active {
        None => Err(StoreError::UnknownReference { field: reference.field, table: reference.table, id: reference.id }),
        Some(false) if reference.must_be_active => Err(StoreError::InactiveReference { field: reference.field, table: reference.table, id: reference.id }),
        Some(_) => Ok(()),
    }
}

/// An update re-checks only the references it changes: a record may keep pointing at a row that
/// has since been deactivated (a completed enrollment in a retired course stays valid).
pub(crate) fn changed_references<T: Record>(record: &T, old_row: &JsonRow) -> Vec<Reference> {
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

pub(crate) async fn insert_row(tx: &mut WriteTx<'_>, table: &str, row: &JsonRow) -> Result<()> {
    let sql = insert_sql(tx.schema(), table, row)?;
    let mut query = sqlx::query(&sql);
    for value in row.values() {
        query = bind_value(query, value);
    }
    query.execute(tx.conn()).await.map_err(StoreError::from_db)?;
    Ok(())
}

/// The INSERT of a row's columns, in the row's order, each checked against the schema.
pub(crate) fn insert_sql(schema: &Schema, table: &str, row: &JsonRow) -> Result<String> {
    for column in row.keys() {
        schema.check_column(table, column)?;
    }
    let columns: Vec<&str> = row.keys().map(String::as_str).collect();
    let placeholders = vec!["?"; columns.len()].join(", ");
    Ok(format!("INSERT INTO {table} ({}) VALUES ({placeholders})", columns.join(", ")))
}

pub(crate) async fn update_row(tx: &mut WriteTx<'_>, table: &str, id: Uuid, row: &JsonRow) -> Result<()> {
    let (sql, columns) = update_sql(tx.schema(), table, row)?;
    let mut query = sqlx::query(&sql);
    for column in &columns {
        query = bind_value(query, &row[column.as_str()]);
    }
    query.bind(id.to_string()).execute(tx.conn()).await.map_err(StoreError::from_db)?;
    Ok(())
}

/// The UPDATE of every column but the id, and those columns in the order they are bound (the
/// id is bound last).
pub(crate) fn update_sql<'r>(schema: &Schema, table: &str, row: &'r JsonRow) -> Result<(String, Vec<&'r String>)> {
    let columns: Vec<&String> = row.keys().filter(|c| c.as_str() != "id").collect();
    for column in &columns {
        schema.check_column(table, column)?;
    }
    let assignments = columns.iter().map(|c| format!("{c} = ?")).collect::<Vec<_>>().join(", ");
    Ok((format!("UPDATE {table} SET {assignments} WHERE id = ?"), columns))
}
