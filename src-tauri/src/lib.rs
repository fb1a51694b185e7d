//! The desktop shell: opens the local store, registers the commands, and hosts the web UI.
//! Commands are thin adapters over the core crates; every rule lives in `cct-store` and
//! `cct-domain`, checked in Rust whatever the UI shows.

pub mod commands;
pub mod error;
pub mod state;

use state::AppState;
use std::path::PathBuf;
use tauri::Manager;

/// Environment variable naming the database file, for tests and for trying the app with a
/// throw-away database. Unset, the database lives in the OS's app-data folder.
pub const DATABASE_ENV: &str = "CCT_DATABASE";

/// Registers the commands and the state on any runtime (the real one, or Tauri's mock in tests).
pub fn with_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::app_status,
        commands::load_demo_church,
        commands::search_people,
        commands::list_courses,
    ])
}

pub fn run() {
    let app = with_commands(tauri::Builder::default())
        .setup(|app| {
            let path = database_path(app.path().app_data_dir().ok());
            let state = tauri::async_runtime::block_on(AppState::open(&path))
                .map_err(|e| format!("could not open the database at {}: {e}", path.display()))?;
            app.manage(state);
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(error) => {
            eprintln!("Church Course Tracker could not start: {error}");
            std::process::exit(1);
        }
    }
}

fn database_path(app_data: Option<PathBuf>) -> PathBuf {
    if let Some(path) = std::env::var_os(DATABASE_ENV) {
        return PathBuf::from(path);
    }
    app_data.unwrap_or_else(|| PathBuf::from(".")).join("church-course-tracker.sqlite")
}
