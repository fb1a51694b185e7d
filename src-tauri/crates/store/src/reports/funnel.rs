//! The course funnel: of the people who enrolled in a course inside the range (registrations
//! cancelled left out), how many started, how many completed and how many dropped; the median
//! days from enrolling to completing; and the step people stall at: of those still enrolled or
//! in progress, the required content item most often the first one not done.
//!
//! A course belongs to its campus; a church-wide course (no campus) shows under every campus.

use super::{require, side_by_side, Count, ReportScope};
use crate::db::{Query, Result, Store};
use cct_domain::Actor;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
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

/// The enrollments of the range, a course and a status at a time: [`ENROLLMENTS_FROM`] names
/// `course c` and `course_enrollment e`, read on `idx_course_enrollment_funnel` (course, status,
/// date) alone, so each course's rows come together and nothing is sorted;
/// [`ENROLLMENTS_WHERE`] binds `:first_day`, `:day_after`, `:campus` and `:course`. An
/// enrollment's date is a day (`YYYY-MM-DD`), so it compares as text.
const ENROLLMENTS_FROM: &str =
    "course c CROSS JOIN course_enrollment e INDEXED BY idx_course_enrollment_funnel ON e.course_id = c.id";
const ENROLLMENTS_WHERE: &str = "e.enrollment_date >= :first_day AND e.enrollment_date < :day_after
     AND e.is_active = 1 AND e.registration_status <> 'cancelled'
     AND (:campus IS NULL OR c.campus_id = :campus OR c.campus_id IS NULL)
     AND (:course IS NULL OR c.id = :course)";
/// As the index keeps it.
const DAYS_TO_COMPLETE: &str = "julianday(e.completion_date) - julianday(e.enrollment_date)";

pub fn course_funnel(store: &Store, actor: &Actor, scope: &ReportScope, today: NaiveDate) -> Result<FunnelReport> {
    require(actor)?;
    let bound = scope.bind(today);
    // Naming every status lets the index be searched by (course, status, dates).
    let counts_sql = format!(
        "SELECT c.id, e.status, count(*) FROM {ENROLLMENTS_FROM}
         WHERE e.status IN ('enrolled', 'in_progress', 'completed', 'dropped') AND {ENROLLMENTS_WHERE}
         GROUP BY c.id, e.status"
    );
    let days_sql = format!(
        "SELECT c.id, {DAYS_TO_COMPLETE} FROM {ENROLLMENTS_FROM}
         WHERE e.status = 'completed' AND {ENROLLMENTS_WHERE} AND {DAYS_TO_COMPLETE} >= 0"
    );
    // Where the open enrollments stand, kept per enrollment (`enrollment_next_step`): counted
    // per course and step in the index's order. Courses outside the filters are counted too
    // and passed over below, where only the counted courses are looked up.
    let stalled_sql = "SELECT n.course_id, n.content_id, count(*)
         FROM enrollment_next_step n INDEXED BY idx_enrollment_next_step
         WHERE n.content_id IS NOT NULL AND n.enrollment_date >= :first_day AND n.enrollment_date < :day_after
           AND (:course IS NULL OR n.course_id = :course)
         GROUP BY n.course_id, n.content_id";
    let names_sql = "SELECT id, name FROM course WHERE :course IS NULL OR id = :course
         UNION ALL SELECT id, title FROM content WHERE :course IS NULL OR course_id = :course";
    // The counts read most (every enrollment of the range), so they are read alongside the
    // rest. A write landing between the two reads can only move an enrollment from one step to
    // the next.
    let (counts, (days, stalled, names)) = side_by_side(
        || {
            let bound = scope.bind(today);
            store.read(|conn| conn.tuples::<(String, String, i64)>(&counts_sql, bound.for_sql(&counts_sql).as_slice()))
        },
        || {
            store.read(|conn| {
                let days: Vec<(String, f64)> = conn.tuples(&days_sql, bound.for_sql(&days_sql).as_slice())?;
                let stalled: Vec<(String, String, i64)> =
                    conn.tuples(stalled_sql, bound.for_sql(stalled_sql).as_slice())?;
                let names: Vec<(String, String)> = conn.tuples(names_sql, bound.for_sql(names_sql).as_slice())?;
                Ok((days, stalled, names))
            })
        },
    )?;
    let names: HashMap<String, String> = names.into_iter().collect();
    let mut days_by_course: HashMap<String, Vec<f64>> = HashMap::new();
    for (course, days) in days {
        days_by_course.entry(course).or_default().push(days);
    }
    let mut stalled_by_course = most_stalled(stalled, &names);
    let mut by_course: HashMap<String, CourseFunnel> = HashMap::new();
    for (course_id, status, count) in counts {
        let funnel = by_course.entry(course_id.clone()).or_insert_with(|| CourseFunnel {
            course: names.get(&course_id).cloned().unwrap_or_default(),
            median_days_to_complete: days_by_course.remove(&course_id).and_then(median),
            stalled_at: stalled_by_course.remove(&course_id),
            course_id,
            enrolled: 0,
            started: 0,
            completed: 0,
            dropped: 0,
        });
        funnel.enrolled += count;
        match status.as_str() {
            "in_progress" => funnel.started += count,
            "completed" => {
                funnel.started += count;
                funnel.completed += count;
            }
            "dropped" => funnel.dropped += count,
            _ => {}
        }
    }
    let mut courses: Vec<CourseFunnel> = by_course.into_values().collect();
    courses.sort_by(|a, b| b.enrolled.cmp(&a.enrolled).then_with(|| a.course.cmp(&b.course)));
    Ok(FunnelReport { courses })
}

/// Per course, the step most people stopped at (ties: the earlier title first), from the
/// counts per (course, step) and the steps' titles.
fn most_stalled(stalled: Vec<(String, String, i64)>, titles: &HashMap<String, String>) -> HashMap<String, Count> {
    let mut most: HashMap<String, Count> = HashMap::new();
    for (course, content, count) in stalled {
        let title = titles.get(&content).cloned().unwrap_or_default();
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
