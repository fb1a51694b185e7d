//! Each person signs in and acts as themselves: a volunteer is refused what needs more, the
//! audit log names whoever acted, wrong passwords bring a wait that a restart keeps, nothing
//! secret reaches a log or an error, the window locks and signs out, and the demo church signs
//! in without a password but never joins a team.

use super::*;
use crate::office::{course_named, demo, id, newcomer, sign_in_as, THEIR_PASSWORD};

/// What the attacks below try, with arguments real enough to reach the permission check.
struct Targets {
    course: Value,
    enrollment: String,
    content: String,
    prerequisite: String,
    person: Value,
    household: String,
    session: String,
}

fn targets(h: &Harness) -> Targets {
    let course = course_named(h, "Growing in Faith");
    let detail = invoke(h, "course_detail", json!({ "courseId": id(&course) })).unwrap();
    let prerequisites = invoke(h, "list_records", json!({ "kind": "course_prerequisite" })).unwrap();
    let households = invoke(h, "list_records", json!({ "kind": "household" })).unwrap();
    Targets {
        enrollment: id(&detail["enrollments"][0]["enrollment"]),
        content: id(&detail["modules"][0]["lessons"][0]),
        prerequisite: id(&prerequisites["items"][0]),
        person: newcomer(h),
        household: id(&households["items"][0]),
        session: id(&detail["sessions"][0]),
        course,
    }
}

#[test]
fn a_volunteer_is_refused_by_every_command_that_needs_more_than_a_volunteers_permissions() {
    let h = demo();
    let t = targets(&h);
    let staff_only = invoke(
        &h,
        "create_record",
        json!({ "kind": "special_requirement", "record": {
        "people_id": t.person["id"], "requirement_type": "medical", "details": "Seizure plan: staff only",
        "severity": "high", "visibility": "staff", "requires_action": true } }),
    )
    .unwrap();
    let for_checkin = invoke(
        &h,
        "create_record",
        json!({ "kind": "special_requirement", "record": {
        "people_id": t.person["id"], "requirement_type": "allergy", "details": "Peanuts",
        "severity": "high", "visibility": "checkin", "requires_action": true } }),
    )
    .unwrap();
    let roles = invoke(&h, "list_records", json!({ "kind": "role" })).unwrap();
    let admin_role = roles["items"].as_array().unwrap().iter().find(|r| r["name"] == "admin").unwrap().clone();
    let volunteer = sign_in_as(&h, "checkin_volunteer");

    let csv = "first_name,last_name,email\nEve,Intruder,eve@example.org\n";
    let mut course = t.course.clone();
    course["name"] = json!("Renamed by a volunteer");
    let attempts: Vec<(&str, Value)> = vec![
        ("create_record", json!({ "kind": "course", "record": { "name": "Volunteer's course" } })),
        ("update_record", json!({ "kind": "course", "record": course })),
        ("deactivate_record", json!({ "kind": "course", "id": t.course["id"] })),
        ("create_record", json!({ "kind": "people", "record": { "first_name": "Eve", "last_name": "Intruder" } })),
        ("update_record", json!({ "kind": "people", "record": t.person })),
        (
            "create_record",
            json!({ "kind": "people_role", "record": {
            "people_id": volunteer, "role_id": admin_role["id"], "assigned_date": "2026-11-01" } }),
        ),
        ("update_record", json!({ "kind": "role", "record": admin_role })),
        (
            "create_record",
            json!({ "kind": "special_requirement", "record": {
            "people_id": t.person["id"], "requirement_type": "medical", "details": "x", "severity": "low",
            "visibility": "checkin", "requires_action": false } }),
        ),
        ("create_record", json!({ "kind": "campus", "record": { "name": "Mine", "time_zone": "America/Chicago" } })),
        (
            "move_to_household",
            json!({ "peopleId": t.person["id"], "to": { "to": "existing", "household_id": t.household } }),
        ),
        ("add_prerequisite", json!({ "courseId": t.course["id"], "prerequisiteCourseId": t.course["id"] })),
        ("remove_prerequisite", json!({ "prerequisiteId": t.prerequisite })),
        ("enroll", json!({ "request": { "people_id": t.person["id"], "course_id": t.course["id"] } })),
        ("drop_enrollment", json!({ "enrollmentId": t.enrollment })),
        ("complete_content", json!({ "input": { "course_enrollment_id": t.enrollment, "content_id": t.content } })),
        ("undo_completion", json!({ "courseEnrollmentId": t.enrollment, "contentId": t.content })),
        ("certification_standings", json!({ "filter": "all" })),
        ("certification_history", json!({ "peopleId": t.person["id"] })),
        (
            "record_assessment_attempt",
            json!({ "input": { "course_enrollment_id": t.enrollment, "assessment_id": t.content, "score": 100 } }),
        ),
        ("renewals_due", json!({})),
        ("enroll_for_renewal", json!({ "peopleId": t.person["id"], "certificationId": t.enrollment })),
        ("audit_log", json!({ "query": {} })),
        ("audit_computers", json!({})),
        (
            "set_office_rules",
            json!({ "rules": { "absence_warning_threshold": 9, "expiring_soon_days": 9, "idle_lock_minutes": 240 } }),
        ),
        ("preview_import", json!({ "kind": "people", "text": csv })),
        ("run_import", json!({ "kind": "people", "text": csv })),
        ("export_csv", json!({ "kind": "people" })),
        ("export_csv", json!({ "kind": "enrollments" })),
        (
            "start_kiosk",
            json!({ "request": { "campus_id": t.household, "session_ids": [t.session], "station": "V",
            "pin": "1234", "pin_again": "1234" } }),
        ),
        ("invite_to_sign_in", json!({ "peopleId": volunteer, "purpose": "reset" })),
        ("planning_center_status", json!({})),
        ("sign_in_with_token", json!({ "appId": "a", "secret": "b" })),
        ("sign_in_with_browser", json!({})),
        ("sign_out_of_planning_center", json!({})),
        ("sync_now", json!({})),
        ("cancel_sync", json!({})),
        ("map_planning_center_field", json!({ "target": "completions", "fieldDefinitionId": null })),
        (
            "subscribe_planning_center_webhooks",
            json!({ "receiverUrl": "https://hub.example.org/planning-center/webhooks", "secretsFile": "/tmp/stolen" }),
        ),
        ("resolve_possible_duplicate", json!({ "id": t.enrollment, "resolution": { "decision": "create_new" } })),
        ("create_team", json!({ "hubAddress": "postgres://u@127.0.0.1/db", "churchName": "X", "deviceName": "Y" })),
        (
            "join_team",
            json!({ "hubAddress": "postgres://u@127.0.0.1/db", "joinCode": "AAAA-BBBB-CCCC", "deviceName": "Y" }),
        ),
        ("make_join_code", json!({ "campusId": null, "validHours": 24 })),
        ("team_devices", json!({})),
        ("team_compaction", json!({})),
        ("remove_team_device", json!({ "deviceId": "another-device" })),
        ("leave_team", json!({})),
        ("set_update_endpoint", json!({ "endpoint": "https://updates.example.org/latest.json" })),
        ("install_update_and_restart", json!({})),
        // The reports, and their lists of people to follow up with phone and e-mail.
        ("report_attendance", json!({ "filter": { "from": "2026-09-01", "to": "2026-12-01" } })),
        ("report_visitors", json!({ "filter": { "from": "2026-09-01", "to": "2026-12-01" } })),
        ("report_funnel", json!({ "filter": { "from": "2026-09-01", "to": "2026-12-01" } })),
        ("report_certifications", json!({ "filter": { "from": "2026-09-01", "to": "2026-12-01" } })),
        ("report_rooms", json!({ "filter": { "from": "2026-09-01", "to": "2026-12-01" } })),
        ("export_report_csv", json!({ "kind": "visitors", "filter": { "from": "2026-09-01", "to": "2026-12-01" } })),
    ];
    for (command, args) in attempts {
        let refused = invoke(&h, command, args.clone()).expect_err(command);
        assert_eq!(refused["code"], "permission_denied", "{command} {args}: {refused}");
        assert!(refused["message"].as_str().unwrap().contains("may not"), "{command}: {refused}");
    }

    // What a volunteer is for still works, as them, and shows only what they may see.
    let detail = invoke(&h, "person_detail", json!({ "peopleId": t.person["id"] })).unwrap();
    let shown: Vec<&str> =
        detail["special_requirements"].as_array().unwrap().iter().map(|r| r["details"].as_str().unwrap()).collect();
    assert_eq!(shown, ["Peanuts"], "a staff-only note is not shown to a volunteer");
    let listed = invoke(&h, "list_records", json!({ "kind": "special_requirement" })).unwrap();
    assert!(listed["items"].as_array().unwrap().iter().all(|r| r["visibility"] == "checkin"), "{listed}");
    assert_eq!(
        invoke(&h, "get_record", json!({ "kind": "special_requirement", "id": staff_only["id"] })).unwrap_err()["code"],
        "not_found"
    );
    assert!(invoke(&h, "get_record", json!({ "kind": "special_requirement", "id": for_checkin["id"] })).is_ok());
    let marked = invoke(
        &h,
        "mark_attendance",
        json!({ "input": {
        "class_session_id": t.session, "people_id": t.enrollment_person(&h), "status": "present" } }),
    )
    .unwrap();
    assert_eq!(marked["marked_by"], json!(volunteer), "attendance is marked by the volunteer");
}

impl Targets {
    /// Someone enrolled in the course, whom its sessions' rosters list.
    fn enrollment_person(&self, h: &Harness) -> Value {
        let enrollment =
            invoke(h, "get_record", json!({ "kind": "course_enrollment", "id": self.enrollment })).unwrap();
        enrollment["people_id"].clone()
    }
}

#[test]
fn audit_rows_and_every_created_by_name_the_person_signed_in() {
    let h = demo();
    let admin = invoke(&h, "app_status", json!({})).unwrap()["signed_in"]["person_id"].clone();
    let staff = sign_in_as(&h, "staff");
    let course =
        invoke(&h, "create_record", json!({ "kind": "course", "record": { "name": "Staff's course" } })).unwrap();
    assert_eq!(course["created_by"], json!(staff));
    assert_eq!(course["updated_by"], json!(staff));

    invoke(&h, "sign_in_to_demo", json!({})).unwrap();
    let mut renamed = course.clone();
    renamed["name"] = json!("The administrator's course");
    let renamed = invoke(&h, "update_record", json!({ "kind": "course", "record": renamed })).unwrap();
    assert_eq!((renamed["created_by"].clone(), renamed["updated_by"].clone()), (json!(staff), admin.clone()));
    let history =
        invoke(&h, "audit_log", json!({ "query": { "table_name": "course", "record_id": course["id"] } })).unwrap();
    let by: Vec<(Value, Value)> =
        history.as_array().unwrap().iter().map(|e| (e["action"].clone(), e["changed_by"].clone())).collect();
    assert_eq!(by, [(json!("update"), admin.clone()), (json!("insert"), json!(staff))], "newest first");
    let sign_ins = invoke(&h, "audit_log", json!({ "query": { "table_name": "sign_in" } })).unwrap();
    let events: Vec<(&str, &str)> = sign_ins
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["new_values"]["event"].as_str().unwrap(), e["changed_by"].as_str().unwrap_or("")))
        .collect();
    assert!(events.contains(&("password_set", staff.as_str())), "{events:?}");
    assert!(events.contains(&("invitation_made", admin.as_str().unwrap())), "{events:?}");
}

#[test]
fn the_wait_after_wrong_passwords_survives_a_restart() {
    let h = harness();
    set_up_office(&h, "Pat", "Admin", "pat@example.org");
    invoke(&h, "sign_out", json!({})).unwrap();
    let pat = json!({ "by": "email", "email": "pat@example.org" });
    for attempt in 1..=5 {
        let wrong =
            invoke(&h, "sign_in", json!({ "who": pat, "password": format!("guess {attempt} of many") })).unwrap_err();
        assert_eq!(wrong["code"], "wrong_password", "attempt {attempt}");
        assert!(!wrong["message"].as_str().unwrap().contains("guess"), "the message never repeats the guess");
    }
    let waiting = invoke(&h, "sign_in", json!({ "who": pat, "password": ADMIN_PASSWORD })).unwrap_err();
    assert_eq!((waiting["code"].as_str(), waiting["field"].as_str()), (Some("sign_in_wait"), Some("password")));

    let h = restart(h);
    let still = invoke(&h, "sign_in", json!({ "who": pat, "password": ADMIN_PASSWORD })).unwrap_err();
    assert_eq!(still["code"], "sign_in_wait", "a restart does not reset the count: {still}");
    assert!(still["message"].as_str().unwrap().contains("seconds"), "{still}");
    assert_eq!(invoke(&h, "list_courses", json!({})).unwrap_err()["code"], "signed_out");
}

#[test]
fn no_password_pin_or_hash_reaches_the_audit_log_the_change_log_an_error_or_the_screen() {
    let h = demo();
    let t = targets(&h);
    let campus = invoke(&h, "list_records", json!({ "kind": "campus" })).unwrap()["items"][0]["id"].clone();
    let invitation =
        invoke(&h, "invite_to_sign_in", json!({ "peopleId": t.person["id"], "purpose": "invite" })).unwrap();
    let code = invitation["code"].as_str().unwrap().to_owned();
    let password = "Newcomer's Secret 42";
    invoke(&h, "accept_invitation", json!({ "code": code, "password": password, "passwordAgain": password })).unwrap();
    let reused =
        invoke(&h, "accept_invitation", json!({ "code": code, "password": password, "passwordAgain": password }))
            .unwrap_err();
    assert_eq!(reused["code"], "invitation_used");
    invoke(&h, "sign_in_to_demo", json!({})).unwrap();
    // Eight digits: a timestamp's run of digits (its microseconds) is six at most, so a PIN
    // found in a log is the PIN, not a moment that happens to spell it.
    let pin = "80917264";
    invoke(
        &h,
        "start_kiosk",
        json!({ "request": { "campus_id": campus, "session_ids": [t.session], "station": "Q",
        "pin": pin, "pin_again": pin } }),
    )
    .unwrap();
    let wrong = invoke(&h, "leave_kiosk", json!({ "pin": "80917265" })).unwrap_err();
    invoke(&h, "leave_kiosk", json!({ "pin": pin })).unwrap();
    invoke(&h, "sign_in_to_demo", json!({})).unwrap();

    let store = store_of(&h);
    let logs = table_text(&store, "audit_log") + &table_text(&store, "team_change");
    let screens = [
        invoke(&h, "app_status", json!({})).unwrap(),
        invoke(&h, "sign_in_screen", json!({})).unwrap(),
        invoke(&h, "person_detail", json!({ "peopleId": t.person["id"] })).unwrap(),
        invoke(&h, "audit_log", json!({ "query": { "limit": 500 } })).unwrap(),
        wrong,
        reused,
    ]
    .map(|v| v.to_string())
    .join("\n");
    for secret in ["$argon2", "pin_hash", "password_hash", password, &code, &code.replace('-', ""), pin, "80917265"] {
        assert!(!logs.contains(secret), "{secret} is in the audit or change log");
        assert!(!screens.contains(secret), "{secret} is on a screen or in an error");
    }
    let file = std::fs::read(store.path()).unwrap();
    let wal = std::fs::read(format!("{}-wal", store.path().display())).unwrap_or_default();
    for bytes in [&file, &wal] {
        for secret in [password, code.as_str()] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} is in the database file");
        }
    }
}

#[test]
fn locking_keeps_the_person_until_they_unlock_and_signing_out_leaves_no_one_acting() {
    let h = harness();
    set_up_office(&h, "Pat", "Admin", "pat@example.org");
    invoke(&h, "create_record", json!({ "kind": "course", "record": { "name": "Before the lock" } })).unwrap();
    invoke(&h, "lock", json!({})).unwrap();
    assert_eq!(invoke(&h, "list_courses", json!({})).unwrap_err()["code"], "session_locked");
    assert_eq!(invoke(&h, "app_status", json!({})).unwrap()["signed_in"], Value::Null, "a locked window shows no one");
    let screen = invoke(&h, "sign_in_screen", json!({})).unwrap();
    assert_eq!(screen["locked"]["name"], "Pat Admin");
    assert_eq!(screen["recent"][0]["name"], "Pat Admin");
    assert_eq!(screen["idle_lock_seconds"], 900, "15 minutes unless the office says otherwise");
    let wrong = invoke(&h, "unlock", json!({ "password": "not it at all" })).unwrap_err();
    assert_eq!((wrong["code"].as_str(), wrong["field"].as_str()), (Some("wrong_password"), Some("password")));
    invoke(&h, "unlock", json!({ "password": ADMIN_PASSWORD })).unwrap();
    assert_eq!(invoke(&h, "list_courses", json!({})).unwrap().as_array().unwrap().len(), 1);

    // Switch person: someone else signs in over the lock.
    let invitation =
        invoke(&h, "invite_to_sign_in", json!({ "peopleId": staff_person(&h), "purpose": "invite" })).unwrap();
    invoke(&h, "lock", json!({})).unwrap();
    let switched = invoke(
        &h,
        "accept_invitation",
        json!({ "code": invitation["code"], "password": THEIR_PASSWORD, "passwordAgain": THEIR_PASSWORD }),
    )
    .unwrap();
    assert_eq!(switched["name"], "Sam Staff");
    assert_eq!(invoke(&h, "sign_in_screen", json!({})).unwrap()["locked"], Value::Null);

    invoke(&h, "sign_out", json!({})).unwrap();
    for (command, args) in [
        ("list_courses", json!({})),
        ("search_people", json!({ "query": "pat" })),
        ("create_record", json!({ "kind": "course", "record": { "name": "After sign-out" } })),
        ("audit_log", json!({ "query": {} })),
        ("team_status", json!({})),
        ("office_rules", json!({})),
        ("church_settings", json!({})),
        ("audit_computers", json!({})),
        ("export_csv", json!({ "kind": "people" })),
        ("unlock", json!({ "password": THEIR_PASSWORD })),
    ] {
        assert_eq!(invoke(&h, command, args).unwrap_err()["code"], "signed_out", "{command}");
    }
    let screen = invoke(&h, "sign_in_screen", json!({})).unwrap();
    let recent: Vec<&str> = screen["recent"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(recent, ["Sam Staff", "Pat Admin"], "most recent first");
    assert_eq!(screen["demo"], Value::Null, "a real office has no password-free sign-in");
    assert_eq!(invoke(&h, "sign_in_to_demo", json!({})).unwrap_err()["code"], "wrong_password");
}

/// A staff member, added by the signed-in administrator; returns their id.
pub(crate) fn staff_person(h: &Harness) -> Value {
    let sam = invoke(
        h,
        "create_record",
        json!({ "kind": "people", "record": {
        "first_name": "Sam", "last_name": "Staff", "email": "sam@example.org", "status": "active" } }),
    )
    .unwrap();
    let roles = invoke(h, "list_records", json!({ "kind": "role" })).unwrap();
    let staff = roles["items"].as_array().unwrap().iter().find(|r| r["name"] == "staff").unwrap().clone();
    invoke(
        h,
        "create_record",
        json!({ "kind": "people_role", "record": {
        "people_id": sam["id"], "role_id": staff["id"], "assigned_date": "2026-11-01" } }),
    )
    .unwrap();
    sam["id"].clone()
}

#[test]
fn bad_input_gets_a_typed_error_with_its_field_and_changes_nothing() {
    let h = harness();
    let first = |password: &str, again: &str| {
        json!({ "first": { "first_name": "Pat", "last_name": "Admin", "email": "pat@example.org",
                           "password": password, "password_again": again } })
    };
    for (password, again, field) in [
        ("", "", "password"),
        ("short", "short", "password"),
        (&*"x".repeat(257), &*"x".repeat(257), "password"),
        ("long enough here", "long enough HERE", "password_again"),
    ] {
        let refused = invoke(&h, "set_up_office", first(password, again)).unwrap_err();
        assert_eq!((refused["code"].as_str(), refused["field"].as_str()), (Some("invalid_input"), Some(field)));
        assert_eq!(invoke(&h, "app_status", json!({})).unwrap()["people"], 0, "nothing was set up");
    }
    set_up_office(&h, "Pat", "Admin", "pat@example.org");

    let unknown = invoke(
        &h,
        "sign_in",
        json!({ "who": { "by": "email", "email": "who@example.org" }, "password": "whatever you like" }),
    )
    .unwrap_err();
    assert_eq!((unknown["code"].as_str(), unknown["field"].as_str()), (Some("unknown_person"), Some("person")));
    let nobody =
        invoke(&h, "sign_in", json!({ "who": { "by": "person", "people_id": uuid::Uuid::now_v7() }, "password": "x" }))
            .unwrap_err();
    assert_eq!(nobody["code"], "unknown_person");
    let made_up = invoke(
        &h,
        "accept_invitation",
        json!({ "code": "ZZZZ-ZZZZ-ZZZZ", "password": THEIR_PASSWORD, "passwordAgain": THEIR_PASSWORD }),
    )
    .unwrap_err();
    assert_eq!((made_up["code"].as_str(), made_up["field"].as_str()), (Some("invitation_unknown"), Some("code")));

    // Someone made inactive cannot sign in, and their session ends.
    let sam = staff_person(&h);
    let invitation = invoke(&h, "invite_to_sign_in", json!({ "peopleId": sam, "purpose": "invite" })).unwrap();
    let no_password =
        invoke(&h, "sign_in", json!({ "who": { "by": "person", "people_id": sam }, "password": THEIR_PASSWORD }))
            .unwrap_err();
    assert_eq!(no_password["code"], "no_password");
    invoke(
        &h,
        "accept_invitation",
        json!({ "code": invitation["code"], "password": THEIR_PASSWORD, "passwordAgain": THEIR_PASSWORD }),
    )
    .unwrap();
    let admin = json!({ "by": "email", "email": "pat@example.org" });
    invoke(&h, "sign_in", json!({ "who": admin, "password": ADMIN_PASSWORD })).unwrap();
    invoke(&h, "deactivate_record", json!({ "kind": "people", "id": sam })).unwrap();
    let inactive =
        invoke(&h, "sign_in", json!({ "who": { "by": "person", "people_id": sam }, "password": THEIR_PASSWORD }))
            .unwrap_err();
    assert_eq!((inactive["code"].as_str(), inactive["field"].as_str()), (Some("person_inactive"), Some("person")));
    assert!(inactive["message"].as_str().unwrap().contains("Sam Staff"), "{inactive}");
    let refused = invoke(&h, "invite_to_sign_in", json!({ "peopleId": sam, "purpose": "reset" })).unwrap_err();
    assert_eq!(refused["code"], "person_inactive");

    // The last administrator cannot be demoted or made inactive.
    let me = invoke(&h, "app_status", json!({})).unwrap()["signed_in"]["person_id"].clone();
    let links =
        invoke(&h, "list_records", json!({ "kind": "people_role", "query": { "filters": [["people_id", me]] } }))
            .unwrap();
    let link = links["items"][0].clone();
    let demoted = invoke(&h, "deactivate_record", json!({ "kind": "people_role", "id": link["id"] })).unwrap_err();
    assert_eq!(demoted["code"], "last_administrator", "{demoted}");
    let gone = invoke(&h, "deactivate_record", json!({ "kind": "people", "id": me })).unwrap_err();
    assert_eq!(gone["code"], "last_administrator");
    assert!(invoke(&h, "list_courses", json!({})).is_ok(), "still signed in, still an administrator");
}

#[test]
fn the_demo_signs_in_without_a_password_and_never_creates_or_joins_a_team() {
    let h = demo();
    let status = invoke(&h, "app_status", json!({})).unwrap();
    assert_eq!((status["demo_mode"].clone(), status["signed_in"]["name"].is_string()), (json!(true), true));
    invoke(&h, "sign_out", json!({})).unwrap();
    let screen = invoke(&h, "sign_in_screen", json!({})).unwrap();
    assert_eq!(screen["demo"]["name"], status["signed_in"]["name"], "the screen offers the demo's administrator");
    let signed_in = invoke(&h, "sign_in_to_demo", json!({})).unwrap();
    assert_eq!(signed_in["name"], status["signed_in"]["name"]);
    for (command, args) in [
        ("create_team", json!({ "hubAddress": "postgres://u@127.0.0.1/db", "churchName": "X", "deviceName": "Y" })),
        (
            "join_team",
            json!({ "hubAddress": "postgres://u@127.0.0.1/db", "joinCode": "AAAA-BBBB-CCCC", "deviceName": "Y" }),
        ),
    ] {
        let refused = invoke(&h, command, args).unwrap_err();
        assert_eq!(refused["code"], "demo_mode", "{command}");
        assert!(refused["message"].as_str().unwrap().contains("cannot be part of a team"), "{refused}");
    }
    // Signed out, the demo still cannot join: a new computer's way in does not apply to it.
    invoke(&h, "sign_out", json!({})).unwrap();
    let refused = invoke(
        &h,
        "join_team",
        json!({ "hubAddress": "postgres://u@127.0.0.1/db", "joinCode": "AAAA-BBBB-CCCC", "deviceName": "Y" }),
    )
    .unwrap_err();
    assert_eq!(refused["code"], "demo_mode");
}

#[test]
fn a_second_app_on_the_same_database_is_refused_with_a_clear_message() {
    let h = harness();
    let refused = cct_app::App::open(store_of(&h).path(), std::sync::Arc::new(|_| Ok(()))).err().unwrap();
    assert_eq!(refused.code, cct_domain::ErrorCode::StoreInUse);
    assert!(refused.message.contains("already open"), "{}", refused.message);
}
