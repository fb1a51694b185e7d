//! CSV import (preview first, then the real thing with progress and cancel) and export to the
//! Downloads folder. The rules live in `cct_store::csv_transfer`.

use crate::error::CommandError;
use crate::state::AppState;
use cct_store::csv_transfer::{self, CsvKind, ImportReport, Mode};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use ts_rs::TS;

/// Shows what an import would do, row by row, and changes nothing.
#[tauri::command]
pub async fn preview_import(state: State<'_, AppState>, kind: CsvKind, text: String) -> Result<ImportReport, CommandError> {
    let actor = state.signed_in().await?;
    let never = std::sync::atomic::AtomicBool::new(false);
    Ok(csv_transfer::import(&state.store, &actor, kind, &text, Mode::Preview, &never, |_, _| {}).await?)
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportProgress {
    pub done: usize,
    pub total: usize,
}

/// Imports the rows that apply, in batches; emits `import-progress` after each batch and stops
/// between batches after `cancel_import`.
#[tauri::command]
pub async fn run_import<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, kind: CsvKind, text: String) -> Result<ImportReport, CommandError> {
    let actor = state.signed_in().await?;
    // A cancel pressed after the previous import ended must not stop this one.
    state.import_cancel.store(false, Ordering::SeqCst);
    let report = csv_transfer::import(&state.store, &actor, kind, &text, Mode::Commit, &state.import_cancel, |done, total| {
        let _ = app.emit("import-progress", ImportProgress { done, total });
    })
    .await?;
    state.import_cancel.store(false, Ordering::SeqCst);
    Ok(report)
}

#[tauri::command]
pub async fn cancel_import(state: State<'_, AppState>) -> Result<(), CommandError> {
    state.import_cancel.store(true, Ordering::SeqCst);
    Ok(())
}

/// Writes the CSV to the Downloads folder and returns where it went.
#[tauri::command]
pub async fn export_csv<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, kind: CsvKind) -> Result<String, CommandError> {
    let actor = state.signed_in().await?;
    let (text, stem) = match kind {
        CsvKind::People => (csv_transfer::export_people(&state.store, &actor).await?, "people"),
        CsvKind::Enrollments => (csv_transfer::export_enrollments(&state.store, &actor).await?, "enrollments"),
    };
    let paths = app.path();
    let folder = [paths.download_dir(), paths.document_dir(), paths.home_dir(), paths.app_data_dir()]
        .into_iter()
        .flatten()
        .find(|dir| dir.is_dir())
        .ok_or_else(|| CommandError::new("no_folder", "There is no Downloads, Documents or home folder to save the file in."))?;
    let path = free_name(&folder, &format!("{stem}-{}", chrono::Local::now().format("%Y-%m-%d")));
    // Written beside, then renamed, so a crash never leaves half a file under the real name.
    let partial = path.with_extension("csv.part");
    std::fs::write(&partial, text.as_bytes())
        .and_then(|_| std::fs::rename(&partial, &path))
        .map_err(|e| CommandError::new("export_failed", format!("Could not save {}: {e}", path.display())))?;
    Ok(path.display().to_string())
}

fn free_name(folder: &Path, stem: &str) -> PathBuf {
    let first = folder.join(format!("{stem}.csv"));
    if !first.exists() {
        return first;
    }
    (2..).map(|n| folder.join(format!("{stem}-{n}.csv"))).find(|p| !p.exists()).unwrap_or(first)
}
