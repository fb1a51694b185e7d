//! What the push writes to the Planning Center fields the office mapped: a person's completed
//! courses and their certifications, each as one line of text.

use crate::db::{Query, Result, Store};
use uuid::Uuid;

/// "Foundations of Faith (2026-11-24); Growing in Faith (2026-12-10)": a person's completed
/// courses, as written to the Planning Center field the office maps completions to.
pub fn completions_summary(store: &Store, people_id: Uuid) -> Result<String> {
    let rows: Vec<(String, Option<String>)> = store.read(|conn| {
        conn.tuples(
            // A course taken again shows once, with its latest completion.
            "SELECT c.name, max(e.completion_date) AS completed_on FROM course_enrollment e JOIN course c ON c.id = e.course_id
             WHERE e.people_id = ?1 AND e.is_active = 1 AND e.status = 'completed'
             GROUP BY c.id ORDER BY completed_on, c.name",
            [people_id.to_string()],
        )
    })?;
    Ok(rows
        .into_iter()
        .map(|(name, date)| format!("{name} ({})", date.unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("; "))
}

/// "Children's Ministry Worker: completed, expires 2028-11-24".
pub fn certifications_summary(store: &Store, people_id: Uuid) -> Result<String> {
    let rows: Vec<(String, String, Option<String>)> = store.read(|conn| {
        conn.tuples(
            "SELECT c.name, p.status, p.expires_date FROM certification_progress p JOIN certification c ON c.id = p.certification_id
             WHERE p.people_id = ?1 AND p.is_active = 1 ORDER BY c.name",
            [people_id.to_string()],
        )
    })?;
    Ok(rows
        .into_iter()
        .map(|(name, status, expires)| match expires {
            Some(date) => format!("{name}: {}, expires {date}", status.replace('_', " ")),
            None => format!("{name}: {}", status.replace('_', " ")),
        })
        .collect::<Vec<_>>()
        .join("; "))
}

/// The person an enrollment, certification-progress or campus row belongs to.
pub fn owner_of(store: &Store, table: &str, record_id: Uuid) -> Result<Option<Uuid>> {
    let sql = match table {
        "course_enrollment" => "SELECT people_id FROM course_enrollment WHERE id = ?1",
        "certification_progress" => "SELECT people_id FROM certification_progress WHERE id = ?1",
        "people_campus" => "SELECT people_id FROM people_campus WHERE id = ?1",
        _ => return Ok(None),
    };
    store.read(|conn| conn.id(sql, [record_id.to_string()]))
}

pub fn planning_center_id_of(store: &Store, people_id: Uuid) -> Result<Option<String>> {
    Ok(store
        .read(|conn| {
            conn.optional::<Option<String>>(
                "SELECT planning_center_id FROM people WHERE id = ?1",
                [people_id.to_string()],
            )
        })?
        .flatten())
}

/// The campus a person's Planning Center record should show: their primary campus here, by
/// name and Planning Center id (None when the campus is not in Planning Center).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryCampus {
    pub name: String,
    pub planning_center_id: Option<String>,
}

pub fn primary_campus_of(store: &Store, people_id: Uuid) -> Result<Option<PrimaryCampus>> {
    let row: Option<(String, Option<String>)> = store.read(|conn| {
        conn.tuple(
            "SELECT c.name, c.planning_center_location_id FROM people_campus pc JOIN campus c ON c.id = pc.campus_id
             WHERE pc.people_id = ?1 AND pc.is_primary = 1 AND pc.is_active = 1",
            [people_id.to_string()],
        )
    })?;
    Ok(row.map(|(name, planning_center_id)| PrimaryCampus { name, planning_center_id }))
}

/// A completed enrollment, as a workflow card's note names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub course: String,
    pub completed_on: Option<String>,
}

/// The enrollment's completion, when it is completed (and not retired).
pub fn completion_of(store: &Store, enrollment: Uuid) -> Result<Option<Completion>> {
    let row: Option<(String, Option<String>)> = store.read(|conn| {
        conn.tuple(
            "SELECT c.name, e.completion_date FROM course_enrollment e JOIN course c ON c.id = e.course_id
             WHERE e.id = ?1 AND e.is_active = 1 AND e.status = 'completed'",
            [enrollment.to_string()],
        )
    })?;
    Ok(row.map(|(course, completed_on)| Completion { course, completed_on }))
}
