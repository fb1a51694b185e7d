//! First-time visitors: people whose first attended session (present or late, not serving; see
//! `person_first_visit`) falls in the range, added at a station or in the office alike, per
//! week, and how many came back within four weeks: on a later day, at most 28 days after.
//! Those allowed to read people also get the list to follow up, with phone and e-mail.

use super::{id_list, monday_of, optional_text, require, text, ReportScope, SESSIONS_FROM, SESSIONS_WHERE};
use crate::db::{Query, Result, Store};
use cct_domain::{Actor, Permission};
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
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

/// One first visit of the range, as the follow-up list orders them: those not yet come back
/// first, then the latest first visit (its UTC start, as stored), then by id.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Listed {
    came_back: bool,
    latest_first: std::cmp::Reverse<String>,
    people_id: String,
    day: NaiveDate,
}

pub fn first_time_visitors(
    store: &Store,
    actor: &Actor,
    scope: &ReportScope,
    today: NaiveDate,
) -> Result<VisitorReport> {
    require(actor)?;
    // Read from the kept first visits' index alone, the latest first (the follow-up list's
    // order, so that few rows past its first 500 enter it). Only a filter asks which sessions
    // are of the campus and course: without one, every first visit of the range counts.
    let sql = format!(
        "SELECT v.people_id, v.first_at, v.early_visits FROM person_first_visit v
         WHERE v.first_at >= :from AND v.first_at < :until
           AND (:campus IS NULL AND :course IS NULL
                OR v.first_session_id IN (SELECT s.id FROM {SESSIONS_FROM} WHERE {SESSIONS_WHERE}))
         ORDER BY v.first_at DESC"
    );
    let bound = scope.bind(today);
    let follow_up_shown = actor.can(Permission::PeopleRead);
    let mut weeks: BTreeMap<NaiveDate, (i64, i64)> =
        scope.mondays().into_iter().map(|monday| (monday, (0, 0))).collect();
    // The follow-up list's first FOLLOW_UP_LISTED, kept as the rows stream by (a church's three
    // years can hold 100,000 first visits): the heap's top is the one to drop next.
    let mut listed: BinaryHeap<Listed> = BinaryHeap::with_capacity(FOLLOW_UP_LISTED + 1);
    // A later local day, at most 28 days after: from the start of the next day to the start of
    // the 29th, as UTC text that stored starts compare with. Worked out once per day.
    let mut windows: HashMap<NaiveDate, (String, String)> = HashMap::new();
    store.read(|conn| {
        let mut statement = conn.prepare_cached(&sql)?;
        let mut rows = statement.query(bound.for_sql(&sql).as_slice())?;
        while let Some(row) = rows.next()? {
            let first_at = text(row, 1)?;
            let Some(day) = scope.local_day_of(first_at) else { continue };
            let (after, until) = windows.entry(day).or_insert_with(|| {
                (
                    scope.utc_start_of(day + Duration::days(1)),
                    scope.utc_start_of(day + Duration::days(CAME_BACK_WITHIN_DAYS + 1)),
                )
            });
            let came_back = optional_text(row, 2)?
                .unwrap_or_default()
                .split(' ')
                .any(|visit| !visit.is_empty() && visit >= after.as_str() && visit < until.as_str());
            let week = weeks.entry(monday_of(day)).or_default();
            week.0 += 1;
            week.1 += i64::from(came_back);
            if !follow_up_shown {
                continue;
            }
            let people_id = text(row, 0)?;
            let goes_before_the_last = |last: &Listed| {
                (came_back, std::cmp::Reverse(first_at), people_id)
                    < (last.came_back, std::cmp::Reverse(last.latest_first.0.as_str()), last.people_id.as_str())
            };
            if listed.len() < FOLLOW_UP_LISTED || listed.peek().is_some_and(goes_before_the_last) {
                let people_id = people_id.to_owned();
                listed.push(Listed { came_back, latest_first: std::cmp::Reverse(first_at.to_owned()), people_id, day });
                if listed.len() > FOLLOW_UP_LISTED {
                    listed.pop();
                }
            }
        }
        Ok(())
    })?;
    let follow_up = if follow_up_shown { follow_up_list(store, listed.into_sorted_vec())? } else { Vec::new() };
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

/// A person's id, first and last names, phone and e-mail.
type Contact = (String, String, String, Option<String>, Option<String>);

/// The listed visitors (in order) with their names and contact details, read for them only.
fn follow_up_list(store: &Store, listed: Vec<Listed>) -> Result<Vec<Visitor>> {
    let ids = id_list(listed.iter().map(|visitor| visitor.people_id.as_str()));
    let contacts: Vec<Contact> = store.read(|conn| {
        conn.tuples(
            "SELECT id, first_name, last_name, phone, email FROM people WHERE id IN (SELECT value FROM json_each(?1))",
            [ids],
        )
    })?;
    let mut contacts: HashMap<String, (String, String, Option<String>, Option<String>)> =
        contacts.into_iter().map(|(id, first, last, phone, email)| (id, (first, last, phone, email))).collect();
    Ok(listed
        .into_iter()
        .filter_map(|Listed { came_back, people_id, day, .. }| {
            let (first_name, last_name, phone, email) = contacts.remove(&people_id)?;
            Some(Visitor {
                name: format!("{first_name} {last_name}"),
                first_visit: day.to_string(),
                came_back,
                phone,
                email,
                people_id,
            })
        })
        .collect())
}
