//! Records two computers made separately for the same thing are folded into one on every
//! computer, the earliest id kept, whatever order the changes arrive in.

use crate::common::*;
use cct_domain::records::{AttendanceRecord, AttendanceStatus, ContentCompletion, CourseEnrollment};
use cct_domain::Timestamp;
use cct_store::db::{JsonRow, Query};
use cct_store::team::{apply, changes, Change};
use cct_store::{records, Store};
use proptest::prelude::*;
use tempfile::TempDir;
use uuid::Uuid;

fn log_of(store: &Store) -> Vec<Change> {
    changes::unpushed(store, u32::MAX).unwrap().into_iter().map(|c| c.change).collect()
}

fn own_changes(store: &Store, skip: usize) -> Vec<Change> {
    let me = store.clock().device_id().to_owned();
    log_of(store).into_iter().skip(skip).filter(|c| c.device_id == me).collect()
}

/// Every column of every row of the tables folds touch, for comparing computers.
fn folded_tables(store: &Store) -> Vec<(String, Vec<JsonRow>)> {
    ["course_enrollment", "content_completion", "attendance_record"]
        .into_iter()
        .map(|table| {
            let rows = store.read(|conn| conn.rows(&format!("SELECT * FROM {table} ORDER BY id"), [])).unwrap();
            (table.to_owned(), rows)
        })
        .collect()
}

/// A church both computers start from: people, a course with lessons, a session.
struct Church {
    people: Vec<Uuid>,
    course: Uuid,
    lessons: Vec<Uuid>,
    session: Uuid,
}

fn church(devices: &[&Store]) -> Church {
    let office = devices[0];
    let people = ["Lois", "Eunice", "Timothy"].iter().map(|n| add_person(office, n, "Lystra").meta.id).collect();
    let course = add_course(office, "Foundations of Faith", None).meta.id;
    let lessons = add_lessons(office, course, 3, true);
    let system = system();
    let mut tx = office.begin_write(&system).unwrap();
    let session = session_now(&mut tx, course, "Week 1", None).meta.id;
    tx.commit().unwrap();
    let shared = log_of(office);
    for device in &devices[1..] {
        let counts = apply::apply_batch(device, &shared, 1).unwrap();
        assert_eq!(counts.waiting, 0);
    }
    Church { people, course, lessons, session }
}

fn enrollment_of(store: &Store, person: Uuid, course: Uuid) -> Option<Uuid> {
    store
        .read(|conn| {
            conn.id(
                "SELECT id FROM course_enrollment WHERE people_id = ?1 AND course_id = ?2",
                [person.to_string(), course.to_string()],
            )
        })
        .unwrap()
}

fn enroll(store: &Store, person: Uuid, course: Uuid, notes: &str) -> Uuid {
    if let Some(id) = enrollment_of(store, person, course) {
        return id;
    }
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let enrollment = records::insert(
        &mut tx,
        CourseEnrollment { people_id: person, course_id: course, notes: Some(notes.into()), ..Default::default() },
    )
    .unwrap();
    tx.commit().unwrap();
    enrollment.meta.id
}

fn complete(store: &Store, enrollment: Uuid, lesson: Uuid, minutes: i64) {
    let done: i64 = scalar(
        store,
        "SELECT count(*) FROM content_completion WHERE course_enrollment_id = ?1 AND content_id = ?2",
        [enrollment.to_string(), lesson.to_string()],
    );
    if done > 0 {
        return;
    }
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    records::insert(
        &mut tx,
        ContentCompletion {
            course_enrollment_id: enrollment,
            content_id: lesson,
            completed_at: Timestamp::now(),
            time_spent_minutes: Some(minutes),
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
}

fn attend(store: &Store, session: Uuid, person: Uuid, enrollment: Uuid, status: AttendanceStatus) {
    let here: i64 = scalar(
        store,
        "SELECT count(*) FROM attendance_record WHERE class_session_id = ?1 AND people_id = ?2",
        [session.to_string(), person.to_string()],
    );
    if here > 0 {
        return;
    }
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    records::insert(
        &mut tx,
        AttendanceRecord {
            class_session_id: session,
            people_id: person,
            course_enrollment_id: Some(enrollment),
            status,
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
}

fn note(store: &Store, enrollment: Uuid, notes: &str) {
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let mut record: CourseEnrollment = records::get(store, &system, enrollment).unwrap();
    record.notes = Some(notes.into());
    records::update(&mut tx, record).unwrap();
    tx.commit().unwrap();
}

#[test]
fn two_laptops_enrolling_the_same_person_offline_end_with_one_enrollment_on_both() {
    let (a, _da) = fresh_store();
    let (b, _db) = fresh_store();
    let church = church(&[&a, &b]);
    let (seen_a, seen_b) = (log_of(&a).len(), log_of(&b).len());
    let lois = church.people[0];

    // Offline, each laptop enrolls Lois, marks a lesson done and checks her in to week 1.
    let at_a = enroll(&a, lois, church.course, "enrolled at the welcome desk");
    complete(&a, at_a, church.lessons[0], 30);
    attend(&a, church.session, lois, at_a, AttendanceStatus::Present);
    let at_b = enroll(&b, lois, church.course, "enrolled in Room 3");
    complete(&b, at_b, church.lessons[0], 45);
    complete(&b, at_b, church.lessons[1], 20);
    attend(&b, church.session, lois, at_b, AttendanceStatus::Late);
    note(&b, at_b, "prefers evenings");
    let kept = at_a.min(at_b);

    let (from_a, from_b) = (own_changes(&a, seen_a), own_changes(&b, seen_b));
    let on_a = apply::apply_batch(&a, &from_b, 2).unwrap();
    let on_b = apply::apply_batch(&b, &from_a, 2).unwrap();
    assert_eq!((on_a.waiting, on_b.waiting), (0, 0), "nothing waits: {:?}", apply::waiting(&a).unwrap());
    assert!(
        on_a.folded >= 3 && on_b.folded >= 3,
        "the enrollment, its lesson and its attendance fold: {on_a:?} {on_b:?}"
    );

    assert_eq!(folded_tables(&a), folded_tables(&b), "both laptops hold the same rows, column for column");
    assert_eq!(enrollment_of(&a, lois, church.course), Some(kept), "the earliest enrollment is kept");
    assert_eq!(count(&a, "course_enrollment"), 1);
    let completions: Vec<(String, String)> = a
        .read(|conn| {
            conn.tuples("SELECT course_enrollment_id, content_id FROM content_completion ORDER BY content_id", [])
        })
        .unwrap();
    assert_eq!(completions.len(), 2, "lesson 1 (done on both) once, lesson 2 (done on one) kept");
    assert!(completions.iter().all(|(enrollment, _)| *enrollment == kept.to_string()));
    let attendance: Vec<(String, String)> =
        a.read(|conn| conn.tuples("SELECT course_enrollment_id, status FROM attendance_record", [])).unwrap();
    assert_eq!(attendance.len(), 1);
    assert_eq!(attendance[0].0, kept.to_string());
    let notes: String = scalar(&a, "SELECT notes FROM course_enrollment", []);
    assert_eq!(notes, "prefers evenings", "the latest write of each field wins across both records");

    // The fold is audited here, and kept here: every computer makes it, none sends it.
    let (reason, pushed, values): (String, bool, String) = a
        .read(|conn| {
            conn.tuple("SELECT reason, pushed, new_values FROM audit_log WHERE table_name = 'course_enrollment' AND reason LIKE 'Folded%'", [])
        })
        .unwrap()
        .expect("an audit row for the fold");
    assert!(reason.contains(&kept.to_string()), "{reason}");
    assert!(pushed, "a fold's audit row is not sent to the hub");
    assert!(!values.contains("prefers evenings"), "the audit row names the records, not what they hold: {values}");
    let (folds, total) = cct_store::team::fold::folds_made(&a).unwrap();
    assert!(total >= 3 && folds.iter().any(|f| f.table_name == "course_enrollment" && f.kept_id == kept.to_string()));

    // A later change made on the laptop that lost goes to the kept enrollment everywhere.
    let late = cct_store::team::Change {
        id: Uuid::now_v7().to_string(),
        table_name: "course_enrollment".into(),
        record_id: at_a.max(at_b).to_string(),
        fields: serde_json::json!({ "notes": "moved to Thursdays" }).as_object().unwrap().clone(),
        deleted: false,
        hlc: cct_store::team::Hlc { wall_ms: cct_store::team::clock::now_ms(), counter: 9 }.to_string(),
        device_id: "the-losing-laptop".into(),
        campus_ids: vec![],
    };
    apply::apply_batch(&a, std::slice::from_ref(&late), 3).unwrap();
    let notes: String = scalar(&a, "SELECT notes FROM course_enrollment", []);
    assert_eq!(notes, "moved to Thursdays");
    assert_eq!(
        apply::apply_batch(&a, &from_b, 4).unwrap().received,
        0,
        "applying the same changes again changes nothing"
    );
    assert_eq!(count(&a, "course_enrollment"), 1);
}

/// One thing a laptop does offline.
#[derive(Debug, Clone)]
enum Act {
    Enroll { person: usize },
    Complete { person: usize, lesson: usize, minutes: i64 },
    Attend { person: usize, late: bool },
    Note { person: usize, value: u8 },
}

fn acts() -> impl Strategy<Value = Vec<Vec<Act>>> {
    let act = prop_oneof![
        3 => (0usize..2).prop_map(|person| Act::Enroll { person }),
        3 => (0usize..2, 0usize..3, 1i64..90).prop_map(|(person, lesson, minutes)| Act::Complete { person, lesson, minutes }),
        2 => (0usize..2, any::<bool>()).prop_map(|(person, late)| Act::Attend { person, late }),
        2 => (0usize..2, 0u8..4).prop_map(|(person, value)| Act::Note { person, value }),
    ];
    prop::collection::vec(prop::collection::vec(act, 0..6), 3)
}

fn act(store: &Store, church: &Church, act: &Act) {
    let enrollment = |person: usize| enroll(store, church.people[person], church.course, "offline");
    match *act {
        Act::Enroll { person } => {
            enrollment(person);
        }
        Act::Complete { person, lesson, minutes } => {
            complete(store, enrollment(person), church.lessons[lesson], minutes)
        }
        Act::Attend { person, late } => {
            let status = if late { AttendanceStatus::Late } else { AttendanceStatus::Present };
            attend(store, church.session, church.people[person], enrollment(person), status)
        }
        Act::Note { person, value } => note(store, enrollment(person), &format!("note {value}")),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    /// Three laptops enroll, complete lessons, check in and write notes offline, often for the
    /// same person; each then receives the others' changes in its own random order and
    /// batches. All three hold the same rows, one enrollment a person, the earliest one made.
    #[test]
    fn laptops_that_made_the_same_records_offline_fold_them_the_same_way_in_any_order(acts in acts(), seed in any::<u64>()) {
        let devices: Vec<(Store, TempDir)> = vec![fresh_store(), fresh_store(), fresh_store()];
        let stores: Vec<&Store> = devices.iter().map(|(s, _)| s).collect();
        let church = church(&stores);
        let before: Vec<usize> = stores.iter().map(|s| log_of(s).len()).collect();
        for (store, acts) in stores.iter().zip(&acts) {
            for one in acts {
                act(store, &church, one);
            }
        }
        let offline: Vec<Vec<Change>> = stores.iter().zip(&before).map(|(s, skip)| own_changes(s, *skip)).collect();
        let made: Vec<(String, String)> = stores
            .iter()
            .flat_map(|s| s.read(|conn| conn.tuples::<(String, String)>("SELECT people_id, id FROM course_enrollment", [])).unwrap())
            .collect();
        let mut rng = fastrand::Rng::with_seed(seed);
        for (i, store) in stores.iter().enumerate() {
            deliver_in_random_batches(store, i, &offline, &mut rng);
            let waiting = apply::waiting(store).unwrap();
            prop_assert!(waiting.is_empty(), "nothing waits: {:?}", waiting);
        }
        let first = folded_tables(stores[0]);
        prop_assert_eq!(&first, &folded_tables(stores[1]));
        prop_assert_eq!(&first, &folded_tables(stores[2]));
        for person in &church.people {
            let earliest = made.iter().filter(|(p, _)| *p == person.to_string()).map(|(_, id)| id.clone()).min();
            let kept: Vec<String> = stores[0]
                .read(|conn| conn.column("SELECT id FROM course_enrollment WHERE people_id = ?1", [person.to_string()]))
                .unwrap();
            prop_assert_eq!(kept, earliest.into_iter().collect::<Vec<_>>(), "one enrollment a person, the earliest made");
        }
    }
}

#[test]
fn an_enrollment_from_a_computer_on_the_release_before_offerings_lands_in_the_first_offering() {
    let (office, _do) = fresh_store();
    let (older, _dl) = fresh_store();
    let church = church(&[&office, &older]);
    let (seen_office, seen_older) = (log_of(&office).len(), log_of(&older).len());
    let lois = church.people[0];
    // The office enrolls Lois; the older computer enrolls her too, offline, and its change
    // carries no offering (its release had none).
    enroll(&office, lois, church.course, "at the welcome desk");
    enroll(&older, lois, church.course, "on the older laptop");
    let mut from_older = own_changes(&older, seen_older);
    for change in &mut from_older {
        change.fields.remove("offering_id");
    }
    let on_office = apply::apply_batch(&office, &from_older, 2).unwrap();
    assert_eq!((on_office.waiting, on_office.folded), (0, 1), "it folds with the office's: {on_office:?}");
    let placed: Vec<(String, String)> =
        office.read(|conn| conn.tuples("SELECT offering_id, course_id FROM course_enrollment", [])).unwrap();
    assert_eq!(
        placed,
        [(church.course.to_string(), church.course.to_string())],
        "one enrollment, in the first offering"
    );
    let back = apply::apply_batch(&older, &own_changes(&office, seen_office), 2).unwrap();
    assert_eq!(back.waiting, 0);
    assert_eq!(folded_tables(&office), folded_tables(&older), "both computers hold the same");
}
