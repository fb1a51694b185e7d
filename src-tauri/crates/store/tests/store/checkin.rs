//! Guardian tags: codes nobody can guess, unique for a station's day across laptops that never
//! see each other, kept out of every log, and asked for again at pickup and for a reprint.

use crate::common::*;
use cct_domain::records::{ClassSession, Course, Household, Person, PickupContact, ReleaseMethod};
use cct_domain::{Actor, ErrorCode, Timestamp};
use cct_store::checkin::pickup::{self, CODE_SYMBOLS};
use cct_store::checkin::{Collector, ReprintProof};
use cct_store::db::Query;
use cct_store::{checkin, records, Store};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

struct Laptop {
    store: Store,
    _dir: tempfile::TempDir,
    session: Uuid,
    children: Vec<Uuid>,
}

/// A laptop's own database with a session and `children` children, as a station would hold.
fn laptop(children: usize) -> Laptop {
    laptop_with_capacity(children, None)
}

fn laptop_with_capacity(children: usize, capacity: Option<i64>) -> Laptop {
    let (store, dir) = fresh_store();
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let course = records::insert(&mut tx, Course { name: "Kids".into(), ..Default::default() }).unwrap();
    let session = session_now(&mut tx, course.meta.id, "Kids 10:30", capacity);
    let mut ids = Vec::new();
    for i in 0..children {
        let child = Person {
            first_name: format!("Child{i}"),
            last_name: "Kid".into(),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(2019, 5, 1),
            ..Default::default()
        };
        ids.push(records::insert(&mut tx, child).unwrap().meta.id);
    }
    tx.commit().unwrap();
    Laptop { store, _dir: dir, session: session.meta.id, children: ids }
}

fn check_in_each(store: &Store, session: Uuid, children: &[Uuid], station: &str) -> Vec<String> {
    let system = system();
    let mut codes = Vec::new();
    for child in children {
        let result = check_in(store, &system, session, &[*child], station).unwrap();
        codes.push(result.guardian_tag.expect("a child gets a code").security_code);
    }
    codes
}

/// What a station acts as: its starter, with a check-in volunteer's permissions.
fn volunteer(store: &Store) -> Actor {
    person_with_role(store, "Val", cct_domain::permissions::builtin::CHECKIN_VOLUNTEER)
}

fn is_out(store: &Store, session: Uuid, child: Uuid) -> bool {
    let out: Option<String> = scalar(
        store,
        "SELECT check_out_at FROM attendance_record WHERE class_session_id = ?1 AND people_id = ?2",
        [session.to_string(), child.to_string()],
    );
    out.is_some()
}

fn code_value(code: &str) -> i64 {
    code[1..].bytes().fold(0, |n, b| n * 31 + CODE_SYMBOLS.iter().position(|s| *s == b).unwrap() as i64)
}

#[test]
fn ten_thousand_codes_of_one_station_day_are_unique_and_follow_no_pattern() {
    let l = laptop(0);
    let system = system();
    let day = pickup::station_day();
    let codes: Vec<String> = l
        .store
        .write(&system, |tx| (0..10_000).map(|_| pickup::issue_guardian_tag(tx, "K", day).map(|(_, c)| c)).collect())
        .unwrap();
    let unique: HashSet<&String> = codes.iter().collect();
    assert_eq!(unique.len(), 10_000, "every code of the day is new");
    for code in &codes {
        assert!(code.len() == 4 && code.starts_with('K'), "{code}");
        assert!(code[1..].bytes().all(|b| CODE_SYMBOLS.contains(&b)), "{code}: no look-alikes");
        assert!(!code[1..].contains(['0', 'O', '1', 'I', 'L']), "{code}");
    }
    // A counter, or any fixed step, repeats one difference between neighbours; random codes
    // spread theirs over the 29,791 possible values.
    let mut steps: HashMap<i64, usize> = HashMap::new();
    for pair in codes.windows(2) {
        *steps.entry((code_value(&pair[1]) - code_value(&pair[0])).rem_euclid(29_791)).or_default() += 1;
    }
    let most_common = steps.values().max().copied().unwrap_or(0);
    assert!(most_common <= 8, "one step between neighbours came {most_common} times in 9,999");
    // Each place uses every symbol about equally (322 expected of each).
    for place in 1..4 {
        let mut seen: HashMap<u8, usize> = HashMap::new();
        for code in &codes {
            *seen.entry(code.as_bytes()[place]).or_default() += 1;
        }
        assert_eq!(seen.len(), 31, "place {place} uses every symbol");
        assert!(seen.values().all(|n| (220..=430).contains(n)), "place {place}: {seen:?}");
    }
}

#[test]
fn two_laptops_offline_never_issue_the_same_code_on_a_day() {
    let a = laptop(300);
    let b = laptop(300);
    let codes_a = check_in_each(&a.store, a.session, &a.children[..250], "A");
    let codes_b = check_in_each(&b.store, b.session, &b.children, "B");
    let set_a: HashSet<&String> = codes_a.iter().collect();
    let set_b: HashSet<&String> = codes_b.iter().collect();
    assert_eq!(set_a.len(), 250, "unique on laptop A");
    assert_eq!(set_b.len(), 300, "unique on laptop B");
    assert!(set_a.is_disjoint(&set_b), "no code issued by both");

    // Laptop A restarts mid-morning: its new codes are still unlike the morning's.
    let path = a.store.path().to_owned();
    a.store.close();
    let store = Store::open(&path, &key()).unwrap();
    let after_restart = check_in_each(&store, a.session, &a.children[250..], "A");
    assert!(after_restart.iter().all(|c| !set_a.contains(c)));
}

#[test]
fn a_station_letter_is_one_unambiguous_capital() {
    for good in ["A", "B", "Z"] {
        assert!(checkin::validate_station(good).is_ok());
    }
    for bad in ["", "a", "AB", "I", "O", "1"] {
        assert!(checkin::validate_station(bad).is_err(), "{bad:?}");
    }
}

/// What a station writes is audited and logged for the team as the office's writes are, and
/// the code is in neither: only on the labels and in the station's own tag table.
#[test]
fn a_check_in_is_audited_and_shared_without_its_code() {
    let l = laptop(1);
    let system = system();
    let result = check_in(&l.store, &system, l.session, &[l.children[0]], "C").unwrap();
    let code = result.guardian_tag.unwrap().security_code;
    assert_eq!(result.labels[0].security_code.as_deref(), Some(code.as_str()), "the label carries the code");
    let audit: Vec<(String, String)> = l
        .store
        .read(|c| c.tuples("SELECT action, new_values FROM audit_log WHERE table_name = 'attendance_record'", []))
        .unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    let inserted: serde_json::Value = serde_json::from_str(&audit[0].1).unwrap();
    assert_eq!(inserted["people_id"].as_str(), Some(l.children[0].to_string().as_str()));
    assert!(inserted["security_code"].is_null());
    let logs: Vec<String> = l
        .store
        .read(|c| {
            c.column(
                "SELECT coalesce(new_values, '') || coalesce(old_values, '') FROM audit_log
                 UNION ALL SELECT fields FROM team_change UNION ALL SELECT payload FROM pco_outbox",
                [],
            )
        })
        .unwrap();
    assert!(logs.iter().all(|text| !text.contains(&code)), "{code} is in a log");
    assert_eq!(count(&l.store, "guardian_tag"), 1);
    let logged: i64 = scalar(&l.store, "SELECT count(*) FROM team_change WHERE table_name = 'guardian_tag'", []);
    assert_eq!(logged, 0, "the tags stay on the station");
}

#[test]
fn a_check_in_that_fails_part_way_leaves_nothing_behind() {
    let l = laptop(2);
    let nobody = Uuid::now_v7();
    let refused = check_in(&l.store, &system(), l.session, &[l.children[0], nobody, l.children[1]], "D").unwrap_err();
    assert_eq!(refused.code(), ErrorCode::UnknownReference);
    assert_eq!(count(&l.store, "attendance_record"), 0, "the first child's check-in was rolled back with the rest");
    assert_eq!(count(&l.store, "guardian_tag"), 0, "and its tag with it");
}

#[test]
fn a_child_already_in_is_named_and_given_nothing() {
    let l = laptop(1);
    let station = volunteer(&l.store);
    check_in(&l.store, &station, l.session, &[l.children[0]], "A").unwrap();
    let again = check_in(&l.store, &station, l.session, &[l.children[0]], "A").unwrap();
    assert_eq!(again.already_checked_in, ["Child0 Kid"]);
    assert!(again.labels.is_empty() && again.guardian_tag.is_none(), "no label, no code: {again:?}");
}

#[test]
fn a_wrong_code_releases_nobody_and_the_right_one_exactly_its_childrens() {
    let l = laptop(3);
    let station = volunteer(&l.store);
    let family = check_in(&l.store, &station, l.session, &l.children[..2], "A").unwrap();
    let code = family.guardian_tag.unwrap().security_code;
    let other = check_in(&l.store, &station, l.session, &l.children[2..], "A").unwrap();
    let other_code = other.guardian_tag.unwrap().security_code;
    assert_ne!(code, other_code);

    let wrong = if code.ends_with('2') { format!("{}3", &code[..3]) } else { format!("{}2", &code[..3]) };
    let wrong = if wrong == other_code { format!("{}4", &code[..3]) } else { wrong };
    let refused = pickup::release_by_code(&l.store, &station, "A", &wrong, &[], None).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::PickupCodeWrong);
    assert_eq!(refused.field(), Some("code"));
    assert!(!refused.to_string().contains(&code) && !refused.to_string().contains(&wrong));
    assert!(l.children.iter().all(|c| !is_out(&l.store, l.session, *c)), "nobody was released");

    // A tag opens its own children, with who may collect them.
    let found = pickup::look_up(&l.store, &station, "A", &code.to_lowercase()).unwrap();
    let names: Vec<&str> = found.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Child0 Kid", "Child1 Kid"]);
    // Another family's child is not on this tag.
    let not_on_tag = pickup::release_by_code(&l.store, &station, "A", &code, &[l.children[2]], None).unwrap_err();
    assert_eq!((not_on_tag.code(), not_on_tag.field()), (ErrorCode::NotOnTag, Some("people_ids")));

    let released = pickup::release_by_code(&l.store, &station, "A", &code, &[], None).unwrap();
    assert_eq!(released.released, ["Child0 Kid", "Child1 Kid"]);
    assert!(is_out(&l.store, l.session, l.children[0]) && is_out(&l.store, l.session, l.children[1]));
    assert!(!is_out(&l.store, l.session, l.children[2]), "the other family's child stays");
    let method: String = scalar(
        &l.store,
        "SELECT release_method FROM attendance_record WHERE people_id = ?1",
        [l.children[0].to_string()],
    );
    assert_eq!(method, "code");
    let released_by: String =
        scalar(&l.store, "SELECT released_by FROM attendance_record WHERE people_id = ?1", [l.children[0].to_string()]);
    assert_eq!(Some(released_by.parse().unwrap()), station.person_id, "who released them is recorded");
    let again = pickup::release_by_code(&l.store, &station, "A", &code, &[], None).unwrap();
    assert_eq!(again.already_released.len(), 2, "a second release changes nothing");
}

#[test]
fn codes_from_another_station_or_day_are_refused_by_name() {
    let l = laptop(1);
    let station = volunteer(&l.store);
    let code = check_in(&l.store, &station, l.session, &l.children, "A").unwrap().guardian_tag.unwrap().security_code;
    let elsewhere = format!("B{}", &code[1..]);
    let refused = pickup::look_up(&l.store, &station, "A", &elsewhere).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::PickupCodeOtherStation);
    // Last Sunday's tag.
    l.store
        .write(&system(), |tx| {
            tx.conn().run(
                "INSERT INTO guardian_tag (id, station, day, code, made_at) VALUES (?1, 'A', '2026-11-22', 'AZZZ', '2026-11-22T10:00:00Z')",
                [Uuid::now_v7().to_string()],
            )
        })
        .unwrap();
    let old = pickup::release_by_code(&l.store, &station, "A", "AZZZ", &[], None).unwrap_err();
    assert_eq!((old.code(), old.field()), (ErrorCode::PickupCodeOtherDay, Some("code")));
    assert!(old.to_string().contains("2026-11-22"));
    let empty = pickup::look_up(&l.store, &station, "A", " - ").unwrap_err();
    assert_eq!((empty.code(), empty.field()), (ErrorCode::InvalidInput, Some("code")));
}

#[test]
fn a_run_of_wrong_codes_makes_the_station_wait_and_a_familys_right_code_forgives_only_one() {
    let l = laptop(1);
    let station = volunteer(&l.store);
    let code = check_in(&l.store, &station, l.session, &l.children, "A").unwrap().guardian_tag.unwrap().security_code;
    let mut wrong_codes =
        ["A222", "A223", "A224", "A225", "A226", "A227", "A228", "A229"].into_iter().filter(|c| *c != code);
    let mut guess = || pickup::look_up(&l.store, &station, "A", wrong_codes.next().unwrap()).unwrap_err().code();
    for _ in 0..4 {
        assert_eq!(guess(), ErrorCode::PickupCodeWrong);
    }
    // A family picks up between a stranger's guesses: one miss is forgiven, not the run.
    pickup::look_up(&l.store, &station, "A", &code).unwrap();
    assert_eq!(guess(), ErrorCode::PickupCodeWrong);
    assert_eq!(guess(), ErrorCode::PickupCodeWrong);
    assert_eq!(guess(), ErrorCode::PickupCodeWait, "the wait came back two guesses later");
    let waiting = pickup::look_up(&l.store, &station, "A", &code).unwrap_err();
    assert_eq!(waiting.code(), ErrorCode::PickupCodeWait, "even the right code waits: guessing stays slow");
    assert_eq!(waiting.field(), Some("code"));
}

#[test]
fn staff_release_without_the_code_with_a_reason_that_is_audited() {
    let l = laptop(1);
    let station = volunteer(&l.store);
    let staff = person_with_role(&l.store, "Sam", cct_domain::permissions::builtin::STAFF);
    check_in(&l.store, &station, l.session, &l.children, "A").unwrap();
    let child = l.children[0];

    let by_volunteer =
        l.store.write(&station, |tx| pickup::release_by_staff(tx, l.session, &[child], "lost tag", None)).unwrap_err();
    assert_eq!(by_volunteer.code(), ErrorCode::PermissionDenied);
    let no_reason =
        l.store.write(&staff, |tx| pickup::release_by_staff(tx, l.session, &[child], "  ", None)).unwrap_err();
    assert_eq!((no_reason.code(), no_reason.field()), (ErrorCode::InvalidInput, Some("reason")));
    let plain_check_out = l.store.write(&station, |tx| checkin::check_out(tx, l.session, child)).unwrap_err();
    assert_eq!(plain_check_out.code(), ErrorCode::PickupCodeRequired, "a child is not checked out like an adult");
    assert!(!is_out(&l.store, l.session, child));

    let grandma = Collector { people_id: None, name: "Grandma Kid".into() };
    let released = l
        .store
        .write(&staff, |tx| {
            pickup::release_by_staff(tx, l.session, &[child], "the tag went through the wash", Some(&grandma))
        })
        .unwrap();
    assert_eq!(released.released, ["Child0 Kid"]);
    let (method, reason, collected, by): (String, String, String, String) = l
        .store
        .read(|c| {
            c.tuple(
                "SELECT release_method, release_reason, collected_by, released_by FROM attendance_record WHERE people_id = ?1",
                [child.to_string()],
            )
        })
        .unwrap()
        .unwrap();
    assert_eq!(
        (method.as_str(), reason.as_str(), collected.as_str(), by.parse().ok()),
        ("staff", "the tag went through the wash", "Grandma Kid", staff.person_id)
    );
    let audited: String = scalar(
        &l.store,
        "SELECT reason FROM audit_log WHERE table_name = 'attendance_record' AND json_extract(new_values, '$.check_out_at') IS NOT NULL",
        [],
    );
    assert_eq!(audited, "the tag went through the wash");
    assert_eq!(ReleaseMethod::Staff, serde_json::from_value(serde_json::json!(method)).unwrap());
}

/// A household with a parent the office barred (a custody order) and one who may collect.
fn barred_parent(l: &Laptop) -> (Uuid, Uuid) {
    let system = system();
    let mut child: Person = records::get(&l.store, &system, l.children[0]).unwrap();
    let mut tx = l.store.begin_write(&system).unwrap();
    let home = records::insert(&mut tx, Household { name: "Kid household".into(), ..Default::default() }).unwrap();
    child.household_id = Some(home.meta.id);
    records::update(&mut tx, child).unwrap();
    let mut parent = |first: &str| {
        records::insert(
            &mut tx,
            Person {
                first_name: first.into(),
                last_name: "Kid".into(),
                household_id: Some(home.meta.id),
                date_of_birth: chrono::NaiveDate::from_ymd_opt(1985, 1, 1),
                ..Default::default()
            },
        )
        .unwrap()
        .meta
        .id
    };
    let mum = parent("Mum");
    let dad = parent("Dad");
    records::insert(
        &mut tx,
        PickupContact {
            child_id: l.children[0],
            people_id: Some(dad),
            name: "Dad Kid".into(),
            relationship: Some("father".into()),
            may_collect: false,
            note: Some("court order of 3 March: no contact".into()),
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    (mum, dad)
}

#[test]
fn someone_on_the_not_authorized_list_raises_the_alert_and_needs_staff() {
    let l = laptop(1);
    let (mum, dad) = barred_parent(&l);
    let station = volunteer(&l.store);
    let staff = person_with_role(&l.store, "Sam", cct_domain::permissions::builtin::STAFF);
    let code = check_in(&l.store, &station, l.session, &l.children, "A").unwrap().guardian_tag.unwrap().security_code;

    let found = pickup::look_up(&l.store, &station, "A", &code).unwrap();
    let child = &found.children[0];
    assert_eq!(child.may_collect.iter().map(|p| p.people_id).collect::<Vec<_>>(), [Some(mum)]);
    assert_eq!(child.must_not_collect.len(), 1, "the barred father is shown, whatever the household says");
    assert_eq!(child.must_not_collect[0].people_id, Some(dad));
    assert_eq!(child.must_not_collect[0].note, None, "a volunteer does not read the order's terms");
    let as_staff = pickup::look_up(&l.store, &staff, "A", &code).unwrap();
    assert!(as_staff.children[0].must_not_collect[0].note.as_deref().unwrap().contains("court order"));

    for collector in [
        Collector { people_id: Some(dad), name: "Dad Kid".into() },
        Collector { people_id: None, name: "  dad   KID ".into() },
    ] {
        let refused = pickup::release_by_code(&l.store, &station, "A", &code, &[], Some(&collector)).unwrap_err();
        assert_eq!((refused.code(), refused.field()), (ErrorCode::PickupNotAuthorized, Some("collected_by")));
    }
    assert!(!is_out(&l.store, l.session, l.children[0]), "nothing was released");

    let to_dad = Collector { people_id: Some(dad), name: "Dad Kid".into() };
    l.store
        .write(&staff, |tx| pickup::release_by_staff(tx, l.session, &l.children, "police present", Some(&to_dad)))
        .unwrap();
    let reason: String = scalar(
        &l.store,
        "SELECT reason FROM audit_log WHERE table_name = 'attendance_record' AND json_extract(new_values, '$.check_out_at') IS NOT NULL",
        [],
    );
    assert!(reason.contains("not-authorized") && reason.contains("police present"), "{reason}");

    // The office's own lists: a volunteer reads who may collect, not who must not.
    let listed = records::list::<PickupContact>(&l.store, &station, &Default::default()).unwrap();
    assert_eq!(listed.total, 0);
    let listed = records::list::<PickupContact>(&l.store, &staff, &Default::default()).unwrap();
    assert_eq!(listed.total, 1);
}

#[test]
fn a_full_room_refuses_a_check_in_unless_staff_let_it() {
    let l = laptop_with_capacity(3, Some(2));
    let station = volunteer(&l.store);
    let staff = person_with_role(&l.store, "Sam", cct_domain::permissions::builtin::STAFF);
    let full = check_in(&l.store, &station, l.session, &l.children, "A").unwrap_err();
    assert_eq!((full.code(), full.field()), (ErrorCode::RoomFull, Some("class_session_id")));
    assert_eq!(count(&l.store, "attendance_record"), 0);
    check_in(&l.store, &station, l.session, &l.children[..2], "A").unwrap();
    assert_eq!(check_in(&l.store, &station, l.session, &l.children[2..], "A").unwrap_err().code(), ErrorCode::RoomFull);
    // A child leaving makes room.
    let code: String = scalar(
        &l.store,
        "SELECT t.code FROM guardian_tag t JOIN guardian_tag_child c ON c.tag_id = t.id WHERE c.people_id = ?1",
        [l.children[0].to_string()],
    );
    pickup::release_by_code(&l.store, &station, "A", &code, &[], None).unwrap();
    check_in(&l.store, &station, l.session, &l.children[2..], "A").unwrap();
    let fourth = add_person(&l.store, "Late", "Kid");
    check_in(&l.store, &staff, l.session, &[fourth.meta.id], "A").expect("staff may fill past capacity");
}

#[test]
fn bad_pickup_lists_and_capacities_name_their_field() {
    let l = laptop(1);
    let system = system();
    let gone = add_person(&l.store, "Gone", "Away");
    l.store.write(&system, |tx| records::deactivate::<Person>(tx, gone.meta.id)).unwrap();
    let cases: Vec<(PickupContact, &str)> = vec![
        (
            PickupContact {
                child_id: l.children[0],
                people_id: Some(gone.meta.id),
                name: "Gone Away".into(),
                may_collect: true,
                ..Default::default()
            },
            "people_id",
        ),
        (PickupContact { child_id: l.children[0], name: "  ".into(), may_collect: true, ..Default::default() }, "name"),
        (
            PickupContact {
                child_id: l.children[0],
                people_id: Some(l.children[0]),
                name: "Self".into(),
                may_collect: true,
                ..Default::default()
            },
            "people_id",
        ),
    ];
    for (contact, field) in cases {
        let error = l.store.write(&system, |tx| records::insert(tx, contact.clone())).unwrap_err();
        assert_eq!(error.field(), Some(field), "{contact:?}: {error}");
    }
    // A child not checked in has nothing to release or reprint.
    let staff = person_with_role(&l.store, "Sam", cct_domain::permissions::builtin::STAFF);
    let not_in = l
        .store
        .write(&staff, |tx| pickup::release_by_staff(tx, l.session, &[l.children[0]], "checking", None))
        .unwrap_err();
    assert_eq!((not_in.code(), not_in.field()), (ErrorCode::Conflict, Some("people_ids")));
    let no_tag = pickup::reprint(&l.store, &staff, "A", l.session, l.children[0], ReprintProof::Staff).unwrap_err();
    assert_eq!((no_tag.code(), no_tag.field()), (ErrorCode::Conflict, Some("people_id")));
    let course: Course = records::list::<Course>(&l.store, &system, &Default::default()).unwrap().items.remove(0);
    for (capacity, ratio, field) in
        [(Some(0), None, "capacity"), (Some(-3), None, "capacity"), (None, Some(0), "children_per_adult")]
    {
        let now = Timestamp::now();
        let session = ClassSession {
            meta: Default::default(),
            course_id: course.meta.id,
            offering_id: None,
            facility_id: None,
            title: "Room".into(),
            starts_at: now,
            ends_at: Timestamp::from(now.as_datetime() + chrono::Duration::hours(1)),
            capacity,
            status: Default::default(),
            children_per_adult: ratio,
            serving_certification_id: None,
        };
        let error = l.store.write(&system, |tx| records::insert(tx, session)).unwrap_err();
        assert_eq!((error.code(), error.field()), (ErrorCode::InvalidInput, Some(field)));
    }
    assert_eq!(count(&l.store, "pickup_contact"), 0);
}

#[test]
fn a_reprint_needs_the_tags_code_or_staff_and_is_audited_without_it() {
    let l = laptop(2);
    let station = volunteer(&l.store);
    let staff = person_with_role(&l.store, "Sam", cct_domain::permissions::builtin::STAFF);
    let code = check_in(&l.store, &station, l.session, &l.children, "A").unwrap().guardian_tag.unwrap().security_code;
    let child = l.children[1];
    let refused = pickup::reprint(&l.store, &station, "A", l.session, child, ReprintProof::Staff).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::PermissionDenied, "the station alone cannot reprint");
    let wrong = pickup::reprint(&l.store, &station, "A", l.session, child, ReprintProof::Code("AXXX")).unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::PickupCodeWrong);
    let again = pickup::reprint(&l.store, &station, "A", l.session, child, ReprintProof::Code(&code)).unwrap();
    assert_eq!(again.guardian_tag.as_ref().unwrap().security_code, code);
    assert_eq!(again.labels.len(), 2, "the family's labels and their tag");
    pickup::reprint(&l.store, &staff, "A", l.session, child, ReprintProof::Staff).unwrap();
    let audited: Vec<String> = l
        .store
        .read(|c| {
            c.column("SELECT new_values FROM audit_log WHERE table_name = 'check_in_labels' ORDER BY changed_at", [])
        })
        .unwrap();
    assert_eq!(audited.len(), 2, "{audited:?}");
    assert!(audited[0].contains("\"tag\"") && audited[1].contains("\"staff\""), "{audited:?}");
    assert!(audited.iter().all(|a| !a.contains(&code)));
}

/// A certification, held valid by one adult, expired for another, and not held by a third;
/// returns (certification, [valid, expired, none]).
fn volunteers_with_certification(l: &Laptop) -> (Uuid, [Uuid; 3]) {
    use cct_domain::records::{Certification, CertificationProgress, CertificationStatus};
    let system = system();
    let mut session: ClassSession = records::get(&l.store, &system, l.session).unwrap();
    let mut tx = l.store.begin_write(&system).unwrap();
    let certification = records::insert(
        &mut tx,
        Certification { name: "Children's Ministry Worker".into(), validity_months: Some(24), ..Default::default() },
    )
    .unwrap()
    .meta
    .id;
    let mut adult = |first: &str| {
        let person = Person {
            first_name: first.into(),
            last_name: "Helper".into(),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(1980, 1, 1),
            ..Default::default()
        };
        records::insert(&mut tx, person).unwrap().meta.id
    };
    let (valid, expired, none) = (adult("Vera"), adult("Ezra"), adult("Nina"));
    let today = chrono::Utc::now().date_naive();
    for (people_id, status, expires) in [
        (valid, CertificationStatus::Completed, today + chrono::Duration::days(300)),
        (expired, CertificationStatus::Expired, today - chrono::Duration::days(3)),
    ] {
        let held = CertificationProgress {
            people_id,
            certification_id: certification,
            started_date: today - chrono::Duration::days(800),
            completed_date: Some(today - chrono::Duration::days(700)),
            status,
            expires_date: Some(expires),
            ..Default::default()
        };
        records::insert(&mut tx, held).unwrap();
    }
    session.children_per_adult = Some(2);
    session.serving_certification_id = Some(certification);
    records::update(&mut tx, session).unwrap();
    tx.commit().unwrap();
    (certification, [valid, expired, none])
}

#[test]
fn adults_serving_count_toward_the_ratio_and_their_certification_is_checked() {
    let l = laptop(3);
    let (_, [valid, expired, none]) = volunteers_with_certification(&l);
    let station = volunteer(&l.store);
    let serve = |people: &[Uuid]| {
        l.store.write(&station, |tx| checkin::check_in_as(tx, l.session, people, "A", checkin::Coming::Serving))
    };
    let kids = check_in(&l.store, &station, l.session, &l.children, "A").unwrap();
    assert!(kids.warnings.iter().any(|w| w.contains("3 children and 0 adults serving")), "{:?}", kids.warnings);
    let vera = serve(&[valid]).unwrap();
    assert!(vera.guardian_tag.is_none(), "an adult serving gets no tag");
    assert_eq!(vera.warnings.len(), 1, "one adult for three children still passes a ratio of two: {:?}", vera.warnings);
    let ezra = serve(&[expired]).unwrap();
    assert_eq!(ezra.warnings.len(), 1, "{:?}", ezra.warnings);
    assert!(ezra.warnings[0].contains("Children's Ministry Worker certification expired on"), "{:?}", ezra.warnings);

    let rooms = checkin::rooms_today(&l.store, &station).unwrap();
    let room = rooms.iter().find(|r| r.session.meta.id == l.session).unwrap();
    assert_eq!((room.children_in, room.adults_serving, room.in_now, room.over_ratio), (3, 2, 5, false));
    let flagged: Vec<&str> = room.people.iter().filter(|p| p.serving_uncertified).map(|p| p.name.as_str()).collect();
    assert_eq!(flagged, ["Ezra Helper"], "the office sees who served without a valid certification");

    // The office's rule may refuse instead of warning.
    let admin = person_with_role(&l.store, "Ada", cct_domain::permissions::builtin::ADMIN);
    let mut rules = cct_store::office::settings::office_rules(&l.store).unwrap();
    rules.refuse_uncertified_serving = true;
    l.store.write(&admin, |tx| cct_store::office::settings::set_office_rules(tx, rules)).unwrap();
    let refused = serve(&[none]).unwrap_err();
    assert_eq!((refused.code(), refused.field()), (ErrorCode::NotCertifiedToServe, Some("people_ids")));
    assert!(refused.to_string().contains("no Children's Ministry Worker certification"), "{refused}");
    let in_now = checkin::rooms_today(&l.store, &station).unwrap()[0].in_now;
    assert_eq!(in_now, 5, "nothing changed");

    // A child leaving changes the counts the room view shows.
    let code: String = scalar(
        &l.store,
        "SELECT t.code FROM guardian_tag t JOIN guardian_tag_child c ON c.tag_id = t.id WHERE c.people_id = ?1",
        [l.children[0].to_string()],
    );
    pickup::release_by_code(&l.store, &station, "A", &code, &[], None).unwrap();
    let room = checkin::rooms_today(&l.store, &station).unwrap().remove(0);
    assert_eq!((room.children_in, room.left), (0, 3), "a check-in's children share one tag, and left together");
}

#[test]
fn a_child_checked_in_again_is_released_only_with_the_new_tag() {
    let l = laptop(1);
    let station = volunteer(&l.store);
    let first = check_in(&l.store, &station, l.session, &l.children, "A").unwrap().guardian_tag.unwrap().security_code;
    pickup::release_by_code(&l.store, &station, "A", &first, &[], None).unwrap();
    // Back for the second half of the morning: a new tag, and the old one opens nobody.
    let second = check_in(&l.store, &station, l.session, &l.children, "A").unwrap().guardian_tag.unwrap().security_code;
    assert_ne!(first, second);
    let old = pickup::release_by_code(&l.store, &station, "A", &first, &[], None).unwrap_err();
    assert_eq!((old.code(), old.field()), (ErrorCode::PickupCodeWrong, Some("code")));
    assert!(!is_out(&l.store, l.session, l.children[0]), "the old tag released nobody");
    pickup::release_by_code(&l.store, &station, "A", &second, &[], None).unwrap();
    assert!(is_out(&l.store, l.session, l.children[0]));
}
