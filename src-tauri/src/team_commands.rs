//! Team sync from the window (see `cct_app::team`): create a team on a hub, make join codes,
//! join, see every device, remove a device, sync now with progress.

use cct_app::team::{HubForm, TeamStatus};
use cct_app::{App, Reply};
use cct_team::compaction::CompactionStatus;
use cct_team::exchange::ExchangeReport;
use cct_team::membership::TeamDevice;
use tauri::{AppHandle, Emitter, Runtime, State};
use uuid::Uuid;

/// Sends `team-progress` events for a progress bar.
fn progress<R: Runtime>(window: AppHandle<R>) -> impl Fn(cct_team::exchange::ExchangeProgress) + Send + Sync {
    move |progress| {
        let _ = window.emit("team-progress", progress);
    }
}

#[tauri::command]
pub async fn team_status(app: State<'_, App>) -> Reply<TeamStatus> {
    app.team_status().await
}

#[tauri::command]
pub async fn team_devices(app: State<'_, App>) -> Reply<Vec<TeamDevice>> {
    app.team_devices().await
}

#[tauri::command]
pub async fn team_compaction(app: State<'_, App>) -> Reply<CompactionStatus> {
    app.team_compaction().await
}

/// Creates a team on an empty hub, with this device as its first member.
#[tauri::command]
pub async fn create_team<R: Runtime>(
    window: AppHandle<R>,
    app: State<'_, App>,
    hub_address: String,
    hub_password: Option<String>,
    church_name: String,
    device_name: String,
) -> Reply<ExchangeReport> {
    app.create_team(
        HubForm { address: hub_address, password: hub_password },
        &church_name,
        &device_name,
        progress(window),
    )
    .await
}

/// Joins a team with an administrator's join code.
#[tauri::command]
pub async fn join_team<R: Runtime>(
    window: AppHandle<R>,
    app: State<'_, App>,
    hub_address: String,
    hub_password: Option<String>,
    join_code: String,
    device_name: String,
) -> Reply<ExchangeReport> {
    app.join_team(HubForm { address: hub_address, password: hub_password }, &join_code, &device_name, progress(window))
        .await
}

#[tauri::command]
pub async fn make_join_code(
    app: State<'_, App>,
    campus_id: Option<Uuid>,
    valid_hours: Option<u32>,
    may_add_devices: Option<bool>,
) -> Reply<String> {
    app.make_join_code(campus_id, valid_hours, may_add_devices.unwrap_or(false)).await
}

#[tauri::command]
pub async fn remove_team_device(app: State<'_, App>, device_id: String) -> Reply<()> {
    app.remove_team_device(&device_id).await
}

#[tauri::command]
pub async fn leave_team(app: State<'_, App>) -> Reply<()> {
    app.leave_team().await
}

#[tauri::command]
pub async fn sync_team_now<R: Runtime>(window: AppHandle<R>, app: State<'_, App>) -> Reply<ExchangeReport> {
    app.sync_team_now(progress(window)).await
}
