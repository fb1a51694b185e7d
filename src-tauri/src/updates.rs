//! Signed updates through tauri-plugin-updater. The app checks at most once a day on start and
//! whenever asked; it downloads only when asked (showing progress), and installs and restarts
//! only when the person agrees. Every package is verified against the public key built into the
//! app (`plugins.updater.pubkey`) before it is kept, and again before it is installed. A church
//! that hosts its own releases sets its own manifest address (`cct_app::updates`); the key
//! stays the app's.

use cct_app::updates::start_up_check_due;
use cct_app::{App, Reply};
use cct_domain::{ErrorCode, ErrorReport, Permission, Timestamp};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};
use tauri_plugin_updater::{Update, UpdaterExt};
use ts_rs::TS;

/// An update waiting to be downloaded or installed, and its verified bytes once downloaded:
/// the updater plugin's own type, so it is kept here.
#[derive(Default)]
pub struct PendingUpdate {
    update: Option<Update>,
    package: Option<Vec<u8>>,
}

pub type Pending = tokio::sync::Mutex<PendingUpdate>;

#[derive(Debug, Clone, Serialize, TS)]
pub struct UpdateInfo {
    pub version: String,
    pub current_version: String,
    /// Release notes, as the manifest gives them.
    pub notes: Option<String>,
    pub date: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct UpdateStatus {
    pub current_version: String,
    /// Where the app looks for updates.
    pub endpoint: String,
    /// Whether that address is the office's own rather than the one built in.
    pub custom_endpoint: bool,
    pub last_checked_at: Option<String>,
    pub available: Option<UpdateInfo>,
    /// The available update is downloaded and verified, ready to install.
    pub downloaded: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct UpdateProgress {
    pub downloaded: u64,
    pub total: Option<u64>,
}

/// Checks for an update. `pubkey` replaces the built-in key only in tests, which sign with a
/// throw-away key; the commands always pass `None`.
pub async fn check<R: Runtime>(
    handle: &AppHandle<R>,
    app: &App,
    pending: &Pending,
    pubkey: Option<String>,
) -> Reply<Option<UpdateInfo>> {
    let mut builder = handle.updater_builder();
    if let Some(url) = app.blocking(|app| app.update_endpoint()).await? {
        builder = builder
            .endpoints(vec![url])
            .map_err(|e| ErrorReport::new(ErrorCode::UpdateEndpointInvalid, e.to_string()))?;
    }
    if let Some(pubkey) = pubkey {
        builder = builder.pubkey(pubkey);
    }
    let updater = builder.build().map_err(|e| {
        ErrorReport::new(ErrorCode::UpdateCheckFailed, format!("Updates cannot be checked on this computer: {e}"))
    })?;
    let found = updater.check().await.map_err(check_error)?;
    app.blocking(|app| app.record_update_check()).await?;
    let info = found.as_ref().map(info_of);
    *pending.lock().await = PendingUpdate { update: found, package: None };
    Ok(info)
}

fn info_of(update: &Update) -> UpdateInfo {
    UpdateInfo {
        version: update.version.clone(),
        current_version: update.current_version.clone(),
        notes: update.body.clone(),
        date: update.date.map(|d| d.to_string()),
    }
}

fn check_error(error: tauri_plugin_updater::Error) -> ErrorReport {
    use tauri_plugin_updater::Error;
    match error {
        Error::Serialization(e) => ErrorReport::new(
            ErrorCode::UpdateManifestInvalid,
            format!("The update server answered, but not with a valid update manifest ({e}). Nothing was downloaded; tell whoever publishes your updates."),
        ),
        Error::ReleaseNotFound => ErrorReport::new(ErrorCode::UpdateManifestInvalid, "The update server did not answer with an update manifest. Nothing was downloaded."),
        Error::TargetNotFound(target) => ErrorReport::new(ErrorCode::UpdateNotForThisComputer, format!("The update manifest has no package for this kind of computer ({target}).")),
        Error::Reqwest(e) => ErrorReport::new(ErrorCode::Offline, format!("The update server could not be reached ({e}). The app works offline; try again later.")),
        other => ErrorReport::new(ErrorCode::UpdateCheckFailed, format!("Checking for updates failed: {other}")),
    }
}

/// Downloads the pending update, reporting progress, and keeps it only if its signature
/// matches the built-in key (or the test key `check` was given).
pub async fn download<R: Runtime>(handle: &AppHandle<R>, pending: &Pending) -> Reply<()> {
    let update = pending.lock().await.update.clone().ok_or_else(no_update)?;
    let mut downloaded: u64 = 0;
    let package = update
        .download(
            |chunk, total| {
                downloaded += chunk as u64;
                let _ = handle.emit("update-progress", UpdateProgress { downloaded, total });
            },
            || {},
        )
        .await
        .map_err(package_error)?;
    pending.lock().await.package = Some(package);
    Ok(())
}

fn package_error(error: tauri_plugin_updater::Error) -> ErrorReport {
    use tauri_plugin_updater::Error;
    match error {
        Error::Minisign(_) | Error::Base64(_) | Error::SignatureUtf8(_) | Error::SignedVersionMismatch { .. } | Error::MissingSignedVersion => ErrorReport::new(
            ErrorCode::UpdateSignatureInvalid,
            format!("The downloaded update is not signed by the makers of Church Course Tracker ({error}). It was refused and deleted; nothing was installed."),
        ),
        Error::Reqwest(_) | Error::Network(_) => ErrorReport::new(ErrorCode::Offline, format!("The update could not be downloaded ({error}). Try again when online.")),
        other => ErrorReport::new(ErrorCode::UpdateFailed, format!("The update failed: {other}")),
    }
}

fn no_update() -> ErrorReport {
    ErrorReport::new(ErrorCode::NoUpdate, "There is no update to download or install; check for updates first.")
}

/// Installs the downloaded package (verified again first). The caller restarts the app.
pub async fn install(pending: &Pending) -> Reply<()> {
    let package = pending
        .lock()
        .await
        .package
        .take()
        .ok_or_else(|| ErrorReport::new(ErrorCode::NotDownloaded, "Download the update before installing it."))?;
    install_package(pending, &package).await
}

/// Installs `package` as the pending update, refusing it unless its signature matches: the
/// last line of defence if the bytes changed after download.
pub async fn install_package(pending: &Pending, package: &[u8]) -> Reply<()> {
    let mut pending = pending.lock().await;
    let update = pending.update.clone().ok_or_else(no_update)?;
    update.install(package).map_err(|error| {
        let refused = package_error(error);
        if refused.code == ErrorCode::UpdateSignatureInvalid {
            // Check again for a clean copy rather than retrying this one.
            *pending = PendingUpdate::default();
        }
        refused
    })
}

#[tauri::command]
pub async fn update_status<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, App>,
    pending: State<'_, Pending>,
) -> Reply<UpdateStatus> {
    let (custom, last) = app
        .blocking(|app| {
            app.signed_in()?;
            Ok((app.custom_update_endpoint()?, app.last_update_check()?))
        })
        .await?;
    let built_in = handle
        .config()
        .plugins
        .0
        .get("updater")
        .and_then(|u| u["endpoints"][0].as_str())
        .unwrap_or_default()
        .to_owned();
    let pending = pending.lock().await;
    Ok(UpdateStatus {
        current_version: handle.package_info().version.to_string(),
        custom_endpoint: custom.is_some(),
        endpoint: custom.unwrap_or(built_in),
        last_checked_at: last.map(|t| t.to_rfc3339()),
        available: pending.update.as_ref().map(info_of),
        downloaded: pending.package.is_some(),
    })
}

/// Checks now (the "Check for updates" button).
#[tauri::command]
pub async fn check_for_update<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, App>,
    pending: State<'_, Pending>,
) -> Reply<Option<UpdateInfo>> {
    app.blocking(|app| app.signed_in().map(drop)).await?;
    check(&handle, &app, &pending, None).await
}

/// The start-up check: runs only if the last one was a day or more ago, and stays quiet
/// offline (a failed check is retried on the next start).
#[tauri::command]
pub async fn check_for_update_on_start<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, App>,
    pending: State<'_, Pending>,
) -> Reply<Option<UpdateInfo>> {
    let last = app.blocking(|app| app.last_update_check()).await?;
    if !start_up_check_due(last, Timestamp::now()) {
        return Ok(pending.lock().await.update.as_ref().map(info_of));
    }
    Ok(check(&handle, &app, &pending, None).await.unwrap_or(None))
}

#[tauri::command]
pub async fn download_update<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, App>,
    pending: State<'_, Pending>,
) -> Reply<()> {
    app.blocking(|app| app.require(Permission::SettingsManage).map(drop)).await?;
    download(&handle, &pending).await
}

/// Installs the downloaded update and restarts. The window asks first.
#[tauri::command]
pub async fn install_update_and_restart<R: Runtime>(
    handle: AppHandle<R>,
    app: State<'_, App>,
    pending: State<'_, Pending>,
) -> Reply<()> {
    app.blocking(|app| app.require(Permission::SettingsManage).map(drop)).await?;
    // A backup first, when backups are set up: an update may upgrade the database's schema.
    app.blocking(|app| app.back_up_before_update().map(drop)).await?;
    install(&pending).await?;
    app.store().close();
    handle.restart()
}

/// Sets (or, with `None`, clears) the office's own update manifest address.
#[tauri::command]
pub async fn set_update_endpoint(
    app: State<'_, App>,
    pending: State<'_, Pending>,
    endpoint: Option<String>,
) -> Reply<()> {
    app.blocking(move |app| app.set_update_endpoint(endpoint)).await?;
    *pending.lock().await = PendingUpdate::default();
    Ok(())
}
