//! The office's work with rules attached: course and person pages, prerequisites, enrolling
//! (with the audited override), progress, attendance, certifications and the audit trail.
//! Each command hands the signed-in person to the store, which checks their permissions.

use cct_app::{App, Reply};
use cct_domain::records::{AttendanceRecord, CourseEnrollment, CoursePrerequisite, Person};
use cct_store::office::assessments::{self, AttemptInput};
use cct_store::office::attendance::{self, MarkAttendance, RosterLine};
use cct_store::office::audit::{self, AuditComputer, AuditEntry, AuditQuery};
use cct_store::office::certifications::{self, CertificationStanding, HistoryLine, StandingFilter};
use cct_store::office::enrollment::{self, EnrollRequest};
use cct_store::office::households::{self, HouseholdMove};
use cct_store::office::offerings::{self, OfferingSummary};
use cct_store::office::prerequisites;
use cct_store::office::progress::{self, CompletionInput};
use cct_store::office::renewals::{self, RenewalDue};
use cct_store::office::settings::{self, ChurchSetting, OfficeRules};
use cct_store::office::views::{self, CourseDetail, PersonDetail};
use cct_store::planning_center::caches::CachedEvent;
use tauri::State;
use uuid::Uuid;

/// Today's rooms: who is in and who has left, counts against capacity and ratio.
#[tauri::command]
pub async fn rooms_today(app: State<'_, App>) -> Reply<Vec<cct_store::checkin::RoomNow>> {
    app.read(cct_store::checkin::rooms_today).await
}

#[tauri::command]
pub async fn course_detail(app: State<'_, App>, course_id: Uuid) -> Reply<CourseDetail> {
    app.read(move |store, actor| views::course_detail(store, actor, course_id)).await
}

#[tauri::command]
pub async fn person_detail(app: State<'_, App>, people_id: Uuid) -> Reply<PersonDetail> {
    app.read(move |store, actor| views::person_detail(store, actor, people_id)).await
}

#[tauri::command]
pub async fn move_to_household(app: State<'_, App>, people_id: Uuid, to: HouseholdMove) -> Reply<Person> {
    app.write(move |tx| households::move_person(tx, people_id, to)).await
}

#[tauri::command]
pub async fn add_prerequisite(
    app: State<'_, App>,
    course_id: Uuid,
    prerequisite_course_id: Uuid,
) -> Reply<CoursePrerequisite> {
    app.write(move |tx| prerequisites::add(tx, course_id, prerequisite_course_id)).await
}

#[tauri::command]
pub async fn remove_prerequisite(app: State<'_, App>, prerequisite_id: Uuid) -> Reply<CoursePrerequisite> {
    app.write(move |tx| prerequisites::remove(tx, prerequisite_id)).await
}

/// Enrolls a person. Missing prerequisites are refused (code `prerequisites_not_met`, naming
/// the courses) unless `override_reason` is given by someone allowed to override.
#[tauri::command]
pub async fn enroll(app: State<'_, App>, request: EnrollRequest) -> Reply<CourseEnrollment> {
    app.write(move |tx| enrollment::enroll(tx, request)).await
}

#[tauri::command]
pub async fn drop_enrollment(app: State<'_, App>, enrollment_id: Uuid) -> Reply<CourseEnrollment> {
    app.write(move |tx| enrollment::drop_enrollment(tx, enrollment_id)).await
}

#[tauri::command]
pub async fn complete_content(app: State<'_, App>, input: CompletionInput) -> Reply<CourseEnrollment> {
    app.write(move |tx| progress::complete_content(tx, input)).await
}

#[tauri::command]
pub async fn undo_completion(
    app: State<'_, App>,
    course_enrollment_id: Uuid,
    content_id: Uuid,
) -> Reply<CourseEnrollment> {
    app.write(move |tx| progress::undo_completion(tx, course_enrollment_id, content_id)).await
}

#[tauri::command]
pub async fn session_roster(app: State<'_, App>, class_session_id: Uuid) -> Reply<Vec<RosterLine>> {
    app.read(move |store, actor| attendance::session_roster(store, actor, class_session_id)).await
}

#[tauri::command]
pub async fn mark_attendance(app: State<'_, App>, input: MarkAttendance) -> Reply<AttendanceRecord> {
    app.write(move |tx| attendance::mark(tx, input)).await
}

#[tauri::command]
pub async fn certification_standings(app: State<'_, App>, filter: StandingFilter) -> Reply<Vec<CertificationStanding>> {
    app.read(move |store, actor| certifications::standings(store, actor, filter, chrono::Local::now().date_naive()))
        .await
}

/// Records a score for an attempt at an assessment; the enrollment's progress follows.
#[tauri::command]
pub async fn record_assessment_attempt(app: State<'_, App>, input: AttemptInput) -> Reply<CourseEnrollment> {
    app.write(move |tx| assessments::record_attempt(tx, input).map(|(_, enrollment)| enrollment)).await
}

/// The Planning Center signups an offering may be mapped to (as the last sync saw them).
#[tauri::command]
pub async fn planning_center_signups(app: State<'_, App>) -> Reply<Vec<CachedEvent>> {
    app.read(cct_store::planning_center::caches::cached_events).await
}

/// A course's offerings: upcoming, running and past.
#[tauri::command]
pub async fn course_offerings(app: State<'_, App>, course_id: Uuid) -> Reply<Vec<OfferingSummary>> {
    app.read(move |store, actor| offerings::of_course(store, actor, course_id, chrono::Local::now().date_naive())).await
}

/// Every time a person earned each certification, the latest first.
#[tauri::command]
pub async fn certification_history(app: State<'_, App>, people_id: Uuid) -> Reply<Vec<HistoryLine>> {
    app.read(move |store, actor| certifications::history(store, actor, people_id)).await
}

/// Certifications expiring inside the office's window or expired, with the next offering
/// that renews each.
#[tauri::command]
pub async fn renewals_due(app: State<'_, App>) -> Reply<Vec<RenewalDue>> {
    app.read(move |store, actor| renewals::due(store, actor, chrono::Local::now().date_naive())).await
}

/// *Enroll in the next offering*: enrolls the person in the next offering of the course that
/// renews the certification.
#[tauri::command]
pub async fn enroll_for_renewal(
    app: State<'_, App>,
    people_id: Uuid,
    certification_id: Uuid,
) -> Reply<CourseEnrollment> {
    app.write(move |tx| renewals::enroll_for_renewal(tx, people_id, certification_id)).await
}

#[tauri::command]
pub async fn audit_log(app: State<'_, App>, query: AuditQuery) -> Reply<Vec<AuditEntry>> {
    app.read(move |store, actor| audit::query(store, actor, &query)).await
}

/// The computers the audit trail holds rows from (every computer of the team, once synced).
#[tauri::command]
pub async fn audit_computers(app: State<'_, App>) -> Reply<Vec<AuditComputer>> {
    app.read(audit::computers).await
}

/// The church's settings as set, each with who set it, when, and on which computer.
#[tauri::command]
pub async fn church_settings(app: State<'_, App>) -> Reply<Vec<ChurchSetting>> {
    app.read(|store, _| settings::church_settings(store)).await
}

/// The thresholds the office sets: absences before an enrollment is flagged, days before expiry
/// a certification is "expiring soon".
#[tauri::command]
pub async fn office_rules(app: State<'_, App>) -> Reply<OfficeRules> {
    app.read(|store, _| settings::office_rules(store)).await
}

#[tauri::command]
pub async fn set_office_rules(app: State<'_, App>, rules: OfficeRules) -> Reply<OfficeRules> {
    app.write(move |tx| settings::set_office_rules(tx, rules)).await
}
