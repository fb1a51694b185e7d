//! The office's work with rules attached: course and person pages, prerequisites, enrolling
//! (with the audited override), progress, attendance, certifications and the audit trail.
//! Each command hands the signed-in person to the store, which checks their permissions.

use crate::error::CommandError;
use crate::state::AppState;
use cct_domain::records::{AttendanceRecord, CoursePrerequisite, CourseEnrollment};
use cct_store::attendance::{self, MarkAttendance, RosterLine};
use cct_store::audit::{self, AuditEntry, AuditQuery};
use cct_store::certifications::{self, CertificationStanding, StandingFilter};
use cct_store::enrollment::{self, EnrollRequest};
use cct_store::progress::{self, CompletionInput};
use cct_store::views::{self, CourseDetail, PersonDetail};
use cct_store::settings::{self, OfficeRules};
use cct_store::{prerequisites, records};
use tauri::State;
use uuid::Uuid;

#[tauri::command]
pub async fn course_detail(state: State<'_, AppState>, course_id: Uuid) -> Result<CourseDetail, CommandError> {
    let actor = state.signed_in().await?;
    Ok(views::course_detail(&state.store, &actor, course_id).await?)
}

#[tauri::command]
pub async fn person_detail(state: State<'_, AppState>, people_id: Uuid) -> Result<PersonDetail, CommandError> {
    let actor = state.signed_in().await?;
    Ok(views::person_detail(&state.store, &actor, people_id).await?)
}

#[tauri::command]
pub async fn move_to_household(state: State<'_, AppState>, people_id: Uuid, to: cct_store::households::HouseholdMove) -> Result<cct_domain::records::Person, CommandError> {
    let actor = state.signed_in().await?;
    let mut tx = state.store.begin_write(&actor).await?;
    let person = cct_store::households::move_person(&mut tx, people_id, to).await?;
    tx.commit().await?;
    Ok(person)
}

#[tauri::command]
pub async fn add_prerequisite(state: State<'_, AppState>, course_id: Uuid, prerequisite_course_id: Uuid) -> Result<CoursePrerequisite, CommandError> {
    let actor = state.signed_in().await?;
    let mut tx = state.store.begin_write(&actor).await?;
    let edge = prerequisites::add(&mut tx, course_id, prerequisite_course_id).await?;
    tx.commit().await?;
    Ok(edge)
}

#[tauri::command]
pub async fn remove_prerequisite(state: State<'_, AppState>, prerequisite_id: Uuid) -> Result<CoursePrerequisite, CommandError> {
    let actor = state.signed_in().await?;
    let mut tx = state.store.begin_write(&actor).await?;
    let edge = records::deactivate::<CoursePrerequisite>(&mut tx, prerequisite_id).await?;
    tx.commit().await?;
    Ok(edge)
}

/// Enrolls a person. Missing prerequisites are refused (code `prerequisites_not_met`, naming
/// the courses) unless `override_reason` is given by someone allowed to override.
#[tauri::command]
pub async fn enroll(state: State<'_, AppState>, request: EnrollRequest) -> Result<CourseEnrollment, CommandError> {
    let actor = state.signed_in().await?;
    let mut tx = state.store.begin_write(&actor).await?;
    let enrollment = enrollment::enroll(&mut tx, request).await?;
    tx.commit().await?;
    Ok(enrollment)
}

#[tauri::command]
pub async fn drop_enrollment(state: State<'_, AppState>, enrollment_id: Uuid) -> Result<CourseEnrollment, CommandError> {
    let actor = state.signed_in().await?;
    let mut tx = state.store.begin_write(&actor).await?;
    let dropped = enrollment::drop_enrollment(&mut tx, enrollment_id).await?;
    tx.commit().await?;
    Ok(dropped)
}

#[tauri::command]
pub async fn complete_content(state: State<'_, AppState>, input: CompletionInput) -> Result<CourseEnrollment, CommandError> {
    let actor = state.signed_in().await?;
    let mut tx = state.store.begin_write(&actor).await?;
    let enrollment = progress::complete_content(&mut tx, input).await?;
    tx.commit().await?;
    Ok(enrollment)
}

#[tauri::command]
pub async fn undo_completion(state: State<'_, AppState>, course_enrollment_id: Uuid, content_id: Uuid) -> Result<CourseEnrollment, CommandError> {
    let actor = state.signed_in().await?;
    let mut tx = state.store.begin_write(&actor).await?;
    let enrollment = progress::undo_completion(&mut tx, course_enrollment_id, content_id).await?;
    tx.commit().await?;
    Ok(enrollment)
}

#[tauri::command]
pub async fn session_roster(state: State<'_, AppState>, class_session_id: Uuid) -> Result<Vec<RosterLine>, CommandError> {
    let actor = state.signed_in().await?;
    Ok(attendance::session_roster(&state.store, &actor, class_session_id).await?)
}

#[tauri::command]
pub async fn mark_attendance(state: State<'_, AppState>, input: MarkAttendance) -> Result<AttendanceRecord, CommandError> {
    let actor = state.signed_in().await?;
    let mut tx = state.store.begin_write(&actor).await?;
    let record = attendance::mark(&mut tx, input).await?;
    tx.commit().await?;
    Ok(record)
}

#[tauri::command]
pub async fn certification_standings(state: State<'_, AppState>, filter: StandingFilter) -> Result<Vec<CertificationStanding>, CommandError> {
    let actor = state.signed_in().await?;
    let today = chrono::Local::now().date_naive();
    Ok(certifications::standings(&state.store, &actor, filter, today).await?)
}

#[tauri::command]
pub async fn audit_log(state: State<'_, AppState>, query: AuditQuery) -> Result<Vec<AuditEntry>, CommandError> {
    let actor = state.signed_in().await?;
    Ok(audit::query(&state.store, &actor, &query).await?)
}

/// The thresholds the office sets: absences before an enrollment is flagged, days before expiry
/// a certification is "expiring soon".
#[tauri::command]
pub async fn office_rules(state: State<'_, AppState>) -> Result<OfficeRules, CommandError> {
    state.signed_in().await?;
    Ok(settings::office_rules(&state.store).await?)
}

#[tauri::command]
pub async fn set_office_rules(state: State<'_, AppState>, rules: OfficeRules) -> Result<OfficeRules, CommandError> {
    let actor = state.signed_in().await?;
    let mut tx = state.store.begin_write(&actor).await?;
    let saved = settings::set_office_rules(&mut tx, rules).await?;
    tx.commit().await?;
    Ok(saved)
}
