//! The database's key, and what the recovery screen offers when the database cannot be opened
//! (damaged, or its key lost): restore a backup, or start afresh with the bad file kept aside.
//! Nothing here ever deletes a database file.

use crate::secrets::unavailable;
use crate::{App, Reply};
use cct_domain::{ErrorCode, ErrorReport, Permission};
use cct_signin::KeychainSecret;
use cct_store::db::backup::{self, BackupContents, Restored, RestoredBy};
use cct_store::db::encryption::{self, FileKind};
use cct_store::{DatabaseKey, Passphrase};
use std::path::Path;

/// How the keychain names a database's secrets: by its absolute path, so that a test's or a
/// demo's throw-away database never shares the office's key.
pub(crate) fn keychain_name(database: &Path) -> String {
    std::path::absolute(database).unwrap_or_else(|_| database.to_path_buf()).display().to_string()
}

/// The key of the database at `database`, from the keychain. A new database, and a plain one
/// about to be encrypted, get a new key, saved (and read back) before any page is written
/// with it. An encrypted database whose key the keychain lost is refused: the recovery screen
/// offers a backup, never a new empty database in its place.
pub fn database_key(database: &Path) -> Reply<DatabaseKey> {
    let entry = KeychainSecret::database_key(&keychain_name(database)).map_err(unavailable)?;
    let kept = entry.load().map_err(unavailable)?;
    match (encryption::inspect(database)?, kept) {
        (_, Some(hex)) => DatabaseKey::from_hex(&hex).map_err(|_| key_missing(database)),
        (FileKind::Encrypted, None) => Err(key_missing(database)),
        (FileKind::Missing | FileKind::Plain, None) => {
            let key = DatabaseKey::generate()?;
            entry.save(&key.to_hex()).map_err(unavailable)?;
            let saved = entry.load().map_err(unavailable)?;
            if saved.as_deref() != Some(key.to_hex().as_str()) {
                return Err(unavailable(
                    "the keychain did not keep the database key it was given; nothing was changed".into(),
                ));
            }
            Ok(key)
        }
    }
}

fn key_missing(database: &Path) -> ErrorReport {
    ErrorReport::new(
        ErrorCode::DatabaseKeyMissing,
        format!(
            "The database at {} is encrypted, and this computer's keychain no longer has its key (the keychain was reset, or the file came from another computer). Restore a backup with its recovery passphrase, or start afresh: the file is kept aside, not deleted.",
            database.display()
        ),
    )
}

/// Opens the backup at `file` with `passphrase` and checks it, changing nothing.
pub fn inspect(file: &Path, passphrase: &str) -> Reply<BackupContents> {
    let passphrase = Passphrase::new(passphrase).map_err(|error| ErrorReport::from(error).or_on("passphrase"))?;
    Ok(backup::inspect_backup(file, &passphrase)?)
}

/// Replaces the closed database at `database` with the backup at `file`, for `person_id` (or
/// nobody: the recovery screen). The database it replaces is moved aside, never deleted.
pub fn restore_into(database: &Path, file: &Path, passphrase: &str, person_id: Option<uuid::Uuid>) -> Reply<Restored> {
    let passphrase = Passphrase::new(passphrase).map_err(|error| ErrorReport::from(error).or_on("passphrase"))?;
    let key = match database_key(database) {
        Ok(key) => key,
        // The old file's key is lost: the restored copy gets a new one, and the old file is
        // moved aside as it is.
        Err(report) if report.code == ErrorCode::DatabaseKeyMissing => new_key(database)?,
        Err(report) => return Err(report),
    };
    let by = RestoredBy { person_id, at: chrono::Utc::now().to_rfc3339() };
    Ok(backup::restore(file, &passphrase, database, &key, &by)?)
}

/// Moves the unreadable database aside (with its WAL) so the app can start on a new one.
/// Answers where it went.
pub fn start_afresh(database: &Path) -> Reply<Option<String>> {
    let stamp = backup::file_stamp(&chrono::Utc::now().to_rfc3339());
    let aside = backup::set_aside(database, &format!("unreadable-{stamp}"))?;
    if database_key(database).is_err() {
        new_key(database)?;
    }
    Ok(aside.map(|path| path.display().to_string()))
}

fn new_key(database: &Path) -> Reply<DatabaseKey> {
    let entry = KeychainSecret::database_key(&keychain_name(database)).map_err(unavailable)?;
    let key = DatabaseKey::generate()?;
    entry.save(&key.to_hex()).map_err(unavailable)?;
    Ok(key)
}

impl App {
    /// Checks a backup for an administrator about to restore it (nothing changes).
    pub fn inspect_backup(&self, file: &Path, passphrase: &str) -> Reply<BackupContents> {
        self.require(Permission::SettingsManage)?;
        inspect(file, passphrase)
    }

    /// Restores a backup on a computer that holds no church yet (the first-run screen, where
    /// nobody can sign in): a new computer taking over from one that failed. Refused once
    /// anyone is stored here; from then on, restoring is an administrator's.
    pub fn restore_on_first_run(&self, file: &Path, passphrase: &str) -> Reply<Restored> {
        let people: i64 =
            self.store().read(|conn| cct_store::db::Query::scalar(conn, "SELECT count(*) FROM people", []))?;
        if people > 0 {
            return Err(ErrorReport::new(
                ErrorCode::PermissionDenied,
                "This computer already holds a church: sign in as an administrator and restore from the About page.",
            ));
        }
        inspect(file, passphrase)?;
        let database = self.store().path().to_path_buf();
        self.store().close();
        restore_into(&database, file, passphrase, None)
    }

    /// Restores the backup at `file` in place of this database, for an administrator. The
    /// backup is checked first, while the app still runs; then the store is closed and the
    /// files swapped. The app must be started again afterwards (the shell restarts it).
    pub fn restore_backup(&self, file: &Path, passphrase: &str) -> Reply<Restored> {
        let actor = self.require(Permission::SettingsManage)?;
        inspect(file, passphrase)?;
        cct_store::office::audit::record_event(
            self.store(),
            &actor,
            "backup",
            "restored_from",
            &file.display().to_string(),
        )?;
        let database = self.store().path().to_path_buf();
        self.store().close();
        restore_into(&database, file, passphrase, actor.person_id)
    }
}
