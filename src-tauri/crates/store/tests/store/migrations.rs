//! Every migration is applied to a database that already holds data, and the data survives.

use crate::common::*;
use cct_domain::records::Person;
use cct_store::{records, Store};
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::SqlitePool;
use std::borrow::Cow;

#[tokio::test]
async fn each_migration_applies_on_top_of_data_from_the_ones_before() {
    let all = Store::migrator();
    let count_of_migrations = all.iter().count();
    assert!(count_of_migrations >= 2);
    for applied_first in 1..count_of_migrations {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        let pool = SqlitePool::connect_with(SqliteConnectOptions::new().filename(&path).create_if_missing(true).foreign_keys(true)).await.unwrap();
        let partial = Migrator { migrations: Cow::Owned(all.iter().take(applied_first).cloned().collect()), ..Migrator::DEFAULT };
        partial.run(&pool).await.unwrap();
        // Data as an older version of the app would have written it.
        sqlx::query(
            "INSERT INTO people (id, first_name, last_name, email, status, is_active, created_at, updated_at)
             VALUES ('0193a0ff-0000-7000-8000-00000000abcd', 'Lydia', 'Thyatira', 'lydia@example.org', 'active', 1, '2025-05-01T10:00:00.000000Z', '2025-05-01T10:00:00.000000Z')",
        )
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO course (id, name, is_active, created_at, updated_at) VALUES ('0193a0ff-0000-7000-8000-00000000c0de', 'Old course', 1, '2025-05-01T10:00:00.000000Z', '2025-05-01T10:00:00.000000Z')")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO pco_outbox (id, table_name, record_id, action, payload, status, attempts, created_at, updated_at) VALUES ('0193a0ff-0000-7000-8000-0000000000b0', 'people', '0193a0ff-0000-7000-8000-00000000abcd', 'insert', '{\"first_name\":\"Lydia\"}', 'pending', 0, '2025-05-01T10:00:00.000000Z', '2025-05-01T10:00:00.000000Z')")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;

        let store = Store::open(&path).await.unwrap_or_else(|e| panic!("migrating after {applied_first}: {e}"));
        let lydia: Person = records::get(&store, &system(), "0193a0ff-0000-7000-8000-00000000abcd".parse().unwrap()).await.unwrap();
        assert_eq!(lydia.email.as_deref(), Some("lydia@example.org"));
        let old_course: cct_domain::records::Course = records::get(&store, &system(), "0193a0ff-0000-7000-8000-00000000c0de".parse().unwrap()).await.unwrap();
        assert_eq!((old_course.name.as_str(), old_course.sessions_required), ("Old course", None), "a course from before attendance counted requires no sessions");
        let found = cct_store::search::search_people(&store, &system(), "lydia", 5).await.unwrap();
        assert_eq!(found.len(), 1, "the search index covers rows written before later migrations");
        let roles: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM role").fetch_one(&SqlitePool::connect_with(SqliteConnectOptions::new().filename(&path)).await.unwrap()).await.unwrap();
        assert!(roles >= 5);
        assert_eq!(cct_store::outbox::pending_count(&store).await.unwrap(), 1, "queued changes survive every migration");
        // Rows from before team sync join the change log once, for the device's first push.
        cct_store::team::changes::record_baseline(&store).await.unwrap();
        cct_store::team::changes::record_baseline(&store).await.unwrap();
        let logged = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM team_change WHERE record_id = '0193a0ff-0000-7000-8000-00000000abcd'")
            .fetch_one(&SqlitePool::connect_with(SqliteConnectOptions::new().filename(&path)).await.unwrap())
            .await
            .unwrap();
        assert_eq!(logged, 1, "a row from before team sync is logged once, however often the baseline runs");
        store.close().await;
    }
}

#[tokio::test]
async fn reopening_a_database_with_data_keeps_it_and_migrates_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("church.sqlite");
    let store = Store::open(&path).await.unwrap();
    cct_store::demo::load(&store, 50).await.unwrap();
    store.close().await;
    let reopened = Store::open(&path).await.unwrap();
    assert_eq!(count(&reopened, "people").await, 50);
    let versions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&SqlitePool::connect_with(SqliteConnectOptions::new().filename(&path)).await.unwrap()).await.unwrap();
    assert_eq!(versions as usize, Store::migrator().iter().count());
}
