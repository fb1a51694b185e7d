//! Person merges from Planning Center: every kind of record moves, the same record held by both
//! folds into one, and applying the merge again (here, or on a second computer) changes nothing.

use crate::common::*;
use cct_domain::records::*;
use cct_domain::Timestamp;
use cct_store::db::Query;
use cct_store::office::{attendance, enrollment, progress};
use cct_store::planning_center::mergers::{
    self, apply_person_merger, MergeOutcome, RemoteMerger, LEFT_IN_PLACE, MOVED_REFERENCES,
};
use cct_store::{records, Store};
use std::collections::BTreeSet;
use uuid::Uuid;

fn linked_person(store: &Store, first: &str, pco_id: &str) -> Person {
    store
        .write(&system(), |tx| {
            records::insert(
                tx,
                Person {
                    first_name: first.into(),
                    last_name: "Okafor".into(),
                    planning_center_id: Some(pco_id.into()),
                    ..Default::default()
                },
            )
        })
        .unwrap()
}

fn merger(id: &str, keep: &str, remove: &str) -> RemoteMerger {
    RemoteMerger {
        planning_center_id: id.into(),
        person_to_keep_id: keep.into(),
        person_to_remove_id: remove.into(),
        merged_at: Some(Timestamp::now()),
    }
}

fn apply(store: &Store, merge: &RemoteMerger) -> MergeOutcome {
    store.write(&system(), |tx| apply_person_merger(tx, merge)).unwrap()
}

fn enroll(store: &Store, people_id: Uuid, course_id: Uuid) -> CourseEnrollment {
    store
        .write(&system(), |tx| {
            enrollment::enroll(tx, enrollment::EnrollRequest { people_id, course_id, ..Default::default() })
        })
        .unwrap()
}

fn complete(store: &Store, enrollment: Uuid, lesson: Uuid) {
    store
        .write(&system(), |tx| {
            progress::complete_content(
                tx,
                progress::CompletionInput {
                    course_enrollment_id: enrollment,
                    content_id: lesson,
                    ..Default::default()
                },
            )
        })
        .unwrap();
}

fn mark(store: &Store, session: Uuid, person: Uuid, status: AttendanceStatus) {
    store
        .write(&system(), |tx| {
            attendance::mark(
                tx,
                attendance::MarkAttendance { class_session_id: session, people_id: person, status, notes: None },
            )
        })
        .unwrap();
}

fn insert<T: cct_domain::Record>(store: &Store, record: T) -> T {
    store.write(&system(), |tx| records::insert(tx, record)).unwrap()
}

/// Active rows, in every table a merge moves, that still name `person`.
pub(crate) fn still_naming(store: &Store, person: Uuid) -> Vec<String> {
    store
        .read(|conn| {
            let mut left = Vec::new();
            for (table, column) in MOVED_REFERENCES {
                let has_active: bool = conn
                    .scalar("SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = 'is_active')", [table])?;
                let active = if has_active { " AND is_active = 1" } else { "" };
                let n: i64 = conn.scalar(
                    &format!("SELECT COUNT(*) FROM {table} WHERE {column} = ?1{active}"),
                    [person.to_string()],
                )?;
                if n > 0 {
                    left.push(format!("{table}.{column}: {n}"));
                }
            }
            Ok(left)
        })
        .unwrap()
}

/// Everything the two people's records hold, to compare before and after a second application.
fn snapshot(store: &Store) -> Vec<String> {
    store
        .read(|conn| {
            let mut rows = Vec::new();
            for table in [
                "people",
                "course_enrollment",
                "content_completion",
                "assessment_attempt",
                "attendance_record",
                "certification_progress",
                "people_role",
                "people_campus",
                "course_role",
                "special_requirement",
                "pickup_contact",
                "audit_log",
                "team_change",
            ] {
                let n: i64 = conn.scalar(&format!("SELECT COUNT(*) FROM {table}"), [])?;
                rows.push(format!("{table}: {n}"));
            }
            let latest: Option<String> = conn.scalar("SELECT MAX(updated_at) FROM course_enrollment", [])?;
            rows.push(format!("latest enrollment change: {latest:?}"));
            Ok(rows)
        })
        .unwrap()
}

#[test]
fn a_merge_moves_every_kind_of_record_and_folds_what_both_had() {
    let (store, _dir) = fresh_store();
    let kept = linked_person(&store, "Grace", "101");
    let removed = linked_person(&store, "Gracie", "202");
    let child = linked_person(&store, "Ada", "303");
    let (kept_id, removed_id) = (kept.meta.id, removed.meta.id);

    // Both took Foundations: the kept record did one lesson, the removed one finished it.
    let foundations = add_course(&store, "Foundations", None);
    let lessons = add_lessons(&store, foundations.meta.id, 2, true);
    let ours = enroll(&store, kept_id, foundations.meta.id);
    complete(&store, ours.meta.id, lessons[0]);
    let theirs = enroll(&store, removed_id, foundations.meta.id);
    complete(&store, theirs.meta.id, lessons[0]);
    complete(&store, theirs.meta.id, lessons[1]);
    // Only the removed record took Child Safety, which earns a certification.
    let safety = add_course(&store, "Child Safety", None);
    let safety_lesson = add_lessons(&store, safety.meta.id, 1, true)[0];
    let certification =
        insert(&store, Certification { name: "Safe to serve".into(), validity_months: Some(24), ..Default::default() });
    insert(
        &store,
        CertificationCourse {
            certification_id: certification.meta.id,
            course_id: safety.meta.id,
            ..Default::default()
        },
    );
    let safety_enrollment = enroll(&store, removed_id, safety.meta.id);
    complete(&store, safety_enrollment.meta.id, safety_lesson);
    // One session both were marked for (absent as one, present as the other), one only theirs.
    let (both_session, their_session) = store
        .write(&system(), |tx| {
            Ok((
                session_now(tx, foundations.meta.id, "Week 1", None),
                session_now(tx, foundations.meta.id, "Week 2", None),
            ))
        })
        .unwrap();
    mark(&store, both_session.meta.id, kept_id, AttendanceStatus::Absent);
    mark(&store, both_session.meta.id, removed_id, AttendanceStatus::Present);
    mark(&store, their_session.meta.id, removed_id, AttendanceStatus::Late);
    // Roles, campus, course role, a special requirement, and a child who may go home with them.
    let staff = cct_store::office::people::role_id(&store, "staff").unwrap();
    let volunteer = cct_store::office::people::role_id(&store, "member").unwrap();
    let today = Timestamp::now().date();
    for (person, role) in [(kept_id, volunteer), (removed_id, volunteer), (removed_id, staff)] {
        insert(&store, PeopleRole { people_id: person, role_id: role, assigned_date: today, ..Default::default() });
    }
    let campus = insert(&store, Campus { name: "East".into(), time_zone: "UTC".into(), ..Default::default() });
    insert(
        &store,
        PeopleCampus {
            people_id: removed_id,
            campus_id: campus.meta.id,
            assigned_date: today,
            is_primary: true,
            ..Default::default()
        },
    );
    insert(
        &store,
        CourseRole {
            people_id: removed_id,
            course_id: safety.meta.id,
            role_type: CourseRoleType::Teacher,
            assigned_date: today,
            ..Default::default()
        },
    );
    insert(
        &store,
        SpecialRequirement { people_id: removed_id, details: "Peanut allergy".into(), ..Default::default() },
    );
    insert(
        &store,
        PickupContact {
            child_id: child.meta.id,
            people_id: Some(removed_id),
            name: "Gracie Okafor".into(),
            may_collect: true,
            ..Default::default()
        },
    );
    let audit_before: i64 = count(&store, "audit_log");

    let outcome = apply(&store, &merger("9001", "101", "202"));
    let MergeOutcome::Merged { kept: k, removed: r, moved, folded } = outcome else { panic!("merged: {outcome:?}") };
    assert_eq!((k, r), (kept_id, removed_id));
    assert!(moved >= 8 && folded >= 4, "moved {moved}, folded {folded}");

    assert_eq!(still_naming(&store, removed_id), Vec::<String>::new(), "nothing active names the removed person");
    let removed_now: Person = records::get(&store, &system(), removed_id).unwrap();
    assert!(!removed_now.meta.is_active, "the removed record is retired, not deleted");

    // The folded enrollment is the kept one, completed from both people's lessons.
    let enrollments: Vec<CourseEnrollment> = store
        .read(|conn| {
            conn.records(
                "course_enrollment",
                "SELECT * FROM course_enrollment WHERE people_id = ?1 AND is_active = 1",
                [kept_id.to_string()],
            )
        })
        .unwrap();
    assert_eq!(enrollments.len(), 2, "one Foundations, one Child Safety: {enrollments:?}");
    let foundations_now = enrollments.iter().find(|e| e.course_id == foundations.meta.id).unwrap();
    assert_eq!(foundations_now.meta.id, ours.meta.id, "the kept person's row survives");
    assert_eq!(foundations_now.status, EnrollmentStatus::Completed);
    let lessons_done: i64 = scalar(
        &store,
        "SELECT COUNT(*) FROM content_completion WHERE course_enrollment_id = ?1 AND is_active = 1",
        [ours.meta.id.to_string()],
    );
    assert_eq!(lessons_done, 2, "lesson 1 folded, lesson 2 moved");
    // Present beats absent in the session both were marked for; their other session moved.
    let statuses: Vec<(String, String)> = store
        .read(|conn| conn.tuples("SELECT class_session_id, status FROM attendance_record WHERE people_id = ?1 AND is_active = 1 ORDER BY status DESC", [kept_id.to_string()]))
        .unwrap();
    assert_eq!(statuses.len(), 2, "{statuses:?}");
    assert!(statuses.contains(&(both_session.meta.id.to_string(), "present".into())), "{statuses:?}");
    assert!(statuses.contains(&(their_session.meta.id.to_string(), "late".into())), "{statuses:?}");
    // The certification earned by the removed record is the kept person's.
    let certified: String = scalar(
        &store,
        "SELECT status FROM certification_progress WHERE people_id = ?1 AND certification_id = ?2 AND is_active = 1",
        [kept_id.to_string(), certification.meta.id.to_string()],
    );
    assert_eq!(certified, "completed");
    let roles: i64 = scalar(
        &store,
        "SELECT COUNT(*) FROM people_role WHERE people_id = ?1 AND is_active = 1",
        [kept_id.to_string()],
    );
    assert_eq!(roles, 2, "member once (folded), staff moved");
    let pickup: Option<String> =
        scalar(&store, "SELECT people_id FROM pickup_contact WHERE child_id = ?1", [child.meta.id.to_string()]);
    assert_eq!(pickup, Some(kept_id.to_string()), "the child may go home with the kept person");

    // Every row written is audited with the merge as its reason, and shared with the team.
    let merge_audits: i64 =
        scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE reason LIKE '%merged person 202 into person 101%'", []);
    assert!(merge_audits as usize >= moved + folded, "{merge_audits} audit rows for {moved} moved and {folded} folded");
    assert!(count(&store, "audit_log") > audit_before);
    let shared: i64 = scalar(
        &store,
        "SELECT COUNT(*) FROM team_change WHERE table_name = 'course_enrollment' AND record_id = ?1",
        [theirs.meta.id.to_string()],
    );
    assert!(shared >= 2, "the retired enrollment's change is in the team's log");
    let applied = mergers::applied_mergers(&store, &system(), 10).unwrap();
    assert_eq!((applied.len(), applied[0].outcome.as_str()), (1, "merged"));

    // Applied twice changes nothing: on this computer it is remembered...
    let before = snapshot(&store);
    assert_eq!(apply(&store, &merger("9001", "101", "202")), MergeOutcome::AlreadyApplied);
    assert_eq!(snapshot(&store), before);
    // ...and on a computer that never saw it, whose rows the team already moved, it finds
    // nothing left to move.
    store.write(&system(), |tx| tx.conn().run("DELETE FROM pco_person_merger", []).map(drop)).unwrap();
    let again = apply(&store, &merger("9001", "101", "202"));
    assert_eq!(again, MergeOutcome::Merged { kept: kept_id, removed: removed_id, moved: 0, folded: 0 });
    assert_eq!(snapshot(&store), before, "a second application writes no row");
}

#[test]
fn a_merge_of_someone_only_here_as_the_removed_record_relinks_it() {
    let (store, _dir) = fresh_store();
    let removed = linked_person(&store, "Sam", "202");
    let outbox_before = count(&store, "pco_outbox");
    let outcome = apply(&store, &merger("9002", "777", "202"));
    assert_eq!(outcome, MergeOutcome::Relinked { people_id: removed.meta.id });
    let now: Person = records::get(&store, &system(), removed.meta.id).unwrap();
    assert_eq!(now.planning_center_id.as_deref(), Some("777"), "the record stands for the person kept");
    assert!(now.meta.is_active);
    assert_eq!(apply(&store, &merger("9003", "888", "999")), MergeOutcome::NothingHere);
    assert_eq!(count(&store, "pco_outbox"), outbox_before, "a merge made in Planning Center sends nothing back to it");
}

#[test]
fn only_the_sync_applies_merges() {
    let (store, _dir) = fresh_store();
    linked_person(&store, "A", "1");
    linked_person(&store, "B", "2");
    let volunteer = person_with_role(&store, "Vol", "checkin_volunteer");
    let refused = store.write(&volunteer, |tx| apply_person_merger(tx, &merger("1", "1", "2")));
    assert!(matches!(refused, Err(cct_store::StoreError::PermissionDenied { .. })), "{refused:?}");
}

/// A table added later that refers to people must say what a merge does with it.
#[test]
fn every_reference_to_a_person_is_moved_or_left_on_purpose() {
    let (store, _dir) = fresh_store();
    let in_schema: BTreeSet<(String, String)> = store
        .read(|conn| {
            conn.tuples(
                "SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
                 WHERE m.type = 'table' AND f.\"table\" = 'people'",
                [],
            )
        })
        .unwrap()
        .into_iter()
        .collect();
    let handled: BTreeSet<(String, String)> =
        MOVED_REFERENCES.iter().chain(LEFT_IN_PLACE).map(|(t, c)| (t.to_string(), c.to_string())).collect();
    assert_eq!(in_schema, handled);
}
