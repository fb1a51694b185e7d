//! CSV import (preview first, then the real thing with progress and cancel) and export to the
//! Downloads folder (see `cct_app::transfer`).

use cct_app::{App, Reply};
use cct_store::transfer::{CsvKind, ImportReport};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

/// Shows what an import would do, row by row, and changes nothing.
#[tauri::command]
pub async fn preview_import(app: State<'_, App>, kind: CsvKind, text: String) -> Reply<ImportReport> {
    app.blocking(move |app| app.preview_import(kind, &text)).await
}

/// Imports the rows that apply, in batches; emits `import-progress` after each batch and stops
/// between batches after `cancel_import`.
#[tauri::command]
pub async fn run_import<R: Runtime>(
    window: AppHandle<R>,
    app: State<'_, App>,
    kind: CsvKind,
    text: String,
) -> Reply<ImportReport> {
    app.blocking(move |app| {
        app.run_import(kind, &text, |progress| {
            let _ = window.emit("import-progress", progress);
        })
    })
    .await
}

#[tauri::command]
pub async fn cancel_import(app: State<'_, App>) -> Reply<()> {
    app.cancel_import();
    Ok(())
}

/// Writes the CSV to the Downloads folder (or Documents, or home) and returns where it went.
#[tauri::command]
pub async fn export_csv<R: Runtime>(window: AppHandle<R>, app: State<'_, App>, kind: CsvKind) -> Reply<String> {
    let folders = save_folders(&window);
    app.blocking(move |app| Ok(app.export_csv(kind, &folders)?.display().to_string())).await
}

/// Where an exported file goes: Downloads, else Documents, else home, else the app's folder.
pub fn save_folders<R: Runtime>(window: &AppHandle<R>) -> Vec<std::path::PathBuf> {
    let paths = window.path();
    [paths.download_dir(), paths.document_dir(), paths.home_dir(), paths.app_data_dir()].into_iter().flatten().collect()
}
