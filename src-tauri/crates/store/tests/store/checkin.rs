//! Security codes: unique within the day across laptops that never see each other.

use crate::common::*;
use cct_domain::records::{ClassSession, Course, Person};
use cct_domain::Timestamp;
use cct_store::{checkin, records, Store};
use std::collections::HashSet;

/// A laptop's own database with a session and `children` children, as a station would hold.
async fn laptop(children: usize) -> (Store, tempfile::TempDir, uuid::Uuid, Vec<uuid::Uuid>) {
    let (store, dir) = fresh_store().await;
    let system = system();
    let mut tx = store.begin_write(&system).await.unwrap();
    let course = records::insert(&mut tx, Course { name: "Kids".into(), ..Default::default() }).await.unwrap();
    let now = Timestamp::now();
    let session = records::insert(
        &mut tx,
        ClassSession { meta: Default::default(), course_id: course.meta.id, facility_id: None, title: "Kids 10:30".into(), starts_at: now, ends_at: Timestamp::from(now.as_datetime() + chrono::Duration::hours(1)), capacity: None, status: Default::default() },
    )
    .await
    .unwrap();
    let mut ids = Vec::new();
    for i in 0..children {
        let child = Person { first_name: format!("Child{i}"), last_name: "Kid".into(), date_of_birth: chrono::NaiveDate::from_ymd_opt(2019, 5, 1), ..Default::default() };
        ids.push(records::insert(&mut tx, child).await.unwrap().meta.id);
    }
    tx.commit().await.unwrap();
    (store, dir, session.meta.id, ids)
}

async fn check_in_each(store: &Store, session: uuid::Uuid, children: &[uuid::Uuid], station: &str) -> Vec<String> {
    let system = system();
    let mut codes = Vec::new();
    for child in children {
        let result = checkin::check_in(store, &system, session, &[*child], station).await.unwrap();
        codes.push(result.guardian_tag.expect("a child gets a code").security_code);
    }
    codes
}

#[tokio::test]
async fn two_laptops_offline_never_issue_the_same_code_on_a_day() {
    let (a, _da, session_a, kids_a) = laptop(300).await;
    let (b, _db, session_b, kids_b) = laptop(300).await;
    let codes_a = check_in_each(&a, session_a, &kids_a[..250], "A").await;
    let codes_b = check_in_each(&b, session_b, &kids_b, "B").await;
    let set_a: HashSet<&String> = codes_a.iter().collect();
    let set_b: HashSet<&String> = codes_b.iter().collect();
    assert_eq!(set_a.len(), 250, "unique on laptop A");
    assert_eq!(set_b.len(), 300, "unique on laptop B");
    assert!(set_a.is_disjoint(&set_b), "no code issued by both");

    // Laptop A restarts mid-morning: its count goes on, it does not start again at A001.
    let path = a.path().to_owned();
    a.close().await;
    let a = Store::open(&path).await.unwrap();
    let after_restart = check_in_each(&a, session_a, &kids_a[250..], "A").await;
    assert_eq!(after_restart[0], "A251");
    assert!(after_restart.iter().all(|c| !set_a.contains(c)));
}

#[tokio::test]
async fn a_station_letter_is_one_unambiguous_capital() {
    for good in ["A", "B", "Z"] {
        assert!(checkin::validate_station(good).is_ok());
    }
    for bad in ["", "a", "AB", "I", "O", "1"] {
        assert!(checkin::validate_station(bad).is_err(), "{bad:?}");
    }
}
