//! The check-in station. While kiosk mode is on, these are the only commands that act (every
//! other one refuses through `AppState::signed_in`), and they act with a check-in volunteer's
//! permissions at most, for the sessions the station was started for.

use crate::error::CommandError;
use crate::state::AppState;
use cct_domain::records::{AttendanceRecord, ClassSession};
use cct_store::checkin::{self, CheckInResult, FamilySearch, Label, VisitorInput, VisitorOutcome};
use cct_store::kiosk::{self, KioskConfig, KioskStart, KioskView};
use cct_store::outbox;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;
use uuid::Uuid;

/// How long a station's configuration and actor are reused before they are read again: long
/// enough that a Sunday-morning queue of check-ins does not reread them each time, short
/// enough that a role taken from the station's starter takes effect within seconds.
const STATION_CACHE: std::time::Duration = std::time::Duration::from_secs(5);

/// A station as last read, and when.
pub type StationCache = tokio::sync::Mutex<Option<(std::time::Instant, KioskConfig, cct_domain::Actor)>>;

/// The station's configuration and actor, or an error saying kiosk mode is off.
async fn station(state: &AppState) -> Result<(KioskConfig, cct_domain::Actor), CommandError> {
    let mut cached = state.station.lock().await;
    if let Some((read_at, config, actor)) = cached.as_ref() {
        if read_at.elapsed() < STATION_CACHE {
            return Ok((config.clone(), actor.clone()));
        }
    }
    let config = kiosk::current(&state.store).await?.ok_or_else(|| CommandError::new("not_a_station", "This laptop is not a check-in station; an administrator starts kiosk mode first."))?;
    let actor = kiosk::station_actor(&state.store, &config).await?;
    *cached = Some((std::time::Instant::now(), config.clone(), actor.clone()));
    Ok((config, actor))
}

fn require_session(config: &KioskConfig, class_session_id: Uuid) -> Result<(), CommandError> {
    if config.session_ids.contains(&class_session_id) {
        Ok(())
    } else {
        Err(CommandError { code: "session_not_at_station".into(), message: "This station checks in only to the sessions it was started for.".into(), field: Some("class_session_id".into()) })
    }
}

#[tauri::command]
pub async fn start_kiosk(state: State<'_, AppState>, request: KioskStart) -> Result<KioskView, CommandError> {
    let actor = state.signed_in().await?;
    kiosk::check_request(&actor, &request)?;
    let letter_check = crate::team_commands::claim_station_letter(&state, &request.station).await?;
    state.station.lock().await.take();
    Ok(kiosk::start(&state.store, &actor, request, letter_check).await?)
}

#[tauri::command]
pub async fn leave_kiosk(state: State<'_, AppState>, pin: String) -> Result<(), CommandError> {
    kiosk::leave(&state.store, &pin).await?;
    state.station.lock().await.take();
    Ok(())
}

/// The station, if this laptop is one.
#[tauri::command]
pub async fn kiosk_status(state: State<'_, AppState>) -> Result<Option<KioskView>, CommandError> {
    match kiosk::current(&state.store).await? {
        Some(config) => Ok(Some(kiosk::view(&state.store, &config).await?)),
        None => Ok(None),
    }
}

// Search and check-in are the station's busiest commands, and their work takes well under a
// millisecond (see `cct_store::direct`). They run where the window's call arrives instead of
// being handed to the async runtime and back: on a 2-core machine those two thread hand-offs
// cost about as much as the check-in itself. The price: while another write holds the
// database (a background sync's batch), the station's window waits with it rather than beside.

#[tauri::command]
pub fn kiosk_search(state: State<'_, AppState>, text: String, class_session_id: Uuid) -> Result<FamilySearch, CommandError> {
    tauri::async_runtime::block_on(async {
        let (config, actor) = station(&state).await?;
        require_session(&config, class_session_id)?;
        Ok(checkin::search_families(&state.store, &actor, &text, class_session_id)?)
    })
}

#[tauri::command]
pub fn kiosk_check_in(state: State<'_, AppState>, class_session_id: Uuid, people_ids: Vec<Uuid>) -> Result<CheckInResult, CommandError> {
    tauri::async_runtime::block_on(async {
        let (config, actor) = station(&state).await?;
        require_session(&config, class_session_id)?;
        Ok(checkin::check_in(&state.store, &actor, class_session_id, &people_ids, &config.station).await?)
    })
}

#[tauri::command]
pub async fn kiosk_check_out(state: State<'_, AppState>, class_session_id: Uuid, people_id: Uuid) -> Result<AttendanceRecord, CommandError> {
    let (config, actor) = station(&state).await?;
    require_session(&config, class_session_id)?;
    Ok(checkin::check_out(&state.store, &actor, class_session_id, people_id).await?)
}

#[tauri::command]
pub async fn kiosk_reprint(state: State<'_, AppState>, class_session_id: Uuid, people_id: Uuid) -> Result<Label, CommandError> {
    let (config, actor) = station(&state).await?;
    require_session(&config, class_session_id)?;
    Ok(checkin::reprint(&state.store, &actor, class_session_id, people_id)?)
}

#[tauri::command]
pub async fn kiosk_add_visitor(state: State<'_, AppState>, visitor: VisitorInput) -> Result<VisitorOutcome, CommandError> {
    let (_, actor) = station(&state).await?;
    let mut tx = state.store.begin_write(&actor).await?;
    let outcome = checkin::add_visitor(&mut tx, visitor).await?;
    tx.commit().await?;
    Ok(outcome)
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SessionReadiness {
    pub session: ClassSession,
    pub checked_in: i64,
}

/// The "Sunday readiness" panel: how fresh the roster is, what is waiting to sync, and each
/// session with how many are in (the window counts down to its start).
#[derive(Debug, Clone, Serialize, TS)]
pub struct Readiness {
    pub station: String,
    pub last_roster_refresh: Option<String>,
    pub pending_changes: i64,
    pub sessions: Vec<SessionReadiness>,
}

#[tauri::command]
pub async fn kiosk_readiness(state: State<'_, AppState>) -> Result<Readiness, CommandError> {
    let (config, _) = station(&state).await?;
    let view = kiosk::view(&state.store, &config).await?;
    let counts = checkin::session_counts(&state.store, &config.session_ids).await?;
    Ok(Readiness {
        station: config.station,
        last_roster_refresh: checkin::last_roster_refresh(&state.store).await?,
        pending_changes: outbox::pending_count(&state.store).await?,
        sessions: view.sessions.into_iter().map(|session| SessionReadiness { checked_in: counts.get(&session.meta.id).copied().unwrap_or(0), session }).collect(),
    })
}
