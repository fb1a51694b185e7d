//! What the window shows first: the church, its counts, who is signed in; the demo church;
//! the office's search as you type.

use cct_app::status::AppStatus;
use cct_app::{App, Reply};
use cct_domain::records::{Course, Person};
use cct_store::demo::DemoSummary;
use tauri::State;

#[tauri::command]
pub async fn app_status(app: State<'_, App>) -> Reply<AppStatus> {
    app.blocking(|app| app.status()).await
}

/// Loads the demo church into an empty database; the store refuses once people exist.
#[tauri::command]
pub async fn load_demo_church(app: State<'_, App>) -> Reply<DemoSummary> {
    app.blocking(|app| app.load_demo_church()).await
}

#[tauri::command]
pub async fn search_people(app: State<'_, App>, query: String) -> Reply<Vec<Person>> {
    app.blocking(move |app| app.search_people(&query)).await
}

#[tauri::command]
pub async fn list_courses(app: State<'_, App>) -> Reply<Vec<Course>> {
    app.blocking(|app| app.list_courses()).await
}
