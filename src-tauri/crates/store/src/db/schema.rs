use super::error::{Result, StoreError};
use super::query::Query;
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};

/// Every table's columns, read from SQLite after migrating, so filters and writes can be
/// checked against the real schema.
#[derive(Debug, Default)]
pub(crate) struct Schema {
    columns: HashMap<String, HashSet<String>>,
}

impl Schema {
    pub(crate) fn read(conn: &Connection) -> Result<Self> {
        let tables: Vec<String> = conn.column(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%' AND name NOT LIKE '_sqlx%'",
            [],
        )?;
        let mut columns = HashMap::new();
        for table in tables {
            let names: HashSet<String> =
                conn.column::<String>("SELECT name FROM pragma_table_info(?1)", [&table])?.into_iter().collect();
            columns.insert(table, names);
        }
        Ok(Self { columns })
    }

    pub(crate) fn has_column(&self, table: &str, column: &str) -> bool {
        self.columns.get(table).is_some_and(|cols| cols.contains(column))
    }

    pub(crate) fn check_column(&self, table: &str, column: &str) -> Result<()> {
        if self.has_column(table, column) {
            Ok(())
        } else {
            Err(StoreError::UnknownColumn { table: table.to_owned(), field: column.to_owned() })
        }
    }
}
