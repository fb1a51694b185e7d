use crate::common::*;
use cct_domain::records::*;
use cct_domain::Permission;
use cct_store::office::{outbox, people as actor, settings};
use cct_store::{demo, records, ListQuery};

#[test]
fn the_demo_church_loads_once_into_an_empty_database() {
    let (store, _dir) = fresh_store();
    let summary = demo::load(&store, 300).unwrap();
    assert_eq!((summary.campuses, summary.people, summary.courses), (2, 300, 5));
    assert!(summary.households >= 60);
    assert_eq!(count(&store, "people"), 300);
    assert_eq!(outbox::pending_count(&store).unwrap(), 0, "demo data never goes to Planning Center");
    assert_eq!(settings::get::<bool>(&store, settings::DEMO_MODE).unwrap(), Some(true));

    let admin = actor::actor_for_person(&store, summary.admin_person_id).unwrap();
    assert!(admin.can(Permission::OverridePrerequisites));
    let system = system();
    let prereqs = records::list::<CoursePrerequisite>(&store, &system, &ListQuery::default()).unwrap();
    assert_eq!(prereqs.total, 2);
    let earned =
        records::list::<CertificationProgress>(&store, &system, &ListQuery::default().filter("status", "completed"))
            .unwrap();
    assert!(earned.total > 0, "some volunteers hold the certification");
    let completed =
        records::list::<CourseEnrollment>(&store, &system, &ListQuery::default().filter("status", "completed"))
            .unwrap();
    assert!(completed.total > 10);
    assert!(count(&store, "special_requirement") > 0);
    assert!(count(&store, "class_session") > 0);

    let again = demo::load(&store, 300).unwrap_err();
    assert_eq!(again.code(), cct_domain::ErrorCode::Conflict);
    assert_eq!(count(&store, "people"), 300);
}
