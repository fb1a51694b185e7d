//! The schema, brought up to date step by step from `migrations/`.
//!
//! Databases made by the first releases were migrated by sqlx, which keeps what it applied in
//! `_sqlx_migrations` (version, description, SHA-384 of the step's SQL, whether it finished).
//! This migrator keeps the same table the same way, so those databases upgrade in place and a
//! step is never applied twice: each step runs in its own transaction with its row.

use super::error::{MigrationError, Result};
use super::query::Query;
use rusqlite::Connection;
use sha2::{Digest, Sha384};

/// One step of the schema.
#[derive(Debug)]
pub struct Migration {
    pub version: i64,
    pub description: &'static str,
    pub sql: &'static str,
}

impl Migration {
    fn checksum(&self) -> Vec<u8> {
        Sha384::digest(self.sql.as_bytes()).to_vec()
    }
}

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// Every step of the schema, oldest first.
pub fn all() -> &'static [Migration] {
    MIGRATIONS
}

/// The table sqlx made, with the same columns, so a database from either knows what it holds.
const LEDGER: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
)";

/// Applies the steps `steps` holds that the database lacks, oldest first. Refuses a database
/// whose last upgrade stopped part-way, one made by a newer build (a step it does not know),
/// and one whose applied steps differ from these.
pub fn apply(conn: &Connection, steps: &[Migration]) -> Result<usize> {
    conn.execute_batch(LEDGER)?;
    if let Some(version) =
        conn.optional::<i64>("SELECT version FROM _sqlx_migrations WHERE success = 0 ORDER BY version LIMIT 1", [])?
    {
        return Err(MigrationError::Interrupted { version }.into());
    }
    let applied: Vec<(i64, Vec<u8>)> =
        conn.tuples("SELECT version, checksum FROM _sqlx_migrations ORDER BY version", [])?;
    for (version, checksum) in &applied {
        match MIGRATIONS.iter().find(|m| m.version == *version) {
            None => return Err(MigrationError::Newer { version: *version }.into()),
            Some(step) if step.checksum() != *checksum => {
                return Err(
                    MigrationError::Changed { version: *version, description: step.description.to_owned() }.into()
                )
            }
            Some(_) => {}
        }
    }
    let mut count = 0;
    for step in steps.iter().filter(|step| !applied.iter().any(|(version, _)| *version == step.version)) {
        apply_one(conn, step)?;
        count += 1;
    }
    Ok(count)
}

/// Every reference in the database points at a row (only checked, and only needed, after a
/// step that ran with foreign keys off; otherwise SQLite checked each write).
fn references_hold(conn: &Connection) -> rusqlite::Result<()> {
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |row| row.get(0))?;
    if enforced {
        return Ok(());
    }
    let broken: Option<(String, Option<i64>, String)> = conn
        .query_row("PRAGMA foreign_key_check", [], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .map(Some)
        .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?;
    match broken {
        None => Ok(()),
        Some((table, rowid, parent)) => Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
            Some(format!(
                "a row ({}) of {table} refers to a row of {parent} that is not there",
                rowid.unwrap_or_default()
            )),
        )),
    }
}

/// How many steps of the schema a database that has been opened before lacks; 0 for a new
/// database (nothing to keep from before an upgrade).
pub fn pending(conn: &Connection) -> Result<usize> {
    let has_ledger: bool =
        conn.scalar("SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'", [])?;
    if !has_ledger {
        return Ok(0);
    }
    let applied: Vec<i64> = conn.column("SELECT version FROM _sqlx_migrations", [])?;
    Ok(MIGRATIONS.iter().filter(|step| !applied.contains(&step.version)).count())
}

/// A step that rebuilds a table others refer to says so with this line. SQLite drops the old
/// table's rows as if deleted, which references would refuse though the rebuilt table holds
/// every one of them again; so such a step runs with foreign keys off, as SQLite's own way to
/// rebuild a table asks, and every reference is checked before it commits.
const REBUILDS_TABLES: &str = "-- migrate: rebuilds tables";

fn apply_one(conn: &Connection, step: &Migration) -> Result<()> {
    if !step.sql.contains(REBUILDS_TABLES) {
        return apply_in_transaction(conn, step);
    }
    let enforced: bool = conn.scalar("PRAGMA foreign_keys", [])?;
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let applied = apply_in_transaction(conn, step);
    if enforced {
        conn.execute_batch("PRAGMA foreign_keys = ON")?;
    }
    applied
}

fn apply_in_transaction(conn: &Connection, step: &Migration) -> Result<()> {
    let failed =
        |source| MigrationError::Failed { version: step.version, description: step.description.to_owned(), source };
    let started = std::time::Instant::now();
    conn.execute_batch("BEGIN IMMEDIATE").map_err(failed)?;
    let applied = conn.execute_batch(step.sql).and_then(|()| references_hold(conn)).and_then(|()| {
        conn.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (?1, ?2, 1, ?3, ?4)",
            rusqlite::params![step.version, step.description, step.checksum(), started.elapsed().as_nanos() as i64],
        )
    });
    match applied.and_then(|_| conn.execute_batch("COMMIT")) {
        Ok(()) => Ok(()),
        Err(error) => {
            // Nothing of the step stays: the schema is as it was before it.
            let _ = conn.execute_batch("ROLLBACK");
            Err(failed(error).into())
        }
    }
}
