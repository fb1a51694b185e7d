use cct_domain::records::*;
use cct_domain::Actor;
use cct_store::{actor, records, Store};
use tempfile::TempDir;
use uuid::Uuid;

/// A store on a fresh database file; keep the `TempDir` alive as long as the store.
pub async fn fresh_store() -> (Store, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path().join("church.sqlite")).await.expect("open store");
    (store, dir)
}

pub fn system() -> Actor {
    Actor::system()
}

pub async fn add_person(store: &Store, first: &str, last: &str) -> Person {
    let system = system();
    let mut tx = store.begin_write(&system).await.unwrap();
    let person = records::insert(&mut tx, Person { first_name: first.into(), last_name: last.into(), ..Default::default() }).await.unwrap();
    tx.commit().await.unwrap();
    person
}

pub async fn add_course(store: &Store, name: &str, max_capacity: Option<i64>) -> Course {
    let system = system();
    let mut tx = store.begin_write(&system).await.unwrap();
    let course = records::insert(&mut tx, Course { name: name.into(), max_capacity, ..Default::default() }).await.unwrap();
    tx.commit().await.unwrap();
    course
}

/// A person holding a built-in role, and the actor for them.
pub async fn person_with_role(store: &Store, first: &str, role: &str) -> Actor {
    let person = add_person(store, first, "Tester").await;
    let role_id = actor::role_id(store, role).await.unwrap();
    let system = system();
    let mut tx = store.begin_write(&system).await.unwrap();
    records::insert(&mut tx, PeopleRole { people_id: person.meta.id, role_id, assigned_date: chrono::Utc::now().date_naive(), ..Default::default() }).await.unwrap();
    tx.commit().await.unwrap();
    actor::actor_for_person(store, person.meta.id).await.unwrap()
}

pub async fn count(store: &Store, table: &str) -> i64 {
    let dir_sql = format!("SELECT COUNT(*) FROM {table}");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", store.path().display())).await.unwrap();
    let n = sqlx::query_scalar(&dir_sql).fetch_one(&pool).await.unwrap();
    pool.close().await;
    n
}

/// Adds `n` required lessons to a course; returns their ids in order.
pub async fn add_lessons(store: &Store, course_id: Uuid, n: usize, required: bool) -> Vec<Uuid> {
    let system = system();
    let mut tx = store.begin_write(&system).await.unwrap();
    let kind: String = sqlx::query_scalar("SELECT id FROM content_type WHERE name = 'video'").fetch_one(tx.conn()).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let content = records::insert(
            &mut tx,
            Content {
                course_id,
                title: format!("Lesson {i}"),
                content_type_id: Uuid::parse_str(&kind).unwrap(),
                order_sequence: i as i64,
                is_required: required,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        ids.push(content.meta.id);
    }
    tx.commit().await.unwrap();
    ids
}
