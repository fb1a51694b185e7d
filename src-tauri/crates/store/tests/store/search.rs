use crate::common::*;
use cct_domain::records::Person;
use cct_store::records;
use cct_store::search::search_people;

#[tokio::test]
async fn people_are_found_by_name_prefix_nickname_email_and_phone() {
    let (store, _dir) = fresh_store().await;
    let system = system();
    let mut tx = store.begin_write(&system).await.unwrap();
    let jon = records::insert(&mut tx, Person { first_name: "Jonathan".into(), last_name: "Smith".into(), nickname: Some("Jon".into()), email: Some("jsmith@example.org".into()), phone: Some("(555) 867-5309".into()), ..Default::default() }).await.unwrap();
    let josé = records::insert(&mut tx, Person { first_name: "José".into(), last_name: "Álvarez".into(), ..Default::default() }).await.unwrap();
    records::insert(&mut tx, Person { first_name: "Mary".into(), last_name: "Smithers".into(), ..Default::default() }).await.unwrap();
    tx.commit().await.unwrap();

    let names = |people: Vec<Person>| people.into_iter().map(|p| p.first_name).collect::<Vec<_>>();
    assert_eq!(names(search_people(&store, &system, "jon smi", 10).await.unwrap()), vec!["Jonathan"]);
    assert_eq!(names(search_people(&store, &system, "smith", 10).await.unwrap()).len(), 2);
    assert_eq!(names(search_people(&store, &system, "5309", 10).await.unwrap()), vec!["Jonathan"]);
    assert_eq!(names(search_people(&store, &system, "jsmith@example", 10).await.unwrap()), vec!["Jonathan"]);
    assert_eq!(names(search_people(&store, &system, "jose alvarez", 10).await.unwrap()), vec!["José"], "accents are folded");
    assert!(search_people(&store, &system, "\"unbalanced AND (", 10).await.unwrap().is_empty());

    // Edits and soft deletes keep the index in step.
    let mut tx = store.begin_write(&system).await.unwrap();
    records::update(&mut tx, Person { last_name: "Carpenter".into(), ..jon }).await.unwrap();
    records::deactivate::<Person>(&mut tx, josé.meta.id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(names(search_people(&store, &system, "carp", 10).await.unwrap()), vec!["Jonathan"]);
    assert!(search_people(&store, &system, "alvarez", 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn searching_people_needs_permission() {
    let (store, _dir) = fresh_store().await;
    let guest = person_with_role(&store, "Gus", "guest").await;
    assert_eq!(search_people(&store, &guest, "gus", 5).await.unwrap_err().code(), "permission_denied");
}
