//! What moves when two people become one, table by table. A row of the person removed moves
//! to the person kept, unless the kept person already has the same thing (the same course,
//! session, role, campus or certification): then the two fold into the kept person's row,
//! which takes the more complete of the two, and the removed person's row is retired (soft
//! deleted, as every row here). Every write goes through the store's one write path, so each is
//! audited and shared with the team.

use crate::db::{Query, Result, WriteTx};
use crate::office::{certifications, progress};
use crate::records;
use cct_domain::records::{
    AssessmentAttempt, AttendanceRecord, AttendanceStatus, CertificationProgress, CertificationRecord,
    ContentCompletion, CourseEnrollment, CourseRole, EnrollmentStatus, PeopleCampus, PeopleRole, PickupContact,
    SpecialRequirement,
};
use cct_domain::Record;
use std::collections::HashMap;
use uuid::Uuid;

/// Every column that refers to a person, and that a merge moves to the person kept. A test
/// compares this (with [`LEFT_IN_PLACE`]) against the schema's foreign keys, so a table added
/// later cannot be forgotten.
pub const MOVED_REFERENCES: &[(&str, &str)] = &[
    ("course_enrollment", "people_id"),
    ("course_enrollment", "dependency_override_by"),
    ("assessment_attempt", "graded_by"),
    ("attendance_record", "people_id"),
    ("attendance_record", "marked_by"),
    ("attendance_record", "released_by"),
    ("certification_progress", "people_id"),
    ("certification_record", "people_id"),
    ("course_role", "people_id"),
    ("people_role", "people_id"),
    ("people_campus", "people_id"),
    ("special_requirement", "people_id"),
    ("pickup_contact", "child_id"),
    ("pickup_contact", "people_id"),
    ("guardian_tag_child", "people_id"),
    ("sign_in_credential", "people_id"),
    ("sign_in_invitation", "people_id"),
    ("sign_in_invitation", "made_by"),
    ("pco_possible_duplicate", "resolved_by"),
];

/// Columns that refer to a person and stay where they are, each for its reason:
/// * `person_first_visit`: kept by triggers from attendance, which follow the moved rows;
/// * `pco_possible_duplicate.people_id`: only people not yet in Planning Center are held as
///   possible duplicates, and both people of a merge are in it;
/// * `pco_person_merger`: the record of the merge itself.
pub const LEFT_IN_PLACE: &[(&str, &str)] = &[
    ("person_first_visit", "people_id"),
    ("pco_possible_duplicate", "people_id"),
    ("pco_person_merger", "kept_people_id"),
    ("pco_person_merger", "removed_people_id"),
];

#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Counts {
    pub moved: usize,
    pub folded: usize,
}

/// Moves every record of `removed` to `kept`, folding the ones both had.
pub(super) fn move_everything(tx: &mut WriteTx<'_>, kept: Uuid, removed: Uuid) -> Result<Counts> {
    let mut counts = Counts::default();
    let folded_enrollments = enrollments(tx, &mut counts, kept, removed)?;
    attendance(tx, &mut counts, kept, removed, &folded_enrollments)?;
    for into in folded_enrollments.values() {
        // Completions and attendance of both now count toward the one enrollment.
        progress::recompute(tx, *into)?;
    }
    move_rows::<PeopleRole, _>(
        tx,
        &mut counts,
        (kept, removed),
        "people_id",
        |r| &mut r.people_id,
        |r| r.role_id,
        reactivate,
    )?;
    move_rows::<CourseRole, _>(
        tx,
        &mut counts,
        (kept, removed),
        "people_id",
        |r| &mut r.people_id,
        |r| (r.offering_id.unwrap_or(r.course_id), r.role_type),
        reactivate,
    )?;
    move_campuses(tx, &mut counts, kept, removed)?;
    move_rows::<CertificationProgress, _>(
        tx,
        &mut counts,
        (kept, removed),
        "people_id",
        |r| &mut r.people_id,
        |r| r.certification_id,
        // The standing itself is worked out again below from the completions both now share.
        |ours, theirs| keep_one_certificate_number(&mut ours.certificate_number, &mut theirs.certificate_number),
    )?;
    // Two records of one certification earned on the same day are one earning.
    move_rows::<CertificationRecord, _>(
        tx,
        &mut counts,
        (kept, removed),
        "people_id",
        |r| &mut r.people_id,
        |r| (r.certification_id, r.earned_on),
        |ours, theirs| keep_one_certificate_number(&mut ours.certificate_number, &mut theirs.certificate_number),
    )?;
    for requirement in of_person::<SpecialRequirement>(tx, "people_id", removed)? {
        let mut requirement = requirement;
        requirement.people_id = kept;
        records::update_derived(tx, requirement)?;
        counts.moved += 1;
    }
    pickup_contacts(tx, &mut counts, kept, removed)?;
    who_acted(tx, &mut counts, kept, removed)?;
    this_computers_own(tx, kept, removed)?;
    certifications::refresh_for_person(tx, kept)?;
    Ok(counts)
}

/// The number on a certificate already handed out is kept: the kept person's, else the removed
/// person's (numbers are unique, so the folded row gives its number up).
fn keep_one_certificate_number(ours: &mut Option<String>, theirs: &mut Option<String>) {
    if ours.is_none() {
        *ours = theirs.take();
    } else {
        *theirs = None;
    }
}

/// The rows of `T` whose `column` is `person`, retired ones too: history moves as well.
fn of_person<T: Record>(tx: &WriteTx<'_>, column: &str, person: Uuid) -> Result<Vec<T>> {
    let sql = format!("SELECT * FROM {} WHERE {column} = ?1 ORDER BY id", T::TABLE);
    tx.conn().records(T::TABLE, &sql, [person.to_string()])
}

/// A role or course role both people held stays active if either held it.
fn reactivate<T: Record>(ours: &mut T, theirs: &mut T) {
    if theirs.meta().is_active {
        ours.meta_mut().is_active = true;
    }
}

/// Moves the rows of a table with one row per person and `key`: a row the kept person lacks
/// moves; one they have folds with `fold(ours, theirs)`, and theirs is retired.
fn move_rows<T: Record, K: PartialEq>(
    tx: &mut WriteTx<'_>,
    counts: &mut Counts,
    (kept, removed): (Uuid, Uuid),
    column: &str,
    person: fn(&mut T) -> &mut Uuid,
    key: impl Fn(&T) -> K,
    fold: impl Fn(&mut T, &mut T),
) -> Result<()> {
    let ours_all = of_person::<T>(tx, column, kept)?;
    for mut theirs in of_person::<T>(tx, column, removed)? {
        match ours_all.iter().find(|ours| key(ours) == key(&theirs)) {
            None => {
                *person(&mut theirs) = kept;
                records::update_derived(tx, theirs)?;
                counts.moved += 1;
            }
            // A retired row the kept person also has is history that needs no fold, and
            // leaving it is what makes a second application of the merge change nothing.
            Some(_) if !theirs.meta().is_active => {}
            Some(ours) => {
                let mut ours = ours.clone();
                fold(&mut ours, &mut theirs);
                theirs.meta_mut().is_active = false;
                // Theirs first: what the fold took from it (a unique number) is free before
                // the kept row takes it.
                records::update_derived(tx, theirs)?;
                records::update_derived(tx, ours)?;
                counts.folded += 1;
            }
        }
    }
    Ok(())
}

/// Campuses: as [`move_rows`], but a person has one primary campus, so a moved campus is
/// primary only if the kept person had none.
fn move_campuses(tx: &mut WriteTx<'_>, counts: &mut Counts, kept: Uuid, removed: Uuid) -> Result<()> {
    let has_primary =
        of_person::<PeopleCampus>(tx, "people_id", kept)?.iter().any(|c| c.is_primary && c.meta.is_active);
    if has_primary {
        for mut campus in of_person::<PeopleCampus>(tx, "people_id", removed)? {
            if campus.is_primary {
                campus.is_primary = false;
                records::update_derived(tx, campus)?;
            }
        }
    }
    move_rows::<PeopleCampus, _>(
        tx,
        counts,
        (kept, removed),
        "people_id",
        |r| &mut r.people_id,
        |r| r.campus_id,
        reactivate,
    )
}

/// How far an enrollment got, to choose the more complete of two.
fn standing(enrollment: &CourseEnrollment) -> (bool, u8, i64) {
    let status = match enrollment.status {
        EnrollmentStatus::Completed => 3,
        EnrollmentStatus::InProgress => 2,
        EnrollmentStatus::Enrolled => 1,
        EnrollmentStatus::Dropped | EnrollmentStatus::NotPassed => 0,
    };
    (enrollment.meta.is_active, status, (enrollment.progress_percentage * 10.0).round() as i64)
}

/// Both notes, once each.
fn joined(ours: Option<String>, theirs: Option<String>) -> Option<String> {
    match (ours, theirs) {
        (Some(a), Some(b)) if !a.contains(b.as_str()) => Some(format!("{a}\n{b}")),
        (a, b) => a.or(b),
    }
}

/// Enrollments, one per person and offering: the more complete one's standing wins, the
/// earlier start is kept, and the removed person's lessons and assessment attempts join the
/// kept enrollment. Returns which removed enrollment folded into which kept one.
fn enrollments(tx: &mut WriteTx<'_>, counts: &mut Counts, kept: Uuid, removed: Uuid) -> Result<HashMap<Uuid, Uuid>> {
    let ours_all = of_person::<CourseEnrollment>(tx, "people_id", kept)?;
    let mut folded = HashMap::new();
    for mut theirs in of_person::<CourseEnrollment>(tx, "people_id", removed)? {
        let offering = crate::office::enrollment::offering_of(&theirs);
        let Some(mut ours) = ours_all.iter().find(|e| crate::office::enrollment::offering_of(e) == offering).cloned()
        else {
            theirs.people_id = kept;
            records::update_derived(tx, theirs)?;
            counts.moved += 1;
            continue;
        };
        if !theirs.meta.is_active {
            continue;
        }
        if standing(&theirs) > standing(&ours) {
            ours.meta.is_active = true;
            ours.status = theirs.status;
            ours.progress_percentage = theirs.progress_percentage;
            ours.completion_date = theirs.completion_date;
            ours.registration_status = theirs.registration_status;
            ours.waitlisted_at = theirs.waitlisted_at;
        }
        ours.enrollment_date = ours.enrollment_date.min(theirs.enrollment_date);
        if !ours.dependency_override && theirs.dependency_override {
            ours.dependency_override = true;
            ours.dependency_override_by = theirs.dependency_override_by;
            ours.dependency_override_reason = theirs.dependency_override_reason.clone();
            ours.dependency_override_at = theirs.dependency_override_at;
        }
        ours.notes = joined(ours.notes.take(), theirs.notes.clone());
        let registration = theirs.planning_center_registration_id.take();
        ours.planning_center_registration_id = ours.planning_center_registration_id.take().or(registration);
        theirs.meta.is_active = false;
        let (from, into) = (theirs.meta.id, ours.meta.id);
        records::update_derived(tx, theirs)?;
        records::update_derived(tx, ours)?;
        lessons(tx, counts, from, into)?;
        attempts(tx, counts, from, into)?;
        folded.insert(from, into);
        counts.folded += 1;
    }
    Ok(folded)
}

/// A folded enrollment's completed lessons join the kept one: the earlier completion and the
/// better score of a lesson both completed.
fn lessons(tx: &mut WriteTx<'_>, counts: &mut Counts, from: Uuid, into: Uuid) -> Result<()> {
    let ours_all = of_person::<ContentCompletion>(tx, "course_enrollment_id", into)?;
    for mut theirs in of_person::<ContentCompletion>(tx, "course_enrollment_id", from)? {
        let Some(mut ours) = ours_all.iter().find(|c| c.content_id == theirs.content_id).cloned() else {
            theirs.course_enrollment_id = into;
            records::update_derived(tx, theirs)?;
            counts.moved += 1;
            continue;
        };
        if !theirs.meta.is_active {
            continue;
        }
        if !ours.meta.is_active || theirs.completed_at < ours.completed_at {
            ours.meta.is_active = true;
            ours.completed_at = theirs.completed_at;
        }
        ours.score = match (ours.score, theirs.score) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        ours.time_spent_minutes = ours.time_spent_minutes.or(theirs.time_spent_minutes);
        ours.notes = joined(ours.notes.take(), theirs.notes.clone());
        theirs.meta.is_active = false;
        records::update_derived(tx, theirs)?;
        records::update_derived(tx, ours)?;
        counts.folded += 1;
    }
    Ok(())
}

/// A folded enrollment's assessment attempts join the kept one, numbered after its own in the
/// order they were submitted: no attempt is lost, and none shares a number.
fn attempts(tx: &mut WriteTx<'_>, counts: &mut Counts, from: Uuid, into: Uuid) -> Result<()> {
    let mut next: HashMap<Uuid, i64> = HashMap::new();
    for attempt in of_person::<AssessmentAttempt>(tx, "course_enrollment_id", into)? {
        let number = next.entry(attempt.assessment_id).or_insert(1);
        *number = (*number).max(attempt.attempt_number + 1);
    }
    let mut theirs = of_person::<AssessmentAttempt>(tx, "course_enrollment_id", from)?;
    theirs.sort_by_key(|a| (a.submitted_at, a.attempt_number));
    for mut attempt in theirs {
        let number = next.entry(attempt.assessment_id).or_insert(1);
        attempt.attempt_number = *number;
        *number += 1;
        attempt.course_enrollment_id = into;
        records::update_derived(tx, attempt)?;
        counts.moved += 1;
    }
    Ok(())
}

fn attended(record: &AttendanceRecord) -> (bool, u8) {
    let status = match record.status {
        AttendanceStatus::Present | AttendanceStatus::Late => 2,
        AttendanceStatus::Excused => 1,
        AttendanceStatus::Absent => 0,
    };
    (record.meta.is_active, status)
}

/// Attendance, one per person and session: where both were marked, the row that says they came
/// wins (with its times, who marked it and how the child was released).
fn attendance(
    tx: &mut WriteTx<'_>,
    counts: &mut Counts,
    kept: Uuid,
    removed: Uuid,
    folded_enrollments: &HashMap<Uuid, Uuid>,
) -> Result<()> {
    let ours_all = of_person::<AttendanceRecord>(tx, "people_id", kept)?;
    let follow = |enrollment: Option<Uuid>| enrollment.map(|id| *folded_enrollments.get(&id).unwrap_or(&id));
    for mut theirs in of_person::<AttendanceRecord>(tx, "people_id", removed)? {
        theirs.course_enrollment_id = follow(theirs.course_enrollment_id);
        let Some(mut ours) = ours_all.iter().find(|a| a.class_session_id == theirs.class_session_id).cloned() else {
            theirs.people_id = kept;
            records::update_derived(tx, theirs)?;
            counts.moved += 1;
            continue;
        };
        if !theirs.meta.is_active {
            continue;
        }
        if attended(&theirs) > attended(&ours) {
            let people_id = ours.people_id;
            let meta = ours.meta.clone();
            ours = AttendanceRecord { meta, people_id, ..theirs.clone() };
            ours.meta.is_active = true;
        }
        ours.course_enrollment_id = ours.course_enrollment_id.or(theirs.course_enrollment_id);
        ours.notes = joined(ours.notes.take(), theirs.notes.clone());
        theirs.meta.is_active = false;
        records::update_derived(tx, theirs)?;
        records::update_derived(tx, ours)?;
        counts.folded += 1;
    }
    // The guardian tag that let a child be collected names the kept child now. A tag that
    // already named both stays as it is.
    tx.conn().run(
        "UPDATE OR IGNORE guardian_tag_child SET people_id = ?1 WHERE people_id = ?2",
        [kept.to_string(), removed.to_string()],
    )?;
    Ok(())
}

/// Who may collect a child: the child's list, and the lists naming the person. A contact that
/// would now name the child themself is retired.
fn pickup_contacts(tx: &mut WriteTx<'_>, counts: &mut Counts, kept: Uuid, removed: Uuid) -> Result<()> {
    for mut contact in of_person::<PickupContact>(tx, "child_id", removed)? {
        if contact.people_id == Some(kept) {
            contact.meta.is_active = false;
        } else {
            contact.child_id = kept;
        }
        records::update_derived(tx, contact)?;
        counts.moved += 1;
    }
    for mut contact in of_person::<PickupContact>(tx, "people_id", removed)? {
        if contact.child_id == kept {
            contact.meta.is_active = false;
        } else {
            contact.people_id = Some(kept);
        }
        records::update_derived(tx, contact)?;
        counts.moved += 1;
    }
    Ok(())
}

/// Rows naming the person as the one who acted (marked attendance, released a child, graded an
/// attempt, overrode a prerequisite) name the kept person: it is the same person.
fn who_acted(tx: &mut WriteTx<'_>, counts: &mut Counts, kept: Uuid, removed: Uuid) -> Result<()> {
    for column in ["marked_by", "released_by"] {
        for mut record in of_person::<AttendanceRecord>(tx, column, removed)? {
            for field in [&mut record.marked_by, &mut record.released_by] {
                if *field == Some(removed) {
                    *field = Some(kept);
                }
            }
            records::update_derived(tx, record)?;
            counts.moved += 1;
        }
    }
    for mut attempt in of_person::<AssessmentAttempt>(tx, "graded_by", removed)? {
        attempt.graded_by = Some(kept);
        records::update_derived(tx, attempt)?;
        counts.moved += 1;
    }
    for mut enrollment in of_person::<CourseEnrollment>(tx, "dependency_override_by", removed)? {
        enrollment.dependency_override_by = Some(kept);
        records::update_derived(tx, enrollment)?;
        counts.moved += 1;
    }
    Ok(())
}

/// Sign-in and duplicate bookkeeping, which never leave this computer through the change log:
/// a password the kept person lacks comes with the person (marked unshared, so the team's hub
/// learns it under the kept person), and invitations follow.
fn this_computers_own(tx: &mut WriteTx<'_>, kept: Uuid, removed: Uuid) -> Result<()> {
    let (kept, removed) = (kept.to_string(), removed.to_string());
    for sql in [
        "UPDATE OR IGNORE sign_in_credential SET people_id = ?1, shared = 0 WHERE people_id = ?2",
        "UPDATE sign_in_invitation SET people_id = ?1 WHERE people_id = ?2",
        "UPDATE sign_in_invitation SET made_by = ?1 WHERE made_by = ?2",
        "UPDATE pco_possible_duplicate SET resolved_by = ?1 WHERE resolved_by = ?2",
    ] {
        tx.conn().run(sql, [&kept, &removed])?;
    }
    Ok(())
}
