//! The reports through the commands, on the demo church: each one answers for the range asked,
//! its numbers agree with the database's own count, a campus narrows them, bad dates are named,
//! and each exports as a CSV file. A volunteer is refused them all (see `access.rs`).

use super::*;
use crate::office::demo;

/// From 120 days ago to 30 days ahead: the demo church's whole history, on `campus` (or all).
fn range(campus: Value) -> Value {
    let today = chrono::Local::now().date_naive();
    json!({ "campus_id": campus, "course_id": null,
            "from": (today - chrono::Duration::days(120)).to_string(), "to": (today + chrono::Duration::days(30)).to_string() })
}

#[test]
fn each_report_answers_for_the_range_and_agrees_with_the_database() {
    let h = demo();
    let filter = range(Value::Null);
    let attendance = invoke(&h, "report_attendance", json!({ "filter": filter })).unwrap();
    let weeks = attendance["weeks"].as_array().unwrap().len();
    assert!((21..=23).contains(&weeks), "150 days is 22 weeks or so: {weeks}");
    let total: i64 = attendance["total"].as_array().unwrap().iter().map(|n| n.as_i64().unwrap()).sum();
    let store = store_of(&h);
    let counted: i64 = store
        .read(|conn| {
            use cct_store::db::Query;
            conn.scalar(
                "SELECT count(*) FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
                 WHERE a.is_active = 1 AND a.status IN ('present', 'late') AND s.is_active = 1",
                [],
            )
        })
        .unwrap();
    assert!(counted > 0, "the demo church has attendance");
    assert_eq!(total, counted, "every attendance of the demo church is in the range");
    let by_course: i64 = attendance["by_course"].as_array().unwrap().iter().map(|s| s["total"].as_i64().unwrap()).sum();
    assert_eq!(by_course, total, "the courses add up to the total");

    let campuses = invoke(&h, "list_records", json!({ "kind": "campus" })).unwrap();
    let campus = campuses["items"][0]["id"].clone();
    let narrowed = invoke(&h, "report_attendance", json!({ "filter": range(campus) })).unwrap();
    let narrowed_total: i64 = narrowed["total"].as_array().unwrap().iter().map(|n| n.as_i64().unwrap()).sum();
    assert!(narrowed_total <= total);
    assert!(narrowed["by_campus"].as_array().unwrap().len() <= 1, "{}", narrowed["by_campus"]);

    let visitors = invoke(&h, "report_visitors", json!({ "filter": filter })).unwrap();
    assert!(visitors["follow_up_shown"].as_bool().unwrap(), "the administrator sees whom to follow up");
    assert_eq!(visitors["first_timers"].as_i64().unwrap(), visitors["follow_up"].as_array().unwrap().len() as i64);
    let funnel = invoke(&h, "report_funnel", json!({ "filter": filter })).unwrap();
    for course in funnel["courses"].as_array().unwrap() {
        let (enrolled, started, completed) = (
            course["enrolled"].as_i64().unwrap(),
            course["started"].as_i64().unwrap(),
            course["completed"].as_i64().unwrap(),
        );
        assert!(enrolled >= started && started >= completed, "a funnel narrows: {course}");
    }
    let certifications = invoke(&h, "report_certifications", json!({ "filter": filter })).unwrap();
    assert_eq!(certifications["expiring_by_month"].as_array().unwrap().len(), 12);
    let rooms = invoke(&h, "report_rooms", json!({ "filter": filter })).unwrap();
    assert!(rooms["session_count"].as_i64().unwrap() > 0);

    let bad = invoke(&h, "report_rooms", json!({ "filter": { "from": "yesterday", "to": "2026-12-01" } })).unwrap_err();
    assert_eq!((bad["code"].as_str(), bad["field"].as_str()), (Some("invalid_input"), Some("from")), "{bad}");

    for (kind, header) in [
        ("attendance", "week,total,a year before"),
        ("visitors", "week,first-time visitors,came back within 4 weeks"),
        ("funnel", "course,enrolled,started,completed,dropped"),
        ("certifications", "month,expiring"),
        ("rooms", "session,starts,room,capacity,children"),
    ] {
        let path = invoke(&h, "export_report_csv", json!({ "kind": kind, "filter": filter })).unwrap();
        let path = std::path::PathBuf::from(path.as_str().unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(text.starts_with(header), "{kind}: {}", text.lines().next().unwrap_or(""));
        assert!(text.lines().count() > 1, "{kind} has rows");
    }
}
