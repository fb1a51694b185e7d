//! Every migration is applied to a database that already holds data, and the data survives;
//! a database made by the last release on sqlx opens and upgrades with nothing lost.

use crate::common::*;
use cct_domain::records::{
    CertificationProgress, CertificationStatus, CourseEnrollment, CourseOffering, EnrollmentStatus, Person,
};
use cct_store::db::{migrate, Query};
use cct_store::office::{audit, outbox};
use cct_store::{records, ListQuery, Store};
use rusqlite::Connection;
use std::path::Path;

/// A database with only the first `steps` migrations applied, and rows in it as an older
/// version of the app would have written them.
fn database_after(path: &Path, steps: usize) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    migrate::apply(&conn, &migrate::all()[..steps]).unwrap();
    conn.execute_batch(
        "INSERT INTO people (id, first_name, last_name, email, status, is_active, created_at, updated_at)
         VALUES ('0193a0ff-0000-7000-8000-00000000abcd', 'Lydia', 'Thyatira', 'lydia@example.org', 'active', 1, '2025-05-01T10:00:00.000000Z', '2025-05-01T10:00:00.000000Z');
         INSERT INTO course (id, name, is_active, created_at, updated_at)
         VALUES ('0193a0ff-0000-7000-8000-00000000c0de', 'Old course', 1, '2025-05-01T10:00:00.000000Z', '2025-05-01T10:00:00.000000Z');
         INSERT INTO pco_outbox (id, table_name, record_id, action, payload, status, attempts, created_at, updated_at)
         VALUES ('0193a0ff-0000-7000-8000-0000000000b0', 'people', '0193a0ff-0000-7000-8000-00000000abcd', 'insert', '{\"first_name\":\"Lydia\"}', 'pending', 0, '2025-05-01T10:00:00.000000Z', '2025-05-01T10:00:00.000000Z');",
    )
    .unwrap();
}

#[test]
fn each_migration_applies_on_top_of_data_from_the_ones_before() {
    let count_of_migrations = migrate::all().len();
    assert!(count_of_migrations >= 2);
    for applied_first in 1..count_of_migrations {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        database_after(&path, applied_first);

        let store = Store::open(&path, &key()).unwrap_or_else(|e| panic!("migrating after {applied_first}: {e}"));
        let lydia: Person =
            records::get(&store, &system(), "0193a0ff-0000-7000-8000-00000000abcd".parse().unwrap()).unwrap();
        assert_eq!(lydia.email.as_deref(), Some("lydia@example.org"));
        let old_course: cct_domain::records::Course =
            records::get(&store, &system(), "0193a0ff-0000-7000-8000-00000000c0de".parse().unwrap()).unwrap();
        assert_eq!(
            (old_course.name.as_str(), old_course.sessions_required),
            ("Old course", None),
            "a course from before attendance counted requires no sessions"
        );
        let found = cct_store::office::search::search_people(&store, &system(), "lydia", 5).unwrap();
        assert_eq!(found.len(), 1, "the search index covers rows written before later migrations");
        assert!(count(&store, "role") >= 5);
        assert_eq!(outbox::pending_count(&store).unwrap(), 1, "queued changes survive every migration");
        // Rows from before team sync join the change log once, for the device's first push.
        cct_store::team::changes::record_baseline(&store).unwrap();
        cct_store::team::changes::record_baseline(&store).unwrap();
        let logged: i64 = scalar(
            &store,
            "SELECT COUNT(*) FROM team_change WHERE record_id = '0193a0ff-0000-7000-8000-00000000abcd'",
            [],
        );
        assert_eq!(logged, 1, "a row from before team sync is logged once, however often the baseline runs");
        store.close();
    }
}

#[test]
fn reopening_a_database_with_data_keeps_it_and_migrates_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("church.sqlite");
    let store = Store::open(&path, &key()).unwrap();
    cct_store::demo::load(&store, 50).unwrap();
    store.close();
    let reopened = Store::open(&path, &key()).unwrap();
    assert_eq!(count(&reopened, "people"), 50);
    assert_eq!(count(&reopened, "_sqlx_migrations") as usize, migrate::all().len());
}

/// The release fixture: made by release 0.1.0, the last build on sqlx (see
/// `examples/make_release_fixture.rs` at commit fe4665b): the demo church, a station's
/// morning of check-ins, a visitor, an office edit, and an enrollment a check-in left queued.
fn release_database(dir: &Path) -> std::path::PathBuf {
    let packed =
        std::fs::File::open(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/release-0.1.0.sqlite.gz"))
            .unwrap();
    let path = dir.join("office.sqlite");
    let mut unpacked = std::fs::File::create(&path).unwrap();
    std::io::copy(&mut flate2::read::GzDecoder::new(packed), &mut unpacked).unwrap();
    path
}

/// Every table's rows, as the database holds them, for comparing before and after.
fn row_counts(conn: &Connection) -> Vec<(String, i64)> {
    let tables: Vec<String> = conn.column("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' ORDER BY name", []).unwrap();
    tables
        .into_iter()
        .map(|table| {
            let n: i64 = conn.scalar(&format!("SELECT COUNT(*) FROM {table}"), []).unwrap();
            (table, n)
        })
        .collect()
}

#[test]
fn a_database_made_by_release_0_1_upgrades_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = release_database(dir.path());
    let (before, queued, before_codes): (Vec<(String, i64)>, String, i64) = {
        let conn = Connection::open(&path).unwrap();
        let queued: String = conn.scalar("SELECT course_enrollment_id FROM progress_pending", []).unwrap();
        // As the release's crash left it: a station checked the enrolled person in to one of the
        // course's sessions, and the app stopped before it worked out their progress.
        conn.execute(
            "INSERT INTO attendance_record (id, class_session_id, people_id, course_enrollment_id, status, check_in_at, is_active, created_at, updated_at)
             SELECT '0193a0ff-0000-7000-8000-0000000a77e0', s.id, e.people_id, e.id, 'present', '2026-11-29T10:00:00.000000Z', 1,
                    '2026-11-29T10:00:00.000000Z', '2026-11-29T10:00:00.000000Z'
             FROM course_enrollment e JOIN class_session s ON s.course_id = e.course_id
             WHERE e.id = ?1 AND NOT EXISTS (SELECT 1 FROM attendance_record a WHERE a.class_session_id = s.id AND a.people_id = e.people_id)
             LIMIT 1",
            [&queued],
        )
        .unwrap();
        // The release audited a station's whole configuration, its PIN's hash and salt among it.
        conn.execute(
            "INSERT INTO audit_log (id, table_name, record_id, action, new_values, changed_at)
             VALUES ('0193a0ff-0000-7000-8000-00000000a0d1', 'office_setting', 'kiosk', 'insert',
                     '{\"value\":{\"station\":\"A\",\"pin_hash\":\"9f86d081884c7d65\",\"pin_salt\":\"5a1t\"}}', '2026-11-29T09:00:00Z')",
            [],
        )
        .unwrap();
        let coded: i64 =
            conn.scalar("SELECT count(*) FROM attendance_record WHERE security_code IS NOT NULL", []).unwrap();
        (row_counts(&conn), queued, coded)
    };
    let rows_before = |table: &str| before.iter().find(|(t, _)| t == table).map(|(_, n)| *n).unwrap();
    assert_eq!(rows_before("people"), 301, "the demo church and a visitor");
    assert_eq!(rows_before("_sqlx_migrations"), 5, "migrated by sqlx, five steps");

    let store = Store::open(&path, &key()).unwrap();
    let system = system();
    // Every table the release had is there with every row; the retired queue is gone, and the
    // schema's new step is recorded beside sqlx's.
    let after = store.read(|conn| Ok(row_counts(conn))).unwrap();
    for (table, rows) in &before {
        match table.as_str() {
            "progress_pending" => assert!(after.iter().all(|(t, _)| t != table), "the queue is retired"),
            "_sqlx_migrations" => assert_eq!(count(&store, table) as usize, migrate::all().len()),
            // Working out the queued enrollment writes its audit row and team change.
            "audit_log" | "team_change" | "team_record_clock" => assert!(count(&store, table) >= *rows, "{table}"),
            // The church's settings moved to a table the team shares; this computer's stayed.
            "office_setting" => {
                assert_eq!(count(&store, table) + count(&store, "church_setting"), *rows, "{table}");
                assert!(count(&store, "church_setting") >= 1, "the demo's time zone is the church's");
            }
            _ => assert_eq!(count(&store, table), *rows, "{table} keeps every row"),
        }
    }
    // Each course runs as its first offering, which holds its enrollments, sessions and roles;
    // each certification held is its first record.
    let unplaced: i64 = scalar(
        &store,
        "SELECT (SELECT count(*) FROM course_enrollment WHERE offering_id IS NOT course_id)
              + (SELECT count(*) FROM class_session WHERE offering_id IS NOT course_id)
              + (SELECT count(*) FROM course_role WHERE offering_id IS NOT course_id)",
        [],
    );
    assert_eq!(unplaced, 0, "every enrollment, session and role is in its course's first offering");
    assert_eq!(count(&store, "course_offering"), count(&store, "course"));
    let held: i64 = scalar(&store, "SELECT count(*) FROM certification_progress WHERE completed_date IS NOT NULL", []);
    assert_eq!(count(&store, "certification_record"), held);
    assert_eq!(
        records::list::<Person>(&store, &system, &ListQuery::default().page(1, 0)).unwrap().total,
        301,
        "the demo church and the visitor, all active"
    );
    let zone: Option<String> =
        cct_store::office::settings::get(&store, cct_store::office::settings::OFFICE_TIME_ZONE).unwrap();
    assert_eq!(zone.as_deref(), Some("America/Chicago"), "a moved setting reads as before");
    // The release's audit trail names this computer, and waits to go to the church's hub.
    let unnamed: i64 = scalar(&store, "SELECT count(*) FROM audit_log WHERE device_id IS NULL OR pushed", []);
    assert_eq!(unnamed, 0, "every row of the release's audit trail is this computer's, not yet shared");
    let priscilla = cct_store::office::search::search_people(&store, &system, "priscilla", 5).unwrap();
    assert_eq!(priscilla.len(), 1, "the visitor added at the station is found by the search index");
    // The morning's codes moved from the attendance rows to guardian tags (a family holding one
    // can still be released with it that day), and out of the audit and change logs.
    let codes: Vec<String> = store.read(|conn| conn.column("SELECT code FROM guardian_tag ORDER BY code", [])).unwrap();
    assert_eq!(codes, ["A001", "A002", "A003", "B001", "B002", "B003"], "the morning's codes are kept as tags");
    let on_tags: i64 = scalar(&store, "SELECT count(*) FROM guardian_tag_child", []);
    let coded_before: i64 = before_codes;
    assert_eq!(on_tags, coded_before, "every coded child is on their tag");
    let left: i64 = scalar(&store, "SELECT count(*) FROM attendance_record WHERE security_code IS NOT NULL", []);
    assert_eq!(left, 0, "no attendance row holds a code");
    let logged: i64 = scalar(
        &store,
        "SELECT (SELECT count(*) FROM audit_log WHERE json_extract(new_values, '$.security_code') IS NOT NULL
                                                  OR json_extract(old_values, '$.security_code') IS NOT NULL)
              + (SELECT count(*) FROM team_change WHERE json_extract(fields, '$.security_code') IS NOT NULL)",
        [],
    );
    assert_eq!(logged, 0, "no log holds a code");
    // The reports' first visits are worked out from the release's attendance, and the office's
    // roles read reports.
    let visited: i64 = scalar(
        &store,
        "SELECT count(DISTINCT a.people_id) FROM attendance_record a JOIN class_session s ON s.id = a.class_session_id
         WHERE a.is_active = 1 AND a.status IN ('present', 'late') AND a.serving = 0 AND s.is_active = 1",
        [],
    );
    assert!(visited > 0, "the release's church has attendance");
    assert_eq!(count(&store, "person_first_visit"), visited, "a first visit for each person who attended");
    // What migration 12 keeps for the reports is what a fresh count of the release's rows gives.
    use crate::reports_kept::*;
    assert_eq!(
        session_counts(&store, SESSION_COUNTS_KEPT),
        session_counts(&store, SESSION_COUNTS_COUNTED),
        "each session's counts and what the reports read of it"
    );
    assert_eq!(first_visits_kept(&store), first_visits_counted(&store), "first visits and the visits after them");
    let next_steps = next_steps_kept(&store);
    assert!(!next_steps.is_empty(), "the release's church has open enrollments");
    assert_eq!(next_steps, next_steps_counted(&store), "each open enrollment's next step");
    let (attended, counted): (i64, i64) = (
        scalar(
            &store,
            "SELECT count(*) FROM attendance_record WHERE is_active = 1 AND status IN ('present', 'late')",
            [],
        ),
        scalar(&store, "SELECT sum(attended) FROM session_attendance", []),
    );
    assert_eq!(counted, attended, "each session's counts hold every attendance the release kept");
    let reading: i64 = scalar(
        &store,
        "SELECT count(*) FROM role, json_each(role.permissions) WHERE value = 'reports.read' AND name IN ('admin', 'staff')",
        [],
    );
    assert_eq!(reading, 2);
    let nicknamed =
        audit::query(&store, &system, &audit::AuditQuery { table_name: Some("people".into()), ..Default::default() })
            .unwrap();
    assert!(
        nicknamed.iter().any(|entry| entry
            .new_values
            .as_ref()
            .and_then(|v| v.get("nickname"))
            .and_then(|n| n.as_str())
            == Some("Jim")),
        "the office's edit is in the audit log"
    );

    // The enrollment the release left queued has been worked out by the upgraded store: the
    // session attended started it.
    let enrollment: CourseEnrollment = records::get(&store, &system, queued.parse().unwrap()).unwrap();
    assert_eq!(enrollment.status, EnrollmentStatus::InProgress, "queued enrollment {queued} was worked out on upgrade");

    // The upgraded database takes new work: a check-in gets a new tag with an unguessable code.
    let session: String = scalar(
        &store,
        "SELECT c.class_session_id FROM guardian_tag_child c JOIN guardian_tag t ON t.id = c.tag_id WHERE t.code = 'A001'",
        [],
    );
    let child: String = scalar(
        &store,
        "SELECT id FROM people WHERE date_of_birth > date('now', '-10 years') AND id NOT IN (SELECT people_id FROM attendance_record WHERE class_session_id = ?1) LIMIT 1",
        [session.clone()],
    );
    let result = check_in(&store, &system, session.parse().unwrap(), &[child.parse().unwrap()], "A").unwrap();
    let code = result.guardian_tag.unwrap().security_code;
    assert!(code.starts_with('A') && !codes.contains(&code), "{code}");
    let certified =
        records::list::<CertificationProgress>(&store, &system, &ListQuery::default().page(1000, 0)).unwrap().items;
    assert!(certified.iter().any(|c| c.status == CertificationStatus::Completed), "the demo's certifications are kept");
    let office_kept: i64 = scalar(&store, "SELECT COUNT(*) FROM certification WHERE source = 'office'", []);
    assert_eq!(office_kept, count(&store, "certification"), "every certification the release had is the office's");

    // A merge read from Planning Center applies to the release's people: two who both have
    // enrollments become one, and nothing active names the person removed.
    let pair: Vec<String> = store
        .read(|conn| {
            conn.column(
                "SELECT people_id FROM course_enrollment WHERE is_active = 1 GROUP BY people_id ORDER BY COUNT(*) DESC, people_id LIMIT 2",
                [],
            )
        })
        .unwrap();
    store
        .write(&system, |tx| {
            tx.conn().run("UPDATE people SET planning_center_id = 'release-keep' WHERE id = ?1", [&pair[0]])?;
            tx.conn().run("UPDATE people SET planning_center_id = 'release-remove' WHERE id = ?1", [&pair[1]])
        })
        .unwrap();
    let merge = cct_store::planning_center::mergers::RemoteMerger {
        planning_center_id: "release-merge".into(),
        person_to_keep_id: "release-keep".into(),
        person_to_remove_id: "release-remove".into(),
        merged_at: None,
    };
    let merged =
        store.write(&system, |tx| cct_store::planning_center::mergers::apply_person_merger(tx, &merge)).unwrap();
    assert!(
        matches!(merged, cct_store::planning_center::mergers::MergeOutcome::Merged { moved, .. } if moved > 0),
        "{merged:?}"
    );
    assert_eq!(crate::mergers::still_naming(&store, pair[1].parse().unwrap()), Vec::<String>::new());

    // Nobody has a password yet; the demo keeps signing in as its administrator, whom the
    // release acted as, and the station's audit row keeps who and when, not the PIN's hash.
    assert_eq!(count(&store, "sign_in_credential"), 0);
    let demo_admin: String = scalar(&store, "SELECT value FROM office_setting WHERE key = 'demo_admin_id'", []);
    assert!(demo_admin.contains("01a2334c-7663-76bb-9b5d-66619e85221c"), "{demo_admin}");
    let acted_as: i64 = scalar(&store, "SELECT COUNT(*) FROM office_setting WHERE key = 'current_person_id'", []);
    assert_eq!(acted_as, 0, "no computer acts as anyone any more");
    let station_row: String = scalar(&store, "SELECT new_values FROM audit_log WHERE record_id = 'kiosk'", []);
    assert!(station_row.contains("\"station\":\"A\"") && !station_row.contains("pin_"), "{station_row}");
    let data_export: i64 = scalar(
        &store,
        "SELECT COUNT(*) FROM role, json_each(role.permissions) WHERE role.name IN ('admin', 'staff') AND value = 'data.export'",
        [],
    );
    assert_eq!(data_export, 2, "administrators and staff may still export");
    store.close();

    // And it opens again, migrating nothing twice.
    let again = Store::open(&path, &key()).unwrap();
    assert_eq!(count(&again, "_sqlx_migrations") as usize, migrate::all().len());
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("church.sqlite");
    Store::open(&path, &key()).unwrap().close();
    let conn = open_encrypted(&path);
    conn.execute("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (29990101000001, 'from the future', 1, x'00', 0)", []).unwrap();
    drop(conn);
    let refused = Store::open(&path, &key()).err().expect("refused");
    assert_eq!(refused.code(), cct_domain::ErrorCode::MigrationFailed);
    assert!(refused.to_string().contains("newer version"), "{refused}");

    let conn = open_encrypted(&path);
    conn.execute("DELETE FROM _sqlx_migrations WHERE version = 29990101000001", []).unwrap();
    conn.execute(
        "UPDATE _sqlx_migrations SET success = 0 WHERE version = (SELECT max(version) FROM _sqlx_migrations)",
        [],
    )
    .unwrap();
    drop(conn);
    let interrupted = Store::open(&path, &key()).err().expect("refused");
    assert!(interrupted.to_string().contains("stopped part-way"), "{interrupted}");
}

/// The previous release: every step before the one that made offerings.
fn steps_before_offerings() -> usize {
    migrate::all().iter().position(|m| m.description == "offerings and renewals").unwrap()
}

#[test]
fn a_database_from_before_offerings_keeps_every_enrollment_session_role_and_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("office.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        migrate::apply(&conn, &migrate::all()[..steps_before_offerings()]).unwrap();
        // As the previous release wrote them: a course mapped to a Planning Center signup, with
        // a teacher, a session, Lydia enrolled and completed with a lesson and an attendance,
        // Ruth waitlisted, and Lydia's certification earned by it.
        conn.execute_batch(
            "INSERT INTO people (id, first_name, last_name, status, is_active, created_at, updated_at) VALUES
               ('0193a0ff-0000-7000-8000-0000000000a1', 'Lydia', 'Thyatira', 'active', 1, '2025-01-01T10:00:00.000000Z', '2025-01-01T10:00:00.000000Z'),
               ('0193a0ff-0000-7000-8000-0000000000a2', 'Ruth', 'Moabite', 'active', 1, '2025-01-01T10:00:00.000000Z', '2025-01-01T10:00:00.000000Z'),
               ('0193a0ff-0000-7000-8000-0000000000a3', 'Priscilla', 'Teacher', 'active', 1, '2025-01-01T10:00:00.000000Z', '2025-01-01T10:00:00.000000Z');
             INSERT INTO course (id, name, planning_center_event_id, planning_center_event_name, event_start_date, event_end_date,
                                 max_capacity, current_registrations, is_active, created_at, updated_at)
               VALUES ('0193a0ff-0000-7000-8000-0000000000c1', 'Child Safety Training', 'signup-77', 'Safety, spring 2025',
                       '2025-03-01', '2025-05-31', 1, 1, 1, '2025-01-01T10:00:00.000000Z', '2025-01-01T10:00:00.000000Z');
             INSERT INTO content (id, course_id, title, content_type_id, order_sequence, is_required, is_active, created_at, updated_at)
               SELECT '0193a0ff-0000-7000-8000-0000000000d1', '0193a0ff-0000-7000-8000-0000000000c1', 'Lesson 1', id, 0, 1, 1,
                      '2025-01-01T10:00:00.000000Z', '2025-01-01T10:00:00.000000Z' FROM content_type LIMIT 1;
             INSERT INTO course_role (id, people_id, course_id, role_type, assigned_date, is_active, created_at, updated_at)
               VALUES ('0193a0ff-0000-7000-8000-0000000000e1', '0193a0ff-0000-7000-8000-0000000000a3', '0193a0ff-0000-7000-8000-0000000000c1',
                       'teacher', '2025-01-01', 1, '2025-01-01T10:00:00.000000Z', '2025-01-01T10:00:00.000000Z');
             INSERT INTO class_session (id, course_id, title, starts_at, ends_at, is_active, created_at, updated_at)
               VALUES ('0193a0ff-0000-7000-8000-0000000000f1', '0193a0ff-0000-7000-8000-0000000000c1', 'Week 1',
                       '2025-03-04T19:00:00.000000Z', '2025-03-04T20:30:00.000000Z', 1, '2025-01-01T10:00:00.000000Z', '2025-01-01T10:00:00.000000Z');
             INSERT INTO course_enrollment (id, people_id, course_id, planning_center_registration_id, enrollment_date, status,
                                            progress_percentage, completion_date, registration_status, is_active, created_at, updated_at) VALUES
               ('0193a0ff-0000-7000-8000-0000000000b1', '0193a0ff-0000-7000-8000-0000000000a1', '0193a0ff-0000-7000-8000-0000000000c1',
                'reg-1', '2025-02-01', 'completed', 100, '2025-03-04', 'registered', 1, '2025-02-01T10:00:00.000000Z', '2025-03-04T10:00:00.000000Z'),
               ('0193a0ff-0000-7000-8000-0000000000b2', '0193a0ff-0000-7000-8000-0000000000a2', '0193a0ff-0000-7000-8000-0000000000c1',
                NULL, '2025-02-02', 'enrolled', 0, NULL, 'waitlisted', 1, '2025-02-02T10:00:00.000000Z', '2025-02-02T10:00:00.000000Z');
             INSERT INTO content_completion (id, course_enrollment_id, content_id, completed_at, is_active, created_at, updated_at)
               VALUES ('0193a0ff-0000-7000-8000-000000000101', '0193a0ff-0000-7000-8000-0000000000b1', '0193a0ff-0000-7000-8000-0000000000d1',
                       '2025-03-04T10:00:00.000000Z', 1, '2025-03-04T10:00:00.000000Z', '2025-03-04T10:00:00.000000Z');
             INSERT INTO attendance_record (id, class_session_id, people_id, course_enrollment_id, status, is_active, created_at, updated_at)
               VALUES ('0193a0ff-0000-7000-8000-000000000102', '0193a0ff-0000-7000-8000-0000000000f1', '0193a0ff-0000-7000-8000-0000000000a1',
                       '0193a0ff-0000-7000-8000-0000000000b1', 'present', 1, '2025-03-04T19:00:00.000000Z', '2025-03-04T19:00:00.000000Z');
             INSERT INTO certification (id, name, validity_months, is_active, created_at, updated_at)
               VALUES ('0193a0ff-0000-7000-8000-000000000201', 'Child Safety', 24, 1, '2025-01-01T10:00:00.000000Z', '2025-01-01T10:00:00.000000Z');
             INSERT INTO certification_course (id, certification_id, course_id, is_active, created_at, updated_at)
               VALUES ('0193a0ff-0000-7000-8000-000000000202', '0193a0ff-0000-7000-8000-000000000201', '0193a0ff-0000-7000-8000-0000000000c1',
                       1, '2025-01-01T10:00:00.000000Z', '2025-01-01T10:00:00.000000Z');
             INSERT INTO certification_progress (id, people_id, certification_id, started_date, completed_date, status, expires_date,
                                                 certificate_number, is_active, created_at, updated_at)
               VALUES ('0193a0ff-0000-7000-8000-000000000203', '0193a0ff-0000-7000-8000-0000000000a1', '0193a0ff-0000-7000-8000-000000000201',
                       '2025-02-01', '2025-03-04', 'expired', '2027-03-04', 'CCT-2025-00000203', 1, '2025-03-04T10:00:00.000000Z', '2025-03-04T10:00:00.000000Z');",
        )
        .unwrap();
    }
    let store = Store::open(&path, &key()).unwrap();
    let system = system();
    let course: uuid::Uuid = "0193a0ff-0000-7000-8000-0000000000c1".parse().unwrap();
    let first: CourseOffering = records::get(&store, &system, course).unwrap();
    assert_eq!(
        (first.course_id, first.name.as_str(), first.planning_center_event_id.as_deref()),
        (course, "Safety, spring 2025", Some("signup-77")),
        "the course's first offering has its id, its signup's name and its mapping"
    );
    assert_eq!((first.starts_on.map(|d| d.to_string()), first.max_capacity), (Some("2025-03-01".into()), Some(1)));
    let mapped = cct_store::planning_center::registrations::offering_for_signup(&store, "signup-77").unwrap().unwrap();
    assert_eq!((mapped.course_id, mapped.offering_id), (course, course), "the signup still enrolls people here");
    for (table, n) in [("course_enrollment", 2), ("class_session", 1), ("course_role", 1)] {
        let placed: i64 =
            scalar(&store, &format!("SELECT count(*) FROM {table} WHERE offering_id = ?1"), [course.to_string()]);
        assert_eq!(placed, n, "{table}");
    }
    let lydia: CourseEnrollment =
        records::get(&store, &system, "0193a0ff-0000-7000-8000-0000000000b1".parse().unwrap()).unwrap();
    assert_eq!(
        (lydia.status, lydia.planning_center_registration_id.as_deref(), lydia.offering_id),
        (EnrollmentStatus::Completed, Some("reg-1"), Some(course))
    );
    assert_eq!(count(&store, "content_completion"), 1, "lessons done stay with the rebuilt enrollments");
    assert_eq!(count(&store, "attendance_record"), 1);
    let broken: i64 = scalar(&store, "SELECT count(*) FROM pragma_foreign_key_check", []);
    assert_eq!(broken, 0, "every reference still holds");
    let history = cct_store::office::certifications::history(&store, &system, lydia.people_id).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].record.certificate_number.as_deref(), Some("CCT-2025-00000203"));
    assert_eq!(history[0].record.course_enrollment_ids, format!("[\"{}\"]", lydia.meta.id));

    // And the upgraded course runs again: Lydia retakes it in a new offering.
    let mut tx = store.begin_write(&system).unwrap();
    let autumn = cct_store::office::editing::create(
        &mut tx,
        CourseOffering { course_id: course, name: "Autumn 2026".into(), ..Default::default() },
    )
    .unwrap();
    let retake = cct_store::office::enrollment::enroll(
        &mut tx,
        cct_store::office::enrollment::EnrollRequest {
            people_id: lydia.people_id,
            course_id: course,
            offering_id: Some(autumn.meta.id),
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    assert_eq!(retake.registration_status, cct_domain::records::RegistrationStatus::Registered);
}
