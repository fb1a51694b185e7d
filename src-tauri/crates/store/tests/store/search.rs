use crate::common::*;
use cct_domain::records::Person;
use cct_store::office::search::search_people;
use cct_store::records;

#[test]
fn people_are_found_by_name_prefix_nickname_email_and_phone() {
    let (store, _dir) = fresh_store();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let jon = records::insert(
        &mut tx,
        Person {
            first_name: "Jonathan".into(),
            last_name: "Smith".into(),
            nickname: Some("Jon".into()),
            email: Some("jsmith@example.org".into()),
            phone: Some("(555) 867-5309".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let josé = records::insert(
        &mut tx,
        Person { first_name: "José".into(), last_name: "Álvarez".into(), ..Default::default() },
    )
    .unwrap();
    records::insert(&mut tx, Person { first_name: "Mary".into(), last_name: "Smithers".into(), ..Default::default() })
        .unwrap();
    tx.commit().unwrap();

    let names = |people: Vec<Person>| people.into_iter().map(|p| p.first_name).collect::<Vec<_>>();
    assert_eq!(names(search_people(&store, &system, "jon smi", 10).unwrap()), vec!["Jonathan"]);
    assert_eq!(names(search_people(&store, &system, "smith", 10).unwrap()).len(), 2);
    assert_eq!(names(search_people(&store, &system, "5309", 10).unwrap()), vec!["Jonathan"]);
    assert_eq!(names(search_people(&store, &system, "jsmith@example", 10).unwrap()), vec!["Jonathan"]);
    assert_eq!(names(search_people(&store, &system, "jose alvarez", 10).unwrap()), vec!["José"], "accents are folded");
    assert!(search_people(&store, &system, "\"unbalanced AND (", 10).unwrap().is_empty());

    // Edits and soft deletes keep the index in step.
    let mut tx = store.begin_write(&system).unwrap();
    records::update(&mut tx, Person { last_name: "Carpenter".into(), ..jon }).unwrap();
    records::deactivate::<Person>(&mut tx, josé.meta.id).unwrap();
    tx.commit().unwrap();
    assert_eq!(names(search_people(&store, &system, "carp", 10).unwrap()), vec!["Jonathan"]);
    assert!(search_people(&store, &system, "alvarez", 10).unwrap().is_empty());
}

#[test]
fn searching_people_needs_permission() {
    let (store, _dir) = fresh_store();
    let guest = person_with_role(&store, "Gus", "guest");
    assert_eq!(search_people(&store, &guest, "gus", 5).unwrap_err().code(), cct_domain::ErrorCode::PermissionDenied);
}

#[test]
fn people_whose_names_start_with_what_was_typed_come_first() {
    let (store, _dir) = fresh_store();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    for (first, last, email) in
        [("Zed", "Adams", Some("smith.family@example.org")), ("Mary", "Smithers", None), ("Ann", "Smith", None)]
    {
        records::insert(
            &mut tx,
            Person {
                first_name: first.into(),
                last_name: last.into(),
                email: email.map(Into::into),
                ..Default::default()
            },
        )
        .unwrap();
    }
    tx.commit().unwrap();
    let found: Vec<String> =
        search_people(&store, &system, "smith", 10).unwrap().into_iter().map(|p| p.last_name).collect();
    assert_eq!(found, ["Smith", "Smithers", "Adams"], "by name first, in name order; then by e-mail");
    let limited = search_people(&store, &system, "smith", 2).unwrap();
    assert_eq!(limited.len(), 2);
}
