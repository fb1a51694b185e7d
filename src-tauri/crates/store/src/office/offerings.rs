//! A course's offerings: each running of it, with its own dates, room, seats, waitlist,
//! sessions and teachers. People enroll in an offering, and may retake the course in a later
//! one. Every course has a first offering whose id is the course's own, made by the database
//! for each course it holds (see the migration `offerings_and_renewals`).

use crate::db::{JsonRow, Query, Result, Store, StoreError, WriteTx};
use crate::records;
use cct_domain::records::{Course, CourseOffering, OfferingPhase};
use cct_domain::{Actor, Permission, Record};
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;
use uuid::Uuid;

/// The id of a course's first offering: the course's own.
pub fn first_offering_id(course_id: Uuid) -> Uuid {
    course_id
}

/// The offering `offering_id` names, checked to be an active offering of `course_id`.
pub(crate) fn offering_of_course(tx: &WriteTx<'_>, course_id: Uuid, offering_id: Uuid) -> Result<CourseOffering> {
    let offering: CourseOffering = records::get_in(tx, offering_id).map_err(|e| match e {
        StoreError::NotFound { .. } => {
            StoreError::UnknownReference { field: "offering_id", table: "course_offering", id: offering_id }
        }
        other => other,
    })?;
    if offering.course_id != course_id {
        return Err(StoreError::Conflict {
            field: "offering_id",
            message: "this offering belongs to another course".into(),
        });
    }
    if !offering.meta.is_active {
        return Err(StoreError::InactiveReference { field: "offering_id", table: "course_offering", id: offering_id });
    }
    Ok(offering)
}

/// The offering to enroll someone in when none is named: the next one to start that has not
/// ended, else the one running now, else the course's first offering.
pub fn next_offering(conn: &Connection, course_id: Uuid, today: NaiveDate) -> Result<Uuid> {
    let next = conn.id(
        "SELECT id FROM course_offering
         WHERE course_id = ?1 AND is_active = 1 AND (ends_on IS NULL OR ends_on >= ?2)
         ORDER BY starts_on IS NULL, starts_on < ?2, starts_on, created_at, id LIMIT 1",
        [course_id.to_string(), today.to_string()],
    )?;
    Ok(next.unwrap_or_else(|| first_offering_id(course_id)))
}

/// Refuses a session or course role, written through the office's generic edits, that names
/// an offering of another course (or a retired one). One that names none is placed in its
/// course's first offering when it is written (`Record::complete`).
pub(crate) fn check_offering<T: Record>(tx: &WriteTx<'_>, record: &T) -> Result<()> {
    if !matches!(T::TABLE, "class_session" | "course_role") {
        return Ok(());
    }
    let row: JsonRow = crate::db::rows::to_row(T::TABLE, record)?;
    let uuid = |v: Option<&Value>| v.and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
    let Some(course_id) = uuid(row.get("course_id")) else { return Ok(()) };
    let offering_id = uuid(row.get("offering_id")).unwrap_or_else(|| first_offering_id(course_id));
    offering_of_course(tx, course_id, offering_id).map(drop)
}

/// An offering is retired (cancelled) only while nothing hangs on it: no one enrolled in it,
/// waiting for it or who completed it, and no session or teacher of its own. The course's
/// first offering stays: it holds what computers on the previous release write without one.
pub(crate) fn check_retirement<T: Record>(tx: &WriteTx<'_>, id: Uuid) -> Result<()> {
    if T::TABLE != CourseOffering::TABLE {
        return Ok(());
    }
    let offering: CourseOffering = records::get_in(tx, id)?;
    if !offering.meta.is_active {
        return Ok(());
    }
    let refuse = |message: String| Err(StoreError::Conflict { field: "is_active", message });
    if id == first_offering_id(offering.course_id) {
        return refuse(
            "a course's first offering stays (it keeps the course's history); change its dates instead".into(),
        );
    }
    let (people, sessions, teachers): (i64, i64, i64) = tx
        .conn()
        .tuple(
            "SELECT (SELECT COUNT(*) FROM course_enrollment WHERE offering_id = ?1 AND is_active = 1 AND status <> 'dropped'),
                    (SELECT COUNT(*) FROM class_session WHERE offering_id = ?1 AND is_active = 1),
                    (SELECT COUNT(*) FROM course_role WHERE offering_id = ?1 AND is_active = 1)",
            [id.to_string()],
        )?
        .unwrap_or_default();
    let count = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if people > 0 {
        return refuse(format!(
            "{} in this offering: drop or move them first",
            count(people, "person is enrolled or waiting", "people are enrolled or waiting")
        ));
    }
    if sessions > 0 || teachers > 0 {
        return refuse(format!(
            "it still has {} and {}: retire them first",
            count(sessions, "session", "sessions"),
            count(teachers, "teacher", "teachers")
        ));
    }
    Ok(())
}

/// Keeps an offering's registered count, and its course's count across offerings, in step.
pub(crate) fn refresh_registration_count(tx: &mut WriteTx<'_>, offering_id: Uuid) -> Result<()> {
    let mut offering: CourseOffering = records::get_in(tx, offering_id)?;
    let registered = registered_count(tx.conn(), offering_id)?;
    if offering.current_registrations != registered {
        offering.current_registrations = registered;
        // A cached count follows from the enrollment the caller was allowed to write; it is
        // not a course edit, so it needs no course permission (it is still audited).
        records::update_derived(tx, offering.clone())?;
    }
    let across: i64 = tx.conn().scalar(
        "SELECT COUNT(*) FROM course_enrollment WHERE course_id = ?1 AND is_active = 1
         AND registration_status = 'registered' AND status NOT IN ('dropped', 'not_passed')",
        [offering.course_id.to_string()],
    )?;
    let mut course: Course = records::get_in(tx, offering.course_id)?;
    if course.current_registrations != across {
        course.current_registrations = across;
        records::update_derived(tx, course)?;
    }
    Ok(())
}

/// Seats taken in an offering.
pub(crate) fn registered_count(conn: &Connection, offering_id: Uuid) -> Result<i64> {
    conn.scalar(
        "SELECT COUNT(*) FROM course_enrollment WHERE offering_id = ?1 AND is_active = 1
         AND registration_status = 'registered' AND status NOT IN ('dropped', 'not_passed')",
        [offering_id.to_string()],
    )
}

/// One line of a course's offerings, for the office.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OfferingSummary {
    pub offering: CourseOffering,
    pub phase: OfferingPhase,
    pub room: Option<String>,
    pub campus: Option<String>,
    pub registered: i64,
    pub waitlisted: i64,
    pub completed: i64,
    pub sessions: i64,
    pub teachers: Vec<String>,
}

/// A course's offerings, upcoming first (soonest first), then running, then past (latest
/// first).
pub fn of_course(store: &Store, actor: &Actor, course_id: Uuid, today: NaiveDate) -> Result<Vec<OfferingSummary>> {
    crate::office::people::require(actor, Permission::CoursesRead)?;
    let rows = store.read(|conn| {
        conn.rows(
            "SELECT o.*, f.name AS room, c.name AS campus,
               (SELECT COUNT(*) FROM course_enrollment e WHERE e.offering_id = o.id AND e.is_active = 1
                  AND e.registration_status = 'registered' AND e.status NOT IN ('dropped', 'not_passed')) AS registered,
               (SELECT COUNT(*) FROM course_enrollment e WHERE e.offering_id = o.id AND e.is_active = 1
                  AND e.registration_status = 'waitlisted' AND e.status <> 'dropped') AS waitlisted,
               (SELECT COUNT(*) FROM course_enrollment e WHERE e.offering_id = o.id AND e.is_active = 1
                  AND e.status = 'completed') AS completed,
               (SELECT COUNT(*) FROM class_session s WHERE s.offering_id = o.id AND s.is_active = 1) AS sessions,
               (SELECT json_group_array(p.first_name || ' ' || p.last_name) FROM course_role r
                  JOIN people p ON p.id = r.people_id
                  WHERE r.offering_id = o.id AND r.is_active = 1 AND r.role_type = 'teacher') AS teachers
             FROM course_offering o
             LEFT JOIN facility f ON f.id = o.facility_id
             LEFT JOIN campus c ON c.id = o.campus_id
             WHERE o.course_id = ?1 AND o.is_active = 1
             ORDER BY o.starts_on IS NULL, o.starts_on, o.created_at",
            [course_id.to_string()],
        )
    })?;
    let mut lines = Vec::with_capacity(rows.len());
    for mut row in rows {
        let mut take = |column: &str| row.remove(column).unwrap_or(Value::Null);
        let room = take("room").as_str().map(str::to_owned);
        let campus = take("campus").as_str().map(str::to_owned);
        let registered = take("registered").as_i64().unwrap_or(0);
        let waitlisted = take("waitlisted").as_i64().unwrap_or(0);
        let completed = take("completed").as_i64().unwrap_or(0);
        let sessions = take("sessions").as_i64().unwrap_or(0);
        let teachers = take("teachers").as_str().and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default();
        let offering: CourseOffering = crate::db::rows::from_row("course_offering", row)?;
        let phase = offering.phase(today);
        lines.push(OfferingSummary {
            offering,
            phase,
            room,
            campus,
            registered,
            waitlisted,
            completed,
            sessions,
            teachers,
        });
    }
    let rank = |phase: OfferingPhase| match phase {
        OfferingPhase::Upcoming => 0,
        OfferingPhase::Running => 1,
        OfferingPhase::Past => 2,
    };
    lines.sort_by(|a, b| {
        rank(a.phase).cmp(&rank(b.phase)).then_with(|| match a.phase {
            OfferingPhase::Past => b.offering.ends_on.cmp(&a.offering.ends_on),
            _ => a.offering.starts_on.cmp(&b.offering.starts_on),
        })
    });
    Ok(lines)
}
