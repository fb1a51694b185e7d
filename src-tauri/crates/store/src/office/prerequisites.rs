//! Course prerequisites, refused at save time when they would make a cycle.

use crate::db::{Query, Result, Store, StoreError, WriteTx};
use crate::records::{self, ListQuery};
use cct_domain::records::{Course, CoursePrerequisite};
use cct_domain::rules::prerequisites::PrerequisiteGraph;
use cct_domain::{Actor, DomainError};
use rusqlite::Connection;
use uuid::Uuid;

/// Makes `course_id` require `prerequisite_course_id`. Re-adding a removed prerequisite
/// reactivates it.
pub fn add(tx: &mut WriteTx<'_>, course_id: Uuid, prerequisite_course_id: Uuid) -> Result<CoursePrerequisite> {
    tx.require(cct_domain::Permission::CoursesWrite)?;
    let edges = active_edges(tx.conn())?;
    if let Some(path) = PrerequisiteGraph::from_edges(edges).cycle_if_added(course_id, prerequisite_course_id) {
        let names = course_names(tx.conn(), &path)?;
        return Err(DomainError::PrerequisiteCycle { path, names }.into());
    }
    let existing = tx.conn().id(
        "SELECT id FROM course_prerequisite WHERE course_id = ?1 AND prerequisite_course_id = ?2",
        [course_id.to_string(), prerequisite_course_id.to_string()],
    )?;
    match existing {
        Some(id) => {
            let mut edge: CoursePrerequisite = records::get_in(tx, id)?;
            edge.meta.is_active = true;
            records::update(tx, edge)
        }
        None => records::insert(tx, CoursePrerequisite { course_id, prerequisite_course_id, ..Default::default() }),
    }
}

/// The active prerequisites of a course.
pub fn of_course(store: &Store, actor: &Actor, course_id: Uuid) -> Result<Vec<Course>> {
    let edges = records::list::<CoursePrerequisite>(
        store,
        actor,
        &ListQuery::default().filter("course_id", course_id.to_string()).page(1000, 0),
    )?;
    edges.items.into_iter().map(|edge| records::get::<Course>(store, actor, edge.prerequisite_course_id)).collect()
}

pub(crate) fn required_by(conn: &Connection, course_id: Uuid) -> Result<Vec<Uuid>> {
    conn.ids("SELECT prerequisite_course_id FROM course_prerequisite WHERE course_id = ?1 AND is_active = 1 ORDER BY created_at", [course_id.to_string()])
}

fn active_edges(conn: &Connection) -> Result<Vec<(Uuid, Uuid)>> {
    let rows: Vec<(String, String)> =
        conn.tuples("SELECT course_id, prerequisite_course_id FROM course_prerequisite WHERE is_active = 1", [])?;
    Ok(rows.into_iter().filter_map(|(a, b)| Some((Uuid::parse_str(&a).ok()?, Uuid::parse_str(&b).ok()?))).collect())
}

pub(crate) fn course_names(conn: &Connection, ids: &[Uuid]) -> Result<Vec<String>> {
    ids.iter()
        .map(|id| {
            conn.optional::<String>("SELECT name FROM course WHERE id = ?1", [id.to_string()])?
                .ok_or(StoreError::NotFound { table: "course", id: *id })
        })
        .collect()
}

/// Takes a prerequisite off a course; it stays in the history.
pub fn remove(tx: &mut WriteTx<'_>, prerequisite_id: Uuid) -> Result<CoursePrerequisite> {
    records::deactivate::<CoursePrerequisite>(tx, prerequisite_id)
}
