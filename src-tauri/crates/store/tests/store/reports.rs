//! Every report checked against a small church counted by hand: two campuses, a children's
//! class (Kids, North, Room 1: capacity 3, one adult per 2 children) and an adult course
//! (Alpha, South, the Hall), over four weeks from Monday 7 September 2026. Week 3 has no class.
//! The rows are written as they are in the database, so each number below can be counted from
//! this file.

use crate::common::*;
use cct_domain::{Actor, Permission};
use cct_store::reports::{attendance, certifications, funnel, rooms, visitors, Count, ReportFilter, ReportScope};
use cct_store::{Store, StoreError};
use chrono::NaiveDate;
use uuid::Uuid;

struct Church {
    store: Store,
    _dir: tempfile::TempDir,
    north: Uuid,
    kids: Uuid,
}

fn id() -> String {
    Uuid::now_v7().to_string()
}

const STAMP: &str = "2026-08-01T00:00:00.000000Z";

fn small_church() -> Church {
    let (store, dir) = fresh_store();
    let (north, south) = (Uuid::now_v7(), Uuid::now_v7());
    let (kids, alpha) = (Uuid::now_v7(), Uuid::now_v7());
    let lessons = add_lessons(
        &store,
        {
            // The course must exist before its lessons; it is written first, alone.
            store
                .write(&system(), |tx| {
                    tx.conn().execute(
                        "INSERT INTO course (id, name, created_at, updated_at) VALUES (?1, 'Kids', ?2, ?2)",
                        rusqlite::params![kids.to_string(), STAMP],
                    )?;
                    Ok(())
                })
                .unwrap();
            kids
        },
        3,
        true,
    );
    store
        .write(&system(), |tx| {
            let conn = tx.conn();
            let run = |sql: &str, params: &[&dyn rusqlite::ToSql]| conn.execute(sql, params).map(|_| ());
            for (campus, name) in [(north, "North"), (south, "South")] {
                run("INSERT INTO campus (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)", &[&campus.to_string(), &name, &STAMP])?;
            }
            run("UPDATE course SET campus_id = ?1 WHERE id = ?2", &[&north.to_string(), &kids.to_string()])?;
            run("INSERT INTO course (id, name, campus_id, created_at, updated_at) VALUES (?1, 'Alpha', ?2, ?3, ?3)", &[&alpha.to_string(), &south.to_string(), &STAMP])?;
            let (room, hall) = (id(), id());
            run("INSERT INTO facility (id, campus_id, name, capacity, created_at, updated_at) VALUES (?1, ?2, 'Room 1', 3, ?3, ?3)", &[&room, &north.to_string(), &STAMP])?;
            run("INSERT INTO facility (id, campus_id, name, capacity, created_at, updated_at) VALUES (?1, ?2, 'Hall', 10, ?3, ?3)", &[&hall, &south.to_string(), &STAMP])?;

            let mut people = std::collections::HashMap::new();
            for (name, campus) in [("Ann", north), ("Ben", north), ("Vera", north), ("Wes", north), ("Tom", north), ("Zed", north), ("Carl", south), ("Dee", south)] {
                let person = id();
                run("INSERT INTO people (id, first_name, last_name, phone, email, created_at, updated_at) VALUES (?1, ?2, 'Test', '555-0100', ?3, ?4, ?4)", &[&person, &name, &format!("{name}@example.org"), &STAMP])?;
                run("INSERT INTO people_campus (id, people_id, campus_id, assigned_date, is_primary, created_at, updated_at) VALUES (?1, ?2, ?3, '2026-01-01', 1, ?4, ?4)", &[&id(), &person, &campus.to_string(), &STAMP])?;
                people.insert(name, person);
            }
            let session = |course: Uuid, room: &str, starts: &str, per_adult: Option<i64>| -> rusqlite::Result<String> {
                let session = id();
                run("INSERT INTO class_session (id, course_id, facility_id, title, starts_at, ends_at, children_per_adult, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%fZ', ?5, '+1 hour'), ?6, ?7, ?7)",
                    &[&session, &course.to_string(), &room, &format!("Session {starts}"), &starts, &per_adult, &STAMP])?;
                Ok(session)
            };
            // (who, status, serving, served without the certification, released by staff)
            let attend = |session: &str, rows: &[(&str, &str, bool, bool, bool)]| -> rusqlite::Result<()> {
                for (who, status, serving, uncertified, by_staff) in rows {
                    let method: Option<&str> = by_staff.then_some("staff");
                    run("INSERT INTO attendance_record (id, class_session_id, people_id, status, serving, serving_uncertified, release_method, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                        &[&id(), &session, &people[who], status, serving, uncertified, &method, &STAMP])?;
                }
                Ok(())
            };
            // A year earlier (52 weeks before 13 September): Ann and Ben came, so they are no visitors.
            let earlier = session(kids, &room, "2025-09-14T10:00:00.000000Z", Some(2))?;
            attend(&earlier, &[("Ann", "present", false, false, false), ("Ben", "present", false, false, false)])?;
            // Week 1: Kids on Sunday 13th (4 attend; Zed is absent), Alpha on Tuesday 8th (2).
            let kids_13 = session(kids, &room, "2026-09-13T10:00:00.000000Z", Some(2))?;
            attend(&kids_13, &[("Ann", "present", false, false, false), ("Ben", "late", false, false, true),
                ("Vera", "present", false, false, false), ("Tom", "present", true, true, false), ("Zed", "absent", false, false, false)])?;
            let alpha_8 = session(alpha, &hall, "2026-09-08T19:00:00.000000Z", None)?;
            attend(&alpha_8, &[("Carl", "present", false, false, false), ("Dee", "present", false, false, false)])?;
            // Week 2: Kids on the 20th (4, Wes for the first time).
            let kids_20 = session(kids, &room, "2026-09-20T10:00:00.000000Z", Some(2))?;
            attend(&kids_20, &[("Ann", "present", false, false, false), ("Ben", "present", false, false, false),
                ("Wes", "present", false, false, false), ("Tom", "present", true, false, false)])?;
            // Week 3: nothing. Late on Sunday the 27th in UTC-5 (04:30 UTC on Monday the 28th), Alpha met.
            let alpha_late = session(alpha, &hall, "2026-09-28T04:30:00.000000Z", None)?;
            attend(&alpha_late, &[("Dee", "present", false, false, false)])?;
            // Week 4: Alpha on the 29th (1), Kids on 4 October (1).
            let alpha_29 = session(alpha, &hall, "2026-09-29T19:00:00.000000Z", None)?;
            attend(&alpha_29, &[("Carl", "present", false, false, false)])?;
            let kids_4 = session(kids, &room, "2026-10-04T10:00:00.000000Z", Some(2))?;
            attend(&kids_4, &[("Ann", "present", false, false, false)])?;
            // After the range: Vera back on day 28 (11 October), Wes on day 29 (19 October).
            let kids_11 = session(kids, &room, "2026-10-11T10:00:00.000000Z", Some(2))?;
            attend(&kids_11, &[("Vera", "present", false, false, false)])?;
            let kids_19 = session(kids, &room, "2026-10-19T10:00:00.000000Z", Some(2))?;
            attend(&kids_19, &[("Wes", "present", false, false, false)])?;

            // Kids enrollments: two completed (10 and 20 days), Vera and Zed past lesson 0, Wes
            // not started, Carl dropped; Dee enrolled before the range.
            let enroll = |who: &str, day: &str, status: &str, completed: Option<&str>| -> rusqlite::Result<String> {
                let enrollment = id();
                run("INSERT INTO course_enrollment (id, people_id, course_id, enrollment_date, status, completion_date, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                    &[&enrollment, &people[who], &kids.to_string(), &day, &status, &completed, &STAMP])?;
                Ok(enrollment)
            };
            enroll("Ann", "2026-09-07", "completed", Some("2026-09-17"))?;
            enroll("Ben", "2026-09-08", "completed", Some("2026-09-28"))?;
            for who in ["Vera", "Zed"] {
                let enrollment = enroll(who, "2026-09-13", "in_progress", None)?;
                run("INSERT INTO content_completion (id, course_enrollment_id, content_id, completed_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4, ?4)",
                    &[&id(), &enrollment, &lessons[0].to_string(), &STAMP])?;
            }
            enroll("Wes", "2026-09-20", "enrolled", None)?;
            enroll("Carl", "2026-09-10", "dropped", None)?;
            enroll("Dee", "2026-08-01", "enrolled", None)?;

            // Child Safety, counted on 30 September 2026.
            let safety = id();
            run("INSERT INTO certification (id, name, created_at, updated_at) VALUES (?1, 'Child Safety', ?2, ?2)", &[&safety, &STAMP])?;
            run("INSERT INTO certification_course (id, certification_id, course_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)", &[&id(), &safety, &kids.to_string(), &STAMP])?;
            for (who, status, expires) in [("Ann", "completed", "2026-09-30"), ("Ben", "completed", "2026-09-29"), ("Tom", "completed", "2026-10-31"),
                ("Carl", "completed", "2027-08-31"), ("Dee", "completed", "2027-09-01"), ("Wes", "expired", "2026-06-01")] {
                run("INSERT INTO certification_progress (id, people_id, certification_id, started_date, status, expires_date, created_at, updated_at)
                     VALUES (?1, ?2, ?3, '2025-01-01', ?4, ?5, ?6, ?6)", &[&id(), &people[who], &safety, &status, &expires, &STAMP])?;
            }
            Ok(())
        })
        .unwrap();
    Church { store, _dir: dir, north, kids }
}

fn scope(campus: Option<Uuid>, course: Option<Uuid>, offset: i32) -> ReportScope {
    let filter =
        ReportFilter { campus_id: campus, course_id: course, from: "2026-09-07".into(), to: "2026-10-04".into() };
    ReportScope::new(&filter, None, offset).expect("a good filter")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 9, 30).unwrap()
}

fn reader() -> Actor {
    Actor::person(Uuid::now_v7(), "Office", [Permission::ReportsRead, Permission::PeopleRead])
}

#[test]
fn weekly_attendance_counts_every_week_with_the_year_before_per_course_room_and_campus() {
    let church = small_church();
    let report = attendance::attendance_over_time(&church.store, &reader(), &scope(None, None, 0), today()).unwrap();
    assert_eq!(report.weeks, ["2026-09-07", "2026-09-14", "2026-09-21", "2026-09-28"]);
    // In UTC the late Alpha meeting is on Monday the 28th: week 4.
    assert_eq!(report.total, [6, 4, 0, 3], "present and late count, absent does not; the empty week is 0");
    assert_eq!(report.year_before, [2, 0, 0, 0]);
    let line =
        |series: &[attendance::Series], name: &str| series.iter().find(|s| s.name == name).unwrap().counts.clone();
    assert_eq!(line(&report.by_course, "Kids"), [4, 4, 0, 1]);
    assert_eq!(line(&report.by_course, "Alpha"), [2, 0, 0, 2]);
    assert_eq!(line(&report.by_room, "Room 1"), [4, 4, 0, 1]);
    assert_eq!(line(&report.by_campus, "South"), [2, 0, 0, 2]);
    assert_eq!(report.by_course[0].name, "Kids", "the busiest first");

    // In UTC-5 that meeting was on Sunday the 27th, in week 3.
    let local = attendance::attendance_over_time(&church.store, &reader(), &scope(None, None, -300), today()).unwrap();
    assert_eq!(local.total, [6, 4, 1, 2]);

    let north =
        attendance::attendance_over_time(&church.store, &reader(), &scope(Some(church.north), None, 0), today())
            .unwrap();
    assert_eq!(north.total, [4, 4, 0, 1], "the campus filter keeps North's room");
    assert_eq!(north.by_campus.len(), 1);
}

#[test]
fn first_time_visitors_come_back_on_day_28_and_not_on_day_29() {
    let church = small_church();
    let report = visitors::first_time_visitors(&church.store, &reader(), &scope(None, None, 0), today()).unwrap();
    let weeks: Vec<(&str, i64, i64)> =
        report.weeks.iter().map(|w| (w.week.as_str(), w.first_timers, w.came_back)).collect();
    // Week 1: Vera (back on day 28), Carl (day 21), Dee (day 20). Week 2: Wes (back on day 29: too late).
    assert_eq!(weeks, [("2026-09-07", 3, 3), ("2026-09-14", 1, 0), ("2026-09-21", 0, 0), ("2026-09-28", 0, 0)]);
    let named = |name: &str| report.follow_up.iter().find(|v| v.name == format!("{name} Test")).cloned();
    assert!(named("Vera").unwrap().came_back, "day 28 is within four weeks");
    assert!(!named("Wes").unwrap().came_back, "day 29 is not");
    assert!(named("Ann").is_none() && named("Tom").is_none(), "Ann came a year ago; Tom only serves");
    assert_eq!(report.follow_up[0].name, "Wes Test", "who has not come back is listed first");
    assert_eq!(named("Wes").unwrap().email.as_deref(), Some("Wes@example.org"));

    let north =
        visitors::first_time_visitors(&church.store, &reader(), &scope(Some(church.north), None, 0), today()).unwrap();
    assert_eq!((north.first_timers, north.came_back), (2, 1), "North: Vera and Wes");

    // Reports without people.read: the counts, and no one's name or number.
    let counts_only = Actor::person(Uuid::now_v7(), "Counts", [Permission::ReportsRead]);
    let report = visitors::first_time_visitors(&church.store, &counts_only, &scope(None, None, 0), today()).unwrap();
    assert_eq!(report.first_timers, 4);
    assert!(report.follow_up.is_empty() && !report.follow_up_shown);
}

#[test]
fn the_course_funnel_counts_each_step_the_median_time_and_where_people_stall() {
    let church = small_church();
    let report = funnel::course_funnel(&church.store, &reader(), &scope(None, None, 0), today()).unwrap();
    assert_eq!(report.courses.len(), 1, "only Kids had enrollments in the range: {:?}", report.courses);
    let kids = &report.courses[0];
    assert_eq!(
        (kids.enrolled, kids.started, kids.completed, kids.dropped),
        (6, 4, 2, 1),
        "Dee enrolled before the range"
    );
    assert_eq!(kids.median_days_to_complete, Some(15.0), "10 and 20 days");
    assert_eq!(
        kids.stalled_at,
        Some(Count { label: "Lesson 1".into(), count: 2 }),
        "Vera and Zed stopped after lesson 0"
    );
    let south =
        Uuid::parse_str(&scalar::<String>(&church.store, "SELECT id FROM campus WHERE name = 'South'", [])).unwrap();
    let elsewhere = funnel::course_funnel(&church.store, &reader(), &scope(Some(south), None, 0), today()).unwrap();
    assert!(elsewhere.courses.is_empty(), "Kids is North's");
    assert_eq!(funnel::median(vec![3.0, 1.0, 2.0]), Some(2.0));
}

#[test]
fn certifications_expire_by_month_through_their_last_day_and_serving_without_one_is_listed() {
    let church = small_church();
    let report =
        certifications::certification_report(&church.store, &reader(), &scope(None, None, 0), today()).unwrap();
    let months: Vec<(&str, i64)> = report.expiring_by_month.iter().map(|m| (m.label.as_str(), m.count)).collect();
    assert_eq!(months.len(), 12);
    assert_eq!(months[0], ("2026-09", 1), "Ann's, valid through today, the month's last day");
    assert_eq!(months[1], ("2026-10", 1), "Tom's, on 31 October");
    assert_eq!(months[11], ("2027-08", 1), "Carl's, in the twelfth month; Dee's is after it");
    assert_eq!(months.iter().map(|(_, n)| n).sum::<i64>(), 3);
    assert_eq!(report.expired, 2, "Ben's expired yesterday, Wes's is marked expired");
    assert_eq!(report.served_without, 1);
    assert_eq!(report.served_without_list[0].name, "Tom Test");
    assert_eq!(report.served_without_list[0].day, "2026-09-13");

    let north = certifications::certification_report(
        &church.store,
        &reader(),
        &scope(Some(church.north), Some(church.kids), 0),
        today(),
    )
    .unwrap();
    assert_eq!(north.expiring_by_month.iter().map(|m| m.count).sum::<i64>(), 2, "Carl is South's");
    assert_eq!(north.expired, 2);
}

#[test]
fn rooms_show_children_and_adults_against_capacity_ratio_and_releases_without_a_code() {
    let church = small_church();
    let report = rooms::rooms_report(&church.store, &reader(), &scope(None, None, 0), today()).unwrap();
    assert_eq!(report.session_count, 6);
    let kids_13 = report.sessions.iter().find(|s| s.starts_at.starts_with("2026-09-13")).unwrap();
    assert_eq!((kids_13.children, kids_13.adults, kids_13.capacity), (3, 1, Some(3)));
    assert!(kids_13.over_capacity, "four in a room for three");
    assert_eq!(kids_13.ratio_met, Some(false), "one adult for three children, where two are allowed");
    assert_eq!(kids_13.released_without_code, 1);
    assert_eq!((report.over_capacity, report.ratio_missed, report.released_without_code), (2, 3, 1));
    assert!(report.sessions.iter().filter(|s| s.room.as_deref() == Some("Hall")).all(|s| s.ratio_met.is_none()));
}

#[test]
fn reports_are_refused_to_a_volunteer_and_bad_dates_are_named() {
    let church = small_church();
    let volunteer = person_with_role(&church.store, "Val", "checkin_volunteer");
    let scope = scope(None, None, 0);
    let refused = [
        attendance::attendance_over_time(&church.store, &volunteer, &scope, today()).err(),
        visitors::first_time_visitors(&church.store, &volunteer, &scope, today()).err(),
        funnel::course_funnel(&church.store, &volunteer, &scope, today()).err(),
        certifications::certification_report(&church.store, &volunteer, &scope, today()).err(),
        rooms::rooms_report(&church.store, &volunteer, &scope, today()).err(),
    ];
    assert!(refused.iter().all(|e| matches!(e, Some(StoreError::PermissionDenied { .. }))), "{refused:?}");
    let staff = person_with_role(&church.store, "Sam", "staff");
    assert!(staff.can(Permission::ReportsRead), "staff read reports");

    let bad = |from: &str, to: &str| {
        let filter = ReportFilter { from: from.into(), to: to.into(), ..Default::default() };
        match ReportScope::new(&filter, None, 0) {
            Err(StoreError::Invalid(error)) => error.field,
            other => panic!("{from}..{to} was not refused: {other:?}"),
        }
    };
    assert_eq!(bad("last week", "2026-10-04"), "from");
    assert_eq!(bad("2026-10-04", "2026-09-07"), "to");
    assert_eq!(bad("2020-01-01", "2026-01-01"), "from", "six years is too long");
    // A campus-scoped computer reports its own campus, whatever was asked.
    let other = Uuid::now_v7();
    let filter = ReportFilter {
        campus_id: Some(other),
        from: "2026-09-07".into(),
        to: "2026-10-04".into(),
        ..Default::default()
    };
    let north = church.north.to_string();
    assert_eq!(ReportScope::new(&filter, Some(&north), 0).unwrap().campus_id.as_deref(), Some(north.as_str()));
}

#[test]
fn first_visits_and_session_counts_follow_attendance_corrected_or_removed() {
    let church = small_church();
    let first = |name: &str| -> Option<String> {
        church
            .store
            .read(|conn| {
                use cct_store::db::Query;
                conn.optional(
                    "SELECT v.first_at FROM person_first_visit v JOIN people p ON p.id = v.people_id WHERE p.first_name = ?1",
                    [name],
                )
            })
            .unwrap()
    };
    assert_eq!(first("Vera").as_deref(), Some("2026-09-13T10:00:00.000000Z"));
    assert_eq!(first("Tom"), None, "serving is not visiting");
    church
        .store
        .write(&system(), |tx| {
            tx.conn().execute(
                "UPDATE attendance_record SET status = 'absent' WHERE people_id = (SELECT id FROM people WHERE first_name = 'Vera')
                 AND class_session_id = (SELECT id FROM class_session WHERE starts_at LIKE '2026-09-13%')",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    assert_eq!(
        first("Vera").as_deref(),
        Some("2026-10-11T10:00:00.000000Z"),
        "marked absent: her next visit is her first"
    );
    // The session's counts follow the correction too.
    let report = attendance::attendance_over_time(&church.store, &reader(), &scope(None, None, 0), today()).unwrap();
    assert_eq!(report.total, [5, 4, 0, 3], "Vera no longer counts on the 13th");
    let rooms = rooms::rooms_report(&church.store, &reader(), &scope(None, None, 0), today()).unwrap();
    let kids_13 = rooms.sessions.iter().find(|s| s.starts_at.starts_with("2026-09-13")).unwrap();
    assert_eq!((kids_13.children, kids_13.adults, kids_13.released_without_code), (2, 1, 1));
    church
        .store
        .write(&system(), |tx| {
            tx.conn().execute(
                "DELETE FROM attendance_record WHERE people_id = (SELECT id FROM people WHERE first_name = 'Vera')",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    assert_eq!(first("Vera"), None);
    church
        .store
        .write(&system(), |tx| {
            tx.conn().execute(
                "DELETE FROM attendance_record WHERE people_id = (SELECT id FROM people WHERE first_name = 'Ben')",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    let rooms = rooms::rooms_report(&church.store, &reader(), &scope(None, None, 0), today()).unwrap();
    let kids_13 = rooms.sessions.iter().find(|s| s.starts_at.starts_with("2026-09-13")).unwrap();
    assert_eq!(
        (kids_13.children, kids_13.released_without_code),
        (1, 0),
        "Ben's rows removed, and his release by staff"
    );
}

#[test]
fn a_report_exports_its_numbers_as_csv_with_formulas_defused() {
    let church = small_church();
    let report = attendance::attendance_over_time(&church.store, &reader(), &scope(None, None, 0), today()).unwrap();
    let text = cct_store::reports::csv::attendance(&report);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "week,total,a year before,Kids,Alpha");
    assert_eq!(lines[1], "2026-09-07,6,2,4,2");
    assert_eq!(lines.len(), 5, "a row per week");

    let hostile = funnel::FunnelReport {
        courses: vec![funnel::CourseFunnel {
            course_id: "x".into(),
            course: "=HYPERLINK(\"http://evil.example\",\"Kids\")".into(),
            enrolled: 1,
            started: 0,
            completed: 0,
            dropped: 0,
            median_days_to_complete: None,
            stalled_at: None,
        }],
    };
    let text = cct_store::reports::csv::funnel(&hostile);
    let row = text.lines().nth(1).unwrap();
    assert!(row.starts_with("\"'=HYPERLINK("), "a spreadsheet reads it as text: {row}");
}
