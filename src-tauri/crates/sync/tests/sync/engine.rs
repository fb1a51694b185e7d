//! Scheduling, cancellation, progress, the sync log, refusals, deletions, registrations and the
//! attendance export.

use crate::common::*;
use cct_domain::records::{Course, CourseEnrollment, Person, RegistrationStatus};
use cct_store::planning_center::{caches, outbox, runs};
use cct_store::{records, ListQuery};
use cct_sync::SyncError;
use std::time::Duration;

#[tokio::test]
async fn never_two_at_once_and_a_cancelled_run_resumes_where_it_stopped() {
    let fake = fake(600, cct_pco_fake::Faults { latency: Duration::from_millis(40), ..unlimited() }).await;
    let office = office(&fake).await;
    let engine = office.engine.clone();
    let mut progress = engine.progress();
    let running = tokio::spawn(async move { engine.run().await });
    // Wait until the first page is in, then try a second run and cancel the first.
    loop {
        progress.changed().await.unwrap();
        if progress.borrow().done >= 100 {
            break;
        }
    }
    assert!(matches!(office.engine.run().await, Err(SyncError::AlreadyRunning)));
    assert_eq!(progress.borrow().total, Some(600), "progress knows the total");
    office.engine.cancel_flag().cancel();
    assert!(matches!(running.await.unwrap(), Err(SyncError::Cancelled)));
    let partial = local_people(&office.store).await.len();
    assert!((100..600).contains(&partial), "stopped part-way: {partial}");

    fake.reset_stats();
    let report = office.engine.run().await.unwrap();
    assert_eq!(local_people(&office.store).await.len(), 600);
    assert!(
        report.pulled_people <= 600 - partial as i64 + 100,
        "resumed from the saved cursor, not from the start: {}",
        report.pulled_people
    );
}

#[tokio::test]
async fn every_phase_is_in_the_sync_log() {
    let fake = fake(20, unlimited()).await;
    let office = office(&fake).await;
    office.engine.run().await.unwrap();
    let runs = runs::recent_runs(&office.store, &system(), 20).unwrap();
    let kinds: Vec<&str> = runs.iter().map(|r| r.sync_type.as_str()).collect();
    for kind in [
        "people",
        "person_mergers",
        "background_checks",
        "outbox",
        "reference_data",
        "registrations",
        "reconcile_people",
    ] {
        assert!(kinds.contains(&kind), "{kind} logged: {kinds:?}");
    }
    let people = runs.iter().find(|r| r.sync_type == "people").unwrap();
    assert_eq!((people.records_processed, people.records_successful, people.records_failed), (20, 20, 0));
    assert!(runs.iter().all(|r| r.completed_at.is_some()));
}

#[tokio::test]
async fn a_refused_write_is_recorded_and_does_not_block_the_queue() {
    let fake = fake(10, cct_pco_fake::Faults { field_data_forbidden: true, ..unlimited() }).await;
    let office = office(&fake).await;
    office.engine.run().await.unwrap();
    map_completion_field(&office.store, &fake).await;
    let (course, lesson) = course_with_lesson(&office.store, "Alpha").await;
    let member = local_people(&office.store).await.remove(0);
    complete_course(&office.store, member.meta.id, course.meta.id, lesson).await;
    add_person(&office.store, "After", "Refusal", Some("after@visitors.example"), None).await;
    let report = office.engine.run().await.unwrap();
    assert!(report.push_failures > 0);
    let problems = outbox::outbox_problems(&office.store, &system()).unwrap();
    assert!(
        problems.iter().any(|p| p.status == "refused" && p.last_error.as_deref().unwrap_or("").contains("refused")),
        "{problems:?}"
    );
    assert!(by_name(&office.store, "After", "Refusal").await.planning_center_id.is_some(), "the queue went on");
    let runs = runs::recent_runs(&office.store, &system(), 5).unwrap();
    let outbox_run = runs.iter().find(|r| r.sync_type == "outbox").unwrap();
    assert!(outbox_run.error_details.is_some(), "the refusal is logged with the push");
    let later: Vec<_> =
        runs.iter().filter(|r| ["reference_data", "registrations"].contains(&r.sync_type.as_str())).collect();
    assert!(
        !later.is_empty() && later.iter().all(|r| r.error_details.is_none()),
        "later phases do not repeat it: {later:?}"
    );
    assert!(report.errors.iter().any(|e| e.contains("refused")), "the run's report has it: {:?}", report.errors);
    assert_eq!(pending(&office.store).await, 0);
}

#[tokio::test]
async fn people_deleted_in_planning_center_become_inactive_here() {
    let fake = fake(15, unlimited()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = cct_store::Store::open(dir.path().join("c.sqlite"), &test_key()).unwrap();
    let engine = cct_sync::SyncEngine::new(
        store.clone(),
        client(&fake),
        cct_sync::SyncSettings { interval: Duration::from_secs(3600), reconcile_every: Duration::ZERO },
    );
    engine.run().await.unwrap();
    let gone = local_people(&store).await.remove(0);
    fake.with_data(|d| d.remove("people/people", gone.planning_center_id.as_deref().unwrap().parse().unwrap()));
    let report = engine.run().await.unwrap();
    assert!(report.reconciled);
    let now: Person = records::get(&store, &system(), gone.meta.id).unwrap();
    assert!(!now.meta.is_active, "marked inactive, never deleted");
    assert_eq!(local_people(&store).await.iter().filter(|p| p.meta.is_active).count(), 14);
}

#[tokio::test]
async fn attendees_of_a_mapped_signup_become_enrollments() {
    let fake = fake(300, unlimited()).await;
    let office = office(&fake).await;
    office.engine.run().await.unwrap();
    let signup = fake.with_data(|d| d.all("registrations/signups").next().unwrap().id.to_string());
    let system = system();
    let mut tx = office.store.begin_write(&system).unwrap();
    let course = records::insert(
        &mut tx,
        Course { name: "Alpha".into(), planning_center_event_id: Some(signup.clone()), ..Default::default() },
    )
    .unwrap();
    tx.commit().unwrap();
    office.engine.run().await.unwrap();
    let enrollments = records::list::<CourseEnrollment>(
        &office.store,
        &system,
        &ListQuery::default().filter("course_id", course.meta.id.to_string()),
    )
    .unwrap();
    assert_eq!(enrollments.total, 25);
    assert_eq!(enrollments.items.iter().filter(|e| e.registration_status == RegistrationStatus::Waitlisted).count(), 5);
    assert!(enrollments.items.iter().all(|e| e.planning_center_registration_id.is_some()));
    let cached = caches::cached_event(&office.store, &system, &signup).unwrap().unwrap();
    assert_eq!(cached.course_id, Some(course.meta.id));
    assert_eq!(pending(&office.store).await, 0, "registrations from Planning Center are not sent back");
}

#[tokio::test]
async fn attendance_exports_as_csv_for_staff() {
    let fake = fake(5, unlimited()).await;
    let office = office(&fake).await;
    office.engine.run().await.unwrap();
    let (course, _) = course_with_lesson(&office.store, "Kids, Sunday").await;
    let person = local_people(&office.store).await.remove(0);
    let system = system();
    let start = cct_domain::Timestamp::parse("2026-11-29T15:00:00Z").unwrap();
    let mut tx = office.store.begin_write(&system).unwrap();
    let session = records::insert(
        &mut tx,
        cct_domain::records::ClassSession {
            meta: Default::default(),
            course_id: course.meta.id,
            offering_id: None,
            facility_id: None,
            title: "Week 1".into(),
            starts_at: start,
            ends_at: cct_domain::Timestamp::parse("2026-11-29T16:00:00Z").unwrap(),
            capacity: None,
            status: cct_domain::records::SessionStatus::Scheduled,
            children_per_adult: None,
            serving_certification_id: None,
        },
    )
    .unwrap();
    records::insert(
        &mut tx,
        cct_domain::records::AttendanceRecord {
            class_session_id: session.meta.id,
            people_id: person.meta.id,
            check_in_at: Some(start),
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    let csv = cct_store::transfer::attendance_csv(
        &office.store,
        &system,
        cct_domain::Timestamp::parse("2026-11-01T00:00:00Z").unwrap(),
        cct_domain::Timestamp::parse("2026-12-01T00:00:00Z").unwrap(),
    )
    .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("course,session,"));
    assert!(lines[1].starts_with("\"Kids, Sunday\",Week 1,2026-11-29T15:00:00.000000Z,"), "{}", lines[1]);
    assert!(lines[1].contains(person.planning_center_id.as_deref().unwrap()));
}

#[tokio::test]
async fn the_scheduler_syncs_when_the_network_returns() {
    let fake = fake(8, unlimited()).await;
    let office = office(&fake).await;
    let (online, watch) = tokio::sync::watch::channel(false);
    let scheduler = office.engine.spawn_scheduler(watch);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(local_people(&office.store).await.len(), 0, "offline: nothing runs");
    online.send(true).unwrap();
    for _ in 0..50 {
        if local_people(&office.store).await.len() == 8 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(local_people(&office.store).await.len(), 8);
    scheduler.abort();
}
