//! Attendance over time: each week's attendance (present or late) per course, per room and per
//! campus, beside the same weeks 52 weeks earlier. Weeks with nobody are shown, as zero. Read
//! from each session's counts (`session_attendance`, kept by triggers), not the rows.

use super::{each_session_count, monday_of, optional_text, require, side_by_side, text, Places, ReportScope};
use crate::db::{Result, Store};
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
    // Each session's count, folded into weeks here rather than grouped in SQL: nearly every
    // (week, course) pair is one session, so grouping would sort them all for nothing. The same
    // weeks a year before are read alongside.
    let earlier = scope.year_before();
    let count_the_year_before = || {
        let mut year_before = vec![0; mondays.len()];
        let earlier_index: HashMap<NaiveDate, usize> =
            earlier.mondays().into_iter().enumerate().map(|(index, monday)| (monday, index)).collect();
        each_session_count(store, &earlier, today, &places, |row| {
            if let Some(&index) = scope.local_day_of(text(row, 1)?).and_then(|day| earlier_index.get(&monday_of(day))) {
                year_before[index] += row.get::<_, i64>(4)?;
            }
            Ok(())
        })
        .map(|()| year_before)
    };
    let count_the_range = || {
        // Each line is one course, room or campus (two rooms may share a name), shown by its name.
        let mut total = vec![0; mondays.len()];
        let mut by_course: Lines = BTreeMap::new();
        let mut by_room: Lines = BTreeMap::new();
        let mut by_campus: Lines = BTreeMap::new();
        each_session_count(store, scope, today, &places, |row| {
            let Some(&index) = scope.local_day_of(text(row, 1)?).and_then(|day| week_index.get(&monday_of(day))) else {
                return Ok(());
            };
            let (course, room, count) = (text(row, 2)?, optional_text(row, 3)?, row.get::<_, i64>(4)?);
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
            Ok(())
        })
        .map(|()| (total, by_course, by_room, by_campus))
    };
    let (year_before, (total, by_course, by_room, by_campus)) = side_by_side(count_the_year_before, count_the_range)?;
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
