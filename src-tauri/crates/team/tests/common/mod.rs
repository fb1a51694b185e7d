//! What the team's test files share: a hub database of their own, the office that makes the
//! team, laptops that join it.
// Each test file uses some of these.
#![allow(dead_code)]

use cct_domain::records::Person;
use cct_domain::Actor;
use cct_store::db::Query;
use cct_store::team::REPLICATED_TABLES;
use cct_store::{records, Store};
use cct_team::exchange::{self, ExchangeProgress};
use cct_team::membership::{self, JoinCodeFor};
use cct_team::{DeviceCredentials, Hub, HubAddress};
use sqlx::Connection;
use tempfile::TempDir;
use uuid::Uuid;

/// The office's first administrator (Pat), set up on an empty store, as the actor who acts.
pub fn first_administrator(store: &Store) -> Actor {
    let admin = cct_store::office::setup::set_up_first_administrator(
        store,
        cct_store::office::setup::FirstAdministrator {
            first_name: "Pat".into(),
            last_name: "Admin".into(),
            email: Some("pat@example.org".into()),
            password: "office password".into(),
            password_again: "office password".into(),
        },
    )
    .unwrap();
    cct_store::office::people::actor_for_person(store, admin.meta.id).unwrap()
}

pub fn quiet(_: ExchangeProgress) {}

/// A new, empty hub database on the test server.
pub async fn new_hub() -> (HubAddress, Option<String>) {
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

pub struct Device {
    pub store: Store,
    pub hub: Hub,
    pub credentials: DeviceCredentials,
    pub _dir: TempDir,
}

impl Device {
    pub async fn sync(&self) -> exchange::ExchangeReport {
        exchange::sync(&self.store, &self.hub, &self.credentials, &quiet).await.unwrap()
    }
}

pub async fn empty_store() -> (Store, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("church.sqlite"), &test_key()).unwrap();
    (store, dir)
}

/// The office computer: its first administrator, and the team it creates on the hub.
pub async fn office(address: &HubAddress, password: Option<&str>) -> (Device, Actor) {
    let (store, dir) = empty_store().await;
    let admin = first_administrator(&store);
    let owner = Hub::connect_as_owner(address, password).await.unwrap();
    let credentials = membership::create_team(&store, &admin, &owner, "Grace Church", "Office").await.unwrap();
    owner.close().await;
    let hub = Hub::connect(address, &credentials).await.unwrap();
    (Device { store, hub, credentials, _dir: dir }, admin)
}

/// A new laptop that joins with a code the office's administrator made.
pub async fn laptop(address: &HubAddress, office: &Device, admin: &Actor, name: &str, campus: Option<&str>) -> Device {
    let code = join_code(office, admin, JoinCodeFor { campus_scope: campus, ..Default::default() }).await;
    let (store, dir) = empty_store().await;
    let joined = membership::join(&store, None, address, &code, name).await.unwrap();
    let hub = Hub::connect(address, &joined.credentials).await.unwrap();
    let device = Device { store, hub, credentials: joined.credentials, _dir: dir };
    device.sync().await;
    device
}

/// A join code the office's administrator makes, valid for an hour.
pub async fn join_code(office: &Device, admin: &Actor, code_for: JoinCodeFor<'_>) -> String {
    membership::make_join_code(admin, &office.hub, &office.credentials, code_for, chrono::Duration::hours(1))
        .await
        .unwrap()
}

/// A connection as the hub's owner, to look at (or attack) the hub from outside the app.
pub async fn owner_connection(address: &HubAddress, password: Option<&str>) -> sqlx::PgConnection {
    let options = address.as_str().parse::<sqlx::postgres::PgConnectOptions>().unwrap();
    sqlx::PgConnection::connect_with(&options.password(password.unwrap_or_default())).await.unwrap()
}

pub async fn write<T: cct_domain::Record>(store: &Store, record: T) -> T {
    let system = Actor::system();
    let mut tx = store.begin_write(&system).unwrap();
    let record = records::insert(&mut tx, record).unwrap();
    tx.commit().unwrap();
    record
}

/// The key the test databases are encrypted with, so that a test can open a file again.
pub fn test_key() -> cct_store::DatabaseKey {
    cct_store::DatabaseKey::from_hex(&"5a".repeat(32)).expect("a key")
}

/// A connection as a device's own role, as someone holding that laptop and psql would open.
pub async fn device_connection(address: &HubAddress, credentials: &DeviceCredentials) -> sqlx::PgConnection {
    let options = address.as_str().parse::<sqlx::postgres::PgConnectOptions>().unwrap();
    sqlx::PgConnection::connect_with(&options.username(&credentials.role_name()).password(&credentials.secret))
        .await
        .unwrap()
}

pub async fn refused(conn: &mut sqlx::PgConnection, sql: &str) -> String {
    let outcome = sqlx::query(sql).execute(&mut *conn).await;
    outcome.err().unwrap_or_else(|| panic!("{sql} was allowed")).to_string()
}

pub async fn edit_person(store: &Store, id: Uuid, change: impl FnOnce(&mut Person)) {
    let system = Actor::system();
    let mut person: Person = records::get(store, &system, id).unwrap();
    change(&mut person);
    let mut tx = store.begin_write(&system).unwrap();
    records::update(&mut tx, person).unwrap();
    tx.commit().unwrap();
}

pub async fn delete_person(store: &Store, id: Uuid) {
    let system = Actor::system();
    let mut tx = store.begin_write(&system).unwrap();
    records::deactivate::<Person>(&mut tx, id).unwrap();
    tx.commit().unwrap();
}

/// Every shared table, every column, as text: what "the same data" means.
pub async fn shared_data(store: &Store) -> Vec<(String, Vec<String>)> {
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

/// Each record's winning version of each field, and whether it is deleted: what a computer
/// needs to merge later changes as the others do.
pub async fn field_versions(store: &Store) -> Vec<(String, String, std::collections::BTreeMap<String, String>, bool)> {
    let stored: Vec<(String, String, String, bool)> = store
        .read(|conn| {
            conn.tuples(
                "SELECT table_name, record_id, clocks, deleted FROM team_record_clock ORDER BY table_name, record_id",
                [],
            )
        })
        .unwrap();
    stored
        .into_iter()
        .map(|(table, record, clocks, deleted)| {
            let versions = cct_store::team::merge::FieldVersions::from_stored(&clocks, deleted).unwrap();
            (table, record, versions.by_field, versions.deleted)
        })
        .collect()
}

/// Asserts two computers hold the same shared data, naming the rows that differ when not.
pub async fn assert_same_data(left: &Store, right: &Store, what: &str) {
    let (left, right) = (shared_data(left).await, shared_data(right).await);
    for ((table, left_rows), (_, right_rows)) in left.iter().zip(&right) {
        let only_left: Vec<&String> = left_rows.iter().filter(|r| !right_rows.contains(r)).take(3).collect();
        let only_right: Vec<&String> = right_rows.iter().filter(|r| !left_rows.contains(r)).take(3).collect();
        assert!(
            only_left.is_empty() && only_right.is_empty(),
            "{what}: {table} differs\n  only left: {only_left:?}\n  only right: {only_right:?}"
        );
    }
}
