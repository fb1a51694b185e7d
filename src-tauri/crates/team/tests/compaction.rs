//! Compaction against a real PostgreSQL server: a computer that joins from the hub's snapshot
//! holds exactly what one that replayed the whole log holds, pruning never takes a change an
//! active computer has not fetched, and no computer can write a snapshot or skip the hub's
//! schedule.

mod common;

use common::*;

use cct_domain::records::Person;
use cct_domain::Actor;
use cct_store::db::Query;
use cct_store::{records, ListQuery, Store};
use cct_team::compaction;
use cct_team::{membership, Hub, HubAddress};
use uuid::Uuid;

/// An office with the demo church on it, and the team it creates.
async fn demo_office(address: &HubAddress, password: Option<&str>) -> Device {
    let (store, dir) = empty_store().await;
    cct_store::demo::load(&store, 60).unwrap();
    let owner = Hub::connect_as_owner(address, password).await.unwrap();
    let credentials =
        membership::create_team(&store, &Actor::system(), &owner, "Grace Church", "Office").await.unwrap();
    owner.close().await;
    let hub = Hub::connect(address, &credentials).await.unwrap();
    let office = Device { store, hub, credentials, _dir: dir };
    office.sync().await;
    office
}

async fn some_people(store: &Store, count: u32) -> Vec<Uuid> {
    let listed =
        records::list::<Person>(store, &Actor::system(), &ListQuery { limit: Some(count), ..Default::default() })
            .unwrap();
    listed.items.into_iter().map(|p| p.meta.id).collect()
}

/// A campus with people linked to it, and one of those people.
fn a_campus_with_people(store: &Store) -> (String, Uuid) {
    store
        .read(|conn| {
            conn.tuple::<(String, String)>(
                "SELECT campus_id, people_id FROM people_campus WHERE is_active = 1 ORDER BY campus_id, people_id LIMIT 1",
                [],
            )
        })
        .unwrap()
        .map(|(campus, person)| (campus, person.parse().unwrap()))
        .expect("the demo church links people to campuses")
}

/// The hub's schedule, as its owner sets it: a snapshot as soon as one change is new.
async fn compact_at_every_sync(address: &HubAddress, password: Option<&str>) {
    let mut owner = owner_connection(address, password).await;
    sqlx::query("UPDATE hub_compaction SET min_interval = '0 seconds', min_new_changes = 1")
        .execute(&mut owner)
        .await
        .unwrap();
}

async fn hub_scalar(address: &HubAddress, password: Option<&str>, sql: &str) -> i64 {
    let mut owner = owner_connection(address, password).await;
    sqlx::query_scalar(sql).fetch_one(&mut owner).await.unwrap()
}

#[tokio::test]
async fn a_computer_that_joins_from_the_snapshot_holds_what_one_that_replayed_the_log_holds() {
    let (address, password) = new_hub().await;
    let password = password.as_deref();
    let office = demo_office(&address, password).await;
    let system = Actor::system();
    let (north, northerner) = a_campus_with_people(&office.store);
    let room = laptop(&address, &office, &system, "Room 101", None).await;
    let north_room = laptop(&address, &office, &system, "North 1", Some(&north)).await;

    // A year of edits: the same fields written again and again on three computers, a person
    // deleted on one while another still edits them.
    let people = some_people(&office.store, 8).await;
    for round in 0..3 {
        for (n, id) in people.iter().enumerate() {
            edit_person(&office.store, *id, |p| p.nickname = Some(format!("office {round}"))).await;
            if n % 2 == 0 {
                edit_person(&room.store, *id, |p| p.email = Some(format!("room{round}.{n}@example.org"))).await;
            }
        }
        edit_person(&north_room.store, northerner, |p| p.phone = Some(format!("555-01{round}0"))).await;
        edit_person(&office.store, northerner, |p| p.nickname = Some(format!("north {round}"))).await;
        for device in [&office, &room, &north_room] {
            device.sync().await;
        }
    }
    delete_person(&office.store, people[3]).await;
    edit_person(&room.store, people[3], |p| p.phone = Some("555-0199".into())).await;
    for device in [&room, &office, &north_room, &room] {
        device.sync().await;
    }

    // Computers that replay the log, before there is any snapshot.
    let replayed = laptop(&address, &office, &system, "Replayed", None).await;
    let replayed_north = laptop(&address, &office, &system, "Replayed North", Some(&north)).await;
    let log_before = hub_scalar(&address, password, "SELECT count(*) FROM hub_change").await;

    compact_at_every_sync(&address, password).await;
    let first = office.sync().await;
    assert!(first.made_snapshot, "the office's sync makes the hub's first snapshot");
    let mut pruned = first.pruned;
    for device in [&room, &north_room, &replayed, &replayed_north, &office] {
        pruned += device.sync().await.pruned;
    }
    let status = compaction::status(&office.hub, &office.credentials).await.unwrap();
    let snapshot = status.snapshot.clone().expect("a snapshot");
    assert!(snapshot.changes_kept < snapshot.changes_before, "{snapshot:?}");
    assert!(pruned > 0 && status.pruned_changes as u64 >= pruned, "{status:?}");
    assert_eq!(status.pruned_through, snapshot.through_seq, "every computer fetched everything: {status:?}");
    let left = hub_scalar(
        &address,
        password,
        &format!("SELECT count(*) FROM hub_change WHERE seq <= {}", snapshot.through_seq),
    )
    .await;
    assert_eq!(left, 0, "the log before the snapshot is gone ({log_before} changes before)");

    // Computers that join now can only start from the snapshot.
    let joined = laptop(&address, &office, &system, "Joined", None).await;
    let joined_north = laptop(&address, &office, &system, "Joined North", Some(&north)).await;
    assert_same_data(&joined.store, &replayed.store, "joined and replayed").await;
    assert_eq!(field_versions(&joined.store).await, field_versions(&replayed.store).await);
    assert_same_data(&joined.store, &office.store, "and what the office holds").await;
    assert_same_data(&joined_north.store, &replayed_north.store, "joined_north and replayed_north").await;
    assert_eq!(field_versions(&joined_north.store).await, field_versions(&replayed_north.store).await);
    let northern_people =
        |store: &Store| store.read(|conn| conn.scalar::<i64>("SELECT count(*) FROM people", [])).unwrap();
    assert!(
        northern_people(&joined_north.store) < northern_people(&joined.store),
        "the campus laptop's snapshot holds only its campus"
    );
    let person: Person = records::get(&joined.store, &system, people[3]).unwrap();
    assert!(!person.meta.is_active, "a deleted person stays deleted in the snapshot");
    assert_eq!(person.phone.as_deref(), Some("555-0199"));

    // And they go on merging later changes as the others do.
    edit_person(&joined.store, people[0], |p| p.nickname = Some("joined later".into())).await;
    joined.sync().await;
    replayed.sync().await;
    assert_same_data(&joined.store, &replayed.store, "joined and replayed").await;
}

#[tokio::test]
async fn pruning_never_takes_a_change_an_active_computer_has_not_fetched() {
    let (address, password) = new_hub().await;
    let password = password.as_deref();
    let office = demo_office(&address, password).await;
    let system = Actor::system();
    let behind = laptop(&address, &office, &system, "Behind", None).await;
    compact_at_every_sync(&address, password).await;
    let people = some_people(&office.store, 5).await;
    for id in &people {
        edit_person(&office.store, *id, |p| p.nickname = Some("while away".into())).await;
    }
    let pulled_through = |device: &Device| {
        let id = device.credentials.device_id.clone();
        let (address, password) = (address.clone(), password.map(str::to_owned));
        async move {
            hub_scalar(
                &address,
                password.as_deref(),
                &format!("SELECT pulled_through FROM hub_device WHERE id = '{id}'"),
            )
            .await
        }
    };
    let cursor = pulled_through(&behind).await;
    let after_cursor = format!("SELECT count(*) FROM hub_change WHERE seq > {cursor}");
    office.sync().await;
    let waiting_for_behind = hub_scalar(&address, password, &after_cursor).await;
    assert!(waiting_for_behind >= people.len() as i64);
    office.sync().await;
    assert_eq!(hub_scalar(&address, password, &after_cursor).await, waiting_for_behind, "nothing it lacks was pruned");
    let pruned_through = hub_scalar(&address, password, "SELECT pruned_through FROM hub_compaction").await;
    assert!(pruned_through > 0 && pruned_through <= cursor, "pruned through {pruned_through}, it fetched {cursor}");
    behind.sync().await;
    assert_same_data(&behind.store, &office.store, "behind and office").await;

    // Silent for longer than the hub waits: the log goes on without it, and it comes back
    // through the snapshot.
    let mut owner = owner_connection(&address, password).await;
    sqlx::query("UPDATE hub_device SET last_contact_at = now() - interval '40 days' WHERE id = $1")
        .bind(&behind.credentials.device_id)
        .execute(&mut owner)
        .await
        .unwrap();
    for id in &people {
        edit_person(&office.store, *id, |p| p.nickname = Some("long away".into())).await;
    }
    office.sync().await;
    office.sync().await;
    let cursor = pulled_through(&behind).await;
    let pruned_through = hub_scalar(&address, password, "SELECT pruned_through FROM hub_compaction").await;
    assert!(pruned_through > cursor, "the silent computer no longer holds the log back");
    // The office's Devices card counts what it will fetch: the snapshot, then the log after it.
    let listed = cct_team::membership::devices(&office.hub, &office.credentials).await.unwrap();
    let waiting = listed.iter().find(|d| d.device_id == behind.credentials.device_id).unwrap().changes_to_pull;
    let snapshot_rows = hub_scalar(
        &address,
        password,
        "SELECT count(*) FROM hub_snapshot_change WHERE snapshot_id = (SELECT max(id) FROM hub_snapshot)",
    )
    .await;
    assert!(waiting >= snapshot_rows, "{waiting} to fetch, the snapshot alone holds {snapshot_rows}");
    let report = behind.sync().await;
    assert!(report.pulled > 0);
    assert!(report.pulled as i64 <= waiting, "it fetched no more than the card said: {} of {waiting}", report.pulled);
    assert_same_data(&behind.store, &office.store, "back through the snapshot").await;
    assert_eq!(field_versions(&behind.store).await, field_versions(&office.store).await);
}

#[tokio::test]
async fn a_computer_cannot_write_a_snapshot_or_hurry_the_hubs_schedule() {
    let (address, password) = new_hub().await;
    let office = demo_office(&address, password.as_deref()).await;
    let (north, _) = a_campus_with_people(&office.store);
    let north_room = laptop(&address, &office, &Actor::system(), "North 1", Some(&north)).await;
    // On the hub's own schedule (a snapshot once ten thousand changes are new), nothing is due.
    let made: Option<i64> = sqlx::query_scalar("SELECT made_snapshot FROM cct_compact()")
        .fetch_one(&mut device_connection(&address, &office.credentials).await)
        .await
        .unwrap();
    assert_eq!(made, None);
    compact_at_every_sync(&address, password.as_deref()).await;
    office.sync().await;

    let mut conn = device_connection(&address, &north_room.credentials).await;
    for attack in [
        "UPDATE hub_compaction SET min_new_changes = 0, min_interval = '0 seconds'",
        "UPDATE hub_compaction SET pruned_through = 0",
        "DELETE FROM hub_snapshot",
        "UPDATE hub_snapshot_change SET fields = '{}'",
        "DELETE FROM hub_snapshot_change",
        "INSERT INTO hub_snapshot (made_by_device, through_seq, changes_before, changes_kept, took_ms) VALUES ('x', 0, 0, 0, 0)",
        "TRUNCATE hub_snapshot_change",
    ] {
        let error = refused(&mut conn, attack).await;
        assert!(error.contains("permission denied"), "{attack}: {error}");
    }
    let elsewhere: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM hub_snapshot_change WHERE cardinality(campus_ids) > 0 AND NOT ($1 = ANY (campus_ids))",
    )
    .bind(&north)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(elsewhere, 0, "a campus laptop reads only its campus's part of the snapshot");
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM hub_snapshot_change").fetch_one(&mut conn).await.unwrap();
    assert!(seen > 0);
}
