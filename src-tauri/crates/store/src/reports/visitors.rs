//! First-time visitors: people whose first attended session (present or late, not serving; see
//! `person_first_visit`) falls in the range, added at a station or in the office alike, per
//! week, and how many came back within four weeks: on a later day, at most 28 days after.
//! Those allowed to read people also get the list to follow up, with phone and e-mail.

use super::{monday_of, require, ReportScope, ATTENDED, SESSIONS_FROM, SESSIONS_WHERE};
use crate::db::{Query, Result, Store};
use cct_domain::{Actor, Permission};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// "Came back" is a visit on a later day, this many days after the first at the most.
pub const CAME_BACK_WITHIN_DAYS: i64 = 28;
/// The follow-up list shows this many at the most (those not back first); the counts have all.
const FOLLOW_UP_LISTED: usize = 500;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct VisitorWeek {
    /// The week's Monday.
    pub week: String,
    pub first_timers: i64,
    pub came_back: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Visitor {
    pub people_id: String,
    pub name: String,
    /// The local day of their first visit.
    pub first_visit: String,
    pub came_back: bool,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct VisitorReport {
    pub weeks: Vec<VisitorWeek>,
    pub first_timers: i64,
    pub came_back: i64,
    pub came_back_within_days: i64,
    /// Those not yet come back first, then the latest, at most 500. Empty unless the reader may
    /// read people.
    pub follow_up: Vec<Visitor>,
    pub follow_up_shown: bool,
}

type Row = (String, String, String, Option<String>, Option<String>, String, bool);

pub fn first_time_visitors(
    store: &Store,
    actor: &Actor,
    scope: &ReportScope,
    today: NaiveDate,
) -> Result<VisitorReport> {
    require(actor)?;
    // The first visit's session must be of the campus and course asked for.
    let sql = format!(
        "SELECT p.id, p.first_name, p.last_name, p.phone, p.email, date(v.first_at, :local),
                EXISTS (SELECT 1 FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
                        WHERE a.people_id = v.people_id AND {ATTENDED} AND s.is_active = 1
                          AND s.starts_at >= strftime('%Y-%m-%dT%H:%M:%S', date(v.first_at, :local, '+1 day'), :utc)
                          AND s.starts_at < strftime('%Y-%m-%dT%H:%M:%S', date(v.first_at, :local, '+{} days'), :utc))
         FROM person_first_visit v JOIN people p ON p.id = v.people_id
         WHERE v.first_at >= :from AND v.first_at < :until
           AND EXISTS (SELECT 1 FROM attendance_record a JOIN {SESSIONS_FROM}
                       WHERE a.people_id = v.people_id AND s.id = a.class_session_id AND s.starts_at = v.first_at
                         AND {ATTENDED} AND a.serving = 0 AND {SESSIONS_WHERE})
         ORDER BY v.first_at DESC",
        CAME_BACK_WITHIN_DAYS + 1
    );
    let bound = scope.bind(today);
    let rows: Vec<Row> = store.read(|conn| conn.tuples(&sql, bound.for_sql(&sql).as_slice()))?;
    let mut weeks: BTreeMap<NaiveDate, (i64, i64)> =
        scope.mondays().into_iter().map(|monday| (monday, (0, 0))).collect();
    let mut follow_up = Vec::new();
    for (people_id, first_name, last_name, phone, email, first_visit, came_back) in rows {
        if let Ok(day) = NaiveDate::parse_from_str(&first_visit, "%Y-%m-%d") {
            let week = weeks.entry(monday_of(day)).or_default();
            week.0 += 1;
            week.1 += i64::from(came_back);
        }
        follow_up.push(Visitor {
            people_id,
            name: format!("{first_name} {last_name}"),
            first_visit,
            came_back,
            phone,
            email,
        });
    }
    let follow_up_shown = actor.can(Permission::PeopleRead);
    if follow_up_shown {
        // Stable: within each group the latest first visit stays first.
        follow_up.sort_by_key(|visitor| visitor.came_back);
        follow_up.truncate(FOLLOW_UP_LISTED);
    } else {
        follow_up.clear();
    }
    let weeks: Vec<VisitorWeek> = weeks
        .into_iter()
        .map(|(monday, (first_timers, came_back))| VisitorWeek { week: monday.to_string(), first_timers, came_back })
        .collect();
    Ok(VisitorReport {
        first_timers: weeks.iter().map(|w| w.first_timers).sum(),
        came_back: weeks.iter().map(|w| w.came_back).sum(),
        weeks,
        came_back_within_days: CAME_BACK_WITHIN_DAYS,
        follow_up,
        follow_up_shown,
    })
}
