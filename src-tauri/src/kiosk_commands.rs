//! The check-in station (see `cct_app::station`). While kiosk mode is on, these are the only
//! commands that act, with a check-in volunteer's permissions at most.

use cct_app::printing::{PrinterTest, StationPrinters};
use cct_app::station::{Readiness, StaffApproval};
use cct_app::{App, Reply};
use cct_domain::records::AttendanceRecord;
use cct_store::checkin::station::{KioskStart, KioskView};
use cct_store::checkin::{
    CheckInResult, Collector, Coming, FamilySearch, Pickup, Released, VisitorInput, VisitorOutcome,
};
use tauri::State;
use uuid::Uuid;

#[tauri::command]
pub async fn start_kiosk(app: State<'_, App>, request: KioskStart) -> Reply<KioskView> {
    app.start_kiosk(request).await
}

#[tauri::command]
pub async fn leave_kiosk(app: State<'_, App>, pin: String) -> Reply<()> {
    app.blocking(move |app| app.leave_kiosk(&pin)).await
}

/// The station, if this laptop is one.
#[tauri::command]
pub async fn kiosk_status(app: State<'_, App>) -> Reply<Option<KioskView>> {
    app.blocking(|app| app.kiosk_status()).await
}

// Search and check-in are the station's busiest commands, and their work takes well under a
// millisecond. They run where the window's call arrives instead of being handed to a worker
// thread and back: on a 2-core machine those two hand-offs cost about as much as the check-in
// itself. The price: while another write holds the database (a background sync's batch), the
// station's window waits with it rather than beside.

#[tauri::command]
pub fn kiosk_find_family(app: State<'_, App>, text: String, class_session_id: Uuid) -> Reply<FamilySearch> {
    app.station_find_family(&text, class_session_id)
}

#[tauri::command]
pub fn kiosk_search(app: State<'_, App>, text: String, class_session_id: Uuid) -> Reply<FamilySearch> {
    app.station_search(&text, class_session_id)
}

/// With a staff approval (a full room), the staff member's password check runs here too: rare,
/// and a moment's wait is what staff expect from a sign-in.
#[tauri::command]
pub fn kiosk_check_in(
    app: State<'_, App>,
    class_session_id: Uuid,
    people_ids: Vec<Uuid>,
    serving: Option<bool>,
    approval: Option<StaffApproval>,
) -> Reply<CheckInResult> {
    let coming = if serving == Some(true) { Coming::Serving } else { Coming::Attending };
    app.station_check_in(class_session_id, &people_ids, coming, approval.as_ref())
}

#[tauri::command]
pub async fn kiosk_check_out(app: State<'_, App>, class_session_id: Uuid, people_id: Uuid) -> Reply<AttendanceRecord> {
    app.blocking(move |app| app.station_check_out(class_session_id, people_id)).await
}

#[tauri::command]
pub async fn kiosk_pickup(app: State<'_, App>, code: String) -> Reply<Pickup> {
    app.blocking(move |app| app.station_pickup(&code)).await
}

#[tauri::command]
pub async fn kiosk_release(
    app: State<'_, App>,
    code: String,
    people_ids: Vec<Uuid>,
    collected_by: Option<Collector>,
) -> Reply<Released> {
    app.blocking(move |app| app.station_release(&code, &people_ids, collected_by.as_ref())).await
}

#[tauri::command]
pub async fn kiosk_staff_release(
    app: State<'_, App>,
    class_session_id: Uuid,
    people_ids: Vec<Uuid>,
    collected_by: Option<Collector>,
    approval: StaffApproval,
) -> Reply<Released> {
    app.blocking(move |app| app.station_staff_release(class_session_id, &people_ids, collected_by.as_ref(), &approval))
        .await
}

#[tauri::command]
pub async fn kiosk_reprint(
    app: State<'_, App>,
    class_session_id: Uuid,
    people_id: Uuid,
    code: Option<String>,
    approval: Option<StaffApproval>,
) -> Reply<CheckInResult> {
    app.blocking(move |app| app.station_reprint(class_session_id, people_id, code.as_deref(), approval.as_ref())).await
}

#[tauri::command]
pub async fn kiosk_add_visitor(app: State<'_, App>, visitor: VisitorInput) -> Reply<VisitorOutcome> {
    app.blocking(move |app| app.station_add_visitor(visitor)).await
}

#[tauri::command]
pub async fn kiosk_readiness(app: State<'_, App>) -> Reply<Readiness> {
    app.blocking(|app| app.station_readiness()).await
}

#[tauri::command]
pub async fn kiosk_print_now(app: State<'_, App>) -> Reply<i64> {
    app.blocking(|app| app.station_print_now()).await
}

#[tauri::command]
pub async fn kiosk_print_cancel(app: State<'_, App>, job_id: Uuid) -> Reply<()> {
    app.blocking(move |app| app.station_print_cancel(job_id)).await
}

#[tauri::command]
pub async fn kiosk_printer_test(app: State<'_, App>) -> Reply<PrinterTest> {
    app.blocking(|app| app.station_printer_test()).await
}

/// This computer's printers and label sizes, for the administrator starting a station.
#[tauri::command]
pub async fn station_printers(app: State<'_, App>) -> Reply<StationPrinters> {
    app.blocking(|app| app.station_printers()).await
}
