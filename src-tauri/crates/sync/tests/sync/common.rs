use cct_domain::records::*;
use cct_domain::Actor;
use cct_pco_fake::{FakeConfig, FakePco, Faults, TEST_APP_ID, TEST_SECRET};
use cct_planning_center::{Client, ClientConfig, Credentials, RetryPolicy};
use cct_store::db::Query;
use cct_store::office::settings;
use cct_store::{records, ListQuery, Store};
use cct_sync::{SyncEngine, SyncSettings};
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

pub fn unlimited() -> Faults {
    Faults { rate_limit: 100_000, rate_period: Duration::from_secs(1), ..Default::default() }
}

pub async fn fake(people: usize, faults: Faults) -> FakePco {
    FakePco::start(FakeConfig { people, faults, ..Default::default() }).await.unwrap()
}

pub fn client(fake: &FakePco) -> Client {
    let mut config = ClientConfig::new(
        fake.base_url(),
        Credentials::PersonalAccessToken { app_id: TEST_APP_ID.into(), secret: TEST_SECRET.into() },
    );
    config.retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(1),
        request_timeout: Duration::from_secs(5),
    };
    Client::new(config).unwrap()
}

pub struct Office {
    pub store: Store,
    pub engine: Arc<SyncEngine>,
    pub dir: TempDir,
}

pub async fn office(fake: &FakePco) -> Office {
    office_in(fake, tempfile::tempdir().unwrap()).await
}

/// The office app on the database in `dir`: a new one, or the same one started again.
pub async fn office_in(fake: &FakePco, dir: TempDir) -> Office {
    let store = Store::open(dir.path().join("church.sqlite"), &test_key()).unwrap();
    let engine = SyncEngine::new(
        store.clone(),
        client(fake),
        SyncSettings { interval: Duration::from_secs(3600), reconcile_every: Duration::from_secs(3600) },
    );
    Office { store, engine, dir }
}

pub fn system() -> Actor {
    Actor::system()
}

pub async fn add_person(store: &Store, first: &str, last: &str, email: Option<&str>, phone: Option<&str>) -> Person {
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let person = records::insert(
        &mut tx,
        Person {
            first_name: first.into(),
            last_name: last.into(),
            email: email.map(Into::into),
            phone: phone.map(Into::into),
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    person
}

pub async fn local_people(store: &Store) -> Vec<Person> {
    records::list::<Person>(
        store,
        &system(),
        &ListQuery { include_inactive: true, limit: Some(1000), ..Default::default() },
    )
    .unwrap()
    .items
}

pub async fn by_name(store: &Store, first: &str, last: &str) -> Person {
    local_people(store)
        .await
        .into_iter()
        .find(|p| p.first_name == first && p.last_name == last)
        .unwrap_or_else(|| panic!("{first} {last} is here"))
}

/// Remote people as (first, last) pairs, sorted, for comparing states.
pub fn remote_names(fake: &FakePco) -> Vec<(String, String)> {
    let mut names: Vec<(String, String)> = fake.with_data(|d| {
        d.all("people/people")
            .map(|r| {
                (
                    r.attribute("first_name").as_str().unwrap_or("").to_owned(),
                    r.attribute("last_name").as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    });
    names.sort();
    names
}

pub fn remote_emails_of(fake: &FakePco, pco_id: &str) -> Vec<String> {
    let id: u64 = pco_id.parse().unwrap();
    fake.with_data(|d| {
        d.children_of("people/emails", id).map(|e| e.attribute("address").as_str().unwrap_or("").to_owned()).collect()
    })
}

pub async fn pending(store: &Store) -> i64 {
    cct_store::office::outbox::pending_count(store).unwrap()
}

pub async fn map_completion_field(store: &Store, fake: &FakePco) -> String {
    let field = fake
        .with_data(|d| {
            d.all("people/field_definitions")
                .find(|f| f.attribute("name") == "Course Completions")
                .map(|f| f.id.to_string())
        })
        .unwrap();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    settings::set(&mut tx, settings::PCO_COMPLETIONS_FIELD, &field).unwrap();
    tx.commit().unwrap();
    field
}

/// A course with one required lesson; returns (course, lesson).
pub async fn course_with_lesson(store: &Store, name: &str) -> (Course, uuid::Uuid) {
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let course = records::insert(&mut tx, Course { name: name.into(), ..Default::default() }).unwrap();
    let kind: String = tx.conn().scalar("SELECT id FROM content_type WHERE name = 'video'", []).unwrap();
    let lesson = records::insert(
        &mut tx,
        Content {
            course_id: course.meta.id,
            title: "Lesson".into(),
            content_type_id: kind.parse().unwrap(),
            order_sequence: 0,
            is_required: true,
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    (course, lesson.meta.id)
}

pub async fn complete_course(store: &Store, person: uuid::Uuid, course: uuid::Uuid, lesson: uuid::Uuid) {
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let e = cct_store::office::enrollment::enroll(
        &mut tx,
        cct_store::office::enrollment::EnrollRequest { people_id: person, course_id: course, ..Default::default() },
    )
    .unwrap();
    cct_store::office::progress::complete_content(
        &mut tx,
        cct_store::office::progress::CompletionInput {
            course_enrollment_id: e.meta.id,
            content_id: lesson,
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
}

/// Runs syncs until one succeeds (faults make some fail part-way); returns how many it took.
pub async fn sync_until_done(engine: &SyncEngine, limit: usize) -> usize {
    for attempt in 1..=limit {
        match engine.run().await {
            Ok(_) => return attempt,
            Err(error) if error.is_passing() => continue,
            Err(error) => panic!("sync failed for a lasting reason: {error}"),
        }
    }
    panic!("no clean sync in {limit} runs");
}

/// The key the test databases are encrypted with, so that a test can open a file again.
pub fn test_key() -> cct_store::DatabaseKey {
    cct_store::DatabaseKey::from_hex(&"5a".repeat(32)).expect("a key")
}
