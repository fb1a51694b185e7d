//! Commands for setting up a real church and connecting it to Planning Center: the first
//! administrator, signing in (browser or personal access token), syncing with progress, and
//! deciding possible duplicates. Each checks the signed-in person's permission in Rust.

use crate::error::CommandError;
use crate::planning_center::{self as pco, SignIn};
use crate::state::AppState;
use cct_domain::{Actor, Permission};
use cct_planning_center::Credentials;
use cct_signin::{sign_in_with_browser as browser_flow, KeychainSecret, SignInOptions};
use cct_store::planning_center::{self as log, SyncRun};
use cct_store::pco_sync::{self, DuplicateResolution, OutboxProblem, PossibleDuplicate};
use cct_store::{office, outbox, settings};
use cct_sync::{SyncEngine, SyncReport};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Runtime, State};
use uuid::Uuid;
use ts_rs::TS;

async fn require(state: &AppState, permission: Permission) -> Result<Actor, CommandError> {
    let actor = state.signed_in().await?;
    cct_store::actor::require(&actor, permission)?;
    Ok(actor)
}

async fn refuse_demo(state: &AppState) -> Result<(), CommandError> {
    if settings::get::<bool>(&state.store, settings::DEMO_MODE).await?.unwrap_or(false) {
        return Err(CommandError::demo_mode());
    }
    Ok(())
}

#[tauri::command]
pub async fn set_up_office(state: State<'_, AppState>, first_name: String, last_name: String, email: Option<String>) -> Result<(), CommandError> {
    let email = email.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
    office::set_up_first_administrator(&state.store, &first_name, &last_name, email).await?;
    Ok(())
}

/// A Planning Center custom field, as the sync engine keeps it for mapping.
#[derive(Debug, Serialize, serde::Deserialize, TS)]
pub struct FieldDefinition {
    pub id: String,
    pub name: String,
    pub data_type: Option<String>,
}

#[derive(Debug, Serialize, TS)]
pub struct PlanningCenterStatus {
    pub base_url: String,
    /// The sign-in whose secrets are really in the keychain; `None` means sign in (again).
    pub sign_in: Option<SignIn>,
    /// Why the keychain could not be read, when it could not.
    pub keychain_problem: Option<String>,
    pub demo_mode: bool,
    pub syncing: bool,
    pub pending_changes: i64,
    pub problems: Vec<OutboxProblem>,
    /// The latest fields where this computer and Planning Center disagreed, and who won.
    pub conflicts: Vec<pco_sync::SyncConflict>,
    pub possible_duplicates: Vec<PossibleDuplicate>,
    pub recent_runs: Vec<SyncRun>,
    /// Planning Center's custom fields (as last pulled) and which ones receive what.
    pub field_definitions: Vec<FieldDefinition>,
    pub completions_field: Option<String>,
    pub certifications_field: Option<String>,
}

#[tauri::command]
pub async fn planning_center_status(state: State<'_, AppState>) -> Result<PlanningCenterStatus, CommandError> {
    let actor = require(&state, Permission::SyncManage).await?;
    let store = &state.store;
    let syncing = state.sync.lock().await.as_ref().is_some_and(|engine| engine.is_running());
    let (sign_in, keychain_problem) = match pco::credentials(store).await {
        Ok(found) => (found.map(|(_, sign_in)| sign_in), None),
        Err(error) => (None, Some(error.message)),
    };
    Ok(PlanningCenterStatus {
        base_url: pco::base_url(store).await?,
        sign_in,
        keychain_problem,
        demo_mode: settings::get(store, settings::DEMO_MODE).await?.unwrap_or(false),
        syncing,
        pending_changes: outbox::pending_count(store).await?,
        problems: pco_sync::outbox_problems(store, &actor).await?,
        conflicts: pco_sync::conflicts(store, &actor, 20).await?,
        possible_duplicates: pco_sync::open_duplicates(store, &actor).await?,
        recent_runs: log::recent_runs(store, &actor, 10).await?,
        field_definitions: settings::get(store, settings::PCO_FIELD_DEFINITIONS).await?.unwrap_or_default(),
        completions_field: settings::get(store, settings::PCO_COMPLETIONS_FIELD).await?,
        certifications_field: settings::get(store, settings::PCO_CERTIFICATIONS_FIELD).await?,
    })
}

/// Which Planning Center custom field receives course completions or certification status.
/// `field_definition_id: None` stops sending them. Changing it re-queues nothing: the next
/// completion or certification change writes the whole summary to the new field.
#[tauri::command]
pub async fn map_planning_center_field(state: State<'_, AppState>, target: String, field_definition_id: Option<String>) -> Result<(), CommandError> {
    let actor = require(&state, Permission::SettingsManage).await?;
    let key = match target.as_str() {
        "completions" => settings::PCO_COMPLETIONS_FIELD,
        "certifications" => settings::PCO_CERTIFICATIONS_FIELD,
        other => return Err(CommandError { field: Some("target".into()), ..CommandError::new("invalid_input", format!("target: {other:?} is not completions or certifications")) }),
    };
    if let Some(id) = &field_definition_id {
        let known: Vec<serde_json::Value> = settings::get(&state.store, settings::PCO_FIELD_DEFINITIONS).await?.unwrap_or_default();
        if !known.iter().any(|d| d.get("id").and_then(|v| v.as_str()) == Some(id.as_str())) {
            return Err(CommandError {
                field: Some("field_definition_id".into()),
                ..CommandError::new("unknown_reference", "field_definition_id: Planning Center has no such field; sync once to refresh the list")
            });
        }
    }
    let mut tx = state.store.begin_write(&actor).await?;
    match &field_definition_id {
        Some(id) => settings::set(&mut tx, key, id).await?,
        None => settings::set(&mut tx, key, &serde_json::Value::Null).await?,
    }
    tx.commit().await?;
    Ok(())
}

async fn remember_sign_in(state: &AppState, sign_in: &SignIn) -> Result<(), CommandError> {
    let system = Actor::system();
    let mut tx = state.store.begin_write(&system).await?;
    settings::set(&mut tx, settings::PCO_SIGN_IN, sign_in).await?;
    tx.commit().await?;
    *state.sync.lock().await = None; // rebuilt with the new credentials on next use
    Ok(())
}

/// Opens Planning Center's sign-in page in the system browser and waits (up to five minutes)
/// for it to come back to this computer.
#[tauri::command]
pub async fn sign_in_with_browser(state: State<'_, AppState>) -> Result<(), CommandError> {
    require(&state, Permission::SyncManage).await?;
    refuse_demo(&state).await?;
    let base = pco::base_url(&state.store).await?;
    let options = SignInOptions { base_url: &base, app: pco::oauth_app(), ports: &pco::REDIRECT_PORTS, scopes: &pco::SCOPES, timeout: Duration::from_secs(300) };
    let opener = state.open_browser.clone();
    browser_flow(options, pco::token_store(&base)?, move |url| opener(url)).await?;
    remember_sign_in(&state, &SignIn::Oauth).await
}

/// One-church setups: an application id and secret made at Planning Center. Checked against
/// Planning Center before it is kept (the secret in the OS keychain).
#[tauri::command]
pub async fn sign_in_with_token(state: State<'_, AppState>, app_id: String, secret: String) -> Result<(), CommandError> {
    require(&state, Permission::SyncManage).await?;
    refuse_demo(&state).await?;
    let (app_id, secret) = (app_id.trim().to_owned(), secret.trim().to_owned());
    if app_id.is_empty() {
        return Err(CommandError { field: Some("app_id".into()), ..CommandError::new("invalid_input", "app_id: the application id is required") });
    }
    if secret.is_empty() {
        return Err(CommandError { field: Some("secret".into()), ..CommandError::new("invalid_input", "secret: the secret is required") });
    }
    let client = pco::client(&state.store, Credentials::PersonalAccessToken { app_id: app_id.clone(), secret: secret.clone() }).await?;
    match client.get_list("/people/v2/campuses", &[("per_page", "1".into())]).await {
        Ok(_) => {}
        Err(cct_planning_center::PcoError::SignInRequired { .. }) => {
            return Err(CommandError {
                field: Some("secret".into()),
                ..CommandError::new("invalid_input", "Planning Center did not accept this application ID and secret. Copy both again from your personal access token at api.planningcenteronline.com/oauth/applications.")
            });
        }
        Err(other) => return Err(other.into()),
    }
    KeychainSecret::personal_access_token(&app_id).and_then(|s| s.save(&secret)).map_err(CommandError::keychain)?;
    remember_sign_in(&state, &SignIn::PersonalAccessToken { app_id }).await
}

/// Revokes the sign-in at Planning Center and removes it from the keychain. Queued changes stay.
#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), CommandError> {
    require(&state, Permission::SyncManage).await?;
    if let Some((credentials, sign_in)) = pco::credentials(&state.store).await? {
        match &sign_in {
            SignIn::Oauth => {
                let client = pco::client(&state.store, credentials).await?;
                if client.sign_out().await.is_err() {
                    // Offline: forget the tokens here anyway; Planning Center ends them at expiry.
                    let base = pco::base_url(&state.store).await?;
                    pco::token_store(&base)?.as_ref().clear_tokens().map_err(CommandError::keychain)?;
                }
            }
            SignIn::PersonalAccessToken { app_id } => {
                KeychainSecret::personal_access_token(app_id).and_then(|s| s.clear()).map_err(CommandError::keychain)?;
            }
        }
    }
    forget_sign_in(&state).await
}

/// Back to "signed out" here: the choice of sign-in is cleared and the engine dropped. Queued
/// changes are untouched and go out after the next sign-in.
async fn forget_sign_in(state: &AppState) -> Result<(), CommandError> {
    let system = Actor::system();
    let mut tx = state.store.begin_write(&system).await?;
    settings::set(&mut tx, settings::PCO_SIGN_IN, &serde_json::Value::Null).await?;
    tx.commit().await?;
    *state.sync.lock().await = None;
    Ok(())
}

async fn engine(state: &AppState) -> Result<Arc<SyncEngine>, CommandError> {
    let mut cached = state.sync.lock().await;
    if let Some(engine) = cached.as_ref() {
        return Ok(engine.clone());
    }
    let (credentials, _) = pco::credentials(&state.store).await?.ok_or_else(|| CommandError::new("not_connected", "Sign in to Planning Center first."))?;
    let engine = pco::engine(&state.store, pco::client(&state.store, credentials).await?);
    engine.set_outbox_lease(crate::team_commands::outbox_lease(&state.store).await?);
    *cached = Some(engine.clone());
    Ok(engine)
}

/// Runs one sync, sending `sync-progress` events for a progress bar.
#[tauri::command]
pub async fn sync_now<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<SyncReport, CommandError> {
    require(&state, Permission::SyncManage).await?;
    refuse_demo(&state).await?;
    run_sync(&app, &state).await
}

/// One sync for whoever asked (a person, or the background schedule). A sign-in Planning
/// Center no longer accepts puts this computer in "sign in again": the sign-in is forgotten
/// here, its secrets removed from the keychain, and the queue kept.
pub(crate) async fn run_sync<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> Result<SyncReport, CommandError> {
    let engine = engine(state).await?;
    let app = app.clone();
    let mut progress = engine.progress();
    let forward = tokio::spawn(async move {
        while progress.changed().await.is_ok() {
            let current = progress.borrow().clone();
            let _ = app.emit("sync-progress", current);
        }
    });
    let result = engine.run().await;
    forward.abort();
    match result {
        Ok(report) => Ok(report),
        Err(cct_sync::SyncError::PlanningCenter(error @ cct_planning_center::PcoError::SignInRequired { .. })) => {
            clear_secrets(state).await?;
            forget_sign_in(state).await?;
            Err(error.into())
        }
        Err(other) => Err(other.into()),
    }
}

async fn clear_secrets(state: &AppState) -> Result<(), CommandError> {
    match settings::get::<SignIn>(&state.store, settings::PCO_SIGN_IN).await? {
        Some(SignIn::Oauth) => pco::token_store(&pco::base_url(&state.store).await?)?.clear_tokens().map_err(CommandError::keychain),
        Some(SignIn::PersonalAccessToken { app_id }) => KeychainSecret::personal_access_token(&app_id).and_then(|s| s.clear()).map_err(CommandError::keychain),
        None => Ok(()),
    }
}

/// Whether a background sync should run now: signed in, not the demo church, nobody syncing.
pub(crate) async fn background_sync_due(state: &AppState) -> bool {
    let demo = settings::get::<bool>(&state.store, settings::DEMO_MODE).await.ok().flatten().unwrap_or(false);
    let signed_in = matches!(pco::credentials(&state.store).await, Ok(Some(_)));
    let running = state.sync.lock().await.as_ref().is_some_and(|engine| engine.is_running());
    !demo && signed_in && !running
}

#[tauri::command]
pub async fn cancel_sync(state: State<'_, AppState>) -> Result<(), CommandError> {
    require(&state, Permission::SyncManage).await?;
    if let Some(engine) = state.sync.lock().await.as_ref() {
        engine.cancel_flag().cancel();
    }
    Ok(())
}

#[tauri::command]
pub async fn resolve_possible_duplicate(state: State<'_, AppState>, id: Uuid, resolution: DuplicateResolution) -> Result<(), CommandError> {
    let actor = require(&state, Permission::PeopleWrite).await?;
    let mut tx = state.store.begin_write(&actor).await?;
    pco_sync::resolve_duplicate(&mut tx, id, resolution).await?;
    tx.commit().await?;
    Ok(())
}
