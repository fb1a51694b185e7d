//! Backups and restores from the About page (see `cct_app::backups` and `cct_app::recovery`).

use cct_app::backups::{BackupSetup, BackupStatus, LastBackup};
use cct_app::{App, Reply};
use cct_store::db::{BackupContents, Restored};
use std::path::PathBuf;
use tauri::{AppHandle, Emitter, Runtime, State};

#[tauri::command]
pub async fn backup_status(app: State<'_, App>) -> Reply<BackupStatus> {
    app.blocking(|app| app.backup_status()).await
}

#[tauri::command]
pub async fn set_up_backups(app: State<'_, App>, setup: BackupSetup) -> Reply<BackupStatus> {
    app.blocking(move |app| app.set_up_backups(setup)).await
}

/// Backs up now; emits `backup-progress` while the copy is written and checked.
#[tauri::command]
pub async fn back_up_now<R: Runtime>(window: AppHandle<R>, app: State<'_, App>) -> Reply<LastBackup> {
    app.blocking(move |app| {
        app.back_up_now(&|progress| {
            let _ = window.emit("backup-progress", progress);
        })
    })
    .await
}

/// Opens a backup with its passphrase and says what it holds, changing nothing.
#[tauri::command]
pub async fn inspect_backup(app: State<'_, App>, file: String, passphrase: String) -> Reply<BackupContents> {
    app.blocking(move |app| app.inspect_backup(&PathBuf::from(file), &passphrase)).await
}

/// Restores a backup in place of this database (kept aside), then starts the app again on it.
#[tauri::command]
pub async fn restore_backup<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, App>,
    file: String,
    passphrase: String,
) -> Reply<Restored> {
    let restored = app.blocking(move |app| app.restore_backup(&PathBuf::from(file), &passphrase)).await;
    // The store was closed for the swap (or the restore failed after closing it): either way
    // the app starts again, on the restored database or on the one it had.
    if app.store().is_closed() {
        handle.restart();
    }
    restored
}

/// Restores a backup on a computer that holds no church yet (the first-run screen), then
/// starts the app again on it.
#[tauri::command]
pub async fn restore_on_first_run<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, App>,
    file: String,
    passphrase: String,
) -> Reply<Restored> {
    let restored = app.blocking(move |app| app.restore_on_first_run(&PathBuf::from(file), &passphrase)).await;
    if app.store().is_closed() {
        handle.restart();
    }
    restored
}
