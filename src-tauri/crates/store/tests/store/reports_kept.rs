//! What the reports keep beside the data (migrations 11 and 12: each person's first visit and
//! the visits after it, each session's counts, each open enrollment's next step) stays what a
//! fresh count of the rows gives, whatever is written, corrected or removed; and "came back"
//! counts the computer's own days.

use crate::common::*;
use cct_domain::{Actor, Permission};
use cct_store::db::Query;
use cct_store::reports::{visitors, ReportFilter, ReportScope};
use cct_store::Store;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

const STAMP: &str = "2026-08-01T00:00:00.000000Z";
const PEOPLE: usize = 12;
const SESSIONS: usize = 24;
const LESSONS: usize = 4;

fn id() -> String {
    Uuid::now_v7().to_string()
}

/// A session's start as stored: `minutes` after 1 September 2026, 00:00 UTC.
fn start(minutes: i64) -> String {
    let base = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    (base + Duration::minutes(minutes)).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn parse(stored: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(&stored[..19], "%Y-%m-%dT%H:%M:%S").unwrap()
}

struct Church {
    store: Store,
    _dir: tempfile::TempDir,
    people: Vec<String>,
    sessions: Vec<String>,
    lessons: Vec<String>,
    modules: Vec<String>,
    enrollments: Vec<String>,
}

/// One course with two modules of two lessons each, its sessions, a dozen people enrolled.
fn church() -> Church {
    let (store, dir) = fresh_store();
    let course = id();
    let mut church = Church {
        store,
        _dir: dir,
        people: vec![],
        sessions: vec![],
        lessons: vec![],
        modules: vec![],
        enrollments: vec![],
    };
    let Church { store, people, sessions, lessons, modules, enrollments, .. } = &mut church;
    store
        .write(&system(), |tx| {
            let conn = tx.conn();
            let kind: String = conn.scalar("SELECT id FROM content_type WHERE name = 'video'", [])?;
            conn.execute(
                "INSERT INTO course (id, name, created_at, updated_at) VALUES (?1, 'Kept', ?2, ?2)",
                rusqlite::params![course, STAMP],
            )?;
            for m in 0..2 {
                let module = id();
                conn.execute(
                    "INSERT INTO course_module (id, course_id, title, order_sequence, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                    rusqlite::params![module, course, format!("Module {m}"), m, STAMP],
                )?;
                modules.push(module);
            }
            for l in 0..LESSONS {
                let lesson = id();
                conn.execute(
                    "INSERT INTO content (id, course_id, module_id, title, content_type_id, order_sequence, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                    rusqlite::params![lesson, course, modules[l / 2], format!("Lesson {l}"), kind, l % 2, STAMP],
                )?;
                lessons.push(lesson);
            }
            for s in 0..SESSIONS {
                let session = id();
                // Every 2½ days, at changing hours, so some fall near midnight. Each ends long
                // after, so that moving it stays valid.
                let at = start(s as i64 * 3600 + 300 * (s as i64 % 5));
                conn.execute(
                    "INSERT INTO class_session (id, course_id, title, starts_at, ends_at, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, '2099-01-01T00:00:00.000000Z', ?5, ?5)",
                    rusqlite::params![session, course, format!("Session {s}"), at, STAMP],
                )?;
                sessions.push(session);
            }
            for p in 0..PEOPLE {
                let person = id();
                conn.execute(
                    "INSERT INTO people (id, first_name, last_name, created_at, updated_at) VALUES (?1, ?2, 'Kept', ?3, ?3)",
                    rusqlite::params![person, format!("P{p}"), STAMP],
                )?;
                let enrollment = id();
                conn.execute(
                    "INSERT INTO course_enrollment (id, people_id, course_id, enrollment_date, status, created_at, updated_at)
                     VALUES (?1, ?2, ?3, '2026-09-01', 'enrolled', ?4, ?4)",
                    rusqlite::params![enrollment, person, course, STAMP],
                )?;
                people.push(person);
                enrollments.push(enrollment);
            }
            Ok(())
        })
        .unwrap();
    church
}

/// One random write of the kinds the app makes: attendance taken, corrected, moved or removed;
/// sessions moved or cancelled; lessons done or undone; lessons reordered or made optional;
/// modules reordered; enrollments finished, dropped, cancelled or reopened.
fn random_change(church: &Church, rng: &mut fastrand::Rng) {
    let person = &church.people[rng.usize(..PEOPLE)];
    let session = &church.sessions[rng.usize(..SESSIONS)];
    let enrollment = &church.enrollments[rng.usize(..PEOPLE)];
    let lesson = &church.lessons[rng.usize(..LESSONS)];
    let status = ["present", "late", "absent", "excused"][rng.usize(..4)];
    let flag = rng.bool();
    church
        .store
        .write(&system(), |tx| {
            let conn = tx.conn();
            let attendance: Option<String> = conn.optional(
                "SELECT id FROM attendance_record WHERE people_id = ?1 ORDER BY class_session_id LIMIT 1 OFFSET ?2",
                rusqlite::params![person, rng.usize(..4) as i64],
            )?;
            let run = |sql: &str, params: &[&dyn rusqlite::ToSql]| conn.execute(sql, params).map(|_| ());
            match (rng.usize(..13), attendance) {
                (0..=3, _) => run(
                    "INSERT OR IGNORE INTO attendance_record (id, class_session_id, people_id, status, serving, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                    &[&id(), session, person, &status, &(rng.usize(..4) == 0), &STAMP],
                )?,
                (4, Some(row)) => run("UPDATE attendance_record SET status = ?1 WHERE id = ?2", &[&status, &row])?,
                (5, Some(row)) => run("UPDATE attendance_record SET is_active = ?1 WHERE id = ?2", &[&flag, &row])?,
                (6, Some(row)) => run("UPDATE attendance_record SET serving = ?1 WHERE id = ?2", &[&flag, &row])?,
                (7, Some(row)) => {
                    let other = &church.people[rng.usize(..PEOPLE)];
                    run("UPDATE OR IGNORE attendance_record SET people_id = ?1 WHERE id = ?2", &[other, &row])?;
                    run("UPDATE OR IGNORE attendance_record SET class_session_id = ?1 WHERE id = ?2", &[session, &row])?
                }
                (8, Some(row)) => run("DELETE FROM attendance_record WHERE id = ?1", &[&row])?,
                (9, _) if flag => {
                    // Moved to a start no other session has, so the first visit is never a tie.
                    let at = start(rng.i64(0..60 * 24 * 70));
                    run("UPDATE class_session SET starts_at = ?1 WHERE id = ?2 AND NOT EXISTS (SELECT 1 FROM class_session WHERE starts_at = ?1)", &[&at, session])?
                }
                (9, _) => match rng.usize(..3) {
                    0 => run("UPDATE class_session SET is_active = 1 - is_active WHERE id = ?1", &[session])?,
                    1 => run("UPDATE class_session SET capacity = ?1 WHERE id = ?2", &[&rng.i64(1..30), session])?,
                    _ => run("UPDATE class_session SET children_per_adult = ?1 WHERE id = ?2", &[&rng.i64(1..10), session])?,
                },
                (10, _) => {
                    if flag {
                        run(
                            "INSERT OR IGNORE INTO content_completion (id, course_enrollment_id, content_id, completed_at, created_at, updated_at)
                             VALUES (?1, ?2, ?3, ?4, ?4, ?4)",
                            &[&id(), enrollment, lesson, &STAMP],
                        )?
                    } else {
                        run("UPDATE content_completion SET is_active = 1 - is_active WHERE course_enrollment_id = ?1 AND content_id = ?2", &[enrollment, lesson])?;
                        run("DELETE FROM content_completion WHERE course_enrollment_id = ?1 AND content_id = ?2 AND ?3", &[enrollment, lesson, &rng.bool()])?
                    }
                }
                (11, _) => match rng.usize(..3) {
                    0 => run("UPDATE content SET is_required = 1 - is_required WHERE id = ?1", &[lesson])?,
                    1 => run("UPDATE content SET order_sequence = ?1 WHERE id = ?2", &[&rng.i64(0..5), lesson])?,
                    _ => run("UPDATE course_module SET order_sequence = ?1 WHERE id = ?2", &[&rng.i64(0..3), &church.modules[rng.usize(..2)]])?,
                },
                (12, _) => match rng.usize(..3) {
                    0 => run("UPDATE course_enrollment SET status = ?1 WHERE id = ?2", &[&["enrolled", "in_progress", "completed", "dropped"][rng.usize(..4)], enrollment])?,
                    1 => run("UPDATE course_enrollment SET registration_status = ?1 WHERE id = ?2", &[&["registered", "cancelled", "waitlisted"][rng.usize(..3)], enrollment])?,
                    _ => run("UPDATE course_enrollment SET is_active = ?1 WHERE id = ?2", &[&flag, enrollment])?,
                },
                _ => {}
            }
            Ok(())
        })
        .unwrap();
}

/// Each person's first visit (session start and id) and the starts of their visits in the 29
/// days after it, counted afresh from the rows.
pub(crate) type FirstVisits = BTreeMap<String, (String, String, BTreeSet<String>)>;

pub(crate) fn first_visits_counted(store: &Store) -> FirstVisits {
    let rows: Vec<(String, String, String, bool)> = store
        .read(|conn| {
            conn.tuples(
                "SELECT a.people_id, s.id, s.starts_at, a.serving FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
                 WHERE a.is_active = 1 AND a.status IN ('present', 'late') AND s.is_active = 1",
                [],
            )
        })
        .unwrap();
    let mut first: HashMap<String, (String, String)> = HashMap::new();
    for (person, session, at, serving) in &rows {
        if !serving && first.get(person).is_none_or(|(earliest, _)| at < earliest) {
            first.insert(person.clone(), (at.clone(), session.clone()));
        }
    }
    first
        .into_iter()
        .map(|(person, (first_at, session))| {
            let limit = parse(&first_at) + Duration::days(29);
            let early = rows
                .iter()
                .filter(|(who, _, at, _)| *who == person && *at > first_at && parse(at) < limit)
                .map(|(_, _, at, _)| at.clone())
                .collect();
            (person, (first_at, session, early))
        })
        .collect()
}

pub(crate) fn first_visits_kept(store: &Store) -> FirstVisits {
    let rows: Vec<(String, String, String, Option<String>)> = store
        .read(|conn| {
            conn.tuples("SELECT people_id, first_at, first_session_id, early_visits FROM person_first_visit", [])
        })
        .unwrap();
    rows.into_iter()
        .map(|(person, at, session, early)| {
            let early = early.unwrap_or_default().split(' ').filter(|v| !v.is_empty()).map(str::to_owned).collect();
            (person, (at, session, early))
        })
        .collect()
}

/// Each open enrollment's first required lesson not done, in the course's order, counted afresh.
pub(crate) fn next_steps_counted(store: &Store) -> BTreeMap<String, Option<String>> {
    store
        .read(|conn| {
            let mut lessons: Vec<(String, String, i64, i64)> = conn.tuples(
                "SELECT ct.course_id, ct.id, COALESCE(m.order_sequence, -1), ct.order_sequence
                 FROM content ct LEFT JOIN course_module m ON m.id = ct.module_id
                 WHERE ct.is_active = 1 AND ct.is_required = 1",
                [],
            )?;
            lessons.sort_by(|a, b| (a.2, a.3, &a.1).cmp(&(b.2, b.3, &b.1)));
            let open: Vec<(String, String)> = conn.tuples(
                "SELECT id, course_id FROM course_enrollment
                 WHERE is_active = 1 AND registration_status <> 'cancelled' AND status IN ('enrolled', 'in_progress')",
                [],
            )?;
            let done: Vec<(String, String)> =
                conn.tuples("SELECT course_enrollment_id, content_id FROM content_completion WHERE is_active = 1", [])?;
            Ok(open
                .into_iter()
                .map(|(enrollment, course)| {
                    let next = lessons
                        .iter()
                        .filter(|(of, ..)| *of == course)
                        .find(|(_, lesson, ..)| !done.iter().any(|(e, c)| *e == enrollment && c == lesson))
                        .map(|(_, lesson, ..)| lesson.clone());
                    (enrollment, next)
                })
                .collect())
        })
        .unwrap()
}

pub(crate) fn next_steps_kept(store: &Store) -> BTreeMap<String, Option<String>> {
    let rows: Vec<(String, Option<String>)> = store
        .read(|conn| conn.tuples("SELECT course_enrollment_id, content_id FROM enrollment_next_step", []))
        .unwrap();
    rows.into_iter().collect()
}

/// Each session's counts (attended, children, serving, released by staff, served uncertified)
/// and what the reports read of the session with them (start, course, room, on, capacity, ratio).
pub(crate) type SessionCounts =
    BTreeMap<String, (Vec<i64>, (String, String, Option<String>, bool, Option<i64>, Option<i64>))>;

pub(crate) fn session_counts(store: &Store, sql: &str) -> SessionCounts {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        String,
        i64,
        i64,
        i64,
        i64,
        i64,
        String,
        String,
        Option<String>,
        bool,
        Option<i64>,
        Option<i64>,
    )> = store.read(|conn| conn.tuples(sql, [])).unwrap();
    rows.into_iter()
        .filter(|row| row.1 > 0)
        .map(|(id, a, b, c, d, e, at, course, room, on, capacity, ratio)| {
            (id, (vec![a, b, c, d, e], (at, course, room, on, capacity, ratio)))
        })
        .collect()
}

pub(crate) const SESSION_COUNTS_KEPT: &str =
    "SELECT class_session_id, attended, children, serving, released_by_staff, served_uncertified,
        starts_at, course_id, facility_id, session_active, capacity, children_per_adult
 FROM session_attendance";

pub(crate) const SESSION_COUNTS_COUNTED: &str =
    "SELECT a.class_session_id, count(*), sum(a.serving = 0), sum(a.serving = 1),
        count(CASE WHEN a.release_method = 'staff' THEN 1 END), sum(a.serving = 1 AND a.serving_uncertified = 1),
        s.starts_at, s.course_id, s.facility_id, s.is_active, s.capacity, s.children_per_adult
 FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
 WHERE a.is_active = 1 AND a.status IN ('present', 'late') GROUP BY a.class_session_id";

#[test]
fn what_the_reports_keep_stays_what_a_fresh_count_gives_through_random_changes() {
    for seed in [7, 12, 314, 2026, 90_210] {
        let church = church();
        let mut rng = fastrand::Rng::with_seed(seed);
        for step in 0..400 {
            random_change(&church, &mut rng);
            if step % 50 == 49 {
                let store = &church.store;
                assert_eq!(
                    first_visits_kept(store),
                    first_visits_counted(store),
                    "first visits, seed {seed}, step {step}"
                );
                assert_eq!(next_steps_kept(store), next_steps_counted(store), "next steps, seed {seed}, step {step}");
                assert_eq!(
                    session_counts(store, SESSION_COUNTS_KEPT),
                    session_counts(store, SESSION_COUNTS_COUNTED),
                    "session counts, seed {seed}, step {step}"
                );
            }
        }
        let kept: i64 = church.store.read(|conn| conn.scalar("SELECT count(*) FROM person_first_visit", [])).unwrap();
        assert!(kept > 0, "the random writes made first visits to compare (seed {seed})");
        let stale: i64 = church
            .store
            .read(|conn| {
                conn.scalar(
                    "SELECT (SELECT count(*) FROM person_first_visit_stale) + (SELECT count(*) FROM enrollment_next_step_stale)",
                    [],
                )
            })
            .unwrap();
        assert_eq!(stale, 0, "nothing is left waiting to be worked out");
    }
}

#[test]
fn came_back_counts_the_days_of_the_computer_the_report_is_asked_on() {
    let church = church();
    let (person, store) = (&church.people[0], &church.store);
    let visit = |session: usize, at: &str| {
        store
            .write(&system(), |tx| {
                let conn = tx.conn();
                conn.execute("UPDATE class_session SET starts_at = ?1 WHERE id = ?2", [at, &church.sessions[session]])?;
                conn.execute(
                    "INSERT INTO attendance_record (id, class_session_id, people_id, status, created_at, updated_at) VALUES (?1, ?2, ?3, 'present', ?4, ?4)",
                    rusqlite::params![id(), church.sessions[session], person, STAMP],
                )?;
                Ok(())
            })
            .unwrap();
    };
    // First on Sunday 13 September at 10:00 UTC; back at 03:00 UTC on 12 October: 29 days later
    // in UTC (too late), but 22:00 on Sunday 11 October in UTC-5, day 28 there (in time).
    visit(0, "2026-09-13T10:00:00.000000Z");
    visit(1, "2026-10-12T03:00:00.000000Z");
    let reader = Actor::person(Uuid::now_v7(), "Office", [Permission::ReportsRead, Permission::PeopleRead]);
    let filter = ReportFilter { from: "2026-09-07".into(), to: "2026-10-04".into(), ..Default::default() };
    let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let came_back = |offset_minutes: i32| {
        let scope = ReportScope::new(&filter, None, offset_minutes).unwrap();
        let report = visitors::first_time_visitors(store, &reader, &scope, today).unwrap();
        assert_eq!(report.first_timers, 1);
        report.came_back
    };
    assert_eq!(came_back(0), 0, "in UTC the return is on day 29");
    assert_eq!(came_back(-300), 1, "in UTC-5 it is on day 28");
    // A second visit at 03:30 UTC the next morning: in UTC+2 that is 05:30 on the 14th, the day
    // after a first visit at 12:00 on the 13th; in UTC-5 it is 22:30 on the 13th, the same day
    // as a first visit at 05:00.
    store
        .write(&system(), |tx| {
            tx.conn().execute("DELETE FROM attendance_record WHERE class_session_id = ?1", [&church.sessions[1]])?;
            Ok(())
        })
        .unwrap();
    visit(2, "2026-09-14T03:30:00.000000Z");
    assert_eq!(came_back(120), 1, "in UTC+2 the next day: back");
    assert_eq!(came_back(-300), 0, "in UTC-5 the same day: not yet back");
}

#[test]
fn the_follow_up_list_holds_the_first_500_to_call_of_many_more() {
    let church = church();
    let (store, sessions) = (&church.store, &church.sessions);
    // 1,040 first-time visitors: each comes to one session; all but every third come back to the
    // next one, so the list holds the 347 not back, then the latest 153 of those back.
    let mut expected: Vec<(bool, String, String)> = Vec::new();
    store
        .write(&system(), |tx| {
            let conn = tx.conn();
            for i in 0..1040 {
                let person = id();
                conn.execute(
                    "INSERT INTO people (id, first_name, last_name, created_at, updated_at) VALUES (?1, ?2, 'Visitor', ?3, ?3)",
                    rusqlite::params![person, format!("V{i}"), STAMP],
                )?;
                let first = i % (SESSIONS - 1);
                let came_back = i % 3 != 0;
                for session in std::iter::once(first).chain(came_back.then_some(first + 1)) {
                    conn.execute(
                        "INSERT INTO attendance_record (id, class_session_id, people_id, status, created_at, updated_at) VALUES (?1, ?2, ?3, 'present', ?4, ?4)",
                        rusqlite::params![id(), sessions[session], person, STAMP],
                    )?;
                }
                let first_at: String = conn.scalar("SELECT starts_at FROM class_session WHERE id = ?1", [&sessions[first]])?;
                expected.push((came_back, first_at, person));
            }
            Ok(())
        })
        .unwrap();
    // Those not back yet first, the latest first visit first, then by id.
    expected.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)).then_with(|| a.2.cmp(&b.2)));
    let reader = Actor::person(Uuid::now_v7(), "Office", [Permission::ReportsRead, Permission::PeopleRead]);
    let filter = ReportFilter { from: "2026-08-31".into(), to: "2026-11-30".into(), ..Default::default() };
    let scope = ReportScope::new(&filter, None, 0).unwrap();
    let report =
        visitors::first_time_visitors(store, &reader, &scope, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
    assert_eq!(report.first_timers, 1040, "every first visit is counted");
    assert_eq!(report.came_back, 693, "all but every third came back");
    let listed: Vec<&str> = report.follow_up.iter().map(|v| v.people_id.as_str()).collect();
    let first_500: Vec<&str> = expected.iter().take(500).map(|(_, _, person)| person.as_str()).collect();
    let differs = listed.iter().zip(&first_500).position(|(a, b)| a != b);
    assert_eq!((listed.len(), differs), (500, None), "the 500 to call first, in order");
    let not_back = report.follow_up.iter().take_while(|v| !v.came_back).count();
    assert_eq!(not_back, 347, "those not back come first");
    assert!(report.follow_up[347..].iter().all(|v| v.came_back), "then those back");
    let volunteer = Actor::person(Uuid::now_v7(), "Counter", [Permission::ReportsRead]);
    let counted =
        visitors::first_time_visitors(store, &volunteer, &scope, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
            .unwrap();
    assert!(counted.follow_up.is_empty() && !counted.follow_up_shown, "no names without people.read");
    assert_eq!((counted.first_timers, counted.came_back), (1040, 693), "the counts are the same");
}
