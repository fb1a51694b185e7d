//! The receiver against a real hub (PostgreSQL) and the fake Planning Center, which sends
//! signed deliveries as the real one does: stored once, forged ones refused, and a person
//! updated in Planning Center reaching a computer of the team without waiting for a poll.

use cct_domain::records::Person;
use cct_domain::Actor;
use cct_pco_fake::{FakeConfig, FakePco, Faults, TEST_APP_ID, TEST_SECRET};
use cct_planning_center::{Client, ClientConfig, Credentials};
use cct_store::{records, ListQuery, Store};
use cct_sync::webhooks::SUBSCRIBED_EVENTS;
use cct_sync::{SyncEngine, SyncSettings};
use cct_team::{membership, DeviceCredentials, Hub, HubAddress};
use cct_webhooks::{sign, ReceiverConfig, DELIVERY_PATH};
use sqlx::postgres::PgPool;
use sqlx::Connection;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use uuid::Uuid;

struct Team {
    address: HubAddress,
    password: Option<String>,
    office: Store,
    office_credentials: DeviceCredentials,
    _dir: tempfile::TempDir,
}

async fn new_team() -> Team {
    let url = std::env::var("CCT_TEST_HUB_URL")
        .expect("CCT_TEST_HUB_URL must name a PostgreSQL server; `node ui/scripts/tasks.mjs test` starts one");
    let password = std::env::var("CCT_TEST_HUB_PASSWORD").ok();
    let (server, _) = HubAddress::parse(&url).unwrap();
    let options = server
        .as_str()
        .parse::<sqlx::postgres::PgConnectOptions>()
        .unwrap()
        .password(password.as_deref().unwrap_or_default());
    let mut admin = sqlx::PgConnection::connect_with(&options).await.unwrap();
    let name = format!("cct_hub_{}", Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    let mut url = url::Url::parse(&url).unwrap();
    url.set_path(&name);
    let address = HubAddress::parse(url.as_str()).unwrap().0;

    let dir = tempfile::tempdir().unwrap();
    let office =
        Store::open(dir.path().join("church.sqlite"), &cct_store::DatabaseKey::from_hex(&"5a".repeat(32)).unwrap())
            .unwrap();
    let admin = first_administrator(&office);
    let owner = Hub::connect_as_owner(&address, password.as_deref()).await.unwrap();
    let office_credentials = membership::create_team(&office, &admin, &owner, "Grace Church", "Office").await.unwrap();
    owner.close().await;
    Team { address, password, office, office_credentials, _dir: dir }
}

fn first_administrator(store: &Store) -> Actor {
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

impl Team {
    async fn owner(&self) -> PgPool {
        self.address.connect(self.password.as_deref()).await.unwrap()
    }

    /// The receiver's own login role, made as the README says.
    async fn receiver_role(&self) -> PgPool {
        let role = format!("cct_wh_{}", &Uuid::new_v4().simple().to_string()[..12]);
        sqlx::query("SELECT cct_webhooks_receiver_role($1, 'receiver password')")
            .bind(&role)
            .execute(&self.owner().await)
            .await
            .unwrap();
        self.address.connect_as(&role, Some("receiver password")).await.unwrap()
    }

    async fn stored(&self) -> Vec<(String, String, Option<String>, i32)> {
        sqlx::query_as(
            "SELECT event_id, event_name, planning_center_id, attempts FROM planning_center_webhook_events ORDER BY seq",
        )
        .fetch_all(&self.owner().await)
        .await
        .unwrap()
    }
}

async fn start_receiver(listener: tokio::net::TcpListener, hub: PgPool, config: ReceiverConfig) -> String {
    let address = listener.local_addr().unwrap();
    tokio::spawn(cct_webhooks::serve(listener, hub, config));
    format!("http://{address}{DELIVERY_PATH}")
}

fn delivery(event_id: &str, person: &str) -> String {
    let payload =
        serde_json::json!({ "data": { "type": "Person", "id": person, "attributes": { "first_name": "Lydia" } } });
    serde_json::json!({ "data": [{ "id": event_id, "type": "EventDelivery",
        "attributes": { "name": "people.v2.events.person.updated", "attempt": 1, "payload": payload.to_string() } }] })
    .to_string()
}

async fn post(url: &str, body: &str, signature: Option<String>, event_id: Option<&str>) -> reqwest::StatusCode {
    let mut request = reqwest::Client::new().post(url).header("content-type", "application/json").body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("x-pco-webhooks-authenticity", signature);
    }
    if let Some(id) = event_id {
        request = request.header("x-pco-webhooks-event-id", id);
    }
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn a_signed_delivery_is_stored_once_and_forged_unsigned_or_oversized_ones_are_refused() {
    let team = new_team().await;
    let secret = "the subscription's authenticity secret";
    let config = ReceiverConfig { secrets: vec!["another subscription".into(), secret.into()], ..Default::default() };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = start_receiver(listener, team.receiver_role().await, config).await;

    let body = delivery("delivery-1", "1001");
    let signed = Some(sign(secret, body.as_bytes()));
    assert_eq!(post(&url, &body, signed.clone(), Some("event-1")).await, 200);
    assert_eq!(post(&url, &body, signed.clone(), Some("event-1")).await, 200, "a replay is answered 200");
    let stored = team.stored().await;
    assert_eq!(stored, [("event-1".into(), "people.v2.events.person.updated".into(), Some("1001".into()), 2)]);

    // A stranger's attempts: no signature, a signature of their own, a body changed after signing.
    let forged = delivery("delivery-2", "1002");
    assert_eq!(post(&url, &forged, None, Some("event-2")).await, 401);
    assert_eq!(post(&url, &forged, Some(sign("guessed secret", forged.as_bytes())), Some("event-2")).await, 401);
    assert_eq!(post(&url, &forged, signed.clone(), Some("event-2")).await, 401, "another body's signature");
    assert_eq!(post(&url, &forged, Some("zz".repeat(32)), Some("event-2")).await, 401, "not hex");
    let huge = format!("{{\"data\":[],\"padding\":\"{}\"}}", "x".repeat(300 * 1024));
    assert_eq!(post(&url, &huge, Some(sign(secret, huge.as_bytes())), None).await, 413);
    let empty = r#"{"data":[]}"#;
    assert_eq!(post(&url, empty, Some(sign(secret, empty.as_bytes())), None).await, 400, "signed, but no delivery");
    assert_eq!(team.stored().await.len(), 1, "nothing more was stored");

    // One address sending past its burst waits.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let strict = ReceiverConfig { secrets: vec![secret.into()], burst: 3, per_second: 1, ..Default::default() };
    let strict_url = start_receiver(listener, team.receiver_role().await, strict).await;
    let mut answers = Vec::new();
    for _ in 0..5 {
        answers.push(post(&strict_url, &forged, None, None).await.as_u16());
    }
    assert_eq!(answers, [401, 401, 401, 429, 429]);
}

#[tokio::test]
async fn the_hub_lets_the_receiver_only_store_and_a_computer_only_read() {
    let team = new_team().await;
    let receiver = team.receiver_role().await;
    let stored: bool =
        sqlx::query_scalar("SELECT cct_receive_webhook('e-1', 'people.v2.events.person.created', '7', '{}')")
            .fetch_one(&receiver)
            .await
            .unwrap();
    assert!(stored);
    for statement in [
        "SELECT * FROM planning_center_webhook_events",
        "DELETE FROM planning_center_webhook_events",
        "UPDATE planning_center_webhook_events SET payload = '{}'",
        "SELECT * FROM hub_change",
        "SELECT * FROM hub_device",
    ] {
        let refused = sqlx::query(statement).execute(&receiver).await.unwrap_err();
        assert!(refused.to_string().contains("permission denied"), "{statement}: {refused}");
    }

    let device = team
        .address
        .connect_as(&team.office_credentials.role_name(), Some(&team.office_credentials.secret))
        .await
        .unwrap();
    let seen: i64 =
        sqlx::query_scalar("SELECT count(*) FROM planning_center_webhook_events").fetch_one(&device).await.unwrap();
    assert_eq!(seen, 1, "a computer of the team reads the events");
    for statement in [
        "SELECT cct_receive_webhook('e-2', 'people.v2.events.person.created', '8', '{}')",
        "INSERT INTO planning_center_webhook_events (event_id, event_name, payload) VALUES ('e-3', 'x', '{}')",
        "UPDATE planning_center_webhook_events SET payload = '{}'",
        "DELETE FROM planning_center_webhook_events",
    ] {
        let refused = sqlx::query(statement).execute(&device).await.unwrap_err();
        assert!(refused.to_string().contains("permission denied"), "{statement}: {refused}");
    }
    assert_eq!(team.stored().await.len(), 1);
}

async fn eventually<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn local_person(store: &Store, planning_center_id: u64) -> Person {
    records::list::<Person>(
        store,
        &Actor::system(),
        &ListQuery { include_inactive: true, limit: Some(1000), ..Default::default() },
    )
    .unwrap()
    .items
    .into_iter()
    .find(|p| p.planning_center_id.as_deref() == Some(&planning_center_id.to_string()))
    .unwrap()
}

#[tokio::test]
async fn a_person_updated_in_planning_center_reaches_the_team_through_a_webhook_before_any_poll() {
    let fake = FakePco::start(FakeConfig {
        people: 30,
        faults: Faults {
            rate_limit: 100_000,
            rate_period: Duration::from_secs(1),
            webhook_retry_base: Duration::from_millis(100),
            ..Default::default()
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let team = new_team().await;
    let client = Client::new(ClientConfig::new(
        fake.base_url(),
        Credentials::PersonalAccessToken { app_id: TEST_APP_ID.into(), secret: TEST_SECRET.into() },
    ))
    .unwrap();
    let engine = SyncEngine::new(
        team.office.clone(),
        client.clone(),
        SyncSettings { interval: Duration::from_secs(3600), reconcile_every: Duration::from_secs(3600) },
    );
    engine.run().await.unwrap();

    // The receiver's address is chosen, the subscriptions made, and only then is the receiver
    // started: the first deliveries find no one listening and are retried.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let receiver_url = format!("http://127.0.0.1:{port}{DELIVERY_PATH}");
    let secrets_dir = tempfile::tempdir().unwrap();
    let secrets_file = secrets_dir.path().join("secrets");
    let subscribed = cct_sync::webhooks::subscribe(&client, &receiver_url, &secrets_file).await.unwrap();
    assert_eq!(subscribed.created, SUBSCRIBED_EVENTS);
    let secrets = cct_webhooks::read_secrets(&std::fs::read_to_string(&secrets_file).unwrap());
    assert_eq!(secrets.len(), 4);
    assert!(secrets.iter().all(|s| s.len() >= 32));

    let (lydia, keep, remove) = fake.with_data(|d| {
        let ids: Vec<u64> = d.all("people/people").map(|p| p.id).collect();
        (ids[3], ids[5], ids[6])
    });
    fake.with_data(|d| {
        let person = d.get_mut("people/people", lydia).unwrap();
        person.attributes.insert("first_name".into(), "Lydia".into());
        person.updated_at = chrono::Utc::now();
    });
    eventually("a delivery that found no receiver", async || {
        fake.webhook_attempts().iter().any(|a| a.status.is_none()).then_some(())
    })
    .await;
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await.unwrap();
    start_receiver(listener, team.receiver_role().await, ReceiverConfig { secrets, ..Default::default() }).await;
    let stored = eventually("the retried delivery stored", async || {
        let stored = team.stored().await;
        (!stored.is_empty()).then_some(stored)
    })
    .await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].1, "people.v2.events.person.updated");
    assert_eq!(stored[0].2, Some(lydia.to_string()));
    // The fake notes an attempt once the receiver's answer is back, which is after the store.
    let tries = eventually("the fake to note the answered retry", async || {
        let tries = fake.webhook_attempts();
        tries.iter().any(|a| a.status == Some(200)).then_some(tries)
    })
    .await;
    assert!(tries.iter().any(|a| a.attempt > 1 && a.status == Some(200)), "delivered on a retry: {tries:?}");

    // At the next team sync the office copies the event and fetches that one person.
    let hub = Hub::connect(&team.address, &team.office_credentials).await.unwrap();
    fake.reset_stats();
    assert_eq!(cct_team::webhooks::copy_new_events(&team.office, &hub).await.unwrap(), 1);
    assert_eq!(cct_team::webhooks::copy_new_events(&team.office, &hub).await.unwrap(), 0, "copied once");
    let report = engine.process_webhooks().await.unwrap();
    assert_eq!((report.processed, report.failed, report.people_pulled), (1, 0, 1), "{report:?}");
    assert_eq!(local_person(&team.office, lydia).await.first_name, "Lydia");
    assert_eq!(fake.stats().requests, 1, "one targeted GET, no list");
    assert_eq!(engine.process_webhooks().await.unwrap(), Default::default(), "nothing left to do");

    // A merge made in Planning Center arrives the same way.
    fake.with_data(|d| d.merge_people(keep, remove, chrono::Utc::now()).unwrap());
    eventually("the merge's events stored", async || {
        team.stored().await.iter().any(|e| e.1 == "people.v2.events.person_merger.created").then_some(())
    })
    .await;
    // The merge changes the kept person and removes the other: wait for all three events.
    eventually("the merge's three events", async || (team.stored().await.len() == 4).then_some(())).await;
    cct_team::webhooks::copy_new_events(&team.office, &hub).await.unwrap();
    let report = engine.process_webhooks().await.unwrap();
    assert_eq!(report.failed, 0, "{report:?}");
    assert!(!local_person(&team.office, remove).await.meta.is_active, "the person removed is retired here");
    let events = cct_store::planning_center::runs::unprocessed_webhooks(&team.office, &Actor::system(), 100).unwrap();
    assert!(events.is_empty(), "every event marked processed: {events:?}");
    let listed = cct_store::planning_center::runs::recent_webhooks(&team.office, &Actor::system(), 10).unwrap();
    assert_eq!(listed.len(), 4, "{listed:?}");
    assert!(listed.iter().all(|e| e.processed && e.error_message.is_none()), "{listed:?}");
    assert!(listed.iter().any(|e| e.event_type == "people.v2.events.person_merger.created"));

    // Someone deleted in Planning Center is retired here at once, once a read confirms it.
    let (gone, forged) = fake.with_data(|d| {
        let ids: Vec<u64> = d.all("people/people").map(|p| p.id).collect();
        (ids[9], ids[10])
    });
    fake.with_data(|d| d.remove("people/people", gone));
    eventually("the deletion's event stored", async || {
        team.stored()
            .await
            .iter()
            .any(|e| e.1 == "people.v2.events.person.destroyed" && e.2 == Some(gone.to_string()))
            .then_some(())
    })
    .await;
    cct_team::webhooks::copy_new_events(&team.office, &hub).await.unwrap();
    assert!(local_person(&team.office, gone).await.meta.is_active, "not before the event is handled");
    let report = engine.process_webhooks().await.unwrap();
    assert_eq!(report.failed, 0, "{report:?}");
    assert!(!local_person(&team.office, gone).await.meta.is_active, "retired without waiting for reconciliation");
    // A "destroyed" event about someone Planning Center still has retires no one.
    let owner = team.owner().await;
    sqlx::query("SELECT cct_receive_webhook('forged-1', 'people.v2.events.person.destroyed', $1, '{}'::jsonb)")
        .bind(forged.to_string())
        .execute(&owner)
        .await
        .unwrap();
    cct_team::webhooks::copy_new_events(&team.office, &hub).await.unwrap();
    let report = engine.process_webhooks().await.unwrap();
    assert_eq!(report.failed, 1, "kept with its reason: {report:?}");
    assert!(local_person(&team.office, forged).await.meta.is_active, "still in Planning Center, still here");
}

#[tokio::test]
async fn subscribing_twice_makes_each_subscription_once_and_the_secrets_reach_only_their_file() {
    let fake = FakePco::start(FakeConfig { people: 0, ..Default::default() }).await.unwrap();
    let client = Client::new(ClientConfig::new(
        fake.base_url(),
        Credentials::PersonalAccessToken { app_id: TEST_APP_ID.into(), secret: TEST_SECRET.into() },
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secrets");
    let url = "https://hub.grace.example.org/planning-center/webhooks";
    let first = cct_sync::webhooks::subscribe(&client, url, &file).await.unwrap();
    let written = std::fs::read_to_string(&file).unwrap();
    let again = cct_sync::webhooks::subscribe(&client, url, &file).await.unwrap();
    assert_eq!((first.created.len(), first.already_subscribed.len()), (4, 0));
    assert_eq!((again.created.len(), again.already_subscribed.len()), (0, 4), "made once");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), written, "the same secrets, written again");
    assert_eq!(fake.with_data(|d| d.count("webhooks/webhook_subscriptions")), 4);
    // The list shows no secret (the fake hides it there, as the real API is reported to): each
    // was read alone. One Planning Center shows nowhere gets a new one, which the file holds.
    let secret_there = |d: &cct_pco_fake::data::Data| -> Vec<String> {
        d.all("webhooks/webhook_subscriptions")
            .map(|s| s.attribute("authenticity_secret").as_str().unwrap_or_default().to_owned())
            .collect()
    };
    fake.with_data(|d| {
        let id = d.all("webhooks/webhook_subscriptions").map(|s| s.id).min().unwrap();
        d.get_mut("webhooks/webhook_subscriptions", id).unwrap().attributes.remove("authenticity_secret");
    });
    let rotated = cct_sync::webhooks::subscribe(&client, url, &file).await.unwrap();
    assert_eq!((rotated.created.len(), rotated.already_subscribed.len()), (0, 4), "still not made twice");
    let rewritten = cct_webhooks::read_secrets(&std::fs::read_to_string(&file).unwrap());
    let mut expected = fake.with_data(|d| secret_there(d));
    assert!(expected.iter().all(|s| s.len() >= 32), "the secret was rotated there");
    let mut written_now = rewritten.clone();
    expected.sort();
    written_now.sort();
    assert_eq!(written_now, expected, "the file holds every subscription's secret, the new one included");
    assert_eq!(rewritten.iter().filter(|s| !cct_webhooks::read_secrets(&written).contains(s)).count(), 1);
    let secrets = cct_webhooks::read_secrets(&written);
    for secret in &secrets {
        assert!(!format!("{first:?}{again:?}").contains(secret.as_str()), "the answer never holds a secret");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600, "readable by its owner only");
    }
    for unencrypted in ["http://hub.grace.example.org/hooks", "ftp://x", "not a url"] {
        let refused = cct_sync::webhooks::subscribe(&client, unencrypted, &file).await.unwrap_err();
        assert!(matches!(refused, cct_sync::webhooks::SubscribeError::ReceiverUrl(_)), "{unencrypted}: {refused}");
    }
    assert_eq!(fake.with_data(|d| d.count("webhooks/webhook_subscriptions")), 4, "nothing made for a refused address");
}
