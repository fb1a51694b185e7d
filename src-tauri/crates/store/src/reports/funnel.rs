//! The course funnel: of the people who enrolled in a course inside the range (registrations
//! cancelled left out), how many started, how many completed and how many dropped; the median
//! days from enrolling to completing; and the step people stall at: of those still enrolled or
//! in progress, the required content item most often the first one not done.
//!
//! A course belongs to its campus; a church-wide course (no campus) shows under every campus.

use super::{require, Count, ReportScope};
use crate::db::{Query, Result, Store};
use cct_domain::Actor;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CourseFunnel {
    pub course_id: String,
    pub course: String,
    pub enrolled: i64,
    /// In progress or completed.
    pub started: i64,
    pub completed: i64,
    pub dropped: i64,
    pub median_days_to_complete: Option<f64>,
    /// The step most often not done by those still enrolled, and how many stopped there.
    pub stalled_at: Option<Count>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FunnelReport {
    /// The most enrolled first.
    pub courses: Vec<CourseFunnel>,
}

/// The enrollments of the range: [`ENROLLMENTS_FROM`] names `course_enrollment e` and
/// `course c`; [`ENROLLMENTS_WHERE`] binds `:first_day`, `:day_after`, `:campus` and `:course`.
/// An enrollment's date is a day (`YYYY-MM-DD`), so it compares as text, on its index.
const ENROLLMENTS_FROM: &str = "course_enrollment e JOIN course c ON c.id = e.course_id";
const ENROLLMENTS_WHERE: &str = "e.enrollment_date >= :first_day AND e.enrollment_date < :day_after
     AND e.is_active = 1 AND e.registration_status <> 'cancelled'
     AND (:campus IS NULL OR c.campus_id = :campus OR c.campus_id IS NULL)
     AND (:course IS NULL OR e.course_id = :course)";

type CountsRow = (String, String, i64, i64, i64, i64);

pub fn course_funnel(store: &Store, actor: &Actor, scope: &ReportScope, today: NaiveDate) -> Result<FunnelReport> {
    require(actor)?;
    let bound = scope.bind(today);
    let counts_sql = format!(
        "SELECT c.id, c.name, count(*), sum(e.status IN ('in_progress', 'completed')),
                sum(e.status = 'completed'), sum(e.status = 'dropped')
         FROM {ENROLLMENTS_FROM} WHERE {ENROLLMENTS_WHERE} GROUP BY c.id ORDER BY count(*) DESC, c.name"
    );
    let days_sql = format!(
        "SELECT c.id, julianday(e.completion_date) - julianday(e.enrollment_date)
         FROM {ENROLLMENTS_FROM} WHERE {ENROLLMENTS_WHERE} AND +e.status = 'completed' AND e.completion_date IS NOT NULL"
    );
    // Each course's required items in order (modules in theirs, then items in theirs), and what
    // each enrollment still open has done: the first item not done is worked out below. The
    // planner is kept on the date index (`+e.status` is not a column it may search by).
    let items_sql =
        "SELECT ct.course_id, ct.id, ct.title FROM content ct LEFT JOIN course_module m ON m.id = ct.module_id
         WHERE ct.is_active = 1 AND ct.is_required = 1 AND (:course IS NULL OR ct.course_id = :course)
         ORDER BY ct.course_id, COALESCE(m.order_sequence, -1), ct.order_sequence, ct.id";
    let done_sql = format!(
        "SELECT e.id, e.course_id, cc.content_id
         FROM {ENROLLMENTS_FROM} LEFT JOIN content_completion cc ON cc.course_enrollment_id = e.id AND cc.is_active = 1
         WHERE {ENROLLMENTS_WHERE} AND +e.status IN ('enrolled', 'in_progress')"
    );
    let (counts, days, items, done) = store.read(|conn| {
        let counts: Vec<CountsRow> = conn.tuples(&counts_sql, bound.for_sql(&counts_sql).as_slice())?;
        let days: Vec<(String, Option<f64>)> = conn.tuples(&days_sql, bound.for_sql(&days_sql).as_slice())?;
        let items: Vec<(String, String, String)> = conn.tuples(items_sql, bound.for_sql(items_sql).as_slice())?;
        let done: Vec<(String, String, Option<String>)> =
            conn.tuples(&done_sql, bound.for_sql(&done_sql).as_slice())?;
        Ok((counts, days, items, done))
    })?;
    let mut days_by_course: HashMap<String, Vec<f64>> = HashMap::new();
    for (course, days) in days {
        if let Some(days) = days.filter(|d| *d >= 0.0) {
            days_by_course.entry(course).or_default().push(days);
        }
    }
    let mut stalled_by_course = stalled_at(items, done);
    let courses = counts
        .into_iter()
        .map(|(course_id, course, enrolled, started, completed, dropped)| CourseFunnel {
            median_days_to_complete: days_by_course.remove(&course_id).and_then(median),
            stalled_at: stalled_by_course.remove(&course_id),
            course_id,
            course,
            enrolled,
            started,
            completed,
            dropped,
        })
        .collect();
    Ok(FunnelReport { courses })
}

/// Per course, the required item most often the first one not done (ties: the earlier title
/// first), from each course's items in order and each open enrollment's done items.
fn stalled_at(
    items: Vec<(String, String, String)>,
    done: Vec<(String, String, Option<String>)>,
) -> HashMap<String, Count> {
    let mut items_of: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (course, id, title) in items {
        items_of.entry(course).or_default().push((id, title));
    }
    let mut done_by: HashMap<(String, String), HashSet<String>> = HashMap::new();
    for (enrollment, course, content) in done {
        let set = done_by.entry((enrollment, course)).or_default();
        set.extend(content);
    }
    let mut stopped: HashMap<(String, String), i64> = HashMap::new();
    for ((_, course), done) in done_by {
        let first_not_done = items_of.get(&course).and_then(|items| items.iter().find(|(id, _)| !done.contains(id)));
        if let Some((_, title)) = first_not_done {
            *stopped.entry((course, title.clone())).or_default() += 1;
        }
    }
    let mut most: HashMap<String, Count> = HashMap::new();
    for ((course, title), count) in stopped {
        let best = most.entry(course).or_insert_with(|| Count { label: title.clone(), count: 0 });
        if count > best.count || (count == best.count && title < best.label) {
            *best = Count { label: title, count };
        }
    }
    most
}

/// The middle value; the mean of the two middle ones for an even count.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len().is_multiple_of(2) { (values[middle - 1] + values[middle]) / 2.0 } else { values[middle] })
}
