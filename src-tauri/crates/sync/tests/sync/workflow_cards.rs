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
