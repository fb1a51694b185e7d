//! The check-in station through the commands: kiosk mode locked in Rust, families found as you
//! type, check-in never twice, codes kept on reprint, visitors with a duplicate check, and a
//! whole session checked in offline then synced without duplicates.

use super::*;
use crate::planning_center::{fake, office_at, one_at_a_time};
use cct_pco_fake::{TEST_APP_ID, TEST_SECRET};

fn first_id(value: &Value) -> String {
    value["items"][0]["id"].as_str().unwrap().to_owned()
}

/// A session of a new course today, and a started station (B, PIN 2468) for it.
fn station(h: &Harness) -> String {
    let course =
        invoke(h, "create_record", json!({ "kind": "course", "record": { "name": "Kids' Sunday Class" } })).unwrap();
    let now = chrono::Utc::now();
    let session = invoke(h, "create_record", json!({ "kind": "class_session", "record": {
        "course_id": course["id"], "title": "Kids' Sunday Class, 10:30", "status": "scheduled",
        "starts_at": (now + chrono::Duration::minutes(30)).to_rfc3339(), "ends_at": (now + chrono::Duration::minutes(120)).to_rfc3339(),
        "facility_id": null, "capacity": null } })).unwrap();
    let campus = invoke(h, "list_records", json!({ "kind": "campus" })).unwrap();
    let session_id = session["id"].as_str().unwrap().to_owned();
    let start = |pin_again: &str| {
        invoke(
            h,
            "start_kiosk",
            json!({ "request": { "campus_id": first_id(&campus), "session_ids": [session_id], "station": "B", "pin": "2468", "pin_again": pin_again } }),
        )
    };
    assert_eq!(start("2467").unwrap_err()["field"], "pin_again", "a slip is not enough to enter kiosk mode");
    let started = start("2468").unwrap();
    assert_eq!(
        started["letter_check"], "no_team",
        "a computer in no team cannot ask the others which letters they use"
    );
    session_id
}

#[test]
fn kiosk_mode_refuses_every_other_command_until_the_pin_is_given() {
    let h = harness();
    invoke(&h, "load_demo_church", json!({})).unwrap();
    let session = station(&h);
    assert_eq!(invoke(&h, "app_status", json!({})).unwrap()["kiosk"], true);
    for (command, args) in [
        ("list_courses", json!({})),
        ("search_people", json!({ "query": "smith" })),
        ("list_records", json!({ "kind": "people" })),
        ("create_record", json!({ "kind": "course", "record": { "name": "Sneaky" } })),
        ("audit_log", json!({ "query": {} })),
        ("export_csv", json!({ "kind": "people" })),
        ("set_update_endpoint", json!({ "endpoint": null })),
        ("install_update_and_restart", json!({})),
        ("sync_now", json!({})),
        ("team_status", json!({})),
        ("make_join_code", json!({ "campusId": null, "validHours": 24 })),
        ("create_team", json!({ "hubAddress": "postgres://u@127.0.0.1/db", "churchName": "X", "deviceName": "Y" })),
        (
            "join_team",
            json!({ "hubAddress": "postgres://u@127.0.0.1/db", "joinCode": "AAAA-BBBB-CCCC", "deviceName": "Y" }),
        ),
        ("remove_team_device", json!({ "deviceId": "x" })),
        ("leave_team", json!({})),
        (
            "start_kiosk",
            json!({ "request": { "campus_id": "00000000-0000-0000-0000-000000000000", "session_ids": [], "station": "C", "pin": "1111", "pin_again": "1111" } }),
        ),
    ] {
        let refused = invoke(&h, command, args).unwrap_err();
        assert_eq!(refused["code"], "kiosk_locked", "{command}: {refused}");
    }
    // What the station is for still works.
    let found = invoke(&h, "kiosk_search", json!({ "text": "smi", "classSessionId": session })).unwrap();
    assert!(!found["families"].as_array().unwrap().is_empty());
    assert_eq!(found["complete"], true, "every Smith in a 300-person church fits the window");
    let elsewhere =
        invoke(&h, "kiosk_search", json!({ "text": "smi", "classSessionId": "00000000-0000-0000-0000-000000000000" }))
            .unwrap_err();
    assert_eq!(elsewhere["code"], "session_not_at_station");

    let wrong = invoke(&h, "leave_kiosk", json!({ "pin": "1357" })).unwrap_err();
    assert_eq!(wrong["field"], "pin");
    assert_eq!(invoke(&h, "list_courses", json!({})).unwrap_err()["code"], "kiosk_locked");
    invoke(&h, "leave_kiosk", json!({ "pin": "2468" })).unwrap();
    assert!(invoke(&h, "list_courses", json!({})).is_ok());
    assert_eq!(
        invoke(&h, "kiosk_search", json!({ "text": "smi", "classSessionId": session })).unwrap_err()["code"],
        "not_a_station"
    );
}

#[test]
fn a_family_is_checked_in_once_with_one_code_that_a_reprint_keeps() {
    let h = harness();
    invoke(&h, "load_demo_church", json!({})).unwrap();
    let session = station(&h);
    // A family with a child: the demo's households hold parents and children.
    let families =
        invoke(&h, "kiosk_search", json!({ "text": "Garcia", "classSessionId": session })).unwrap()["families"].clone();
    let family = families
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["members"].as_array().unwrap().iter().any(|m| m["is_child"] == true))
        .expect("a family with a child")
        .clone();
    let ids: Vec<Value> = family["members"].as_array().unwrap().iter().map(|m| m["person"]["id"].clone()).collect();
    let result = invoke(&h, "kiosk_check_in", json!({ "classSessionId": session, "peopleIds": ids })).unwrap();
    let code = result["guardian_tag"]["security_code"].as_str().expect("children get a code").to_owned();
    assert!(code.starts_with('B') && code.len() == 4, "{code}");
    let child_labels: Vec<&Value> =
        result["labels"].as_array().unwrap().iter().filter(|l| !l["security_code"].is_null()).collect();
    assert!(child_labels.iter().all(|l| l["security_code"] == code.as_str()), "one code for the family's children");

    let again = invoke(&h, "kiosk_check_in", json!({ "classSessionId": session, "peopleIds": ids })).unwrap();
    assert_eq!(again["already_checked_in"].as_array().unwrap().len(), ids.len(), "nobody is checked in twice");
    assert!(again["guardian_tag"].is_null(), "no new code for people already in");

    let child = child_labels[0]["people_id"].clone();
    let reprint = invoke(&h, "kiosk_reprint", json!({ "classSessionId": session, "peopleId": child })).unwrap();
    assert_eq!(reprint["security_code"], code.as_str());
    let out = invoke(&h, "kiosk_check_out", json!({ "classSessionId": session, "peopleId": child })).unwrap();
    assert!(out["check_out_at"].is_string());
    let readiness = invoke(&h, "kiosk_readiness", json!({})).unwrap();
    assert_eq!(readiness["sessions"][0]["checked_in"], ids.len() as i64 - 1);
    assert_eq!(readiness["station"], "B");
}

#[test]
fn a_visitor_is_checked_against_people_already_here() {
    let h = harness();
    invoke(&h, "load_demo_church", json!({})).unwrap();
    let session = station(&h);
    let existing = invoke(&h, "kiosk_search", json!({ "text": "Martinez", "classSessionId": session })).unwrap()
        ["families"]
        .clone();
    let someone = existing[0]["members"][0]["person"].clone();
    let same_name = invoke(&h, "kiosk_add_visitor", json!({ "visitor": { "first_name": someone["first_name"], "last_name": someone["last_name"], "phone": null, "email": null, "date_of_birth": null, "household_id": null } })).unwrap();
    assert_eq!(same_name["outcome"], "possible_duplicates");
    assert_eq!(same_name["candidates"][0]["id"], someone["id"]);
    let added = invoke(&h, "kiosk_add_visitor", json!({ "visitor": { "first_name": "Tabitha", "last_name": "Joppa", "phone": "(555) 010-4477", "email": null, "date_of_birth": "2019-06-01", "household_id": null } })).unwrap();
    assert_eq!(added["outcome"], "added");
    let found =
        invoke(&h, "kiosk_search", json!({ "text": "4477", "classSessionId": session })).unwrap()["families"].clone();
    assert_eq!(found[0]["members"][0]["person"]["first_name"], "Tabitha", "found by the last four digits of her phone");
    assert_eq!(found[0]["members"][0]["is_child"], true);
}

#[test]
fn a_whole_session_checked_in_offline_then_synced_has_no_duplicates() {
    let _keychain = one_at_a_time();
    let fake = fake();
    let h = office_at(&fake, None);
    invoke(&h, "sign_in_with_token", json!({ "appId": TEST_APP_ID, "secret": TEST_SECRET })).unwrap();
    invoke(&h, "sync_now", json!({})).unwrap();
    invoke(
        &h,
        "create_record",
        json!({ "kind": "campus", "record": { "name": "Main", "time_zone": "America/Chicago" } }),
    )
    .unwrap();
    let people_in_planning_center = fake.with_data(|d| d.count("people/people"));
    let session = station(&h);

    // The network goes away for the morning.
    fake.update_faults(|f| f.drop_rate = 1.0);
    let everyone = {
        let system = cct_domain::Actor::system();
        cct_store::records::list::<cct_domain::records::Person>(
            &store_of(&h),
            &system,
            &cct_store::ListQuery::default().page(1000, 0),
        )
        .unwrap()
        .items
    };
    for person in &everyone {
        invoke(&h, "kiosk_check_in", json!({ "classSessionId": session, "peopleIds": [person.meta.id] })).unwrap();
    }
    for (first, phone) in [("Rhoda", "(555) 010-1111"), ("Eutychus", "(555) 010-2222")] {
        let added = invoke(&h, "kiosk_add_visitor", json!({ "visitor": { "first_name": first, "last_name": "Visitor", "phone": phone, "email": null, "date_of_birth": null, "household_id": null } })).unwrap();
        invoke(&h, "kiosk_check_in", json!({ "classSessionId": session, "peopleIds": [added["person"]["id"]] }))
            .unwrap();
    }
    // A second tap on someone already in changes nothing.
    let again =
        invoke(&h, "kiosk_check_in", json!({ "classSessionId": session, "peopleIds": [everyone[0].meta.id] })).unwrap();
    assert_eq!(again["already_checked_in"].as_array().unwrap().len(), 1);
    let readiness = invoke(&h, "kiosk_readiness", json!({})).unwrap();
    assert_eq!(readiness["sessions"][0]["checked_in"], everyone.len() as i64 + 2);
    assert!(readiness["pending_changes"].as_i64().unwrap() >= 2, "the visitors wait to be sent");
    assert!(readiness["last_roster_refresh"].is_string());

    // Back online: the administrator leaves kiosk mode and syncs, twice.
    fake.update_faults(|f| f.drop_rate = 0.0);
    invoke(&h, "leave_kiosk", json!({ "pin": "2468" })).unwrap();
    invoke(&h, "sync_now", json!({})).unwrap();
    invoke(&h, "sync_now", json!({})).unwrap();
    assert_eq!(
        fake.with_data(|d| d.count("people/people")),
        people_in_planning_center + 2,
        "each visitor reached Planning Center once"
    );
    assert_eq!(invoke(&h, "app_status", json!({})).unwrap()["pending_changes"], 0);
    let (rows, distinct): (i64, i64) = store_of(&h)
        .read(|conn| {
            use cct_store::db::Query;
            Ok(conn
                .tuple(
                    "SELECT COUNT(*), COUNT(DISTINCT people_id) FROM attendance_record WHERE class_session_id = ?1",
                    [&session],
                )?
                .unwrap_or_default())
        })
        .unwrap();
    assert_eq!(
        (rows, distinct),
        (everyone.len() as i64 + 2, everyone.len() as i64 + 2),
        "one attendance row per person"
    );
}
