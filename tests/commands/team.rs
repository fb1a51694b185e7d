//! Team sync through the commands, against the test PostgreSQL server (`CCT_TEST_HUB_URL`):
//! an office creates its team, a new laptop joins with a join code and opens on the sign-in
//! screen, people sign in there with the passwords they set on the office computer (offline,
//! too), the hub's password goes to the keychain and nowhere else, and a removed laptop is
//! refused.

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
    set_up_office(&office, "Pat", "Admin", "pat@example.org");
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
    assert_eq!(status["signed_in"], Value::Null, "the new laptop acts as nobody until someone signs in");
    assert_eq!(invoke(&laptop, "search_people", json!({ "query": "priscilla" })).unwrap_err()["code"], "signed_out");
    let pat = json!({ "by": "email", "email": "pat@example.org" });
    let signed_in = invoke(&laptop, "sign_in", json!({ "who": pat, "password": ADMIN_PASSWORD })).unwrap();
    assert_eq!(signed_in["name"], "Pat Admin", "the office's password came with the team's data");
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
    set_up_office(&office, "Pat", "Admin", "pat@example.org");
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
    let pat = json!({ "by": "email", "email": "pat@example.org" });
    invoke(&laptop, "sign_in", json!({ "who": pat, "password": ADMIN_PASSWORD })).unwrap();

    let station = start(&laptop, "B").unwrap();
    assert_eq!(station["letter_check"], "held_by_this_laptop", "the hub gave B to the laptop: {station}");
    let refused = start(&office, "B").unwrap_err();
    assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some("station_letter_taken"), Some("station")));
    assert!(refused["message"].as_str().unwrap().contains("Room 101"), "{refused}");
    assert!(invoke(&office, "kiosk_status", json!({})).unwrap().is_null(), "the refused station did not start");
    let own = start(&office, "C").unwrap();
    assert_eq!(own["letter_check"], "held_by_this_laptop");
}

/// Ends the hub: its database is dropped, every connection to it cut. A computer that needs
/// it from now on is as offline as a laptop out of reach of the church's network.
fn take_hub_away(hub: &str) {
    let url = std::env::var("CCT_TEST_HUB_URL").unwrap();
    let password = std::env::var("CCT_TEST_HUB_PASSWORD").unwrap_or_default();
    let name = url::Url::parse(hub).unwrap().path().trim_start_matches('/').to_owned();
    tauri::async_runtime::block_on(async {
        let options = url.parse::<sqlx::postgres::PgConnectOptions>().unwrap().password(&password);
        let mut admin = sqlx::PgConnection::connect_with(&options).await.unwrap();
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).await.unwrap();
    });
}

#[test]
fn a_person_invited_on_the_office_computer_signs_in_on_a_laptop_that_is_offline_since_its_last_sync() {
    let (hub, _) = new_hub();
    let office = harness();
    set_up_office(&office, "Pat", "Admin", "pat@example.org");
    invoke(&office, "create_team", json!({ "hubAddress": hub, "churchName": "Grace Church", "deviceName": "Office" }))
        .unwrap();
    let code = invoke(&office, "make_join_code", json!({ "campusId": null, "validHours": 24 })).unwrap();
    let laptop = harness();
    invoke(&laptop, "join_team", json!({ "hubAddress": hub, "joinCode": code, "deviceName": "Room 101" })).unwrap();

    // On the office computer: a new volunteer, her role, and the invitation she uses there.
    let vera = invoke(
        &office,
        "create_record",
        json!({ "kind": "people", "record": {
        "first_name": "Vera", "last_name": "Volunteer", "email": "vera@example.org", "status": "active" } }),
    )
    .unwrap();
    let roles = invoke(&office, "list_records", json!({ "kind": "role" })).unwrap();
    let volunteer_role = roles["items"].as_array().unwrap().iter().find(|r| r["name"] == "checkin_volunteer").unwrap();
    invoke(
        &office,
        "create_record",
        json!({ "kind": "people_role", "record": {
        "people_id": vera["id"], "role_id": volunteer_role["id"], "assigned_date": "2026-11-01" } }),
    )
    .unwrap();
    let invitation =
        invoke(&office, "invite_to_sign_in", json!({ "peopleId": vera["id"], "purpose": "invite" })).unwrap();
    invoke(
        &office,
        "accept_invitation",
        json!({ "code": invitation["code"], "password": "vera's own password", "passwordAgain": "vera's own password" }),
    )
    .unwrap();
    invoke(&office, "sync_team_now", json!({})).unwrap();
    // The laptop's last sync, by whoever used it last (the background sync does the same).
    let pat = json!({ "by": "email", "email": "pat@example.org" });
    invoke(&laptop, "sign_in", json!({ "who": pat, "password": ADMIN_PASSWORD })).unwrap();
    invoke(&laptop, "sync_team_now", json!({})).unwrap();
    invoke(&laptop, "sign_out", json!({})).unwrap();

    // The hub's change log holds no password hash: they travel on a channel of their own.
    let hub_log: String = tauri::async_runtime::block_on(async {
        let mut conn = sqlx::PgConnection::connect(&hub).await.unwrap();
        sqlx::query_scalar("SELECT coalesce(string_agg(fields::text, ' '), '') FROM hub_change")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    });
    assert!(hub_log.contains("Vera") && !hub_log.contains("$argon2"), "the hub's change log holds no hash");

    // The laptop loses the hub; Vera signs in there with the password she set at the office.
    take_hub_away(&hub);
    invoke(&laptop, "sign_in", json!({ "who": pat, "password": ADMIN_PASSWORD })).unwrap();
    assert!(invoke(&laptop, "sync_team_now", json!({})).is_err(), "the laptop really is offline");
    invoke(&laptop, "sign_out", json!({})).unwrap();
    let vera_by_email = json!({ "by": "email", "email": "vera@example.org" });
    let wrong =
        invoke(&laptop, "sign_in", json!({ "who": vera_by_email, "password": "not vera's password" })).unwrap_err();
    assert_eq!((wrong["code"].as_str(), wrong["field"].as_str()), (Some("wrong_password"), Some("password")));
    let signed_in =
        invoke(&laptop, "sign_in", json!({ "who": vera_by_email, "password": "vera's own password" })).unwrap();
    assert_eq!(signed_in["name"], "Vera Volunteer");
    assert!(!signed_in["permissions"].as_array().unwrap().contains(&json!("people.write")), "{signed_in}");
    let screen = invoke(&laptop, "sign_in_screen", json!({})).unwrap();
    assert_eq!(screen["recent"][0]["name"], "Vera Volunteer", "the laptop lists her next time");

    // She acts as herself: a volunteer, refused what volunteers may not do.
    let refused = invoke(&laptop, "make_join_code", json!({ "campusId": null, "validHours": 24 })).unwrap_err();
    assert_eq!(refused["code"], "permission_denied");
    let course =
        invoke(&laptop, "create_record", json!({ "kind": "course", "record": { "name": "Hers" } })).unwrap_err();
    assert_eq!(course["code"], "permission_denied");

    // Neither computer's change log or audit log holds a password or its hash.
    for (computer, h) in [("office", &office), ("laptop", &laptop)] {
        let store = store_of(h);
        let dump = table_text(&store, "audit_log") + &table_text(&store, "team_change");
        for secret in ["$argon2", "vera's own password", ADMIN_PASSWORD, invitation["code"].as_str().unwrap()] {
            assert!(!dump.contains(secret), "{computer}: {secret} is in the audit or change log");
        }
    }
}
