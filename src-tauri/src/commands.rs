//! The commands the UI invokes. Each one resolves the signed-in person and hands over to the
//! core crates, which check that person's permissions.

use crate::error::CommandError;
use crate::state::AppState;
use cct_domain::records::{Course, Person};
use cct_domain::{Actor, Permission};
use cct_store::demo::{self, DemoSummary};
use cct_store::{outbox, records, search, settings, ListQuery};
use serde::Serialize;
use tauri::State;
use uuid::Uuid;
use ts_rs::TS;

/// People a fresh demo church holds: "a few hundred", enough to feel real and load in seconds.
const DEMO_PEOPLE: usize = 300;

#[derive(Debug, Clone, Serialize, TS)]
pub struct SignedIn {
    pub person_id: Option<Uuid>,
    pub name: String,
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AppStatus {
    pub version: &'static str,
    pub database_path: String,
    pub demo_mode: bool,
    pub signed_in: Option<SignedIn>,
    pub people: i64,
    pub courses: i64,
    pub pending_changes: i64,
    /// This laptop is a check-in station: the window shows only check-in.
    pub kiosk: bool,
}

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, CommandError> {
    let store = &state.store;
    let actor = state.current_actor().await?;
    // Counts are what the first-run screen needs to decide between "load the demo" and the
    // dashboard; they reveal nothing about anyone, so they need no permission.
    let everyone = Actor::system();
    let people = records::list::<Person>(store, &everyone, &ListQuery::default().page(1, 0)).await?.total;
    let courses = records::list::<Course>(store, &everyone, &ListQuery::default().page(1, 0)).await?.total;
    Ok(AppStatus {
        version: env!("CARGO_PKG_VERSION"),
        database_path: store.path().display().to_string(),
        demo_mode: settings::get(store, settings::DEMO_MODE).await?.unwrap_or(false),
        signed_in: actor.map(|a| SignedIn { person_id: a.person_id, name: a.display_name, permissions: a.permissions.into_iter().collect() }),
        people,
        courses,
        pending_changes: outbox::pending_count(store).await?,
        kiosk: cct_store::kiosk::current(store).await?.is_some(),
    })
}

/// Loads the demo church into an empty database; the store refuses once people exist.
#[tauri::command]
pub async fn load_demo_church(state: State<'_, AppState>) -> Result<DemoSummary, CommandError> {
    Ok(demo::load(&state.store, DEMO_PEOPLE).await?)
}

#[tauri::command]
pub async fn search_people(state: State<'_, AppState>, query: String) -> Result<Vec<Person>, CommandError> {
    let actor = state.signed_in().await?;
    Ok(search::search_people(&state.store, &actor, &query, 25).await?)
}

#[tauri::command]
pub async fn list_courses(state: State<'_, AppState>) -> Result<Vec<Course>, CommandError> {
    let actor = state.signed_in().await?;
    Ok(records::list::<Course>(&state.store, &actor, &ListQuery::default().order_by("name")).await?.items)
}
