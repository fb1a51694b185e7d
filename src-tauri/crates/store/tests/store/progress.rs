use crate::common::*;
use cct_domain::records::*;
use cct_domain::rules::certification::Standing;
use cct_store::office::certifications::{self, StandingFilter};
use cct_store::office::enrollment::{enroll, EnrollRequest};
use cct_store::office::progress::{complete_content, undo_completion, CompletionInput};
use cct_store::office::settings;
use cct_store::{records, ListQuery};

#[test]
fn progress_follows_required_content_and_completes_the_enrollment() {
    let (store, _dir) = fresh_store();
    let course = add_course(&store, "Alpha", None);
    let required = add_lessons(&store, course.meta.id, 4, true);
    let optional = add_lessons(&store, course.meta.id, 1, false);
    let ruth = add_person(&store, "Ruth", "Moabite");
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let enrollment =
        enroll(&mut tx, EnrollRequest { people_id: ruth.meta.id, course_id: course.meta.id, ..Default::default() })
            .unwrap();
    let complete =
        |content_id| CompletionInput { course_enrollment_id: enrollment.meta.id, content_id, ..Default::default() };

    let after_optional = complete_content(&mut tx, complete(optional[0])).unwrap();
    assert_eq!(after_optional.progress_percentage, 0.0);
    let one = complete_content(&mut tx, complete(required[0])).unwrap();
    assert_eq!((one.progress_percentage, one.status), (25.0, EnrollmentStatus::InProgress));
    for id in &required[1..3] {
        complete_content(&mut tx, complete(*id)).unwrap();
    }
    let again = complete_content(&mut tx, complete(required[0])).unwrap();
    assert_eq!(again.progress_percentage, 75.0, "completing twice counts once");
    let done = complete_content(&mut tx, complete(required[3])).unwrap();
    assert_eq!((done.progress_percentage, done.status), (100.0, EnrollmentStatus::Completed));
    assert_eq!(done.completion_date, Some(tx.now().date()));

    let undone = undo_completion(&mut tx, enrollment.meta.id, required[3]).unwrap();
    assert_eq!(
        (undone.progress_percentage, undone.status, undone.completion_date),
        (75.0, EnrollmentStatus::InProgress, None)
    );
    tx.commit().unwrap();
}

#[test]
fn content_from_another_course_is_refused() {
    let (store, _dir) = fresh_store();
    let alpha = add_course(&store, "Alpha", None);
    let beta = add_course(&store, "Beta", None);
    let beta_lesson = add_lessons(&store, beta.meta.id, 1, true);
    let ruth = add_person(&store, "Ruth", "Moabite");
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let e = enroll(&mut tx, EnrollRequest { people_id: ruth.meta.id, course_id: alpha.meta.id, ..Default::default() })
        .unwrap();
    let error = complete_content(
        &mut tx,
        CompletionInput { course_enrollment_id: e.meta.id, content_id: beta_lesson[0], ..Default::default() },
    )
    .unwrap_err();
    assert_eq!(error.field(), Some("content_id"));
}

#[test]
fn a_certification_completes_with_its_courses_and_expires_after_its_validity() {
    let (store, _dir) = fresh_store();
    let safety = add_course(&store, "Child Safety", None);
    let first_aid = add_course(&store, "First Aid", None);
    let safety_lessons = add_lessons(&store, safety.meta.id, 2, true);
    let aid_lessons = add_lessons(&store, first_aid.meta.id, 1, true);
    let ruth = add_person(&store, "Ruth", "Moabite");
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let cert = records::insert(
        &mut tx,
        Certification { name: "Children's Worker".into(), validity_months: Some(24), ..Default::default() },
    )
    .unwrap();
    for course in [&safety, &first_aid] {
        records::insert(
            &mut tx,
            CertificationCourse { certification_id: cert.meta.id, course_id: course.meta.id, ..Default::default() },
        )
        .unwrap();
    }
    let e1 =
        enroll(&mut tx, EnrollRequest { people_id: ruth.meta.id, course_id: safety.meta.id, ..Default::default() })
            .unwrap();
    let e2 =
        enroll(&mut tx, EnrollRequest { people_id: ruth.meta.id, course_id: first_aid.meta.id, ..Default::default() })
            .unwrap();
    for id in safety_lessons {
        complete_content(
            &mut tx,
            CompletionInput { course_enrollment_id: e1.meta.id, content_id: id, ..Default::default() },
        )
        .unwrap();
    }
    tx.commit().unwrap();
    let progress = records::list::<CertificationProgress>(&store, &system, &ListQuery::default()).unwrap();
    assert_eq!(progress.items.len(), 1);
    assert_eq!(progress.items[0].status, CertificationStatus::InProgress, "one course still to go");

    let mut tx = store.begin_write(&system).unwrap();
    complete_content(
        &mut tx,
        CompletionInput { course_enrollment_id: e2.meta.id, content_id: aid_lessons[0], ..Default::default() },
    )
    .unwrap();
    let today = tx.now().date();
    tx.commit().unwrap();
    let earned = &records::list::<CertificationProgress>(&store, &system, &ListQuery::default()).unwrap().items[0];
    assert_eq!(earned.status, CertificationStatus::Completed);
    assert_eq!(earned.completed_date, Some(today));
    assert_eq!(earned.expires_date, today.checked_add_months(chrono::Months::new(24)));
    assert!(earned.certificate_number.as_deref().unwrap().starts_with("CCT-"));

    // Standing: current today, expiring soon near the end (window is the office's setting),
    // expired after.
    let expires = earned.expires_date.unwrap();
    let now_list = certifications::standings(&store, &system, StandingFilter::All, today).unwrap();
    assert_eq!(now_list[0].standing, Standing::Current);
    let mut tx = store.begin_write(&system).unwrap();
    settings::set(&mut tx, settings::EXPIRING_SOON_DAYS, &30).unwrap();
    tx.commit().unwrap();
    let soon =
        certifications::standings(&store, &system, StandingFilter::ExpiringSoon, expires - chrono::Duration::days(30))
            .unwrap();
    assert_eq!(soon.len(), 1);
    assert_eq!(soon[0].standing, Standing::ExpiringSoon { days_left: 30 });
    assert_eq!(soon[0].person_name, "Ruth Moabite");
    assert!(certifications::standings(
        &store,
        &system,
        StandingFilter::ExpiringSoon,
        expires - chrono::Duration::days(31)
    )
    .unwrap()
    .is_empty());
    let lapsed =
        certifications::standings(&store, &system, StandingFilter::Expired, expires + chrono::Duration::days(1))
            .unwrap();
    assert_eq!(lapsed.len(), 1);
}

#[test]
fn lapsed_certifications_are_marked_expired() {
    let (store, _dir) = fresh_store();
    let ruth = add_person(&store, "Ruth", "Moabite");
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let cert = records::insert(
        &mut tx,
        Certification { name: "Usher".into(), validity_months: Some(12), ..Default::default() },
    )
    .unwrap();
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let old = records::insert(
        &mut tx,
        CertificationProgress {
            people_id: ruth.meta.id,
            certification_id: cert.meta.id,
            started_date: day("2020-01-01"),
            completed_date: Some(day("2020-02-01")),
            expires_date: Some(day("2021-02-01")),
            status: CertificationStatus::Completed,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(certifications::expire_lapsed(&mut tx).unwrap(), 1);
    tx.commit().unwrap();
    let now: CertificationProgress = records::get(&store, &system, old.meta.id).unwrap();
    assert_eq!(now.status, CertificationStatus::Expired);
}
