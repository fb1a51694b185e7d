//! Signed updates through tauri-plugin-updater. The app checks at most once a day on start and
//! whenever asked; it downloads only when asked (showing progress), and installs and restarts
//! only when the person agrees. Every package is verified against the public key built into the
//! app (`plugins.updater.pubkey`) before it is kept, and again before it is installed. A church
//! that hosts its own releases sets its own manifest address; the key stays the app's.

use crate::error::CommandError;
use crate::state::AppState;
use cct_domain::{Actor, Permission, Timestamp};
use cct_store::settings;
use chrono::Duration;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};
use tauri_plugin_updater::{Update, UpdaterExt};
use ts_rs::TS;
use url::Url;

/// The manifest address a church set for its own releases (none: the one built into the app).
pub const ENDPOINT_SETTING: &str = "update_endpoint";
/// When this computer last asked for an update, so the start-up check runs at most daily.
pub const LAST_CHECK_SETTING: &str = "update_last_checked_at";
/// The start-up check is skipped when the last one was more recent than this.
pub const CHECK_EVERY_HOURS: i64 = 24;

/// An update waiting to be downloaded or installed, and its verified bytes once downloaded.
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

/// Whether the start-up check is due: never checked, checked a day or more ago, or the clock
/// went backwards (a laptop whose date was wrong).
pub fn start_up_check_due(last: Option<Timestamp>, now: Timestamp) -> bool {
    match last {
        None => true,
        Some(last) => {
            let since = now.as_datetime() - last.as_datetime();
            since >= Duration::hours(CHECK_EVERY_HOURS) || since < Duration::zero()
        }
    }
}

/// Checks for an update. `pubkey` replaces the built-in key only in tests, which sign with a
/// throw-away key; the commands always pass `None`.
pub async fn check<R: Runtime>(app: &AppHandle<R>, state: &AppState, pubkey: Option<String>) -> Result<Option<UpdateInfo>, CommandError> {
    let mut builder = app.updater_builder();
    if let Some(endpoint) = settings::get::<String>(&state.store, ENDPOINT_SETTING).await? {
        let url = Url::parse(&endpoint).map_err(|e| CommandError::new("update_endpoint_invalid", format!("The update address {endpoint} is not valid: {e}")))?;
        builder = builder.endpoints(vec![url]).map_err(|e| CommandError::new("update_endpoint_invalid", e.to_string()))?;
    }
    if let Some(pubkey) = pubkey {
        builder = builder.pubkey(pubkey);
    }
    let updater = builder.build().map_err(|e| CommandError::new("update_check_failed", format!("Updates cannot be checked on this computer: {e}")))?;
    let found = updater.check().await.map_err(check_error)?;
    record_check(state).await?;
    let info = found.as_ref().map(info_of);
    *state.update.lock().await = PendingUpdate { update: found, package: None };
    Ok(info)
}

fn info_of(update: &Update) -> UpdateInfo {
    UpdateInfo { version: update.version.clone(), current_version: update.current_version.clone(), notes: update.body.clone(), date: update.date.map(|d| d.to_string()) }
}

fn check_error(error: tauri_plugin_updater::Error) -> CommandError {
    use tauri_plugin_updater::Error;
    match error {
        Error::Serialization(e) => CommandError::new(
            "update_manifest_invalid",
            format!("The update server answered, but not with a valid update manifest ({e}). Nothing was downloaded; tell whoever publishes your updates."),
        ),
        Error::ReleaseNotFound => CommandError::new("update_manifest_invalid", "The update server did not answer with an update manifest. Nothing was downloaded."),
        Error::TargetNotFound(target) => CommandError::new("update_not_for_this_computer", format!("The update manifest has no package for this kind of computer ({target}).")),
        Error::Reqwest(e) => CommandError::new("offline", format!("The update server could not be reached ({e}). The app works offline; try again later.")),
        other => CommandError::new("update_check_failed", format!("Checking for updates failed: {other}")),
    }
}

async fn record_check(state: &AppState) -> Result<(), CommandError> {
    let system = Actor::system();
    let mut tx = state.store.begin_write(&system).await?;
    settings::set(&mut tx, LAST_CHECK_SETTING, &Timestamp::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Downloads the pending update, reporting progress, and keeps it only if its signature
/// matches the built-in key (or the test key `check` was given).
pub async fn download<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> Result<(), CommandError> {
    let update = state.update.lock().await.update.clone().ok_or_else(no_update)?;
    let mut downloaded: u64 = 0;
    let package = update
        .download(
            |chunk, total| {
                downloaded += chunk as u64;
                let _ = app.emit("update-progress", UpdateProgress { downloaded, total });
            },
            || {},
        )
        .await
        .map_err(package_error)?;
    state.update.lock().await.package = Some(package);
    Ok(())
}

fn package_error(error: tauri_plugin_updater::Error) -> CommandError {
    use tauri_plugin_updater::Error;
    match error {
        Error::Minisign(_) | Error::Base64(_) | Error::SignatureUtf8(_) | Error::SignedVersionMismatch { .. } | Error::MissingSignedVersion => CommandError::new(
            "update_signature_invalid",
            format!("The downloaded update is not signed by the makers of Church Course Tracker ({error}). It was refused and deleted; nothing was installed."),
        ),
        Error::Reqwest(_) | Error::Network(_) => CommandError::new("offline", format!("The update could not be downloaded ({error}). Try again when online.")),
        other => CommandError::new("update_failed", format!("The update failed: {other}")),
    }
}

fn no_update() -> CommandError {
    CommandError::new("no_update", "There is no update to download or install; check for updates first.")
}

/// Installs the downloaded package (verified again first). The caller restarts the app.
pub async fn install(state: &AppState) -> Result<(), CommandError> {
    let package = state.update.lock().await.package.take().ok_or_else(|| CommandError::new("not_downloaded", "Download the update before installing it."))?;
    install_package(state, &package).await
}

/// Installs `package` as the pending update, refusing it unless its signature matches: the
/// last line of defence if the bytes changed after download.
pub async fn install_package(state: &AppState, package: &[u8]) -> Result<(), CommandError> {
    let mut pending = state.update.lock().await;
    let update = pending.update.clone().ok_or_else(no_update)?;
    update.install(package).map_err(|error| {
        let refused = package_error(error);
        if refused.code == "update_signature_invalid" {
            // Check again for a clean copy rather than retrying this one.
            *pending = PendingUpdate::default();
        }
        refused
    })
}

async fn require_settings(state: &AppState) -> Result<Actor, CommandError> {
    let actor = state.signed_in().await?;
    cct_store::actor::require(&actor, Permission::SettingsManage)?;
    Ok(actor)
}

#[tauri::command]
pub async fn update_status<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<UpdateStatus, CommandError> {
    state.signed_in().await?;
    let custom: Option<String> = settings::get(&state.store, ENDPOINT_SETTING).await?;
    let built_in = app.config().plugins.0.get("updater").and_then(|u| u["endpoints"][0].as_str()).unwrap_or_default().to_owned();
    let pending = state.update.lock().await;
    Ok(UpdateStatus {
        current_version: app.package_info().version.to_string(),
        custom_endpoint: custom.is_some(),
        endpoint: custom.unwrap_or(built_in),
        last_checked_at: settings::get::<Timestamp>(&state.store, LAST_CHECK_SETTING).await?.map(|t| t.to_rfc3339()),
        available: pending.update.as_ref().map(info_of),
        downloaded: pending.package.is_some(),
    })
}

/// Checks now (the "Check for updates" button).
#[tauri::command]
pub async fn check_for_update<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<Option<UpdateInfo>, CommandError> {
    state.signed_in().await?;
    check(&app, &state, None).await
}

/// The start-up check: runs only if the last one was a day or more ago, and stays quiet
/// offline (a failed check is retried on the next start).
#[tauri::command]
pub async fn check_for_update_on_start<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<Option<UpdateInfo>, CommandError> {
    let last = settings::get::<Timestamp>(&state.store, LAST_CHECK_SETTING).await?;
    if !start_up_check_due(last, Timestamp::now()) {
        return Ok(state.update.lock().await.update.as_ref().map(info_of));
    }
    Ok(check(&app, &state, None).await.unwrap_or(None))
}

#[tauri::command]
pub async fn download_update<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<(), CommandError> {
    require_settings(&state).await?;
    download(&app, &state).await
}

/// Installs the downloaded update and restarts. The window asks first.
#[tauri::command]
pub async fn install_update_and_restart<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<(), CommandError> {
    require_settings(&state).await?;
    install(&state).await?;
    state.store.close().await;
    app.restart()
}

/// Sets (or, with `None`, clears) the office's own update manifest address.
#[tauri::command]
pub async fn set_update_endpoint(state: State<'_, AppState>, endpoint: Option<String>) -> Result<(), CommandError> {
    let actor = require_settings(&state).await?;
    let endpoint = endpoint.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
    if let Some(endpoint) = &endpoint {
        validate_endpoint(endpoint)?;
    }
    let mut tx = state.store.begin_write(&actor).await?;
    match &endpoint {
        Some(endpoint) => settings::set(&mut tx, ENDPOINT_SETTING, endpoint).await?,
        None => settings::set(&mut tx, ENDPOINT_SETTING, &serde_json::Value::Null).await?,
    }
    tx.commit().await?;
    *state.update.lock().await = PendingUpdate::default();
    Ok(())
}

/// HTTPS, or plain HTTP on this computer only (a test server); never HTTP over a network.
pub fn validate_endpoint(endpoint: &str) -> Result<Url, CommandError> {
    let field = |message: String| CommandError { code: "invalid_input".into(), message, field: Some("endpoint".into()) };
    let url = Url::parse(endpoint).map_err(|e| field(format!("{endpoint} is not a web address: {e}")))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(field("Update addresses must start with https:// so nobody on the network can tamper with what the app is told.".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    #[test]
    fn the_start_up_check_runs_at_most_daily() {
        let now = at("2026-11-24T09:00:00Z");
        assert!(start_up_check_due(None, now));
        assert!(!start_up_check_due(Some(at("2026-11-24T08:00:00Z")), now));
        assert!(!start_up_check_due(Some(at("2026-11-23T09:00:01Z")), now));
        assert!(start_up_check_due(Some(at("2026-11-23T09:00:00Z")), now));
        assert!(start_up_check_due(Some(at("2027-01-01T00:00:00Z")), now), "a clock that went backwards does not block checks for months");
    }

    #[test]
    fn update_addresses_must_be_https_except_on_this_computer() {
        assert!(validate_endpoint("https://updates.example.org/{{target}}/{{arch}}/{{current_version}}").is_ok());
        assert!(validate_endpoint("http://127.0.0.1:8080/latest.json").is_ok());
        let refused = validate_endpoint("http://updates.example.org/latest.json").unwrap_err();
        assert_eq!(refused.field.as_deref(), Some("endpoint"));
        assert!(validate_endpoint("not a url").is_err());
    }
}
