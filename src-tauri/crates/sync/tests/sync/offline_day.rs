//! A day of offline work, pushed after reconnection: nothing lost, nothing duplicated.

use crate::common::*;
use cct_domain::records::Person;
use cct_store::planning_center::duplicates::{self as pco_sync, DuplicateResolution};
use cct_store::records;

#[tokio::test]
async fn an_offline_day_reaches_planning_center_once() {
    let fake = fake(40, unlimited()).await;
    let office = office(&fake).await;
    let first = office.engine.run().await.unwrap();
    assert_eq!(first.pulled_people, 40);
    assert_eq!(local_people(&office.store).await.len(), 40);
    assert_eq!(pending(&office.store).await, 0, "pulled people are not sent back");

    // Offline: three visitors added, two members edited (one twice), a course completed.
    let visitors = [
        add_person(&office.store, "Lydia", "Thyatira", Some("lydia@visitors.example"), Some("(555) 301-0001")).await,
        add_person(&office.store, "Aquila", "Pontus", Some("aquila@visitors.example"), None).await,
        add_person(&office.store, "Priscilla", "Pontus", None, Some("(555) 301-0003")).await,
    ];
    let members: Vec<Person> =
        local_people(&office.store).await.into_iter().filter(|p| p.planning_center_id.is_some()).take(2).collect();
    let system = system();
    for (n, member) in members.iter().enumerate() {
        let mut tx = office.store.begin_write(&system).unwrap();
        let edited = records::update(&mut tx, Person { nickname: Some(format!("Nick{n}")), ..member.clone() }).unwrap();
        if n == 0 {
            records::update(&mut tx, Person { nickname: Some("Nicky".into()), ..edited }).unwrap();
        }
        tx.commit().unwrap();
    }
    let field = map_completion_field(&office.store, &fake).await;
    let (course, lesson) = course_with_lesson(&office.store, "Foundations of Faith").await;
    complete_course(&office.store, visitors[0].meta.id, course.meta.id, lesson).await;
    complete_course(&office.store, members[1].meta.id, course.meta.id, lesson).await;
    assert!(pending(&office.store).await > 5);

    let writes_before = fake.stats().writes;
    let report = office.engine.run().await.unwrap();
    assert!(report.push_failures == 0, "{report:?}");
    assert_eq!(pending(&office.store).await, 0, "everything was sent");

    // Each visitor exists once in Planning Center, with their e-mail.
    let names = remote_names(&fake);
    for visitor in &visitors {
        let count = names.iter().filter(|(f, l)| f == &visitor.first_name && l == &visitor.last_name).count();
        assert_eq!(count, 1, "{} {} created exactly once", visitor.first_name, visitor.last_name);
        let local = by_name(&office.store, &visitor.first_name, &visitor.last_name).await;
        let pco_id = local.planning_center_id.expect("linked");
        if let Some(email) = &visitor.email {
            assert_eq!(remote_emails_of(&fake, &pco_id), vec![email.clone()]);
        }
    }
    assert_eq!(names.len(), 43);
    // Edits arrived; two edits of one person went as one request.
    let nick =
        |pco: &str| fake.with_data(|d| d.get("people/people", pco.parse().unwrap()).unwrap().attribute("nickname"));
    assert_eq!(nick(members[0].planning_center_id.as_deref().unwrap()), "Nicky");
    assert_eq!(nick(members[1].planning_center_id.as_deref().unwrap()), "Nick1");
    // Completions reached the mapped field.
    let lydia = by_name(&office.store, "Lydia", "Thyatira").await.planning_center_id.unwrap();
    let value = fake.with_data(|d| {
        d.children_of("people/field_data", lydia.parse().unwrap())
            .find(|f| f.attribute("field_definition_id") == field.as_str())
            .map(|f| f.attribute("value"))
    });
    assert!(value.unwrap().as_str().unwrap().starts_with("Foundations of Faith ("));
    let writes = fake.stats().writes - writes_before;
    // 3 creates + 2 e-mails + 2 phones + 2 member updates + 2 completion fields.
    assert_eq!(writes, 11, "one write per record and part");

    // A second sync sends nothing and creates nobody.
    let writes_before = fake.stats().writes;
    office.engine.run().await.unwrap();
    assert_eq!(fake.stats().writes, writes_before);
    assert_eq!(remote_names(&fake).len(), 43);
}

#[tokio::test]
async fn a_possible_duplicate_waits_for_a_person_to_decide() {
    let fake = fake(30, unlimited()).await;
    let office = office(&fake).await;
    // This person exists in Planning Center but was added here before the first sync.
    let (pco_id, email) = fake.with_data(|d| {
        let email = d.all("people/emails").next().unwrap();
        (email.parent.unwrap().to_string(), email.attribute("address").as_str().unwrap().to_owned())
    });
    let twin = add_person(&office.store, "Same", "Person", Some(&email), None).await;
    let stranger = add_person(&office.store, "Brand", "New", Some("brand.new@visitors.example"), None).await;
    let before = remote_names(&fake).len();
    office.engine.run().await.unwrap();
    assert_eq!(remote_names(&fake).len(), before + 1, "only the stranger was created");
    assert_eq!(
        local_people(&office.store).await.len(),
        before + 1,
        "the Planning Center twin was not copied in as a second record"
    );

    let open = pco_sync::open_duplicates(&office.store, &system()).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].people_id, twin.meta.id);
    assert_eq!(open[0].person_name.as_deref(), Some("Same Person"));
    assert_eq!(open[0].candidates[0].planning_center_id, pco_id);
    assert_eq!(open[0].candidates[0].reason, "same e-mail");
    assert!(by_name(&office.store, "Brand", "New").await.planning_center_id.is_some());
    let _ = stranger;

    let admin = system();
    let mut tx = office.store.begin_write(&admin).unwrap();
    pco_sync::resolve_duplicate(&mut tx, open[0].id, DuplicateResolution::Link { planning_center_id: pco_id.clone() })
        .unwrap();
    tx.commit().unwrap();
    office.engine.run().await.unwrap();
    assert_eq!(remote_names(&fake).len(), before + 1, "linking created nobody");
    let linked = by_name(&office.store, "Same", "Person").await;
    assert_eq!(linked.planning_center_id.as_deref(), Some(pco_id.as_str()));
    assert_eq!(pending(&office.store).await, 0);
    let remote_first =
        fake.with_data(|d| d.get("people/people", pco_id.parse().unwrap()).unwrap().attribute("first_name"));
    assert!(remote_first == "Same" || linked.first_name == remote_first, "one name won, per the conflict policy");
}

#[tokio::test]
async fn choosing_create_new_creates_the_person() {
    let fake = fake(10, unlimited()).await;
    let office = office(&fake).await;
    let email =
        fake.with_data(|d| d.all("people/emails").next().unwrap().attribute("address").as_str().unwrap().to_owned());
    add_person(&office.store, "Shared", "Inbox", Some(&email), None).await;
    office.engine.run().await.unwrap();
    let open = pco_sync::open_duplicates(&office.store, &system()).unwrap();
    let system = system();
    let mut tx = office.store.begin_write(&system).unwrap();
    pco_sync::resolve_duplicate(&mut tx, open[0].id, DuplicateResolution::CreateNew).unwrap();
    tx.commit().unwrap();
    let before = remote_names(&fake).len();
    office.engine.run().await.unwrap();
    assert_eq!(remote_names(&fake).len(), before + 1);
    assert!(by_name(&office.store, "Shared", "Inbox").await.planning_center_id.is_some());
    assert_eq!(local_people(&office.store).await.len(), before + 1, "both people are here now");
}

#[tokio::test]
async fn people_added_here_are_matched_by_phone_or_name_and_birthdate_when_pulled() {
    let fake = fake(30, unlimited()).await;
    let office = office(&fake).await;
    // Two people of the fake church: one to match by phone, one by name and birthdate.
    let (phone, by_phone_id) = fake.with_data(|d| {
        let p = d.all("people/phone_numbers").next().unwrap();
        (p.attribute("number").as_str().unwrap().to_owned(), p.parent.unwrap().to_string())
    });
    let (first, last, born, by_name_id) = fake.with_data(|d| {
        let p = d.all("people/people").find(|p| p.id.to_string() != by_phone_id).unwrap();
        let text = |k: &str| p.attribute(k).as_str().unwrap().to_owned();
        (text("first_name"), text("last_name"), text("birthdate"), p.id.to_string())
    });
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let reformatted = format!("{}.{}.{}", &digits[..3], &digits[3..6], &digits[6..]);
    add_person(&office.store, "Phone", "Match", None, Some(&reformatted)).await;
    let system = system();
    let mut tx = office.store.begin_write(&system).unwrap();
    records::insert(
        &mut tx,
        Person {
            first_name: first.to_uppercase(),
            last_name: last.clone(),
            date_of_birth: Some(born.parse().unwrap()),
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    add_person(&office.store, "No", "Match", Some("nobody@visitors.example"), Some("(555) 000-1111")).await;

    office.engine.run().await.unwrap();
    let open = pco_sync::open_duplicates(&office.store, &system).unwrap();
    let reasons: Vec<(String, String, String)> = open
        .iter()
        .map(|d| {
            (
                d.person_name.clone().unwrap_or_default(),
                d.candidates[0].reason.clone(),
                d.candidates[0].planning_center_id.clone(),
            )
        })
        .collect();
    assert!(reasons.contains(&("Phone Match".into(), "same phone number".into(), by_phone_id)), "{reasons:?}");
    assert!(
        reasons.contains(&(format!("{} {last}", first.to_uppercase()), "same name and birthdate".into(), by_name_id)),
        "{reasons:?}"
    );
    assert_eq!(open.len(), 2, "nobody else was held: {reasons:?}");
    assert!(by_name(&office.store, "No", "Match").await.planning_center_id.is_some(), "a stranger is created");
}
