use crate::common::*;
use cct_domain::records::*;
use cct_store::audit::{self, AuditQuery};
use cct_store::enrollment::{drop_enrollment, enroll, EnrollRequest};
use cct_store::{prerequisites, progress, records};
use uuid::Uuid;

async fn complete_course(store: &cct_store::Store, person: Uuid, course: Uuid) {
    let lessons = add_lessons(store, course, 1, true).await;
    let system = system();
    let mut tx = store.begin_write(&system).await.unwrap();
    let e = enroll(&mut tx, EnrollRequest { people_id: person, course_id: course, ..Default::default() }).await.unwrap();
    let done = progress::complete_content(&mut tx, progress::CompletionInput { course_enrollment_id: e.meta.id, content_id: lessons[0], ..Default::default() }).await.unwrap();
    assert_eq!(done.status, EnrollmentStatus::Completed);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn enrolling_checks_prerequisites() {
    let (store, _dir) = fresh_store().await;
    let alpha = add_course(&store, "Alpha", None).await;
    let beta = add_course(&store, "Beta", None).await;
    let ruth = add_person(&store, "Ruth", "Moabite").await;
    let staff = person_with_role(&store, "Stella", "staff").await;
    let mut tx = store.begin_write(&staff).await.unwrap();
    prerequisites::add(&mut tx, beta.meta.id, alpha.meta.id).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin_write(&staff).await.unwrap();
    let error = enroll(&mut tx, EnrollRequest { people_id: ruth.meta.id, course_id: beta.meta.id, ..Default::default() }).await.unwrap_err();
    drop(tx);
    assert_eq!(error.code(), "prerequisites_not_met");
    assert!(error.to_string().contains("Alpha"), "{error}");

    complete_course(&store, ruth.meta.id, alpha.meta.id).await;
    let mut tx = store.begin_write(&staff).await.unwrap();
    let enrolled = enroll(&mut tx, EnrollRequest { people_id: ruth.meta.id, course_id: beta.meta.id, ..Default::default() }).await.unwrap();
    tx.commit().await.unwrap();
    assert!(!enrolled.dependency_override);
    assert_eq!(enrolled.registration_status, RegistrationStatus::Registered);
}

#[tokio::test]
async fn only_an_admin_overrides_and_the_override_records_who_and_why() {
    let (store, _dir) = fresh_store().await;
    let alpha = add_course(&store, "Alpha", None).await;
    let beta = add_course(&store, "Beta", None).await;
    let ruth = add_person(&store, "Ruth", "Moabite").await;
    let staff = person_with_role(&store, "Stella", "staff").await;
    let admin = person_with_role(&store, "Adam", "admin").await;
    let mut tx = store.begin_write(&admin).await.unwrap();
    prerequisites::add(&mut tx, beta.meta.id, alpha.meta.id).await.unwrap();
    tx.commit().await.unwrap();
    let request = EnrollRequest { people_id: ruth.meta.id, course_id: beta.meta.id, override_reason: Some("Took Alpha at her previous church".into()), ..Default::default() };

    let mut tx = store.begin_write(&staff).await.unwrap();
    assert_eq!(enroll(&mut tx, request.clone()).await.unwrap_err().code(), "permission_denied");
    drop(tx);

    let mut tx = store.begin_write(&admin).await.unwrap();
    let blank = EnrollRequest { override_reason: Some("   ".into()), ..request.clone() };
    assert_eq!(enroll(&mut tx, blank).await.unwrap_err().field(), Some("override_reason"));
    let enrolled = enroll(&mut tx, request).await.unwrap();
    tx.commit().await.unwrap();
    assert!(enrolled.dependency_override);
    assert_eq!(enrolled.dependency_override_by, admin.person_id);
    assert_eq!(enrolled.dependency_override_reason.as_deref(), Some("Took Alpha at her previous church"));
    assert!(enrolled.dependency_override_at.is_some());

    let trail = audit::query(&store, &admin, &AuditQuery { record_id: Some(enrolled.meta.id.to_string()), ..Default::default() }).await.unwrap();
    assert_eq!(trail[0].reason.as_deref(), Some("Took Alpha at her previous church"));
    assert_eq!(trail[0].changed_by, admin.person_id.map(|id| id.to_string()));
}

#[tokio::test]
async fn a_prerequisite_cycle_is_refused_at_save_time() {
    let (store, _dir) = fresh_store().await;
    let a = add_course(&store, "Alpha", None).await;
    let b = add_course(&store, "Beta", None).await;
    let c = add_course(&store, "Gamma", None).await;
    let system = system();
    let mut tx = store.begin_write(&system).await.unwrap();
    prerequisites::add(&mut tx, b.meta.id, a.meta.id).await.unwrap();
    prerequisites::add(&mut tx, c.meta.id, b.meta.id).await.unwrap();
    tx.commit().await.unwrap();
    let edges = count(&store, "course_prerequisite").await;

    let mut tx = store.begin_write(&system).await.unwrap();
    let error = prerequisites::add(&mut tx, a.meta.id, c.meta.id).await.unwrap_err();
    drop(tx);
    assert_eq!(error.code(), "prerequisite_cycle");
    assert!(error.to_string().contains("Alpha → Gamma → Beta → Alpha"), "{error}");
    assert_eq!(count(&store, "course_prerequisite").await, edges);
    let listed = prerequisites::of_course(&store, &system, c.meta.id).await.unwrap();
    assert_eq!(listed.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["Beta"]);
}

#[tokio::test]
async fn past_capacity_people_are_waitlisted_and_move_up_when_a_seat_opens() {
    let (store, _dir) = fresh_store().await;
    let course = add_course(&store, "Small group", Some(2)).await;
    let mut people = Vec::new();
    for name in ["Ann", "Ben", "Cat", "Dov"] {
        people.push(add_person(&store, name, "Member").await);
    }
    let system = system();
    let mut enrollments = Vec::new();
    for person in &people {
        let mut tx = store.begin_write(&system).await.unwrap();
        enrollments.push(enroll(&mut tx, EnrollRequest { people_id: person.meta.id, course_id: course.meta.id, ..Default::default() }).await.unwrap());
        tx.commit().await.unwrap();
    }
    let statuses: Vec<_> = enrollments.iter().map(|e| e.registration_status).collect();
    use RegistrationStatus::*;
    assert_eq!(statuses, vec![Registered, Registered, Waitlisted, Waitlisted]);
    assert!(enrollments[2].waitlisted_at.is_some());
    let course_now: Course = records::get(&store, &system, course.meta.id).await.unwrap();
    assert_eq!(course_now.current_registrations, 2);

    let mut tx = store.begin_write(&system).await.unwrap();
    drop_enrollment(&mut tx, enrollments[0].meta.id).await.unwrap();
    tx.commit().await.unwrap();
    let cat: CourseEnrollment = records::get(&store, &system, enrollments[2].meta.id).await.unwrap();
    let dov: CourseEnrollment = records::get(&store, &system, enrollments[3].meta.id).await.unwrap();
    assert_eq!((cat.registration_status, dov.registration_status), (Registered, Waitlisted), "first come, first served");
    let course_now: Course = records::get(&store, &system, course.meta.id).await.unwrap();
    assert_eq!(course_now.current_registrations, 2);

    let mut tx = store.begin_write(&system).await.unwrap();
    let again = enroll(&mut tx, EnrollRequest { people_id: people[1].meta.id, course_id: course.meta.id, ..Default::default() }).await.unwrap_err();
    assert_eq!(again.code(), "conflict", "already enrolled");
}
