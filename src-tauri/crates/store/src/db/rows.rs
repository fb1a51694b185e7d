//! Rows as JSON objects. Records are serde types whose field names are column names, so one
//! mapping serves every table: JSON values are bound by their kind, and columns are read back by
//! their declared type (BOOLEAN columns become `true`/`false`).

use super::error::{Result, StoreError};
use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::{Map, Value};

pub type JsonRow = Map<String, Value>;

pub fn to_row<T: serde::Serialize>(table: &str, record: &T) -> Result<JsonRow> {
    match serde_json::to_value(record) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(StoreError::Constraint(format!("a {table} record must serialise to an object"))),
        Err(source) => Err(StoreError::CorruptRecord { table: table.to_owned(), source }),
    }
}

pub fn from_row<T: serde::de::DeserializeOwned>(table: &str, row: JsonRow) -> Result<T> {
    serde_json::from_value(Value::Object(row))
        .map_err(|source| StoreError::CorruptRecord { table: table.to_owned(), source })
}

/// A statement's columns: each name, and whether it is declared BOOLEAN.
pub(crate) fn columns_of(statement: &rusqlite::Statement<'_>) -> Vec<(String, bool)> {
    statement
        .columns()
        .iter()
        .map(|c| (c.name().to_owned(), c.decl_type().is_some_and(|t| t.eq_ignore_ascii_case("BOOLEAN"))))
        .collect()
}

/// One row as JSON, by the columns [`columns_of`] read from its statement.
pub(crate) fn json_row(row: &rusqlite::Row<'_>, columns: &[(String, bool)]) -> rusqlite::Result<JsonRow> {
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
    Ok(map)
}

/// A JSON value as SQLite stores it: booleans as 0/1, arrays and objects as their JSON text.
pub(crate) fn sql_value(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

/// `row` as JSON text.
pub(crate) fn json_text(row: &JsonRow) -> String {
    Value::Object(row.clone()).to_string()
}
