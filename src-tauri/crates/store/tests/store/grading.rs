//! Assessments and grading: assessments passed are steps of progress, a graded course's final
//! assessment decides it, and a person who did not pass retakes the course in a later offering.

use crate::common::*;
use crate::offerings::{add_offering, complete_all, enroll_in, today};
use cct_domain::records::*;
use cct_store::office::{assessments, editing};
use cct_store::{records, Store};
use uuid::Uuid;

fn graded_course(
    store: &Store,
    grading: Grading,
    pass_mark: Option<f64>,
) -> (Course, Vec<Uuid>, Assessment, Assessment) {
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let course =
        editing::create(&mut tx, Course { name: "Safe Ministry".into(), grading, pass_mark, ..Default::default() })
            .unwrap();
    tx.commit().unwrap();
    let lessons = add_lessons(store, course.meta.id, 2, true);
    let mut tx = store.begin_write(&system).unwrap();
    let quiz = editing::create(
        &mut tx,
        Assessment {
            course_id: course.meta.id,
            title: "Module quiz".into(),
            passing_score: 60.0,
            max_attempts: None,
            is_required: true,
            ..Default::default()
        },
    )
    .unwrap();
    let exam = editing::create(
        &mut tx,
        Assessment {
            course_id: course.meta.id,
            title: "Final assessment".into(),
            passing_score: 50.0,
            max_attempts: Some(2),
            is_required: true,
            is_final: true,
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    (course, lessons, quiz, exam)
}

fn attempt(store: &Store, enrollment: Uuid, assessment: Uuid, score: f64) -> cct_store::Result<CourseEnrollment> {
    let system = system();
    let mut tx = store.begin_write(&system)?;
    let (_, updated) = assessments::record_attempt(
        &mut tx,
        assessments::AttemptInput {
            course_enrollment_id: enrollment,
            assessment_id: assessment,
            score,
            ..Default::default()
        },
    )?;
    tx.commit()?;
    Ok(updated)
}

#[test]
fn assessments_passed_are_steps_and_the_grade_is_the_finals_best_score() {
    let (store, _dir) = fresh_store();
    let (course, lessons, quiz, exam) = graded_course(&store, Grading::Percentage, Some(75.0));
    let ruth = add_person(&store, "Ruth", "Moabite");
    let e = enroll_in(&store, ruth.meta.id, course.meta.id, None).unwrap();
    complete_all(&store, &e, &lessons, today());
    let after_lessons: CourseEnrollment = records::get(&store, &system(), e.meta.id).unwrap();
    assert_eq!(after_lessons.progress_percentage, 50.0, "two lessons of four steps (two lessons, two assessments)");

    let failed_quiz = attempt(&store, e.meta.id, quiz.meta.id, 40.0).unwrap();
    assert_eq!(failed_quiz.progress_percentage, 50.0, "a quiz failed is no step");
    let passed_quiz = attempt(&store, e.meta.id, quiz.meta.id, 65.0).unwrap();
    assert_eq!(passed_quiz.progress_percentage, 75.0, "the quiz passed on a second try (no limit) is a step");
    // The final is judged by the course's pass mark (75), not the assessment's own (50).
    let below_mark = attempt(&store, e.meta.id, exam.meta.id, 70.0).unwrap();
    assert_eq!((below_mark.status, below_mark.grade), (EnrollmentStatus::InProgress, Some(70.0)), "one attempt left");
    let passed = attempt(&store, e.meta.id, exam.meta.id, 88.0).unwrap();
    assert_eq!(
        (passed.status, passed.progress_percentage, passed.grade),
        (EnrollmentStatus::Completed, 100.0, Some(88.0))
    );
    let third = attempt(&store, e.meta.id, exam.meta.id, 95.0).unwrap_err();
    assert_eq!(third.field(), Some("assessment_id"), "two attempts allowed, both used");
}

#[test]
fn a_failed_final_ends_the_enrollment_as_not_passed_and_the_course_is_retaken_later() {
    let (store, _dir) = fresh_store();
    let (course, lessons, quiz, exam) = graded_course(&store, Grading::PassFail, Some(80.0));
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    // A final allowed once: the office's default for a graded course's final.
    editing::update(&mut tx, Assessment { max_attempts: None, ..exam.clone() }).unwrap();
    tx.commit().unwrap();
    let ruth = add_person(&store, "Ruth", "Moabite");
    let first = enroll_in(&store, ruth.meta.id, course.meta.id, None).unwrap();
    complete_all(&store, &first, &lessons, today());
    attempt(&store, first.meta.id, quiz.meta.id, 90.0).unwrap();
    let failed = attempt(&store, first.meta.id, exam.meta.id, 79.5).unwrap();
    assert_eq!(failed.status, EnrollmentStatus::NotPassed);
    assert_eq!(failed.grade, None, "pass/fail keeps no percentage");
    let again = attempt(&store, first.meta.id, exam.meta.id, 99.0).unwrap_err();
    assert_eq!(again.field(), Some("course_enrollment_id"), "the enrollment has ended");

    // A retake, in the next term's offering, starts over and passes.
    let spring = add_offering(&store, &course, "Spring", 30, None);
    let retake = enroll_in(&store, ruth.meta.id, course.meta.id, Some(spring.meta.id)).unwrap();
    assert_eq!(retake.progress_percentage, 0.0);
    complete_all(&store, &retake, &lessons, today());
    attempt(&store, retake.meta.id, quiz.meta.id, 70.0).unwrap();
    let passed = attempt(&store, retake.meta.id, exam.meta.id, 85.0).unwrap();
    assert_eq!(passed.status, EnrollmentStatus::Completed);
    let kept: CourseEnrollment = records::get(&store, &system, first.meta.id).unwrap();
    assert_eq!(kept.status, EnrollmentStatus::NotPassed, "the first enrollment is kept as it ended");
}

#[test]
fn a_pass_mark_out_of_range_or_missing_is_refused_and_changes_nothing() {
    let (store, _dir) = fresh_store();
    let before = count(&store, "course");
    let system = system();
    for (grading, pass_mark) in
        [(Grading::PassFail, Some(101.0)), (Grading::Percentage, Some(-1.0)), (Grading::PassFail, None)]
    {
        let mut tx = store.begin_write(&system).unwrap();
        let refused =
            editing::create(&mut tx, Course { name: "Graded".into(), grading, pass_mark, ..Default::default() })
                .unwrap_err();
        assert_eq!(refused.field(), Some("pass_mark"), "{grading:?} {pass_mark:?}");
    }
    assert_eq!(count(&store, "course"), before);
    let (course, _, quiz, _) = graded_course(&store, Grading::Completion, None);
    let ruth = add_person(&store, "Ruth", "Moabite");
    let e = enroll_in(&store, ruth.meta.id, course.meta.id, None).unwrap();
    assert_eq!(attempt(&store, e.meta.id, quiz.meta.id, 120.0).unwrap_err().field(), Some("score"));
    assert_eq!(count(&store, "assessment_attempt"), 0);
}
