//! A completed course puts the person on the Planning Center workflow the office chose: one
//! card per completion, even when the push is sent again after a crash.

use crate::common::*;
use cct_store::db::Query;
use cct_store::office::settings;

fn cards_of(fake: &cct_pco_fake::FakePco, workflow: u64, person: &str) -> Vec<String> {
    fake.with_data(|d| {
        d.children_of("people/cards", workflow)
            .filter(|c| c.attribute("person_id").as_str() == Some(person))
            .map(|c| c.attribute("note").as_str().unwrap_or_default().to_owned())
            .collect()
    })
}

#[tokio::test]
async fn a_completed_course_makes_one_card_on_the_chosen_workflow() {
    let fake = fake(10, unlimited()).await;
    let office = office(&fake).await;
    sync_until_done(&office.engine, 3).await;
    let workflows: Vec<serde_json::Value> = settings::get(&office.store, settings::PCO_WORKFLOWS)
        .unwrap()
        .expect("workflows pulled with the reference data");
    let workflow = workflows[0]["id"].as_str().unwrap().to_owned();
    office.store.write(&system(), |tx| settings::set(tx, settings::PCO_COMPLETIONS_WORKFLOW, &workflow)).unwrap();

    let person = local_people(&office.store).await.into_iter().find(|p| p.planning_center_id.is_some()).unwrap();
    let remote = person.planning_center_id.clone().unwrap();
    let (course, lesson) = course_with_lesson(&office.store, "Membership Class").await;
    complete_course(&office.store, person.meta.id, course.meta.id, lesson).await;
    sync_until_done(&office.engine, 3).await;
    let workflow_id: u64 = workflow.parse().unwrap();
    let cards = cards_of(&fake, workflow_id, &remote);
    assert_eq!(cards.len(), 1, "{cards:?}");
    assert!(cards[0].contains("Membership Class"), "{cards:?}");

    // The push sent again, as after a crash before its acknowledgement: no second card.
    office
        .store
        .write(&system(), |tx| {
            tx.conn().run("UPDATE pco_outbox SET status = 'pending' WHERE table_name = 'course_enrollment'", [])
        })
        .unwrap();
    assert!(pending(&office.store).await > 0);
    sync_until_done(&office.engine, 3).await;
    assert_eq!(cards_of(&fake, workflow_id, &remote).len(), 1, "made once");

    assert_eq!(pending(&office.store).await, 0, "nothing left queued");
}

/// A course completed `days_ago`, as the office recorded it then.
async fn completed_long_ago(
    store: &cct_store::Store,
    person: uuid::Uuid,
    course: uuid::Uuid,
    lesson: uuid::Uuid,
    days_ago: i64,
) {
    use cct_domain::records::CourseEnrollment;
    let system = system();
    let on = cct_domain::Timestamp::now().date() - chrono::Duration::days(days_ago);
    let mut tx = store.begin_write(&system).unwrap();
    let mut e = cct_store::office::enrollment::enroll(
        &mut tx,
        cct_store::office::enrollment::EnrollRequest { people_id: person, course_id: course, ..Default::default() },
    )
    .unwrap();
    e.enrollment_date = on;
    let e: CourseEnrollment = cct_store::records::update(&mut tx, e).unwrap();
    cct_store::office::progress::complete_content(
        &mut tx,
        cct_store::office::progress::CompletionInput {
            course_enrollment_id: e.meta.id,
            content_id: lesson,
            completed_at: Some(cct_domain::Timestamp::from(on.and_hms_opt(12, 0, 0).unwrap().and_utc())),
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
}

#[tokio::test]
async fn a_certification_due_for_renewal_makes_one_card_on_the_renewals_workflow() {
    use cct_domain::records::{Certification, CertificationCourse};
    let fake = fake(10, unlimited()).await;
    let office = office(&fake).await;
    sync_until_done(&office.engine, 3).await;
    let workflows: Vec<serde_json::Value> = settings::get(&office.store, settings::PCO_WORKFLOWS).unwrap().unwrap();
    let workflow = workflows[0]["id"].as_str().unwrap().to_owned();
    let workflow_id: u64 = workflow.parse().unwrap();

    let mut linked = local_people(&office.store).await.into_iter().filter(|p| p.planning_center_id.is_some());
    let (lapsed, current) = (linked.next().unwrap(), linked.next().unwrap());
    let (course, lesson) = course_with_lesson(&office.store, "Child Safety Training").await;
    let system = system();
    let mut tx = office.store.begin_write(&system).unwrap();
    let certification = cct_store::records::insert(
        &mut tx,
        Certification { name: "Child Safety".into(), validity_months: Some(12), ..Default::default() },
    )
    .unwrap();
    cct_store::records::insert(
        &mut tx,
        CertificationCourse {
            certification_id: certification.meta.id,
            course_id: course.meta.id,
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    completed_long_ago(&office.store, lapsed.meta.id, course.meta.id, lesson, 400).await;
    completed_long_ago(&office.store, current.meta.id, course.meta.id, lesson, 10).await;

    // No workflow chosen: no card, and no request for one.
    sync_until_done(&office.engine, 3).await;
    let remote = lapsed.planning_center_id.clone().unwrap();
    assert!(cards_of(&fake, workflow_id, &remote).is_empty());

    office.store.write(&system, |tx| settings::set(tx, settings::PCO_RENEWALS_WORKFLOW, &workflow)).unwrap();
    let report = office.engine.run().await.unwrap();
    assert_eq!(report.renewal_cards, 1);
    let cards = cards_of(&fake, workflow_id, &remote);
    assert_eq!(cards.len(), 1, "{cards:?}");
    assert!(cards[0].contains("Child Safety expires on") && cards[0].contains("Child Safety Training"), "{cards:?}");
    assert!(cards_of(&fake, workflow_id, current.planning_center_id.as_deref().unwrap()).is_empty(), "not due");

    // Every later sync leaves it alone, also after a crash between making it and keeping that.
    assert_eq!(office.engine.run().await.unwrap().renewal_cards, 0);
    office.store.write(&system, |tx| tx.conn().run("DELETE FROM pco_renewal_card", [])).unwrap();
    assert_eq!(office.engine.run().await.unwrap().renewal_cards, 0, "found by its mark, not made again");
    assert_eq!(cards_of(&fake, workflow_id, &remote).len(), 1, "made once");
    let kept: i64 = office.store.read(|conn| conn.scalar("SELECT count(*) FROM pco_renewal_card", [])).unwrap();
    assert_eq!(kept, 1, "the card found is kept as made");
}
