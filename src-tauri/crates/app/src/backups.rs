//! Backups of this computer's database: to a folder the administrator chooses, encrypted with
//! the recovery passphrase they set once, daily, before every upgrade and update, and on demand.
//!
//! The settings live in a small file beside the database (`<database>.backups.json`), not in
//! the database: when the database cannot be opened, the recovery screen must still know where
//! the latest backup is. The passphrase lives in the keychain, so automatic backups need nobody
//! to type it. Each backup is verified after it is written; the last `keep` of this computer's
//! backups in the folder are kept, and older ones of this computer removed.

use crate::recovery::keychain_name;
use crate::secrets::unavailable;
use crate::{App, Reply};
use cct_domain::{Actor, ErrorCode, ErrorReport, Permission};
use cct_signin::KeychainSecret;
use cct_store::db::backup::{self, BackupMade, BackupProgress};
use cct_store::db::PendingUpgrade;
use cct_store::{Passphrase, Store};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use ts_rs::TS;

/// Backups kept when the office has not said otherwise: two weeks of daily ones.
pub const DEFAULT_KEEP: u32 = 14;
/// How old the latest backup may get before the daily one is due.
pub const DAILY: chrono::Duration = chrono::Duration::hours(24);
const PREFIX: &str = "church-course-tracker-";
const SUFFIX: &str = ".cctbackup";

/// What is kept in the settings file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
struct Settings {
    folder: Option<String>,
    keep: Option<u32>,
    last_good: Option<LastBackup>,
    last_failure: Option<Failure>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
pub struct LastBackup {
    pub path: String,
    pub made_at: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub people: i64,
    /// Why it was made: `daily`, `on demand`, `before an upgrade`, `before an update`.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
pub struct Failure {
    pub at: String,
    pub message: String,
}

/// What the About page and the recovery screen show.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
pub struct BackupStatus {
    pub folder: Option<String>,
    pub keep: u32,
    /// Whether this computer's keychain holds the recovery passphrase (never the passphrase).
    pub passphrase_set: bool,
    pub last_good: Option<LastBackup>,
    /// Hours since the last good backup, rounded down.
    #[ts(type = "number | null")]
    pub last_good_age_hours: Option<i64>,
    /// The last backup that failed, if none has succeeded since.
    pub last_failure: Option<Failure>,
    /// This computer's backups found in the folder, newest first.
    pub in_folder: Vec<String>,
}

/// Set while a backup runs: a second one waits for the next turn instead of racing it.
#[derive(Default)]
pub(crate) struct BackupControl {
    running: AtomicBool,
}

fn settings_path(database: &Path) -> PathBuf {
    PathBuf::from(format!("{}.backups.json", database.display()))
}

fn read_settings(database: &Path) -> Settings {
    // A missing or unreadable file is the same as no settings: backups are simply off.
    std::fs::read(settings_path(database))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

fn write_settings(database: &Path, settings: &Settings) -> Reply<()> {
    let path = settings_path(database);
    let partial = PathBuf::from(format!("{}.partial", path.display()));
    let text = serde_json::to_vec_pretty(settings).map_err(|error| {
        ErrorReport::new(ErrorCode::Internal, format!("the backup settings could not be written: {error}"))
    })?;
    let failed = |error: std::io::Error| {
        ErrorReport::new(
            ErrorCode::BackupFailed,
            format!("the backup settings could not be saved at {}: {error}", path.display()),
        )
    };
    std::fs::write(&partial, text).map_err(failed)?;
    std::fs::rename(&partial, &path).map_err(failed)
}

fn kept_passphrase(database: &Path) -> Reply<Option<Passphrase>> {
    let kept = KeychainSecret::backup_passphrase(&keychain_name(database))
        .and_then(|entry| entry.load())
        .map_err(unavailable)?;
    Ok(kept.and_then(|text| Passphrase::new(text).ok()))
}

/// This computer's backups in `folder`, newest first (their names sort by time).
fn backups_in(folder: &Path, device: &str) -> Vec<PathBuf> {
    let mine = format!("{PREFIX}{device}-");
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| {
                    path.file_name()
                        .and_then(|name| name.to_str())
                        .is_some_and(|name| name.starts_with(&mine) && name.ends_with(SUFFIX))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.reverse();
    found
}

/// A short, stable name for this computer's backups, so that computers sharing one folder
/// (a synced drive) never rotate away each other's.
fn device_label(store: &Store) -> Reply<String> {
    let device_id = cct_store::team::device::membership(store)?.device_id;
    Ok(device_id.chars().take(8).collect())
}

/// The status as the recovery screen sees it, with no database open.
pub fn status_at(database: &Path, now: DateTime<Utc>) -> Reply<BackupStatus> {
    let settings = read_settings(database);
    let passphrase_set = kept_passphrase(database).map(|p| p.is_some()).unwrap_or(false);
    let in_folder = settings
        .folder
        .as_deref()
        .map(|folder| {
            std::fs::read_dir(folder)
                .map(|entries| {
                    let mut names: Vec<String> = entries
                        .flatten()
                        .filter_map(|entry| entry.file_name().to_str().map(str::to_owned))
                        .filter(|name| name.starts_with(PREFIX) && name.ends_with(SUFFIX))
                        .collect();
                    names.sort();
                    names.reverse();
                    names
                })
                .unwrap_or_default()
        })
        .unwrap_or_default();
    Ok(status_from(settings, passphrase_set, in_folder, now))
}

fn status_from(settings: Settings, passphrase_set: bool, in_folder: Vec<String>, now: DateTime<Utc>) -> BackupStatus {
    let age = settings
        .last_good
        .as_ref()
        .and_then(|last| DateTime::parse_from_rfc3339(&last.made_at).ok())
        .map(|made| (now - made.with_timezone(&Utc)).num_hours().max(0));
    let last_failure = settings
        .last_failure
        .filter(|failure| settings.last_good.as_ref().is_none_or(|good| good.made_at < failure.at));
    BackupStatus {
        folder: settings.folder,
        keep: settings.keep.unwrap_or(DEFAULT_KEEP),
        passphrase_set,
        last_good: settings.last_good,
        last_good_age_hours: age,
        last_failure,
        in_folder,
    }
}

/// The newest backup the recovery screen can offer: the last good one recorded, or else the
/// backup file in the folder written last (names lead with the computer, so they do not sort
/// by time across computers sharing the folder).
pub fn latest_backup(database: &Path) -> Option<PathBuf> {
    let settings = read_settings(database);
    if let Some(last) = settings.last_good.filter(|last| Path::new(&last.path).is_file()) {
        return Some(PathBuf::from(last.path));
    }
    let folder = PathBuf::from(settings.folder?);
    std::fs::read_dir(&folder)
        .ok()?
        .flatten()
        .filter(|entry| entry.file_name().to_str().is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX)))
        .filter_map(|entry| Some((entry.metadata().ok()?.modified().ok()?, entry.path())))
        .max()
        .map(|(_, path)| path)
}

/// The backup before an upgrade, called by the store with the database still as it was. With
/// no folder or passphrase set there is nothing to do. When the chosen folder is not there (the
/// USB stick is out), the backup goes to a folder beside the database instead: an upgrade is
/// not held up for a stick, and it still has a checked backup to fall back on. A backup that
/// fails stops the upgrade, so the office is told before its data changes shape.
pub(crate) fn before_upgrade(database: &Path, pending: &PendingUpgrade<'_>) -> cct_store::Result<()> {
    let settings = read_settings(database);
    let (Some(chosen), Ok(Some(passphrase))) = (settings.folder.clone(), kept_passphrase(database)) else {
        return Ok(());
    };
    let folder = if Path::new(&chosen).is_dir() { PathBuf::from(&chosen) } else { beside(database) };
    std::fs::create_dir_all(&folder)
        .map_err(|source| cct_store::StoreError::Open { path: folder.display().to_string(), source })?;
    let now = Utc::now();
    let destination = folder.join(format!("{PREFIX}upgrade-{}{SUFFIX}", backup::file_stamp(&now.to_rfc3339())));
    let made = pending.back_up(&destination, &passphrase);
    let mut settings = settings;
    match made {
        Ok(made) => {
            settings.last_good = Some(last_backup(made, now, "before an upgrade"));
            let _ = write_settings(database, &settings);
            Ok(())
        }
        Err(error) => {
            settings.last_failure = Some(Failure { at: now.to_rfc3339(), message: error.to_string() });
            let _ = write_settings(database, &settings);
            Err(cct_store::StoreError::CopyFailed(format!(
                "the backup before the upgrade failed, so the database was not upgraded ({error}); free some space or connect the backup folder {chosen}, then try again"
            )))
        }
    }
}

/// Where the upgrade's backup goes when the chosen folder is not connected.
fn beside(database: &Path) -> PathBuf {
    let folder = database.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    folder.join("backups-before-upgrade")
}

fn last_backup(made: BackupMade, at: DateTime<Utc>, reason: &str) -> LastBackup {
    LastBackup {
        path: made.path,
        made_at: at.to_rfc3339(),
        bytes: made.bytes,
        people: made.people,
        reason: reason.into(),
    }
}

/// What an administrator sets.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct BackupSetup {
    pub folder: String,
    /// Required the first time; `None` keeps the one already set.
    pub passphrase: Option<String>,
    pub keep: Option<u32>,
}

impl App {
    pub fn backup_status(&self) -> Reply<BackupStatus> {
        self.signed_in()?;
        let database = self.store().path();
        let mut status = status_at(database, Utc::now())?;
        let device = device_label(self.store())?;
        status.in_folder = status
            .folder
            .as_deref()
            .map(|folder| backups_in(Path::new(folder), &device))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|path| path.file_name().and_then(|n| n.to_str()).map(str::to_owned))
            .collect();
        Ok(status)
    }

    /// Chooses the backup folder, the recovery passphrase and how many backups to keep. The
    /// folder must exist and take a file; the passphrase goes to the keychain only.
    pub fn set_up_backups(&self, setup: BackupSetup) -> Reply<BackupStatus> {
        let actor = self.require(Permission::SettingsManage)?;
        let folder = PathBuf::from(setup.folder.trim());
        if setup.folder.trim().is_empty() {
            return Err(ErrorReport::new(ErrorCode::InvalidInput, "Choose the folder the backups go to.").on("folder"));
        }
        writable(&folder)?;
        let keep = setup.keep.unwrap_or(DEFAULT_KEEP);
        if !(1..=365).contains(&keep) {
            return Err(ErrorReport::new(ErrorCode::InvalidInput, "Keep between 1 and 365 backups.").on("keep"));
        }
        let database = self.store().path().to_path_buf();
        let entry = KeychainSecret::backup_passphrase(&keychain_name(&database)).map_err(unavailable)?;
        match setup.passphrase.filter(|text| !text.is_empty()) {
            Some(text) => {
                let passphrase = Passphrase::new(text)?;
                entry.save(passphrase.expose()).map_err(unavailable)?;
            }
            None if entry.load().map_err(unavailable)?.is_none() => {
                return Err(ErrorReport::new(
                    ErrorCode::InvalidInput,
                    "Set a recovery passphrase: the backups are encrypted with it, and it is all a new computer needs to restore them. Write it down and keep it somewhere safe.",
                )
                .on("passphrase"));
            }
            None => {}
        }
        let mut settings = read_settings(&database);
        settings.folder = Some(folder.display().to_string());
        settings.keep = Some(keep);
        write_settings(&database, &settings)?;
        cct_store::office::audit::record_event(
            self.store(),
            &actor,
            "backup_settings",
            "folder",
            &folder.display().to_string(),
        )?;
        self.backup_status()
    }

    /// Backs up now, for the person asking, reporting progress.
    pub fn back_up_now(&self, progress: &(dyn Fn(BackupProgress) + Sync)) -> Reply<LastBackup> {
        let actor = self.require(Permission::SettingsManage)?;
        self.back_up(&actor, "on demand", progress)
    }

    /// The daily backup, when one is due: backups are set up and the last good one is older
    /// than a day. Answers whether one was made.
    pub fn back_up_if_due(&self) -> Reply<bool> {
        let database = self.store().path();
        let settings = read_settings(database);
        let due = settings.folder.is_some()
            && settings
                .last_good
                .as_ref()
                .and_then(|last| DateTime::parse_from_rfc3339(&last.made_at).ok())
                .is_none_or(|made| Utc::now() - made.with_timezone(&Utc) >= DAILY);
        if !due || kept_passphrase(database)?.is_none() {
            return Ok(false);
        }
        self.back_up(&Actor::system(), "daily", &|_| {}).map(|_| true)
    }

    /// The backup before an update is installed; nothing to do when backups are not set up.
    pub fn back_up_before_update(&self) -> Reply<Option<LastBackup>> {
        let settings = read_settings(self.store().path());
        if settings.folder.is_none() || kept_passphrase(self.store().path())?.is_none() {
            return Ok(None);
        }
        let actor = self.signed_in()?;
        self.back_up(&actor, "before an update", &|_| {}).map(Some)
    }

    fn back_up(&self, actor: &Actor, reason: &str, progress: &(dyn Fn(BackupProgress) + Sync)) -> Reply<LastBackup> {
        let control = &self.inner.backups;
        if control.running.swap(true, Ordering::SeqCst) {
            return Err(ErrorReport::new(
                ErrorCode::BackupRunning,
                "A backup is being made already; wait for it to finish.",
            ));
        }
        let made = self.back_up_once(actor, reason, progress);
        control.running.store(false, Ordering::SeqCst);
        let database = self.store().path();
        let mut settings = read_settings(database);
        match &made {
            Ok(last) => settings.last_good = Some(last.clone()),
            Err(error) => {
                settings.last_failure = Some(Failure { at: Utc::now().to_rfc3339(), message: error.message.clone() })
            }
        }
        write_settings(database, &settings)?;
        made
    }

    fn back_up_once(
        &self,
        actor: &Actor,
        reason: &str,
        progress: &(dyn Fn(BackupProgress) + Sync),
    ) -> Reply<LastBackup> {
        let database = self.store().path();
        let settings = read_settings(database);
        let folder = PathBuf::from(settings.folder.ok_or_else(|| {
            ErrorReport::new(
                ErrorCode::NoBackupFolder,
                "Choose a backup folder and a recovery passphrase first (About page).",
            )
        })?);
        let passphrase = kept_passphrase(database)?.ok_or_else(|| {
            ErrorReport::new(
                ErrorCode::NoBackupFolder,
                "Set the recovery passphrase again (About page): this computer's keychain no longer has it.",
            )
        })?;
        let now = Utc::now();
        let device = device_label(self.store())?;
        let destination = folder.join(format!("{PREFIX}{device}-{}{SUFFIX}", backup::file_stamp(&now.to_rfc3339())));
        let made = self.store().back_up(&destination, &passphrase, progress)?;
        let keep = settings.keep.unwrap_or(DEFAULT_KEEP) as usize;
        for old in backups_in(&folder, &device).into_iter().skip(keep) {
            // A backup that cannot be removed is only one more than asked for.
            let _ = std::fs::remove_file(old);
        }
        cct_store::office::audit::record_event(self.store(), actor, "backup", reason, &made.path)?;
        Ok(last_backup(made, now, reason))
    }
}

/// The folder exists and takes a file (a read-only USB stick, or a typo, is found now rather
/// than at the first daily backup).
fn writable(folder: &Path) -> Reply<()> {
    if !folder.is_dir() {
        return Err(ErrorReport::new(
            ErrorCode::InvalidInput,
            format!("There is no folder at {}. Connect the drive, or choose another folder.", folder.display()),
        )
        .on("folder"));
    }
    let probe = folder.join(".church-course-tracker-write-test");
    std::fs::write(&probe, b"ok").and_then(|()| std::fs::remove_file(&probe)).map_err(|error| {
        ErrorReport::new(ErrorCode::InvalidInput, format!("Backups cannot be written to {}: {error}", folder.display()))
            .on("folder")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_no_good_backup_recorded_the_latest_is_the_file_written_last_whichever_computer_wrote_it() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("church.sqlite");
        let folder = dir.path().join("backups");
        std::fs::create_dir(&folder).unwrap();
        write_settings(&database, &Settings { folder: Some(folder.display().to_string()), ..Default::default() })
            .unwrap();
        let older = folder.join(format!("{PREFIX}zzzzzzzz-2026-11-01T09-00-00{SUFFIX}"));
        let newer = folder.join(format!("{PREFIX}aaaaaaaa-2026-12-01T09-00-00{SUFFIX}"));
        for (path, age_hours) in [(&older, 48), (&newer, 1)] {
            let file = std::fs::File::create(path).unwrap();
            file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(age_hours * 3600)).unwrap();
        }
        std::fs::write(folder.join("notes.txt"), "not a backup").unwrap();
        assert_eq!(latest_backup(&database), Some(newer));
    }
}
