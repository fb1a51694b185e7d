//! The desktop shell: opens the app, registers the commands, and hosts the web UI. Each command
//! checks who is asking (through `cct_app::App`), calls one function of a core crate, and hands
//! back its `Reply`; every rule lives in `cct-store`, `cct-domain` and `cct-app`, checked in
//! Rust whatever the UI shows.

pub mod backup_commands;
pub mod bindings;
pub mod commands;
pub mod kiosk_commands;
pub mod office_commands;
pub mod record_commands;
pub mod report_commands;
pub mod session_commands;
pub mod startup;
pub mod sync_commands;
pub mod team_commands;
pub mod transfer_commands;
pub mod updates;

use cct_app::App;
use std::path::PathBuf;
use tauri::{Manager, Runtime};

/// Environment variable naming the database file, for tests and for trying the app with a
/// throw-away database. Unset, the database lives in the OS's app-data folder.
pub const DATABASE_ENV: &str = "CCT_DATABASE";

/// Registers the commands on any runtime (the real one, or Tauri's mock in tests).
pub fn with_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        startup::startup_problem,
        startup::retry_start,
        startup::recovery_backups,
        startup::restore_at_start,
        startup::start_afresh,
        backup_commands::backup_status,
        backup_commands::set_up_backups,
        backup_commands::back_up_now,
        backup_commands::inspect_backup,
        backup_commands::restore_backup,
        backup_commands::restore_on_first_run,
        commands::app_status,
        session_commands::set_up_office,
        session_commands::sign_in_screen,
        session_commands::sign_in,
        session_commands::sign_in_to_demo,
        session_commands::unlock,
        session_commands::accept_invitation,
        session_commands::set_first_password,
        session_commands::still_here,
        session_commands::lock,
        session_commands::sign_out,
        session_commands::invite_to_sign_in,
        commands::load_demo_church,
        commands::search_people,
        commands::list_courses,
        record_commands::list_records,
        record_commands::get_record,
        record_commands::create_record,
        record_commands::update_record,
        record_commands::deactivate_record,
        office_commands::course_detail,
        office_commands::office_rules,
        office_commands::set_office_rules,
        office_commands::person_detail,
        office_commands::move_to_household,
        office_commands::add_prerequisite,
        office_commands::remove_prerequisite,
        office_commands::enroll,
        office_commands::drop_enrollment,
        office_commands::complete_content,
        office_commands::undo_completion,
        office_commands::session_roster,
        office_commands::mark_attendance,
        office_commands::certification_standings,
        office_commands::course_offerings,
        office_commands::planning_center_signups,
        office_commands::record_assessment_attempt,
        office_commands::certification_history,
        office_commands::renewals_due,
        office_commands::enroll_for_renewal,
        office_commands::audit_log,
        office_commands::audit_computers,
        office_commands::church_settings,
        office_commands::rooms_today,
        transfer_commands::preview_import,
        transfer_commands::run_import,
        transfer_commands::cancel_import,
        transfer_commands::export_csv,
        report_commands::report_attendance,
        report_commands::report_visitors,
        report_commands::report_funnel,
        report_commands::report_certifications,
        report_commands::report_rooms,
        report_commands::export_report_csv,
        kiosk_commands::start_kiosk,
        kiosk_commands::leave_kiosk,
        kiosk_commands::kiosk_status,
        kiosk_commands::kiosk_search,
        kiosk_commands::kiosk_find_family,
        kiosk_commands::kiosk_check_in,
        kiosk_commands::kiosk_check_out,
        kiosk_commands::kiosk_reprint,
        kiosk_commands::kiosk_pickup,
        kiosk_commands::kiosk_release,
        kiosk_commands::kiosk_staff_release,
        kiosk_commands::kiosk_add_visitor,
        kiosk_commands::kiosk_readiness,
        kiosk_commands::kiosk_print_now,
        kiosk_commands::kiosk_print_cancel,
        kiosk_commands::kiosk_printer_test,
        kiosk_commands::station_printers,
        updates::update_status,
        updates::check_for_update,
        updates::check_for_update_on_start,
        updates::download_update,
        updates::install_update_and_restart,
        updates::set_update_endpoint,
        sync_commands::planning_center_status,
        sync_commands::sign_in_with_browser,
        sync_commands::sign_in_with_token,
        sync_commands::sign_out_of_planning_center,
        sync_commands::sync_now,
        sync_commands::cancel_sync,
        sync_commands::resolve_possible_duplicate,
        sync_commands::map_planning_center_field,
        sync_commands::subscribe_planning_center_webhooks,
        team_commands::team_status,
        team_commands::team_devices,
        team_commands::team_compaction,
        team_commands::create_team,
        team_commands::join_team,
        team_commands::make_join_code,
        team_commands::remove_team_device,
        team_commands::leave_team,
        team_commands::sync_team_now,
    ])
}

/// What the commands share, for an app opened elsewhere (the tests): the app, and the update
/// the updater plugin found (its own type). The real app starts through [`startup::start`].
pub fn manage<R: Runtime>(handle: &tauri::AppHandle<R>, app: App) {
    handle.manage(startup::StartupProblem::none(app.store().path()));
    handle.manage(app);
    handle.manage(updates::Pending::default());
}

pub fn run() {
    let mut builder = tauri::Builder::default();
    // One app per database. On the office's own database, a second launch brings the first
    // window forward (the plugin must come before any other). A database named by CCT_DATABASE
    // (a throw-away one, or a test's) may run beside another app; the store's lock file still
    // refuses a second app on the same file, whichever it is.
    if std::env::var_os(DATABASE_ENV).is_none() {
        builder = builder.plugin(tauri_plugin_single_instance::init(|handle, _args, _cwd| bring_forward(handle)));
    }
    let app = with_commands(builder)
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(|tauri_app| {
            let path = database_path(tauri_app.path().app_data_dir().ok());
            startup::start(tauri_app.handle(), &path);
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

/// Shows the main window, in front, after a second launch was turned away.
fn bring_forward<R: Runtime>(handle: &tauri::AppHandle<R>) {
    if let Some(window) = handle.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

fn database_path(app_data: Option<PathBuf>) -> PathBuf {
    if let Some(path) = std::env::var_os(DATABASE_ENV) {
        return PathBuf::from(path);
    }
    app_data.unwrap_or_else(|| PathBuf::from(".")).join("church-course-tracker.sqlite")
}
