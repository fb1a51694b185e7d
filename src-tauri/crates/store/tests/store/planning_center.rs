use crate::common::*;
use cct_domain::records::RegistrationStatus;
use cct_store::office::audit::{self, AuditQuery};
use cct_store::planning_center::caches::*;
use cct_store::planning_center::runs::*;
use serde_json::json;

#[test]
fn a_sync_run_is_logged_from_start_to_finish() {
    let (store, _dir) = fresh_store();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let run = start_run(&mut tx, "people", Direction::FromPc).unwrap();
    tx.commit().unwrap();
    assert_eq!(recent_runs(&store, &system, 5).unwrap()[0].completed_at, None, "an open run shows it was interrupted");

    let mut tx = store.begin_write(&system).unwrap();
    finish_run(
        &mut tx,
        run.id,
        RunCounts { processed: 120, successful: 118, failed: 2 },
        Some(json!([{"id": "42", "error": "422"}])),
    )
    .unwrap();
    let twice = finish_run(&mut tx, run.id, RunCounts::default(), None).unwrap_err();
    assert_eq!(twice.code(), cct_domain::ErrorCode::Conflict);
    tx.commit().unwrap();
    let logged = &recent_runs(&store, &system, 5).unwrap()[0];
    assert_eq!((logged.records_processed, logged.records_successful, logged.records_failed), (120, 118, 2));
    assert_eq!(logged.sync_direction, Direction::FromPc);
    assert_eq!(logged.error_details.as_ref().unwrap()[0]["error"], "422");
    assert!(logged.completed_at.is_some());
}

#[test]
fn cursors_resume_where_a_pull_stopped() {
    let (store, _dir) = fresh_store();
    let system = system();
    assert_eq!(cursor(&store, &system, "people").unwrap(), None);
    let mut tx = store.begin_write(&system).unwrap();
    let since = cct_domain::Timestamp::parse("2026-11-01T00:00:00Z").unwrap();
    save_cursor(
        &mut tx,
        SyncCursor {
            resource: "people".into(),
            updated_since: Some(since),
            next_url: Some("/people/v2/people?offset=300".into()),
            full_pull_completed_at: None,
            last_reconciled_at: None,
            position: None,
            updated_at: since,
        },
    )
    .unwrap();
    tx.commit().unwrap();
    let saved = cursor(&store, &system, "people").unwrap().unwrap();
    assert_eq!(saved.next_url.as_deref(), Some("/people/v2/people?offset=300"));
    let mut tx = store.begin_write(&system).unwrap();
    save_cursor(&mut tx, SyncCursor { next_url: None, full_pull_completed_at: Some(since), ..saved }).unwrap();
    tx.commit().unwrap();
    let done = cursor(&store, &system, "people").unwrap().unwrap();
    assert_eq!((done.next_url, done.full_pull_completed_at), (None, Some(since)));
}

#[test]
fn webhooks_are_kept_until_processed() {
    let (store, _dir) = fresh_store();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let event =
        record_webhook(&mut tx, "people.v2.events.person.updated", Some("123".into()), json!({"data": {"id": "123"}}))
            .unwrap();
    assert_eq!(record_webhook(&mut tx, " ", None, json!({})).unwrap_err().field(), Some("event_type"));
    tx.commit().unwrap();
    let waiting = unprocessed_webhooks(&store, &system, 10).unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].payload["data"]["id"], "123");
    let mut tx = store.begin_write(&system).unwrap();
    mark_webhook_processed(&mut tx, event.id, None).unwrap();
    tx.commit().unwrap();
    assert!(unprocessed_webhooks(&store, &system, 10).unwrap().is_empty());
}

#[test]
fn caches_upsert_by_planning_center_id_and_audit_changes() {
    let (store, _dir) = fresh_store();
    let course = add_course(&store, "Alpha", Some(30));
    let system = system();
    let event = CachedEvent {
        id: cct_domain::new_id(),
        planning_center_event_id: "evt-1".into(),
        event_name: "Alpha Course".into(),
        event_description: None,
        start_date: Some("2026-09-01".into()),
        end_date: None,
        max_capacity: Some(30),
        current_registrations_count: 3,
        registration_deadline: None,
        event_status: Some("open".into()),
        course_id: Some(course.meta.id),
        last_synced_at: None,
        created_at: Default::default(),
        updated_at: Default::default(),
    };
    let mut tx = store.begin_write(&system).unwrap();
    let first = upsert_event(&mut tx, event.clone()).unwrap();
    let again = upsert_event(
        &mut tx,
        CachedEvent { id: cct_domain::new_id(), current_registrations_count: 4, ..event.clone() },
    )
    .unwrap();
    let unknown_course = upsert_event(
        &mut tx,
        CachedEvent {
            planning_center_event_id: "evt-2".into(),
            course_id: Some(cct_domain::new_id()),
            ..event.clone()
        },
    )
    .unwrap_err();
    assert_eq!(unknown_course.code(), cct_domain::ErrorCode::UnknownReference);
    let registration = CachedRegistration {
        id: cct_domain::new_id(),
        planning_center_registration_id: "reg-1".into(),
        planning_center_event_id: "evt-1".into(),
        planning_center_person_id: Some("p-9".into()),
        registration_status: RegistrationStatus::Waitlisted,
        registration_date: Some("2026-08-01".into()),
        registration_notes: None,
        custom_field_responses: Some(json!({"shirt": "M"})),
        last_synced_at: None,
        created_at: Default::default(),
        updated_at: Default::default(),
    };
    upsert_registration(&mut tx, registration).unwrap();
    tx.commit().unwrap();

    assert_eq!(again.id, first.id, "the local id is kept");
    assert_eq!(count(&store, "planning_center_events_cache"), 1);
    let cached = cached_event(&store, &system, "evt-1").unwrap().unwrap();
    assert_eq!(cached.current_registrations_count, 4);
    let trail =
        audit::query(&store, &system, &AuditQuery { record_id: Some(first.id.to_string()), ..Default::default() })
            .unwrap();
    assert_eq!(trail.len(), 2);
    assert_eq!(
        trail[0].new_values.as_ref().unwrap().as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["current_registrations_count"]
    );
    let regs = cached_registrations(&store, &system, "evt-1").unwrap();
    assert_eq!(regs[0].registration_status, RegistrationStatus::Waitlisted);
    assert_eq!(regs[0].custom_field_responses.as_ref().unwrap()["shirt"], "M");
}

#[test]
fn only_sync_managers_touch_the_integration_tables() {
    let (store, _dir) = fresh_store();
    let volunteer = person_with_role(&store, "Vera", "checkin_volunteer");
    let mut tx = store.begin_write(&volunteer).unwrap();
    assert_eq!(
        start_run(&mut tx, "people", Direction::ToPc).unwrap_err().code(),
        cct_domain::ErrorCode::PermissionDenied
    );
    assert_eq!(recent_runs(&store, &volunteer, 1).unwrap_err().code(), cct_domain::ErrorCode::PermissionDenied);
}
