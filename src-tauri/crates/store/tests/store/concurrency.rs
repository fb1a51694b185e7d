//! One writer at a time: many concurrent writers, in this process and in a second connection
//! to the same file (as a second app instance would be), all succeed; none sees SQLITE_BUSY.

use crate::common::*;
use cct_domain::records::Person;
use cct_store::db::Query;
use cct_store::{records, Store};

#[test]
fn concurrent_writers_never_see_busy() {
    let (store, dir) = fresh_store();
    let second = Store::open(dir.path().join("church.sqlite")).unwrap();
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let store = if worker % 2 == 0 { store.clone() } else { second.clone() };
        tasks.push(std::thread::spawn(move || {
            let system = cct_domain::Actor::system();
            for i in 0..25 {
                let mut tx = store.begin_write(&system)?;
                records::insert(
                    &mut tx,
                    Person { first_name: format!("W{worker}"), last_name: format!("N{i}"), ..Default::default() },
                )?;
                tx.commit()?;
            }
            Ok::<_, cct_store::StoreError>(())
        }));
    }
    for task in tasks {
        task.join().unwrap().unwrap();
    }
    assert_eq!(count(&store, "people"), 200);
    assert_eq!(count(&store, "audit_log"), 200);
}

#[test]
fn the_database_runs_in_wal_mode_with_foreign_keys_on() {
    let (store, _dir) = fresh_store();
    let system = system();
    let tx = store.begin_write(&system).unwrap();
    let mode: String = tx.conn().scalar("PRAGMA journal_mode", []).unwrap();
    let fk: i64 = tx.conn().scalar("PRAGMA foreign_keys", []).unwrap();
    assert_eq!((mode.as_str(), fk), ("wal", 1));
    let orphan = tx.conn().run(
        "INSERT INTO people_role (id, people_id, role_id, assigned_date, created_at, updated_at) VALUES ('x', 'nobody', 'nothing', '2026-01-01', 'now', 'now')",
        [],
    );
    assert!(orphan.is_err(), "foreign keys are enforced");
}

/// Check-ins from several threads and the office's writes go one at a time through the one
/// writer, and a transaction dropped half-way leaves nothing behind and blocks no one.
#[test]
fn check_ins_and_office_writes_take_turns() {
    use cct_domain::records::{ClassSession, Course};
    let (store, _dir) = fresh_store();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let course = records::insert(&mut tx, Course { name: "Basics".into(), ..Default::default() }).unwrap();
    let now = cct_domain::Timestamp::now();
    let session = records::insert(
        &mut tx,
        ClassSession {
            meta: Default::default(),
            course_id: course.meta.id,
            facility_id: None,
            title: "9:00".into(),
            starts_at: now,
            ends_at: cct_domain::Timestamp::from(now.as_datetime() + chrono::Duration::hours(1)),
            capacity: None,
            status: Default::default(),
        },
    )
    .unwrap();
    let mut people = Vec::new();
    for i in 0..40 {
        people.push(
            records::insert(
                &mut tx,
                Person { first_name: "Adult".into(), last_name: format!("N{i}"), ..Default::default() },
            )
            .unwrap()
            .meta
            .id,
        );
    }
    tx.commit().unwrap();

    let mut tasks = Vec::new();
    for chunk in people.chunks(10).map(<[_]>::to_vec) {
        let store = store.clone();
        let session = session.meta.id;
        tasks.push(std::thread::spawn(move || {
            for person in chunk {
                check_in(&store, &cct_domain::Actor::system(), session, &[person], "A")?;
            }
            Ok::<_, cct_store::StoreError>(())
        }));
    }
    for worker in 0..4 {
        let store = store.clone();
        tasks.push(std::thread::spawn(move || {
            let system = cct_domain::Actor::system();
            for i in 0..10 {
                let mut tx = store.begin_write(&system)?;
                records::insert(
                    &mut tx,
                    Person { first_name: format!("Office{worker}"), last_name: format!("N{i}"), ..Default::default() },
                )?;
                if i % 3 == 0 {
                    // Dropped without committing: rolled back before anyone else writes.
                    drop(tx);
                } else {
                    tx.commit()?;
                }
            }
            Ok(())
        }));
    }
    for task in tasks {
        task.join().unwrap().unwrap();
    }
    assert_eq!(count(&store, "attendance_record"), 40);
    assert_eq!(count(&store, "people"), 40 + 4 * 6, "the dropped transactions left no one behind");
}
