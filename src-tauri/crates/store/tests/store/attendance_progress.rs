//! Attendance counts toward course progress: marked at the office or checked in at a station.

use crate::common::*;
use cct_domain::records::*;
use cct_domain::Timestamp;
use cct_store::db::Query;
use cct_store::office::attendance::{mark, MarkAttendance};
use cct_store::office::editing;
use cct_store::office::enrollment::{enroll, EnrollRequest};
use cct_store::office::progress::{complete_content, CompletionInput};
use cct_store::{records, ListQuery, Store};
use uuid::Uuid;

/// A course asking for `sessions_required` sessions and one required lesson, `sessions` sessions
/// of it, and Ruth enrolled: (course, lesson, sessions, Ruth, her enrollment).
fn course_with_sessions(
    store: &Store,
    sessions_required: Option<i64>,
    sessions: usize,
) -> (Course, Uuid, Vec<Uuid>, Uuid, Uuid) {
    let course = add_course(store, "Membership Class", None);
    let lesson = add_lessons(store, course.meta.id, 1, true)[0];
    let ruth = add_person(store, "Ruth", "Moabite").meta.id;
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let course = records::update(&mut tx, Course { sessions_required, ..course }).unwrap();
    let mut ids = Vec::new();
    for week in 0..sessions {
        let starts_at = Timestamp::from(Timestamp::now().as_datetime() + chrono::Duration::days(7 * week as i64));
        let session = ClassSession {
            meta: Default::default(),
            course_id: course.meta.id,
            offering_id: None,
            facility_id: None,
            title: format!("Week {}", week + 1),
            starts_at,
            ends_at: Timestamp::from(starts_at.as_datetime() + chrono::Duration::hours(1)),
            capacity: None,
            status: Default::default(),
            children_per_adult: None,
            serving_certification_id: None,
        };
        ids.push(records::insert(&mut tx, session).unwrap().meta.id);
    }
    let enrollment =
        enroll(&mut tx, EnrollRequest { people_id: ruth, course_id: course.meta.id, ..Default::default() }).unwrap();
    tx.commit().unwrap();
    (course, lesson, ids, ruth, enrollment.meta.id)
}

fn enrollment(store: &Store, id: Uuid) -> CourseEnrollment {
    records::get(store, &system(), id).unwrap()
}

fn mark_as(store: &Store, session: Uuid, person: Uuid, status: AttendanceStatus) {
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    mark(&mut tx, MarkAttendance { class_session_id: session, people_id: person, status, notes: None }).unwrap();
    tx.commit().unwrap();
}

#[test]
fn sessions_attended_at_the_office_or_a_station_complete_the_course_and_its_certification() {
    let (store, _dir) = fresh_store();
    let (course, lesson, sessions, ruth, enrollment_id) = course_with_sessions(&store, Some(2), 3);
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let certification =
        records::insert(&mut tx, Certification { name: "Member".into(), ..Default::default() }).unwrap();
    records::insert(
        &mut tx,
        CertificationCourse {
            certification_id: certification.meta.id,
            course_id: course.meta.id,
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();

    mark_as(&store, sessions[0], ruth, AttendanceStatus::Late);
    let after_one = enrollment(&store, enrollment_id);
    assert_eq!(
        (after_one.progress_percentage, after_one.status),
        (33.3, EnrollmentStatus::InProgress),
        "one of three steps: two sessions and a lesson"
    );

    let mut tx = store.begin_write(&system).unwrap();
    complete_content(
        &mut tx,
        CompletionInput { course_enrollment_id: enrollment_id, content_id: lesson, ..Default::default() },
    )
    .unwrap();
    tx.commit().unwrap();
    assert_eq!(enrollment(&store, enrollment_id).progress_percentage, 66.7);

    let queued_for_planning_center =
        || scalar::<i64>(&store, "SELECT COUNT(*) FROM pco_outbox WHERE record_id = ?1", [enrollment_id.to_string()]);
    let outbox_before = queued_for_planning_center();
    check_in(&store, &system, sessions[1], &[ruth], "A").unwrap();
    let done = enrollment(&store, enrollment_id);
    assert_eq!(
        (done.progress_percentage, done.status),
        (100.0, EnrollmentStatus::Completed),
        "the station's check-in was the last step"
    );
    assert_eq!(done.completion_date, Some(Timestamp::now().date()));
    assert_eq!(
        queued_for_planning_center(),
        outbox_before + 1,
        "the enrollment's new progress is queued for Planning Center"
    );
    let earned = records::list::<CertificationProgress>(&store, &system, &ListQuery::default()).unwrap().items;
    assert_eq!(
        earned.iter().map(|p| p.status).collect::<Vec<_>>(),
        [CertificationStatus::Completed],
        "completing the course completed the certification"
    );

    check_in(&store, &system, sessions[2], &[ruth], "A").unwrap();
    assert_eq!(
        enrollment(&store, enrollment_id).progress_percentage,
        100.0,
        "a session beyond those required counts no further"
    );

    // The office corrects both station check-ins: she was not there after all.
    mark_as(&store, sessions[1], ruth, AttendanceStatus::Absent);
    mark_as(&store, sessions[2], ruth, AttendanceStatus::Excused);
    let reopened = enrollment(&store, enrollment_id);
    assert_eq!(
        (reopened.progress_percentage, reopened.status, reopened.completion_date),
        (66.7, EnrollmentStatus::InProgress, None)
    );
    let earned = records::list::<CertificationProgress>(&store, &system, &ListQuery::default()).unwrap().items;
    assert_eq!(earned[0].status, CertificationStatus::InProgress, "the certification follows the course back");
}

#[test]
fn attendance_starts_an_enrollment_in_a_course_that_requires_no_sessions() {
    let (store, _dir) = fresh_store();
    let (_, _, sessions, ruth, enrollment_id) = course_with_sessions(&store, None, 1);
    check_in(&store, &system(), sessions[0], &[ruth], "A").unwrap();
    let started = enrollment(&store, enrollment_id);
    assert_eq!(
        (started.progress_percentage, started.status),
        (0.0, EnrollmentStatus::InProgress),
        "progress still follows the one lesson"
    );
}

#[test]
fn a_station_check_in_moves_progress_in_its_own_transaction_audited_and_shared_with_the_team() {
    let (store, _dir) = fresh_store();
    let (_, _, sessions, ruth, enrollment_id) = course_with_sessions(&store, Some(4), 1);
    let station = person_with_role(&store, "Volunteer", "checkin_volunteer");
    check_in(&store, &station, sessions[0], &[ruth], "A").unwrap();
    let moved = enrollment(&store, enrollment_id);
    assert_eq!(
        (moved.progress_percentage, moved.status),
        (20.0, EnrollmentStatus::InProgress),
        "one session of four, and a lesson: one step of five"
    );
    assert_eq!(moved.meta.updated_by, station.person_id, "worked out on behalf of the station's volunteer");

    let of_enrollment = |table: &str, column: &str| -> Vec<String> {
        store
            .read(|conn| {
                conn.column(
                    &format!("SELECT {column} FROM {table} WHERE record_id = ?1 ORDER BY rowid"),
                    [enrollment_id.to_string()],
                )
            })
            .unwrap()
    };
    let audited = of_enrollment("audit_log", "new_values");
    let update: serde_json::Value = serde_json::from_str(audited.last().unwrap()).unwrap();
    assert_eq!(
        (update["progress_percentage"].as_f64(), update["status"].as_str()),
        (Some(20.0), Some("in_progress")),
        "only what changed is audited: {update}"
    );
    let shared: Vec<String> = store
        .read(|conn| {
            conn.column(
                "SELECT fields FROM team_change WHERE table_name = 'course_enrollment' AND record_id = ?1 ORDER BY seq",
                [enrollment_id.to_string()],
            )
        })
        .unwrap();
    let change: serde_json::Value = serde_json::from_str(shared.last().unwrap()).unwrap();
    assert_eq!(change["progress_percentage"].as_f64(), Some(20.0), "the team's other computers learn of it: {change}");
    let outbox = of_enrollment("pco_outbox", "payload");
    assert_eq!(
        outbox.len(),
        1,
        "only the enrollment itself waits for Planning Center, which hears of completions, not progress"
    );
}

#[test]
fn a_check_in_that_completes_a_course_certifies_in_its_own_transaction_or_not_at_all() {
    let (store, _dir) = fresh_store();
    let (course, lesson, sessions, ruth, enrollment_id) = course_with_sessions(&store, Some(1), 1);
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let certification =
        records::insert(&mut tx, Certification { name: "Greeter".into(), ..Default::default() }).unwrap();
    records::insert(
        &mut tx,
        CertificationCourse {
            certification_id: certification.meta.id,
            course_id: course.meta.id,
            ..Default::default()
        },
    )
    .unwrap();
    complete_content(
        &mut tx,
        CompletionInput { course_enrollment_id: enrollment_id, content_id: lesson, ..Default::default() },
    )
    .unwrap();
    tx.commit().unwrap();
    let certified = || {
        records::list::<CertificationProgress>(&store, &system, &ListQuery::default())
            .unwrap()
            .items
            .iter()
            .filter(|p| p.status == CertificationStatus::Completed)
            .count()
    };

    // Ruth's check-in would complete the course, but someone unknown is checked in with her:
    // the whole check-in fails, and neither the course nor the certification moved.
    let stranger = Uuid::now_v7();
    let refused = check_in(&store, &system, sessions[0], &[ruth, stranger], "A").unwrap_err();
    assert_eq!(refused.field(), Some("people_ids"));
    assert_eq!(enrollment(&store, enrollment_id).status, EnrollmentStatus::InProgress);
    assert_eq!(certified(), 0);
    assert_eq!(count(&store, "attendance_record"), 0);

    check_in(&store, &system, sessions[0], &[ruth], "A").unwrap();
    assert_eq!(enrollment(&store, enrollment_id).status, EnrollmentStatus::Completed);
    assert_eq!(certified(), 1, "the certification was earned in the check-in's transaction");
}

#[test]
fn what_a_course_asks_for_changing_brings_its_enrollments_up_to_date() {
    let (store, _dir) = fresh_store();
    let (course, lesson, sessions, ruth, enrollment_id) = course_with_sessions(&store, Some(3), 2);
    let system = system();
    mark_as(&store, sessions[0], ruth, AttendanceStatus::Present);
    mark_as(&store, sessions[1], ruth, AttendanceStatus::Present);
    let mut tx = store.begin_write(&system).unwrap();
    complete_content(
        &mut tx,
        CompletionInput { course_enrollment_id: enrollment_id, content_id: lesson, ..Default::default() },
    )
    .unwrap();
    tx.commit().unwrap();
    assert_eq!(enrollment(&store, enrollment_id).progress_percentage, 75.0);

    // The office decides two sessions are enough.
    let mut tx = store.begin_write(&system).unwrap();
    editing::update(&mut tx, Course { sessions_required: Some(2), ..course }).unwrap();
    tx.commit().unwrap();
    assert_eq!(enrollment(&store, enrollment_id).status, EnrollmentStatus::Completed);

    // A session is cancelled: attendance at it no longer counts.
    let mut tx = store.begin_write(&system).unwrap();
    editing::retire::<ClassSession>(&mut tx, sessions[1]).unwrap();
    tx.commit().unwrap();
    let after = enrollment(&store, enrollment_id);
    assert_eq!((after.progress_percentage, after.status), (66.7, EnrollmentStatus::InProgress));
}

#[test]
fn a_negative_number_of_sessions_is_refused() {
    let (store, _dir) = fresh_store();
    let course = add_course(&store, "Alpha", None);
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let refused = records::update(&mut tx, Course { sessions_required: Some(-1), ..course }).unwrap_err();
    assert_eq!(refused.field(), Some("sessions_required"));
}
