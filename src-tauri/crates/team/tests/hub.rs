//! Team sync against a real PostgreSQL server: `CCT_TEST_HUB_URL` (and
//! `CCT_TEST_HUB_PASSWORD`) name one the tests may create databases on; `node
//! ui/scripts/tasks.mjs test` starts a private one. Each test gets a database of its own.

mod common;

use common::*;

use cct_domain::records::{AttendanceStatus, Campus, ClassSession, Course, PeopleCampus, Person};
use cct_domain::Actor;
use cct_store::db::Query;
use cct_store::office::{attendance, people as actor};
use cct_store::team::{changes, device};
use cct_store::{records, Store};
use cct_team::exchange::{self, ExchangeProgress};
use cct_team::lease::{self, Claim};
use cct_team::membership::JoinCodeFor;
use cct_team::{membership, stations, DeviceCredentials, Hub, HubAddress};
use sqlx::Connection;
use std::time::Duration;
use tempfile::TempDir;
use uuid::Uuid;

async fn person(store: &Store, id: Uuid) -> Person {
    records::get(store, &Actor::system(), id).unwrap()
}

#[tokio::test]
async fn three_devices_editing_the_same_records_offline_hold_the_same_data_after_syncing() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    let north = write(
        &office.store,
        Campus { name: "North".into(), time_zone: "America/Chicago".into(), ..Default::default() },
    )
    .await;
    let mut people = Vec::new();
    for name in ["Lydia", "Aquila", "Phoebe", "Apollos"] {
        people.push(
            write(&office.store, Person { first_name: name.into(), last_name: "Corinth".into(), ..Default::default() })
                .await
                .meta
                .id,
        );
    }
    let course = write(
        &office.store,
        Course { name: "Foundations".into(), campus_id: Some(north.meta.id), ..Default::default() },
    )
    .await;
    let starts = chrono::Utc::now() + chrono::Duration::days(3);
    let session = ClassSession {
        meta: Default::default(),
        course_id: course.meta.id,
        offering_id: None,
        facility_id: None,
        title: "Week 1".into(),
        starts_at: starts.into(),
        ends_at: (starts + chrono::Duration::hours(1)).into(),
        capacity: None,
        status: Default::default(),
        children_per_adult: None,
        serving_certification_id: None,
    };
    let session = write(&office.store, session).await;
    office.sync().await;
    let first = laptop(&address, &office, &admin, "Room 101", None).await;
    let second = laptop(&address, &office, &admin, "Room 102", None).await;
    assert_eq!(
        person(&second.store, people[0]).await.first_name,
        "Lydia",
        "a new device receives the church's data when it joins"
    );

    // Offline, all three edit the same people, one field even on all three.
    edit_person(&office.store, people[0], |p| p.email = Some("office@example.org".into())).await;
    edit_person(&office.store, people[1], |p| p.last_name = "Pontus".into()).await;
    delete_person(&office.store, people[3]).await;
    edit_person(&first.store, people[0], |p| p.email = Some("room101@example.org".into())).await;
    edit_person(&first.store, people[1], |p| p.nickname = Some("Aq".into())).await;
    edit_person(&first.store, people[3], |p| p.phone = Some("555-0104".into())).await;
    let system = Actor::system();
    let mut tx = first.store.begin_write(&system).unwrap();
    attendance::mark(
        &mut tx,
        attendance::MarkAttendance {
            class_session_id: session.meta.id,
            people_id: people[0],
            status: AttendanceStatus::Present,
            notes: None,
        },
    )
    .unwrap();
    tx.commit().unwrap();
    edit_person(&second.store, people[0], |p| p.email = Some("room102@example.org".into())).await;
    delete_person(&second.store, people[2]).await;
    let visitor =
        write(&second.store, Person { first_name: "Eutychus".into(), last_name: "Troas".into(), ..Default::default() })
            .await;

    for device in [&first, &second, &office, &first, &second] {
        device.sync().await;
    }

    let reference = shared_data(&office.store).await;
    assert_eq!(reference, shared_data(&first.store).await, "office and Room 101 differ");
    assert_eq!(reference, shared_data(&second.store).await, "office and Room 102 differ");
    let lydia = person(&office.store, people[0]).await;
    assert_eq!(lydia.email.as_deref(), Some("room102@example.org"), "the last writer of a field wins");
    let aquila = person(&office.store, people[1]).await;
    assert_eq!(
        (aquila.last_name.as_str(), aquila.nickname.as_deref()),
        ("Pontus", Some("Aq")),
        "edits of different fields both survive"
    );
    let apollos = person(&office.store, people[3]).await;
    assert!(
        !apollos.meta.is_active && apollos.phone.as_deref() == Some("555-0104"),
        "deleted stays deleted; the concurrent edit merged into it"
    );
    assert!(!person(&first.store, people[2]).await.meta.is_active);
    assert_eq!(person(&office.store, visitor.meta.id).await.first_name, "Eutychus");
    let roster = attendance::session_roster(&office.store, &admin, session.meta.id).unwrap();
    assert!(
        roster.iter().any(|line| line.people_id == people[0]
            && line.attendance.as_ref().is_some_and(|a| a.status == AttendanceStatus::Present)),
        "attendance taken in the classroom reaches the office"
    );
    for device in [&office, &first, &second] {
        assert_eq!(changes::unpushed_count(&device.store).unwrap(), 0);
        assert!(cct_store::team::apply::waiting(&device.store).unwrap().is_empty());
    }

    let listed = membership::devices(&office.hub, &office.credentials).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert!(
        listed.iter().all(|d| d.last_contact_at.is_some() && d.unsent_changes == 0 && d.changes_to_pull == 0),
        "{listed:?}"
    );
}

/// A copy of the database files as they are now: a device "killed" later restarts from them.
fn snapshot(dir: &TempDir) -> TempDir {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
    }
    copy
}

#[tokio::test]
async fn a_device_killed_in_the_middle_of_a_push_loses_nothing_and_duplicates_nothing() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    office.sync().await;
    let Device { store, hub, credentials, _dir: dir } = laptop(&address, &office, &admin, "Room 103", None).await;
    let hub_connection = || owner_connection(&address, password.as_deref());
    let count_held = "SELECT count(*), count(DISTINCT id) FROM hub_change WHERE device_id = $1";
    let (sent_at_join, _): (i64, i64) =
        sqlx::query_as(count_held).bind(&credentials.device_id).fetch_one(&mut hub_connection().await).await.unwrap();
    for n in 0..600 {
        write(&store, Person { first_name: format!("Child{n:03}"), last_name: "Ephesus".into(), ..Default::default() })
            .await;
    }
    let unsent = changes::unpushed_count(&store).unwrap();
    assert!(unsent >= 600);

    // Killed after the hub committed a batch but before the device noted it: the device comes
    // back from its files as they were before the push.
    store.close();
    let before_push = snapshot(&dir);
    let store = Store::open(dir.path().join("church.sqlite"), &test_key()).unwrap();
    exchange::push(&store, &hub, &credentials, 250, &quiet).await.unwrap();
    store.close();
    let store = Store::open(before_push.path().join("church.sqlite"), &test_key()).unwrap();
    assert_eq!(changes::unpushed_count(&store).unwrap(), unsent, "the restarted device thinks nothing was sent");

    // Killed between batches: the task dies after its second batch.
    let pushing = {
        let (store, hub, credentials) =
            (store.clone(), Hub::connect(&address, &credentials).await.unwrap(), credentials.clone());
        tokio::spawn(async move {
            let die_after_two = |progress: ExchangeProgress| {
                if progress.done >= 200 {
                    panic!("the device lost power");
                }
            };
            exchange::push(&store, &hub, &credentials, 100, &die_after_two).await
        })
    };
    assert!(pushing.await.is_err(), "the push task was killed");
    let left = changes::unpushed_count(&store).unwrap();
    assert!(left > 0 && left < unsent, "part of the log was sent: {left} of {unsent} left");

    exchange::push(&store, &hub, &credentials, 100, &quiet).await.unwrap();
    assert_eq!(changes::unpushed_count(&store).unwrap(), 0);
    let (held, distinct): (i64, i64) =
        sqlx::query_as(count_held).bind(&credentials.device_id).fetch_one(&mut hub_connection().await).await.unwrap();
    assert_eq!((held, distinct), (sent_at_join + unsent, sent_at_join + unsent), "every change once, none lost");

    office.sync().await;
    let children: i64 =
        office.store.read(|conn| conn.scalar("SELECT count(*) FROM people WHERE last_name = 'Ephesus'", [])).unwrap();
    assert_eq!(children, 600, "the office has every child once");
}

#[tokio::test]
async fn a_laptop_restored_from_a_backup_takes_back_its_later_changes_and_sends_nothing_again() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    office.sync().await;
    let Device { store, hub, credentials, _dir: dir } = laptop(&address, &office, &admin, "Room 104", None).await;
    let hub_changes = || async {
        let mut conn = owner_connection(&address, password.as_deref()).await;
        let counts: (i64, i64) =
            sqlx::query_as("SELECT count(*), count(DISTINCT id) FROM hub_change").fetch_one(&mut conn).await.unwrap();
        counts
    };

    let lydia =
        write(&store, Person { first_name: "Lydia".into(), last_name: "Thyatira".into(), ..Default::default() }).await;
    exchange::sync(&store, &hub, &credentials, &quiet).await.unwrap();
    // One change is made but not yet sent when the backup is taken.
    let rhoda =
        write(&store, Person { first_name: "Rhoda".into(), last_name: "Jerusalem".into(), ..Default::default() }).await;
    let passphrase = cct_store::Passphrase::new("restored, not replayed").unwrap();
    let backup_file = dir.path().join("laptop.cctbackup");
    store.back_up(&backup_file, &passphrase, &|_| {}).unwrap();

    // After the backup, the laptop goes on working and syncs, then its disk fails.
    let tabitha =
        write(&store, Person { first_name: "Tabitha".into(), last_name: "Joppa".into(), ..Default::default() }).await;
    edit_person(&store, lydia.meta.id, |p| p.email = Some("lydia@purple.example".into())).await;
    exchange::sync(&store, &hub, &credentials, &quiet).await.unwrap();
    office.sync().await;
    let at_hub = hub_changes().await;
    store.close();

    let path = dir.path().join("church.sqlite");
    let restored = cct_store::db::backup::restore(
        &backup_file,
        &passphrase,
        &path,
        &test_key(),
        &cct_store::db::RestoredBy { person_id: None, at: "2026-12-02T12:00:00Z".into() },
    )
    .unwrap();
    assert!(restored.set_aside.is_some());
    let store = Store::open(&path, &test_key()).unwrap();
    assert!(
        device::membership(&store).unwrap().catch_up_own_changes,
        "a restored member catches up on its own changes"
    );
    assert_eq!(person(&store, rhoda.meta.id).await.first_name, "Rhoda", "the backup's unsent change is there");
    assert!(records::get::<Person>(&store, &Actor::system(), tabitha.meta.id).is_err(), "the later one is not, yet");

    exchange::sync(&store, &hub, &credentials, &quiet).await.unwrap();
    assert_eq!(hub_changes().await, at_hub, "nothing old is sent to the hub as new");
    assert_eq!(person(&store, tabitha.meta.id).await.last_name, "Joppa", "the laptop's own later change came back");
    assert_eq!(person(&store, lydia.meta.id).await.email.as_deref(), Some("lydia@purple.example"));
    assert!(!device::membership(&store).unwrap().catch_up_own_changes, "caught up");
    assert_eq!(changes::unpushed_count(&store).unwrap(), 0);
    office.sync().await;
    assert_eq!(shared_data(&office.store).await, shared_data(&store).await, "office and laptop hold the same data");

    // Its next edits win over its own earlier ones, as they would have without the restore.
    edit_person(&store, lydia.meta.id, |p| p.email = Some("lydia@after-restore.example".into())).await;
    exchange::sync(&store, &hub, &credentials, &quiet).await.unwrap();
    office.sync().await;
    assert_eq!(person(&office.store, lydia.meta.id).await.email.as_deref(), Some("lydia@after-restore.example"));
}

#[tokio::test]
async fn the_hub_refuses_clocks_from_the_future_and_a_fast_laptop_is_stamped_again() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    office.sync().await;
    let laptop = laptop(&address, &office, &admin, "Room 105", None).await;
    let mut owner = owner_connection(&address, password.as_deref()).await;

    // Straight into the hub, as someone with the password and psql would: refused there.
    let an_hour_ahead =
        cct_store::team::Hlc { wall_ms: cct_store::team::clock::now_ms() + 3_600_000, counter: 0 }.to_string();
    for hlc in ["9999999999999.999999", an_hour_ahead.as_str(), "1.5", "99999999999999.000000"] {
        let refused = sqlx::query(
            "INSERT INTO hub_change (id, device_id, table_name, record_id, fields, deleted, hlc, campus_ids)
             VALUES ($1, $2, 'people', $3, '{\"last_name\": \"Forged\"}', false, $4, '{}')",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(&office.credentials.device_id)
        .bind(Uuid::new_v4().to_string())
        .bind(hlc)
        .execute(&mut owner)
        .await;
        let message = refused.expect_err(hlc).to_string();
        assert!(message.contains("cct: clock"), "{hlc}: {message}");
    }

    // A laptop whose clock ran an hour ahead while offline, set right since: its edit is stamped
    // again when it is sent, and the office's later edit wins, as it should.
    let eunice =
        write(&laptop.store, Person { first_name: "Eunice".into(), last_name: "Lystra".into(), ..Default::default() })
            .await;
    let system = Actor::system();
    laptop
        .store
        .write(&system, |tx| {
            tx.conn().run("UPDATE team_change SET hlc = ?1 WHERE pushed = 0 AND origin = 'local'", [&an_hour_ahead])?;
            Ok(())
        })
        .unwrap();
    laptop.sync().await;
    let sent: String = sqlx::query_scalar("SELECT max(hlc) FROM hub_change WHERE record_id = $1")
        .bind(eunice.meta.id.to_string())
        .fetch_one(&mut owner)
        .await
        .unwrap();
    assert!(sent < an_hour_ahead, "stamped again before it was sent: {sent}");
    office.sync().await;
    edit_person(&office.store, eunice.meta.id, |p| p.last_name = "of Lystra".into()).await;
    office.sync().await;
    laptop.sync().await;
    assert_eq!(person(&laptop.store, eunice.meta.id).await.last_name, "of Lystra", "the later edit wins");
    assert_eq!(shared_data(&office.store).await, shared_data(&laptop.store).await);
}

#[tokio::test]
async fn a_removed_device_is_refused_and_join_codes_work_once() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    office.sync().await;
    let room = laptop(&address, &office, &admin, "Room 104", None).await;
    write(
        &room.store,
        Person { first_name: "Alexander".into(), last_name: "Coppersmith".into(), ..Default::default() },
    )
    .await;

    membership::remove_device(&admin, &office.hub, &office.credentials, &room.credentials.device_id).await.unwrap();
    let push = exchange::push(&room.store, &room.hub, &room.credentials, 100, &quiet).await.unwrap_err();
    assert_eq!(push.code(), cct_domain::ErrorCode::DeviceRemoved, "{push}");
    let pull = exchange::pull(&room.store, &room.hub, &room.credentials, 100, &quiet).await.unwrap_err();
    assert_eq!(pull.code(), cct_domain::ErrorCode::DeviceRemoved);
    assert_eq!(
        changes::unpushed_count(&room.store).unwrap(),
        2,
        "the removed device keeps what it had not sent (the person and its outbox entry)"
    );
    let listed = membership::devices(&office.hub, &office.credentials).await.unwrap();
    assert!(listed.iter().any(|d| d.device_id == room.credentials.device_id && d.removed_at.is_some()));

    let forged = DeviceCredentials { device_id: office.credentials.device_id.clone(), secret: "guessed".into() };
    assert_eq!(
        Hub::connect(&address, &forged).await.err().expect("a guessed password is refused").code(),
        cct_domain::ErrorCode::NotAMember,
        "a device id alone is not enough"
    );
    assert_eq!(
        Hub::connect(&address, &room.credentials).await.err().expect("a removed device cannot log in").code(),
        cct_domain::ErrorCode::DeviceRemoved,
    );

    let code = join_code(&office, &admin, JoinCodeFor::default()).await;
    let (first, _d1) = empty_store().await;
    membership::join(&first, None, &address, &code.to_lowercase(), "Room 105").await.unwrap();
    let (second, _d2) = empty_store().await;
    assert_eq!(
        membership::join(&second, None, &address, &code, "Room 106").await.unwrap_err().code(),
        cct_domain::ErrorCode::JoinCodeUsed
    );
    assert_eq!(
        membership::join(&second, None, &address, "AAAA-BBBB-CCCC", "Room 106").await.unwrap_err().code(),
        cct_domain::ErrorCode::JoinCodeUnknown
    );
    let stale = membership::make_join_code(
        &admin,
        &office.hub,
        &office.credentials,
        JoinCodeFor::default(),
        chrono::Duration::seconds(-1),
    )
    .await
    .unwrap();
    assert_eq!(
        membership::join(&second, None, &address, &stale, "Room 106").await.unwrap_err().code(),
        cct_domain::ErrorCode::JoinCodeExpired
    );
    let volunteer = membership::make_join_code(
        &Actor::person(Uuid::now_v7(), "Volunteer", [cct_domain::Permission::AttendanceWrite]),
        &office.hub,
        &office.credentials,
        JoinCodeFor::default(),
        chrono::Duration::hours(1),
    )
    .await
    .unwrap_err();
    assert_eq!(volunteer.code(), cct_domain::ErrorCode::PermissionDenied, "only an administrator makes join codes");
    let (used, _d3) = empty_store().await;
    write(&used, Person { first_name: "Someone".into(), last_name: "Here".into(), ..Default::default() }).await;
    let fresh = join_code(&office, &admin, JoinCodeFor::default()).await;
    assert_eq!(
        membership::join(&used, None, &address, &fresh, "Room 107").await.unwrap_err().code(),
        cct_domain::ErrorCode::Conflict,
        "a computer holding data joins only with an administrator signed in"
    );
    let refused = Hub::connect_as_owner(&address, Some("wrong")).await.err().expect("a wrong password is refused");
    assert_eq!(refused.code(), cct_domain::ErrorCode::HubError, "{refused}");
    assert!(device::membership(&room.store).unwrap().hub_url.is_some());
}

#[tokio::test]
async fn only_one_device_sends_an_outbox_entry_to_planning_center() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    office.sync().await;
    let room = laptop(&address, &office, &admin, "Room 108", None).await;
    let entry = vec![Uuid::now_v7().to_string(), Uuid::now_v7().to_string()];
    let minute = Duration::from_secs(60);
    assert_eq!(lease::claim(&office.hub, &office.credentials, &entry, minute).await.unwrap(), Claim::Granted);
    assert_eq!(
        lease::claim(&room.hub, &room.credentials, &entry[1..], minute).await.unwrap(),
        Claim::HeldElsewhere { device_id: office.credentials.device_id.clone() }
    );
    assert_eq!(
        lease::claim(&office.hub, &office.credentials, &entry, minute).await.unwrap(),
        Claim::Granted,
        "the holder may renew"
    );
    lease::complete(&office.hub, &office.credentials, &entry).await.unwrap();
    assert_eq!(lease::claim(&room.hub, &room.credentials, &entry, minute).await.unwrap(), Claim::AlreadySent);

    // A device that claimed and then vanished holds the entry only until its lease runs out.
    let orphan = vec![Uuid::now_v7().to_string()];
    assert_eq!(
        lease::claim(&room.hub, &room.credentials, &orphan, Duration::from_millis(1)).await.unwrap(),
        Claim::Granted
    );
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(lease::claim(&office.hub, &office.credentials, &orphan, minute).await.unwrap(), Claim::Granted);

    // Two devices racing for the same entries: exactly one wins.
    let raced: Vec<String> = (0..20).map(|_| Uuid::now_v7().to_string()).collect();
    let (a, b) = tokio::join!(
        lease::claim(&office.hub, &office.credentials, &raced, minute),
        lease::claim(&room.hub, &room.credentials, &raced, minute)
    );
    let granted = [a.unwrap(), b.unwrap()].iter().filter(|c| **c == Claim::Granted).count();
    assert_eq!(granted, 1);
}

#[tokio::test]
async fn a_campus_laptop_holds_only_its_campus_roster() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    let north = write(
        &office.store,
        Campus { name: "North".into(), time_zone: "America/Chicago".into(), ..Default::default() },
    )
    .await;
    let south = write(
        &office.store,
        Campus { name: "South".into(), time_zone: "America/Chicago".into(), ..Default::default() },
    )
    .await;
    let mut ids = Vec::new();
    for (name, campus) in [("Nora", Some(north.meta.id)), ("Sam", Some(south.meta.id)), ("Una", None)] {
        let person =
            write(&office.store, Person { first_name: name.into(), last_name: "Scoped".into(), ..Default::default() })
                .await;
        if let Some(campus_id) = campus {
            write(
                &office.store,
                PeopleCampus {
                    people_id: person.meta.id,
                    campus_id,
                    assigned_date: chrono::Utc::now().date_naive(),
                    is_primary: true,
                    ..Default::default()
                },
            )
            .await;
            // An edit after the person joined the campus carries the campus with it.
            edit_person(&office.store, person.meta.id, |p| p.nickname = Some(format!("{name}!"))).await;
        }
        ids.push(person.meta.id);
    }
    office.sync().await;
    let north_laptop = laptop(&address, &office, &admin, "North kiosk", Some(&north.meta.id.to_string())).await;
    assert_eq!(device::membership(&north_laptop.store).unwrap().campus_scope, Some(north.meta.id.to_string()));
    let has = |id: Uuid| {
        let store = north_laptop.store.clone();
        async move { records::get::<Person>(&store, &Actor::system(), id).is_ok() }
    };
    assert!(has(ids[0]).await, "a North person is on the North laptop");
    assert!(!has(ids[1]).await, "a South person is not");
    assert!(has(ids[2]).await, "someone of no campus is church-wide");
}

#[tokio::test]
async fn pulling_again_after_an_interrupted_pull_applies_each_change_once() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    for n in 0..300 {
        write(
            &office.store,
            Person { first_name: format!("Member{n}"), last_name: "Berea".into(), ..Default::default() },
        )
        .await;
    }
    office.sync().await;
    let code = join_code(&office, &admin, JoinCodeFor::default()).await;
    let (store, _dir) = empty_store().await;
    let joined = membership::join(&store, None, &address, &code, "Room 109").await.unwrap();
    let hub = Hub::connect(&address, &joined.credentials).await.unwrap();
    let pulling = {
        let (store, hub, credentials) =
            (store.clone(), Hub::connect(&address, &joined.credentials).await.unwrap(), joined.credentials.clone());
        tokio::spawn(async move {
            exchange::pull(&store, &hub, &credentials, 100, &|p: ExchangeProgress| {
                if p.done >= 100 {
                    panic!("unplugged")
                }
            })
            .await
        })
    };
    assert!(pulling.await.is_err());
    let cursor = device::membership(&store).unwrap().pull_cursor;
    assert!(cursor > 0, "the first batch and its cursor were kept");
    let (pulled, waiting, _) = exchange::pull(&store, &hub, &joined.credentials, 100, &quiet).await.unwrap();
    assert_eq!(waiting, 0);
    assert!(pulled > 0);
    let count = |sql: &str| -> i64 { store.read(|conn| conn.scalar(sql, [])).unwrap() };
    assert_eq!(count("SELECT count(*) FROM people WHERE last_name = 'Berea'"), 300);
    let logged = count("SELECT count(*) FROM team_change WHERE origin = 'remote'");
    let distinct = count("SELECT count(DISTINCT id) FROM team_change WHERE origin = 'remote'");
    assert_eq!(logged, distinct);
}

#[tokio::test]
async fn each_station_letter_belongs_to_one_computer_of_the_team() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    let room = laptop(&address, &office, &admin, "Room 101", None).await;
    let hall = laptop(&address, &office, &admin, "Fellowship Hall", None).await;

    stations::claim_letter(&room.hub, &room.credentials, "B").await.unwrap();
    stations::claim_letter(&room.hub, &room.credentials, "B").await.expect("a computer may start its own letter again");
    stations::claim_letter(&room.hub, &room.credentials, "K").await.expect("a computer may hold several letters");
    match stations::claim_letter(&hall.hub, &hall.credentials, "B").await {
        Err(cct_team::TeamError::StationLetterTaken { letter, device }) => {
            assert_eq!((letter.as_str(), device.as_str()), ("B", "Room 101"))
        }
        other => panic!("a second computer must not start codes with B: {other:?}"),
    }
    stations::claim_letter(&hall.hub, &hall.credentials, "C").await.unwrap();
    assert_eq!(stations::my_letters(&room.hub, &room.credentials).await.unwrap(), ["B", "K"]);
    assert_eq!(stations::my_letters(&hall.hub, &hall.credentials).await.unwrap(), ["C"]);

    // Room 101's laptop is retired: its letters are free for the others.
    membership::remove_device(&admin, &office.hub, &office.credentials, &room.credentials.device_id).await.unwrap();
    stations::claim_letter(&hall.hub, &hall.credentials, "B").await.expect("a removed computer's letter is taken over");
    assert_eq!(stations::my_letters(&hall.hub, &hall.credentials).await.unwrap(), ["B", "C"]);
    assert!(matches!(
        stations::claim_letter(&room.hub, &room.credentials, "D").await,
        Err(cct_team::TeamError::DeviceRemoved)
    ));
}

/// Starts a station on `device` as the office's administrator, as if the hub had been out of
/// reach when it started.
async fn station_started_offline(device: &Device, admin: &Actor, letter: &str) {
    let campus =
        write(&device.store, Campus { name: "Main".into(), time_zone: "America/Chicago".into(), ..Default::default() })
            .await;
    let course = write(&device.store, Course { name: "Kids".into(), ..Default::default() }).await;
    let now = cct_domain::Timestamp::now();
    let session = ClassSession {
        meta: Default::default(),
        course_id: course.meta.id,
        offering_id: None,
        facility_id: None,
        title: "Kids 9:00".into(),
        starts_at: now,
        ends_at: cct_domain::Timestamp::from(now.as_datetime() + chrono::Duration::hours(1)),
        capacity: None,
        status: Default::default(),
        children_per_adult: None,
        serving_certification_id: None,
    };
    let session = write(&device.store, session).await;
    let by = actor::actor_for_person(&device.store, admin.person_id.unwrap()).unwrap();
    let request = cct_store::checkin::station::KioskStart {
        campus_id: campus.meta.id,
        session_ids: vec![session.meta.id],
        station: letter.into(),
        pin: "2468".into(),
        pin_again: "2468".into(),
        self_check_in: false,
        printer: None,
    };
    cct_store::checkin::station::start(
        &device.store,
        &by,
        request,
        cct_store::checkin::station::StationLetterCheck::NotConfirmed,
    )
    .unwrap();
}

#[tokio::test]
async fn a_station_started_out_of_reach_of_the_hub_learns_at_the_next_sync_whether_its_letter_is_its_own() {
    use cct_store::checkin::station::{self as kiosk, StationLetterCheck};
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    let room = laptop(&address, &office, &admin, "Room 101", None).await;
    let hall = laptop(&address, &office, &admin, "Fellowship Hall", None).await;
    stations::claim_letter(&office.hub, &office.credentials, "B").await.unwrap();
    // The administrator who starts the stations reaches both laptops.
    office.sync().await;
    room.sync().await;
    hall.sync().await;

    station_started_offline(&room, &admin, "B").await;
    station_started_offline(&hall, &admin, "H").await;
    let standing = |device: &Device| {
        let store = device.store.clone();
        async move {
            let config = kiosk::current(&store).unwrap().unwrap();
            let view = kiosk::view(&store, &config).unwrap();
            (view.letter_check, view.letter_holder)
        }
    };
    assert_eq!(standing(&room).await, (StationLetterCheck::NotConfirmed, None));

    let found = stations::confirm_running_station(&room.store, &room.hub, &room.credentials).await.unwrap();
    assert_eq!(found, Some(StationLetterCheck::TakenByAnother));
    assert_eq!(
        standing(&room).await,
        (StationLetterCheck::TakenByAnother, Some("Office".to_owned())),
        "the station says who else uses its letter"
    );
    let confirmed = stations::confirm_running_station(&hall.store, &hall.hub, &hall.credentials).await.unwrap();
    assert_eq!(confirmed, Some(StationLetterCheck::HeldByThisLaptop));
    assert_eq!(standing(&hall).await, (StationLetterCheck::HeldByThisLaptop, None));
    assert_eq!(
        stations::confirm_running_station(&hall.store, &hall.hub, &hall.credentials).await.unwrap(),
        None,
        "nothing left to confirm"
    );
    assert_eq!(stations::my_letters(&hall.hub, &hall.credentials).await.unwrap(), ["H"]);
}

#[tokio::test]
async fn with_a_laptops_own_password_the_hub_allows_only_what_that_laptop_may_do() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    let north =
        write(&office.store, Campus { name: "North".into(), time_zone: "UTC".into(), ..Default::default() }).await;
    let south =
        write(&office.store, Campus { name: "South".into(), time_zone: "UTC".into(), ..Default::default() }).await;
    for (name, campus) in [("Nora", north.meta.id), ("Sam", south.meta.id)] {
        let person =
            write(&office.store, Person { first_name: name.into(), last_name: "Scoped".into(), ..Default::default() })
                .await;
        let link = PeopleCampus {
            people_id: person.meta.id,
            campus_id: campus,
            assigned_date: chrono::Utc::now().date_naive(),
            is_primary: true,
            ..Default::default()
        };
        write(&office.store, link).await;
        edit_person(&office.store, person.meta.id, |p| p.address1 = Some(format!("{name}'s home address"))).await;
    }
    office.sync().await;
    let room = laptop(&address, &office, &admin, "Room 110", None).await;
    let north_laptop = laptop(&address, &office, &admin, "North kiosk", Some(&north.meta.id.to_string())).await;
    let mut as_room = device_connection(&address, &room.credentials).await;

    // Changes in another device's name, and changes to what was sent, are refused by the hub.
    let forged = format!(
        "INSERT INTO hub_change (id, device_id, table_name, record_id, fields, hlc)
         VALUES ('{}', '{}', 'people_role', '{}', '{{}}', '{}')",
        Uuid::new_v4(),
        office.credentials.device_id,
        Uuid::new_v4(),
        cct_store::team::Hlc { wall_ms: cct_store::team::clock::now_ms(), counter: 0 },
    );
    assert!(refused(&mut as_room, &forged).await.contains("row-level security"), "inserting as the office");
    for attack in [
        "UPDATE hub_change SET fields = '{}'",
        "DELETE FROM hub_change",
        "TRUNCATE hub_change",
        "UPDATE hub_device SET removed_at = NULL",
        "SELECT secret_hash FROM hub_device",
        "SELECT * FROM hub_join_code",
        "INSERT INTO hub_station_letter (letter, device_id) VALUES ('Q', 'x')",
        "UPDATE hub_outbox_lease SET completed_at = now()",
        "DROP TABLE hub_sign_in",
    ] {
        let message = refused(&mut as_room, attack).await;
        assert!(message.contains("permission denied") || message.contains("must be owner"), "{attack}: {message}");
    }
    // A classroom laptop is no administrators' computer: it adds and removes no device.
    let make_code = format!(
        "SELECT cct_make_join_code('{}', '0123456789abcdef', 'SCRAM-SHA-256$4096:x', NULL, TRUE, NULL, now() + interval '1 hour')",
        "0".repeat(64)
    );
    assert!(refused(&mut as_room, &make_code).await.contains("permission denied"));
    let remove_office = format!("SELECT cct_remove_device('{}')", office.credentials.device_id);
    assert!(refused(&mut as_room, &remove_office).await.contains("permission denied"));

    // A campus laptop reads no other campus's changes, home addresses included.
    let mut as_north = device_connection(&address, &north_laptop.credentials).await;
    let count_for = |campus: Uuid| {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM hub_change WHERE $1 = ANY (campus_ids)")
            .bind(campus.to_string())
    };
    assert_eq!(count_for(south.meta.id).fetch_one(&mut as_north).await.unwrap(), 0);
    assert!(count_for(north.meta.id).fetch_one(&mut as_north).await.unwrap() > 0);
    assert!(count_for(south.meta.id).fetch_one(&mut as_room).await.unwrap() > 0, "the whole-church laptop reads both");
    let notes: Vec<String> =
        sqlx::query_scalar("SELECT fields->>'address1' FROM hub_change WHERE fields->>'address1' IS NOT NULL")
            .fetch_all(&mut as_north)
            .await
            .unwrap();
    assert_eq!(notes, vec!["Nora's home address".to_string()]);

    // Removal ends the laptop's open connection, and its next login is refused.
    membership::remove_device(&admin, &office.hub, &office.credentials, &room.credentials.device_id).await.unwrap();
    assert!(sqlx::query("SELECT 1").execute(&mut as_room).await.is_err(), "the open connection was ended");
    let options = address.as_str().parse::<sqlx::postgres::PgConnectOptions>().unwrap();
    let again = sqlx::PgConnection::connect_with(
        &options.username(&room.credentials.role_name()).password(&room.credentials.secret),
    )
    .await
    .expect_err("a removed laptop cannot log in");
    assert!(again.to_string().contains("not permitted to log in"), "{again}");
    let undo = format!("UPDATE hub_device SET removed_at = NULL WHERE id = '{}'", room.credentials.device_id);
    assert!(refused(&mut as_north, &undo).await.contains("permission denied"));

    // A join code never takes over a member's identity: a copy of the office's files (so its
    // device id) joining with a fresh code is refused.
    let code = join_code(&office, &admin, JoinCodeFor::default()).await;
    office.store.close();
    let copy = snapshot(&office._dir);
    let impostor = Store::open(copy.path().join("church.sqlite"), &test_key()).unwrap();
    let taken = membership::join(&impostor, Some(&admin), &address, &code, "Office (copy)").await.unwrap_err();
    assert_eq!(taken.code(), cct_domain::ErrorCode::PermissionDenied, "{taken}");
}

/// A hub as the release before left it: every computer logged in as one shared role (here a
/// role of its own that owns the hub's database, as a church's would), which owns the tables;
/// devices were checked against a hash of their secret, by the app.
async fn shared_role_hub() -> (HubAddress, String) {
    let (address, shared_password) = church_role_hub("CREATEROLE").await;
    let earlier = sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(
            cct_team::hub::migrations().iter().filter(|m| m.version < 20261204000000).cloned().collect(),
        ),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    let mut shared = owner_connection(&address, Some(&shared_password)).await;
    earlier.run(&mut shared).await.unwrap();
    (address, shared_password)
}

/// A database owned by a role of the church's own (not a superuser), with `rights`.
async fn church_role_hub(rights: &str) -> (HubAddress, String) {
    let (server, password) = new_hub().await;
    let mut superuser = owner_connection(&server, password.as_deref()).await;
    let shared_role = format!("church_{}", &Uuid::new_v4().simple().to_string()[..12]);
    let shared_password = "the password every laptop kept".to_string();
    sqlx::query(&format!("CREATE ROLE {shared_role} LOGIN {rights} PASSWORD '{shared_password}'"))
        .execute(&mut superuser)
        .await
        .unwrap();
    let database = format!("{shared_role}_hub");
    sqlx::query(&format!("CREATE DATABASE {database} OWNER {shared_role}")).execute(&mut superuser).await.unwrap();
    let mut url = url::Url::parse(server.as_str()).unwrap();
    url.set_username(&shared_role).unwrap();
    url.set_path(&database);
    let (address, _) = HubAddress::parse(url.as_str()).unwrap();
    (address, shared_password)
}

/// What the release before did for a device that joined, and for each push, as SQL.
async fn join_and_push_as_before(
    hub: &mut sqlx::PgConnection,
    address: &HubAddress,
    church_id: &str,
    store: &Store,
    name: &str,
) -> DeviceCredentials {
    use sha2::Digest;
    let me = device::membership(store).unwrap();
    let credentials =
        DeviceCredentials { device_id: me.device_id.clone(), secret: Uuid::new_v4().simple().to_string() };
    let hash: String = sha2::Sha256::digest(credentials.secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    sqlx::query("INSERT INTO hub_device (id, name, secret_hash) VALUES ($1, $2, $3)")
        .bind(&me.device_id)
        .bind(name)
        .bind(hash)
        .execute(&mut *hub)
        .await
        .unwrap();
    device::record_joined(store, address.as_str(), church_id, name, None).unwrap();
    changes::record_baseline(store).unwrap();
    let logged = changes::unpushed(store, 100_000).unwrap();
    for change in logged.iter().map(|l| &l.change) {
        sqlx::query(
            "INSERT INTO hub_change (id, device_id, table_name, record_id, fields, deleted, hlc)
             VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)",
        )
        .bind(&change.id)
        .bind(&change.device_id)
        .bind(&change.table_name)
        .bind(&change.record_id)
        .bind(serde_json::Value::Object(change.fields.clone()).to_string())
        .bind(change.deleted)
        .bind(&change.hlc)
        .execute(&mut *hub)
        .await
        .unwrap();
    }
    if let Some(last) = logged.last() {
        changes::mark_pushed(store, last.seq).unwrap();
    }
    credentials
}

#[tokio::test]
async fn a_hub_of_the_release_before_moves_to_a_role_per_computer_and_keeps_every_change() {
    let (address, shared_password) = shared_role_hub().await;
    let mut shared = owner_connection(&address, Some(&shared_password)).await;
    let church_id = Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO hub_church (church_id, name) VALUES ($1, 'Grace Church')")
        .bind(&church_id)
        .execute(&mut shared)
        .await
        .unwrap();
    let (office_store, _office_dir) = empty_store().await;
    let admin = common::first_administrator(&office_store);
    for n in 0..40 {
        write(
            &office_store,
            Person { first_name: format!("Member{n}"), last_name: "Philippi".into(), ..Default::default() },
        )
        .await;
    }
    let office_credentials = join_and_push_as_before(&mut shared, &address, &church_id, &office_store, "Office").await;
    let (laptop_store, _laptop_dir) = empty_store().await;
    let laptop_credentials =
        join_and_push_as_before(&mut shared, &address, &church_id, &laptop_store, "Room 101").await;
    let count_changes = "SELECT count(*) FROM hub_change";
    let before: i64 = sqlx::query_scalar(count_changes).fetch_one(&mut shared).await.unwrap();
    assert!(before >= 40);
    assert_eq!(
        Hub::connect(&address, &office_credentials).await.err().expect("no role of its own yet").code(),
        cct_domain::ErrorCode::NotAMember
    );

    // The office (an administrators' computer) syncs with this release: the hub's tables move on,
    // and the office takes its own role. The laptop has none yet, so the shared password stays.
    let owner = Hub::connect_as_owner(&address, Some(&shared_password)).await.unwrap();
    assert!(membership::adopt_own_role(&owner, &office_credentials).await.unwrap(), "the office adds devices");
    assert!(!membership::shared_password_can_retire(&owner).await.unwrap(), "the laptop still needs it");
    let forged = DeviceCredentials { device_id: laptop_credentials.device_id.clone(), secret: "guessed".into() };
    assert_eq!(
        membership::adopt_own_role(&owner, &forged).await.unwrap_err().code(),
        cct_domain::ErrorCode::NotAMember
    );
    let office_hub = Hub::connect(&address, &office_credentials).await.unwrap();

    // The laptop takes its role the same way; then the office retires the shared password.
    assert!(!membership::adopt_own_role(&owner, &laptop_credentials).await.unwrap(), "a classroom laptop adds none");
    assert!(membership::shared_password_can_retire(&owner).await.unwrap());
    let fresh = membership::new_owner_password();
    membership::set_owner_password(&owner, &fresh).await.unwrap();
    owner.close().await;
    let retired =
        Hub::connect_as_owner(&address, Some(&shared_password)).await.err().expect("the old password is dead");
    assert!(retired.is_wrong_password(), "{retired}");

    // Every change is still there, and the laptop, on its own role, pulls all of the office's.
    let mut with_fresh = owner_connection(&address, Some(&fresh)).await;
    let after: i64 = sqlx::query_scalar(count_changes).fetch_one(&mut with_fresh).await.unwrap();
    assert_eq!(after, before, "every change kept");
    let laptop_hub = Hub::connect(&address, &laptop_credentials).await.unwrap();
    exchange::sync(&office_store, &office_hub, &office_credentials, &quiet).await.unwrap();
    exchange::sync(&laptop_store, &laptop_hub, &laptop_credentials, &quiet).await.unwrap();
    exchange::sync(&office_store, &office_hub, &office_credentials, &quiet).await.unwrap();
    assert_eq!(shared_data(&office_store).await, shared_data(&laptop_store).await);
    let members: i64 =
        laptop_store.read(|conn| conn.scalar("SELECT count(*) FROM people WHERE last_name = 'Philippi'", [])).unwrap();
    assert_eq!(members, 40);
    let code = membership::make_join_code(
        &admin,
        &office_hub,
        &office_credentials,
        JoinCodeFor::default(),
        chrono::Duration::hours(1),
    )
    .await;
    assert!(code.is_ok(), "the upgraded office adds devices: {code:?}");
}

#[tokio::test]
async fn a_new_team_keeps_its_owner_password_and_an_owner_that_cannot_create_roles_is_told_why() {
    let (address, owner_password) = church_role_hub("CREATEROLE").await;
    let (store, _dir) = empty_store().await;
    let admin = common::first_administrator(&store);
    let owner = Hub::connect_as_owner(&address, Some(&owner_password)).await.unwrap();
    let credentials = membership::create_team(&store, &admin, &owner, "Grace Church", "Office").await.unwrap();
    assert!(
        !membership::shared_password_can_retire(&owner).await.unwrap(),
        "the password the server's administrator set is theirs: only a shared one of the release before is retired"
    );
    owner.close().await;
    let hub = Hub::connect(&address, &credentials).await.unwrap();
    exchange::sync(&store, &hub, &credentials, &quiet).await.unwrap();

    let (address, owner_password) = church_role_hub("NOCREATEROLE").await;
    let refused = Hub::connect_as_owner(&address, Some(&owner_password)).await.err().expect("no role can be made");
    assert_eq!(refused.code(), cct_domain::ErrorCode::HubMigrationFailed);
    assert!(refused.to_string().contains("CREATEROLE"), "{refused}");
}
