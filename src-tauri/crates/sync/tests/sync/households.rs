//! Households and campus assignments made here reach Planning Center: once, with their members
//! and primary contact, even after a push cut off between sending and recording it.

use crate::common::*;
use cct_domain::records::{Campus, Household, PeopleCampus, Person};
use cct_store::db::Query;
use cct_store::records;
use chrono::NaiveDate;

fn households_named(fake: &cct_pco_fake::FakePco, name: &str) -> Vec<u64> {
    fake.with_data(|d| d.all("people/households").filter(|h| h.attribute("name") == name).map(|h| h.id).collect())
}

fn household_of(fake: &cct_pco_fake::FakePco, person: &Person) -> Vec<u64> {
    let id: u64 = person.planning_center_id.as_deref().unwrap().parse().unwrap();
    fake.with_data(|d| d.households_of(id))
}

fn primary_contact(fake: &cct_pco_fake::FakePco, household: u64) -> String {
    fake.with_data(|d| {
        let value = d.get("people/households", household).unwrap().attribute("primary_contact_id");
        value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string())
    })
}

async fn new_household(office: &Office, name: &str, people: &[(&str, &str, Option<&str>)]) -> (Household, Vec<Person>) {
    office
        .store
        .write(&system(), |tx| {
            let household = records::insert(tx, Household { name: name.into(), ..Default::default() })?;
            let mut members = Vec::new();
            for (first, last, born) in people {
                members.push(records::insert(
                    tx,
                    Person {
                        first_name: (*first).into(),
                        last_name: (*last).into(),
                        date_of_birth: born.map(|b| NaiveDate::parse_from_str(b, "%Y-%m-%d").unwrap()),
                        household_id: Some(household.meta.id),
                        ..Default::default()
                    },
                )?);
            }
            Ok((household, members))
        })
        .unwrap()
}

async fn reread<T: cct_domain::record::Record>(office: &Office, id: uuid::Uuid) -> T {
    records::get(&office.store, &system(), id).unwrap()
}

#[tokio::test]
async fn a_household_made_here_reaches_planning_center_once_with_its_members_and_primary_contact() {
    let fake = fake(12, unlimited()).await;
    let office = office(&fake).await;
    sync_until_done(&office.engine, 3).await;
    let households_before = fake.with_data(|d| d.count("people/households"));

    let (household, people) = new_household(
        &office,
        "Household of Chidi and Ngozi",
        &[("Chidi", "Okafor", Some("2015-04-02")), ("Ngozi", "Okafor", Some("1981-09-12"))],
    )
    .await;
    // Members go first (their own entries), the household after them: two syncs at most.
    sync_until_done(&office.engine, 3).await;
    sync_until_done(&office.engine, 3).await;
    assert_eq!(pending(&office.store).await, 0);

    let made = households_named(&fake, "Household of Chidi and Ngozi");
    assert_eq!(made.len(), 1, "made once");
    let linked: Household = reread(&office, household.meta.id).await;
    assert_eq!(linked.planning_center_id, Some(made[0].to_string()));
    let (child, parent): (Person, Person) =
        (reread(&office, people[0].meta.id).await, reread(&office, people[1].meta.id).await);
    for member in [&child, &parent] {
        assert_eq!(household_of(&fake, member), made, "{} is in it there", member.first_name);
    }
    assert_eq!(primary_contact(&fake, made[0]), parent.planning_center_id.clone().unwrap(), "the eldest, the parent");

    // Nothing changed: nothing is written again.
    fake.reset_stats();
    office.engine.run().await.unwrap();
    assert_eq!(fake.stats().writes, 0);

    // Renamed here, renamed there; a new member here joins there.
    office
        .store
        .write(&system(), |tx| {
            let mut renamed = linked.clone();
            renamed.name = "The Okafors of Elm Street".into();
            records::update(tx, renamed)?;
            records::insert(
                tx,
                Person {
                    first_name: "Amara".into(),
                    last_name: "Okafor".into(),
                    household_id: Some(household.meta.id),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    sync_until_done(&office.engine, 3).await;
    sync_until_done(&office.engine, 3).await;
    assert_eq!(households_named(&fake, "The Okafors of Elm Street"), made);
    let amara = by_name(&office.store, "Amara", "Okafor").await;
    assert_eq!(household_of(&fake, &amara), made, "the new member joined the same household");
    assert_eq!(fake.with_data(|d| d.count("people/households")), households_before + 1, "one household made in all");
}

#[tokio::test]
async fn a_household_push_cut_off_after_planning_center_made_it_is_found_again_not_made_twice() {
    let fake = fake(12, unlimited()).await;
    let office = office(&fake).await;
    sync_until_done(&office.engine, 3).await;
    let (household, _) = new_household(&office, "Household of Kofi", &[("Kofi", "Mensah", Some("1975-01-30"))]).await;
    sync_until_done(&office.engine, 3).await;
    sync_until_done(&office.engine, 3).await;
    let there = households_named(&fake, "Household of Kofi");
    assert_eq!(there.len(), 1);
    // Now as if the app had stopped after Planning Center made the household and before this
    // computer recorded it: Planning Center holds it, the household here has no id for it, and
    // its entry is still queued.
    office
        .store
        .write(&system(), |tx| {
            tx.conn()
                .run("UPDATE household SET planning_center_id = NULL WHERE id = ?1", [household.meta.id.to_string()])?;
            tx.conn().run(
                "UPDATE pco_outbox SET status = 'pending' WHERE table_name = 'household' AND record_id = ?1",
                [household.meta.id.to_string()],
            )
        })
        .unwrap();
    assert_eq!(pending(&office.store).await, 1);
    sync_until_done(&office.engine, 3).await;
    let there = households_named(&fake, "Household of Kofi");
    assert_eq!(there.len(), 1, "found again, not made twice");
    let linked: Household = reread(&office, household.meta.id).await;
    assert_eq!(linked.planning_center_id, Some(there[0].to_string()));
    assert_eq!(pending(&office.store).await, 0);
}

#[tokio::test]
async fn a_primary_campus_chosen_here_is_the_persons_campus_in_planning_center() {
    let fake = fake(12, unlimited()).await;
    let office = office(&fake).await;
    sync_until_done(&office.engine, 3).await;
    let campuses: Vec<Campus> = records::list::<Campus>(&office.store, &system(), &Default::default()).unwrap().items;
    let east = campuses.iter().find(|c| c.name == "East Campus").expect("pulled from Planning Center").clone();
    let person = local_people(&office.store).await.into_iter().find(|p| p.planning_center_id.is_some()).unwrap();
    let remote_id: u64 = person.planning_center_id.as_deref().unwrap().parse().unwrap();
    let assignment = office
        .store
        .write(&system(), |tx| {
            let chapel = records::insert(
                tx,
                Campus { name: "Chapel Annex".into(), time_zone: "UTC".into(), ..Default::default() },
            )?;
            // Planning Center has no Chapel Annex: a primary campus there is refused with a reason.
            let assignment = records::insert(
                tx,
                PeopleCampus {
                    people_id: person.meta.id,
                    campus_id: chapel.meta.id,
                    assigned_date: chrono::Utc::now().date_naive(),
                    is_primary: true,
                    ..Default::default()
                },
            )?;
            Ok(assignment)
        })
        .unwrap();
    sync_until_done(&office.engine, 3).await;
    let message: Option<String> = office
        .store
        .read(|c| {
            c.optional(
                "SELECT last_error FROM pco_outbox WHERE record_id = ?1 ORDER BY created_at DESC",
                [assignment.meta.id.to_string()],
            )
        })
        .unwrap()
        .flatten();
    assert!(message.as_deref().is_some_and(|m| m.contains("Chapel Annex")), "{message:?}");

    office
        .store
        .write(&system(), |tx| {
            let mut moved = assignment.clone();
            moved.is_primary = false;
            records::update(tx, moved)?;
            records::insert(
                tx,
                PeopleCampus {
                    people_id: person.meta.id,
                    campus_id: east.meta.id,
                    assigned_date: chrono::Utc::now().date_naive(),
                    is_primary: true,
                    ..Default::default()
                },
            )
        })
        .unwrap();
    sync_until_done(&office.engine, 3).await;
    let campus_there = fake.with_data(|d| {
        d.get("people/people", remote_id).unwrap().relationships.get("primary_campus").map(|(_, ids)| ids.clone())
    });
    assert_eq!(campus_there, Some(vec![east.planning_center_location_id.as_deref().unwrap().parse().unwrap()]));
    // Nothing changed since: nothing is written again.
    assert_eq!(pending(&office.store).await, 0);
    fake.reset_stats();
    office.engine.run().await.unwrap();
    assert_eq!(fake.stats().writes, 0);
}

/// Households in the fake with at least `size` people, largest first.
fn remote_households_of_size(fake: &cct_pco_fake::FakePco, size: usize) -> Vec<(u64, Vec<u64>)> {
    fake.with_data(|d| {
        let mut households: Vec<(u64, Vec<u64>)> = d
            .all("people/households")
            .map(|h| {
                let members = d.all("people/people").filter(|p| d.households_of(p.id).contains(&h.id)).map(|p| p.id);
                (h.id, members.collect())
            })
            .filter(|(_, members): &(u64, Vec<u64>)| members.len() >= size)
            .collect();
        households.sort_by_key(|(id, members)| (std::cmp::Reverse(members.len()), *id));
        households
    })
}

async fn local_by_planning_center_id(office: &Office, id: u64) -> Person {
    local_people(&office.store).await.into_iter().find(|p| p.planning_center_id == Some(id.to_string())).unwrap()
}

async fn move_to(office: &Office, person: &Person, to: cct_store::office::households::HouseholdMove) {
    let id = person.meta.id;
    office.store.write(&system(), move |tx| cct_store::office::households::move_person(tx, id, to)).unwrap();
}

#[tokio::test]
async fn a_person_moved_out_here_is_taken_out_of_the_household_there_and_no_one_else_is() {
    use cct_store::office::households::HouseholdMove;
    let fake = fake(40, unlimited()).await;
    let family = remote_households_of_size(&fake, 3).into_iter().next().expect("a household of three or more");
    let single = remote_households_of_size(&fake, 1)
        .into_iter()
        .rev()
        .find(|(_, m)| m.len() == 1)
        .expect("someone who lives alone");
    let (family_id, members) = family;
    let (mover_id, two_homes_id) = (members[0], members[1]);
    // A child of two homes: Planning Center has them in the family and in the single's
    // household; here they live in one of them.
    fake.with_data(|d| d.join_household(single.0, two_homes_id, chrono::Utc::now()));
    let office = office(&fake).await;
    sync_until_done(&office.engine, 3).await;

    let mover = local_by_planning_center_id(&office, mover_id).await;
    let loner = local_by_planning_center_id(&office, single.1[0]).await;
    let family_here = loner.household_id.and(mover.household_id).unwrap();
    // The mover starts a flat of their own; the one who lived alone moves into the family, so
    // that household is left with no one in it here.
    move_to(&office, &mover, HouseholdMove::New { name: "Flat on Oak Street".into() }).await;
    move_to(&office, &loner, HouseholdMove::Existing { household_id: family_here }).await;
    sync_until_done(&office.engine, 3).await;

    let remote_households = |id: u64| fake.with_data(|d| d.households_of(id));
    let flat = households_named(&fake, "Flat on Oak Street");
    assert_eq!(flat.len(), 1, "the flat was made there");
    assert_eq!(remote_households(mover_id), flat, "out of the family, in the flat");
    assert_eq!(remote_households(single.1[0]), vec![family_id], "out of the household left empty, in the family");
    let mut two_homes = remote_households(two_homes_id);
    two_homes.sort();
    let mut both = vec![family_id, single.0];
    both.sort();
    assert_eq!(two_homes, both, "the child of two homes stays in both: no one moved them here");
    for stayer in &members[1..] {
        assert!(remote_households(*stayer).contains(&family_id), "{stayer} still in the family");
    }
    let failed: i64 = office
        .store
        .read(|c| c.scalar("SELECT COUNT(*) FROM pco_outbox WHERE status IN ('failed', 'pending', 'held')", []))
        .unwrap();
    assert_eq!(failed, 0);

    // As if the app had stopped after Planning Center took them out and before this computer
    // recorded it: the departures go again, and take out no one else.
    let memberships_before = fake.with_data(|d| d.count("people/household_memberships"));
    office
        .store
        .write(&system(), |tx| {
            tx.conn().run("UPDATE pco_outbox SET status = 'pending' WHERE table_name = 'household'", [])?;
            Ok(())
        })
        .unwrap();
    sync_until_done(&office.engine, 3).await;
    assert_eq!(fake.with_data(|d| d.count("people/household_memberships")), memberships_before);
    assert_eq!(remote_households(mover_id), flat);
    assert_eq!(remote_households(single.1[0]), vec![family_id]);
    assert_eq!(remote_households(two_homes_id).len(), 2);
    assert_eq!(pending(&office.store).await, 0);
}
