use cct_domain::records::*;
use cct_domain::Actor;
use cct_store::db::Query;
use cct_store::office::people as actor;
use cct_store::{records, Store};
use tempfile::TempDir;
use uuid::Uuid;

/// The key every test database is encrypted with, so a test can open its file again.
pub fn key() -> cct_store::DatabaseKey {
    cct_store::DatabaseKey::from_hex(&"5a".repeat(32)).expect("a key")
}

/// A connection of SQLite's own (no store) to a test database, with its key.
pub fn open_encrypted(path: &std::path::Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("open the file");
    conn.pragma_update(None, "key", format!("x'{}'", key().to_hex())).expect("the key");
    conn
}

/// A store on a fresh database file; keep the `TempDir` alive as long as the store.
pub fn fresh_store() -> (Store, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path().join("church.sqlite"), &key()).expect("open store");
    (store, dir)
}

pub fn system() -> Actor {
    Actor::system()
}

pub fn add_person(store: &Store, first: &str, last: &str) -> Person {
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let person =
        records::insert(&mut tx, Person { first_name: first.into(), last_name: last.into(), ..Default::default() })
            .unwrap();
    tx.commit().unwrap();
    person
}

pub fn add_course(store: &Store, name: &str, max_capacity: Option<i64>) -> Course {
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let course = records::insert(&mut tx, Course { name: name.into(), max_capacity, ..Default::default() }).unwrap();
    tx.commit().unwrap();
    course
}

/// A person holding a built-in role, and the actor for them.
pub fn person_with_role(store: &Store, first: &str, role: &str) -> Actor {
    let person = add_person(store, first, "Tester");
    let role_id = actor::role_id(store, role).unwrap();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    records::insert(
        &mut tx,
        PeopleRole {
            people_id: person.meta.id,
            role_id,
            assigned_date: chrono::Utc::now().date_naive(),
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    actor::actor_for_person(store, person.meta.id).unwrap()
}

pub fn count(store: &Store, table: &str) -> i64 {
    store.read(|conn| conn.scalar(&format!("SELECT COUNT(*) FROM {table}"), [])).unwrap()
}

/// A one-value query on a reader, for what a test checks directly in the database.
pub fn scalar<T: rusqlite::types::FromSql>(store: &Store, sql: &str, params: impl rusqlite::Params) -> T {
    store.read(|conn| conn.scalar(sql, params)).unwrap()
}

/// Adds `n` required lessons to a course; returns their ids in order.
pub fn add_lessons(store: &Store, course_id: Uuid, n: usize, required: bool) -> Vec<Uuid> {
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let kind: String = tx.conn().scalar("SELECT id FROM content_type WHERE name = 'video'", []).unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let content = records::insert(
            &mut tx,
            Content {
                course_id,
                title: format!("Lesson {i}"),
                content_type_id: Uuid::parse_str(&kind).unwrap(),
                order_sequence: i as i64,
                is_required: required,
                ..Default::default()
            },
        )
        .unwrap();
        ids.push(content.meta.id);
    }
    tx.commit().unwrap();
    ids
}

/// Checks people in at a station, in one transaction, as the station's command does.
pub fn check_in(
    store: &Store,
    actor: &Actor,
    session: Uuid,
    people: &[Uuid],
    station: &str,
) -> cct_store::Result<cct_store::checkin::CheckInResult> {
    store.write(actor, |tx| cct_store::checkin::check_in(tx, session, people, station))
}

/// A session of `course_id` (in `offering_id`, or its course's first offering when `None`)
/// starting at `starts_at` and lasting an hour, not yet written.
pub fn hour_long_session(
    course_id: Uuid,
    offering_id: Option<Uuid>,
    title: &str,
    starts_at: cct_domain::Timestamp,
) -> ClassSession {
    ClassSession {
        meta: Default::default(),
        course_id,
        offering_id,
        facility_id: None,
        title: title.into(),
        starts_at,
        ends_at: cct_domain::Timestamp::from(starts_at.as_datetime() + chrono::Duration::hours(1)),
        capacity: None,
        status: Default::default(),
        children_per_adult: None,
        serving_certification_id: None,
    }
}

/// A session of `course_id` starting now and lasting an hour, written in `tx`.
pub fn session_now(
    tx: &mut cct_store::WriteTx<'_>,
    course_id: Uuid,
    title: &str,
    capacity: Option<i64>,
) -> ClassSession {
    let session = ClassSession { capacity, ..hour_long_session(course_id, None, title, cct_domain::Timestamp::now()) };
    records::insert(tx, session).unwrap()
}

/// Delivers to device `to` every other device's `offline` changes, shuffled and in batches of
/// random size, as pulls from a hub that saw them in another order would.
pub fn deliver_in_random_batches(
    store: &Store,
    to: usize,
    offline: &[Vec<cct_store::team::Change>],
    rng: &mut fastrand::Rng,
) {
    let mut incoming: Vec<cct_store::team::Change> =
        offline.iter().enumerate().filter(|(from, _)| *from != to).flat_map(|(_, c)| c.clone()).collect();
    rng.shuffle(&mut incoming);
    let mut cursor = 2;
    while !incoming.is_empty() {
        let take = rng.usize(1..=incoming.len());
        let batch: Vec<cct_store::team::Change> = incoming.drain(..take).collect();
        cct_store::team::apply::apply_batch(store, &batch, cursor).unwrap();
        cursor += 1;
    }
}
