use crate::common::*;
use cct_domain::records::*;
use cct_domain::Record;
use cct_store::office::audit::{self, AuditQuery};
use cct_store::office::outbox;
use cct_store::{records, ListQuery};

#[test]
fn insert_writes_the_row_its_audit_entry_and_its_outbox_entry_together() {
    let (store, _dir) = fresh_store();
    let person = add_person(&store, "Ruth", "Moabite");

    let read: Person = records::get(&store, &system(), person.meta.id).unwrap();
    assert_eq!(read, person);
    let trail = audit::query(
        &store,
        &system(),
        &AuditQuery { record_id: Some(person.meta.id.to_string()), ..Default::default() },
    )
    .unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "insert");
    assert_eq!(trail[0].table_name, "people");
    assert_eq!(trail[0].new_values.as_ref().unwrap()["first_name"], "Ruth");
    assert_eq!(trail[0].old_values, None);
    assert_eq!(outbox::pending_count(&store).unwrap(), 1);
}

#[test]
fn update_audits_only_what_changed_and_keeps_creation_stamps() {
    let (store, _dir) = fresh_store();
    let person = add_person(&store, "Ruth", "Moabite");
    let admin = person_with_role(&store, "Naomi", "admin");

    let mut tx = store.begin_write(&admin).unwrap();
    let edited = records::update(&mut tx, Person { email: Some("ruth@example.org".into()), ..person.clone() }).unwrap();
    tx.commit().unwrap();

    assert_eq!(edited.meta.created_at, person.meta.created_at);
    assert_eq!(edited.meta.updated_by, admin.person_id);
    assert!(edited.meta.updated_at >= person.meta.updated_at);
    let trail = audit::query(
        &store,
        &system(),
        &AuditQuery { record_id: Some(person.meta.id.to_string()), ..Default::default() },
    )
    .unwrap();
    assert_eq!(trail[0].action, "update");
    assert_eq!(trail[0].changed_by, admin.person_id.map(|id| id.to_string()));
    let new = trail[0].new_values.as_ref().unwrap().as_object().unwrap();
    assert_eq!(new.keys().collect::<Vec<_>>(), vec!["email"]);
    assert_eq!(trail[0].old_values.as_ref().unwrap()["email"], serde_json::Value::Null);
}

#[test]
fn an_update_that_changes_nothing_writes_nothing() {
    let (store, _dir) = fresh_store();
    let person = add_person(&store, "Ruth", "Moabite");
    let audits = count(&store, "audit_log");
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    records::update(&mut tx, person.clone()).unwrap();
    tx.commit().unwrap();
    assert_eq!(count(&store, "audit_log"), audits);
}

#[test]
fn soft_delete_keeps_the_row_and_hides_it_from_lists() {
    let (store, _dir) = fresh_store();
    let keep = add_person(&store, "Ruth", "Moabite");
    let gone = add_person(&store, "Orpah", "Moabite");
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let deactivated: Person = records::deactivate(&mut tx, gone.meta.id).unwrap();
    tx.commit().unwrap();
    assert!(!deactivated.meta.is_active);

    let active = records::list::<Person>(&store, &system, &ListQuery::default()).unwrap();
    assert_eq!(active.items.iter().map(|p| p.meta.id).collect::<Vec<_>>(), vec![keep.meta.id]);
    let all =
        records::list::<Person>(&store, &system, &ListQuery { include_inactive: true, ..Default::default() }).unwrap();
    assert_eq!(all.total, 2);
    let trail =
        audit::query(&store, &system, &AuditQuery { record_id: Some(gone.meta.id.to_string()), ..Default::default() })
            .unwrap();
    assert_eq!(trail[0].action, "delete");
    assert_eq!(trail[0].new_values.as_ref().unwrap()["is_active"], false);
}

#[test]
fn list_filters_orders_and_pages() {
    let (store, _dir) = fresh_store();
    for (first, last) in [("Anna", "Zimmer"), ("Boaz", "Young"), ("Cora", "Young"), ("Dan", "Xu"), ("Eli", "Young")] {
        add_person(&store, first, last);
    }
    let system = system();
    let youngs = ListQuery::default().filter("last_name", "Young").order_by("first_name").page(2, 0);
    let page = records::list::<Person>(&store, &system, &youngs).unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.items.iter().map(|p| p.first_name.as_str()).collect::<Vec<_>>(), vec!["Boaz", "Cora"]);
    let next = records::list::<Person>(&store, &system, &youngs.clone().page(2, 2)).unwrap();
    assert_eq!(next.items.iter().map(|p| p.first_name.as_str()).collect::<Vec<_>>(), vec!["Eli"]);
    let none_filter = ListQuery::default().filter("email", serde_json::Value::Null);
    assert_eq!(records::list::<Person>(&store, &system, &none_filter).unwrap().total, 5);
}

#[test]
fn every_record_type_round_trips_through_its_table() {
    let (store, _dir) = fresh_store();
    let system = system();
    let person = add_person(&store, "Ruth", "Moabite");
    let course = add_course(&store, "Alpha", None);
    let lessons = add_lessons(&store, course.meta.id, 1, true);
    let today = chrono::Utc::now().date_naive();
    let mut tx = store.begin_write(&system).unwrap();
    let campus =
        records::insert(&mut tx, Campus { name: "North".into(), time_zone: "UTC".into(), ..Default::default() })
            .unwrap();
    let room = records::insert(
        &mut tx,
        Facility { campus_id: campus.meta.id, name: "Room 1".into(), capacity: Some(20), ..Default::default() },
    )
    .unwrap();
    let household =
        records::insert(&mut tx, Household { name: "Moabite Household".into(), ..Default::default() }).unwrap();
    let module = records::insert(
        &mut tx,
        CourseModule { course_id: course.meta.id, title: "Module 1".into(), order_sequence: 0, ..Default::default() },
    )
    .unwrap();
    let role = records::insert(
        &mut tx,
        Role { name: "greeter".into(), permissions: vec!["people.read".into()], ..Default::default() },
    )
    .unwrap();
    let kind = records::insert(&mut tx, ContentType { name: "podcast".into(), ..Default::default() }).unwrap();
    let assessment = records::insert(
        &mut tx,
        Assessment {
            course_id: course.meta.id,
            module_id: Some(module.meta.id),
            title: "Quiz".into(),
            passing_score: 70.0,
            is_required: true,
            ..Default::default()
        },
    )
    .unwrap();
    let enrollment = records::insert(
        &mut tx,
        CourseEnrollment {
            people_id: person.meta.id,
            course_id: course.meta.id,
            enrollment_date: today,
            ..Default::default()
        },
    )
    .unwrap();
    let start = cct_domain::Timestamp::parse("2026-11-29T15:00:00Z").unwrap();
    let session = records::insert(
        &mut tx,
        ClassSession {
            meta: Default::default(),
            course_id: course.meta.id,
            offering_id: None,
            facility_id: Some(room.meta.id),
            title: "Week 1".into(),
            starts_at: start,
            ends_at: cct_domain::Timestamp::parse("2026-11-29T16:30:00Z").unwrap(),
            capacity: Some(20),
            status: SessionStatus::Scheduled,
            children_per_adult: None,
            serving_certification_id: None,
        },
    )
    .unwrap();
    let certification = records::insert(
        &mut tx,
        Certification { name: "Usher".into(), validity_months: Some(12), ..Default::default() },
    )
    .unwrap();
    let saved = (
        records::insert(
            &mut tx,
            PeopleCampus {
                people_id: person.meta.id,
                campus_id: campus.meta.id,
                assigned_date: today,
                is_primary: true,
                ..Default::default()
            },
        )
        .unwrap(),
        records::insert(
            &mut tx,
            PeopleRole { people_id: person.meta.id, role_id: role.meta.id, assigned_date: today, ..Default::default() },
        )
        .unwrap(),
        records::insert(
            &mut tx,
            CourseRole {
                people_id: person.meta.id,
                course_id: course.meta.id,
                role_type: CourseRoleType::Observer,
                assigned_date: today,
                ..Default::default()
            },
        )
        .unwrap(),
        records::insert(
            &mut tx,
            ContentCompletion {
                course_enrollment_id: enrollment.meta.id,
                content_id: lessons[0],
                score: Some(88.5),
                ..Default::default()
            },
        )
        .unwrap(),
        records::insert(
            &mut tx,
            AssessmentAttempt {
                course_enrollment_id: enrollment.meta.id,
                assessment_id: assessment.meta.id,
                attempt_number: 1,
                score: 91.0,
                is_passed: true,
                ..Default::default()
            },
        )
        .unwrap(),
        records::insert(
            &mut tx,
            AttendanceRecord {
                class_session_id: session.meta.id,
                people_id: person.meta.id,
                course_enrollment_id: Some(enrollment.meta.id),
                status: AttendanceStatus::Late,
                check_in_at: Some(start),
                security_code: Some("K7Q2".into()),
                ..Default::default()
            },
        )
        .unwrap(),
        records::insert(
            &mut tx,
            SpecialRequirement {
                people_id: person.meta.id,
                requirement_type: RequirementType::Allergy,
                details: "Peanuts".into(),
                severity: Severity::Critical,
                ..Default::default()
            },
        )
        .unwrap(),
        records::insert(
            &mut tx,
            CertificationCourse {
                certification_id: certification.meta.id,
                course_id: course.meta.id,
                ..Default::default()
            },
        )
        .unwrap(),
        records::insert(
            &mut tx,
            CertificationProgress {
                people_id: person.meta.id,
                certification_id: certification.meta.id,
                started_date: today,
                ..Default::default()
            },
        )
        .unwrap(),
    );
    tx.commit().unwrap();

    fn same<T: Record + PartialEq + std::fmt::Debug>(store: &cct_store::Store, record: &T) {
        let read: T = records::get(store, &cct_domain::Actor::system(), record.id()).unwrap();
        assert_eq!(&read, record, "{}", T::TABLE);
    }
    same(&store, &campus);
    same(&store, &room);
    same(&store, &household);
    same(&store, &module);
    same(&store, &role);
    same(&store, &kind);
    same(&store, &assessment);
    same(&store, &enrollment);
    same(&store, &session);
    same(&store, &certification);
    same(&store, &saved.0);
    same(&store, &saved.1);
    same(&store, &saved.2);
    same(&store, &saved.3);
    same(&store, &saved.4);
    same(&store, &saved.5);
    same(&store, &saved.6);
    same(&store, &saved.7);
    same(&store, &saved.8);
}
