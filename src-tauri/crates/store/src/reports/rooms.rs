//! Rooms: per session in the range, the children checked in and the adults serving, against
//! the room's capacity and the session's ratio, and the children released without their tag's
//! code (by staff, with a reason in the audit log). Read from each session's counts
//! (`session_attendance`, kept by triggers).

use super::{require, ReportScope, SESSIONS_FROM, SESSIONS_WHERE};
use crate::db::{Query, Result, Store};
use cct_domain::Actor;
use chrono::NaiveDate;
use serde::Serialize;
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

type Row = (String, String, Option<String>, Option<i64>, Option<i64>, i64, i64, i64);

pub fn rooms_report(store: &Store, actor: &Actor, scope: &ReportScope, today: NaiveDate) -> Result<RoomsReport> {
    require(actor)?;
    let sql = format!(
        "SELECT s.title, s.starts_at, f.name, COALESCE(s.capacity, f.capacity), s.children_per_adult,
                n.children, n.serving, n.released_by_staff
         FROM {SESSIONS_FROM} JOIN session_attendance n ON n.class_session_id = s.id
         WHERE {SESSIONS_WHERE} AND n.attended > 0
         ORDER BY s.starts_at DESC, s.title"
    );
    let bound = scope.bind(today);
    let rows: Vec<Row> = store.read(|conn| conn.tuples(&sql, bound.for_sql(&sql).as_slice()))?;
    let sessions: Vec<RoomSession> = rows
        .into_iter()
        .map(|(session, starts_at, room, capacity, children_per_adult, children, adults, released_without_code)| {
            RoomSession {
                over_capacity: capacity.is_some_and(|capacity| children + adults > capacity),
                ratio_met: children_per_adult.map(|per_adult| adults * per_adult >= children),
                session,
                starts_at,
                room,
                capacity,
                children_per_adult,
                children,
                adults,
                released_without_code,
            }
        })
        .collect();
    Ok(RoomsReport {
        session_count: sessions.len() as i64,
        over_capacity: sessions.iter().filter(|s| s.over_capacity).count() as i64,
        ratio_missed: sessions.iter().filter(|s| s.ratio_met == Some(false)).count() as i64,
        released_without_code: sessions.iter().map(|s| s.released_without_code).sum(),
        sessions: sessions.into_iter().take(LISTED).collect(),
    })
}
