//! The office's reports, worked out here as SQL aggregates over indexed columns; the window only
//! draws them.
//!
//! - [`attendance`]: weekly attendance per course, room and campus, beside the same weeks a year
//!   earlier.
//! - [`visitors`]: first-time visitors per week, and who came back within four weeks.
//! - [`funnel`]: per course, enrolled → in progress → completed, the median time to complete,
//!   and the step people stall at.
//! - [`certifications`]: expiring per month for a year, already expired, and people who served
//!   without a valid certification.
//! - [`rooms`]: per session, children and adults against capacity and ratio, and children
//!   released without their tag's code.
//!
//! Every report takes a [`ReportFilter`] (campus, course, dates) and needs `reports.read`. Weeks
//! start on Monday and days are this computer's local days: the store is told the computer's
//! offset from UTC ([`ReportScope::utc_offset_minutes`]).

pub mod attendance;
pub mod certifications;
pub mod csv;
pub mod funnel;
pub mod rooms;
pub mod visitors;

use crate::db::{Query, Result, Store};
use crate::office::people;
use cct_domain::{Actor, Permission, ValidationError};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;
use uuid::Uuid;

/// The longest range a report covers: three years of weeks, and a year before them.
const LONGEST_RANGE_DAYS: i64 = 3 * 366;

/// What the office picks: a campus, a course, and the days from and to (both included).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ReportFilter {
    pub campus_id: Option<Uuid>,
    pub course_id: Option<Uuid>,
    /// `YYYY-MM-DD`, a local day.
    pub from: String,
    pub to: String,
}

/// A filter checked, with the campus this computer is limited to (a campus-scoped computer
/// reports only its campus, whatever was asked) and its offset from UTC.
#[derive(Debug, Clone)]
pub struct ReportScope {
    pub campus_id: Option<String>,
    pub course_id: Option<String>,
    pub from: NaiveDate,
    /// The day after the last day: ranges are half-open.
    pub until: NaiveDate,
    pub utc_offset_minutes: i32,
}

impl ReportScope {
    /// Checks the filter. `campus_scope` is the campus this computer is limited to, if any.
    pub fn new(filter: &ReportFilter, campus_scope: Option<&str>, utc_offset_minutes: i32) -> Result<Self> {
        let day = |field: &'static str, text: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| ValidationError::new(field, "a day as YYYY-MM-DD, for example 2026-09-01"))
        };
        let from = day("from", &filter.from)?;
        let to = day("to", &filter.to)?;
        if to < from {
            return Err(ValidationError::new("to", "the last day is before the first").into());
        }
        if (to - from).num_days() > LONGEST_RANGE_DAYS {
            return Err(ValidationError::new("from", "a report covers three years at the most").into());
        }
        let campus_id = match (campus_scope, filter.campus_id) {
            (Some(scope), _) => Some(scope.to_owned()),
            (None, campus) => campus.map(|id| id.to_string()),
        };
        Ok(Self {
            campus_id,
            course_id: filter.course_id.map(|id| id.to_string()),
            from,
            until: to + Duration::days(1),
            utc_offset_minutes,
        })
    }

    /// The UTC instant a local day starts at, as stored timestamps are written (they compare
    /// as text).
    fn utc_start_of(&self, day: NaiveDate) -> String {
        let local_midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        (local_midnight - Duration::minutes(self.utc_offset_minutes.into())).format("%Y-%m-%dT%H:%M:%S").to_string()
    }

    /// The local day a stored UTC timestamp (`YYYY-MM-DDTHH:MM…`) falls on here. Read by hand,
    /// not by a format string: the reports read one for each of 100,000 rows.
    fn local_day_of(&self, stored: &str) -> Option<NaiveDate> {
        let number = |range: std::ops::Range<usize>| stored.get(range)?.parse::<u32>().ok();
        let utc_day = NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?;
        let minutes = i64::from(number(11..13)? * 60 + number(14..16)?) + i64::from(self.utc_offset_minutes);
        utc_day.checked_add_signed(Duration::days(minutes.div_euclid(24 * 60)))
    }

    /// The SQLite modifier that turns a stored UTC timestamp into this computer's local time.
    fn local(&self) -> String {
        format!("{:+} minutes", self.utc_offset_minutes)
    }

    /// The modifier back: a local time to UTC.
    fn utc(&self) -> String {
        format!("{:+} minutes", -self.utc_offset_minutes)
    }

    /// The same range a year (52 weeks, so weeks stay Mondays) earlier.
    fn year_before(&self) -> Self {
        Self { from: self.from - Duration::weeks(52), until: self.until - Duration::weeks(52), ..self.clone() }
    }

    /// The Mondays of every week the range touches, in order: weeks with nothing in them are
    /// shown too, as zero.
    fn mondays(&self) -> Vec<NaiveDate> {
        let mut monday = monday_of(self.from);
        let mut weeks = Vec::new();
        while monday < self.until {
            weeks.push(monday);
            monday += Duration::weeks(1);
        }
        weeks
    }
}

pub(crate) fn monday_of(day: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    day - Duration::days(day.weekday().num_days_from_monday().into())
}

/// The sessions a report covers: active, starting inside the range (local days), of the
/// campus (the room's, else the course's) and of the course asked for. [`SESSIONS_FROM`] names
/// `class_session s`, `course c` and `facility f`; [`SESSIONS_WHERE`] binds `:from`, `:until`,
/// `:campus` and `:course` (see [`ReportScope::bind`]).
const SESSIONS_FROM: &str =
    "class_session s JOIN course c ON c.id = s.course_id LEFT JOIN facility f ON f.id = s.facility_id";
const SESSIONS_WHERE: &str = "s.is_active = 1 AND s.starts_at >= :from AND s.starts_at < :until
     AND (:campus IS NULL OR COALESCE(f.campus_id, c.campus_id) = :campus)
     AND (:course IS NULL OR s.course_id = :course)";

/// Each session of the range (and the course asked for) with anyone in it, from the kept counts'
/// index alone: its id, start, course, room, attended, children, adults serving,
/// released by staff, served uncertified, capacity and ratio. The campus (the room's, else the
/// course's) is looked up by the caller, from [`Places`]. The latest last.
const SESSION_COUNTS_IN_RANGE: &str =
    "SELECT n.class_session_id, n.starts_at, n.course_id, n.facility_id, n.attended, n.children, n.serving,
            n.released_by_staff, n.served_uncertified, n.capacity, n.children_per_adult
     FROM session_attendance n INDEXED BY idx_session_attendance_report
     WHERE n.starts_at >= :from AND n.starts_at < :until AND n.session_active = 1
       AND (:course IS NULL OR n.course_id = :course) AND n.attended > 0
     ORDER BY n.starts_at";

/// Streams [`SESSION_COUNTS_IN_RANGE`] for `scope` to `each`, one row at a time and only the
/// sessions of the campus asked for: over three years that is 31,000 sessions, and nothing is
/// copied that `each` does not keep.
pub(crate) fn each_session_count(
    store: &Store,
    scope: &ReportScope,
    today: NaiveDate,
    places: &Places,
    mut each: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<()>,
) -> Result<()> {
    let bound = scope.bind(today);
    store.read(|conn| {
        let mut statement = conn.prepare_cached(SESSION_COUNTS_IN_RANGE)?;
        let mut rows = statement.query(bound.for_sql(SESSION_COUNTS_IN_RANGE).as_slice())?;
        while let Some(row) = rows.next()? {
            if places.in_scope(scope, text(row, 2)?, optional_text(row, 3)?) {
                each(row)?;
            }
        }
        Ok(())
    })
}

/// Runs `alongside` on a second thread (so on a second reader connection) while `here` runs on
/// this one: a report's two biggest reads share the machine's cores.
pub(crate) fn side_by_side<A: Send, B>(
    alongside: impl FnOnce() -> Result<A> + Send,
    here: impl FnOnce() -> Result<B>,
) -> Result<(A, B)> {
    std::thread::scope(|threads| {
        let other = threads.spawn(alongside);
        let here = here()?;
        let other =
            other.join().map_err(|_| crate::db::StoreError::Interrupted("a report's read stopped".into()))??;
        Ok((other, here))
    })
}

/// The names of every course, room and campus by id, the campus of each course and room, and
/// each room's capacity: few rows, read once per report.
pub(crate) struct Places {
    pub(crate) names: HashMap<String, String>,
    campus_of: HashMap<String, String>,
    capacity_of: HashMap<String, i64>,
}

impl Places {
    pub(crate) fn read(store: &Store) -> Result<Self> {
        let rows: Vec<(String, String, Option<String>, Option<i64>)> = store.read(|conn| {
            conn.tuples(
                "SELECT id, name, campus_id, NULL FROM course UNION ALL SELECT id, name, campus_id, capacity FROM facility
                 UNION ALL SELECT id, name, NULL, NULL FROM campus",
                [],
            )
        })?;
        let mut places = Self { names: HashMap::new(), campus_of: HashMap::new(), capacity_of: HashMap::new() };
        for (id, name, campus, capacity) in rows {
            if let Some(campus) = campus {
                places.campus_of.insert(id.clone(), campus);
            }
            if let Some(capacity) = capacity {
                places.capacity_of.insert(id.clone(), capacity);
            }
            places.names.insert(id, name);
        }
        Ok(places)
    }

    /// A session's campus: its room's, else its course's.
    pub(crate) fn campus(&self, course: &str, room: Option<&str>) -> Option<&String> {
        room.and_then(|room| self.campus_of.get(room)).or_else(|| self.campus_of.get(course))
    }

    /// Whether a session of `course` in `room` is of the campus the scope asks for, if any.
    pub(crate) fn in_scope(&self, scope: &ReportScope, course: &str, room: Option<&str>) -> bool {
        scope.campus_id.as_ref().is_none_or(|wanted| self.campus(course, room) == Some(wanted))
    }

    pub(crate) fn capacity(&self, room: Option<&str>) -> Option<i64> {
        room.and_then(|room| self.capacity_of.get(room)).copied()
    }
}

/// The values a report's statement binds by name: the range's UTC bounds, the campus, the
/// course, the local-time modifiers (`:local` from UTC, `:utc` back), today (`:today`) and the range as local days
/// (`:first_day`, `:day_after`). No name is the start of another.
pub(crate) struct Bound {
    values: Vec<(&'static str, Box<dyn rusqlite::ToSql>)>,
}

impl Bound {
    /// The values `sql` names, in the form rusqlite binds (a name the statement does not use
    /// cannot be bound, so only those it names are given).
    pub(crate) fn for_sql<'a>(&'a self, sql: &str) -> Vec<(&'static str, &'a dyn rusqlite::ToSql)> {
        self.values
            .iter()
            .filter(|(name, _)| sql.contains(name))
            .map(|(name, value)| (*name, value.as_ref() as &dyn rusqlite::ToSql))
            .collect()
    }
}

impl ReportScope {
    pub(crate) fn bind(&self, today: NaiveDate) -> Bound {
        Bound {
            values: vec![
                (":from", Box::new(self.utc_start_of(self.from))),
                (":until", Box::new(self.utc_start_of(self.until))),
                (":campus", Box::new(self.campus_id.clone())),
                (":course", Box::new(self.course_id.clone())),
                (":local", Box::new(self.local())),
                (":utc", Box::new(self.utc())),
                (":today", Box::new(today.to_string())),
                // The range as local days, for columns that hold a day (an enrollment's date).
                (":first_day", Box::new(self.from.to_string())),
                (":day_after", Box::new(self.until.to_string())),
            ],
        }
    }
}

/// Every report needs `reports.read`.
pub fn require(actor: &Actor) -> Result<()> {
    people::require(actor, Permission::ReportsRead)
}

/// Ids as a JSON array, bound as one value that a statement reads with `json_each`: the few
/// rows a report lists are looked up by id after its counts.
pub(crate) fn id_list<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    serde_json::Value::Array(ids.into_iter().map(|id| id.into()).collect()).to_string()
}

/// A text column of a row being read, borrowed (a report streams many rows).
pub(crate) fn text<'row>(row: &'row rusqlite::Row<'_>, column: usize) -> rusqlite::Result<&'row str> {
    optional_text(row, column)?.ok_or(rusqlite::Error::InvalidColumnType(
        column,
        "NULL".into(),
        rusqlite::types::Type::Null,
    ))
}

pub(crate) fn optional_text<'row>(row: &'row rusqlite::Row<'_>, column: usize) -> rusqlite::Result<Option<&'row str>> {
    row.get_ref(column)?.as_str_or_null().map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(error))
    })
}

/// A count beside its label, for the tables drawn beside each chart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Count {
    pub label: String,
    pub count: i64,
}
