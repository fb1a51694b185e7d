//! The reports on a large church, measured through the command layer (Tauri's IPC with the
//! app's real configuration, as the window calls it), on a real encrypted database file:
//! 100,000 people, 200 courses meeting weekly for three years (31,200 sessions), 1,000,000
//! attendance rows, 150,000 enrollments with their lessons done, and 20,000 certifications.
//!
//! Each report is asked for 20 times over three ranges (the screen's default of 12 weeks, a
//! year, and three years); the table gives the median and the 95th percentile.
//!
//! Run: `cargo bench --bench reports` (a few minutes, most of it building the church). With
//! `CCT_BENCH_REPORTS_CHURCH=/some/file.sqlite` a plain copy of the church is kept there, to
//! read the query plans from.
//! Target (issue 23): each report in 100 ms or less at p95.

use cct_store::db::Query;
use serde_json::{json, Value};
use std::time::Instant;
use support::{export_plain, invoke, percentile, window_on};

mod support;

const PEOPLE: usize = 100_000;
const COURSES: usize = 200;
const WEEKS: usize = 156;
const ATTENDANCE: usize = 1_000_000;
const ENROLLMENTS_PER_COURSE: usize = 750;
const LESSONS: usize = 8;
const CERTIFICATIONS: usize = 20_000;
const RUNS: usize = 20;

/// A small deterministic generator, so every run builds the same church.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below.max(1)
    }
}

/// Courses, rooms, three years of weekly sessions and their attendance, enrollments with their
/// lessons, and certifications, written as rows in one transaction.
fn build_history(store: &cct_store::Store) {
    let today = chrono::Utc::now().date_naive();
    let first_week = today - chrono::Duration::weeks(WEEKS as i64 - 1);
    let stamp = "2024-01-01T00:00:00.000000Z";
    store
        .write(&cct_domain::Actor::system(), |tx| {
            let conn = tx.conn();
            let people: Vec<String> = conn.column("SELECT id FROM people ORDER BY id", [])?;
            let campuses: Vec<String> = conn.column("SELECT id FROM campus ORDER BY name", [])?;
            let lesson_type: String = conn.scalar("SELECT id FROM content_type WHERE name = 'video'", [])?;
            let mut random = Lcg(23);
            let mut rooms = Vec::new();
            for i in 0..40 {
                let id = uuid::Uuid::now_v7().to_string();
                conn.execute(
                    "INSERT INTO facility (id, campus_id, name, capacity, created_at, updated_at) VALUES (?1, ?2, ?3, 40, ?4, ?4)",
                    rusqlite::params![id, campuses[i % campuses.len()], format!("Bench room {i}"), stamp],
                )?;
                rooms.push((id, campuses[i % campuses.len()].clone()));
            }
            let mut session_insert = conn.prepare(
                "INSERT INTO class_session (id, course_id, facility_id, title, starts_at, ends_at, children_per_adult, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 8, ?7, ?7)",
            )?;
            let mut attendance_insert = conn.prepare(
                "INSERT INTO attendance_record (id, class_session_id, people_id, status, serving, serving_uncertified, release_method, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            )?;
            let mut enrollment_insert = conn.prepare(
                "INSERT INTO course_enrollment (id, people_id, course_id, enrollment_date, status, completion_date, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            )?;
            let mut completion_insert = conn.prepare(
                "INSERT INTO content_completion (id, course_enrollment_id, content_id, completed_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4, ?4)",
            )?;
            let per_session = ATTENDANCE / (COURSES * WEEKS);
            let mut written = 0;
            for course in 0..COURSES {
                let course_id = uuid::Uuid::now_v7().to_string();
                let (room, campus) = &rooms[course % rooms.len()];
                conn.execute(
                    "INSERT INTO course (id, name, campus_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                    rusqlite::params![course_id, format!("Bench course {course:03}"), campus, stamp],
                )?;
                let mut lessons = Vec::new();
                for lesson in 0..LESSONS {
                    let id = uuid::Uuid::now_v7().to_string();
                    conn.execute(
                        "INSERT INTO content (id, course_id, title, content_type_id, order_sequence, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                        rusqlite::params![id, course_id, format!("Lesson {lesson}"), lesson_type, lesson as i64, stamp],
                    )?;
                    lessons.push(id);
                }
                // Each course draws on its own pool of 600 people, so people come back.
                let pool = (course * 499) % (people.len() - 600);
                for week in 0..WEEKS {
                    let day = first_week + chrono::Duration::weeks(week as i64) + chrono::Duration::days((course % 7) as i64);
                    let starts = format!("{day}T15:00:00.000000Z");
                    let ends = format!("{day}T16:30:00.000000Z");
                    let session = uuid::Uuid::now_v7().to_string();
                    session_insert.execute(rusqlite::params![session, course_id, room, format!("Bench course {course:03} week {week}"), starts, ends, stamp])?;
                    let extra = usize::from(written < ATTENDANCE - per_session * COURSES * WEEKS);
                    let start = random.next(600 - per_session - 1);
                    for seat in 0..per_session + extra {
                        let status = match random.next(20) {
                            0 => "absent",
                            1 => "late",
                            _ => "present",
                        };
                        let serving = seat == 0;
                        let uncertified = serving && random.next(10) == 0;
                        let released_by_staff: Option<&str> = (!serving && random.next(200) == 0).then_some("staff");
                        attendance_insert.execute(rusqlite::params![
                            uuid::Uuid::now_v7().to_string(),
                            session,
                            people[pool + start + seat],
                            status,
                            serving,
                            uncertified,
                            released_by_staff,
                            stamp
                        ])?;
                        written += 1;
                    }
                }
                for enrollment in 0..ENROLLMENTS_PER_COURSE {
                    let id = uuid::Uuid::now_v7().to_string();
                    let person = &people[(pool + enrollment * 7) % people.len()];
                    let enrolled = first_week + chrono::Duration::days(random.next(WEEKS * 7) as i64);
                    let (status, completed, done) = match random.next(10) {
                        0..=3 => ("completed", Some((enrolled + chrono::Duration::days(10 + random.next(80) as i64)).to_string()), LESSONS),
                        4..=6 => ("in_progress", None, 1 + random.next(LESSONS - 1)),
                        7..=8 => ("enrolled", None, 0),
                        _ => ("dropped", None, 0),
                    };
                    enrollment_insert.execute(rusqlite::params![id, person, course_id, enrolled.to_string(), status, completed, stamp])?;
                    for lesson in lessons.iter().take(done) {
                        completion_insert.execute(rusqlite::params![uuid::Uuid::now_v7().to_string(), id, lesson, stamp])?;
                    }
                }
            }
            let certifications: Vec<String> = (0..5)
                .map(|i| {
                    let id = uuid::Uuid::now_v7().to_string();
                    conn.execute(
                        "INSERT INTO certification (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
                        rusqlite::params![id, format!("Bench certification {i}"), stamp],
                    )
                    .map(|_| id)
                })
                .collect::<rusqlite::Result<_>>()?;
            for i in 0..CERTIFICATIONS {
                let expires = today - chrono::Duration::days(365) + chrono::Duration::days(random.next(3 * 365) as i64);
                conn.execute(
                    "INSERT OR IGNORE INTO certification_progress (id, people_id, certification_id, started_date, status, expires_date, created_at, updated_at)
                     VALUES (?1, ?2, ?3, '2024-01-01', 'completed', ?4, ?5, ?5)",
                    rusqlite::params![uuid::Uuid::now_v7().to_string(), people[(i * 13) % people.len()], certifications[i % 5], expires.to_string(), stamp],
                )?;
            }
            Ok(())
        })
        .unwrap();
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("church.sqlite");
    let no_browser: cct_app::OpenBrowser = std::sync::Arc::new(|_| Err("no browser".into()));
    let core = cct_app::App::open(&database, no_browser).unwrap();
    let store = core.store().clone();
    let (_app, webview) = window_on(core);

    let started = Instant::now();
    invoke(&webview, "load_demo_church", json!({})).unwrap();
    cct_store::demo::add_people(&store, PEOPLE - 300).unwrap();
    build_history(&store);
    let rows =
        |table: &str| -> i64 { store.read(|conn| conn.scalar(&format!("SELECT count(*) FROM {table}"), [])).unwrap() };
    eprintln!(
        "built {} people, {} courses, {} sessions, {} attendance rows, {} enrollments in {:.0} s",
        rows("people"),
        rows("course"),
        rows("class_session"),
        rows("attendance_record"),
        rows("course_enrollment"),
        started.elapsed().as_secs_f64()
    );

    // A plain copy to read the query plans from (`sqlite3 file 'EXPLAIN QUERY PLAN …'`).
    if let Some(kept) = std::env::var_os("CCT_BENCH_REPORTS_CHURCH") {
        export_plain(&database, std::path::Path::new(&kept));
    }

    let today = chrono::Local::now().date_naive();
    let offset_minutes = chrono::Local::now().offset().local_minus_utc() / 60;
    let reader = cct_domain::Actor::person(
        uuid::Uuid::now_v7(),
        "Bench office",
        [cct_domain::Permission::ReportsRead, cct_domain::Permission::PeopleRead],
    );
    let ranges = [("12 weeks", 7 * 12 - 1), ("1 year", 364), ("3 years", 7 * WEEKS as i64 - 1)];
    let reports = ["report_attendance", "report_visitors", "report_funnel", "report_certifications", "report_rooms"];
    // The same report worked out by the store alone, without the command layer: the difference
    // is the IPC (the answer serialised to JSON and read back).
    let in_store = |report: &str, scope: &cct_store::reports::ReportScope| {
        use cct_store::reports::*;
        let worked_out = match report {
            "report_attendance" => attendance::attendance_over_time(&store, &reader, scope, today).map(|_| ()),
            "report_visitors" => visitors::first_time_visitors(&store, &reader, scope, today).map(|_| ()),
            "report_funnel" => funnel::course_funnel(&store, &reader, scope, today).map(|_| ()),
            "report_certifications" => certifications::certification_report(&store, &reader, scope, today).map(|_| ()),
            _ => rooms::rooms_report(&store, &reader, scope, today).map(|_| ()),
        };
        worked_out.unwrap();
    };
    println!();
    println!("| report (through the command layer) | range | p50 | p95 | target p95 | store alone p50 |");
    println!("|---|---|---|---|---|---|");
    for (range, days) in ranges {
        let (from, to) = ((today - chrono::Duration::days(days)).to_string(), today.to_string());
        let filter = json!({ "from": from, "to": to });
        let scope = cct_store::reports::ReportScope::new(
            &cct_store::reports::ReportFilter { from, to, ..Default::default() },
            None,
            offset_minutes,
        )
        .unwrap();
        for report in reports {
            let mut times = Vec::with_capacity(RUNS);
            let mut answer = Value::Null;
            for _ in 0..RUNS {
                let t = Instant::now();
                answer = invoke(&webview, report, json!({ "filter": filter })).unwrap();
                times.push(t.elapsed());
            }
            assert!(!answer.is_null());
            times.sort();
            let mut alone: Vec<_> = (0..RUNS)
                .map(|_| {
                    let t = Instant::now();
                    in_store(report, &scope);
                    t.elapsed()
                })
                .collect();
            alone.sort();
            println!(
                "| {report} | {range} | {:.1} ms | {:.1} ms | <= 100 ms | {:.1} ms |",
                percentile(&times, 0.5).as_secs_f64() * 1e3,
                percentile(&times, 0.95).as_secs_f64() * 1e3,
                percentile(&alone, 0.5).as_secs_f64() * 1e3
            );
        }
    }
}
