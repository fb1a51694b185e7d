use crate::common::*;
use cct_domain::records::*;
use cct_domain::Permission;
use cct_store::{actor, demo, outbox, records, settings, ListQuery};

#[tokio::test]
async fn the_demo_church_loads_once_into_an_empty_database() {
    let (store, _dir) = fresh_store().await;
    let summary = demo::load(&store, 300).await.unwrap();
    assert_eq!((summary.campuses, summary.people, summary.courses), (2, 300, 5));
    assert!(summary.households >= 60);
    assert_eq!(count(&store, "people").await, 300);
    assert_eq!(outbox::pending_count(&store).await.unwrap(), 0, "demo data never goes to Planning Center");
    assert_eq!(settings::get::<bool>(&store, settings::DEMO_MODE).await.unwrap(), Some(true));

    let admin = actor::actor_for_person(&store, summary.admin_person_id).await.unwrap();
    assert!(admin.can(Permission::OverridePrerequisites));
    let system = system();
    let prereqs = records::list::<CoursePrerequisite>(&store, &system, &ListQuery::default()).await.unwrap();
    assert_eq!(prereqs.total, 2);
    let earned = records::list::<CertificationProgress>(&store, &system, &ListQuery::default().filter("status", "completed")).await.unwrap();
    assert!(earned.total > 0, "some volunteers hold the certification");
    let completed = records::list::<CourseEnrollment>(&store, &system, &ListQuery::default().filter("status", "completed")).await.unwrap();
    assert!(completed.total > 10);
    assert!(count(&store, "special_requirement").await > 0);
    assert!(count(&store, "class_session").await > 0);

    let again = demo::load(&store, 300).await.unwrap_err();
    assert_eq!(again.code(), "conflict");
    assert_eq!(count(&store, "people").await, 300);
}
