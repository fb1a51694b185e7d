//! Team sync against a real PostgreSQL server: `CCT_TEST_HUB_URL` (and
//! `CCT_TEST_HUB_PASSWORD`) name one the tests may create databases on; `node
//! ui/scripts/tasks.mjs test` starts a private one. Each test gets a database of its own.

mod common;

use cct_domain::records::{AttendanceStatus, Campus, ClassSession, Course, PeopleCampus, Person};
use cct_domain::Actor;
use cct_store::db::Query;
use cct_store::office::{attendance, people as actor};
use cct_store::team::{changes, device, REPLICATED_TABLES};
use cct_store::{records, Store};
use cct_team::exchange::{self, ExchangeProgress};
use cct_team::lease::{self, Claim};
use cct_team::{membership, stations, DeviceCredentials, Hub, HubAddress};
use sqlx::Connection;
use std::time::Duration;
use tempfile::TempDir;
use uuid::Uuid;

fn quiet(_: ExchangeProgress) {}

/// A new, empty hub database on the test server.
async fn new_hub() -> (HubAddress, Option<String>) {
    let url = std::env::var("CCT_TEST_HUB_URL").expect(
        "CCT_TEST_HUB_URL must name a PostgreSQL server for the team-sync tests; `node ui/scripts/tasks.mjs test` starts one",
    );
    let password = std::env::var("CCT_TEST_HUB_PASSWORD").ok();
    let (server, _) = HubAddress::parse(&url).unwrap();
    let mut admin = sqlx::PgConnection::connect_with(
        &server
            .as_str()
            .parse::<sqlx::postgres::PgConnectOptions>()
            .unwrap()
            .password(password.as_deref().unwrap_or_default()),
    )
    .await
    .expect("connect to the test PostgreSQL server");
    let name = format!("cct_hub_{}", Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    let mut url = url::Url::parse(&url).unwrap();
    url.set_path(&name);
    let (address, _) = HubAddress::parse(url.as_str()).unwrap();
    (address, password)
}

struct Device {
    store: Store,
    hub: Hub,
    credentials: DeviceCredentials,
    _dir: TempDir,
}

impl Device {
    async fn sync(&self) -> exchange::ExchangeReport {
        exchange::sync(&self.store, &self.hub, &self.credentials, &quiet).await.unwrap()
    }
}

async fn empty_store() -> (Store, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("church.sqlite"), &test_key()).unwrap();
    (store, dir)
}

/// The office computer: its first administrator, and the team it creates on the hub.
async fn office(address: &HubAddress, password: Option<&str>) -> (Device, Actor) {
    let (store, dir) = empty_store().await;
    let admin = common::first_administrator(&store);
    let hub = Hub::connect(address, password).await.unwrap();
    let credentials = membership::create_team(&store, &admin, &hub, "Grace Church", "Office").await.unwrap();
    (Device { store, hub, credentials, _dir: dir }, admin)
}

/// A new laptop that joins with a code the office's administrator made.
async fn laptop(
    address: &HubAddress,
    password: Option<&str>,
    office: &Device,
    admin: &Actor,
    name: &str,
    campus: Option<&str>,
) -> Device {
    let code = membership::make_join_code(admin, &office.hub, &office.credentials, campus, chrono::Duration::hours(1))
        .await
        .unwrap();
    let (store, dir) = empty_store().await;
    let hub = Hub::connect(address, password).await.unwrap();
    let joined = membership::join(&store, None, &hub, &code, name).await.unwrap();
    let device = Device { store, hub, credentials: joined.credentials, _dir: dir };
    device.sync().await;
    device
}

async fn write<T: cct_domain::Record>(store: &Store, record: T) -> T {
    let system = Actor::system();
    let mut tx = store.begin_write(&system).unwrap();
    let record = records::insert(&mut tx, record).unwrap();
    tx.commit().unwrap();
    record
}

async fn edit_person(store: &Store, id: Uuid, change: impl FnOnce(&mut Person)) {
    let system = Actor::system();
    let mut person: Person = records::get(store, &system, id).unwrap();
    change(&mut person);
    let mut tx = store.begin_write(&system).unwrap();
    records::update(&mut tx, person).unwrap();
    tx.commit().unwrap();
}

async fn delete_person(store: &Store, id: Uuid) {
    let system = Actor::system();
    let mut tx = store.begin_write(&system).unwrap();
    records::deactivate::<Person>(&mut tx, id).unwrap();
    tx.commit().unwrap();
}

/// Every shared table, every column, as text: what "the same data" means.
async fn shared_data(store: &Store) -> Vec<(String, Vec<String>)> {
    let mut all = Vec::new();
    for table in REPLICATED_TABLES {
        let rows = store
            .read(|conn| {
                let columns: Vec<String> =
                    conn.column("SELECT name FROM pragma_table_info(?1) ORDER BY cid", [table])?;
                let listed = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
                conn.column::<String>(&format!("SELECT json_array({listed}) FROM {table} ORDER BY id"), [])
            })
            .unwrap();
        all.push((table.to_owned(), rows));
    }
    all
}

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
    let first = laptop(&address, password.as_deref(), &office, &admin, "Room 101", None).await;
    let second = laptop(&address, password.as_deref(), &office, &admin, "Room 102", None).await;
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
    let Device { store, hub, credentials, _dir: dir } =
        laptop(&address, password.as_deref(), &office, &admin, "Room 103", None).await;
    let hub_connection = || async {
        sqlx::PgConnection::connect_with(
            &address
                .as_str()
                .parse::<sqlx::postgres::PgConnectOptions>()
                .unwrap()
                .password(password.as_deref().unwrap_or_default()),
        )
        .await
        .unwrap()
    };
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
            (store.clone(), Hub::connect(&address, password.as_deref()).await.unwrap(), credentials.clone());
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
    let Device { store, hub, credentials, _dir: dir } =
        laptop(&address, password.as_deref(), &office, &admin, "Room 104", None).await;
    let hub_changes = || async {
        let mut conn = sqlx::PgConnection::connect_with(
            &address
                .as_str()
                .parse::<sqlx::postgres::PgConnectOptions>()
                .unwrap()
                .password(password.as_deref().unwrap_or_default()),
        )
        .await
        .unwrap();
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
    let laptop = laptop(&address, password.as_deref(), &office, &admin, "Room 105", None).await;
    let mut owner = sqlx::PgConnection::connect_with(
        &address
            .as_str()
            .parse::<sqlx::postgres::PgConnectOptions>()
            .unwrap()
            .password(password.as_deref().unwrap_or_default()),
    )
    .await
    .unwrap();

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
    let room = laptop(&address, password.as_deref(), &office, &admin, "Room 104", None).await;
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
        exchange::push(&office.store, &office.hub, &forged, 100, &quiet).await.unwrap_err().code(),
        cct_domain::ErrorCode::NotAMember,
        "a device id alone is not enough"
    );

    let code = membership::make_join_code(&admin, &office.hub, &office.credentials, None, chrono::Duration::hours(1))
        .await
        .unwrap();
    let (first, _d1) = empty_store().await;
    membership::join(&first, None, &office.hub, &code.to_lowercase(), "Room 105").await.unwrap();
    let (second, _d2) = empty_store().await;
    assert_eq!(
        membership::join(&second, None, &office.hub, &code, "Room 106").await.unwrap_err().code(),
        cct_domain::ErrorCode::JoinCodeUsed
    );
    assert_eq!(
        membership::join(&second, None, &office.hub, "AAAA-BBBB-CCCC", "Room 106").await.unwrap_err().code(),
        cct_domain::ErrorCode::JoinCodeUnknown
    );
    let stale =
        membership::make_join_code(&admin, &office.hub, &office.credentials, None, chrono::Duration::seconds(-1))
            .await
            .unwrap();
    assert_eq!(
        membership::join(&second, None, &office.hub, &stale, "Room 106").await.unwrap_err().code(),
        cct_domain::ErrorCode::JoinCodeExpired
    );
    let volunteer = membership::make_join_code(
        &Actor::person(Uuid::now_v7(), "Volunteer", [cct_domain::Permission::AttendanceWrite]),
        &office.hub,
        &office.credentials,
        None,
        chrono::Duration::hours(1),
    )
    .await
    .unwrap_err();
    assert_eq!(volunteer.code(), cct_domain::ErrorCode::PermissionDenied, "only an administrator makes join codes");
    let (used, _d3) = empty_store().await;
    write(&used, Person { first_name: "Someone".into(), last_name: "Here".into(), ..Default::default() }).await;
    let fresh = membership::make_join_code(&admin, &office.hub, &office.credentials, None, chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        membership::join(&used, None, &office.hub, &fresh, "Room 107").await.unwrap_err().code(),
        cct_domain::ErrorCode::Conflict,
        "a computer holding data joins only with an administrator signed in"
    );
    let refused = Hub::connect(&address, Some("wrong")).await.err().expect("a wrong password is refused");
    assert_eq!(refused.code(), cct_domain::ErrorCode::HubError, "{refused}");
    assert!(device::membership(&room.store).unwrap().hub_url.is_some());
}

#[tokio::test]
async fn only_one_device_sends_an_outbox_entry_to_planning_center() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    office.sync().await;
    let room = laptop(&address, password.as_deref(), &office, &admin, "Room 108", None).await;
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
    let north_laptop =
        laptop(&address, password.as_deref(), &office, &admin, "North kiosk", Some(&north.meta.id.to_string())).await;
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
    let code = membership::make_join_code(&admin, &office.hub, &office.credentials, None, chrono::Duration::hours(1))
        .await
        .unwrap();
    let (store, _dir) = empty_store().await;
    let hub = Hub::connect(&address, password.as_deref()).await.unwrap();
    let joined = membership::join(&store, None, &hub, &code, "Room 109").await.unwrap();
    let pulling = {
        let (store, hub, credentials) =
            (store.clone(), Hub::connect(&address, password.as_deref()).await.unwrap(), joined.credentials.clone());
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
    let (pulled, waiting) = exchange::pull(&store, &hub, &joined.credentials, 100, &quiet).await.unwrap();
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
    let room = laptop(&address, password.as_deref(), &office, &admin, "Room 101", None).await;
    let hall = laptop(&address, password.as_deref(), &office, &admin, "Fellowship Hall", None).await;

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
    let room = laptop(&address, password.as_deref(), &office, &admin, "Room 101", None).await;
    let hall = laptop(&address, password.as_deref(), &office, &admin, "Fellowship Hall", None).await;
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

/// The key the test databases are encrypted with, so that a test can open a file again.
fn test_key() -> cct_store::DatabaseKey {
    cct_store::DatabaseKey::from_hex(&"5a".repeat(32)).expect("a key")
}
