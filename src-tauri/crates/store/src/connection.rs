use crate::team::{self, DeviceClock};
use crate::{Result, StoreError, WriteTx};
use cct_domain::Actor;
use crate::direct::{Direct, DirectTx};
use crate::lender::{Lender, Lent};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Row, SqliteConnection};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../../migrations");

/// How long a writer waits for another process's write lock before giving up. Long enough
/// that a burst of writes from the sync engine never surfaces as SQLITE_BUSY.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
const READERS: usize = 4;
/// Pages are read through a memory map rather than a read() call each: on a VM a system call
/// costs several microseconds, and a search over 100,000 people touches hundreds of pages.
pub(crate) const MMAP_SIZE: i64 = 1 << 30;
/// Each connection's page cache, in KiB (SQLite's negative form), for what the map misses.
pub(crate) const CACHE_SIZE: i64 = -16_384;

/// The local database: one writing connection beside a few read-only ones.
#[derive(Clone)]
pub struct Store {
    writer: Arc<Lender>,
    readers: Arc<Lender>,
    direct: Arc<Direct>,
    schema: Arc<Schema>,
    clock: Arc<DeviceClock>,
    path: Arc<PathBuf>,
}

/// Every table's columns, read from SQLite after migrating, so filters and writes can be
/// checked against the real schema.
#[derive(Debug, Default)]
pub(crate) struct Schema {
    columns: HashMap<String, HashSet<String>>,
}

impl Schema {
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

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("temp_store", "memory")
            .pragma("mmap_size", MMAP_SIZE.to_string())
            .pragma("cache_size", CACHE_SIZE.to_string());
        let writer = Lender::open(&options, 1).await?;
        let (schema, clock) = {
            let mut conn = writer.lend().await?;
            MIGRATOR.run(&mut *conn).await?;
            let schema = read_schema(&mut conn).await?;
            let clock = DeviceClock::new(team::device::device_id(&mut conn).await?, team::changes::latest_clock(&mut conn).await?);
            (Arc::new(schema), Arc::new(clock))
        };
        let readers = Lender::open(&options.read_only(true), READERS).await?;
        let direct = Direct::open(&path, BUSY_TIMEOUT)?;
        let store = Self { writer: Arc::new(writer), readers: Arc::new(readers), direct: Arc::new(direct), schema, clock, path: Arc::new(path) };
        // Progress a check-in queued just before a crash. Should it fail, the queue keeps it
        // for the next check-in: the office must still be able to open its data.
        let _kept_in_the_queue_on_failure = crate::progress::settle_pending(&store, &Actor::system()).await;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts a write transaction for `actor`. It takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so it never fails half-way with SQLITE_BUSY; dropping it rolls back.
    pub async fn begin_write<'a>(&'a self, actor: &'a Actor) -> Result<WriteTx<'a>> {
        WriteTx::begin(self.writer.lend().await?, actor, &self.schema, &self.clock).await
    }

    /// Runs `work` in one write transaction on the calling thread (see `direct`), while no
    /// other write of this store can start.
    pub(crate) async fn write_direct<T>(&self, actor: &Actor, work: impl FnOnce(&mut DirectTx<'_>) -> Result<T>) -> Result<T> {
        let _no_other_writer = self.writer.lend().await?;
        self.direct.write(actor, &self.schema, &self.clock, work)
    }

    /// Runs `work` on a read-only connection on the calling thread (see `direct`).
    pub(crate) fn read_direct<T>(&self, work: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        self.direct.read(work)
    }

    /// A read-only connection, given back when dropped. Readers see the last committed
    /// state and never wait for the writer (WAL).
    pub(crate) async fn reader(&self) -> Result<Lent> {
        self.readers.lend().await
    }

    /// This device's hybrid logical clock, which stamps its changes for the team.
    pub fn clock(&self) -> &DeviceClock {
        &self.clock
    }

    pub(crate) fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The schema's migrations, for tests that apply them one at a time to a database
    /// holding data.
    pub fn migrator() -> &'static sqlx::migrate::Migrator {
        &MIGRATOR
    }

    pub async fn close(&self) {
        self.direct.close();
        self.readers.close().await;
        self.writer.close().await;
    }
}

async fn read_schema(conn: &mut SqliteConnection) -> Result<Schema> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%' AND name NOT LIKE '_sqlx%'",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut columns = HashMap::new();
    for table in tables {
        let rows = sqlx::query("SELECT name FROM pragma_table_info(?)").bind(&table).fetch_all(&mut *conn).await?;
        let names = rows.iter().map(|r| r.try_get::<String, _>(0)).collect::<std::result::Result<HashSet<_>, _>>()?;
        columns.insert(table, names);
    }
    Ok(Schema { columns })
}
