//! Connecting a church to Planning Center: signing the office in (browser or personal access
//! token), syncing with progress, and deciding possible duplicates (see `cct_app::planning_center`).

use cct_app::planning_center::{FieldTarget, PlanningCenterStatus};
use cct_app::{App, Reply};
use cct_store::planning_center::duplicates::{self, DuplicateResolution};
use cct_sync::SyncReport;
use tauri::{AppHandle, Emitter, Runtime, State};
use uuid::Uuid;

#[tauri::command]
pub async fn planning_center_status(app: State<'_, App>) -> Reply<PlanningCenterStatus> {
    app.planning_center_status().await
}

#[tauri::command]
pub async fn map_planning_center_field(
    app: State<'_, App>,
    target: String,
    field_definition_id: Option<String>,
) -> Reply<()> {
    app.blocking(move |app| app.map_planning_center_field(FieldTarget::named(&target)?, field_definition_id)).await
}

#[tauri::command]
pub async fn subscribe_planning_center_webhooks(
    app: State<'_, App>,
    receiver_url: String,
    secrets_file: String,
) -> Reply<cct_sync::webhooks::Subscribed> {
    app.subscribe_planning_center_webhooks(&receiver_url, &secrets_file).await
}

#[tauri::command]
pub async fn sign_in_with_browser(app: State<'_, App>) -> Reply<()> {
    app.sign_in_with_browser().await
}

#[tauri::command]
pub async fn sign_in_with_token(app: State<'_, App>, app_id: String, secret: String) -> Reply<()> {
    app.sign_in_with_token(&app_id, &secret).await
}

#[tauri::command]
pub async fn sign_out_of_planning_center(app: State<'_, App>) -> Reply<()> {
    app.sign_out_of_planning_center().await
}

/// Runs one sync, sending `sync-progress` events for a progress bar.
#[tauri::command]
pub async fn sync_now<R: Runtime>(window: AppHandle<R>, app: State<'_, App>) -> Reply<SyncReport> {
    app.sync_with_planning_center(move |progress| {
        let _ = window.emit("sync-progress", progress);
    })
    .await
}

#[tauri::command]
pub async fn cancel_sync(app: State<'_, App>) -> Reply<()> {
    app.cancel_planning_center_sync().await
}

#[tauri::command]
pub async fn resolve_possible_duplicate(app: State<'_, App>, id: Uuid, resolution: DuplicateResolution) -> Reply<()> {
    app.write(move |tx| duplicates::resolve_duplicate(tx, id, resolution)).await
}
