//! Create, read, update and retire any record kind the office edits directly. The store checks
//! the signed-in person's permission for each kind; records with their own rules (enrollments,
//! completions, prerequisites, earned certifications) are written only through their commands.

use crate::error::CommandError;
use crate::state::AppState;
use cct_domain::records::*;
use cct_store::{records, ListQuery, Page};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::State;
use uuid::Uuid;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    People,
    Household,
    Campus,
    Role,
    PeopleCampus,
    PeopleRole,
    SpecialRequirement,
    Facility,
    Course,
    CourseModule,
    Content,
    ContentType,
    CoursePrerequisite,
    CourseRole,
    ClassSession,
    Certification,
    CertificationCourse,
    CertificationProgress,
    CourseEnrollment,
    ContentCompletion,
    AttendanceRecord,
}

impl RecordKind {
    /// The command that writes a kind whose writes carry rules of their own.
    fn dedicated_command(self) -> Option<&'static str> {
        match self {
            RecordKind::CourseEnrollment => Some("enroll / drop_enrollment"),
            RecordKind::ContentCompletion => Some("complete_content / undo_completion"),
            RecordKind::CoursePrerequisite => Some("add_prerequisite / remove_prerequisite"),
            RecordKind::CertificationProgress => Some("complete the certification's courses"),
            RecordKind::AttendanceRecord => Some("mark_attendance"),
            _ => None,
        }
    }
}

/// Runs `$body` with `$T` bound to the record type of `$kind`.
macro_rules! for_kind {
    ($kind:expr, $T:ident => $body:expr) => {
        match $kind {
            RecordKind::People => { type $T = Person; $body }
            RecordKind::Household => { type $T = Household; $body }
            RecordKind::Campus => { type $T = Campus; $body }
            RecordKind::Role => { type $T = Role; $body }
            RecordKind::PeopleCampus => { type $T = PeopleCampus; $body }
            RecordKind::PeopleRole => { type $T = PeopleRole; $body }
            RecordKind::SpecialRequirement => { type $T = SpecialRequirement; $body }
            RecordKind::Facility => { type $T = Facility; $body }
            RecordKind::Course => { type $T = Course; $body }
            RecordKind::CourseModule => { type $T = CourseModule; $body }
            RecordKind::Content => { type $T = Content; $body }
            RecordKind::ContentType => { type $T = ContentType; $body }
            RecordKind::CoursePrerequisite => { type $T = CoursePrerequisite; $body }
            RecordKind::CourseRole => { type $T = CourseRole; $body }
            RecordKind::ClassSession => { type $T = ClassSession; $body }
            RecordKind::Certification => { type $T = Certification; $body }
            RecordKind::CertificationCourse => { type $T = CertificationCourse; $body }
            RecordKind::CertificationProgress => { type $T = CertificationProgress; $body }
            RecordKind::CourseEnrollment => { type $T = CourseEnrollment; $body }
            RecordKind::ContentCompletion => { type $T = ContentCompletion; $body }
            RecordKind::AttendanceRecord => { type $T = AttendanceRecord; $body }
        }
    };
}

#[tauri::command]
pub async fn list_records(state: State<'_, AppState>, kind: RecordKind, query: Option<ListQuery>) -> Result<Page<Value>, CommandError> {
    let actor = state.signed_in().await?;
    let query = query.unwrap_or_default();
    for_kind!(kind, T => {
        let page = records::list::<T>(&state.store, &actor, &query).await?;
        Ok(Page { items: page.items.iter().map(to_value).collect::<Result<_, _>>()?, total: page.total, limit: page.limit, offset: page.offset })
    })
}

#[tauri::command]
pub async fn get_record(state: State<'_, AppState>, kind: RecordKind, id: Uuid) -> Result<Value, CommandError> {
    let actor = state.signed_in().await?;
    for_kind!(kind, T => to_value(&records::get::<T>(&state.store, &actor, id).await?))
}

/// Creates a record from the form's fields; the store fills in the id, timestamps and author.
#[tauri::command]
pub async fn create_record(state: State<'_, AppState>, kind: RecordKind, record: Value) -> Result<Value, CommandError> {
    let actor = state.signed_in().await?;
    refuse_dedicated(kind)?;
    for_kind!(kind, T => {
        let record: T = from_form(without_managed_columns(record))?;
        let mut tx = state.store.begin_write(&actor).await?;
        let saved = records::insert(&mut tx, record).await?;
        cct_store::progress::follow_course_change(&mut tx, &saved).await?;
        tx.commit().await?;
        to_value(&saved)
    })
}

/// Replaces a record's editable fields with the form's; only what changed is audited.
#[tauri::command]
pub async fn update_record(state: State<'_, AppState>, kind: RecordKind, record: Value) -> Result<Value, CommandError> {
    let actor = state.signed_in().await?;
    refuse_dedicated(kind)?;
    for_kind!(kind, T => {
        let record: T = from_form(record)?;
        let mut tx = state.store.begin_write(&actor).await?;
        let saved = records::update(&mut tx, record).await?;
        cct_store::progress::follow_course_change(&mut tx, &saved).await?;
        tx.commit().await?;
        to_value(&saved)
    })
}

/// Retires a record. Nothing is ever removed: history, sync and the audit trail keep it.
#[tauri::command]
pub async fn deactivate_record(state: State<'_, AppState>, kind: RecordKind, id: Uuid) -> Result<Value, CommandError> {
    let actor = state.signed_in().await?;
    refuse_dedicated(kind)?;
    for_kind!(kind, T => {
        let mut tx = state.store.begin_write(&actor).await?;
        let saved = records::deactivate::<T>(&mut tx, id).await?;
        cct_store::progress::follow_course_change(&mut tx, &saved).await?;
        tx.commit().await?;
        to_value(&saved)
    })
}

fn refuse_dedicated(kind: RecordKind) -> Result<(), CommandError> {
    match kind.dedicated_command() {
        Some(command) => Err(CommandError::new("use_dedicated_command", format!("These records have rules of their own; change them with {command}."))),
        None => Ok(()),
    }
}

/// A new record's id and bookkeeping come from the store, whatever the form sent.
fn without_managed_columns(mut record: Value) -> Value {
    if let Value::Object(map) = &mut record {
        for column in ["id", "created_at", "updated_at", "created_by", "updated_by"] {
            map.remove(column);
        }
    }
    record
}

/// Reads a form into a record, naming the field that does not fit.
fn from_form<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, CommandError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let field = error.path().to_string();
        let inner = error.into_inner().to_string();
        let (field, message) = match inner.strip_prefix("missing field `").and_then(|rest| rest.split_once('`')) {
            Some((missing, _)) => (missing.to_owned(), format!("{missing} is required")),
            None => (field.clone(), format!("{field}: {inner}")),
        };
        CommandError { code: "invalid_input".into(), message, field: Some(field).filter(|f| !f.is_empty() && f != ".") }
    })
}

fn to_value<T: Serialize>(record: &T) -> Result<Value, CommandError> {
    serde_json::to_value(record).map_err(|e| CommandError::new("internal_error", format!("a record could not be sent to the window: {e}")))
}
