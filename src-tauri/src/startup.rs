//! Opening the database when the app starts, without ever panicking: when it cannot be opened
//! (another app has it, it is damaged, the disk refuses), the window opens anyway and explains
//! why, with the one error report every command uses, and can try again once the cause is gone.
//! A database that is damaged or whose key is lost gets the recovery screen: restore a backup
//! (with the recovery passphrase), or start afresh with the bad file kept aside.

use crate::updates;
use cct_app::backups::{self, BackupStatus};
use cct_app::{background, recovery, App, OpenBrowser, Reply};
use cct_domain::{ErrorCode, ErrorReport};
use cct_store::db::Restored;
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
///
/// A plain database from before encryption is encrypted whole on this first open, which takes
/// a while for a large church: that opening runs beside the window, which says what is
/// happening (`database_opening`) until it is done.
pub fn start<R: Runtime>(handle: &AppHandle<R>, path: &Path) {
    handle.manage(StartupProblem::none(path));
    handle.manage(updates::Pending::default());
    let converting = matches!(cct_store::db::encryption::inspect(path), Ok(cct_store::db::FileKind::Plain));
    if !converting {
        if let Err(report) = open(handle, path) {
            eprintln!("Church Course Tracker could not open {}: {}", path.display(), report.message);
            handle.state::<StartupProblem>().set(Some(report));
        }
        return;
    }
    handle.state::<StartupProblem>().set(Some(ErrorReport::new(
        ErrorCode::DatabaseOpening,
        "This computer's data is being encrypted, once, after the update. For a large church this takes a minute or two; the app opens by itself when it is done. Leave it running.",
    )));
    let (handle, path) = (handle.clone(), path.to_path_buf());
    std::thread::spawn(move || {
        let opened = open(&handle, &path);
        if let Err(report) = &opened {
            eprintln!("Church Course Tracker could not open {}: {}", path.display(), report.message);
        }
        handle.state::<StartupProblem>().set(opened.err());
    });
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
    tauri::async_runtime::spawn(background::team(app.clone(), background::TEAM_SYNC_EVERY, move |progress| {
        let _ = team_events.emit("team-progress", progress);
    }));
    tauri::async_runtime::spawn(background::print_labels(app.clone()));
    tauri::async_runtime::spawn(background::backups(
        app,
        background::FIRST_BACKUP_CHECK_AFTER,
        background::CHECK_BACKUP_EVERY,
    ));
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
    if let Some(opening) = problem.report().filter(|report| report.code == ErrorCode::DatabaseOpening) {
        return Err(opening);
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

/// What the recovery screen shows: the backups it can offer. Only while the database cannot be
/// opened; once the app is open, backups are the About page's, for those allowed.
#[tauri::command]
pub async fn recovery_backups<R: Runtime>(
    handle: AppHandle<R>,
    problem: State<'_, StartupProblem>,
) -> Reply<BackupStatus> {
    refuse_when_open(&handle, &problem)?;
    let path = problem.path.clone();
    blocking(move || {
        let mut status = backups::status_at(&path, chrono::Utc::now())?;
        if status.last_good.is_none() {
            status.in_folder.truncate(1);
        }
        if let Some(latest) = backups::latest_backup(&path) {
            status.in_folder.retain(|name| !latest.ends_with(name));
            status.in_folder.insert(0, latest.display().to_string());
        }
        Ok(status)
    })
    .await
}

/// Restores a backup (the latest one when `file` is `None`) with its recovery passphrase, in
/// place of the database that could not be opened (kept aside), and starts the app on it.
#[tauri::command]
pub async fn restore_at_start<R: Runtime>(
    handle: AppHandle<R>,
    problem: State<'_, StartupProblem>,
    file: Option<String>,
    passphrase: String,
) -> Reply<Restored> {
    refuse_when_open(&handle, &problem)?;
    let path = problem.path.clone();
    let restored = blocking({
        let path = path.clone();
        move || {
            let file = match file.filter(|f| !f.trim().is_empty()) {
                Some(file) => PathBuf::from(file.trim()),
                None => backups::latest_backup(&path).ok_or_else(|| {
                    ErrorReport::new(
                        ErrorCode::NoBackupFolder,
                        "No backup is recorded for this computer: choose a backup file.",
                    )
                    .on("file")
                })?,
            };
            recovery::restore_into(&path, &file, &passphrase, None)
        }
    })
    .await?;
    reopen(&handle, &problem, path).await?;
    Ok(restored)
}

/// Moves the database that could not be read aside (never deleting it) and starts afresh on a
/// new, empty one. Refused for any other start-up problem (another window has the database,
/// the disk is full): those pass, and the data is still good.
#[tauri::command]
pub async fn start_afresh<R: Runtime>(
    handle: AppHandle<R>,
    problem: State<'_, StartupProblem>,
) -> Reply<Option<String>> {
    refuse_when_open(&handle, &problem)?;
    let unreadable = problem
        .report()
        .is_some_and(|report| matches!(report.code, ErrorCode::DatabaseUnreadable | ErrorCode::DatabaseKeyMissing));
    if !unreadable {
        return Err(ErrorReport::new(
            ErrorCode::InvalidInput,
            "Starting afresh is only for a database that cannot be read. This one can: try again once the problem shown is solved.",
        ));
    }
    let path = problem.path.clone();
    let aside = blocking({
        let path = path.clone();
        move || recovery::start_afresh(&path)
    })
    .await?;
    reopen(&handle, &problem, path).await?;
    Ok(aside)
}

fn refuse_when_open<R: Runtime>(handle: &AppHandle<R>, problem: &StartupProblem) -> Reply<()> {
    if let Some(opening) = problem.report().filter(|report| report.code == ErrorCode::DatabaseOpening) {
        return Err(opening);
    }
    if handle.try_state::<App>().is_some() || problem.report().is_none() {
        return Err(ErrorReport::new(
            ErrorCode::PermissionDenied,
            "The database is open: restore a backup from the About page, signed in as an administrator.",
        ));
    }
    Ok(())
}

async fn reopen<R: Runtime>(handle: &AppHandle<R>, problem: &StartupProblem, path: PathBuf) -> Reply<()> {
    let opened = blocking({
        let handle = handle.clone();
        move || open(&handle, &path)
    })
    .await;
    problem.set(opened.clone().err());
    opened
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Reply<T> + Send + 'static) -> Reply<T> {
    tauri::async_runtime::spawn_blocking(work).await.map_err(|stopped| {
        ErrorReport::new(ErrorCode::Internal, format!("the work stopped before it finished: {stopped}"))
    })?
}
