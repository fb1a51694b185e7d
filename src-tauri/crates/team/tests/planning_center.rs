//! Two devices of a team, both signed in to Planning Center (the fake server), share an outbox
//! entry: the hub's lease lets exactly one of them send it.

mod common;

use common::*;

use cct_domain::records::Person;
use cct_domain::Actor;
use cct_pco_fake::{FakeConfig, FakePco, Faults, TEST_APP_ID, TEST_SECRET};
use cct_planning_center::{Client, ClientConfig, Credentials};
use cct_store::{records, ListQuery, Store};
use cct_sync::{SyncEngine, SyncSettings};
use cct_team::exchange::{self, ExchangeProgress};
use cct_team::lease::HubLease;
use cct_team::{membership, DeviceCredentials, Hub};
use std::sync::Arc;
use std::time::Duration;

fn engine(store: &Store, fake: &FakePco, hub: Arc<Hub>, credentials: DeviceCredentials) -> Arc<SyncEngine> {
    let client = Client::new(ClientConfig::new(
        fake.base_url(),
        Credentials::PersonalAccessToken { app_id: TEST_APP_ID.into(), secret: TEST_SECRET.into() },
    ))
    .unwrap();
    let engine = SyncEngine::new(
        store.clone(),
        client,
        SyncSettings { interval: Duration::from_secs(3600), reconcile_every: Duration::from_secs(3600) },
    );
    engine.set_outbox_lease(Some(Arc::new(HubLease::new(hub, credentials))));
    engine
}

async fn named(store: &Store, first: &str) -> Vec<Person> {
    let all = records::list::<Person>(
        store,
        &Actor::system(),
        &ListQuery { include_inactive: true, limit: Some(1000), ..Default::default() },
    )
    .unwrap()
    .items;
    all.into_iter().filter(|p| p.first_name == first).collect()
}

#[tokio::test]
async fn a_person_added_on_a_classroom_laptop_reaches_planning_center_once() {
    let fake = FakePco::start(FakeConfig {
        people: 0,
        faults: Faults { rate_limit: 100_000, rate_period: Duration::from_secs(1), ..Default::default() },
        ..Default::default()
    })
    .await
    .unwrap();
    let (address, password) = new_hub().await;
    let quiet = |_: ExchangeProgress| {};

    let office_dir = tempfile::tempdir().unwrap();
    let office = Store::open(office_dir.path().join("church.sqlite"), &test_key()).unwrap();
    let admin = common::first_administrator(&office);
    let owner = Hub::connect_as_owner(&address, password.as_deref()).await.unwrap();
    let office_credentials = membership::create_team(&office, &admin, &owner, "Grace Church", "Office").await.unwrap();
    owner.close().await;
    let office_hub = Arc::new(Hub::connect(&address, &office_credentials).await.unwrap());
    exchange::sync(&office, &office_hub, &office_credentials, &quiet).await.unwrap();

    let laptop_dir = tempfile::tempdir().unwrap();
    let laptop = Store::open(laptop_dir.path().join("church.sqlite"), &test_key()).unwrap();
    let code = membership::make_join_code(
        &admin,
        &office_hub,
        &office_credentials,
        membership::JoinCodeFor::default(),
        chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    let laptop_credentials = membership::join(&laptop, None, &address, &code, "Room 201").await.unwrap().credentials;
    let laptop_hub = Arc::new(Hub::connect(&address, &laptop_credentials).await.unwrap());

    let system = Actor::system();
    let mut tx = laptop.begin_write(&system).unwrap();
    records::insert(
        &mut tx,
        Person {
            first_name: "Onesimus".into(),
            last_name: "Colossae".into(),
            email: Some("onesimus@example.org".into()),
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    exchange::sync(&laptop, &laptop_hub, &laptop_credentials, &quiet).await.unwrap();
    exchange::sync(&office, &office_hub, &office_credentials, &quiet).await.unwrap();
    assert_eq!(named(&office, "Onesimus").await.len(), 1, "the laptop's new person reached the office");

    // Both signed in to Planning Center, both run a sync with the entry queued.
    let office_engine = engine(&office, &fake, office_hub.clone(), office_credentials.clone());
    let laptop_engine = engine(&laptop, &fake, laptop_hub.clone(), laptop_credentials.clone());
    let (a, b) = tokio::join!(office_engine.run(), laptop_engine.run());
    a.unwrap();
    b.unwrap();
    for _round in 0..2 {
        office_engine.run().await.unwrap();
        laptop_engine.run().await.unwrap();
        exchange::sync(&laptop, &laptop_hub, &laptop_credentials, &quiet).await.unwrap();
        exchange::sync(&office, &office_hub, &office_credentials, &quiet).await.unwrap();
    }
    let in_planning_center =
        fake.with_data(|d| d.all("people/people").filter(|p| p.attribute("first_name") == "Onesimus").count());
    assert_eq!(in_planning_center, 1, "created in Planning Center once");
    for store in [&office, &laptop] {
        let here = named(store, "Onesimus").await;
        assert_eq!(here.len(), 1, "one local person, not a second copy pulled back from Planning Center");
        assert!(here[0].planning_center_id.is_some(), "both devices know the Planning Center id");
        assert_eq!(cct_store::office::outbox::pending_count(store).unwrap(), 0, "nothing left queued on either device");
    }
}

fn cards_on(fake: &FakePco, workflow: u64, person: &str) -> usize {
    fake.with_data(|d| {
        d.children_of("people/cards", workflow).filter(|c| c.attribute("person_id").as_str() == Some(person)).count()
    })
}

/// A certification earned `days_ago` by completing a one-lesson course, valid for a year.
fn certified_long_ago(store: &Store, person: uuid::Uuid, days_ago: i64) {
    use cct_domain::records::{Certification, CertificationCourse, Content, Course, CourseEnrollment};
    use cct_store::db::Query;
    use cct_store::office::{enrollment, progress};
    let system = Actor::system();
    let mut tx = store.begin_write(&system).unwrap();
    let course =
        records::insert(&mut tx, Course { name: "Child Safety Training".into(), ..Default::default() }).unwrap();
    let kind: String = tx.conn().scalar("SELECT id FROM content_type WHERE name = 'video'", []).unwrap();
    let lesson = records::insert(
        &mut tx,
        Content {
            course_id: course.meta.id,
            title: "Lesson".into(),
            content_type_id: kind.parse().unwrap(),
            is_required: true,
            ..Default::default()
        },
    )
    .unwrap();
    let certification = records::insert(
        &mut tx,
        Certification { name: "Child Safety".into(), validity_months: Some(12), ..Default::default() },
    )
    .unwrap();
    records::insert(
        &mut tx,
        CertificationCourse {
            certification_id: certification.meta.id,
            course_id: course.meta.id,
            ..Default::default()
        },
    )
    .unwrap();
    let on = cct_domain::Timestamp::now().date() - chrono::Duration::days(days_ago);
    let mut enrolled = enrollment::enroll(
        &mut tx,
        enrollment::EnrollRequest { people_id: person, course_id: course.meta.id, ..Default::default() },
    )
    .unwrap();
    enrolled.enrollment_date = on;
    let enrolled: CourseEnrollment = records::update(&mut tx, enrolled).unwrap();
    progress::complete_content(
        &mut tx,
        progress::CompletionInput {
            course_enrollment_id: enrolled.meta.id,
            content_id: lesson.meta.id,
            completed_at: Some(cct_domain::Timestamp::from(on.and_hms_opt(12, 0, 0).unwrap().and_utc())),
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
}

/// Renewal cards are made by whichever computer syncs with Planning Center; two syncing at the
/// same moment would each find no card and each make one, so the hub's lease lets one of
/// them make it, and the other records it as made.
#[tokio::test]
async fn two_computers_syncing_at_once_make_one_renewal_card() {
    let fake = FakePco::start(FakeConfig {
        people: 4,
        faults: Faults { rate_limit: 100_000, rate_period: Duration::from_secs(1), ..Default::default() },
        ..Default::default()
    })
    .await
    .unwrap();
    let (address, password) = new_hub().await;
    let (office, admin) = common::office(&address, password.as_deref()).await;
    let office_hub = Arc::new(Hub::connect(&address, &office.credentials).await.unwrap());
    let office_engine = engine(&office.store, &fake, office_hub, office.credentials.clone());
    office_engine.run().await.unwrap();
    let lapsed = records::list::<Person>(&office.store, &Actor::system(), &ListQuery::default())
        .unwrap()
        .items
        .into_iter()
        .find(|p| p.planning_center_id.is_some())
        .expect("people pulled from Planning Center");
    certified_long_ago(&office.store, lapsed.meta.id, 400);
    office.sync().await;
    let laptop = common::laptop(&address, &office, &admin, "Room 201", None).await;
    let laptop_hub = Arc::new(Hub::connect(&address, &laptop.credentials).await.unwrap());
    let laptop_engine = engine(&laptop.store, &fake, laptop_hub, laptop.credentials.clone());
    laptop_engine.run().await.unwrap();
    office_engine.run().await.unwrap();

    // Now the office chooses the renewals workflow, both computers hear of it, and both sync
    // with Planning Center at the same moment (each request a little slow, as over the
    // internet): each reads the person's cards before either has made one.
    let workflow = fake.with_data(|d| d.all("people/workflows").map(|w| w.id).min().unwrap());
    let system = Actor::system();
    office
        .store
        .write(&system, |tx| {
            cct_store::office::settings::set(
                tx,
                cct_store::office::settings::PCO_RENEWALS_WORKFLOW,
                &workflow.to_string(),
            )
        })
        .unwrap();
    office.sync().await;
    laptop.sync().await;
    fake.update_faults(|f| f.latency = Duration::from_millis(40));
    let (a, b) = tokio::join!(office_engine.run(), laptop_engine.run());
    let made = a.unwrap().renewal_cards + b.unwrap().renewal_cards;
    let remote = lapsed.planning_center_id.clone().unwrap();
    assert_eq!(cards_on(&fake, workflow, &remote), 1, "one card, made by one of them");
    assert_eq!(made, 1);
    for _round in 0..2 {
        office_engine.run().await.unwrap();
        laptop_engine.run().await.unwrap();
    }
    assert_eq!(cards_on(&fake, workflow, &remote), 1, "and no second one later");
    for store in [&office.store, &laptop.store] {
        let kept: i64 =
            store.read(|c| cct_store::db::Query::scalar(c, "SELECT count(*) FROM pco_renewal_card", [])).unwrap();
        assert_eq!(kept, 1, "each computer keeps it as made");
    }
}
