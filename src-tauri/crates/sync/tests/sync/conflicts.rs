//! The conflict policy: Planning Center's value wins unless the local edit is newer and not
//! yet sent; every clash is logged.

use crate::common::*;
use cct_domain::records::Person;
use cct_store::planning_center::people as pco_sync;
use cct_store::records;
use std::time::Duration;

async fn edit_local(store: &cct_store::Store, person: &Person, nickname: &str) {
    let system = system();
    let current: Person = records::get(store, &system, person.meta.id).unwrap();
    let mut tx = store.begin_write(&system).unwrap();
    records::update(&mut tx, Person { nickname: Some(nickname.into()), ..current }).unwrap();
    tx.commit().unwrap();
}

fn edit_remote(fake: &cct_pco_fake::FakePco, pco_id: &str, nickname: &str) {
    fake.with_data(|d| {
        let record = d.get_mut("people/people", pco_id.parse().unwrap()).unwrap();
        record.attributes.insert("nickname".into(), nickname.into());
        record.updated_at = chrono::Utc::now();
    });
}

#[tokio::test]
async fn the_newer_edit_wins_and_the_clash_is_logged() {
    let fake = fake(12, unlimited()).await;
    let office = office(&fake).await;
    office.engine.run().await.unwrap();
    let people: Vec<Person> = local_people(&office.store).await.into_iter().take(2).collect();
    let (a, b) = (&people[0], &people[1]);
    let (a_pco, b_pco) = (a.planning_center_id.clone().unwrap(), b.planning_center_id.clone().unwrap());

    // A: edited here, then (later) in Planning Center → Planning Center wins.
    edit_local(&office.store, a, "Local A").await;
    // B: edited in Planning Center, then (later) here → the local edit wins.
    edit_remote(&fake, &b_pco, "Remote B");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    edit_remote(&fake, &a_pco, "Remote A");
    edit_local(&office.store, b, "Local B").await;

    office.engine.run().await.unwrap();
    let nick_a = records::get::<Person>(&office.store, &system(), a.meta.id).unwrap().nickname;
    let nick_b = records::get::<Person>(&office.store, &system(), b.meta.id).unwrap().nickname;
    assert_eq!(nick_a.as_deref(), Some("Remote A"));
    assert_eq!(nick_b.as_deref(), Some("Local B"));
    let remote =
        |pco: &str| fake.with_data(|d| d.get("people/people", pco.parse().unwrap()).unwrap().attribute("nickname"));
    assert_eq!(remote(&a_pco), "Remote A");
    assert_eq!(remote(&b_pco), "Local B", "the newer local edit was sent");

    let logged = pco_sync::conflicts(&office.store, &system(), 10).unwrap();
    let for_a = logged.iter().find(|c| c.record_id == a.meta.id).unwrap();
    let for_b = logged.iter().find(|c| c.record_id == b.meta.id).unwrap();
    assert_eq!((for_a.field.as_str(), for_a.resolution.as_str()), ("nickname", "remote_won"));
    assert_eq!((for_b.field.as_str(), for_b.resolution.as_str()), ("nickname", "local_won"));
    // Kept as a person reads them, for the Planning Center card: "Local B" here, "Remote B" there.
    assert_eq!((for_b.local_value.as_deref(), for_b.remote_value.as_deref()), (Some("Local B"), Some("Remote B")));
    assert_eq!((for_a.local_value.as_deref(), for_a.remote_value.as_deref()), (Some("Local A"), Some("Remote A")));
}

#[tokio::test]
async fn without_a_local_edit_planning_center_simply_wins() {
    let fake = fake(5, unlimited()).await;
    let office = office(&fake).await;
    office.engine.run().await.unwrap();
    let person = local_people(&office.store).await.remove(0);
    edit_remote(&fake, person.planning_center_id.as_deref().unwrap(), "From PCO");
    office.engine.run().await.unwrap();
    let now: Person = records::get(&office.store, &system(), person.meta.id).unwrap();
    assert_eq!(now.nickname.as_deref(), Some("From PCO"));
    assert!(pco_sync::conflicts(&office.store, &system(), 10).unwrap().is_empty());
    assert_eq!(pending(&office.store).await, 0, "pulled changes are not echoed back");
}
