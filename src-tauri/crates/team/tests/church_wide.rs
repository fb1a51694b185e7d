//! What the whole church shares beyond its records, against a real PostgreSQL server (see
//! `hub.rs`): one audit trail that every computer adds to and none can rewrite, and the
//! office's rules, the same on every computer.

mod common;

use cct_domain::records::{Campus, PeopleCampus, Person};
use cct_domain::Actor;
use cct_store::office::audit::{self, AuditEntry, AuditQuery};
use cct_store::office::{people as actor, settings};
use cct_store::{records, Store};
use common::*;
use uuid::Uuid;

fn audit_about(store: &Store, reader: &Actor, record: Uuid) -> Vec<AuditEntry> {
    audit::query(store, reader, &AuditQuery { record_id: Some(record.to_string()), ..Default::default() }).unwrap()
}

/// The office's administrator, acting on `store` (a laptop, once the team brought them there).
fn acting_on(store: &Store, admin: &Actor) -> Actor {
    actor::actor_for_person(store, admin.person_id.expect("a person")).unwrap()
}

async fn add_person(store: &Store, by: &Actor, first: &str, campus: Option<Uuid>) -> Person {
    let mut tx = store.begin_write(by).unwrap();
    let person = records::insert(
        &mut tx,
        Person { first_name: first.into(), last_name: "Ephesus".into(), ..Default::default() },
    )
    .unwrap();
    if let Some(campus_id) = campus {
        records::insert(
            &mut tx,
            PeopleCampus { people_id: person.meta.id, campus_id, is_primary: true, ..Default::default() },
        )
        .unwrap();
    }
    tx.commit().unwrap();
    person
}

#[tokio::test]
async fn an_action_at_a_laptop_appears_in_the_offices_audit_log_naming_the_person_and_the_computer() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    let north =
        write(&office.store, Campus { name: "North".into(), time_zone: "UTC".into(), ..Default::default() }).await;
    let south =
        write(&office.store, Campus { name: "South".into(), time_zone: "UTC".into(), ..Default::default() }).await;
    office.sync().await;
    let room = laptop(&address, &office, &admin, "Room 3 laptop", Some(&north.meta.id.to_string())).await;

    // Pat, at the classroom laptop, adds a North family's child; the office adds a South person.
    let pat_at_room = acting_on(&room.store, &admin);
    let timothy = add_person(&room.store, &pat_at_room, "Timothy", Some(north.meta.id)).await;
    let eunice = add_person(&office.store, &admin, "Eunice", Some(south.meta.id)).await;
    let sent = room.sync().await;
    assert!(sent.audit_rows_sent >= 2, "the person and their campus: {sent:?}");
    let received = office.sync().await;
    assert!(received.audit_rows_received >= 2, "{received:?}");

    let at_office = audit_about(&office.store, &admin, timothy.meta.id);
    let added = at_office.iter().find(|e| e.action == "insert").expect("the laptop's insert is in the office's log");
    assert_eq!(added.changed_by_name.as_deref(), Some("Pat Admin"), "names the person who acted");
    assert_eq!(added.device_name.as_deref(), Some("Room 3 laptop"), "names the computer");
    assert_eq!(added.device_id.as_deref(), Some(room.credentials.device_id.as_str()));
    assert!(!added.on_this_computer);
    let at_room = audit_about(&room.store, &pat_at_room, timothy.meta.id);
    assert!(at_room.iter().all(|e| e.on_this_computer), "the laptop sees its own row as its own");
    assert_eq!(at_room.len(), at_office.len(), "one row each, the same rows");

    // Campus scoping: the North laptop holds none of the South person's history.
    room.sync().await;
    assert!(
        audit_about(&room.store, &pat_at_room, eunice.meta.id).is_empty(),
        "South's history stays off North's laptop"
    );
    let hers = audit_about(&office.store, &admin, eunice.meta.id);
    assert!(!hers.is_empty() && hers.iter().all(|e| e.on_this_computer));
    // Syncing again sends and brings nothing twice.
    let again = office.sync().await;
    assert_eq!((again.audit_rows_sent, again.audit_rows_received), (0, 0), "{again:?}");
    assert_eq!(audit_about(&office.store, &admin, timothy.meta.id).len(), at_office.len());
    // Filtered by computer: only what was done at the laptop.
    let at_the_laptop = audit::query(
        &office.store,
        &admin,
        &AuditQuery { device_id: Some(room.credentials.device_id.clone()), ..Default::default() },
    )
    .unwrap();
    assert!(!at_the_laptop.is_empty());
    assert!(at_the_laptop.iter().all(|e| e.device_name.as_deref() == Some("Room 3 laptop")));
}

#[tokio::test]
async fn a_computer_cannot_alter_or_remove_any_audit_row_nor_add_one_as_another_computer() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    add_person(&office.store, &admin, "Priscilla", None).await;
    office.sync().await;
    let room = laptop(&address, &office, &admin, "Room 5", None).await;
    let mut as_room = device_connection(&address, &room.credentials).await;

    let office_rows: i64 = sqlx::query_scalar("SELECT count(*) FROM hub_audit WHERE device_id = $1")
        .bind(&office.credentials.device_id)
        .fetch_one(&mut as_room)
        .await
        .unwrap();
    assert!(office_rows > 0, "the laptop can read the office's rows");
    for attack in [
        "UPDATE hub_audit SET reason = 'nothing happened'".to_owned(),
        "DELETE FROM hub_audit".to_owned(),
        "TRUNCATE hub_audit".to_owned(),
        format!(
            "INSERT INTO hub_audit (id, device_id, table_name, record_id, action, changed_at)
             VALUES ('{}', '{}', 'people', 'x', 'delete', '2026-12-03T00:00:00Z')",
            Uuid::new_v4(),
            office.credentials.device_id
        ),
    ] {
        let refusal = refused(&mut as_room, &attack).await;
        assert!(refusal.contains("permission denied"), "{attack}: {refusal}");
    }
    // Through the one door, a row that claims to be the office's is the laptop's.
    let forged = serde_json::json!([{
        "id": Uuid::new_v4().to_string(), "device_id": office.credentials.device_id, "table_name": "people",
        "record_id": "someone", "action": "delete", "changed_at": "2026-12-03T00:00:00Z", "campus_ids": []
    }]);
    sqlx::query("SELECT cct_add_audit_rows($1)").bind(&forged).execute(&mut as_room).await.unwrap();
    let claimed_by: String = sqlx::query_scalar("SELECT device_id FROM hub_audit WHERE id = $1")
        .bind(forged[0]["id"].as_str())
        .fetch_one(&mut as_room)
        .await
        .unwrap();
    assert_eq!(claimed_by, room.credentials.device_id, "the hub names the caller, whatever the row says");
    // A row sent again (a sync cut off after the hub kept it) does not replace the first.
    let replay = serde_json::json!([{
        "id": forged[0]["id"], "table_name": "people", "record_id": "someone", "action": "insert",
        "changed_at": "2026-12-04T00:00:00Z"
    }]);
    let added: i64 =
        sqlx::query_scalar("SELECT cct_add_audit_rows($1)").bind(&replay).fetch_one(&mut as_room).await.unwrap();
    assert_eq!(added, 0);
    let still: String = sqlx::query_scalar("SELECT action FROM hub_audit WHERE id = $1")
        .bind(forged[0]["id"].as_str())
        .fetch_one(&mut as_room)
        .await
        .unwrap();
    assert_eq!(still, "delete");
    // A removed computer adds nothing more.
    membership_remove(&office, &admin, &room).await;
    let after_removal = sqlx::query("SELECT cct_add_audit_rows('[]'::jsonb)").execute(&mut as_room).await;
    assert!(after_removal.is_err(), "a removed computer is refused");
}

async fn membership_remove(office: &Device, admin: &Actor, device: &Device) {
    cct_team::membership::remove_device(admin, &office.hub, &office.credentials, &device.credentials.device_id)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_office_rule_set_on_one_computer_applies_on_another_and_says_who_set_it() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    let room = laptop(&address, &office, &admin, "Room 7", None).await;
    assert_eq!(settings::office_rules(&room.store).unwrap(), settings::OfficeRules::default());

    let rules = settings::OfficeRules { absence_warning_threshold: 5, expiring_soon_days: 30, ..Default::default() };
    office.store.write(&admin, |tx| settings::set_office_rules(tx, rules)).unwrap();
    // A setting of the office computer alone stays there.
    office.store.write(&admin, |tx| settings::set(tx, "update_endpoint", &"https://updates.example.org")).unwrap();
    office.sync().await;
    room.sync().await;
    assert_eq!(settings::office_rules(&room.store).unwrap(), rules, "the office's rules apply at the laptop");
    let endpoint: Option<String> = settings::get(&room.store, "update_endpoint").unwrap();
    assert_eq!(endpoint, None, "a computer's own setting is not shared");
    let shown = settings::church_settings(&room.store).unwrap();
    let absences = shown.iter().find(|s| s.key == settings::ABSENCE_WARNING_THRESHOLD).unwrap();
    assert_eq!(absences.updated_by_name.as_deref(), Some("Pat Admin"));
    assert_eq!(absences.set_on_computer.as_deref(), Some("Office"));

    // The laptop changes one rule later; the last writer wins everywhere, the rest stay.
    let pat_at_room = acting_on(&room.store, &admin);
    let later = settings::OfficeRules { expiring_soon_days: 90, ..rules };
    room.store.write(&pat_at_room, |tx| settings::set_office_rules(tx, later)).unwrap();
    room.sync().await;
    office.sync().await;
    assert_eq!(settings::office_rules(&office.store).unwrap(), later);
    let days = settings::church_settings(&office.store)
        .unwrap()
        .into_iter()
        .find(|s| s.key == settings::EXPIRING_SOON_DAYS)
        .unwrap();
    assert_eq!(days.set_on_computer.as_deref(), Some("Room 7"), "the office sees where it was changed");

    // A new computer starts with the default rules; joining must not make them the team's.
    let newcomer = laptop(&address, &office, &admin, "Room 8", None).await;
    office.sync().await;
    assert_eq!(settings::office_rules(&newcomer.store).unwrap(), later, "the team's rules reach a new computer");
    assert_eq!(settings::office_rules(&office.store).unwrap(), later, "and its defaults never replace them");
}

#[tokio::test]
async fn a_forged_office_rule_at_the_hub_is_never_applied() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    office.sync().await;
    let room = laptop(&address, &office, &admin, "Room 9", None).await;
    let zone_before: Option<String> = settings::get(&room.store, settings::OFFICE_TIME_ZONE).unwrap();
    let mut owner = owner_connection(&address, password.as_deref()).await;
    let now = cct_store::team::Hlc { wall_ms: cct_store::team::clock::now_ms(), counter: 0 }.to_string();
    for (key, value) in [
        (settings::ABSENCE_WARNING_THRESHOLD, "-5"),
        ("not_a_setting", "1"),
        (settings::OFFICE_TIME_ZONE, "\"'; DROP\""),
    ] {
        let fields = serde_json::json!({
            "value": value, "is_active": true, "created_at": "2026-12-03T00:00:00.000000Z",
            "updated_at": "2026-12-03T00:00:00.000000Z"
        });
        sqlx::query(
            "INSERT INTO hub_change (id, device_id, table_name, record_id, fields, deleted, hlc, campus_ids)
             VALUES ($1, $2, 'church_setting', $3, $4, false, $5, '{}')",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(&office.credentials.device_id)
        .bind(key)
        .bind(fields)
        .bind(&now)
        .execute(&mut owner)
        .await
        .unwrap();
    }
    let report = room.sync().await;
    assert_eq!(report.waiting, 3, "each forged rule waits with its reason: {report:?}");
    assert_eq!(settings::office_rules(&room.store).unwrap(), settings::OfficeRules::default());
    let zone: Option<String> = settings::get(&room.store, settings::OFFICE_TIME_ZONE).unwrap();
    assert_eq!(zone, zone_before, "the office's time zone stands");
    let reasons = cct_store::team::apply::waiting(&room.store).unwrap();
    assert!(reasons.iter().any(|w| w.reason.contains("from 1 to 52")), "{reasons:?}");
    // And a bad value saved here is refused before anything changes.
    let refused = room
        .store
        .write(&acting_on(&room.store, &admin), |tx| {
            settings::set_office_rules(tx, settings::OfficeRules { absence_warning_threshold: 0, ..Default::default() })
        })
        .unwrap_err();
    assert!(refused.to_string().contains("absences"), "{refused}");
}

#[tokio::test]
async fn two_laptops_enrolling_the_same_person_offline_end_with_one_enrollment_on_every_computer() {
    use cct_domain::records::{Course, CourseEnrollment};
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    let lydia = add_person(&office.store, &admin, "Lydia", None).await;
    let course = write(&office.store, Course { name: "Foundations of Faith".into(), ..Default::default() }).await;
    office.sync().await;
    let room = laptop(&address, &office, &admin, "Room 3 laptop", None).await;

    // Offline, the office and the classroom laptop each enroll Lydia.
    let enroll = |store: &Store, notes: &str| {
        let enrollment = CourseEnrollment {
            people_id: lydia.meta.id,
            course_id: course.meta.id,
            notes: Some(notes.into()),
            ..Default::default()
        };
        let system = Actor::system();
        let mut tx = store.begin_write(&system).unwrap();
        let enrollment = records::insert(&mut tx, enrollment).unwrap();
        tx.commit().unwrap();
        enrollment.meta.id
    };
    let at_office = enroll(&office.store, "at the welcome desk");
    let at_room = enroll(&room.store, "in Room 3");

    room.sync().await;
    let office_report = office.sync().await;
    let room_report = room.sync().await;
    assert_eq!(room_report.waiting + office_report.waiting, 0, "nothing waits: {room_report:?} {office_report:?}");
    assert_eq!(
        (office_report.folded, room_report.folded),
        (1, 1),
        "each computer folds once: {office_report:?} {room_report:?}"
    );
    let enrollments = |store: &Store| -> Vec<(String, String)> {
        store
            .read(|conn| cct_store::db::Query::tuples(conn, "SELECT id, notes FROM course_enrollment ORDER BY id", []))
            .unwrap()
    };
    let kept = at_office.min(at_room).to_string();
    assert_eq!(enrollments(&office.store), enrollments(&room.store), "the same enrollment on both computers");
    assert_eq!(enrollments(&office.store).len(), 1);
    assert_eq!(enrollments(&office.store)[0].0, kept, "the earliest enrollment is kept");
    let (folds, total) = cct_store::team::fold::folds_made(&office.store).unwrap();
    assert_eq!(total, 1);
    assert_eq!((folds[0].kept_id.as_str(), folds[0].table_name.as_str()), (kept.as_str(), "course_enrollment"));
}
