//! The device side of team sync on real database files: every write logs its change in the
//! same transaction, and devices that exchange their changes, in any order, hold the same data.

use crate::common::*;
use cct_domain::records::{CourseEnrollment, Person};
use cct_store::db::Query;
use cct_store::team::{apply, changes, Change};
use cct_store::{records, Store};
use proptest::prelude::*;
use tempfile::TempDir;
use uuid::Uuid;

fn log_of(store: &Store) -> Vec<Change> {
    changes::unpushed(store, u32::MAX).unwrap().into_iter().map(|c| c.change).collect()
}

/// The log without the outbox entries that people's writes queue for Planning Center.
fn record_log(store: &Store) -> Vec<Change> {
    log_of(store).into_iter().filter(|c| c.table_name != "pco_outbox").collect()
}

/// Everything a person record holds, for comparing devices.
/// id, first and last name, nickname, e-mail, whether active, when updated, status.
type PersonRow = (String, String, String, Option<String>, Option<String>, bool, String, String);

fn people_rows(store: &Store) -> Vec<PersonRow> {
    store.read(|conn| conn.tuples("SELECT id, first_name, last_name, nickname, email, is_active, updated_at, status FROM people ORDER BY id", [])).unwrap()
}

fn edit(store: &Store, id: Uuid, change: impl FnOnce(&mut Person)) -> cct_store::Result<Person> {
    let system = system();
    let mut tx = store.begin_write(&system)?;
    let mut person: Person = records::get(store, &system, id)?;
    change(&mut person);
    let person = records::update(&mut tx, person)?;
    tx.commit()?;
    Ok(person)
}

#[test]
fn a_write_and_its_change_commit_or_roll_back_together() {
    let (store, _dir) = fresh_store();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    records::insert(&mut tx, Person { first_name: "Rolled".into(), last_name: "Back".into(), ..Default::default() })
        .unwrap();
    drop(tx);
    assert!(log_of(&store).is_empty(), "a rolled-back write leaves no change behind");

    let person = add_person(&store, "Priscilla", "Tentmaker");
    let log = record_log(&store);
    assert_eq!(log.len(), 1);
    let change = &log[0];
    assert_eq!((change.table_name.as_str(), change.record_id.clone()), ("people", person.meta.id.to_string()));
    assert_eq!(change.fields["first_name"], "Priscilla");
    assert_eq!(change.device_id, cct_store::team::device::membership(&store).unwrap().device_id);
    assert!(cct_store::team::Hlc::parse(&change.hlc).is_some(), "{}", change.hlc);

    edit(&store, person.meta.id, |p| p.nickname = Some("Cilla".into())).unwrap();
    let update = record_log(&store).pop().unwrap();
    assert!(
        update.fields.contains_key("nickname") && !update.fields.contains_key("first_name"),
        "an update logs only what changed: {:?}",
        update.fields
    );
    assert!(update.hlc > change.hlc);
}

#[test]
fn a_deleted_record_stays_deleted_even_when_another_device_edited_it_meanwhile() {
    let (a, _da) = fresh_store();
    let (b, _db) = fresh_store();
    let person = add_person(&a, "Demas", "Thessalonica");
    apply::apply_batch(&b, &log_of(&a), 1).unwrap();
    let seen_by_b = log_of(&b).len();

    let system = system();
    let mut tx = a.begin_write(&system).unwrap();
    records::deactivate::<Person>(&mut tx, person.meta.id).unwrap();
    tx.commit().unwrap();
    edit(&b, person.meta.id, |p| p.email = Some("demas@example.org".into())).unwrap();

    let from_a = log_of(&a);
    let from_b: Vec<Change> = log_of(&b).into_iter().skip(seen_by_b).collect();
    apply::apply_batch(&a, &from_b, 2).unwrap();
    apply::apply_batch(&b, &from_a, 2).unwrap();
    let (on_a, on_b) = (people_rows(&a), people_rows(&b));
    assert_eq!(on_a, on_b);
    assert!(!on_a[0].5, "deleted on one device, deleted on both");
    assert_eq!(on_a[0].4.as_deref(), Some("demas@example.org"), "the other device's edit still merged");

    let revived = edit(&b, person.meta.id, |p| p.meta.is_active = true);
    assert_eq!(revived.unwrap_err().code(), cct_domain::ErrorCode::Conflict, "a deleted record is not brought back");
}

#[test]
fn a_change_that_arrives_before_the_record_it_refers_to_waits_for_it() {
    let (office, _d1) = fresh_store();
    let (laptop, _d2) = fresh_store();
    let person = add_person(&office, "Tabitha", "Joppa");
    let course = add_course(&office, "Dorcas sewing circle", None);
    let system = system();
    let mut tx = office.begin_write(&system).unwrap();
    records::insert(
        &mut tx,
        CourseEnrollment { people_id: person.meta.id, course_id: course.meta.id, ..Default::default() },
    )
    .unwrap();
    tx.commit().unwrap();
    let mut log = record_log(&office);
    let enrollment = log.pop().unwrap();
    assert_eq!(enrollment.table_name, "course_enrollment");

    let first = apply::apply_batch(&laptop, std::slice::from_ref(&enrollment), 1).unwrap();
    assert_eq!((first.received, first.waiting), (1, 1));
    assert_eq!(apply::waiting(&laptop).unwrap()[0].table_name, "course_enrollment");
    let second = apply::apply_batch(&laptop, &log, 2).unwrap();
    assert_eq!(second.waiting, 0, "the enrollment was written once its person and course arrived");
    assert_eq!(count(&laptop, "course_enrollment"), 1);
    // The log keeps the fields of the change that had to wait (to try it again), and of the
    // others only their ids: the records hold what they brought.
    let kept: Vec<String> = laptop
        .read(|conn| conn.column("SELECT table_name FROM team_change WHERE origin = 'remote' AND fields <> '{}'", []))
        .unwrap();
    assert_eq!(kept, ["course_enrollment"]);
    let again = apply::apply_batch(&laptop, &record_log(&office), 3).unwrap();
    assert_eq!(again.received, 0, "changes already here are not applied twice");
}

/// One random edit a device makes while offline.
#[derive(Debug, Clone)]
enum Edit {
    Name { person: usize, value: u8 },
    Email { person: usize, value: u8 },
    Delete { person: usize },
}

fn edits() -> impl Strategy<Value = Vec<Vec<Edit>>> {
    let edit = prop_oneof![
        4 => (0usize..3, 0u8..4).prop_map(|(person, value)| Edit::Name { person, value }),
        4 => (0usize..3, 0u8..4).prop_map(|(person, value)| Edit::Email { person, value }),
        1 => (0usize..3).prop_map(|person| Edit::Delete { person }),
    ];
    prop::collection::vec(prop::collection::vec(edit, 0..6), 3)
}

fn make_edit(store: &Store, people: &[Uuid], edit: &Edit) {
    let result = match edit {
        Edit::Name { person, value } => edit_person(store, people[*person], |p| p.last_name = format!("Name{value}")),
        Edit::Email { person, value } => {
            edit_person(store, people[*person], |p| p.email = Some(format!("e{value}@example.org")))
        }
        Edit::Delete { person } => {
            let system = system();
            let mut tx = store.begin_write(&system).unwrap();
            let result = records::deactivate::<Person>(&mut tx, people[*person]).map(|_| ());
            tx.commit().unwrap();
            result
        }
    };
    result.unwrap();
}

fn edit_person(store: &Store, id: Uuid, change: impl FnOnce(&mut Person)) -> cct_store::Result<()> {
    edit(store, id, change).map(|_| ())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Three devices start from the same people, edit them offline (overlapping fields,
    /// deletes), then each receives the others' changes in its own random order and batches.
    #[test]
    fn devices_that_saw_the_same_changes_hold_the_same_data(edits in edits(), seed in any::<u64>()) {
        {
            let devices: Vec<(Store, TempDir)> = vec![fresh_store(), fresh_store(), fresh_store()];
            let mut people = Vec::new();
            for name in ["Lois", "Eunice", "Timothy"] {
                people.push(add_person(&devices[0].0, name, "Lystra").meta.id);
            }
            let shared = log_of(&devices[0].0);
            for (device, _) in &devices[1..] {
                apply::apply_batch(device, &shared, 1).unwrap();
            }
            let before: Vec<usize> = futures_len(&devices);
            for ((device, _), edits) in devices.iter().zip(&edits) {
                for edit in edits {
                    make_edit(device, &people, edit);
                }
            }
            let mut offline: Vec<Vec<Change>> = Vec::new();
            for (i, (device, _)) in devices.iter().enumerate() {
                offline.push(log_of(device).into_iter().skip(before[i]).filter(|c| c.origin_is(device)).collect());
            }
            let mut rng = fastrand::Rng::with_seed(seed);
            for (i, (device, _)) in devices.iter().enumerate() {
                deliver_in_random_batches(device, i, &offline, &mut rng);
            }
            let first = people_rows(&devices[0].0);
            prop_assert_eq!(&first, &people_rows(&devices[1].0));
            prop_assert_eq!(&first, &people_rows(&devices[2].0));
        }
    }
}

/// How many changes each device's log holds now.
fn futures_len(devices: &[(Store, TempDir)]) -> Vec<usize> {
    let mut lens = Vec::new();
    for (device, _) in devices {
        lens.push(log_of(device).len());
    }
    lens
}

trait OriginIs {
    fn origin_is(&self, store: &Store) -> bool;
}

impl OriginIs for Change {
    fn origin_is(&self, store: &Store) -> bool {
        self.device_id == store.clock().device_id()
    }
}

/// A change from another device whose clock runs five minutes ahead of this one's (within the
/// ten minutes an honest clock may be fast; further ahead, a change waits).
fn change_from_the_future(record: &Person) -> Change {
    let ahead = cct_store::team::Hlc { wall_ms: (chrono::Utc::now().timestamp_millis() + 300_000) as u64, counter: 0 };
    Change {
        id: Uuid::now_v7().to_string(),
        table_name: "people".into(),
        record_id: record.meta.id.to_string(),
        fields: serde_json::json!({ "nickname": "Remote" }).as_object().unwrap().clone(),
        deleted: false,
        hlc: ahead.to_string(),
        device_id: "another-device".into(),
        campus_ids: vec![],
    }
}

#[test]
fn after_a_restart_this_devices_writes_come_after_every_change_it_has_seen() {
    let (store, dir) = fresh_store();
    let path = dir.path().join("church.sqlite");
    let person = add_person(&store, "Rhoda", "Jerusalem");
    // A remote change arrives after this device's last local write, then the app restarts.
    let remote = change_from_the_future(&person);
    apply::apply_batch(&store, std::slice::from_ref(&remote), 1).unwrap();
    store.close();
    let store = Store::open(&path, &key()).unwrap();
    edit(&store, person.meta.id, |p| p.email = Some("rhoda@example.org".into())).unwrap();
    let local = record_log(&store).into_iter().rfind(|c| c.device_id != "another-device").unwrap();
    assert!(local.hlc > remote.hlc, "{} after {}", local.hlc, remote.hlc);

    // And again with local writes after the remote one, then a restart.
    let second = change_from_the_future(&person);
    apply::apply_batch(&store, std::slice::from_ref(&second), 2).unwrap();
    edit(&store, person.meta.id, |p| p.nickname = Some("Rho".into())).unwrap();
    store.close();
    let store = Store::open(&path, &key()).unwrap();
    edit(&store, person.meta.id, |p| p.nickname = Some("Rhody".into())).unwrap();
    let latest = record_log(&store).pop().unwrap();
    assert!(latest.hlc > second.hlc, "{} after {}", latest.hlc, second.hlc);
}

#[test]
fn a_change_from_the_far_future_waits_and_never_wins_a_later_edit() {
    let (a, _da) = fresh_store();
    let (b, _db) = fresh_store();
    let person = add_person(&a, "Eutychus", "Troas");
    apply::apply_batch(&b, &log_of(&a), 1).unwrap();

    // A forged edit from "a", stamped at the end of time, and one from an hour ahead.
    let mut forged = log_of(&a).pop().unwrap();
    forged.id = Uuid::now_v7().to_string();
    forged.fields = serde_json::Map::from_iter([("last_name".to_owned(), serde_json::json!("Forged"))]);
    forged.hlc = "9999999999999.999999".into();
    let mut fast = forged.clone();
    fast.id = Uuid::now_v7().to_string();
    fast.hlc = cct_store::team::Hlc { wall_ms: cct_store::team::clock::now_ms() + 3_600_000, counter: 0 }.to_string();
    let counts = apply::apply_batch(&b, &[forged, fast], 2).unwrap();
    assert_eq!(counts.waiting, 2, "both wait, with their reason");
    let waiting = apply::waiting(&b).unwrap();
    assert!(waiting.iter().all(|w| w.reason.contains("clock was more than 10 minutes ahead")), "{waiting:?}");
    assert_eq!(people_rows(&b)[0].2, "Troas", "neither is applied");

    // b's own next edit is stamped now, not at the end of time, and a later pull keeps it.
    edit(&b, person.meta.id, |p| p.last_name = "Troas-again".into()).unwrap();
    let latest = log_of(&b).pop().unwrap();
    assert!(latest.hlc.as_str() < "9999999999999.999999" && latest.hlc.len() == 20, "{}", latest.hlc);
    apply::apply_batch(&b, &[], 3).unwrap();
    assert_eq!(people_rows(&b)[0].2, "Troas-again");
}

#[test]
fn a_pulled_change_that_breaks_a_rule_waits_with_its_reason_and_is_never_applied() {
    let (a, _da) = fresh_store();
    let (b, _db) = fresh_store();
    let person = add_person(&a, "Phoebe", "Cenchreae");
    apply::apply_batch(&b, &log_of(&a), 1).unwrap();
    let mut bad = record_log(&a).into_iter().find(|c| c.table_name == "people").unwrap();
    bad.id = Uuid::now_v7().to_string();
    bad.fields = serde_json::Map::from_iter([
        ("first_name".to_owned(), serde_json::json!("")),
        ("email".to_owned(), serde_json::json!("not an e-mail")),
    ]);
    bad.hlc = cct_store::team::Hlc { wall_ms: cct_store::team::clock::now_ms() + 60_000, counter: 0 }.to_string();
    let counts = apply::apply_batch(&b, &[bad.clone()], 2).unwrap();
    assert_eq!(counts.waiting, 1);
    let waiting = apply::waiting(&b).unwrap();
    assert!(waiting[0].reason.contains("breaks a rule") && waiting[0].reason.contains("first_name"), "{waiting:?}");
    assert_eq!(people_rows(&b)[0].1, "Phoebe", "the record is as it was");

    // A new record that breaks a rule is not written either.
    let mut stranger =
        log_of(&a).into_iter().find(|c| c.table_name == "people" && c.record_id == person.meta.id.to_string()).unwrap();
    stranger.id = Uuid::now_v7().to_string();
    stranger.record_id = Uuid::now_v7().to_string();
    stranger.fields.insert("id".into(), serde_json::json!(stranger.record_id));
    stranger.fields.insert("last_name".into(), serde_json::json!(""));
    let counts = apply::apply_batch(&b, &[stranger], 3).unwrap();
    assert_eq!(counts.waiting, 2, "{:?}", apply::waiting(&b).unwrap());
    assert_eq!(people_rows(&b).len(), 1);
}

#[test]
fn a_pulled_session_placed_in_another_courses_offering_waits_and_is_never_applied() {
    use crate::offerings::add_offering;
    let (a, _da) = fresh_store();
    let (b, _db) = fresh_store();
    let alpha = add_course(&a, "Alpha", None);
    let beta = add_course(&a, "Beta", None);
    let alpha_autumn = add_offering(&a, &alpha, "Alpha autumn", 5, None);
    let beta_autumn = add_offering(&a, &beta, "Beta autumn", 5, None);
    let system = system();
    let mut tx = a.begin_write(&system).unwrap();
    let starts = cct_domain::Timestamp::now();
    let session = cct_store::office::editing::create(
        &mut tx,
        hour_long_session(alpha.meta.id, Some(alpha_autumn.meta.id), "Alpha, week 1", starts),
    )
    .unwrap();
    tx.commit().unwrap();
    // Offerings and the session in one batch: the session's offering is read from the batch.
    let counts = apply::apply_batch(&b, &log_of(&a), 1).unwrap();
    assert_eq!(counts.waiting, 0, "{:?}", apply::waiting(&b).unwrap());

    let mut forged = record_log(&a).into_iter().find(|c| c.table_name == "class_session").unwrap();
    forged.id = Uuid::now_v7().to_string();
    forged.fields = serde_json::Map::from_iter([("offering_id".to_owned(), serde_json::json!(beta_autumn.meta.id))]);
    forged.hlc = cct_store::team::Hlc { wall_ms: cct_store::team::clock::now_ms() + 60_000, counter: 0 }.to_string();
    let counts = apply::apply_batch(&b, &[forged], 2).unwrap();
    assert_eq!(counts.waiting, 1);
    let waiting = apply::waiting(&b).unwrap();
    assert!(waiting[0].reason.contains("another course"), "{waiting:?}");
    let stored: Option<String> = b
        .read(|c| c.optional("SELECT offering_id FROM class_session WHERE id = ?1", [session.meta.id.to_string()]))
        .unwrap();
    assert_eq!(stored, Some(alpha_autumn.meta.id.to_string()), "the session stays in its course's offering");
}
