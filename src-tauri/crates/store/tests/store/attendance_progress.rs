//! Attendance counts toward course progress: marked at the office or checked in at a station.

use crate::common::*;
use cct_domain::records::*;
use cct_domain::Timestamp;
use cct_store::attendance::{mark, MarkAttendance};
use cct_store::enrollment::{enroll, EnrollRequest};
use cct_store::progress::{complete_content, follow_course_change, CompletionInput};
use cct_store::{checkin, records, ListQuery, Store};
use uuid::Uuid;

/// A course asking for `sessions_required` sessions and one required lesson, `sessions` sessions
/// of it, and Ruth enrolled: (course, lesson, sessions, Ruth, her enrollment).
async fn course_with_sessions(store: &Store, sessions_required: Option<i64>, sessions: usize) -> (Course, Uuid, Vec<Uuid>, Uuid, Uuid) {
    let course = add_course(store, "Membership Class", None).await;
    let lesson = add_lessons(store, course.meta.id, 1, true).await[0];
    let ruth = add_person(store, "Ruth", "Moabite").await.meta.id;
    let system = system();
    let mut tx = store.begin_write(&system).await.unwrap();
    let course = records::update(&mut tx, Course { sessions_required, ..course }).await.unwrap();
    let mut ids = Vec::new();
    for week in 0..sessions {
        let starts_at = Timestamp::from(Timestamp::now().as_datetime() + chrono::Duration::days(7 * week as i64));
        let session = ClassSession {
            meta: Default::default(),
            course_id: course.meta.id,
            facility_id: None,
            title: format!("Week {}", week + 1),
            starts_at,
            ends_at: Timestamp::from(starts_at.as_datetime() + chrono::Duration::hours(1)),
            capacity: None,
            status: Default::default(),
        };
        ids.push(records::insert(&mut tx, session).await.unwrap().meta.id);
    }
    let enrollment = enroll(&mut tx, EnrollRequest { people_id: ruth, course_id: course.meta.id, ..Default::default() }).await.unwrap();
    tx.commit().await.unwrap();
    (course, lesson, ids, ruth, enrollment.meta.id)
}

async fn enrollment(store: &Store, id: Uuid) -> CourseEnrollment {
    records::get(store, &system(), id).await.unwrap()
}

async fn mark_as(store: &Store, session: Uuid, person: Uuid, status: AttendanceStatus) {
    let system = system();
    let mut tx = store.begin_write(&system).await.unwrap();
    mark(&mut tx, MarkAttendance { class_session_id: session, people_id: person, status, notes: None }).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn sessions_attended_at_the_office_or_a_station_complete_the_course_and_its_certification() {
    let (store, _dir) = fresh_store().await;
    let (course, lesson, sessions, ruth, enrollment_id) = course_with_sessions(&store, Some(2), 3).await;
    let system = system();
    let mut tx = store.begin_write(&system).await.unwrap();
    let certification = records::insert(&mut tx, Certification { name: "Member".into(), ..Default::default() }).await.unwrap();
    records::insert(&mut tx, CertificationCourse { certification_id: certification.meta.id, course_id: course.meta.id, ..Default::default() }).await.unwrap();
    tx.commit().await.unwrap();

    mark_as(&store, sessions[0], ruth, AttendanceStatus::Late).await;
    let after_one = enrollment(&store, enrollment_id).await;
    assert_eq!((after_one.progress_percentage, after_one.status), (33.3, EnrollmentStatus::InProgress), "one of three steps: two sessions and a lesson");

    let mut tx = store.begin_write(&system).await.unwrap();
    complete_content(&mut tx, CompletionInput { course_enrollment_id: enrollment_id, content_id: lesson, ..Default::default() }).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(enrollment(&store, enrollment_id).await.progress_percentage, 66.7);

    let queued_for_planning_center = || async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", store.path().display())).await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pco_outbox WHERE record_id = ?").bind(enrollment_id.to_string()).fetch_one(&pool).await.unwrap();
        pool.close().await;
        n
    };
    let outbox_before = queued_for_planning_center().await;
    checkin::check_in(&store, &system, sessions[1], &[ruth], "A").await.unwrap();
    let done = enrollment(&store, enrollment_id).await;
    assert_eq!((done.progress_percentage, done.status), (100.0, EnrollmentStatus::Completed), "the station's check-in was the last step");
    assert_eq!(done.completion_date, Some(Timestamp::now().date()));
    assert_eq!(count(&store, "progress_pending").await, 0, "nothing is left queued");
    assert_eq!(queued_for_planning_center().await, outbox_before + 1, "the enrollment's new progress is queued for Planning Center");
    let earned = records::list::<CertificationProgress>(&store, &system, &ListQuery::default()).await.unwrap().items;
    assert_eq!(earned.iter().map(|p| p.status).collect::<Vec<_>>(), [CertificationStatus::Completed], "completing the course completed the certification");

    checkin::check_in(&store, &system, sessions[2], &[ruth], "A").await.unwrap();
    assert_eq!(enrollment(&store, enrollment_id).await.progress_percentage, 100.0, "a session beyond those required counts no further");

    // The office corrects both station check-ins: she was not there after all.
    mark_as(&store, sessions[1], ruth, AttendanceStatus::Absent).await;
    mark_as(&store, sessions[2], ruth, AttendanceStatus::Excused).await;
    let reopened = enrollment(&store, enrollment_id).await;
    assert_eq!((reopened.progress_percentage, reopened.status, reopened.completion_date), (66.7, EnrollmentStatus::InProgress, None));
    let earned = records::list::<CertificationProgress>(&store, &system, &ListQuery::default()).await.unwrap().items;
    assert_eq!(earned[0].status, CertificationStatus::InProgress, "the certification follows the course back");
}

#[tokio::test]
async fn attendance_starts_an_enrollment_in_a_course_that_requires_no_sessions() {
    let (store, _dir) = fresh_store().await;
    let (_, _, sessions, ruth, enrollment_id) = course_with_sessions(&store, None, 1).await;
    checkin::check_in(&store, &system(), sessions[0], &[ruth], "A").await.unwrap();
    let started = enrollment(&store, enrollment_id).await;
    assert_eq!((started.progress_percentage, started.status), (0.0, EnrollmentStatus::InProgress), "progress still follows the one lesson");
}

#[tokio::test]
async fn a_station_check_in_moves_progress_in_its_own_transaction_audited_and_shared_with_the_team() {
    let (store, _dir) = fresh_store().await;
    let (_, _, sessions, ruth, enrollment_id) = course_with_sessions(&store, Some(4), 1).await;
    let station = person_with_role(&store, "Volunteer", "checkin_volunteer").await;
    checkin::check_in(&store, &station, sessions[0], &[ruth], "A").await.unwrap();
    let moved = enrollment(&store, enrollment_id).await;
    assert_eq!((moved.progress_percentage, moved.status), (20.0, EnrollmentStatus::InProgress), "one session of four, and a lesson: one step of five");
    assert_eq!(moved.meta.updated_by, station.person_id, "worked out on behalf of the station's volunteer");

    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", store.path().display())).await.unwrap();
    let of_enrollment = |table: &'static str, column: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(&format!("SELECT {column} FROM {table} WHERE record_id = ? ORDER BY rowid"))
                .bind(enrollment_id.to_string())
                .fetch_all(&pool)
                .await
                .unwrap()
        }
    };
    let audited = of_enrollment("audit_log", "new_values").await;
    let update: serde_json::Value = serde_json::from_str(audited.last().unwrap()).unwrap();
    assert_eq!((update["progress_percentage"].as_f64(), update["status"].as_str()), (Some(20.0), Some("in_progress")), "only what changed is audited: {update}");
    let shared: Vec<String> = sqlx::query_scalar("SELECT fields FROM team_change WHERE table_name = 'course_enrollment' AND record_id = ? ORDER BY seq")
        .bind(enrollment_id.to_string())
        .fetch_all(&pool)
        .await
        .unwrap();
    let change: serde_json::Value = serde_json::from_str(shared.last().unwrap()).unwrap();
    assert_eq!(change["progress_percentage"].as_f64(), Some(20.0), "the team's other computers learn of it: {change}");
    let outbox = of_enrollment("pco_outbox", "payload").await;
    assert_eq!(outbox.len(), 1, "only the enrollment itself waits for Planning Center, which hears of completions, not progress");
    pool.close().await;
    assert_eq!(count(&store, "progress_pending").await, 0, "nothing was left for the store's writer");
}

#[tokio::test]
async fn progress_a_crash_left_queued_is_settled_when_the_store_opens() {
    let (store, dir) = fresh_store().await;
    let (_, _, sessions, ruth, enrollment_id) = course_with_sessions(&store, Some(1), 1).await;
    checkin::check_in(&store, &system(), sessions[0], &[ruth], "A").await.unwrap();
    let path = store.path().to_path_buf();
    store.close().await;
    // As a crash leaves it: the check-in committed and its enrollment queued, but not settled.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    sqlx::query("UPDATE course_enrollment SET status = 'enrolled', progress_percentage = 0, completion_date = NULL").execute(&pool).await.unwrap();
    sqlx::query("INSERT INTO progress_pending (course_enrollment_id, queued_at) VALUES (?, '2026-11-26T09:00:00.000000Z')").bind(enrollment_id.to_string()).execute(&pool).await.unwrap();
    pool.close().await;

    let reopened = Store::open(&path).await.unwrap();
    let settled = enrollment(&reopened, enrollment_id).await;
    assert_eq!((settled.progress_percentage, settled.status), (50.0, EnrollmentStatus::InProgress), "one session of one, the lesson still to do");
    assert_eq!(count(&reopened, "progress_pending").await, 0);
    reopened.close().await;
    drop(dir);
}

#[tokio::test]
async fn what_a_course_asks_for_changing_brings_its_enrollments_up_to_date() {
    let (store, _dir) = fresh_store().await;
    let (course, lesson, sessions, ruth, enrollment_id) = course_with_sessions(&store, Some(3), 2).await;
    let system = system();
    mark_as(&store, sessions[0], ruth, AttendanceStatus::Present).await;
    mark_as(&store, sessions[1], ruth, AttendanceStatus::Present).await;
    let mut tx = store.begin_write(&system).await.unwrap();
    complete_content(&mut tx, CompletionInput { course_enrollment_id: enrollment_id, content_id: lesson, ..Default::default() }).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(enrollment(&store, enrollment_id).await.progress_percentage, 75.0);

    // The office decides two sessions are enough.
    let mut tx = store.begin_write(&system).await.unwrap();
    let course = records::update(&mut tx, Course { sessions_required: Some(2), ..course }).await.unwrap();
    follow_course_change(&mut tx, &course).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(enrollment(&store, enrollment_id).await.status, EnrollmentStatus::Completed);

    // A session is cancelled: attendance at it no longer counts.
    let mut tx = store.begin_write(&system).await.unwrap();
    let cancelled = records::deactivate::<ClassSession>(&mut tx, sessions[1]).await.unwrap();
    follow_course_change(&mut tx, &cancelled).await.unwrap();
    tx.commit().await.unwrap();
    let after = enrollment(&store, enrollment_id).await;
    assert_eq!((after.progress_percentage, after.status), (66.7, EnrollmentStatus::InProgress));
}

#[tokio::test]
async fn a_negative_number_of_sessions_is_refused() {
    let (store, _dir) = fresh_store().await;
    let course = add_course(&store, "Alpha", None).await;
    let system = system();
    let mut tx = store.begin_write(&system).await.unwrap();
    let refused = records::update(&mut tx, Course { sessions_required: Some(-1), ..course }).await.unwrap_err();
    assert_eq!(refused.field(), Some("sessions_required"));
}
