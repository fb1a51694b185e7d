//! Records the office edits directly, whatever their kind: created, changed or retired with
//! their audit trail, and where a record shapes a course's progress (the course itself, its
//! content, its sessions) every enrollment of the course follows in the same transaction.
//! Kinds whose writes carry rules of their own are refused here and written only through
//! their own operations.

use crate::db::{Result, StoreError, WriteTx};
use crate::office::progress;
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
        "attendance_record" => Some("mark_attendance"),
        _ => None,
    }
}

fn refuse_kinds_with_own_rules<T: Record>() -> Result<()> {
    match own_operation::<T>() {
        Some(operation) => Err(StoreError::OwnRules { table: T::TABLE, operation }),
        None => Ok(()),
    }
}

pub fn create<T: Record>(tx: &mut WriteTx<'_>, record: T) -> Result<T> {
    refuse_kinds_with_own_rules::<T>()?;
    let saved = records::insert(tx, record)?;
    progress::follow_course_change(tx, &saved)?;
    Ok(saved)
}

pub fn update<T: Record>(tx: &mut WriteTx<'_>, record: T) -> Result<T> {
    refuse_kinds_with_own_rules::<T>()?;
    let saved = records::update(tx, record)?;
    progress::follow_course_change(tx, &saved)?;
    Ok(saved)
}

/// Retires a record. Nothing is ever removed: history, sync and the audit trail keep it.
pub fn retire<T: Record>(tx: &mut WriteTx<'_>, id: Uuid) -> Result<T> {
    refuse_kinds_with_own_rules::<T>()?;
    let saved = records::deactivate::<T>(tx, id)?;
    progress::follow_course_change(tx, &saved)?;
    Ok(saved)
}
