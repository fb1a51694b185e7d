//! Attendance over time: each week's attendance (present or late) per course, per room and per
//! campus, beside the same weeks 52 weeks earlier. Weeks with nobody are shown, as zero. Read
//! from each session's counts (`session_attendance`, kept by triggers), not the rows.

use super::{monday_of, optional_text, require, text, Places, ReportScope, SESSION_COUNTS_IN_RANGE};
use crate::db::{Result, Store, StoreError};
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

/// Every session of the range and course with anyone in it, streamed to `each` as its start
/// (UTC, as stored), course, room and how many came, read from the sessions' kept counts alone; the campus (the room's, else the course's) is looked up here, from
/// [`Places`]. Folded into weeks here rather than grouped in SQL: nearly every (week, course)
/// pair is one session, so grouping would sort them all for nothing.
fn each_session(
    store: &Store,
    scope: &ReportScope,
    today: NaiveDate,
    mut each: impl FnMut(&str, &str, Option<&str>, i64),
) -> Result<()> {
    let sql = SESSION_COUNTS_IN_RANGE;
    let bound = scope.bind(today);
    store.read(|conn| {
        let mut statement = conn.prepare_cached(sql)?;
        let mut rows = statement.query(bound.for_sql(sql).as_slice())?;
        while let Some(row) = rows.next()? {
            each(text(row, 1)?, text(row, 2)?, optional_text(row, 3)?, row.get(4)?);
        }
        Ok(())
    })
}

pub fn attendance_over_time(
    store: &Store,
    actor: &Actor,
    scope: &ReportScope,
    today: NaiveDate,
) -> Result<AttendanceReport> {
    require(actor)?;
    let mondays = scope.mondays();
    let week_index: HashMap<NaiveDate, usize> =
        mondays.iter().enumerate().map(|(index, monday)| (*monday, index)).collect();
    let places = Places::read(store)?;
    let in_campus = |course: &str, room: Option<&str>| places.in_scope(scope, course, room);
    // The same weeks a year before are read on a second reader connection meanwhile.
    let earlier = scope.year_before();
    let (total, by_course, by_room, by_campus, year_before) = std::thread::scope(|threads| {
        let year_before = threads.spawn(|| {
            let mut year_before = vec![0; mondays.len()];
            let earlier_index: HashMap<NaiveDate, usize> =
                earlier.mondays().into_iter().enumerate().map(|(index, monday)| (monday, index)).collect();
            each_session(store, &earlier, today, |starts_at, course, room, count| {
                if !in_campus(course, room) {
                    return;
                }
                if let Some(&index) = scope.local_day_of(starts_at).and_then(|day| earlier_index.get(&monday_of(day))) {
                    year_before[index] += count;
                }
            })
            .map(|()| year_before)
        });
        // Each line is one course, room or campus (two rooms may share a name), shown by its name.
        let mut total = vec![0; mondays.len()];
        let mut by_course: Lines = BTreeMap::new();
        let mut by_room: Lines = BTreeMap::new();
        let mut by_campus: Lines = BTreeMap::new();
        each_session(store, scope, today, |starts_at, course, room, count| {
            if !in_campus(course, room) {
                return;
            }
            let Some(&index) = scope.local_day_of(starts_at).and_then(|day| week_index.get(&monday_of(day))) else {
                return;
            };
            total[index] += count;
            let campus = places.campus(course, room).map(String::as_str);
            for (lines, id, none) in [
                (&mut by_course, Some(course), "A course"),
                (&mut by_room, room, "No room"),
                (&mut by_campus, campus, "No campus"),
            ] {
                let key = id.unwrap_or_default();
                if !lines.contains_key(key) {
                    let name = id.and_then(|id| places.names.get(id).cloned()).unwrap_or_else(|| none.to_owned());
                    lines.insert(key.to_owned(), (name, vec![0; mondays.len()]));
                }
                if let Some(line) = lines.get_mut(key) {
                    line.1[index] += count;
                }
            }
        })?;
        let year_before =
            year_before.join().map_err(|_| StoreError::Interrupted("the year before's count stopped".into()))??;
        Ok::<_, StoreError>((total, by_course, by_room, by_campus, year_before))
    })?;
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
