//! Backups and restores. A backup is a whole copy of the database, encrypted with the office's
//! recovery passphrase instead of this computer's key, so that a new computer whose keychain
//! never saw that key can restore it with the passphrase alone.
//!
//! A backup is made on a connection of its own, in one read transaction: it is a consistent
//! snapshot, and in WAL mode the app's writes go on meanwhile. It is written under a `.partial`
//! name, checked (SQLite's integrity check, and every table's row count against the snapshot),
//! flushed, and only then given its real name, so a file with a backup's name is a good one.

use super::connection::Store;
use super::encryption::{
    self, flush, path_text, remove_if_present, replace, row_counts, sibling, verify_copy, DatabaseKey,
};
use super::error::{Result, StoreError};
use super::migrate;
use super::query::Query;
use rusqlite::{Connection, OpenFlags};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The office's recovery passphrase. SQLCipher stretches it (PBKDF2-HMAC-SHA512, 256,000
/// rounds) into each backup's key.
#[derive(Clone)]
pub struct Passphrase(String);

/// Fewer characters than this are refused: the passphrase is all that protects a backup on a
/// lost USB stick.
pub const PASSPHRASE_MIN_CHARS: usize = 12;

impl Passphrase {
    pub fn new(text: impl Into<String>) -> Result<Self> {
        let text = text.into();
        if text.chars().count() < PASSPHRASE_MIN_CHARS {
            return Err(cct_domain::ValidationError::new(
                "passphrase",
                format!("a recovery passphrase needs at least {PASSPHRASE_MIN_CHARS} characters; a short sentence is easy to remember"),
            )
            .into());
        }
        Ok(Self(text))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(…)")
    }
}

/// Where a backup has got to, for a progress bar.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct BackupProgress {
    /// `copying`, then `checking`.
    pub phase: String,
    /// Bytes of the backup written so far, against the database's size (a backup holds no
    /// free pages, so it ends at or below it).
    pub done_bytes: u64,
    pub total_bytes: u64,
}

/// A backup that was written and checked.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct BackupMade {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Rows in every table, together.
    #[ts(type = "number")]
    pub rows: i64,
    pub people: i64,
}

/// What a backup holds, once its passphrase opened it and it passed its checks.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct BackupContents {
    pub path: String,
    pub people: i64,
    #[ts(type = "number")]
    pub rows: i64,
    /// The latest change recorded in it (its audit log), in RFC 3339; `None` for an empty one.
    pub latest_change_at: Option<String>,
}

/// How often a backup in progress reports how far it has got.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

impl Store {
    /// Writes a checked backup of this database to `destination`, encrypted with `passphrase`,
    /// while the store keeps working. `progress` hears how far it has got.
    pub fn back_up(
        &self,
        destination: &Path,
        passphrase: &Passphrase,
        progress: &(dyn Fn(BackupProgress) + Sync),
    ) -> Result<BackupMade> {
        let source = self.connect_aside()?;
        back_up_from(&source, self.path(), destination, passphrase, progress)
    }
}

/// Writes a checked backup of the database `connection` has open (at `source_path`) to
/// `destination`. The connection must not be in a transaction; the store's writer uses this
/// directly before an upgrade, while nothing else is open.
pub(crate) fn back_up_from(
    connection: &Connection,
    source_path: &Path,
    destination: &Path,
    passphrase: &Passphrase,
    progress: &(dyn Fn(BackupProgress) + Sync),
) -> Result<BackupMade> {
    if let Some(folder) = destination.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !folder.is_dir() {
            return Err(StoreError::CopyFailed(format!(
                "the backup folder {} is not there (is the USB stick or network drive connected?)",
                folder.display()
            )));
        }
    }
    let partial = sibling(destination, "partial");
    remove_if_present(&partial)?;
    let total_bytes = std::fs::metadata(source_path).map(|m| m.len()).unwrap_or(0);
    let finished = std::sync::atomic::AtomicBool::new(false);
    let made = std::thread::scope(|scope| {
        // The export is one statement: its progress is the size its file has grown to.
        let watcher = scope.spawn(|| {
            while !finished.load(std::sync::atomic::Ordering::Relaxed) {
                let done_bytes = std::fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
                progress(BackupProgress {
                    phase: "copying".into(),
                    done_bytes: done_bytes.min(total_bytes),
                    total_bytes,
                });
                std::thread::park_timeout(PROGRESS_EVERY);
            }
        });
        let copied = copy_with_passphrase(connection, &partial, passphrase);
        finished.store(true, std::sync::atomic::Ordering::Relaxed);
        watcher.thread().unpark();
        let _ = watcher.join();
        copied
    });
    let expected = match made {
        Ok(expected) => expected,
        Err(error) => {
            let _ = remove_if_present(&partial);
            return Err(error);
        }
    };
    progress(BackupProgress { phase: "checking".into(), done_bytes: total_bytes, total_bytes });
    let checked = open_backup(&partial, passphrase).and_then(|backup| {
        verify_copy(&backup, "main", &expected)?;
        drop(backup);
        flush(&partial)
    });
    if let Err(error) = checked {
        let _ = remove_if_present(&partial);
        return Err(error);
    }
    replace(&partial, destination)?;
    let bytes = std::fs::metadata(destination).map(|m| m.len()).unwrap_or(0);
    let people = expected.iter().find(|(table, _)| table == "people").map_or(0, |(_, count)| *count);
    Ok(BackupMade {
        path: destination.display().to_string(),
        bytes,
        rows: expected.iter().map(|(_, count)| count).sum(),
        people,
    })
}

/// Exports the whole database into a new file encrypted with `passphrase`, in one read
/// snapshot; answers the row counts of that snapshot, which the copy must match.
fn copy_with_passphrase(connection: &Connection, into: &Path, passphrase: &Passphrase) -> Result<Vec<(String, i64)>> {
    connection.execute("ATTACH DATABASE ?1 AS backup KEY ?2", [path_text(into)?, passphrase.expose().to_owned()])?;
    let exported = (|| {
        connection.execute_batch("BEGIN")?;
        let copied = row_counts(connection, "main").and_then(|counts| {
            encryption::export(connection, "backup")?;
            Ok(counts)
        });
        match copied {
            Ok(counts) => {
                connection.execute_batch("COMMIT")?;
                Ok(counts)
            }
            Err(error) => {
                let _ = connection.execute_batch("ROLLBACK");
                Err(error)
            }
        }
    })();
    let detached = connection.execute_batch("DETACH DATABASE backup");
    let counts = exported?;
    detached?;
    Ok(counts)
}

/// Opens a backup read-only with its passphrase. A wrong passphrase and a file that is not a
/// backup both fail here.
fn open_backup(path: &Path, passphrase: &Passphrase) -> Result<Connection> {
    let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|error| encryption::unreadable_or(error, path))?;
    connection.pragma_update(None, "key", passphrase.expose())?;
    match connection.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get::<_, i64>(0)) {
        Ok(_) => Ok(connection),
        Err(error) => match encryption::unreadable_or(error, path) {
            StoreError::Unreadable { path } => Err(StoreError::BackupUnreadable { path }),
            other => Err(other),
        },
    }
}

/// Opens the backup at `path` with `passphrase` and checks it whole, without changing anything.
pub fn inspect_backup(path: &Path, passphrase: &Passphrase) -> Result<BackupContents> {
    if !path.is_file() {
        return Err(StoreError::CopyFailed(format!("there is no backup file at {}", path.display())));
    }
    let backup = open_backup(path, passphrase)?;
    let verdict: String = backup.scalar("PRAGMA integrity_check(1)", [])?;
    if verdict != "ok" {
        return Err(StoreError::CopyFailed(format!("the backup {} is damaged ({verdict})", path.display())));
    }
    let is_ours: bool = backup.scalar(
        "SELECT count(*) = 2 FROM sqlite_master WHERE type = 'table' AND name IN ('_sqlx_migrations', 'team_device')",
        [],
    )?;
    if !is_ours {
        return Err(StoreError::CopyFailed(format!("{} is not a Church Course Tracker backup", path.display())));
    }
    let newest_step: i64 = backup.scalar("SELECT coalesce(max(version), 0) FROM _sqlx_migrations", [])?;
    if migrate::all().iter().all(|step| step.version < newest_step) {
        return Err(StoreError::Migration(super::error::MigrationError::Newer { version: newest_step }));
    }
    let counts = row_counts(&backup, "main")?;
    let has_table = |name: &str| counts.iter().any(|(table, _)| table == name);
    Ok(BackupContents {
        path: path.display().to_string(),
        people: counts.iter().find(|(table, _)| table == "people").map_or(0, |(_, count)| *count),
        rows: counts.iter().map(|(_, count)| count).sum(),
        latest_change_at: if has_table("audit_log") {
            backup.optional("SELECT max(changed_at) FROM audit_log", [])?.flatten()
        } else {
            None
        },
    })
}

/// What a restore did with the database it replaced.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct Restored {
    pub contents: BackupContents,
    /// Where the replaced database was moved (never deleted); `None` when there was none.
    pub set_aside: Option<String>,
}

/// Who restored, for the restored database's audit log: a person, or `None` (the recovery
/// screen, where nobody can sign in), and when (RFC 3339).
#[derive(Debug, Clone)]
pub struct RestoredBy {
    pub person_id: Option<uuid::Uuid>,
    pub at: String,
}

/// Replaces the database at `database` (closed: no store has it open) with the backup at
/// `backup`, re-encrypted with `key`. The backup is checked first; the database it replaces
/// is moved aside under a dated name, never deleted. The restored database's audit log notes
/// the restore. In a team, the restored computer takes back from the hub its own changes made
/// after the backup (see `team::device`).
pub fn restore(
    backup: &Path,
    passphrase: &Passphrase,
    database: &Path,
    key: &DatabaseKey,
    by: &RestoredBy,
) -> Result<Restored> {
    let aside_label = format!("before-restore-{}", file_stamp(&by.at));
    let contents = inspect_backup(backup, passphrase)?;
    let incoming = sibling(database, "restoring");
    remove_if_present(&incoming)?;
    let copied = (|| {
        let source = open_backup(backup, passphrase)?;
        let expected = row_counts(&source, "main")?;
        // The backup is opened read-only; the copy is written through a connection of its own.
        drop(source);
        let writer =
            Connection::open_with_flags(&incoming, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
        encryption::apply_key(&writer, key)?;
        writer.execute("ATTACH DATABASE ?1 AS backup KEY ?2", [path_text(backup)?, passphrase.expose().to_owned()])?;
        writer.execute_batch("BEGIN")?;
        writer.query_row("SELECT sqlcipher_export('main', 'backup')", [], |_| Ok(()))?;
        let user_version: i64 = writer.scalar("PRAGMA backup.user_version", [])?;
        writer.execute_batch(&format!("PRAGMA main.user_version = {user_version}"))?;
        crate::team::device::mark_restored(&writer)?;
        note_restore(&writer, backup, database.exists().then(|| sibling(database, &aside_label)), by)?;
        writer.execute_batch("COMMIT; DETACH DATABASE backup")?;
        let mut restored_counts = row_counts(&writer, "main")?;
        // The one row the restore adds: its own note in the audit log.
        if let Some((_, audit_rows)) = restored_counts.iter_mut().find(|(table, _)| table == "audit_log") {
            *audit_rows -= 1;
        }
        let verdict: String = writer.scalar("PRAGMA integrity_check(1)", [])?;
        if verdict != "ok" || restored_counts != expected {
            return Err(StoreError::CopyFailed("the restored copy does not match the backup".into()));
        }
        drop(writer);
        flush(&incoming)
    })();
    if let Err(error) = copied {
        let _ = remove_if_present(&incoming);
        return Err(error);
    }
    let set_aside = set_aside(database, &aside_label)?;
    replace(&incoming, database)?;
    Ok(Restored { contents, set_aside: set_aside.map(|p| p.display().to_string()) })
}

/// The restore, in the restored database's audit log: which backup, and where the database it
/// replaced went.
fn note_restore(conn: &Connection, backup: &Path, set_aside: Option<PathBuf>, by: &RestoredBy) -> Result<()> {
    let values = serde_json::json!({
        "restored_from": backup.display().to_string(),
        "set_aside": set_aside.map(|p| p.display().to_string()),
    });
    conn.execute(
        "INSERT INTO audit_log (id, table_name, record_id, action, new_values, reason, changed_by, changed_at, device_id)
         VALUES (?1, 'backup', 'restored_from', 'insert', ?2, 'restored from a backup', ?3, ?4, (SELECT device_id FROM team_device))",
        rusqlite::params![
            cct_domain::new_id().to_string(),
            values.to_string(),
            by.person_id.map(|id| id.to_string()),
            by.at
        ],
    )?;
    Ok(())
}

/// Moves the database at `path`, with its WAL and shared-memory files, to `<path>.<label>`
/// (and `-wal`, `-shm` beside it). Answers where the database went, or `None` if there was
/// no file.
pub fn set_aside(path: &Path, label: &str) -> Result<Option<PathBuf>> {
    if !path.exists() {
        return Ok(None);
    }
    let aside = sibling(path, label);
    for extra in ["-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{extra}", path.display()));
        if from.exists() {
            let to = PathBuf::from(format!("{}{extra}", aside.display()));
            std::fs::rename(&from, &to)
                .map_err(|source| StoreError::Open { path: from.display().to_string(), source })?;
        }
    }
    std::fs::rename(path, &aside).map_err(|source| StoreError::Open { path: path.display().to_string(), source })?;
    Ok(Some(aside))
}

/// An RFC 3339 time as it can appear in a file name on every system (no colons).
pub fn file_stamp(rfc3339: &str) -> String {
    rfc3339.chars().take(19).map(|c| if c == ':' { '-' } else { c }).collect()
}
