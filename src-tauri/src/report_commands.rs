//! The office's reports: each command checks who asks and works the report out in Rust (see
//! `cct_app::reports`); the window only draws it.

use crate::transfer_commands::save_folders;
use cct_app::reports::ReportKind;
use cct_app::{App, Reply};
use cct_store::reports::attendance::AttendanceReport;
use cct_store::reports::certifications::CertificationReport;
use cct_store::reports::funnel::FunnelReport;
use cct_store::reports::rooms::RoomsReport;
use cct_store::reports::visitors::VisitorReport;
use cct_store::reports::ReportFilter;
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub async fn report_attendance(app: State<'_, App>, filter: ReportFilter) -> Reply<AttendanceReport> {
    app.blocking(move |app| app.report_attendance(&filter)).await
}

#[tauri::command]
pub async fn report_visitors(app: State<'_, App>, filter: ReportFilter) -> Reply<VisitorReport> {
    app.blocking(move |app| app.report_visitors(&filter)).await
}

#[tauri::command]
pub async fn report_funnel(app: State<'_, App>, filter: ReportFilter) -> Reply<FunnelReport> {
    app.blocking(move |app| app.report_funnel(&filter)).await
}

#[tauri::command]
pub async fn report_certifications(app: State<'_, App>, filter: ReportFilter) -> Reply<CertificationReport> {
    app.blocking(move |app| app.report_certifications(&filter)).await
}

#[tauri::command]
pub async fn report_rooms(app: State<'_, App>, filter: ReportFilter) -> Reply<RoomsReport> {
    app.blocking(move |app| app.report_rooms(&filter)).await
}

/// Saves the report's numbers as CSV (Downloads, else Documents, else home) and says where.
#[tauri::command]
pub async fn export_report_csv<R: Runtime>(
    window: AppHandle<R>,
    app: State<'_, App>,
    kind: ReportKind,
    filter: ReportFilter,
) -> Reply<String> {
    let folders = save_folders(&window);
    app.blocking(move |app| Ok(app.export_report_csv(kind, &filter, &folders)?.display().to_string())).await
}
