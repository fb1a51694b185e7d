//! Rows as JSON objects. Records are serde types whose field names are column names, so one
//! mapping serves every table: JSON values are bound by their kind, and columns are read back by
//! their declared type (BOOLEAN columns become `true`/`false`).

use crate::{Result, StoreError};
use serde_json::{Map, Value};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Column, Row, Sqlite, TypeInfo, ValueRef};

pub type JsonRow = Map<String, Value>;

pub fn to_row<T: serde::Serialize>(table: &str, record: &T) -> Result<JsonRow> {
    match serde_json::to_value(record) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(StoreError::Constraint(format!("a {table} record must serialise to an object"))),
        Err(source) => Err(StoreError::CorruptRecord { table: table.to_owned(), source }),
    }
}

pub fn from_row<T: serde::de::DeserializeOwned>(table: &str, row: JsonRow) -> Result<T> {
    serde_json::from_value(Value::Object(row)).map_err(|source| StoreError::CorruptRecord { table: table.to_owned(), source })
}

pub fn read_row(row: &SqliteRow) -> Result<JsonRow> {
    let mut map = Map::with_capacity(row.columns().len());
    for column in row.columns() {
        let index = column.ordinal();
        let raw = row.try_get_raw(index)?;
        let value = if raw.is_null() {
            Value::Null
        } else {
            // The declared type when the column has one, else what the value holds.
            let declared = column.type_info().name();
            let stored = raw.type_info().name().to_owned();
            drop(raw);
            match (declared, stored.as_str()) {
                ("BOOLEAN", _) => Value::Bool(row.try_get::<i64, _>(index)? != 0),
                (_, "INTEGER") => Value::from(row.try_get::<i64, _>(index)?),
                (_, "REAL") => Value::from(row.try_get::<f64, _>(index)?),
                (_, "BLOB") => Value::Null,
                _ => Value::String(row.try_get::<String, _>(index)?),
            }
        };
        map.insert(column.name().to_owned(), value);
    }
    Ok(map)
}

pub fn bind_value<'q>(
    query: sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>>,
    value: &Value,
) -> sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>> {
    match value {
        Value::Null => query.bind(None::<String>),
        Value::Bool(b) => query.bind(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => query.bind(i),
            None => query.bind(n.as_f64()),
        },
        Value::String(s) => query.bind(s.clone()),
        other => query.bind(other.to_string()),
    }
}
