//! Course prerequisites, refused at save time when they would make a cycle.

use crate::records::{self, ListQuery};
use crate::{Result, Store, StoreError, WriteTx};
use cct_domain::records::{Course, CoursePrerequisite};
use cct_domain::rules::prerequisites::PrerequisiteGraph;
use cct_domain::{Actor, DomainError};
use sqlx::SqliteConnection;
use uuid::Uuid;

/// Makes `course_id` require `prerequisite_course_id`. Re-adding a removed prerequisite
/// reactivates it.
pub async fn add(tx: &mut WriteTx<'_>, course_id: Uuid, prerequisite_course_id: Uuid) -> Result<CoursePrerequisite> {
    tx.require(cct_domain::Permission::CoursesWrite)?;
    let edges = active_edges(tx.conn()).await?;
    if let Some(path) = PrerequisiteGraph::from_edges(edges).cycle_if_added(course_id, prerequisite_course_id) {
        let names = course_names(tx.conn(), &path).await?;
        return Err(DomainError::PrerequisiteCycle { path, names }.into());
    }
    let existing: Option<String> = sqlx::query_scalar("SELECT id FROM course_prerequisite WHERE course_id = ? AND prerequisite_course_id = ?")
        .bind(course_id.to_string())
        .bind(prerequisite_course_id.to_string())
        .fetch_optional(tx.conn())
        .await?;
    match existing.and_then(|id| Uuid::parse_str(&id).ok()) {
        Some(id) => {
            let mut edge: CoursePrerequisite = records::get_in(tx, id).await?;
            edge.meta.is_active = true;
            records::update(tx, edge).await
        }
        None => records::insert(tx, CoursePrerequisite { course_id, prerequisite_course_id, ..Default::default() }).await,
    }
}

/// The active prerequisites of a course.
pub async fn of_course(store: &Store, actor: &Actor, course_id: Uuid) -> Result<Vec<Course>> {
    let edges = records::list::<CoursePrerequisite>(store, actor, &ListQuery::default().filter("course_id", course_id.to_string()).page(1000, 0)).await?;
    let mut courses = Vec::with_capacity(edges.items.len());
    for edge in edges.items {
        courses.push(records::get::<Course>(store, actor, edge.prerequisite_course_id).await?);
    }
    Ok(courses)
}

pub(crate) async fn required_by(conn: &mut SqliteConnection, course_id: Uuid) -> Result<Vec<Uuid>> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT prerequisite_course_id FROM course_prerequisite WHERE course_id = ? AND is_active = 1 ORDER BY created_at")
        .bind(course_id.to_string())
        .fetch_all(conn)
        .await?;
    Ok(ids.iter().filter_map(|id| Uuid::parse_str(id).ok()).collect())
}

async fn active_edges(conn: &mut SqliteConnection) -> Result<Vec<(Uuid, Uuid)>> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT course_id, prerequisite_course_id FROM course_prerequisite WHERE is_active = 1")
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().filter_map(|(a, b)| Some((Uuid::parse_str(&a).ok()?, Uuid::parse_str(&b).ok()?))).collect())
}

pub(crate) async fn course_names(conn: &mut SqliteConnection, ids: &[Uuid]) -> Result<Vec<String>> {
    let mut names = Vec::with_capacity(ids.len());
    for id in ids {
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM course WHERE id = ?").bind(id.to_string()).fetch_optional(&mut *conn).await?;
        names.push(name.ok_or(StoreError::NotFound { table: "course", id: *id })?);
    }
    Ok(names)
}
