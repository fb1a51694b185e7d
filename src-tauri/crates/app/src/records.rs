//! Create, read, update and retire any record kind the office edits directly. The store checks
//! the signed-in person's permission for each kind and refuses kinds whose writes carry rules of
//! their own (enrollments, completions, prerequisites, earned certifications, attendance).

use crate::{App, Reply};
use cct_domain::records::*;
use cct_domain::Record;
use cct_domain::{ErrorCode, ErrorReport};
use cct_store::office::{editing, people};
use cct_store::{records, ListQuery, Page};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use uuid::Uuid;

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
    PickupContact,
    Facility,
    Course,
    CourseOffering,
    Assessment,
    AssessmentAttempt,
    CourseModule,
    Content,
    ContentType,
    CoursePrerequisite,
    CourseRole,
    ClassSession,
    Certification,
    CertificationCourse,
    CertificationProgress,
    CertificationRecord,
    CourseEnrollment,
    ContentCompletion,
    AttendanceRecord,
}

/// Runs `$body` with `$T` bound to the record type of `$kind`.
macro_rules! for_kind {
    ($kind:expr, $T:ident => $body:expr) => {
        match $kind {
            RecordKind::People => {
                type $T = Person;
                $body
            }
            RecordKind::Household => {
                type $T = Household;
                $body
            }
            RecordKind::Campus => {
                type $T = Campus;
                $body
            }
            RecordKind::Role => {
                type $T = Role;
                $body
            }
            RecordKind::PeopleCampus => {
                type $T = PeopleCampus;
                $body
            }
            RecordKind::PeopleRole => {
                type $T = PeopleRole;
                $body
            }
            RecordKind::SpecialRequirement => {
                type $T = SpecialRequirement;
                $body
            }
            RecordKind::PickupContact => {
                type $T = PickupContact;
                $body
            }
            RecordKind::Facility => {
                type $T = Facility;
                $body
            }
            RecordKind::Course => {
                type $T = Course;
                $body
            }
            RecordKind::CourseOffering => {
                type $T = CourseOffering;
                $body
            }
            RecordKind::Assessment => {
                type $T = Assessment;
                $body
            }
            RecordKind::AssessmentAttempt => {
                type $T = AssessmentAttempt;
                $body
            }
            RecordKind::CourseModule => {
                type $T = CourseModule;
                $body
            }
            RecordKind::Content => {
                type $T = Content;
                $body
            }
            RecordKind::ContentType => {
                type $T = ContentType;
                $body
            }
            RecordKind::CoursePrerequisite => {
                type $T = CoursePrerequisite;
                $body
            }
            RecordKind::CourseRole => {
                type $T = CourseRole;
                $body
            }
            RecordKind::ClassSession => {
                type $T = ClassSession;
                $body
            }
            RecordKind::Certification => {
                type $T = Certification;
                $body
            }
            RecordKind::CertificationCourse => {
                type $T = CertificationCourse;
                $body
            }
            RecordKind::CertificationProgress => {
                type $T = CertificationProgress;
                $body
            }
            RecordKind::CertificationRecord => {
                type $T = CertificationRecord;
                $body
            }
            RecordKind::CourseEnrollment => {
                type $T = CourseEnrollment;
                $body
            }
            RecordKind::ContentCompletion => {
                type $T = ContentCompletion;
                $body
            }
            RecordKind::AttendanceRecord => {
                type $T = AttendanceRecord;
                $body
            }
        }
    };
}

impl App {
    pub fn list_records(&self, kind: RecordKind, query: &ListQuery) -> Reply<Page<Value>> {
        let actor = self.signed_in()?;
        for_kind!(kind, T => {
            let page = records::list::<T>(self.store(), &actor, query)?;
            Ok(Page { items: page.items.iter().map(to_value).collect::<Reply<_>>()?, total: page.total, limit: page.limit, offset: page.offset })
        })
    }

    pub fn get_record(&self, kind: RecordKind, id: Uuid) -> Reply<Value> {
        let actor = self.signed_in()?;
        for_kind!(kind, T => to_value(&records::get::<T>(self.store(), &actor, id)?))
    }

    /// Creates a record from a form's fields; the store fills in the id, timestamps and author.
    pub fn create_record(&self, kind: RecordKind, form: Value) -> Reply<Value> {
        let actor = self.signed_in()?;
        for_kind!(kind, T => {
            // Refused before the form is read: someone who may not write learns nothing of its rules.
            people::require(&actor, T::RESOURCE.write_permission())?;
            let record: T = from_form(without_managed_columns(form))?;
            to_value(&self.store().write(&actor, |tx| editing::create(tx, record))?)
        })
    }

    /// Replaces a record's editable fields with the form's; only what changed is audited.
    pub fn update_record(&self, kind: RecordKind, form: Value) -> Reply<Value> {
        let actor = self.signed_in()?;
        for_kind!(kind, T => {
            people::require(&actor, T::RESOURCE.write_permission())?;
            let record: T = from_form(form)?;
            to_value(&self.store().write(&actor, |tx| editing::update(tx, record))?)
        })
    }

    /// Retires a record. Nothing is ever removed: history, sync and the audit trail keep it.
    pub fn retire_record(&self, kind: RecordKind, id: Uuid) -> Reply<Value> {
        let actor = self.signed_in()?;
        for_kind!(kind, T => to_value(&self.store().write(&actor, |tx| editing::retire::<T>(tx, id))?))
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
fn from_form<T: serde::de::DeserializeOwned>(value: Value) -> Reply<T> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let field = error.path().to_string();
        let inner = error.into_inner().to_string();
        let (field, message) = match inner.strip_prefix("missing field `").and_then(|rest| rest.split_once('`')) {
            Some((missing, _)) => (missing.to_owned(), format!("{missing} is required")),
            None => (field.clone(), format!("{field}: {inner}")),
        };
        ErrorReport { code: ErrorCode::InvalidInput, message, field: Some(field).filter(|f| !f.is_empty() && f != ".") }
    })
}

fn to_value<T: Serialize>(record: &T) -> Reply<Value> {
    serde_json::to_value(record)
        .map_err(|e| ErrorReport::new(ErrorCode::Internal, format!("a record could not be sent to the window: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_form_that_does_not_fit_names_its_field() {
        let missing = from_form::<Course>(json!({ "description": "no name" })).unwrap_err();
        assert_eq!(
            (missing.code, missing.field.as_deref(), missing.message.as_str()),
            (ErrorCode::InvalidInput, Some("name"), "name is required")
        );
        let wrong = from_form::<Course>(json!({ "name": "Alpha", "max_capacity": "lots" })).unwrap_err();
        assert_eq!(wrong.field.as_deref(), Some("max_capacity"), "{}", wrong.message);
    }

    #[test]
    fn a_new_record_takes_no_id_or_stamps_from_the_form() {
        let cleaned = without_managed_columns(json!({ "id": "x", "created_by": "y", "name": "Alpha" }));
        assert_eq!(cleaned, json!({ "name": "Alpha" }));
    }
}
