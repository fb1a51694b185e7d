//! The check-in station through the commands: kiosk mode locked in Rust, families found as you
//! type, check-in never twice, pickup only with the guardian tag's code (or staff), visitors
//! with a duplicate check, and a whole session checked in offline then synced without
//! duplicates.

use super::*;
use crate::planning_center::{fake, office_at, one_at_a_time};
use cct_pco_fake::{TEST_APP_ID, TEST_SECRET};

fn first_id(value: &Value) -> String {
    value["items"][0]["id"].as_str().unwrap().to_owned()
}

/// A session of a new course `course`, starting `starts_in_minutes` from now and lasting 90
/// minutes, in the room `facility_id` (or none): its id.
pub(crate) fn session_today(
    h: &Harness,
    course: &str,
    title: &str,
    starts_in_minutes: i64,
    facility_id: Value,
) -> String {
    let course = invoke(h, "create_record", json!({ "kind": "course", "record": { "name": course } })).unwrap();
    let starts = chrono::Utc::now() + chrono::Duration::minutes(starts_in_minutes);
    let session = invoke(
        h,
        "create_record",
        json!({ "kind": "class_session", "record": {
        "course_id": course["id"], "title": title, "status": "scheduled",
        "starts_at": starts.to_rfc3339(), "ends_at": (starts + chrono::Duration::minutes(90)).to_rfc3339(),
        "facility_id": facility_id, "capacity": null } }),
    )
    .unwrap();
    session["id"].as_str().unwrap().to_owned()
}

/// A session of a new course today, and a started station (B, PIN 2468) for it.
fn station(h: &Harness) -> String {
    let session_id = session_today(h, "Kids' Sunday Class", "Kids' Sunday Class, 10:30", 30, Value::Null);
    let campus = invoke(h, "list_records", json!({ "kind": "campus" })).unwrap();
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
        ("report_visitors", json!({ "filter": { "from": "2026-09-01", "to": "2026-12-01" } })),
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
    assert_eq!(
        invoke(&h, "list_courses", json!({})).unwrap_err()["code"],
        "signed_out",
        "leaving kiosk mode signs nobody in: whoever left it signs in as themselves"
    );
    invoke(&h, "sign_in_to_demo", json!({})).unwrap();
    assert!(invoke(&h, "list_courses", json!({})).is_ok());
    assert_eq!(
        invoke(&h, "kiosk_search", json!({ "text": "smi", "classSessionId": session })).unwrap_err()["code"],
        "not_a_station"
    );
}

const STAFF_PASSWORD: &str = "Staff decides 2026";

/// A family with a child and an adult, as the station's search shows them.
pub(crate) fn family_with_child(h: &Harness, session: &str, name: &str) -> (Vec<Value>, Vec<Value>) {
    let families =
        invoke(h, "kiosk_search", json!({ "text": name, "classSessionId": session })).unwrap()["families"].clone();
    let family = families
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["members"].as_array().unwrap().iter().any(|m| m["is_child"] == true))
        .expect("a family with a child")
        .clone();
    let members = family["members"].as_array().unwrap();
    let everyone = members.iter().map(|m| m["person"]["id"].clone()).collect();
    let children = members.iter().filter(|m| m["is_child"] == true).map(|m| m["person"]["id"].clone()).collect();
    (everyone, children)
}

/// Another valid-looking code of the same station.
fn another_code(code: &str) -> String {
    let last = if code.ends_with('Z') { 'Y' } else { 'Z' };
    format!("{}{last}", &code[..3])
}

#[test]
fn a_family_is_released_only_with_their_tags_code_and_no_screen_shows_it() {
    let h = harness();
    invoke(&h, "load_demo_church", json!({})).unwrap();
    // A staff member with a password, who can decide at the station.
    let sam = crate::access::staff_person(&h);
    let invitation = invoke(&h, "invite_to_sign_in", json!({ "peopleId": sam, "purpose": "invite" })).unwrap();
    invoke(
        &h,
        "accept_invitation",
        json!({ "code": invitation["code"], "password": STAFF_PASSWORD, "passwordAgain": STAFF_PASSWORD }),
    )
    .unwrap();
    invoke(&h, "sign_in_to_demo", json!({})).unwrap();
    let session = station(&h);

    let (ids, children) = family_with_child(&h, &session, "Garcia");
    let result = invoke(&h, "kiosk_check_in", json!({ "classSessionId": session, "peopleIds": ids })).unwrap();
    let code = result["guardian_tag"]["security_code"].as_str().expect("children get a code").to_owned();
    assert!(code.starts_with('B') && code.len() == 4, "{code}");
    let child_labels: Vec<&Value> =
        result["labels"].as_array().unwrap().iter().filter(|l| !l["security_code"].is_null()).collect();
    assert_eq!(child_labels.len(), children.len());
    assert!(child_labels.iter().all(|l| l["security_code"] == code.as_str()), "one code for the family's children");
    // Without a label printer, the screen draws them at DYMO's address size for the print dialog.
    let layouts = result["layouts"].as_array().unwrap();
    assert_eq!(layouts.len(), ids.len() + 1, "a label for each person and the tag");
    assert!(layouts.iter().all(|l| l["width"] == 89.0 && l["height"] == 28.0), "{layouts:?}");
    let tested = invoke(&h, "kiosk_printer_test", json!({})).unwrap();
    assert!(tested["answer"].is_null(), "no printer was asked: {tested}");
    assert!(tested["layout"].to_string().contains("the system print dialog"), "{tested}");

    // From here on, nothing the station answers carries the code.
    let mut answers = Vec::new();
    let again = invoke(&h, "kiosk_check_in", json!({ "classSessionId": session, "peopleIds": ids })).unwrap();
    assert_eq!(again["already_checked_in"].as_array().unwrap().len(), ids.len(), "nobody is checked in twice");
    assert!(again["guardian_tag"].is_null() && again["labels"].as_array().unwrap().is_empty(), "{again}");
    answers.push(again);
    let searched = invoke(&h, "kiosk_search", json!({ "text": "Garcia", "classSessionId": session })).unwrap();
    let child_row = searched["families"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["members"].as_array().unwrap().iter())
        .find(|m| m["person"]["id"] == children[0])
        .unwrap()
        .clone();
    assert!(child_row["presence"]["checked_in_at"].is_string(), "the search says they are in: {child_row}");
    answers.push(searched);
    answers.push(invoke(&h, "kiosk_readiness", json!({})).unwrap());
    answers.push(invoke(&h, "kiosk_status", json!({})).unwrap());
    let child = children[0].clone();
    let no_proof = invoke(&h, "kiosk_reprint", json!({ "classSessionId": session, "peopleId": child })).unwrap_err();
    assert_eq!(no_proof["field"], "code");
    answers.push(no_proof);
    let wrong = another_code(&code);
    let wrong_reprint =
        invoke(&h, "kiosk_reprint", json!({ "classSessionId": session, "peopleId": child, "code": wrong }))
            .unwrap_err();
    assert_eq!(wrong_reprint["code"], "pickup_code_wrong");
    answers.push(wrong_reprint);
    let plain = invoke(&h, "kiosk_check_out", json!({ "classSessionId": session, "peopleId": child })).unwrap_err();
    assert_eq!(plain["code"], "pickup_code_required", "a child is not checked out without the tag");
    answers.push(plain);
    let wrong_pickup = invoke(&h, "kiosk_pickup", json!({ "code": wrong })).unwrap_err();
    assert_eq!(
        (wrong_pickup["code"].as_str(), wrong_pickup["field"].as_str()),
        (Some("pickup_code_wrong"), Some("code"))
    );
    answers.push(wrong_pickup);
    let wrong_release = invoke(&h, "kiosk_release", json!({ "code": wrong, "peopleIds": [] })).unwrap_err();
    assert_eq!(wrong_release["code"], "pickup_code_wrong");
    answers.push(wrong_release);
    for answer in &answers {
        assert!(!answer.to_string().contains(&code), "the code is in {answer}");
    }
    assert_eq!(invoke(&h, "kiosk_readiness", json!({})).unwrap()["sessions"][0]["checked_in"], ids.len() as i64);

    // The family's tag reprints, and opens their children, and only theirs.
    let reprint = invoke(
        &h,
        "kiosk_reprint",
        json!({ "classSessionId": session, "peopleId": child, "code": code.to_lowercase() }),
    )
    .unwrap();
    assert_eq!(reprint["guardian_tag"]["security_code"], code.as_str());
    let pickup = invoke(&h, "kiosk_pickup", json!({ "code": code })).unwrap();
    let on_tag: Vec<Value> = pickup["children"].as_array().unwrap().iter().map(|c| c["people_id"].clone()).collect();
    assert_eq!(on_tag.len(), children.len());
    assert!(on_tag.iter().all(|id| children.contains(id)));
    assert!(
        !pickup["children"][0]["may_collect"].as_array().unwrap().is_empty(),
        "the household's adults may collect: {pickup}"
    );
    let released = invoke(&h, "kiosk_release", json!({ "code": code, "peopleIds": [] })).unwrap();
    assert_eq!(released["released"].as_array().unwrap().len(), children.len());
    let readiness = invoke(&h, "kiosk_readiness", json!({})).unwrap();
    assert_eq!(readiness["sessions"][0]["checked_in"], (ids.len() - children.len()) as i64);

    // A family that lost its tag: staff release with a reason, signing in at the station.
    let (_, others) = family_with_child(&h, &session, "Smith");
    invoke(&h, "kiosk_check_in", json!({ "classSessionId": session, "peopleIds": [others[0]] })).unwrap();
    let approval = |password: &str| json!({ "email": "sam@example.org", "password": password, "reason": "tag lost" });
    let wrong_password = invoke(
        &h,
        "kiosk_staff_release",
        json!({ "classSessionId": session, "peopleIds": [others[0]], "approval": approval("not it") }),
    )
    .unwrap_err();
    assert_eq!(wrong_password["code"], "wrong_password");
    let by_staff = invoke(
        &h,
        "kiosk_staff_release",
        json!({ "classSessionId": session, "peopleIds": [others[0]], "approval": approval(STAFF_PASSWORD),
                "collectedBy": { "people_id": null, "name": "Aunt May" } }),
    )
    .unwrap();
    assert_eq!(by_staff["released"].as_array().unwrap().len(), 1);

    invoke(&h, "leave_kiosk", json!({ "pin": "2468" })).unwrap();
    invoke(&h, "sign_in_to_demo", json!({})).unwrap();
    let audit =
        invoke(&h, "audit_log", json!({ "query": { "table_name": "attendance_record", "limit": 500 } })).unwrap();
    let staff_row = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["reason"] == "tag lost")
        .expect("the staff release is audited with its reason");
    assert_eq!(staff_row["changed_by"], sam, "and names who released the child");
    let store = store_of(&h);
    for table in ["audit_log", "team_change", "pco_outbox", "attendance_record"] {
        assert!(!table_text(&store, table).contains(&code), "the code is in {table}");
    }
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
    let office = json!({ "by": "email", "email": "grace@office.example" });
    invoke(&h, "sign_in", json!({ "who": office, "password": ADMIN_PASSWORD })).unwrap();
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

#[test]
fn self_check_in_never_shows_another_familys_names() {
    let h = harness();
    invoke(&h, "load_demo_church", json!({})).unwrap();
    // Two people of different families whose phones end in the same four digits.
    for (first, phone) in [("Ann", "(555) 010-7777"), ("Bob", "(555) 020-7777")] {
        invoke(
            &h,
            "create_record",
            json!({ "kind": "people", "record": {
            "first_name": first, "last_name": "Sevens", "phone": phone, "status": "active" } }),
        )
        .unwrap();
    }
    let session = session_today(&h, "Kids", "Kids, 10:30", 0, Value::Null);
    let campus = invoke(&h, "list_records", json!({ "kind": "campus" })).unwrap();
    invoke(
        &h,
        "start_kiosk",
        json!({ "request": { "campus_id": first_id(&campus), "session_ids": [session],
        "station": "S", "pin": "2468", "pin_again": "2468", "self_check_in": true } }),
    )
    .unwrap();
    assert_eq!(invoke(&h, "kiosk_status", json!({})).unwrap()["self_check_in"], true);

    // No name search, and no visitors (their possible duplicates would name others).
    let by_name = invoke(&h, "kiosk_search", json!({ "text": "Garcia", "classSessionId": session })).unwrap_err();
    assert_eq!(by_name["code"], "self_check_in_only");
    let visitor = invoke(
        &h,
        "kiosk_add_visitor",
        json!({ "visitor": { "first_name": "Ann", "last_name": "Sevens",
        "phone": null, "email": null, "date_of_birth": null, "household_id": null } }),
    )
    .unwrap_err();
    assert_eq!(visitor["code"], "self_check_in_only");

    let find = |text: &str| invoke(&h, "kiosk_find_family", json!({ "text": text, "classSessionId": session }));
    let shared = find("7777").unwrap_err();
    assert_eq!((shared["code"].as_str(), shared["field"].as_str()), (Some("many_families_match"), Some("text")));
    assert!(!shared.to_string().contains("Ann") && !shared.to_string().contains("Bob"));
    let ann = find("555-010-7777").unwrap();
    assert_eq!(ann["families"].as_array().unwrap().len(), 1);
    assert_eq!(ann["families"][0]["members"][0]["person"]["first_name"], "Ann");
    assert!(!ann.to_string().contains("Bob"), "only Ann's family: {ann}");

    // A family found by its last four digits, and by its card: its own members, nobody else.
    let store = store_of(&h);
    let (household, digits): (String, String) = store
        .read(|conn| {
            use cct_store::db::Query;
            conn.tuple(
                "SELECT household_id, substr(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), -4) AS d
                 FROM people p WHERE household_id IS NOT NULL AND phone IS NOT NULL AND is_active = 1
                   AND NOT EXISTS (SELECT 1 FROM people o WHERE o.is_active = 1 AND o.id <> p.id AND o.phone IS NOT NULL
                       AND (o.household_id IS NULL OR o.household_id <> p.household_id)
                       AND substr(replace(replace(replace(replace(o.phone, ' ', ''), '-', ''), '(', ''), ')', ''), -4) = d)
                 LIMIT 1",
                [],
            )
        })
        .unwrap()
        .expect("a demo family with a phone of its own");
    for typed in [digits.clone(), format!("CCT-FAMILY:{household}")] {
        let found = find(&typed).unwrap();
        let families = found["families"].as_array().unwrap();
        assert_eq!(families.len(), 1, "{typed}");
        let members = families[0]["members"].as_array().unwrap();
        assert!(!members.is_empty());
        for member in members {
            let id = member["person"]["id"].as_str().unwrap();
            let theirs: Option<String> = store
                .read(|conn| {
                    use cct_store::db::Query;
                    conn.scalar("SELECT household_id FROM people WHERE id = ?1", [id])
                })
                .unwrap();
            assert_eq!(theirs.as_deref(), Some(household.as_str()), "{typed}: only the family's own members");
        }
    }
    for (typed, code) in
        [("12", "invalid_input"), ("CCT-FAMILY:nonsense", "family_not_found"), ("0000", "family_not_found")]
    {
        let refused = find(typed).unwrap_err();
        assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some(code), Some("text")), "{typed}");
    }
}
