//! Team sync from the window: create a team on a hub, make join codes, join, see every
//! device's last contact and what waits, remove a device, sync now. The hub's password and
//! this device's secret live in the OS keychain; the database keeps the address without them.

use crate::error::CommandError;
use crate::state::AppState;
use cct_domain::Actor;
use cct_signin::KeychainSecret;
use cct_store::kiosk::StationLetterCheck;
use cct_store::team::apply::{self, WaitingChange};
use cct_store::team::device::{self, DeviceMembership};
use cct_store::team::changes;
use cct_store::{settings, Store};
use cct_team::exchange::{self, ExchangeProgress, ExchangeReport};
use cct_team::lease::HubLease;
use cct_team::membership::{self, TeamDevice};
use cct_team::stations;
use cct_team::{DeviceCredentials, Hub, HubAddress, TeamError};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Runtime, State};
use ts_rs::TS;
use uuid::Uuid;

impl From<TeamError> for CommandError {
    fn from(error: TeamError) -> Self {
        match error {
            TeamError::Store(inner) => inner.into(),
            other => CommandError::new(other.code(), other.to_string()),
        }
    }
}

/// A live connection to this device's hub, with the credentials it uses there.
pub struct TeamConnection {
    pub hub: Arc<Hub>,
    pub credentials: DeviceCredentials,
}

/// What the Team screen shows without asking the hub.
#[derive(Debug, Serialize, TS)]
pub struct TeamStatus {
    pub membership: DeviceMembership,
    pub unsent_changes: i64,
    pub waiting: Vec<WaitingChange>,
    pub syncing: bool,
}

/// Reads a keychain entry off the async runtime (keychains block).
async fn load_secret(entry: impl FnOnce() -> Result<KeychainSecret, String> + Send + 'static) -> Result<Option<String>, CommandError> {
    tokio::task::spawn_blocking(move || entry()?.load())
        .await
        .map_err(|e| CommandError::new("internal", e.to_string()))?
        .map_err(CommandError::keychain)
}

async fn hub_password(address: &str) -> Result<Option<String>, CommandError> {
    let address = address.to_owned();
    load_secret(move || KeychainSecret::team_hub_password(&address)).await
}

async fn device_secret(device_id: &str) -> Result<Option<String>, CommandError> {
    let device_id = device_id.to_owned();
    load_secret(move || KeychainSecret::team_device_secret(&device_id)).await
}

async fn keep_hub_password(address: &HubAddress, password: Option<String>) -> Result<(), CommandError> {
    let address = address.as_str().to_owned();
    tokio::task::spawn_blocking(move || -> Result<(), String> {
        let entry = KeychainSecret::team_hub_password(&address)?;
        match password {
            Some(password) => entry.save(&password),
            None => entry.clear(),
        }
    })
    .await
    .map_err(|e| CommandError::new("internal", e.to_string()))?
    .map_err(CommandError::keychain)
}

async fn keep_device_secret(credentials: &DeviceCredentials) -> Result<(), CommandError> {
    let credentials = credentials.clone();
    tokio::task::spawn_blocking(move || KeychainSecret::team_device_secret(&credentials.device_id)?.save(&credentials.secret))
        .await
        .map_err(|e| CommandError::new("internal", e.to_string()))?
        .map_err(CommandError::keychain)
}

async fn forget_secrets(membership: &DeviceMembership) -> Result<(), CommandError> {
    let (address, device_id) = (membership.hub_url.clone(), membership.device_id.clone());
    tokio::task::spawn_blocking(move || -> Result<(), String> {
        if let Some(address) = address {
            KeychainSecret::team_hub_password(&address)?.clear()?;
        }
        KeychainSecret::team_device_secret(&device_id)?.clear()
    })
    .await
    .map_err(|e| CommandError::new("internal", e.to_string()))?
    .map_err(CommandError::keychain)
}

/// This device's hub connection, opened on first use.
pub async fn connection(state: &AppState) -> Result<Arc<TeamConnection>, CommandError> {
    let mut cached = state.team.lock().await;
    if let Some(connection) = cached.as_ref() {
        return Ok(connection.clone());
    }
    let me = device::membership(&state.store).await?;
    let address = me.hub_url.as_deref().ok_or_else(|| CommandError::from(TeamError::NotJoined))?;
    let (address, _) = HubAddress::parse(address)?;
    let password = hub_password(address.as_str()).await?;
    let secret = device_secret(&me.device_id)
        .await?
        .ok_or_else(|| CommandError::new("not_a_member", "This device's team secret is missing from the keychain. Ask an administrator for a join code and join again."))?;
    let hub = Arc::new(Hub::connect(&address, password.as_deref()).await?);
    let connection = Arc::new(TeamConnection { hub, credentials: DeviceCredentials { device_id: me.device_id, secret } });
    *cached = Some(connection.clone());
    Ok(connection)
}

/// The lease the Planning Center sync asks before sending shared outbox entries, when this
/// device is in a team. Read from the keychain once, connecting to the hub lazily.
pub async fn outbox_lease(store: &Store) -> Result<Option<Arc<dyn cct_sync::OutboxLease>>, CommandError> {
    let me = device::membership(store).await?;
    let Some(address) = me.hub_url.as_deref() else { return Ok(None) };
    let (address, _) = HubAddress::parse(address)?;
    let password = hub_password(address.as_str()).await?;
    // Without its secret the hub refuses every claim, which keeps the entries queued.
    let secret = device_secret(&me.device_id).await?.unwrap_or_default();
    Ok(Some(Arc::new(HubLease::lazy(address, password, DeviceCredentials { device_id: me.device_id, secret }))))
}

async fn refresh_outbox_lease(state: &AppState) -> Result<(), CommandError> {
    if let Some(engine) = state.sync.lock().await.as_ref() {
        engine.set_outbox_lease(outbox_lease(&state.store).await?);
    }
    Ok(())
}

#[tauri::command]
pub async fn team_status(state: State<'_, AppState>) -> Result<TeamStatus, CommandError> {
    state.signed_in().await?;
    Ok(TeamStatus {
        membership: device::membership(&state.store).await?,
        unsent_changes: changes::unpushed_count(&state.store).await?,
        waiting: apply::waiting(&state.store).await?,
        syncing: state.team_syncing.try_lock().is_err(),
    })
}

#[tauri::command]
pub async fn team_devices(state: State<'_, AppState>) -> Result<Vec<TeamDevice>, CommandError> {
    state.signed_in().await?;
    let connection = connection(&state).await?;
    Ok(membership::devices(&connection.hub, &connection.credentials).await?)
}

/// Creates a team on an empty hub, with this device as its first member.
#[tauri::command]
pub async fn create_team<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    hub_address: String,
    hub_password: Option<String>,
    church_name: String,
    device_name: String,
) -> Result<ExchangeReport, CommandError> {
    let actor = state.signed_in().await?;
    require_name(&church_name, "church_name")?;
    require_name(&device_name, "device_name")?;
    let hub = open_hub(&hub_address, hub_password).await?;
    let credentials = membership::create_team(&state.store, &actor, &hub, &church_name, &device_name).await?;
    begin_membership(&app, &state, hub, credentials).await
}

/// Connects to the hub named in a form. The keychain is asked first: if it cannot keep the
/// password, nothing is created on the hub.
async fn open_hub(hub_address: &str, hub_password: Option<String>) -> Result<Arc<Hub>, CommandError> {
    let (address, password) = parse_address(hub_address, hub_password)?;
    keep_hub_password(&address, password.clone()).await?;
    let hub = Hub::connect(&address, password.as_deref()).await.map_err(|e| with_field(e.into(), "hub_address"))?;
    Ok(Arc::new(hub))
}

/// This device now belongs to the hub's team: keep its secret, use the connection (also for
/// Planning Center's outbox leases), and sync at once.
async fn begin_membership<R: Runtime>(app: &AppHandle<R>, state: &AppState, hub: Arc<Hub>, credentials: DeviceCredentials) -> Result<ExchangeReport, CommandError> {
    keep_device_secret(&credentials).await?;
    *state.team.lock().await = Some(Arc::new(TeamConnection { hub, credentials }));
    refresh_outbox_lease(state).await?;
    run_team_sync(app, state).await
}

/// Joins a team with an administrator's join code. A new, empty computer needs nobody signed
/// in: it is then used as the administrator who made the code.
#[tauri::command]
pub async fn join_team<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    hub_address: String,
    hub_password: Option<String>,
    join_code: String,
    device_name: String,
) -> Result<ExchangeReport, CommandError> {
    if cct_store::kiosk::current(&state.store).await?.is_some() {
        state.signed_in().await?; // refuses with the kiosk's message
    }
    let actor = state.current_actor().await?;
    require_name(&device_name, "device_name")?;
    require_name(&join_code, "join_code")?;
    let hub = open_hub(&hub_address, hub_password).await?;
    let joined = membership::join(&state.store, actor.as_ref(), &hub, &join_code, &device_name).await.map_err(|e| with_field(e.into(), "join_code"))?;
    // Joined from here on, even if the first sync fails part-way (the background sync goes on
    // from where it stopped), so the new computer is used as its administrator either way.
    let synced = begin_membership(&app, &state, hub, joined.credentials).await;
    if actor.is_none() {
        if let Some(person) = joined.code_made_by.as_deref().and_then(|p| p.parse::<Uuid>().ok()) {
            use_as(&state.store, person).await?;
        }
    }
    synced
}

/// A new device is used as the administrator whose join code let it in, once their record is
/// here (a first sync cut off before it arrived leaves the device as it was).
async fn use_as(store: &Store, person: Uuid) -> Result<(), CommandError> {
    let system = Actor::system();
    if cct_store::records::get::<cct_domain::records::Person>(store, &system, person).await.is_err() {
        return Ok(());
    }
    let mut tx = store.begin_write(&system).await?;
    settings::set(&mut tx, settings::CURRENT_PERSON, &person).await?;
    tx.commit().await?;
    Ok(())
}

#[tauri::command]
pub async fn make_join_code(state: State<'_, AppState>, campus_id: Option<Uuid>, valid_hours: Option<u32>) -> Result<String, CommandError> {
    let actor = state.signed_in().await?;
    let hours = valid_hours.unwrap_or(24).clamp(1, 24 * 14);
    let connection = connection(&state).await?;
    let campus = campus_id.map(|c| c.to_string());
    Ok(membership::make_join_code(&actor, &connection.hub, &connection.credentials, campus.as_deref(), chrono::Duration::hours(hours as i64)).await?)
}

#[tauri::command]
pub async fn remove_team_device(state: State<'_, AppState>, device_id: String) -> Result<(), CommandError> {
    let actor = state.signed_in().await?;
    let connection = connection(&state).await?;
    if device_id == connection.credentials.device_id {
        return Err(CommandError::new("cannot_remove_self", "This is the device you are using. Remove it from another administrator's device, or leave the team here."));
    }
    Ok(membership::remove_device(&actor, &connection.hub, &connection.credentials, &device_id).await?)
}

/// Leaves the team on this device: forgets the hub and its secrets. Data and the change log
/// stay, so joining again later sends what was written meanwhile.
#[tauri::command]
pub async fn leave_team(state: State<'_, AppState>) -> Result<(), CommandError> {
    let actor = state.signed_in().await?;
    cct_store::actor::require(&actor, cct_domain::Permission::SyncManage)?;
    let me = device::membership(&state.store).await?;
    device::record_left(&state.store, &actor).await?;
    forget_secrets(&me).await?;
    if let Some(connection) = state.team.lock().await.take() {
        connection.hub.close().await;
    }
    refresh_outbox_lease(&state).await
}

#[tauri::command]
pub async fn sync_team_now<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<ExchangeReport, CommandError> {
    state.signed_in().await?;
    run_team_sync(&app, &state).await
}

/// One push and pull, with `team-progress` events; never two at once.
pub(crate) async fn run_team_sync<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> Result<ExchangeReport, CommandError> {
    let _running = state.team_syncing.try_lock().map_err(|_| CommandError::new("already_syncing", "The team is syncing already."))?;
    let connection = connection(state).await?;
    let emit = |progress: ExchangeProgress| {
        let _ = app.emit("team-progress", progress);
    };
    let result = exchange::sync(&state.store, &connection.hub, &connection.credentials, &emit).await;
    if let Err(TeamError::DeviceRemoved) = &result {
        // Reconnecting will not help; the Team screen says why and offers to join again.
        state.team.lock().await.take();
    }
    let report = result?;
    confirm_station_letter(state, &connection).await?;
    Ok(report)
}

/// How long starting a station waits for the hub before going ahead unconfirmed: a laptop
/// with no network must still become a station.
const LETTER_CLAIM_WAIT: Duration = Duration::from_secs(5);

/// Claims a check-in station's letter for this device from the team's hub. A letter another
/// computer holds is refused; a hub out of reach leaves the letter unconfirmed rather than
/// keep the station from starting, and the next team sync claims it.
pub async fn claim_station_letter(state: &AppState, letter: &str) -> Result<StationLetterCheck, CommandError> {
    if device::membership(&state.store).await?.hub_url.is_none() {
        return Ok(StationLetterCheck::NoTeam);
    }
    // Without a connection (no network, the keychain's secret missing) the letter cannot be
    // confirmed, which does not stop the station.
    let claim = async {
        let team = connection(state).await.ok()?;
        Some(stations::claim_letter(&team.hub, &team.credentials, letter).await)
    };
    match tokio::time::timeout(LETTER_CLAIM_WAIT, claim).await {
        Ok(Some(Ok(()))) => Ok(StationLetterCheck::HeldByThisLaptop),
        Ok(Some(Err(taken @ TeamError::StationLetterTaken { .. }))) => Err(with_field(taken.into(), "station")),
        Ok(Some(Err(_)) | None) | Err(_) => Ok(StationLetterCheck::NotConfirmed),
    }
}

/// After a team sync, claims the letter of a station started while the hub was out of reach.
async fn confirm_station_letter(state: &AppState, connection: &TeamConnection) -> Result<(), CommandError> {
    if stations::confirm_running_station(&state.store, &connection.hub, &connection.credentials).await?.is_some() {
        // The station's window rereads its configuration from this cache.
        state.station.lock().await.take();
    }
    Ok(())
}

/// The address, and its password from the password box or, failing that, from the address.
fn parse_address(hub_address: &str, hub_password: Option<String>) -> Result<(HubAddress, Option<String>), CommandError> {
    let (address, in_address) = HubAddress::parse(hub_address).map_err(|e| with_field(e.into(), "hub_address"))?;
    Ok((address, hub_password.filter(|p| !p.is_empty()).or(in_address)))
}

fn require_name(value: &str, field: &str) -> Result<(), CommandError> {
    if value.trim().is_empty() {
        return Err(CommandError { code: "invalid_input".into(), message: "This is required.".into(), field: Some(field.into()) });
    }
    Ok(())
}

fn with_field(mut error: CommandError, field: &str) -> CommandError {
    error.field.get_or_insert_with(|| field.to_owned());
    error
}
