use crate::common::*;
use cct_domain::records::*;
use cct_store::office::audit::{self, AuditQuery};
use cct_store::office::enrollment::{drop_enrollment, enroll, EnrollRequest};
use cct_store::office::{prerequisites, progress};
use cct_store::records;
use uuid::Uuid;

fn complete_course(store: &cct_store::Store, person: Uuid, course: Uuid) {
    let lessons = add_lessons(store, course, 1, true);
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let e = enroll(&mut tx, EnrollRequest { people_id: person, course_id: course, ..Default::default() }).unwrap();
    let done = progress::complete_content(
        &mut tx,
        progress::CompletionInput { course_enrollment_id: e.meta.id, content_id: lessons[0], ..Default::default() },
    )
    .unwrap();
    assert_eq!(done.status, EnrollmentStatus::Completed);
    tx.commit().unwrap();
}

#[test]
fn enrolling_checks_prerequisites() {
    let (store, _dir) = fresh_store();
    let alpha = add_course(&store, "Alpha", None);
    let beta = add_course(&store, "Beta", None);
    let ruth = add_person(&store, "Ruth", "Moabite");
    let staff = person_with_role(&store, "Stella", "staff");
    let mut tx = store.begin_write(&staff).unwrap();
    prerequisites::add(&mut tx, beta.meta.id, alpha.meta.id).unwrap();
    tx.commit().unwrap();

    let mut tx = store.begin_write(&staff).unwrap();
    let error =
        enroll(&mut tx, EnrollRequest { people_id: ruth.meta.id, course_id: beta.meta.id, ..Default::default() })
            .unwrap_err();
    drop(tx);
    assert_eq!(error.code(), cct_domain::ErrorCode::PrerequisitesNotMet);
    assert!(error.to_string().contains("Alpha"), "{error}");

    complete_course(&store, ruth.meta.id, alpha.meta.id);
    let mut tx = store.begin_write(&staff).unwrap();
    let enrolled =
        enroll(&mut tx, EnrollRequest { people_id: ruth.meta.id, course_id: beta.meta.id, ..Default::default() })
            .unwrap();
    tx.commit().unwrap();
    assert!(!enrolled.dependency_override);
    assert_eq!(enrolled.registration_status, RegistrationStatus::Registered);
}

#[test]
fn only_an_admin_overrides_and_the_override_records_who_and_why() {
    let (store, _dir) = fresh_store();
    let alpha = add_course(&store, "Alpha", None);
    let beta = add_course(&store, "Beta", None);
    let ruth = add_person(&store, "Ruth", "Moabite");
    let staff = person_with_role(&store, "Stella", "staff");
    let admin = person_with_role(&store, "Adam", "admin");
    let mut tx = store.begin_write(&admin).unwrap();
    prerequisites::add(&mut tx, beta.meta.id, alpha.meta.id).unwrap();
    tx.commit().unwrap();
    let request = EnrollRequest {
        people_id: ruth.meta.id,
        course_id: beta.meta.id,
        override_reason: Some("Took Alpha at her previous church".into()),
        ..Default::default()
    };

    let mut tx = store.begin_write(&staff).unwrap();
    assert_eq!(enroll(&mut tx, request.clone()).unwrap_err().code(), cct_domain::ErrorCode::PermissionDenied);
    drop(tx);

    let mut tx = store.begin_write(&admin).unwrap();
    let blank = EnrollRequest { override_reason: Some("   ".into()), ..request.clone() };
    assert_eq!(enroll(&mut tx, blank).unwrap_err().field(), Some("override_reason"));
    let enrolled = enroll(&mut tx, request).unwrap();
    tx.commit().unwrap();
    assert!(enrolled.dependency_override);
    assert_eq!(enrolled.dependency_override_by, admin.person_id);
    assert_eq!(enrolled.dependency_override_reason.as_deref(), Some("Took Alpha at her previous church"));
    assert!(enrolled.dependency_override_at.is_some());

    let trail = audit::query(
        &store,
        &admin,
        &AuditQuery { record_id: Some(enrolled.meta.id.to_string()), ..Default::default() },
    )
    .unwrap();
    assert_eq!(trail[0].reason.as_deref(), Some("Took Alpha at her previous church"));
    assert_eq!(trail[0].changed_by, admin.person_id.map(|id| id.to_string()));
}

#[test]
fn a_prerequisite_cycle_is_refused_at_save_time() {
    let (store, _dir) = fresh_store();
    let a = add_course(&store, "Alpha", None);
    let b = add_course(&store, "Beta", None);
    let c = add_course(&store, "Gamma", None);
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    prerequisites::add(&mut tx, b.meta.id, a.meta.id).unwrap();
    prerequisites::add(&mut tx, c.meta.id, b.meta.id).unwrap();
    tx.commit().unwrap();
    let edges = count(&store, "course_prerequisite");

    let mut tx = store.begin_write(&system).unwrap();
    let error = prerequisites::add(&mut tx, a.meta.id, c.meta.id).unwrap_err();
    drop(tx);
    assert_eq!(error.code(), cct_domain::ErrorCode::PrerequisiteCycle);
    assert!(error.to_string().contains("Alpha → Gamma → Beta → Alpha"), "{error}");
    assert_eq!(count(&store, "course_prerequisite"), edges);
    let listed = prerequisites::of_course(&store, &system, c.meta.id).unwrap();
    assert_eq!(listed.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["Beta"]);
}

#[test]
fn past_capacity_people_are_waitlisted_and_move_up_when_a_seat_opens() {
    let (store, _dir) = fresh_store();
    let course = add_course(&store, "Small group", Some(2));
    let mut people = Vec::new();
    for name in ["Ann", "Ben", "Cat", "Dov"] {
        people.push(add_person(&store, name, "Member"));
    }
    let system = system();
    let mut enrollments = Vec::new();
    for person in &people {
        let mut tx = store.begin_write(&system).unwrap();
        enrollments.push(
            enroll(
                &mut tx,
                EnrollRequest { people_id: person.meta.id, course_id: course.meta.id, ..Default::default() },
            )
            .unwrap(),
        );
        tx.commit().unwrap();
    }
    let statuses: Vec<_> = enrollments.iter().map(|e| e.registration_status).collect();
    use RegistrationStatus::*;
    assert_eq!(statuses, vec![Registered, Registered, Waitlisted, Waitlisted]);
    assert!(enrollments[2].waitlisted_at.is_some());
    let course_now: Course = records::get(&store, &system, course.meta.id).unwrap();
    assert_eq!(course_now.current_registrations, 2);

    let mut tx = store.begin_write(&system).unwrap();
    drop_enrollment(&mut tx, enrollments[0].meta.id).unwrap();
    tx.commit().unwrap();
    let cat: CourseEnrollment = records::get(&store, &system, enrollments[2].meta.id).unwrap();
    let dov: CourseEnrollment = records::get(&store, &system, enrollments[3].meta.id).unwrap();
    assert_eq!(
        (cat.registration_status, dov.registration_status),
        (Registered, Waitlisted),
        "first come, first served"
    );
    let course_now: Course = records::get(&store, &system, course.meta.id).unwrap();
    assert_eq!(course_now.current_registrations, 2);

    let mut tx = store.begin_write(&system).unwrap();
    let again = enroll(
        &mut tx,
        EnrollRequest { people_id: people[1].meta.id, course_id: course.meta.id, ..Default::default() },
    )
    .unwrap_err();
    assert_eq!(again.code(), cct_domain::ErrorCode::Conflict, "already enrolled");
}
