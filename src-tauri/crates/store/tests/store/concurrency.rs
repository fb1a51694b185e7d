//! One writer at a time: many concurrent writers on the one store all succeed, and none sees
//! SQLITE_BUSY. One app per database: a second store on the same file, in this process or in
//! another, is refused while the first is open, so two clocks never write one file.

use crate::common::*;
use cct_domain::records::Person;
use cct_store::db::Query;
use cct_store::{records, Store, StoreError};

#[test]
fn concurrent_writers_never_see_busy() {
    let (store, _dir) = fresh_store();
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let store = store.clone();
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
fn a_second_store_on_the_same_file_is_refused_until_the_first_closes() {
    let (store, dir) = fresh_store();
    let path = dir.path().join("church.sqlite");
    let refused = Store::open(&path, &key()).err().expect("a second store on the same file");
    assert!(matches!(refused, StoreError::InUse { .. }), "{refused:?}");
    assert_eq!(refused.code(), cct_domain::ErrorCode::StoreInUse);
    assert!(refused.to_string().contains("already open"), "{refused}");
    add_person(&store, "Still", "Working");
    store.close();
    let reopened = Store::open(&path, &key()).expect("free once the first store closed");
    assert_eq!(count(&reopened, "people"), 1);
}

/// Run by the test below in a process of its own.
#[test]
#[ignore = "run by a_second_process_on_the_same_database_is_refused in a process of its own"]
fn probe_open_the_database_named_in_the_environment() {
    let path = std::env::var("CCT_PROBE_DATABASE").expect("the database to try");
    match Store::open(&path, &key()) {
        Ok(_) => println!("PROBE: opened"),
        Err(error) => println!("PROBE: {:?} {error}", error.code()),
    }
}

#[test]
fn a_second_process_on_the_same_database_is_refused() {
    let (store, dir) = fresh_store();
    let path = dir.path().join("church.sqlite");
    let probe = |path: &std::path::Path| {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--ignored", "--exact", "concurrency::probe_open_the_database_named_in_the_environment"])
            .args(["--nocapture", "--test-threads=1"])
            .env("CCT_PROBE_DATABASE", path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
        stdout.lines().find_map(|l| l.split_once("PROBE: ").map(|(_, m)| m.to_owned())).expect("the probe reported")
    };
    let refused = probe(&path);
    assert!(refused.starts_with("StoreInUse") && refused.contains("already open"), "{refused}");
    add_person(&store, "Only", "Writer");
    store.close();
    assert_eq!(probe(&path), "opened", "the lock goes with the process that held it");
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
    use cct_domain::records::Course;
    let (store, _dir) = fresh_store();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let course = records::insert(&mut tx, Course { name: "Basics".into(), ..Default::default() }).unwrap();
    let session = session_now(&mut tx, course.meta.id, "9:00", None);
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
