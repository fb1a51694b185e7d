//! Courses that run every term: offerings with their own seats, sessions and teachers,
//! retakes, certifications renewed by a retake or a refresher with every earning kept, and
//! renewals due with the next offering a click away.

use crate::common::*;
use cct_domain::records::*;
use cct_domain::rules::certification::Standing;
use cct_domain::Timestamp;
use cct_store::office::enrollment::{drop_enrollment, enroll, EnrollRequest};
use cct_store::office::progress::{complete_content, CompletionInput};
use cct_store::office::{attendance, certifications, editing, offerings, prerequisites, renewals};
use cct_store::{records, Store};
use chrono::{Duration, Months, NaiveDate};
use uuid::Uuid;

pub(crate) fn today() -> NaiveDate {
    Timestamp::now().date()
}

pub(crate) fn add_offering(
    store: &Store,
    course: &Course,
    name: &str,
    starts_in_days: i64,
    capacity: Option<i64>,
) -> CourseOffering {
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let starts = today() + Duration::days(starts_in_days);
    let offering = editing::create(
        &mut tx,
        CourseOffering {
            course_id: course.meta.id,
            name: name.into(),
            starts_on: Some(starts),
            ends_on: Some(starts + Duration::days(90)),
            schedule: Some("Tuesdays 7 pm".into()),
            max_capacity: capacity,
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    offering
}

pub(crate) fn enroll_in(
    store: &Store,
    person: Uuid,
    course: Uuid,
    offering: Option<Uuid>,
) -> cct_store::Result<CourseEnrollment> {
    let system = system();
    let mut tx = store.begin_write(&system)?;
    let enrollment = enroll(
        &mut tx,
        EnrollRequest { people_id: person, course_id: course, offering_id: offering, ..Default::default() },
    )?;
    tx.commit()?;
    Ok(enrollment)
}

/// Completes every lesson of the enrollment, on `on` (a date in the past for a course taken
/// long ago).
pub(crate) fn complete_all(
    store: &Store,
    enrollment: &CourseEnrollment,
    lessons: &[Uuid],
    on: NaiveDate,
) -> CourseEnrollment {
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let at = Timestamp::from(on.and_hms_opt(12, 0, 0).unwrap().and_utc());
    if enrollment.enrollment_date > on {
        // Enrolled back then, as the office would have done.
        let mut back_then: CourseEnrollment = records::get(store, &system, enrollment.meta.id).unwrap();
        back_then.enrollment_date = on - Duration::days(60);
        records::update(&mut tx, back_then).unwrap();
    }
    let mut last = None;
    for &content_id in lessons {
        last = Some(
            complete_content(
                &mut tx,
                CompletionInput {
                    course_enrollment_id: enrollment.meta.id,
                    content_id,
                    completed_at: Some(at),
                    ..Default::default()
                },
            )
            .unwrap(),
        );
    }
    tx.commit().unwrap();
    last.unwrap()
}

fn mark_present(store: &Store, class_session_id: Uuid, people_id: Uuid) {
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    attendance::mark(
        &mut tx,
        attendance::MarkAttendance { class_session_id, people_id, status: AttendanceStatus::Present, notes: None },
    )
    .unwrap();
    tx.commit().unwrap();
}

/// A certification earned by `course`, valid `months`.
fn certification_for(store: &Store, name: &str, course: &Course, months: i64) -> Certification {
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let certification = records::insert(
        &mut tx,
        Certification { name: name.into(), validity_months: Some(months), ..Default::default() },
    )
    .unwrap();
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
    certification
}

fn standing_of(store: &Store, person: Uuid, certification: Uuid) -> CertificationProgress {
    let id: String = scalar(
        store,
        "SELECT id FROM certification_progress WHERE people_id = ?1 AND certification_id = ?2",
        [person.to_string(), certification.to_string()],
    );
    records::get(store, &system(), id.parse().unwrap()).unwrap()
}

#[test]
fn every_course_has_a_first_offering_and_the_office_sees_past_running_and_upcoming() {
    let (store, _dir) = fresh_store();
    let course = add_course(&store, "Foundations of Faith", Some(12));
    let first: CourseOffering = records::get(&store, &system(), offerings::first_offering_id(course.meta.id)).unwrap();
    assert_eq!((first.course_id, first.max_capacity), (course.meta.id, Some(12)), "made with the course");

    let spring = add_offering(&store, &course, "Spring 2027", 120, Some(20));
    let autumn = add_offering(&store, &course, "Autumn 2026", 10, Some(20));
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let mut past = first.clone();
    past.name = "Spring 2026".into();
    past.starts_on = Some(today() - Duration::days(200));
    past.ends_on = Some(today() - Duration::days(110));
    editing::update(&mut tx, past).unwrap();
    tx.commit().unwrap();

    let lines = offerings::of_course(&store, &system, course.meta.id, today()).unwrap();
    let shown: Vec<(&str, OfferingPhase)> = lines.iter().map(|l| (l.offering.name.as_str(), l.phase)).collect();
    assert_eq!(
        shown,
        [
            ("Autumn 2026", OfferingPhase::Upcoming),
            ("Spring 2027", OfferingPhase::Upcoming),
            ("Spring 2026", OfferingPhase::Past)
        ]
    );
    let next = store.read(|conn| offerings::next_offering(conn, course.meta.id, today())).unwrap();
    assert_eq!(next, autumn.meta.id, "the next to start is where someone is enrolled by default");
    let ruth = add_person(&store, "Ruth", "Moabite");
    let enrolled = enroll_in(&store, ruth.meta.id, course.meta.id, None).unwrap();
    assert_eq!(enrolled.offering_id, Some(autumn.meta.id));
    let lines = offerings::of_course(&store, &system, course.meta.id, today()).unwrap();
    assert_eq!((lines[0].registered, lines[1].registered), (1, 0));
    assert_eq!(spring.course_id, course.meta.id);
}

#[test]
fn each_offering_has_its_own_seats_and_waitlist() {
    let (store, _dir) = fresh_store();
    let course = add_course(&store, "Alpha", None);
    let autumn = add_offering(&store, &course, "Autumn", 5, Some(1));
    let spring = add_offering(&store, &course, "Spring", 100, Some(1));
    let ruth = add_person(&store, "Ruth", "Moabite");
    let naomi = add_person(&store, "Naomi", "Bethlehem");
    let boaz = add_person(&store, "Boaz", "Bethlehem");

    let first = enroll_in(&store, ruth.meta.id, course.meta.id, Some(autumn.meta.id)).unwrap();
    let second = enroll_in(&store, naomi.meta.id, course.meta.id, Some(autumn.meta.id)).unwrap();
    let elsewhere = enroll_in(&store, boaz.meta.id, course.meta.id, Some(spring.meta.id)).unwrap();
    assert_eq!(first.registration_status, RegistrationStatus::Registered);
    assert_eq!(second.registration_status, RegistrationStatus::Waitlisted, "autumn's one seat is taken");
    assert_eq!(elsewhere.registration_status, RegistrationStatus::Registered, "spring's seat is its own");

    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    drop_enrollment(&mut tx, first.meta.id).unwrap();
    tx.commit().unwrap();
    let moved_up: CourseEnrollment = records::get(&store, &system, second.meta.id).unwrap();
    assert_eq!(moved_up.registration_status, RegistrationStatus::Registered, "autumn's waitlist moves up");
    let autumn_now: CourseOffering = records::get(&store, &system, autumn.meta.id).unwrap();
    let course_now: Course = records::get(&store, &system, course.meta.id).unwrap();
    assert_eq!((autumn_now.current_registrations, course_now.current_registrations), (1, 2));
}

#[test]
fn bad_offerings_and_enrollments_are_refused_with_their_field_and_change_nothing() {
    let (store, _dir) = fresh_store();
    let course = add_course(&store, "Alpha", None);
    let other = add_course(&store, "Beta", None);
    let autumn = add_offering(&store, &course, "Autumn", 5, None);
    let spring = add_offering(&store, &course, "Spring", 120, None);
    let certification = certification_for(&store, "Safety", &course, 24);
    let ruth = add_person(&store, "Ruth", "Moabite");
    enroll_in(&store, ruth.meta.id, course.meta.id, Some(autumn.meta.id)).unwrap();
    let tables = ["course_offering", "course_enrollment", "certification", "audit_log", "team_change"];
    let before: Vec<i64> = tables.iter().map(|t| count(&store, t)).collect();

    let system = system();
    let refused_field = |write: &dyn Fn(&mut cct_store::db::WriteTx<'_>) -> cct_store::Result<()>| {
        let mut tx = store.begin_write(&system).unwrap();
        let error = write(&mut tx).expect_err("refused");
        drop(tx); // rolled back
        error.field().map(str::to_owned)
    };
    let backwards = CourseOffering {
        course_id: course.meta.id,
        name: "Backwards".into(),
        starts_on: Some(today()),
        ends_on: Some(today() - Duration::days(1)),
        ..Default::default()
    };
    assert_eq!(refused_field(&|tx| editing::create(tx, backwards.clone()).map(drop)).as_deref(), Some("ends_on"));
    for capacity in [0, -5] {
        let seatless = CourseOffering { max_capacity: Some(capacity), ends_on: None, ..backwards.clone() };
        assert_eq!(
            refused_field(&|tx| editing::create(tx, seatless.clone()).map(drop)).as_deref(),
            Some("max_capacity")
        );
    }
    let twice = EnrollRequest {
        people_id: ruth.meta.id,
        course_id: course.meta.id,
        offering_id: Some(autumn.meta.id),
        ..Default::default()
    };
    assert_eq!(refused_field(&|tx| enroll(tx, twice.clone()).map(drop)).as_deref(), Some("offering_id"));
    let other_course = EnrollRequest { course_id: other.meta.id, ..twice.clone() };
    assert_eq!(
        refused_field(&|tx| enroll(tx, other_course.clone()).map(drop)).as_deref(),
        Some("offering_id"),
        "an offering of another course"
    );
    let while_enrolled = EnrollRequest { offering_id: Some(spring.meta.id), ..twice.clone() };
    assert_eq!(
        refused_field(&|tx| enroll(tx, while_enrolled.clone()).map(drop)).as_deref(),
        Some("offering_id"),
        "a retake waits for the enrollment still going on"
    );
    let own_course_as_refresher = Certification { refresher_course_id: Some(course.meta.id), ..certification.clone() };
    assert_eq!(
        refused_field(&|tx| editing::update(tx, own_course_as_refresher.clone()).map(drop)).as_deref(),
        Some("refresher_course_id")
    );
    let after: Vec<i64> = tables.iter().map(|t| count(&store, t)).collect();
    assert_eq!(before, after, "nothing refused left a row, an audit entry or a change for the team");
}

#[test]
fn an_offering_is_cancelled_only_while_nothing_hangs_on_it() {
    let (store, _dir) = fresh_store();
    let course = add_course(&store, "Alpha", None);
    let autumn = add_offering(&store, &course, "Autumn", 5, None);
    let spring = add_offering(&store, &course, "Spring", 120, None);
    let ruth = add_person(&store, "Ruth", "Moabite");
    let enrollment = enroll_in(&store, ruth.meta.id, course.meta.id, Some(autumn.meta.id)).unwrap();
    let system = system();
    let retire = |id: Uuid| -> cct_store::Result<CourseOffering> {
        let mut tx = store.begin_write(&system)?;
        let retired = editing::retire::<CourseOffering>(&mut tx, id)?;
        tx.commit()?;
        Ok(retired)
    };
    let before = count(&store, "audit_log");
    let refusal = |id: Uuid| {
        let error = retire(id).expect_err("refused");
        let report = error.report();
        assert!(!report.message.starts_with("is_active"), "a sentence for a person: {report:?}");
        (report.field, report.message)
    };
    let (field, message) = refusal(offerings::first_offering_id(course.meta.id));
    assert_eq!(field.as_deref(), Some("is_active"));
    assert!(message.contains("first offering"), "{message}");
    let (field, message) = refusal(autumn.meta.id);
    assert_eq!(field.as_deref(), Some("is_active"));
    assert!(message.contains("1 person is enrolled"), "{message}");
    // Through the generic update too: setting it inactive is the same retirement.
    let mut tx = store.begin_write(&system).unwrap();
    let mut inactive: CourseOffering = records::get(&store, &system, autumn.meta.id).unwrap();
    inactive.meta.is_active = false;
    assert_eq!(editing::update(&mut tx, inactive).unwrap_err().field(), Some("is_active"));
    drop(tx);
    assert_eq!(count(&store, "audit_log"), before, "nothing refused was written");

    // Once she is dropped it may go; spring, which nobody joined, goes at once.
    let mut tx = store.begin_write(&system).unwrap();
    drop_enrollment(&mut tx, enrollment.meta.id).unwrap();
    tx.commit().unwrap();
    assert!(!retire(autumn.meta.id).unwrap().meta.is_active);
    let mut tx = store.begin_write(&system).unwrap();
    let starts = Timestamp::from(Timestamp::now().as_datetime() + Duration::days(130));
    let spring_session =
        editing::create(&mut tx, hour_long_session(course.meta.id, Some(spring.meta.id), "Spring, week 1", starts))
            .unwrap();
    tx.commit().unwrap();
    let (_, message) = refusal(spring.meta.id);
    assert!(message.contains("1 session and 0 teachers"), "{message}");
    let mut tx = store.begin_write(&system).unwrap();
    editing::retire::<ClassSession>(&mut tx, spring_session.meta.id).unwrap();
    tx.commit().unwrap();
    assert!(!retire(spring.meta.id).unwrap().meta.is_active);
    let left: Vec<String> = offerings::of_course(&store, &system, course.meta.id, today())
        .unwrap()
        .into_iter()
        .map(|l| l.offering.name)
        .collect();
    assert_eq!(left.len(), 1, "only the first offering is listed: {left:?}");
}

#[test]
fn a_retake_in_the_next_offering_renews_an_expired_certification_and_both_records_are_kept() {
    let (store, _dir) = fresh_store();
    let course = add_course(&store, "Child Safety Training", None);
    let lessons = add_lessons(&store, course.meta.id, 2, true);
    let certification = certification_for(&store, "Child Safety", &course, 24);
    let ruth = add_person(&store, "Ruth", "Moabite");
    let system = system();

    // Taken three years ago in the course's first offering: expired a year ago.
    let long_ago = today() - Duration::days(3 * 365);
    let first = enroll_in(&store, ruth.meta.id, course.meta.id, None).unwrap();
    assert_eq!(first.offering_id, Some(offerings::first_offering_id(course.meta.id)));
    let first = complete_all(&store, &first, &lessons, long_ago);
    assert_eq!((first.status, first.completion_date), (EnrollmentStatus::Completed, Some(long_ago)));
    let lapsed = standing_of(&store, ruth.meta.id, certification.meta.id);
    assert_eq!(lapsed.status, CertificationStatus::Expired);
    assert_eq!(lapsed.expires_date, long_ago.checked_add_months(Months::new(24)));
    let first_number = lapsed.certificate_number.clone().unwrap();

    // The office enrolls her in this term's offering; she completes it today.
    let autumn = add_offering(&store, &course, "Autumn 2026", -7, None);
    let retake = enroll_in(&store, ruth.meta.id, course.meta.id, Some(autumn.meta.id)).unwrap();
    assert_ne!(retake.meta.id, first.meta.id, "a retake is an enrollment of its own");
    assert_eq!((retake.progress_percentage, retake.status), (0.0, EnrollmentStatus::Enrolled), "progress starts over");
    complete_all(&store, &retake, &lessons, today());

    let renewed = standing_of(&store, ruth.meta.id, certification.meta.id);
    assert_eq!(renewed.status, CertificationStatus::Completed, "current again");
    assert_eq!(renewed.completed_date, Some(today()));
    assert_eq!(renewed.expires_date, today().checked_add_months(Months::new(24)), "counted from the new completion");
    assert_ne!(renewed.certificate_number.as_deref(), Some(first_number.as_str()), "a new certificate");

    let history = certifications::history(&store, &system, ruth.meta.id).unwrap();
    let earned: Vec<(NaiveDate, bool, bool)> =
        history.iter().map(|h| (h.record.earned_on, h.record.renewal, h.is_latest)).collect();
    assert_eq!(earned, [(today(), true, true), (long_ago, false, false)]);
    assert_eq!(history[1].record.certificate_number.as_deref(), Some(first_number.as_str()));
    assert_eq!(history[0].record.certificate_number, renewed.certificate_number);
    assert_eq!(history[0].completions, [format!("Child Safety Training — Autumn 2026 ({})", today())]);
    let both: i64 =
        scalar(&store, "SELECT COUNT(*) FROM course_enrollment WHERE people_id = ?1", [ruth.meta.id.to_string()]);
    assert_eq!(both, 2, "the first enrollment is kept with its own completion");
    let kept: CourseEnrollment = records::get(&store, &system, first.meta.id).unwrap();
    assert_eq!(kept.completion_date, Some(long_ago));
}

#[test]
fn a_refresher_course_renews_a_certification_for_someone_who_held_it() {
    let (store, _dir) = fresh_store();
    let full = add_course(&store, "Safe Ministry (full)", None);
    let refresher = add_course(&store, "Safe Ministry refresher", None);
    let full_lessons = add_lessons(&store, full.meta.id, 3, true);
    let refresher_lessons = add_lessons(&store, refresher.meta.id, 1, true);
    let certification = certification_for(&store, "Safe Ministry", &full, 36);
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    editing::update(&mut tx, Certification { refresher_course_id: Some(refresher.meta.id), ..certification.clone() })
        .unwrap();
    tx.commit().unwrap();

    // Someone who never held it gains nothing from the refresher alone.
    let newcomer = add_person(&store, "Lydia", "Thyatira");
    let only_refresher = enroll_in(&store, newcomer.meta.id, refresher.meta.id, None).unwrap();
    complete_all(&store, &only_refresher, &refresher_lessons, today());
    let none: i64 = scalar(
        &store,
        "SELECT COUNT(*) FROM certification_record WHERE people_id = ?1",
        [newcomer.meta.id.to_string()],
    );
    assert_eq!(none, 0);

    let ruth = add_person(&store, "Ruth", "Moabite");
    let earned_on = today() - Duration::days(34 * 30);
    let e = enroll_in(&store, ruth.meta.id, full.meta.id, None).unwrap();
    complete_all(&store, &e, &full_lessons, earned_on);
    let before = standing_of(&store, ruth.meta.id, certification.meta.id);
    assert_eq!(before.expires_date, earned_on.checked_add_months(Months::new(36)));
    let r = enroll_in(&store, ruth.meta.id, refresher.meta.id, None).unwrap();
    complete_all(&store, &r, &refresher_lessons, today());
    let after = standing_of(&store, ruth.meta.id, certification.meta.id);
    assert_eq!(after.completed_date, Some(today()));
    assert_eq!(after.expires_date, today().checked_add_months(Months::new(36)));
    let history = certifications::history(&store, &system, ruth.meta.id).unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[0].record.renewal && history[0].completions[0].starts_with("Safe Ministry refresher"));
}

#[test]
fn a_prerequisite_is_met_by_a_past_offering() {
    let (store, _dir) = fresh_store();
    let basics = add_course(&store, "Basics", None);
    let next = add_course(&store, "Next Steps", None);
    let lessons = add_lessons(&store, basics.meta.id, 1, true);
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    prerequisites::add(&mut tx, next.meta.id, basics.meta.id).unwrap();
    tx.commit().unwrap();
    let ruth = add_person(&store, "Ruth", "Moabite");
    let refused = enroll_in(&store, ruth.meta.id, next.meta.id, None).unwrap_err();
    assert_eq!(refused.code(), cct_domain::ErrorCode::PrerequisitesNotMet);

    // Basics, taken in last year's offering (long over), then dropped and retaken: the
    // completed one counts.
    let mut tx = store.begin_write(&system).unwrap();
    let mut first = records::get::<CourseOffering>(&store, &system, basics.meta.id).unwrap();
    first.name = "Spring 2025".into();
    first.starts_on = Some(today() - Duration::days(600));
    first.ends_on = Some(today() - Duration::days(500));
    editing::update(&mut tx, first).unwrap();
    tx.commit().unwrap();
    let taken = enroll_in(&store, ruth.meta.id, basics.meta.id, Some(basics.meta.id)).unwrap();
    complete_all(&store, &taken, &lessons, today() - Duration::days(520));
    let enrolled = enroll_in(&store, ruth.meta.id, next.meta.id, None).unwrap();
    assert!(!enrolled.dependency_override);
}

#[test]
fn sessions_and_teachers_belong_to_an_offering_and_a_retake_counts_its_own_attendance() {
    let (store, _dir) = fresh_store();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let course =
        records::insert(&mut tx, Course { name: "Alpha".into(), sessions_required: Some(1), ..Default::default() })
            .unwrap();
    tx.commit().unwrap();
    let autumn = add_offering(&store, &course, "Autumn", -3, None);
    let teacher = add_person(&store, "Priscilla", "Teacher");
    let ruth = add_person(&store, "Ruth", "Moabite");

    let mut tx = store.begin_write(&system).unwrap();
    let role = editing::create(
        &mut tx,
        CourseRole {
            people_id: teacher.meta.id,
            course_id: course.meta.id,
            offering_id: Some(autumn.meta.id),
            role_type: CourseRoleType::Teacher,
            assigned_date: today(),
            ..Default::default()
        },
    )
    .unwrap();
    // The same teacher teaches the first offering too: one role per offering.
    let first_role =
        editing::create(&mut tx, CourseRole { meta: Default::default(), offering_id: None, ..role.clone() }).unwrap();
    assert_eq!(first_role.offering_id, Some(course.meta.id), "placed in the first offering");
    let starts = Timestamp::now();
    let session = |offering: Option<Uuid>| ClassSession {
        meta: Default::default(),
        course_id: course.meta.id,
        offering_id: offering,
        facility_id: None,
        title: "Week 1".into(),
        starts_at: starts,
        ends_at: Timestamp::from(starts.as_datetime() + Duration::hours(1)),
        capacity: None,
        status: SessionStatus::Scheduled,
        children_per_adult: None,
        serving_certification_id: None,
    };
    let first_session = editing::create(&mut tx, session(None)).unwrap();
    let autumn_session = editing::create(&mut tx, session(Some(autumn.meta.id))).unwrap();
    let stray = editing::create(&mut tx, session(Some(Uuid::now_v7()))).unwrap_err();
    assert_eq!(stray.field(), Some("offering_id"));
    tx.commit().unwrap();

    let lines = offerings::of_course(&store, &system, course.meta.id, today()).unwrap();
    let autumn_line = lines.iter().find(|l| l.offering.meta.id == autumn.meta.id).unwrap();
    assert_eq!((autumn_line.sessions, autumn_line.teachers.clone()), (1, vec!["Priscilla Teacher".to_owned()]));

    // Ruth attended the first offering and dropped; in autumn she starts from nothing, and the
    // autumn session completes it.
    let first = enroll_in(&store, ruth.meta.id, course.meta.id, Some(course.meta.id)).unwrap();
    mark_present(&store, first_session.meta.id, ruth.meta.id);
    let mut tx = store.begin_write(&system).unwrap();
    drop_enrollment(&mut tx, first.meta.id).unwrap();
    tx.commit().unwrap();
    let retake = enroll_in(&store, ruth.meta.id, course.meta.id, Some(autumn.meta.id)).unwrap();
    let mut tx = store.begin_write(&system).unwrap();
    let fresh = cct_store::office::progress::recompute(&mut tx, retake.meta.id).unwrap();
    tx.commit().unwrap();
    assert_eq!(fresh.status, EnrollmentStatus::Enrolled, "the first offering's session does not count");
    mark_present(&store, autumn_session.meta.id, ruth.meta.id);
    let done: CourseEnrollment = records::get(&store, &system, retake.meta.id).unwrap();
    assert_eq!(done.status, EnrollmentStatus::Completed);
}

#[test]
fn renewals_due_list_the_next_offering_and_enroll_in_it_once() {
    let (store, _dir) = fresh_store();
    let course = add_course(&store, "Child Safety Training", None);
    let lessons = add_lessons(&store, course.meta.id, 1, true);
    let certification = certification_for(&store, "Child Safety", &course, 12);
    let ruth = add_person(&store, "Ruth", "Moabite");
    let naomi = add_person(&store, "Naomi", "Bethlehem");
    let system = system();
    // Ruth's lapsed a month ago; Naomi's is current for most of a year.
    let e = enroll_in(&store, ruth.meta.id, course.meta.id, None).unwrap();
    complete_all(&store, &e, &lessons, today() - Duration::days(395));
    let e = enroll_in(&store, naomi.meta.id, course.meta.id, None).unwrap();
    complete_all(&store, &e, &lessons, today() - Duration::days(30));
    let mut tx = store.begin_write(&system).unwrap();
    let mut first: CourseOffering = records::get(&store, &system, course.meta.id).unwrap();
    first.starts_on = Some(today() - Duration::days(400));
    first.ends_on = Some(today() - Duration::days(300));
    editing::update(&mut tx, first).unwrap();
    tx.commit().unwrap();
    let january = add_offering(&store, &course, "January 2027", 30, Some(10));

    let due = renewals::due(&store, &system, today()).unwrap();
    assert_eq!(due.len(), 1, "only Ruth is due: {due:?}");
    assert_eq!((due[0].people_id, due[0].standing), (ruth.meta.id, Standing::Expired));
    assert_eq!(due[0].next_offering_id, Some(january.meta.id));
    assert_eq!(due[0].next_offering_name.as_deref(), Some("January 2027"));
    assert_eq!(due[0].enrolled_in, None);

    let mut tx = store.begin_write(&system).unwrap();
    let enrolled = renewals::enroll_for_renewal(&mut tx, ruth.meta.id, certification.meta.id).unwrap();
    tx.commit().unwrap();
    assert_eq!(enrolled.offering_id, Some(january.meta.id));
    let due = renewals::due(&store, &system, today()).unwrap();
    assert_eq!(due[0].enrolled_in.as_deref(), Some("January 2027"), "the list says she is enrolled");
    let mut tx = store.begin_write(&system).unwrap();
    let again = renewals::enroll_for_renewal(&mut tx, ruth.meta.id, certification.meta.id).unwrap_err();
    assert_eq!(again.field(), Some("offering_id"), "a second click enrolls no one twice");
}

#[test]
fn enrollments_import_into_a_named_offering_and_export_with_it() {
    let (store, _dir) = fresh_store();
    let course = add_course(&store, "Foundations of Faith", None);
    add_offering(&store, &course, "Spring 2027", 60, None);
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let person = records::insert(
        &mut tx,
        Person {
            first_name: "Lydia".into(),
            last_name: "Thyatira".into(),
            email: Some("lydia@example.org".into()),
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    let never = std::sync::atomic::AtomicBool::new(false);
    let file = "email,course,offering\nlydia@example.org,Foundations of Faith,spring 2027\nlydia@example.org,Foundations of Faith,Winter 1999\n";
    let report = cct_store::transfer::import(
        &store,
        &system,
        cct_store::transfer::CsvKind::Enrollments,
        file,
        cct_store::transfer::Mode::Commit,
        &never,
        |_, _| {},
    )
    .unwrap();
    assert_eq!((report.applied, report.failed), (1, 1), "{report:?}");
    assert_eq!(report.rows[1].error.as_ref().map(|e| e.field.as_deref()), Some(Some("offering")));
    let offering: String = scalar(
        &store,
        "SELECT o.name FROM course_enrollment e JOIN course_offering o ON o.id = e.offering_id WHERE e.people_id = ?1",
        [person.meta.id.to_string()],
    );
    assert_eq!(offering, "Spring 2027");
    let exported = cct_store::transfer::export_enrollments(&store, &system).unwrap();
    let mut lines = exported.lines();
    assert!(lines.next().unwrap().contains("course,offering,status"));
    assert!(lines.next().unwrap().contains("Foundations of Faith,Spring 2027,enrolled"));
}

#[test]
fn a_sessions_roster_is_its_offerings_and_planning_center_hears_the_latest_completion_once() {
    let (store, _dir) = fresh_store();
    let course = add_course(&store, "Foundations of Faith", None);
    let lessons = add_lessons(&store, course.meta.id, 1, true);
    let autumn = add_offering(&store, &course, "Autumn", 5, None);
    let ruth = add_person(&store, "Ruth", "Moabite");
    let naomi = add_person(&store, "Naomi", "Bethlehem");
    let long_ago = today() - Duration::days(800);
    let first = enroll_in(&store, ruth.meta.id, course.meta.id, Some(course.meta.id)).unwrap();
    complete_all(&store, &first, &lessons, long_ago);
    let retake = enroll_in(&store, ruth.meta.id, course.meta.id, Some(autumn.meta.id)).unwrap();
    complete_all(&store, &retake, &lessons, today());
    enroll_in(&store, naomi.meta.id, course.meta.id, Some(course.meta.id)).unwrap();

    let summary = cct_store::planning_center::summaries::completions_summary(&store, ruth.meta.id).unwrap();
    assert_eq!(summary, format!("Foundations of Faith ({})", today()), "the course once, with its latest completion");

    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let starts = Timestamp::now();
    let session =
        editing::create(&mut tx, hour_long_session(course.meta.id, Some(autumn.meta.id), "Autumn, week 1", starts))
            .unwrap();
    tx.commit().unwrap();
    let roster = attendance::session_roster(&store, &system, session.meta.id).unwrap();
    let names: Vec<(Uuid, Option<Uuid>)> = roster.iter().map(|l| (l.people_id, l.enrollment_id)).collect();
    assert_eq!(
        names,
        [(ruth.meta.id, Some(retake.meta.id))],
        "Autumn's roster: Ruth's retake, not Naomi of the first offering"
    );
}
