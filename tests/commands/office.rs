//! The administrator's day through the commands: a course with a prerequisite, a refused
//! enrollment, the override, progress to completion, the certification, and the audit trail.

use super::*;
use cct_domain::Actor;
use cct_store::office::people as actor;
use cct_store::records;

pub(crate) fn demo() -> Harness {
    let h = harness();
    invoke(&h, "load_demo_church", json!({})).unwrap();
    h
}

pub(crate) fn id(value: &Value) -> String {
    value["id"].as_str().expect("a record id").to_owned()
}

pub(crate) fn course_named(h: &Harness, name: &str) -> Value {
    let courses = invoke(h, "list_courses", json!({})).unwrap();
    courses
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no course {name}"))
}

pub(crate) fn lesson_type(h: &Harness) -> String {
    let types = invoke(h, "list_records", json!({ "kind": "content_type" })).unwrap();
    id(&types["items"][0])
}

/// Someone in the demo church with no enrollments at all (so no completed prerequisites).
pub(crate) fn newcomer(h: &Harness) -> Value {
    let people =
        invoke(h, "list_records", json!({ "kind": "people", "query": { "order_by": "last_name", "limit": 300 } }))
            .unwrap();
    for person in people["items"].as_array().unwrap() {
        let detail = invoke(h, "person_detail", json!({ "peopleId": id(person) })).unwrap();
        if detail["enrollments"].as_array().unwrap().is_empty() {
            return person.clone();
        }
    }
    panic!("every demo person is enrolled somewhere");
}

/// The password everyone signed in by [`sign_in_as`] chose.
pub(crate) const THEIR_PASSWORD: &str = "their own password";

/// Gives a demo person `role`, lets the signed-in administrator invite them, and signs them in
/// with the password they set through the invitation, as the window does. Returns their id.
pub(crate) fn sign_in_as(h: &Harness, role: &str) -> String {
    let system = Actor::system();
    let store = store_of(h);
    let person =
        records::list::<cct_domain::records::Person>(&store, &system, &cct_store::ListQuery::default().page(1, 7))
            .unwrap()
            .items
            .remove(0);
    let role_id = actor::role_id(&store, role).unwrap();
    let mut tx = store.begin_write(&system).unwrap();
    records::insert(
        &mut tx,
        cct_domain::records::PeopleRole {
            people_id: person.meta.id,
            role_id,
            assigned_date: chrono::Utc::now().date_naive(),
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    // The demo's administrator invites them.
    invoke(h, "sign_in_to_demo", json!({})).unwrap();
    let invitation =
        invoke(h, "invite_to_sign_in", json!({ "peopleId": person.meta.id, "purpose": "invite" })).unwrap();
    let signed_in = invoke(
        h,
        "accept_invitation",
        json!({ "code": invitation["code"], "password": THEIR_PASSWORD, "passwordAgain": THEIR_PASSWORD }),
    )
    .unwrap();
    assert_eq!(signed_in["person_id"], json!(person.meta.id));
    person.meta.id.to_string()
}

#[test]
fn an_administrators_path_from_a_new_course_to_a_certification_in_the_audit_log() {
    let h = demo();
    let growing = course_named(&h, "Growing in Faith");
    let course = invoke(
        &h,
        "create_record",
        json!({ "kind": "course", "record": { "name": "Hosting Newcomers", "max_capacity": 12 } }),
    )
    .unwrap();
    let course_id = id(&course);
    invoke(&h, "add_prerequisite", json!({ "courseId": course_id, "prerequisiteCourseId": id(&growing) })).unwrap();
    let lesson = |title: &str, order: i64| {
        invoke(&h, "create_record", json!({ "kind": "content", "record": {
            "course_id": course_id, "title": title, "content_type_id": lesson_type(&h), "order_sequence": order, "is_required": true } }))
        .unwrap()
    };
    let lessons = [lesson("Why small groups", 1), lesson("Leading a discussion", 2)];
    let certification = invoke(
        &h,
        "create_record",
        json!({ "kind": "certification", "record": { "name": "Small Group Leader", "validity_months": 24 } }),
    )
    .unwrap();
    invoke(&h, "create_record", json!({ "kind": "certification_course", "record": { "certification_id": id(&certification), "course_id": course_id } })).unwrap();

    let detail = invoke(&h, "course_detail", json!({ "courseId": course_id })).unwrap();
    assert_eq!(detail["prerequisites"][0]["name"], "Growing in Faith");
    assert_eq!(detail["unassigned_content"].as_array().unwrap().len(), 2);

    let person = newcomer(&h);
    let refused =
        invoke(&h, "enroll", json!({ "request": { "people_id": id(&person), "course_id": course_id } })).unwrap_err();
    assert_eq!(refused["code"], "prerequisites_not_met");
    assert!(refused["message"].as_str().unwrap().contains("Growing in Faith"), "{refused}");
    let blank_reason = invoke(
        &h,
        "enroll",
        json!({ "request": { "people_id": id(&person), "course_id": course_id, "override_reason": "  " } }),
    )
    .unwrap_err();
    assert_eq!(blank_reason["field"], "override_reason");

    let reason = "Led a group at her previous church for three years";
    let enrollment = invoke(
        &h,
        "enroll",
        json!({ "request": { "people_id": id(&person), "course_id": course_id, "override_reason": reason } }),
    )
    .unwrap();
    assert_eq!(enrollment["dependency_override"], true);
    assert_eq!(enrollment["dependency_override_reason"], reason);

    let half = invoke(
        &h,
        "complete_content",
        json!({ "input": { "course_enrollment_id": id(&enrollment), "content_id": id(&lessons[0]) } }),
    )
    .unwrap();
    assert_eq!(half["progress_percentage"], 50.0);
    let done = invoke(
        &h,
        "complete_content",
        json!({ "input": { "course_enrollment_id": id(&enrollment), "content_id": id(&lessons[1]) } }),
    )
    .unwrap();
    assert_eq!(done["status"], "completed");
    assert_eq!(done["progress_percentage"], 100.0);

    let standings = invoke(&h, "certification_standings", json!({ "filter": "all" })).unwrap();
    let earned = standings
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["certification_name"] == "Small Group Leader")
        .expect("the certification was earned");
    assert_eq!(earned["progress"]["people_id"], person["id"]);
    assert_eq!(earned["progress"]["status"], "completed");
    assert!(earned["progress"]["certificate_number"].as_str().unwrap().starts_with("CCT-"));

    let history = invoke(&h, "audit_log", json!({ "query": { "about_person": id(&person) } })).unwrap();
    let tables: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["table_name"].as_str().unwrap()).collect();
    for table in ["course_enrollment", "content_completion", "certification_progress"] {
        assert!(tables.contains(&table), "{table} missing from {tables:?}");
    }
    let override_entry = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["table_name"] == "course_enrollment" && e["action"] == "insert")
        .unwrap();
    assert_eq!(override_entry["reason"], reason);
    assert_eq!(override_entry["changed_by_name"], invoke(&h, "app_status", json!({})).unwrap()["signed_in"]["name"]);
    let course_history =
        invoke(&h, "audit_log", json!({ "query": { "table_name": "course", "record_id": course_id } })).unwrap();
    let entries = course_history.as_array().unwrap();
    assert_eq!(entries.last().unwrap()["action"], "insert", "newest first, so the creation is last");
    assert_eq!(entries.last().unwrap()["new_values"]["name"], "Hosting Newcomers");
    assert_eq!(entries[0]["new_values"]["current_registrations"], 1, "the enrollment took a seat");
}

#[test]
fn forms_get_errors_that_name_their_field() {
    let h = demo();
    let missing =
        invoke(&h, "create_record", json!({ "kind": "course", "record": { "description": "no name" } })).unwrap_err();
    assert_eq!((missing["code"].as_str(), missing["field"].as_str()), (Some("invalid_input"), Some("name")));
    let blank = invoke(&h, "create_record", json!({ "kind": "course", "record": { "name": "  " } })).unwrap_err();
    assert_eq!(blank["field"], "name");
    let negative =
        invoke(&h, "create_record", json!({ "kind": "course", "record": { "name": "X", "max_capacity": -1 } }))
            .unwrap_err();
    assert_eq!(negative["field"], "max_capacity");
    let wrong_type =
        invoke(&h, "create_record", json!({ "kind": "course", "record": { "name": "X", "max_capacity": "twelve" } }))
            .unwrap_err();
    assert_eq!(wrong_type["field"], "max_capacity");

    let course = course_named(&h, "Foundations of Faith");
    let growing = course_named(&h, "Growing in Faith");
    let cycle =
        invoke(&h, "add_prerequisite", json!({ "courseId": id(&course), "prerequisiteCourseId": id(&growing) }))
            .unwrap_err();
    assert_eq!(cycle["code"], "prerequisite_cycle");
    assert!(cycle["message"].as_str().unwrap().contains("Foundations of Faith"), "{cycle}");
}

#[test]
fn records_with_rules_of_their_own_cannot_be_written_generically() {
    let h = demo();
    let course = course_named(&h, "Growing in Faith");
    let person = newcomer(&h);
    let sneaky = invoke(&h, "create_record", json!({ "kind": "course_enrollment", "record": {
        "people_id": id(&person), "course_id": id(&course), "enrollment_date": "2026-11-24", "status": "enrolled", "progress_percentage": 0,
        "dependency_override": false, "planning_center_synced": false, "registration_status": "registered" } }))
    .unwrap_err();
    assert_eq!(sneaky["code"], "use_dedicated_command");
    let detail = invoke(&h, "person_detail", json!({ "peopleId": id(&person) })).unwrap();
    assert!(detail["enrollments"].as_array().unwrap().is_empty());
}

#[test]
fn the_signed_in_persons_role_is_checked_in_rust_for_every_command() {
    let h = demo();
    let course = course_named(&h, "Growing in Faith");
    sign_in_as(&h, "checkin_volunteer");
    let refused = invoke(&h, "create_record", json!({ "kind": "course", "record": { "name": "Volunteer's course" } }))
        .unwrap_err();
    assert_eq!(refused["code"], "permission_denied");
    assert!(refused["message"].as_str().unwrap().contains("courses.write"), "{refused}");
    assert_eq!(invoke(&h, "audit_log", json!({ "query": {} })).unwrap_err()["code"], "permission_denied");
    let person = newcomer(&h);
    let enroll =
        invoke(&h, "enroll", json!({ "request": { "people_id": id(&person), "course_id": id(&course) } })).unwrap_err();
    assert_eq!(enroll["code"], "permission_denied");
    // What a volunteer may do still works.
    assert!(invoke(&h, "course_detail", json!({ "courseId": id(&course) })).is_ok());

    sign_in_as(&h, "staff");
    let foundations = course_named(&h, "Foundations of Faith");
    let later = course_named(&h, "Leading a Small Group");
    let no_override = invoke(
        &h,
        "enroll",
        json!({ "request": { "people_id": id(&person), "course_id": id(&later), "override_reason": "trust me" } }),
    )
    .unwrap_err();
    assert_eq!(no_override["code"], "permission_denied", "{no_override}");
    assert!(
        invoke(&h, "enroll", json!({ "request": { "people_id": id(&person), "course_id": id(&foundations) } })).is_ok()
    );
}

#[test]
fn attendance_is_marked_once_per_person_and_counts_absences() {
    let h = demo();
    let course = course_named(&h, "Foundations of Faith");
    let detail = invoke(&h, "course_detail", json!({ "courseId": id(&course) })).unwrap();
    let session = &detail["sessions"][0];
    let roster = invoke(&h, "session_roster", json!({ "classSessionId": id(session) })).unwrap();
    let first = &roster.as_array().expect("a roster")[0];
    let people_id = first["people_id"].as_str().unwrap();
    let mark = |status: &str| {
        invoke(
            &h,
            "mark_attendance",
            json!({ "input": { "class_session_id": id(session), "people_id": people_id, "status": status } }),
        )
    };
    let present = mark("present").unwrap();
    assert!(present["check_in_at"].is_string());
    let absent = mark("absent").unwrap();
    assert_eq!(absent["id"], present["id"], "marking again updates the same row");
    assert!(absent["check_in_at"].is_null());

    let detail = invoke(&h, "course_detail", json!({ "courseId": id(&course) })).unwrap();
    let line =
        detail["enrollments"].as_array().unwrap().iter().find(|l| l["enrollment"]["people_id"] == people_id).unwrap();
    assert_eq!(line["absences"], 1);
    assert_eq!(line["absence_warning"], false, "one absence is under the default threshold of 3");
    let mut course = course.clone();
    course["absence_warning_threshold"] = json!(1);
    invoke(&h, "update_record", json!({ "kind": "course", "record": course })).unwrap();
    let detail = invoke(&h, "course_detail", json!({ "courseId": id(&course) })).unwrap();
    let line =
        detail["enrollments"].as_array().unwrap().iter().find(|l| l["enrollment"]["people_id"] == people_id).unwrap();
    assert_eq!(line["absence_warning"], true, "the course's own threshold applies");
    assert_eq!(line["sessions_attended"], 0);
}

#[test]
fn the_sessions_a_course_requires_count_toward_progress() {
    let h = demo();
    let course = course_named(&h, "Growing in Faith");
    assert_eq!(course["sessions_required"], 3, "the demo's Growing in Faith is a class people attend");
    let detail = invoke(&h, "course_detail", json!({ "courseId": id(&course) })).unwrap();
    let required: Vec<String> = detail["modules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["lessons"].as_array().unwrap().iter())
        .filter(|c| c["is_required"] == true)
        .map(id)
        .collect();
    let expected = |line: &Value, sessions_required: i64, attended: i64| {
        let lessons = line["completed_content_ids"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| required.contains(&c.as_str().unwrap().to_owned()))
            .count() as i64;
        let steps = required.len() as i64 + sessions_required;
        ((lessons + attended.min(sessions_required)) as f64 * 1000.0 / steps as f64).round() / 10.0
    };
    let line = detail["enrollments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sessions_attended"] == 3)
        .expect("someone came to all three sessions")
        .clone();
    let people_id = line["enrollment"]["people_id"].clone();
    assert_eq!(line["enrollment"]["progress_percentage"], expected(&line, 3, 3));

    // The office makes it four sessions: everyone's progress is worked out again.
    let mut four = course.clone();
    four["sessions_required"] = json!(4);
    invoke(&h, "update_record", json!({ "kind": "course", "record": four })).unwrap();
    let line_of = || {
        let detail = invoke(&h, "course_detail", json!({ "courseId": id(&course) })).unwrap();
        detail["enrollments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["enrollment"]["people_id"] == people_id)
            .unwrap()
            .clone()
    };
    let fewer = line_of();
    assert_eq!(fewer["enrollment"]["progress_percentage"], expected(&line, 4, 3));
    assert_eq!(fewer["enrollment"]["status"], "in_progress");

    // They come to today's session.
    let today = detail["sessions"].as_array().unwrap().last().unwrap();
    invoke(
        &h,
        "mark_attendance",
        json!({ "input": { "class_session_id": id(today), "people_id": people_id, "status": "present" } }),
    )
    .unwrap();
    let after = line_of();
    assert_eq!(
        (after["sessions_attended"].as_i64(), after["enrollment"]["progress_percentage"].as_f64()),
        (Some(4), Some(expected(&line, 4, 4)))
    );

    let mut negative = course.clone();
    negative["sessions_required"] = json!(-2);
    let refused = invoke(&h, "update_record", json!({ "kind": "course", "record": negative })).unwrap_err();
    assert_eq!(refused["field"], "sessions_required");
}

#[test]
fn the_office_sets_when_absences_are_flagged_and_certifications_expire_soon() {
    let h = demo();
    assert_eq!(
        invoke(&h, "office_rules", json!({})).unwrap(),
        json!({ "absence_warning_threshold": 3, "expiring_soon_days": 60, "idle_lock_minutes": 15, "refuse_uncertified_serving": false })
    );
    let course = course_named(&h, "Growing in Faith");
    let flagged = |h: &Harness| {
        let detail = invoke(h, "course_detail", json!({ "courseId": id(&course) })).unwrap();
        detail["enrollments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["absence_warning"] == true)
            .map(|l| l["absences"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert!(flagged(&h).iter().all(|&n| n >= 3), "the demo flags only those with three absences or more");

    let saved = invoke(
        &h,
        "set_office_rules",
        json!({ "rules": { "absence_warning_threshold": 1, "expiring_soon_days": 90 } }),
    )
    .unwrap();
    assert_eq!(saved["expiring_soon_days"], 90);
    let now_flagged = flagged(&h);
    assert!(now_flagged.contains(&1), "one absence is now enough: {now_flagged:?}");
    assert_eq!(invoke(&h, "office_rules", json!({})).unwrap()["absence_warning_threshold"], 1);

    let refused = invoke(
        &h,
        "set_office_rules",
        json!({ "rules": { "absence_warning_threshold": 0, "expiring_soon_days": 90 } }),
    )
    .unwrap_err();
    assert_eq!(refused["field"], "absence_warning_threshold");
    let refused = invoke(
        &h,
        "set_office_rules",
        json!({ "rules": { "absence_warning_threshold": 2, "expiring_soon_days": 9000 } }),
    )
    .unwrap_err();
    assert_eq!(refused["field"], "expiring_soon_days");
    let never_locks =
        json!({ "rules": { "absence_warning_threshold": 2, "expiring_soon_days": 30, "idle_lock_minutes": 0 } });
    assert_eq!(invoke(&h, "set_office_rules", never_locks).unwrap_err()["field"], "idle_lock_minutes");
    let locks_sooner =
        json!({ "rules": { "absence_warning_threshold": 1, "expiring_soon_days": 90, "idle_lock_minutes": 5 } });
    invoke(&h, "set_office_rules", locks_sooner).unwrap();
    assert_eq!(invoke(&h, "sign_in_screen", json!({})).unwrap()["idle_lock_seconds"], 300);
    sign_in_as(&h, "staff");
    let denied = invoke(
        &h,
        "set_office_rules",
        json!({ "rules": { "absence_warning_threshold": 5, "expiring_soon_days": 30 } }),
    )
    .unwrap_err();
    assert_eq!(denied["code"], "permission_denied");
    assert_eq!(invoke(&h, "office_rules", json!({})).unwrap()["absence_warning_threshold"], 1, "nothing changed");
}

#[test]
fn enrollments_import_with_a_preview_and_the_prerequisite_rule_per_row() {
    let h = demo();
    let person = newcomer(&h);
    let email = "newcomer@example.org";
    let mut record = person.clone();
    record["email"] = json!(email);
    invoke(&h, "update_record", json!({ "kind": "people", "record": record })).unwrap();
    let text = format!(
        "email,course,override_reason\n{email},Foundations of Faith,\n{email},Leading a Small Group,\n{email},Growing in Faith,Taught it elsewhere\nnobody@example.org,Foundations of Faith,\n{email},Underwater Basket Weaving,\n"
    );
    let preview = invoke(&h, "preview_import", json!({ "kind": "enrollments", "text": text })).unwrap();
    let fields: Vec<Value> = preview["rows"].as_array().unwrap().iter().map(|r| r["error"]["code"].clone()).collect();
    assert_eq!(
        fields,
        vec![Value::Null, json!("prerequisites_not_met"), Value::Null, json!("invalid_input"), json!("invalid_input")]
    );
    assert_eq!(preview["committed"], false);
    let detail = invoke(&h, "person_detail", json!({ "peopleId": id(&person) })).unwrap();
    assert!(detail["enrollments"].as_array().unwrap().is_empty(), "a preview enrolls no one");

    let report = invoke(&h, "run_import", json!({ "kind": "enrollments", "text": text })).unwrap();
    assert_eq!((report["applied"].as_u64(), report["failed"].as_u64()), (Some(2), Some(3)));
    let detail = invoke(&h, "person_detail", json!({ "peopleId": id(&person) })).unwrap();
    let courses: Vec<&str> =
        detail["enrollments"].as_array().unwrap().iter().map(|e| e["course_name"].as_str().unwrap()).collect();
    assert_eq!(courses.len(), 2);
    assert!(courses.contains(&"Foundations of Faith") && courses.contains(&"Growing in Faith"));
    let overridden =
        detail["enrollments"].as_array().unwrap().iter().find(|e| e["course_name"] == "Growing in Faith").unwrap();
    assert_eq!(overridden["enrollment"]["dependency_override_reason"], "Taught it elsewhere");
}

#[test]
fn people_export_to_a_file_that_imports_back_as_updates() {
    let h = demo();
    let path = invoke(&h, "export_csv", json!({ "kind": "people" })).unwrap();
    let path = std::path::PathBuf::from(path.as_str().unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(path.file_name().unwrap().to_string_lossy().starts_with("people-"));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("id,first_name,last_name"), "{}", lines[0]);
    let status = invoke(&h, "app_status", json!({})).unwrap();
    assert_eq!(lines.len() as i64 - 1, status["people"].as_i64().unwrap());

    let preview = invoke(&h, "preview_import", json!({ "kind": "people", "text": text })).unwrap();
    assert_eq!(
        preview["failed"],
        0,
        "{}",
        preview["rows"].as_array().unwrap().iter().find(|r| !r["error"].is_null()).cloned().unwrap_or_default()
    );
    assert!(preview["rows"].as_array().unwrap().iter().all(|r| r["action"] == "updated"));

    let enrollments = invoke(&h, "export_csv", json!({ "kind": "enrollments" })).unwrap();
    let enrollments = std::path::PathBuf::from(enrollments.as_str().unwrap());
    let text = std::fs::read_to_string(&enrollments).unwrap();
    std::fs::remove_file(&enrollments).unwrap();
    assert!(text.starts_with("person_id,person,email,course,offering,status"));
    assert!(text.lines().count() > 100);
}

#[test]
fn moving_someone_between_households_keeps_the_name_in_step() {
    let h = demo();
    let person = newcomer(&h);
    let moved = invoke(
        &h,
        "move_to_household",
        json!({ "peopleId": id(&person), "to": { "to": "new", "name": "Newcomer Household" } }),
    )
    .unwrap();
    assert_eq!(moved["household_name"], "Newcomer Household");
    let household = moved["household_id"].clone();
    let other = invoke(&h, "list_records", json!({ "kind": "household", "query": { "limit": 1 } })).unwrap()["items"]
        [0]
    .clone();
    let again = invoke(
        &h,
        "move_to_household",
        json!({ "peopleId": id(&person), "to": { "to": "existing", "household_id": other["id"] } }),
    )
    .unwrap();
    assert_eq!((&again["household_id"], &again["household_name"]), (&other["id"], &other["name"]));
    assert_ne!(again["household_id"], household);
    let out = invoke(&h, "move_to_household", json!({ "peopleId": id(&person), "to": { "to": "none" } })).unwrap();
    assert!(out["household_id"].is_null() && out["household_name"].is_null());
    let blank = invoke(&h, "move_to_household", json!({ "peopleId": id(&person), "to": { "to": "new", "name": " " } }))
        .unwrap_err();
    assert_eq!(blank["field"], "name");
}
