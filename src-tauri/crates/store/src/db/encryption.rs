//! Encryption at rest: every page of the database and of its write-ahead log is encrypted by
//! SQLCipher (AES-256, each page authenticated), with a random key that the app keeps in the
//! OS keychain. A copied file, a lost laptop's disk or a stray WAL shows nothing readable.
//!
//! A database made before encryption (release 0.1, or any plain SQLite file this app made) is
//! converted on its first open, atomically: the encrypted copy is written beside it, checked
//! (`integrity_check`, and every table's row count against the plain file's), flushed, and
//! only then renamed over the plain file. A crash at any point before the rename leaves the
//! plain file as it was; the half-made copy is thrown away on the next try.

use super::error::{Result, StoreError};
use super::query::Query;
use rusqlite::{Connection, OpenFlags};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The key that encrypts one database: 32 random bytes, handed to SQLCipher as a raw key (no
/// passphrase stretching is needed for random bytes, so opening costs nothing extra).
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseKey([u8; 32]);

impl DatabaseKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|error| StoreError::Key(format!("the operating system gave no random bytes: {error}")))?;
        Ok(Self(bytes))
    }

    /// The key as kept in the keychain: 64 hexadecimal digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// Reads a key kept by [`DatabaseKey::to_hex`]; anything else is not a key.
    pub fn from_hex(text: &str) -> Result<Self> {
        let text = text.trim();
        let not_a_key = || StoreError::Key("the database key in the keychain is not one this app made".into());
        if text.len() != 64 || !text.is_ascii() {
            return Err(not_a_key());
        }
        let mut bytes = [0u8; 32];
        for (index, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[index * 2..index * 2 + 2], 16).map_err(|_| not_a_key())?;
        }
        Ok(Self(bytes))
    }

    /// SQLCipher's form of a raw key: the string `x'…'`.
    pub(crate) fn sqlcipher_form(&self) -> String {
        format!("x'{}'", self.to_hex())
    }
}

/// Never printed: a key in a log or an error message would undo the encryption.
impl fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseKey(…)")
    }
}

/// How a database file is protected, as far as its first bytes tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// No file, or an empty one: a new database.
    Missing,
    /// A plain SQLite file (its first 16 bytes say so), from before encryption.
    Plain,
    /// Anything else: an encrypted database (its bytes look random), or a damaged file. Only
    /// the key can tell which.
    Encrypted,
}

const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What the file at `path` holds, from its first bytes.
pub fn inspect(path: &Path) -> Result<FileKind> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(FileKind::Missing),
        Err(source) => return Err(StoreError::Open { path: path.display().to_string(), source }),
    };
    let mut header = Vec::with_capacity(16);
    file.by_ref()
        .take(16)
        .read_to_end(&mut header)
        .map_err(|source| StoreError::Open { path: path.display().to_string(), source })?;
    Ok(match header.as_slice() {
        [] => FileKind::Missing,
        bytes if bytes == PLAIN_HEADER => FileKind::Plain,
        _ => FileKind::Encrypted,
    })
}

/// Opens a connection to an encrypted database (or a new one, which is created encrypted) and
/// proves the key opens it: a damaged file and a wrong key both fail here, as
/// [`StoreError::Unreadable`], before anything else is tried.
pub(crate) fn open_keyed(path: &Path, flags: OpenFlags, key: &DatabaseKey) -> Result<Connection> {
    let connection = Connection::open_with_flags(path, flags)?;
    apply_key(&connection, key)?;
    prove_readable(&connection, path)?;
    Ok(connection)
}

/// Gives a connection its key. It must come before any other statement on the connection.
pub(crate) fn apply_key(connection: &Connection, key: &DatabaseKey) -> Result<()> {
    connection.pragma_update(None, "key", key.sqlcipher_form())?;
    Ok(())
}

/// Reads the schema, which is where a wrong key or a damaged file first shows.
pub(crate) fn prove_readable(connection: &Connection, path: &Path) -> Result<()> {
    match connection.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(error) => Err(unreadable_or(error, path)),
    }
}

/// A file SQLite cannot read as a database (SQLITE_NOTADB, SQLITE_CORRUPT) is
/// [`StoreError::Unreadable`]; any other failure is what it is.
pub(crate) fn unreadable_or(error: rusqlite::Error, path: &Path) -> StoreError {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    match &error {
        rusqlite::Error::SqliteFailure(failure, _) if matches!(failure.code, NotADatabase | DatabaseCorrupt) => {
            StoreError::Unreadable { path: path.display().to_string() }
        }
        _ => error.into(),
    }
}

/// Every table's row count, to check that a copy holds what its original held.
pub(crate) fn row_counts(connection: &Connection, schema: &str) -> Result<Vec<(String, i64)>> {
    // Virtual tables are counted through their shadow tables, which are plain tables.
    let tables: Vec<String> = connection.column(
        &format!(
            "SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
               AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        ),
        [],
    )?;
    tables
        .into_iter()
        .map(|table| {
            let count =
                connection.scalar(&format!("SELECT count(*) FROM {schema}.\"{}\"", table.replace('"', "\"\"")), [])?;
            Ok((table, count))
        })
        .collect()
}

/// Checks a copy: SQLite finds nothing wrong in it, and it holds the rows `expected` counts.
pub(crate) fn verify_copy(connection: &Connection, schema: &str, expected: &[(String, i64)]) -> Result<()> {
    let verdict: String = connection.scalar(&format!("PRAGMA {schema}.integrity_check(1)"), [])?;
    if verdict != "ok" {
        return Err(StoreError::CopyFailed(format!("SQLite found it damaged ({verdict})")));
    }
    let found = row_counts(connection, schema)?;
    if found != expected {
        let differing = expected
            .iter()
            .find(|(table, count)| !found.iter().any(|(t, c)| t == table && c == count))
            .map(|(table, _)| table.clone())
            .unwrap_or_else(|| "a table".into());
        return Err(StoreError::CopyFailed(format!("its {differing} rows differ from the original's")));
    }
    Ok(())
}

/// Converts the plain database at `path` to one encrypted with `key`, in place and atomically
/// (see the module's notes). The caller has kept `key` safe (in the keychain) first: once the
/// rename is done, the key is the only way in.
pub(crate) fn encrypt_plain_file(path: &Path, key: &DatabaseKey) -> Result<()> {
    let copy = sibling(path, "encrypting");
    remove_if_present(&copy)?;
    {
        let plain =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
        prove_readable(&plain, path)?;
        // Everything in the plain WAL goes into the plain file first, so the export sees it and
        // no plain WAL is left to be replayed against the encrypted file.
        plain.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let expected = row_counts(&plain, "main")?;
        plain.execute("ATTACH DATABASE ?1 AS encrypted KEY ?2", [path_text(&copy)?, key.sqlcipher_form()])?;
        export(&plain, "encrypted")?;
        plain.execute_batch("DETACH DATABASE encrypted")?;
        let check = open_keyed(&copy, OpenFlags::SQLITE_OPEN_READ_ONLY, key)?;
        verify_copy(&check, "main", &expected)?;
        drop(check);
        flush(&copy)?;
        // Closing the plain connection removes its (empty) WAL and shared-memory files.
    }
    for leftover in ["wal", "shm"] {
        remove_if_present(&PathBuf::from(format!("{}-{leftover}", path.display())))?;
    }
    replace(&copy, path)
}

/// Copies the whole of `main` (schema, rows and the schema version SQLite keeps) into the
/// attached database `into`, in one transaction of the caller's.
pub(crate) fn export(connection: &Connection, into: &str) -> Result<()> {
    let user_version: i64 = connection.scalar("PRAGMA main.user_version", [])?;
    connection.query_row("SELECT sqlcipher_export(?1)", [into], |_| Ok(()))?;
    connection.execute_batch(&format!("PRAGMA {into}.user_version = {user_version}"))?;
    Ok(())
}

/// `path` with `.suffix` added: where a copy is made before it takes the file's place.
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}.{suffix}", path.display()))
}

pub(crate) fn path_text(path: &Path) -> Result<String> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| StoreError::CopyFailed(format!("the path {} is not valid text", path.display())))
}

pub(crate) fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StoreError::Open { path: path.display().to_string(), source }),
    }
}

/// Makes the file's bytes durable before anything depends on them.
pub(crate) fn flush(path: &Path) -> Result<()> {
    let io = |source| StoreError::Open { path: path.display().to_string(), source };
    std::fs::File::open(path).and_then(|file| file.sync_all()).map_err(io)
}

/// Renames `from` over `to` (atomic on one file system) and makes the rename durable.
pub(crate) fn replace(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|source| StoreError::Open { path: to.display().to_string(), source })?;
    flush_folder(to)
}

/// A rename is durable once the folder holding it is flushed (POSIX); Windows has no such
/// call, and makes renames durable itself.
fn flush_folder(path: &Path) -> Result<()> {
    #[cfg(unix)]
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::File::open(folder)
            .and_then(|dir| dir.sync_all())
            .map_err(|source| StoreError::Open { path: folder.display().to_string(), source })?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
