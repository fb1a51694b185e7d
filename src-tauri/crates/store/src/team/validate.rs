//! A pulled record passes the rules a local write passes (`Record::validate`), as it will
//! stand once merged: a change from another device (or forged at the hub) that would store a
//! person without a name, an enrollment with a progress of 250 %, an e-mail that is not one,
//! waits with its reason and is never applied.

use crate::db::{JsonRow, Query, Result};
use cct_domain::records::*;
use cct_domain::Record;
use rusqlite::Connection;
use serde_json::Value;
use std::collections::HashMap;

/// Why `row` (a whole record of `table`) breaks a rule, if it does. Tables that are not
/// records of the domain (the Planning Center outbox) have no rules here.
fn broken_rule(table: &str, row: &JsonRow) -> Option<String> {
    fn check<T: Record>(row: &JsonRow) -> Option<String> {
        match serde_json::from_value::<T>(Value::Object(row.clone())) {
            Err(error) => Some(format!("it is not a {} record this app can read ({error})", T::TABLE)),
            Ok(record) => record.validate().err().map(|error| error.to_string()),
        }
    }
    macro_rules! by_table {
        ($($T:ty),+ $(,)?) => {
            $(if table == <$T>::TABLE { return check::<$T>(row); })+
        };
    }
    if table == "church_setting" {
        return church_setting_broken_rule(row);
    }
    by_table!(
        Household,
        Person,
        Campus,
        Role,
        Course,
        CoursePrerequisite,
        ContentType,
        CourseModule,
        Content,
        Certification,
        CertificationCourse,
        PeopleCampus,
        PeopleRole,
        CourseOffering,
        CourseEnrollment,
        CourseRole,
        CertificationProgress,
        CertificationRecord,
        ContentCompletion,
        Assessment,
        AssessmentAttempt,
        Facility,
        ClassSession,
        AttendanceRecord,
        SpecialRequirement,
        PickupContact,
    );
    None
}

/// A church setting from another computer keeps the rules a save here keeps: a known key, a
/// value in range (an absence threshold of -5 or a time zone of `'; DROP` waits).
fn church_setting_broken_rule(row: &JsonRow) -> Option<String> {
    let key = row.get("id").and_then(Value::as_str).unwrap_or_default();
    if row.get("is_active") == Some(&Value::Bool(false)) {
        return None;
    }
    let value = match row.get("value") {
        Some(Value::String(text)) => serde_json::from_str::<Value>(text).ok(),
        _ => None,
    };
    let Some(value) = value else {
        return Some(format!("the church setting {key} has no value this app can read"));
    };
    crate::office::settings::church_setting_problem(key, &value)
}

/// The records as stored now, by id, for the ones a batch writes to `table`.
fn stored_rows(conn: &Connection, table: &str, ids: &[&str]) -> Result<HashMap<String, JsonRow>> {
    let rows = conn.rows(
        &format!("SELECT * FROM {table} WHERE id IN (SELECT value FROM json_each(?1))"),
        [serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())],
    )?;
    Ok(rows.into_iter().filter_map(|row| Some((row.get("id")?.as_str()?.to_owned(), row))).collect())
}

/// For each record a batch writes (its table, id and the values it sets), why the record as
/// it would stand breaks a rule; records that keep the rules are not listed.
pub(crate) fn refused(
    conn: &Connection,
    writes: &[(&str, &str, &std::collections::BTreeMap<String, Value>)],
) -> Result<HashMap<(String, String), String>> {
    let mut by_table: HashMap<&str, Vec<&str>> = HashMap::new();
    for (table, id, _) in writes {
        by_table.entry(table).or_default().push(id);
    }
    let mut stored = HashMap::new();
    for (table, ids) in by_table {
        stored.insert(table, stored_rows(conn, table, &ids)?);
    }
    let mut refused = HashMap::new();
    let mut placed = Vec::new();
    for (table, id, values) in writes {
        let here = stored.get(table).and_then(|rows| rows.get(*id)).cloned();
        // A few fields of a record not here yet: it waits for the record anyway, and says so.
        if here.is_none() && !values.contains_key("created_at") {
            continue;
        }
        let mut row = here.unwrap_or_default();
        row.extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
        row.insert("id".into(), Value::String((*id).to_owned()));
        if let Some(reason) = broken_rule(table, &row) {
            refused.insert(((*table).to_owned(), (*id).to_owned()), format!("it breaks a rule of this app: {reason}"));
        } else if PLACED_IN_AN_OFFERING.contains(table) {
            placed.push((*table, *id, row));
        }
    }
    for (table, id) in in_another_courses_offering(conn, writes, &placed)? {
        refused.insert(
            (table.to_owned(), id.to_owned()),
            "it breaks a rule of this app: its offering belongs to another course".into(),
        );
    }
    Ok(refused)
}

/// Records that belong to one offering of their course.
const PLACED_IN_AN_OFFERING: [&str; 3] = ["class_session", "course_role", "course_enrollment"];

/// The sessions, teachers and enrollments of a batch that name an offering of another course
/// (forged at the hub, or from a broken computer): the office's own edits refuse them, and so
/// does the merge. The offering is read as stored, or as the batch writes it; one known
/// nowhere yet is left to wait for its record as any reference does.
fn in_another_courses_offering<'a>(
    conn: &Connection,
    writes: &[(&str, &str, &std::collections::BTreeMap<String, Value>)],
    placed: &[(&'a str, &'a str, JsonRow)],
) -> Result<Vec<(&'a str, &'a str)>> {
    let text = |row: &JsonRow, column: &str| row.get(column).and_then(Value::as_str).map(str::to_owned);
    let offerings: Vec<String> = placed.iter().filter_map(|(_, _, row)| text(row, "offering_id")).collect();
    if offerings.is_empty() {
        return Ok(Vec::new());
    }
    let mut course_of: HashMap<String, String> =
        stored_rows(conn, "course_offering", &offerings.iter().map(String::as_str).collect::<Vec<_>>())?
            .into_iter()
            .filter_map(|(id, row)| Some((id, text(&row, "course_id")?)))
            .collect();
    for (_, id, values) in writes.iter().filter(|(table, _, _)| *table == "course_offering") {
        if let Some(course) = values.get("course_id").and_then(Value::as_str) {
            course_of.insert((*id).to_owned(), course.to_owned());
        }
    }
    Ok(placed
        .iter()
        .filter(|(_, _, row)| {
            let (Some(offering), Some(course)) = (text(row, "offering_id"), text(row, "course_id")) else {
                return false;
            };
            course_of.get(&offering).is_some_and(|owner| *owner != course)
        })
        .map(|(table, id, _)| (*table, *id))
        .collect())
}
