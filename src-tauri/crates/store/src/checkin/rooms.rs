//! The room view: for the office or a teacher, who is in each of today's sessions now and who has
//! left, counts against capacity and ratio, allergies and medical alerts, who serves without the
//! certification the session asks for, and children released by staff without their tag.

use super::{is_child, requirement_scope, MOST_SEVERE_FIRST};
use crate::db::{Query, Result, Store};
use cct_domain::records::{ClassSession, ReleaseMethod};
use cct_domain::{Actor, Permission, Timestamp};
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, TS)]
pub struct RoomPerson {
    pub people_id: Uuid,
    pub name: String,
    pub is_child: bool,
    pub serving: bool,
    /// Serving without the certification the session asks for, valid on the day.
    pub serving_uncertified: bool,
    pub checked_in_at: Option<Timestamp>,
    pub checked_out_at: Option<Timestamp>,
    pub release_method: Option<ReleaseMethod>,
    pub release_reason: Option<String>,
    pub collected_by: Option<String>,
    /// Allergies and medical notes the reader may see, most severe first.
    pub alerts: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RoomNow {
    pub session: ClassSession,
    pub room: Option<String>,
    /// The session's own capacity, else its room's.
    pub capacity: Option<i64>,
    pub children_in: i64,
    pub adults_serving: i64,
    /// Everyone checked in and not yet gone.
    pub in_now: i64,
    pub left: i64,
    pub full: bool,
    pub over_ratio: bool,
    pub people: Vec<RoomPerson>,
}

/// Today's sessions (the computer's local day), and any other session someone was checked in to
/// today, each with who is in and who has left.
pub fn rooms_today(store: &Store, actor: &Actor) -> Result<Vec<RoomNow>> {
    crate::office::people::require(actor, Permission::AttendanceRead)?;
    store.read(|conn| {
        let sessions = conn.records::<ClassSession>(
            "class_session",
            "SELECT * FROM class_session s WHERE is_active = 1 AND status <> 'cancelled'
               AND (date(starts_at, 'localtime') = date('now', 'localtime')
                    OR EXISTS (SELECT 1 FROM attendance_record a WHERE a.class_session_id = s.id AND a.is_active = 1
                               AND date(a.check_in_at, 'localtime') = date('now', 'localtime')))
             ORDER BY starts_at, title",
            [],
        )?;
        sessions.into_iter().map(|session| room_now(conn, actor, session)).collect()
    })
}

/// A room's row: person, first name, nickname, last name, date of birth, serving, uncertified,
/// in, out, how released, why, collected by.
type RoomRow = (
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    bool,
    bool,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn room_now(conn: &Connection, actor: &Actor, session: ClassSession) -> Result<RoomNow> {
    let id = session.meta.id;
    let (room, room_capacity): (Option<String>, Option<i64>) = match session.facility_id {
        Some(facility) => conn
            .tuple("SELECT name, capacity FROM facility WHERE id = ?1", [facility.to_string()])?
            .unwrap_or((None, None)),
        None => (None, None),
    };
    let capacity = session.capacity.or(room_capacity);
    let rows: Vec<RoomRow> = conn.tuples(
        "SELECT p.id, p.first_name, p.nickname, p.last_name, p.date_of_birth, a.serving, a.serving_uncertified,
                a.check_in_at, a.check_out_at, a.release_method, a.release_reason, a.collected_by
         FROM attendance_record a JOIN people p ON p.id = a.people_id
         WHERE a.class_session_id = ?1 AND a.is_active = 1 AND a.check_in_at IS NOT NULL
           AND a.status IN ('present', 'late')
         ORDER BY a.check_out_at IS NOT NULL, p.last_name, p.first_name",
        [id.to_string()],
    )?;
    let today = Timestamp::now().date();
    let see_needs = actor.can(Permission::SpecialRequirementsRead);
    let scope = requirement_scope(actor);
    let mut people = Vec::new();
    for (person, first, nickname, last, born, serving, uncertified, in_at, out_at, method, reason, collected) in rows {
        let Ok(people_id) = Uuid::parse_str(&person) else { continue };
        let mut alerts = Vec::new();
        if see_needs {
            let sql = format!(
                "SELECT requirement_type, details FROM special_requirement
                 WHERE people_id = ?1 AND is_active = 1 AND requirement_type IN ('allergy', 'medical'){scope}
                 ORDER BY {MOST_SEVERE_FIRST}"
            );
            for (kind, details) in conn.tuples::<(String, String)>(&sql, [&person])? {
                alerts.push(format!("{}: {details}", kind.to_uppercase()));
            }
        }
        people.push(RoomPerson {
            people_id,
            name: cct_domain::records::display_name(&first, nickname.as_deref(), &last),
            is_child: is_child(born.and_then(|d| d.parse().ok()), today),
            serving,
            serving_uncertified: uncertified,
            checked_in_at: in_at.and_then(|t| Timestamp::parse(&t).ok()),
            checked_out_at: out_at.and_then(|t| Timestamp::parse(&t).ok()),
            release_method: method.and_then(|m| serde_json::from_value(serde_json::Value::String(m)).ok()),
            release_reason: reason,
            collected_by: collected,
            alerts,
        });
    }
    // The rows read above are everyone checked in: the counts are theirs, not another query's.
    let here: Vec<&RoomPerson> = people.iter().filter(|p| p.checked_out_at.is_none()).collect();
    let children_in = here.iter().filter(|p| p.is_child && !p.serving).count() as i64;
    let adults_serving = here.iter().filter(|p| p.serving).count() as i64;
    let in_now = here.len() as i64;
    let left = people.len() as i64 - in_now;
    Ok(RoomNow {
        full: capacity.is_some_and(|c| in_now >= c),
        over_ratio: session.children_per_adult.is_some_and(|per| children_in > adults_serving * per),
        session,
        room,
        capacity,
        children_in,
        adults_serving,
        in_now,
        left,
        people,
    })
}
