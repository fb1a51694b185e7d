//! Rooms: per session in the range, the children checked in and the adults serving, against
//! the room's capacity and the session's ratio, and the children released without their tag's
//! code (by staff, with a reason in the audit log). Read from each session's counts
//! (`session_attendance`, kept by triggers).

use super::{require, ReportScope, SESSIONS_FROM, SESSIONS_WHERE};
use crate::db::{Query, Result, Store};
use cct_domain::Actor;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
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

/// A session as counted: its id, start, room, capacity and ratio, and its kept counts.
type Counted = (String, String, Option<String>, Option<i64>, Option<i64>, i64, i64, i64);

pub fn rooms_report(store: &Store, actor: &Actor, scope: &ReportScope, today: NaiveDate) -> Result<RoomsReport> {
    require(actor)?;
    // Every session of the range, from the sessions' report index and kept counts; the titles
    // and rooms' names are read for the sessions listed only.
    let sql = format!(
        "SELECT s.id, s.starts_at, s.facility_id, COALESCE(s.capacity, f.capacity), s.children_per_adult,
                n.children, n.serving, n.released_by_staff
         FROM {SESSIONS_FROM} JOIN session_attendance n ON n.class_session_id = s.id
         WHERE {SESSIONS_WHERE} AND n.attended > 0
         ORDER BY s.starts_at DESC, s.id"
    );
    let bound = scope.bind(today);
    let rows: Vec<Counted> = store.read(|conn| conn.tuples(&sql, bound.for_sql(&sql).as_slice()))?;
    let mut totals = RoomsReport {
        sessions: Vec::new(),
        session_count: 0,
        over_capacity: 0,
        ratio_missed: 0,
        released_without_code: 0,
    };
    let mut listed = Vec::new();
    for (id, starts_at, room, capacity, children_per_adult, children, adults, released_without_code) in rows {
        let session = RoomSession {
            over_capacity: capacity.is_some_and(|capacity| children + adults > capacity),
            ratio_met: children_per_adult.map(|per_adult| adults * per_adult >= children),
            session: id,
            starts_at,
            room,
            capacity,
            children_per_adult,
            children,
            adults,
            released_without_code,
        };
        totals.session_count += 1;
        totals.over_capacity += i64::from(session.over_capacity);
        totals.ratio_missed += i64::from(session.ratio_met == Some(false));
        totals.released_without_code += session.released_without_code;
        if listed.len() < LISTED {
            listed.push(session);
        }
    }
    totals.sessions = named(store, listed)?;
    Ok(totals)
}

/// The listed sessions with their titles and their rooms' names in place of the ids, in the
/// order they came (the latest first; sessions starting together by title).
fn named(store: &Store, mut sessions: Vec<RoomSession>) -> Result<Vec<RoomSession>> {
    let ids: Vec<&str> = sessions.iter().map(|s| s.session.as_str()).collect();
    let ids = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
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
