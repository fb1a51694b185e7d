//! The local database, reached one way: one writing connection, taken by one transaction at a
//! time (`BEGIN IMMEDIATE`, so a write never fails half-way with SQLITE_BUSY), beside a few
//! read-only connections that see the last committed state and never wait for the writer (WAL).
//! Statements run on the calling thread; async callers hand their work to
//! [`Store::call`], which runs it on tokio's blocking pool.

use super::backup::{self, BackupMade, BackupProgress, Passphrase};
use super::encryption::{self, DatabaseKey, FileKind};
use super::error::{Result, StoreError};
use super::migrate;
use super::query::Query;
use super::schema::Schema;
use super::tx::WriteTx;
use crate::team::{self, DeviceClock};
use cct_domain::Actor;
use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// How long a writer waits for another process's write lock before giving up. Long enough
/// that a burst of writes from the sync engine never surfaces as SQLITE_BUSY.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
const READERS: usize = 4;
/// Pages are read through a memory map rather than a read() call each: on a VM a system call
/// costs several microseconds, and a search over 100,000 people touches hundreds of pages.
const MMAP_SIZE: i64 = 1 << 30;
/// Each connection's page cache, in KiB (SQLite's negative form), for what the map misses.
const CACHE_SIZE: i64 = -16_384;
/// Pages the write-ahead log may hold before a commit copies it into the database (32 MiB).
/// A check-in dirties about sixteen pages: at SQLite's default of 1,000, every sixtieth would
/// also wait for a checkpoint, and pages written many times over (the ends of the audit and
/// change logs) are copied once instead of at each checkpoint.
const WAL_PAGES_BEFORE_CHECKPOINT: i64 = 8_000;
/// Statements kept prepared per connection: every statement the store runs more than once.
const STATEMENT_CACHE: usize = 256;

/// The local database. Cheap to clone: clones share the connections.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    /// The lock file beside the database, held while the store is open: no second process
    /// ever writes the same file (see [`Store::open`]). `None` once closed.
    lock: Mutex<Option<std::fs::File>>,
    /// `None` once closed.
    writer: Mutex<Option<Connection>>,
    readers: Vec<Mutex<Option<Connection>>>,
    /// Where a reader who found every connection busy queues, spread round them.
    next_reader: AtomicUsize,
    schema: Schema,
    clock: DeviceClock,
    /// `None` only for the bench's plain comparison (see [`Store::open_unencrypted`]).
    key: Option<DatabaseKey>,
}

/// A database about to be upgraded to a newer schema, before any step is applied: the moment
/// for a backup of it as it is.
pub struct PendingUpgrade<'a> {
    connection: &'a Connection,
    path: &'a Path,
    /// How many schema steps it lacks.
    pub steps: usize,
}

impl PendingUpgrade<'_> {
    /// Writes a checked backup of the database as it is now, before its upgrade.
    pub fn back_up(&self, destination: &Path, passphrase: &Passphrase) -> Result<BackupMade> {
        backup::back_up_from(self.connection, self.path, destination, passphrase, &|_: BackupProgress| {})
    }
}

/// What to do just before an upgrade; see [`Store::open_with`].
pub type BeforeUpgrade<'a> = &'a dyn Fn(&PendingUpgrade<'_>) -> Result<()>;

impl Store {
    /// Opens (creating if needed) the database file, encrypted with `key`, and brings its
    /// schema up to date. A plain database (from before encryption) is encrypted first. A file
    /// that `key` cannot open, damaged or encrypted with another key, is
    /// [`StoreError::Unreadable`].
    pub fn open(path: impl AsRef<Path>, key: &DatabaseKey) -> Result<Self> {
        Self::open_with(path, key, &|_| Ok(()))
    }

    /// [`Store::open`], calling `before_upgrade` when the database lacks schema steps, before
    /// any is applied (not for a new database). An error from it stops the opening, with the
    /// database as it was.
    pub fn open_with(path: impl AsRef<Path>, key: &DatabaseKey, before_upgrade: BeforeUpgrade<'_>) -> Result<Self> {
        Self::open_keyed(path.as_ref(), Some(key), before_upgrade)
    }

    /// Opens a database without encryption, for the check-in bench's comparison of encrypted
    /// and plain writes. The app never builds with it.
    #[cfg(feature = "unencrypted-for-comparison")]
    pub fn open_unencrypted(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_keyed(path.as_ref(), None, &|_| Ok(()))
    }

    fn open_keyed(path: &Path, key: Option<&DatabaseKey>, before_upgrade: BeforeUpgrade<'_>) -> Result<Self> {
        let path = path.to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|source| StoreError::Open { path: path.display().to_string(), source })?;
        }
        let lock = take_lock(&path)?;
        if let (Some(key), FileKind::Plain) = (key, encryption::inspect(&path)?) {
            encryption::encrypt_plain_file(&path, key)?;
        }
        let writer = connect(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            key,
        )?;
        configure(&writer)?;
        writer.query_row("PRAGMA journal_mode = WAL", [], |row| row.get::<_, String>(0))?;
        writer.pragma_update(None, "wal_autocheckpoint", WAL_PAGES_BEFORE_CHECKPOINT)?;
        let queued_by_release_0_1 = crate::office::progress::queued_before_upgrade(&writer)?;
        let steps = migrate::pending(&writer)?;
        if steps > 0 {
            before_upgrade(&PendingUpgrade { connection: &writer, path: &path, steps })?;
        }
        migrate::apply(&writer, migrate::all())?;
        let schema = Schema::read(&writer)?;
        let device_id: String = writer.scalar("SELECT device_id FROM team_device", [])?;
        let clock = DeviceClock::new(device_id, team::changes::latest_clock(&writer)?);
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let reader = connect(&path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX, key)?;
            configure(&reader)?;
            readers.push(Mutex::new(Some(reader)));
        }
        let store = Self {
            inner: Arc::new(Inner {
                path,
                lock: Mutex::new(Some(lock)),
                writer: Mutex::new(Some(writer)),
                readers,
                next_reader: AtomicUsize::new(0),
                schema,
                clock,
                key: key.cloned(),
            }),
        };
        store.settle_carried_over(&queued_by_release_0_1);
        Ok(store)
    }

    /// Enrollments whose progress a check-in on release 0.1 left for later, when the app stopped
    /// before it got to them: worked out now, with their certifications. Should that fail, they
    /// are worked out again with their next step; the office must still be able to open its data.
    fn settle_carried_over(&self, enrollments: &[Uuid]) {
        if enrollments.is_empty() {
            return;
        }
        let settled = self.write(&Actor::system(), |tx| {
            for &id in enrollments {
                match crate::office::progress::recompute(tx, id) {
                    Ok(_) | Err(StoreError::NotFound { .. }) => {}
                    Err(other) => return Err(other),
                }
            }
            Ok(())
        });
        if let Err(error) = settled {
            eprintln!("church-course-tracker: {} enrollments queued by an earlier version could not be worked out yet: {error}", enrollments.len());
        }
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// A new connection of its own to this database (a backup's), with the store's key.
    pub(crate) fn connect_aside(&self) -> Result<Connection> {
        let connection = connect(
            &self.inner.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            self.inner.key.as_ref(),
        )?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        Ok(connection)
    }

    /// Starts a write transaction for `actor`. It takes the write lock at once, so it never
    /// fails half-way with SQLITE_BUSY; dropped without [`WriteTx::commit`], it rolls back.
    /// While it lives, every other write of this store waits.
    pub fn begin_write<'a>(&'a self, actor: &'a Actor) -> Result<WriteTx<'a>> {
        let connection = parking_lot::MutexGuard::try_map(self.inner.writer.lock(), Option::as_mut)
            .map_err(|_| StoreError::Closed)?;
        WriteTx::begin(connection, actor, &self.inner.schema, &self.inner.clock)
    }

    /// Runs `work` in one write transaction for `actor`, committed if it succeeds and rolled
    /// back if it fails.
    pub fn write<T>(&self, actor: &Actor, work: impl FnOnce(&mut WriteTx<'_>) -> Result<T>) -> Result<T> {
        let mut tx = self.begin_write(actor)?;
        let value = work(&mut tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `work` on a read-only connection, which sees the last committed state.
    pub fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let readers = &self.inner.readers;
        let slot = readers.iter().find_map(|slot| slot.try_lock()).unwrap_or_else(|| {
            let queue = self.inner.next_reader.fetch_add(1, Ordering::Relaxed) % readers.len();
            readers[queue].lock()
        });
        work(slot.as_ref().ok_or(StoreError::Closed)?)
    }

    /// Runs `work` on tokio's blocking pool, for async callers: statements block, and a batch
    /// of them must not hold up the tasks of an async runtime's worker.
    pub async fn call<T: Send + 'static>(&self, work: impl FnOnce(&Store) -> Result<T> + Send + 'static) -> Result<T> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || work(&store))
            .await
            .map_err(|stopped| StoreError::Interrupted(stopped.to_string()))?
    }

    /// This device's hybrid logical clock, which stamps its changes for the team.
    pub fn clock(&self) -> &DeviceClock {
        &self.inner.clock
    }

    pub(crate) fn schema(&self) -> &Schema {
        &self.inner.schema
    }

    /// Whether [`Store::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.inner.writer.lock().is_none()
    }

    /// Closes every connection once its current user is done; the store refuses work after.
    /// Closing the last connection copies the write-ahead log into the database.
    pub fn close(&self) {
        for reader in &self.inner.readers {
            reader.lock().take();
        }
        self.inner.writer.lock().take();
        self.inner.lock.lock().take();
    }
}

/// A connection with the database's key, proven to read it; without a key (the bench's plain
/// comparison), a plain connection.
fn connect(path: &Path, flags: OpenFlags, key: Option<&DatabaseKey>) -> Result<Connection> {
    match key {
        Some(key) => encryption::open_keyed(path, flags, key),
        None => {
            let connection = Connection::open_with_flags(path, flags)?;
            encryption::prove_readable(&connection, path)?;
            Ok(connection)
        }
    }
}

/// Takes the lock file beside the database (`church.sqlite.lock`), or says that another window
/// or program has the database open. Two processes writing one file would each keep their own
/// clock for the team and their own idea of what Planning Center was sent. The lock is the
/// operating system's: it is let go when the process ends, however it ends.
fn take_lock(path: &Path) -> Result<std::fs::File> {
    let lock_path = PathBuf::from(format!("{}.lock", path.display()));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|source| StoreError::Open { path: lock_path.display().to_string(), source })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::InUse { path: path.display().to_string() }),
        Err(std::fs::TryLockError::Error(source)) => {
            Err(StoreError::Open { path: lock_path.display().to_string(), source })
        }
    }
}

/// What every connection of the store is set to. `synchronous = FULL` for every write: each
/// commit reaches the disk before it is reported done, so a power cut cannot undo a check-in
/// whose labels were printed (and hand its tag's code to a second family). NORMAL would lose
/// only the last commits at a power cut, but those are exactly the ones a station just printed;
/// the flush costs about half a millisecond per commit here (see the check-in bench).
fn configure(connection: &Connection) -> Result<()> {
    connection.busy_timeout(BUSY_TIMEOUT)?;
    connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    connection.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA temp_store = memory; PRAGMA mmap_size = {MMAP_SIZE}; PRAGMA cache_size = {CACHE_SIZE};"
    ))?;
    Ok(())
}
