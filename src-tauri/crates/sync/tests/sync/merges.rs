//! A merge made in Planning Center reaches this computer at the next sync: the removed
//! person's history moves to the person kept, once.

use crate::common::*;
use cct_domain::records::{CourseEnrollment, EnrollmentStatus, Person};
use cct_store::db::Query;
use cct_store::records;

fn enrollments_of(office: &Office, person: uuid::Uuid) -> Vec<CourseEnrollment> {
    office
        .store
        .read(|conn| {
            conn.records(
                "course_enrollment",
                "SELECT * FROM course_enrollment WHERE people_id = ?1 AND is_active = 1",
                [person.to_string()],
            )
        })
        .unwrap()
}

#[tokio::test]
async fn a_merge_in_planning_center_moves_the_removed_persons_history_at_the_next_sync() {
    let fake = fake(30, unlimited()).await;
    let office = office(&fake).await;
    office.engine.run().await.unwrap();
    let adults: Vec<u64> = fake.with_data(|d| {
        d.all("people/people").filter(|p| p.attribute("child") == false).map(|p| p.id).take(2).collect()
    });
    let (keep, remove) = (adults[0], adults[1]);
    let local = |pco: u64| {
        let store = office.store.clone();
        async move {
            local_people(&store).await.into_iter().find(|p| p.planning_center_id == Some(pco.to_string())).unwrap()
        }
    };
    let kept: Person = local(keep).await;
    let removed: Person = local(remove).await;
    let (course, lesson) = course_with_lesson(&office.store, "Foundations").await;
    complete_course(&office.store, removed.meta.id, course.meta.id, lesson).await;
    office.engine.run().await.unwrap();

    let merger = fake.with_data(|d| d.merge_people(keep, remove, chrono::Utc::now())).unwrap();
    fake.reset_stats();
    let report = office.engine.run().await.unwrap();
    assert_eq!(report.merged_people, 1, "{report:?}");
    let moved = enrollments_of(&office, kept.meta.id);
    assert_eq!(moved.len(), 1, "the completed course is the kept person's now");
    assert_eq!(moved[0].status, EnrollmentStatus::Completed);
    assert!(enrollments_of(&office, removed.meta.id).is_empty());
    let retired: Person = records::get(&office.store, &system(), removed.meta.id).unwrap();
    assert!(!retired.meta.is_active, "the removed record is retired");
    let applied = cct_store::planning_center::mergers::applied_mergers(&office.store, &system(), 5).unwrap();
    assert_eq!(applied[0].planning_center_id, merger.to_string());
    let runs = cct_store::planning_center::runs::recent_runs(&office.store, &system(), 20).unwrap();
    assert!(runs.iter().any(|r| r.sync_type == "person_mergers" && r.records_successful == 1));

    // The next sync reads merges from its cursor: one request, nothing applied again.
    let audit_rows = || office.store.read(|c| c.scalar::<i64>("SELECT COUNT(*) FROM audit_log", [])).unwrap();
    let before = audit_rows();
    let again = office.engine.run().await.unwrap();
    assert_eq!(again.merged_people, 0);
    let written: Vec<(String, String, Option<String>)> = office
        .store
        .read(|c| c.tuples("SELECT table_name, action, new_values FROM audit_log ORDER BY changed_at DESC LIMIT 3", []))
        .unwrap();
    assert_eq!(audit_rows() - before, 0, "a sync with nothing new writes no audit row: {written:?}");
}
