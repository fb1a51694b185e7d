//! Makes the database that the upgrade test opens: what release 0.1.0 (commit a5bf8c0, the last
//! build on sqlx) leaves on an office computer after a Sunday: the demo church, a check-in
//! station's morning (children with security codes, a check-out, a visitor), an attendance
//! check-in that completes an enrollment (and so waits in `progress_pending` for the store's
//! writer, as a crash right after the check-in would leave it), and an office edit.
//!
//! Run from that commit: `cargo run -p cct-store --example make_release_fixture -- <path>`.

use cct_domain::records::{ClassSession, Person};
use cct_domain::{Actor, Timestamp};
use cct_store::{checkin, demo, records, Store};

#[tokio::main]
async fn main() {
    let path = std::env::args().nth(1).expect("usage: make_release_fixture <path>");
    let _ = std::fs::remove_file(&path);
    let store = Store::open(&path).await.expect("open");
    demo::load(&store, 300).await.expect("demo church");
    let system = Actor::system();

    // A children's session today, and a station's morning of check-ins.
    let sessions = records::list::<ClassSession>(&store, &system, &cct_store::ListQuery::default().order_by("starts_at").page(1000, 0)).await.unwrap().items;
    let session = sessions.last().expect("a session").meta.id;
    let people = records::list::<Person>(&store, &system, &cct_store::ListQuery::default().order_by("last_name").page(1000, 0)).await.unwrap().items;
    let today = Timestamp::now().date();
    let children: Vec<&Person> = people.iter().filter(|p| checkin::is_child(p.date_of_birth, today)).take(6).collect();
    for (n, child) in children.iter().enumerate() {
        let station = if n % 2 == 0 { "A" } else { "B" };
        checkin::check_in(&store, &system, session, &[child.meta.id], station).await.expect("check in");
    }
    checkin::check_out(&store, &system, session, children[0].meta.id).await.expect("check out");
    let mut tx = store.begin_write(&system).await.unwrap();
    let visitor = checkin::add_visitor(
        &mut tx,
        checkin::VisitorInput {
            first_name: "Priscilla".into(),
            last_name: "Corinth".into(),
            phone: Some("(555) 010-9999".into()),
            email: Some("priscilla@example.org".into()),
            date_of_birth: None,
            household_id: None,
            confirmed_new: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    if let checkin::VisitorOutcome::Added { person } = visitor {
        checkin::check_in(&store, &system, session, &[person.meta.id], "A").await.expect("visitor check in");
    }

    // An office edit, audited.
    let mut tx = store.begin_write(&system).await.unwrap();
    let mut first = people[0].clone();
    first.nickname = Some("Jim".into());
    records::update(&mut tx, first).await.unwrap();
    tx.commit().await.unwrap();

    // An enrollment a check-in left for the writer, as a crash between the check-in and its
    // settling would leave it (the release settles it at its next start).
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{path}")).await.unwrap();
    let enrollment: (String,) = sqlx::query_as("SELECT id FROM course_enrollment WHERE status <> 'completed' ORDER BY id LIMIT 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    sqlx::query("INSERT INTO progress_pending (course_enrollment_id, queued_at) VALUES (?, ?)")
        .bind(&enrollment.0)
        .bind(Timestamp::now().to_rfc3339())
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut conn).await.unwrap();
    store.close().await;
    println!("{path}: release 0.1.0 database; queued enrollment {}", enrollment.0);
}

use sqlx::Connection;
