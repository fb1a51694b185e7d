//! Records the office edits directly, whatever their kind: created, changed or retired with
//! their audit trail, and where a record shapes a course's progress (the course itself, its
//! content, its sessions) every enrollment of the course follows in the same transaction.
//! Kinds whose writes carry rules of their own are refused here and written only through
//! their own operations.

use crate::db::{Query, Result, StoreError, WriteTx};
use crate::office::{offerings, people, progress};
use crate::planning_center::background_checks::owned_by_planning_center;
use crate::records;
use cct_domain::Record;
use uuid::Uuid;

/// The operation that writes a kind with rules of its own, if `T` is one.
fn own_operation<T: Record>() -> Option<&'static str> {
    match T::TABLE {
        "course_enrollment" => Some("enroll / drop_enrollment"),
        "content_completion" => Some("complete_content / undo_completion"),
        "course_prerequisite" => Some("add_prerequisite / remove_prerequisite"),
        "certification_progress" => Some("complete the certification's courses"),
        "certification_record" => Some("complete the certification's courses, or its refresher"),
        "attendance_record" => Some("mark_attendance"),
        "assessment_attempt" => Some("record_assessment_attempt"),
        _ => None,
    }
}

fn refuse_kinds_with_own_rules<T: Record>() -> Result<()> {
    match own_operation::<T>() {
        Some(operation) => Err(StoreError::OwnRules { table: T::TABLE, operation }),
        None => Ok(()),
    }
}

/// Planning Center keeps its background checks: the certification they are held under is not
/// made, changed, retired or given courses here (the standings in it are refused above, as
/// every certification's are). `existing` is the id of the record being changed, if any.
fn refuse_what_planning_center_keeps<T: Record>(
    tx: &WriteTx<'_>,
    record: Option<&T>,
    existing: Option<Uuid>,
) -> Result<()> {
    let owned = || StoreError::Conflict {
        field: "certification_id",
        message: "background checks come from Planning Center and are read again at every sync: change them there"
            .into(),
    };
    let row = record.map(|r| crate::db::rows::to_row(T::TABLE, r)).transpose()?;
    let column = |name: &str| row.as_ref().and_then(|r| r.get(name)).and_then(|v| v.as_str()).map(str::to_owned);
    let certification = match T::TABLE {
        "certification" if column("source").as_deref() == Some("planning_center") => return Err(owned()),
        "certification" => existing,
        "certification_course" => column("certification_id").and_then(|id| Uuid::parse_str(&id).ok()),
        _ => None,
    };
    match certification {
        Some(id) if owned_by_planning_center(tx.conn(), id)? => Err(owned()),
        _ => Ok(()),
    }
}

/// Runs an edit, refusing it if it takes away the church's last administrator (a person
/// retired, a role taken back, a role's right to administer removed).
fn keeping_an_administrator<T: Record>(
    tx: &mut WriteTx<'_>,
    edit: impl FnOnce(&mut WriteTx<'_>) -> Result<T>,
) -> Result<T> {
    if !matches!(T::TABLE, "people" | "people_role" | "role") {
        return edit(tx);
    }
    let before = people::administrators(tx.conn())?;
    let saved = edit(tx)?;
    if before > 0 && people::administrators(tx.conn())? == 0 {
        return Err(StoreError::LastAdministrator {
            field: if T::TABLE == "people" { "is_active" } else { "role_id" },
            message: "this is the church's last administrator: make someone else an administrator first".into(),
        });
    }
    Ok(saved)
}

/// A certification's refresher is a shorter course of its own: it cannot be one of the courses
/// that earn the certification (completing that course again already renews it).
fn refuse_refresher_among_own_courses<T: Record>(tx: &WriteTx<'_>, record: &T) -> Result<()> {
    let row = crate::db::rows::to_row(T::TABLE, record)?;
    let column = |name: &str| row.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let (certification, course) = match T::TABLE {
        "certification" => (Some(record.id().to_string()), column("refresher_course_id")),
        "certification_course" if row.get("is_active") != Some(&serde_json::Value::Bool(false)) => {
            (column("certification_id"), column("course_id"))
        }
        _ => return Ok(()),
    };
    let (Some(certification), Some(course)) = (certification, course) else { return Ok(()) };
    let clash: bool = tx.conn().scalar(
        "SELECT EXISTS (SELECT 1 FROM certification_course WHERE certification_id = ?1 AND course_id = ?2 AND is_active = 1)
             OR EXISTS (SELECT 1 FROM certification WHERE id = ?1 AND refresher_course_id = ?2)",
        [&certification, &course],
    )?;
    if !clash {
        return Ok(());
    }
    Err(match T::TABLE {
        "certification" => crate::db::StoreError::Invalid(cct_domain::ValidationError::new(
            "refresher_course_id",
            "the refresher must be another course than the ones that earn the certification",
        )),
        _ => crate::db::StoreError::Invalid(cct_domain::ValidationError::new(
            "course_id",
            "this course is the certification's refresher: choose another refresher first",
        )),
    })
}

pub fn create<T: Record>(tx: &mut WriteTx<'_>, record: T) -> Result<T> {
    refuse_kinds_with_own_rules::<T>()?;
    refuse_what_planning_center_keeps(tx, Some(&record), None)?;
    refuse_refresher_among_own_courses(tx, &record)?;
    offerings::check_offering(tx, &record)?;
    let saved = records::insert(tx, record)?;
    progress::follow_course_change(tx, &saved)?;
    Ok(saved)
}

pub fn update<T: Record>(tx: &mut WriteTx<'_>, record: T) -> Result<T> {
    refuse_kinds_with_own_rules::<T>()?;
    refuse_what_planning_center_keeps(tx, Some(&record), Some(record.id()))?;
    refuse_refresher_among_own_courses(tx, &record)?;
    offerings::check_offering(tx, &record)?;
    if !record.meta().is_active {
        offerings::check_retirement::<T>(tx, record.id())?;
    }
    let saved = keeping_an_administrator(tx, |tx| records::update(tx, record))?;
    progress::follow_course_change(tx, &saved)?;
    Ok(saved)
}

/// Retires a record. Nothing is ever removed: history, sync and the audit trail keep it.
pub fn retire<T: Record>(tx: &mut WriteTx<'_>, id: Uuid) -> Result<T> {
    refuse_kinds_with_own_rules::<T>()?;
    refuse_what_planning_center_keeps::<T>(tx, None, Some(id))?;
    offerings::check_retirement::<T>(tx, id)?;
    let saved = keeping_an_administrator(tx, |tx| records::deactivate::<T>(tx, id))?;
    progress::follow_course_change(tx, &saved)?;
    Ok(saved)
}
