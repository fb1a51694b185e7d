//! Security codes: unique within the day across laptops that never see each other.

use crate::common::*;
use cct_domain::records::{ClassSession, Course, Person};
use cct_domain::Timestamp;
use cct_store::db::Query;
use cct_store::{checkin, records, Store};
use std::collections::HashSet;

/// A laptop's own database with a session and `children` children, as a station would hold.
fn laptop(children: usize) -> (Store, tempfile::TempDir, uuid::Uuid, Vec<uuid::Uuid>) {
    let (store, dir) = fresh_store();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let course = records::insert(&mut tx, Course { name: "Kids".into(), ..Default::default() }).unwrap();
    let now = Timestamp::now();
    let session = records::insert(
        &mut tx,
        ClassSession {
            meta: Default::default(),
            course_id: course.meta.id,
            facility_id: None,
            title: "Kids 10:30".into(),
            starts_at: now,
            ends_at: Timestamp::from(now.as_datetime() + chrono::Duration::hours(1)),
            capacity: None,
            status: Default::default(),
        },
    )
    .unwrap();
    let mut ids = Vec::new();
    for i in 0..children {
        let child = Person {
            first_name: format!("Child{i}"),
            last_name: "Kid".into(),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(2019, 5, 1),
            ..Default::default()
        };
        ids.push(records::insert(&mut tx, child).unwrap().meta.id);
    }
    tx.commit().unwrap();
    (store, dir, session.meta.id, ids)
}

fn check_in_each(store: &Store, session: uuid::Uuid, children: &[uuid::Uuid], station: &str) -> Vec<String> {
    let system = system();
    let mut codes = Vec::new();
    for child in children {
        let result = check_in(store, &system, session, &[*child], station).unwrap();
        codes.push(result.guardian_tag.expect("a child gets a code").security_code);
    }
    codes
}

#[test]
fn two_laptops_offline_never_issue_the_same_code_on_a_day() {
    let (a, _da, session_a, kids_a) = laptop(300);
    let (b, _db, session_b, kids_b) = laptop(300);
    let codes_a = check_in_each(&a, session_a, &kids_a[..250], "A");
    let codes_b = check_in_each(&b, session_b, &kids_b, "B");
    let set_a: HashSet<&String> = codes_a.iter().collect();
    let set_b: HashSet<&String> = codes_b.iter().collect();
    assert_eq!(set_a.len(), 250, "unique on laptop A");
    assert_eq!(set_b.len(), 300, "unique on laptop B");
    assert!(set_a.is_disjoint(&set_b), "no code issued by both");

    // Laptop A restarts mid-morning: its count goes on, it does not start again at A001.
    let path = a.path().to_owned();
    a.close();
    let a = Store::open(&path).unwrap();
    let after_restart = check_in_each(&a, session_a, &kids_a[250..], "A");
    assert_eq!(after_restart[0], "A251");
    assert!(after_restart.iter().all(|c| !set_a.contains(c)));
}

#[test]
fn a_station_letter_is_one_unambiguous_capital() {
    for good in ["A", "B", "Z"] {
        assert!(checkin::validate_station(good).is_ok());
    }
    for bad in ["", "a", "AB", "I", "O", "1"] {
        assert!(checkin::validate_station(bad).is_err(), "{bad:?}");
    }
}

/// What a station writes is audited and logged for the team exactly as the office's writes are.
#[test]
fn a_check_in_and_its_check_out_are_audited_and_logged_for_the_team() {
    let (store, _dir, session, kids) = laptop(1);
    let system = system();
    let audit_before = count(&store, "audit_log");
    let result = check_in(&store, &system, session, &[kids[0]], "C").unwrap();
    assert_eq!(result.labels[0].security_code.as_deref(), Some("C001"));
    let checked_out = store.write(&system, |tx| checkin::check_out(tx, session, kids[0])).unwrap();
    assert!(checked_out.check_out_at.is_some());

    let tx = store.begin_write(&system).unwrap();
    let audit: Vec<(String, String, Option<String>)> =
        tx.conn().tuples("SELECT action, new_values, old_values FROM audit_log WHERE table_name = 'attendance_record' ORDER BY changed_at, action", []).unwrap();
    assert_eq!(audit.len(), 2, "one row for the check-in, one for the check-out: {audit:?}");
    let inserted: serde_json::Value = serde_json::from_str(&audit[0].1).unwrap();
    assert_eq!(
        (audit[0].0.as_str(), inserted["security_code"].as_str(), inserted["people_id"].as_str()),
        ("insert", Some("C001"), Some(kids[0].to_string().as_str()))
    );
    let updated: serde_json::Value = serde_json::from_str(&audit[1].1).unwrap();
    let before: serde_json::Value = serde_json::from_str(audit[1].2.as_deref().unwrap()).unwrap();
    assert_eq!(audit[1].0, "update");
    assert_eq!(
        updated.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["check_out_at"],
        "only what changed is audited"
    );
    assert!(before["check_out_at"].is_null());
    assert_eq!(
        count(&store, "audit_log"),
        audit_before + 2,
        "the day's code counter is bookkeeping, not an audited record"
    );

    let logged: Vec<(String, String)> = tx
        .conn()
        .tuples("SELECT fields, origin FROM team_change WHERE table_name = 'attendance_record' ORDER BY seq", [])
        .unwrap();
    assert_eq!(logged.len(), 2);
    let first: serde_json::Value = serde_json::from_str(&logged[0].0).unwrap();
    let second: serde_json::Value = serde_json::from_str(&logged[1].0).unwrap();
    assert_eq!((first["security_code"].as_str(), logged[0].1.as_str()), (Some("C001"), "local"));
    assert!(
        second["check_out_at"].is_string() && second["updated_at"].is_string() && second.get("security_code").is_none(),
        "{second}"
    );
    let clocks: i64 =
        tx.conn().scalar("SELECT count(*) FROM team_record_clock WHERE table_name = 'attendance_record'", []).unwrap();
    assert_eq!(clocks, 1, "the record's field versions are kept");
}

#[test]
fn a_check_in_that_fails_part_way_leaves_nothing_behind() {
    let (store, _dir, session, kids) = laptop(2);
    let nobody = uuid::Uuid::now_v7();
    let refused = check_in(&store, &system(), session, &[kids[0], nobody, kids[1]], "D").unwrap_err();
    assert_eq!(refused.code(), cct_domain::ErrorCode::UnknownReference);
    assert_eq!(count(&store, "attendance_record"), 0, "the first child's check-in was rolled back with the rest");
    let codes = check_in_each(&store, session, &kids, "D");
    assert_eq!(codes, ["D001", "D002"], "the rolled-back check-in used no code");
}
