//! Bad input gets a typed error naming the field and leaves the database unchanged.

use crate::common::*;
use cct_domain::records::*;
use cct_domain::{new_id, Timestamp};
use cct_store::office::enrollment::{enroll, EnrollRequest};
use cct_store::{records, StoreError};

fn snapshot(store: &cct_store::Store) -> (i64, i64, i64, i64) {
    (count(store, "people"), count(store, "course"), count(store, "audit_log"), count(store, "pco_outbox"))
}

#[test]
fn each_kind_of_bad_input_names_its_field_and_changes_nothing() {
    let (store, _dir) = fresh_store();
    let person = add_person(&store, "Ruth", "Moabite");
    let course = add_course(&store, "Alpha", Some(10));
    let before = snapshot(&store);
    let system = system();

    let start = Timestamp::parse("2026-11-29T15:00:00Z").unwrap();
    let cases: Vec<(&str, &str, StoreError)> = vec![
        ("empty name", "first_name", {
            let mut tx = store.begin_write(&system).unwrap();
            records::insert(&mut tx, Person { first_name: "".into(), last_name: "X".into(), ..Default::default() })
                .unwrap_err()
        }),
        ("malformed email", "email", {
            let mut tx = store.begin_write(&system).unwrap();
            records::insert(
                &mut tx,
                Person {
                    first_name: "A".into(),
                    last_name: "B".into(),
                    email: Some("a.b@".into()),
                    ..Default::default()
                },
            )
            .unwrap_err()
        }),
        ("negative capacity", "max_capacity", {
            let mut tx = store.begin_write(&system).unwrap();
            records::update(&mut tx, Course { max_capacity: Some(-5), ..course.clone() }).unwrap_err()
        }),
        ("end before start", "ends_at", {
            let mut tx = store.begin_write(&system).unwrap();
            let session = ClassSession {
                meta: Default::default(),
                course_id: course.meta.id,
                offering_id: None,
                facility_id: None,
                title: "W1".into(),
                starts_at: start,
                ends_at: Timestamp::parse("2026-11-29T14:00:00Z").unwrap(),
                capacity: None,
                status: SessionStatus::Scheduled,
                children_per_adult: None,
                serving_certification_id: None,
            };
            records::insert(&mut tx, session).unwrap_err()
        }),
        ("unknown course", "course_id", {
            let mut tx = store.begin_write(&system).unwrap();
            enroll(&mut tx, EnrollRequest { people_id: person.meta.id, course_id: new_id(), ..Default::default() })
                .unwrap_err()
        }),
        ("unknown person", "people_id", {
            let mut tx = store.begin_write(&system).unwrap();
            enroll(&mut tx, EnrollRequest { people_id: new_id(), course_id: course.meta.id, ..Default::default() })
                .unwrap_err()
        }),
        ("unknown household", "household_id", {
            let mut tx = store.begin_write(&system).unwrap();
            records::insert(
                &mut tx,
                Person {
                    first_name: "A".into(),
                    last_name: "B".into(),
                    household_id: Some(new_id()),
                    ..Default::default()
                },
            )
            .unwrap_err()
        }),
    ];
    for (case, field, error) in cases {
        assert_eq!(error.field(), Some(field), "{case}: {error}");
        assert!(error.to_string().contains(field), "{case}: message names the field: {error}");
        assert!(
            matches!(error.code(), cct_domain::ErrorCode::InvalidInput | cct_domain::ErrorCode::UnknownReference),
            "{case}: {}",
            error.code()
        );
    }
    assert_eq!(snapshot(&store), before, "nothing was written");
}

#[test]
fn enrolling_in_an_inactive_course_is_refused() {
    let (store, _dir) = fresh_store();
    let person = add_person(&store, "Ruth", "Moabite");
    let course = add_course(&store, "Retired course", None);
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    records::deactivate::<Course>(&mut tx, course.meta.id).unwrap();
    tx.commit().unwrap();
    let before = snapshot(&store);

    let mut tx = store.begin_write(&system).unwrap();
    let error =
        enroll(&mut tx, EnrollRequest { people_id: person.meta.id, course_id: course.meta.id, ..Default::default() })
            .unwrap_err();
    drop(tx);
    assert_eq!(error.code(), cct_domain::ErrorCode::InactiveReference);
    assert_eq!(error.field(), Some("course_id"));
    assert_eq!(snapshot(&store), before);
}

#[test]
fn a_duplicate_unique_value_names_the_column() {
    let (store, _dir) = fresh_store();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    records::insert(
        &mut tx,
        Person {
            first_name: "A".into(),
            last_name: "B".into(),
            planning_center_id: Some("123".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let error = records::insert(
        &mut tx,
        Person {
            first_name: "C".into(),
            last_name: "D".into(),
            planning_center_id: Some("123".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(error.code(), cct_domain::ErrorCode::Duplicate);
    assert_eq!(error.field(), Some("planning_center_id"));
}

#[test]
fn a_transaction_dropped_half_way_leaves_nothing_behind() {
    let (store, _dir) = fresh_store();
    let before = snapshot(&store);
    let system = system();
    {
        let mut tx = store.begin_write(&system).unwrap();
        records::insert(&mut tx, Person { first_name: "Half".into(), last_name: "Way".into(), ..Default::default() })
            .unwrap();
        records::insert(&mut tx, Course { name: "Never saved".into(), ..Default::default() }).unwrap();
        // dropped without commit, as when a later step fails or the app is closed
    }
    assert_eq!(snapshot(&store), before);
}

#[test]
fn unknown_filter_columns_are_refused_not_pasted_into_sql() {
    let (store, _dir) = fresh_store();
    let query = cct_store::ListQuery::default().filter("1=1; DROP TABLE people; --", "x");
    let error = records::list::<Person>(&store, &system(), &query).unwrap_err();
    assert_eq!(error.code(), cct_domain::ErrorCode::UnknownColumn);
    assert_eq!(count(&store, "people"), 0);
}
