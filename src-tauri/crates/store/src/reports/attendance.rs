//! Attendance over time: each week's attendance (present or late) per course, per room and per
//! campus, beside the same weeks 52 weeks earlier. Weeks with nobody are shown, as zero. Read
//! from each session's counts (`session_attendance`, kept by triggers), not the rows.

use super::{require, ReportScope, SESSIONS_FROM, SESSIONS_WHERE};
use crate::db::{Query, Result, Store};
use cct_domain::Actor;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use ts_rs::TS;

/// One line of a chart: a course, a room or a campus, with a count for each week.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Series {
    pub name: String,
    pub counts: Vec<i64>,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AttendanceReport {
    /// The Monday of each week, `YYYY-MM-DD`.
    pub weeks: Vec<String>,
    pub total: Vec<i64>,
    /// The same weeks a year (52 weeks) earlier.
    pub year_before: Vec<i64>,
    /// The busiest first.
    pub by_course: Vec<Series>,
    pub by_room: Vec<Series>,
    pub by_campus: Vec<Series>,
}

/// One session's attendance: its week's Monday, its course, room and campus, and how many came.
type SessionCount = (String, String, Option<String>, Option<String>, i64);

/// Every session of the scope with anyone in it. Folded into weeks here rather than grouped in
/// SQL: nearly every (week, course) pair is one session, so grouping would sort them all for
/// nothing.
fn sessions(store: &Store, scope: &ReportScope, today: NaiveDate) -> Result<Vec<SessionCount>> {
    let sql = format!(
        "SELECT date(s.starts_at, :local, '-6 days', 'weekday 1'), s.course_id, s.facility_id,
                COALESCE(f.campus_id, c.campus_id), n.attended
         FROM {SESSIONS_FROM} JOIN session_attendance n ON n.class_session_id = s.id
         WHERE {SESSIONS_WHERE} AND n.attended > 0"
    );
    let bound = scope.bind(today);
    store.read(|conn| conn.tuples(&sql, bound.for_sql(&sql).as_slice()))
}

/// The names of every course, room and campus, by id.
fn names(store: &Store) -> Result<HashMap<String, String>> {
    let rows: Vec<(String, String)> = store.read(|conn| {
        conn.tuples(
            "SELECT id, name FROM course UNION ALL SELECT id, name FROM facility UNION ALL SELECT id, name FROM campus",
            [],
        )
    })?;
    Ok(rows.into_iter().collect())
}

pub fn attendance_over_time(
    store: &Store,
    actor: &Actor,
    scope: &ReportScope,
    today: NaiveDate,
) -> Result<AttendanceReport> {
    require(actor)?;
    let mondays = scope.mondays();
    let week_index: HashMap<String, usize> =
        mondays.iter().enumerate().map(|(index, monday)| (monday.to_string(), index)).collect();
    let names = names(store)?;
    // Each line is one course, room or campus (two rooms may share a name), shown by its name.
    let mut total = vec![0; mondays.len()];
    let mut by_course: Lines = BTreeMap::new();
    let mut by_room: Lines = BTreeMap::new();
    let mut by_campus: Lines = BTreeMap::new();
    for (week, course, room, campus, count) in sessions(store, scope, today)? {
        let Some(&index) = week_index.get(&week) else { continue };
        total[index] += count;
        for (lines, id, none) in [
            (&mut by_course, Some(course), "A course"),
            (&mut by_room, room, "No room"),
            (&mut by_campus, campus, "No campus"),
        ] {
            let name = id.as_ref().and_then(|id| names.get(id).cloned()).unwrap_or_else(|| none.to_owned());
            let line = lines.entry(id.unwrap_or_default()).or_insert_with(|| (name, vec![0; mondays.len()]));
            line.1[index] += count;
        }
    }
    let mut year_before = vec![0; mondays.len()];
    let earlier = scope.year_before();
    let earlier_index: HashMap<String, usize> =
        earlier.mondays().iter().enumerate().map(|(index, monday)| (monday.to_string(), index)).collect();
    for (week, _, _, _, count) in sessions(store, &earlier, today)? {
        if let Some(&index) = earlier_index.get(&week) {
            year_before[index] += count;
        }
    }
    Ok(AttendanceReport {
        weeks: mondays.iter().map(NaiveDate::to_string).collect(),
        total,
        year_before,
        by_course: busiest_first(by_course),
        by_room: busiest_first(by_room),
        by_campus: busiest_first(by_campus),
    })
}

/// By id: the name shown, and a count for each week.
type Lines = BTreeMap<String, (String, Vec<i64>)>;

fn busiest_first(series: Lines) -> Vec<Series> {
    let mut lines: Vec<Series> =
        series.into_values().map(|(name, counts)| Series { total: counts.iter().sum(), name, counts }).collect();
    lines.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
    lines
}
