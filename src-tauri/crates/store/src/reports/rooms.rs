//! Rooms: per session in the range, the children checked in and the adults serving, against
//! the room's capacity and the session's ratio, and the children released without their tag's
//! code (by staff, with a reason in the audit log). Read from each session's counts
//! (`session_attendance`, kept by triggers).

use super::{each_session_count, id_list, optional_text, require, text, Places, ReportScope};
use crate::db::{Query, Result, Store};
use cct_domain::Actor;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use ts_rs::TS;

/// Sessions listed at the most, the latest first; the totals count every session.
const LISTED: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RoomSession {
    pub session: String,
    pub starts_at: String,
    pub room: Option<String>,
    pub capacity: Option<i64>,
    pub children_per_adult: Option<i64>,
    /// Checked in, not serving.
    pub children: i64,
    /// Checked in to serve.
    pub adults: i64,
    pub over_capacity: bool,
    /// None when the session sets no ratio.
    pub ratio_met: Option<bool>,
    pub released_without_code: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RoomsReport {
    pub sessions: Vec<RoomSession>,
    pub session_count: i64,
    pub over_capacity: i64,
    pub ratio_missed: i64,
    pub released_without_code: i64,
}

pub fn rooms_report(store: &Store, actor: &Actor, scope: &ReportScope, today: NaiveDate) -> Result<RoomsReport> {
    require(actor)?;
    // Every session of the range, from the kept counts' index (the earliest first); the titles
    // are read for the sessions listed only.
    let places = Places::read(store)?;
    let mut totals = RoomsReport {
        sessions: Vec::new(),
        session_count: 0,
        over_capacity: 0,
        ratio_missed: 0,
        released_without_code: 0,
    };
    let mut latest: VecDeque<RoomSession> = VecDeque::with_capacity(LISTED + 1);
    each_session_count(store, scope, today, &places, |row| {
        let room = optional_text(row, 3)?;
        let (children, adults, released_without_code): (i64, i64, i64) = (row.get(5)?, row.get(6)?, row.get(7)?);
        let capacity = row.get::<_, Option<i64>>(9)?.or_else(|| places.capacity(room));
        let children_per_adult: Option<i64> = row.get(10)?;
        let over_capacity = capacity.is_some_and(|capacity| children + adults > capacity);
        let ratio_met = children_per_adult.map(|per_adult| adults * per_adult >= children);
        totals.session_count += 1;
        totals.over_capacity += i64::from(over_capacity);
        totals.ratio_missed += i64::from(ratio_met == Some(false));
        totals.released_without_code += released_without_code;
        latest.push_back(RoomSession {
            session: text(row, 0)?.to_owned(),
            starts_at: text(row, 1)?.to_owned(),
            room: room.map(str::to_owned),
            capacity,
            children_per_adult,
            children,
            adults,
            over_capacity,
            ratio_met,
            released_without_code,
        });
        if latest.len() > LISTED {
            latest.pop_front();
        }
        Ok(())
    })?;
    totals.sessions = named(store, latest.into_iter().collect())?;
    Ok(totals)
}

/// The listed sessions with their titles and their rooms' names in place of the ids, in the
/// order they came (the latest first; sessions starting together by title).
fn named(store: &Store, mut sessions: Vec<RoomSession>) -> Result<Vec<RoomSession>> {
    let ids = id_list(sessions.iter().map(|s| s.session.as_str()));
    let names: Vec<(String, String, Option<String>)> = store.read(|conn| {
        conn.tuples(
            "SELECT s.id, s.title, f.name FROM json_each(?1) listed CROSS JOIN class_session s ON s.id = listed.value
             LEFT JOIN facility f ON f.id = s.facility_id",
            [ids],
        )
    })?;
    let names: HashMap<String, (String, Option<String>)> =
        names.into_iter().map(|(id, title, room)| (id, (title, room))).collect();
    for session in &mut sessions {
        let (title, room) = names.get(&session.session).cloned().unwrap_or_default();
        session.session = title;
        session.room = room;
    }
    sessions.sort_by(|a, b| b.starts_at.cmp(&a.starts_at).then_with(|| a.session.cmp(&b.session)));
    Ok(sessions)
}
