//! Opening the database when the app starts, without ever panicking: when it cannot be opened
//! (another app has it, it is damaged, the disk refuses), the window opens anyway and explains
//! why, with the one error report every command uses, and can try again once the cause is gone.

use crate::updates;
use cct_app::{background, App, OpenBrowser, Reply};
use cct_domain::{ErrorCode, ErrorReport};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

/// Why the database could not be opened at start, and where it is, until a retry succeeds.
pub struct StartupProblem {
    path: PathBuf,
    problem: Mutex<Option<ErrorReport>>,
}

impl StartupProblem {
    /// For an app whose database is already open.
    pub fn none(path: &Path) -> Self {
        Self { path: path.to_path_buf(), problem: Mutex::new(None) }
    }

    fn report(&self) -> Option<ErrorReport> {
        self.problem.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    fn set(&self, report: Option<ErrorReport>) {
        *self.problem.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = report;
    }
}

/// Opens the database at `path` and starts the app on it: its commands' state and its
/// background syncs. When it cannot be opened, only the reason is kept, for the window.
pub fn start<R: Runtime>(handle: &AppHandle<R>, path: &Path) {
    handle.manage(StartupProblem::none(path));
    handle.manage(updates::Pending::default());
    if let Err(report) = open(handle, path) {
        eprintln!("Church Course Tracker could not open {}: {}", path.display(), report.message);
        handle.state::<StartupProblem>().set(Some(report));
    }
}

fn open<R: Runtime>(handle: &AppHandle<R>, path: &Path) -> Reply<()> {
    let browser_handle = handle.clone();
    let open_browser: OpenBrowser = Arc::new(move |url: String| {
        use tauri_plugin_opener::OpenerExt;
        browser_handle.opener().open_url(url, None::<&str>).map_err(|e| e.to_string())
    });
    let app = App::open(path, open_browser)?;
    handle.manage(app.clone());
    let (pco_events, team_events) = (handle.clone(), handle.clone());
    tauri::async_runtime::spawn(background::planning_center(
        app.clone(),
        background::SYNC_EVERY,
        background::CHECK_NETWORK_EVERY,
        move |progress| {
            let _ = pco_events.emit("sync-progress", progress);
        },
    ));
    tauri::async_runtime::spawn(background::team(app, background::TEAM_SYNC_EVERY, move |progress| {
        let _ = team_events.emit("team-progress", progress);
    }));
    Ok(())
}

/// Why the app could not open its database, if it could not: the window shows this first.
#[tauri::command]
pub async fn startup_problem(problem: State<'_, StartupProblem>) -> Reply<Option<ErrorReport>> {
    Ok(problem.report())
}

/// Tries to open the database again (the other app was closed, space was freed).
#[tauri::command]
pub async fn retry_start<R: Runtime>(handle: AppHandle<R>, problem: State<'_, StartupProblem>) -> Reply<()> {
    if handle.try_state::<App>().is_some() {
        problem.set(None);
        return Ok(());
    }
    let path = problem.path.clone();
    let opened = tauri::async_runtime::spawn_blocking({
        let handle = handle.clone();
        move || open(&handle, &path)
    })
    .await
    .map_err(|stopped| ErrorReport::new(ErrorCode::Internal, format!("opening the database stopped: {stopped}")))?;
    problem.set(opened.clone().err());
    opened
}
