//! Team sync through the commands, against the test PostgreSQL server (`CCT_TEST_HUB_URL`):
//! an office creates its team, a new laptop joins with a join code and becomes usable as the
//! administrator who made it, the hub's password goes to the keychain and nowhere else, and a
//! removed laptop is refused.

use super::*;
use sqlx::Connection;

/// A new hub database; returns its full connection string, password included, as a person
/// would paste it.
fn new_hub() -> (String, String) {
    let url = std::env::var("CCT_TEST_HUB_URL")
        .expect("CCT_TEST_HUB_URL must name a PostgreSQL server; `node ui/scripts/tasks.mjs test` starts one");
    let password = std::env::var("CCT_TEST_HUB_PASSWORD").unwrap_or_default();
    let name = format!("cct_hub_{}", uuid::Uuid::new_v4().simple());
    tauri::async_runtime::block_on(async {
        let options = url.parse::<sqlx::postgres::PgConnectOptions>().unwrap().password(&password);
        let mut admin = sqlx::PgConnection::connect_with(&options).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    });
    let mut full = url::Url::parse(&url).unwrap();
    full.set_path(&name);
    full.set_password(Some(&password)).unwrap();
    (full.to_string(), password)
}

#[test]
fn an_office_creates_a_team_and_a_new_laptop_joins_it_with_a_code() {
    let (hub, password) = new_hub();
    let office = harness();
    invoke(&office, "set_up_office", json!({ "firstName": "Pat", "lastName": "Admin", "email": "pat@example.org" }))
        .unwrap();
    invoke(
        &office,
        "create_record",
        json!({ "kind": "people", "record": { "first_name": "Priscilla", "last_name": "Rome", "status": "active" } }),
    )
    .unwrap();

    let bad = invoke(&office, "create_team", json!({ "hubAddress": "postgres://u:pw@db.example.org/church?sslmode=disable", "churchName": "Grace", "deviceName": "Office" })).unwrap_err();
    assert_eq!((bad["code"].as_str(), bad["field"].as_str()), (Some("tls_required"), Some("hub_address")));
    let blank = invoke(&office, "create_team", json!({ "hubAddress": hub, "churchName": " ", "deviceName": "Office" }))
        .unwrap_err();
    assert_eq!(blank["field"], "church_name");

    let created = invoke(
        &office,
        "create_team",
        json!({ "hubAddress": hub, "churchName": "Grace Church", "deviceName": "Office" }),
    )
    .unwrap();
    assert!(created["pushed"].as_u64().unwrap() >= 2, "the office's data went to the hub: {created}");
    let status = invoke(&office, "team_status", json!({})).unwrap();
    let stored = status["membership"]["hub_url"].as_str().unwrap().to_owned();
    assert!(!stored.contains(&password), "the address is kept without its password: {stored}");
    assert_eq!(status["unsent_changes"], 0);
    let kept = cct_signin::KeychainSecret::team_hub_password(&stored).unwrap().load().unwrap();
    assert_eq!(kept.as_deref(), Some(password.as_str()), "the password is in the OS keychain");
    for name in ["church.sqlite", "church.sqlite-wal"] {
        let Ok(file) = std::fs::read(office._dir.path().join(name)) else { continue };
        assert!(!file.windows(password.len()).any(|w| w == password.as_bytes()), "the password is nowhere in {name}");
    }

    let code = invoke(&office, "make_join_code", json!({ "campusId": null, "validHours": 24 })).unwrap();
    let laptop = harness();
    assert_eq!(invoke(&laptop, "app_status", json!({})).unwrap()["signed_in"], Value::Null);
    let joined =
        invoke(&laptop, "join_team", json!({ "hubAddress": hub, "joinCode": code, "deviceName": "Room 101" })).unwrap();
    assert!(joined["pulled"].as_u64().unwrap() >= 2, "{joined}");
    let status = invoke(&laptop, "app_status", json!({})).unwrap();
    assert_eq!(
        status["signed_in"]["name"], "Pat Admin",
        "the new laptop is used as the administrator who made the code"
    );
    let found = invoke(&laptop, "search_people", json!({ "query": "priscilla" })).unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1, "the office's people are on the laptop");
    let again = invoke(&laptop, "join_team", json!({ "hubAddress": hub, "joinCode": code, "deviceName": "Room 102" }))
        .unwrap_err();
    assert_eq!((again["code"].as_str(), again["field"].as_str()), (Some("join_code_used"), Some("join_code")));

    // Attendance-style data from the laptop reaches the office.
    invoke(
        &laptop,
        "create_record",
        json!({ "kind": "people", "record": { "first_name": "Eutychus", "last_name": "Troas", "status": "active" } }),
    )
    .unwrap();
    invoke(&laptop, "sync_team_now", json!({})).unwrap();
    invoke(&office, "sync_team_now", json!({})).unwrap();
    assert_eq!(invoke(&office, "search_people", json!({ "query": "eutychus" })).unwrap().as_array().unwrap().len(), 1);

    let devices = invoke(&office, "team_devices", json!({})).unwrap();
    let devices = devices.as_array().unwrap();
    assert_eq!(devices.len(), 2);
    let room = devices.iter().find(|d| d["name"] == "Room 101").unwrap();
    assert!(room["last_contact_at"].is_string());
    let me = devices.iter().find(|d| d["name"] == "Office").unwrap();
    assert_eq!(
        invoke(&office, "remove_team_device", json!({ "deviceId": me["device_id"] })).unwrap_err()["code"],
        "cannot_remove_self"
    );
    invoke(&office, "remove_team_device", json!({ "deviceId": room["device_id"] })).unwrap();
    let refused = invoke(&laptop, "sync_team_now", json!({})).unwrap_err();
    assert_eq!(refused["code"], "device_removed", "{refused}");
    let laptop_status = invoke(&laptop, "team_status", json!({})).unwrap();
    assert!(laptop_status["membership"]["last_error"].as_str().unwrap().contains("removed"));

    invoke(&office, "leave_team", json!({})).unwrap();
    assert_eq!(invoke(&office, "team_status", json!({})).unwrap()["membership"]["hub_url"], Value::Null);
    assert_eq!(
        cct_signin::KeychainSecret::team_hub_password(&stored).unwrap().load().unwrap(),
        None,
        "leaving forgets the password"
    );
}

#[test]
fn two_computers_of_a_team_never_run_stations_with_one_letter() {
    let (hub, _) = new_hub();
    let office = harness();
    invoke(&office, "set_up_office", json!({ "firstName": "Pat", "lastName": "Admin", "email": "pat@example.org" }))
        .unwrap();
    let campus = invoke(
        &office,
        "create_record",
        json!({ "kind": "campus", "record": { "name": "Main", "time_zone": "America/Chicago" } }),
    )
    .unwrap();
    let course = invoke(&office, "create_record", json!({ "kind": "course", "record": { "name": "Kids" } })).unwrap();
    let session = invoke(&office, "create_record", json!({ "kind": "class_session", "record": {
        "course_id": course["id"], "title": "Kids 9:00", "starts_at": "2026-11-29T15:00:00Z", "ends_at": "2026-11-29T16:00:00Z", "status": "scheduled", "facility_id": null, "capacity": null } }))
    .unwrap();
    let start = |h: &Harness, letter: &str| {
        invoke(
            h,
            "start_kiosk",
            json!({ "request": { "campus_id": campus["id"], "session_ids": [session["id"]], "station": letter, "pin": "2468", "pin_again": "2468" } }),
        )
    };
    invoke(&office, "create_team", json!({ "hubAddress": hub, "churchName": "Grace Church", "deviceName": "Office" }))
        .unwrap();
    let code = invoke(&office, "make_join_code", json!({ "campusId": null, "validHours": 24 })).unwrap();
    let laptop = harness();
    invoke(&laptop, "join_team", json!({ "hubAddress": hub, "joinCode": code, "deviceName": "Room 101" })).unwrap();

    let station = start(&laptop, "B").unwrap();
    assert_eq!(station["letter_check"], "held_by_this_laptop", "the hub gave B to the laptop: {station}");
    let refused = start(&office, "B").unwrap_err();
    assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some("station_letter_taken"), Some("station")));
    assert!(refused["message"].as_str().unwrap().contains("Room 101"), "{refused}");
    assert!(invoke(&office, "kiosk_status", json!({})).unwrap().is_null(), "the refused station did not start");
    let own = start(&office, "C").unwrap();
    assert_eq!(own["letter_check"], "held_by_this_laptop");
}
