//! The statements the store runs, in a few shapes. Every statement is prepared once per
//! connection and kept (`prepare_cached`), so a repeated read or write is only bound and run.

use super::error::{Result, StoreError};
use super::rows::{columns_of, from_row, json_row, JsonRow};
use rusqlite::types::FromSql;
use rusqlite::{Connection, Params};
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// A row read as a tuple of columns, in the order the statement names them.
pub trait FromRow: Sized {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

macro_rules! tuple_from_row {
    ($($name:ident $index:tt),+) => {
        impl<$($name: FromSql),+> FromRow for ($($name,)+) {
            fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                Ok(($(row.get($index)?,)+))
            }
        }
    };
}

tuple_from_row!(A 0, B 1);
tuple_from_row!(A 0, B 1, C 2);
tuple_from_row!(A 0, B 1, C 2, D 3);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);

/// The shapes of statement the store runs on a connection.
pub trait Query {
    /// Every row, as JSON objects (see [`crate::db::rows`]).
    fn rows(&self, sql: &str, params: impl Params) -> Result<Vec<JsonRow>>;
    /// Every row, as records of `table`.
    fn records<T: DeserializeOwned>(&self, table: &str, sql: &str, params: impl Params) -> Result<Vec<T>>;
    /// The first row, if any, as a record of `table`.
    fn record<T: DeserializeOwned>(&self, table: &str, sql: &str, params: impl Params) -> Result<Option<T>>;
    /// The first column of the one row the statement returns.
    fn scalar<T: FromSql>(&self, sql: &str, params: impl Params) -> Result<T>;
    /// The first column of the first row, if there is a row.
    fn optional<T: FromSql>(&self, sql: &str, params: impl Params) -> Result<Option<T>>;
    /// The first column of every row.
    fn column<T: FromSql>(&self, sql: &str, params: impl Params) -> Result<Vec<T>>;
    /// The first column of every row, read as ids; a malformed id is passed over.
    fn ids(&self, sql: &str, params: impl Params) -> Result<Vec<Uuid>>;
    /// The first column of the first row as an id, if there is one.
    fn id(&self, sql: &str, params: impl Params) -> Result<Option<Uuid>>;
    /// Every row as a tuple.
    fn tuples<T: FromRow>(&self, sql: &str, params: impl Params) -> Result<Vec<T>>;
    /// The first row as a tuple, if there is one.
    fn tuple<T: FromRow>(&self, sql: &str, params: impl Params) -> Result<Option<T>>;
    /// Runs a statement; how many rows it changed.
    fn run(&self, sql: &str, params: impl Params) -> Result<usize>;
}

impl Query for Connection {
    fn rows(&self, sql: &str, params: impl Params) -> Result<Vec<JsonRow>> {
        let mut statement = self.prepare_cached(sql)?;
        let columns = columns_of(&statement);
        let mut rows = statement.query(params)?;
        let mut read = Vec::new();
        while let Some(row) = rows.next()? {
            read.push(json_row(row, &columns)?);
        }
        Ok(read)
    }

    fn records<T: DeserializeOwned>(&self, table: &str, sql: &str, params: impl Params) -> Result<Vec<T>> {
        self.rows(sql, params)?.into_iter().map(|row| from_row(table, row)).collect()
    }

    fn record<T: DeserializeOwned>(&self, table: &str, sql: &str, params: impl Params) -> Result<Option<T>> {
        let mut statement = self.prepare_cached(sql)?;
        let columns = columns_of(&statement);
        let mut rows = statement.query(params)?;
        match rows.next()? {
            Some(row) => Ok(Some(from_row(table, json_row(row, &columns)?)?)),
            None => Ok(None),
        }
    }

    fn scalar<T: FromSql>(&self, sql: &str, params: impl Params) -> Result<T> {
        Ok(self.prepare_cached(sql)?.query_row(params, |row| row.get(0))?)
    }

    fn optional<T: FromSql>(&self, sql: &str, params: impl Params) -> Result<Option<T>> {
        let mut statement = self.prepare_cached(sql)?;
        let mut rows = statement.query(params)?;
        match rows.next()? {
            Some(row) => Ok(Some(row.get(0)?)),
            None => Ok(None),
        }
    }

    fn column<T: FromSql>(&self, sql: &str, params: impl Params) -> Result<Vec<T>> {
        let mut statement = self.prepare_cached(sql)?;
        let values = statement.query_map(params, |row| row.get(0))?.collect::<rusqlite::Result<Vec<T>>>()?;
        Ok(values)
    }

    fn ids(&self, sql: &str, params: impl Params) -> Result<Vec<Uuid>> {
        Ok(self.column::<String>(sql, params)?.iter().filter_map(|id| Uuid::parse_str(id).ok()).collect())
    }

    fn id(&self, sql: &str, params: impl Params) -> Result<Option<Uuid>> {
        Ok(self.optional::<String>(sql, params)?.and_then(|id| Uuid::parse_str(&id).ok()))
    }

    fn tuples<T: FromRow>(&self, sql: &str, params: impl Params) -> Result<Vec<T>> {
        let mut statement = self.prepare_cached(sql)?;
        let values = statement.query_map(params, T::from_row)?.collect::<rusqlite::Result<Vec<T>>>()?;
        Ok(values)
    }

    fn tuple<T: FromRow>(&self, sql: &str, params: impl Params) -> Result<Option<T>> {
        let mut statement = self.prepare_cached(sql)?;
        let mut rows = statement.query(params)?;
        match rows.next()? {
            Some(row) => Ok(Some(T::from_row(row)?)),
            None => Ok(None),
        }
    }

    fn run(&self, sql: &str, params: impl Params) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params).map_err(StoreError::from)
    }
}
