//! Assessments and grading: a score recorded for an attempt, passed against the assessment's
//! passing score (or, for a graded course's final assessment, the course's pass mark). A
//! required assessment passed is a step of progress; a graded course's final assessment failed
//! with no attempts left ends the enrollment as not passed, and the person may retake the
//! course in a later offering.

use crate::db::{Query, Result, StoreError, WriteTx};
use crate::office::progress;
use crate::records;
use cct_domain::records::{Assessment, AssessmentAttempt, Course, CourseEnrollment, EnrollmentStatus, Grading};
use cct_domain::rules::progress::{attempts_allowed, pass_score};
use cct_domain::{Permission, Timestamp, ValidationError};
use rusqlite::Connection;
use serde::Deserialize;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct AttemptInput {
    pub course_enrollment_id: Uuid,
    pub assessment_id: Uuid,
    /// 0–100.
    pub score: f64,
    pub feedback: Option<String>,
    /// When it was taken; now if not given.
    pub submitted_at: Option<Timestamp>,
}

/// Records one attempt at an assessment and brings the enrollment up to date.
pub fn record_attempt(tx: &mut WriteTx<'_>, input: AttemptInput) -> Result<(AssessmentAttempt, CourseEnrollment)> {
    tx.require(Permission::EnrollmentsWrite)?;
    if !(0.0..=100.0).contains(&input.score) {
        return Err(ValidationError::new("score", "must be between 0 and 100").into());
    }
    let enrollment: CourseEnrollment = records::get_in(tx, input.course_enrollment_id).map_err(|e| match e {
        StoreError::NotFound { id, .. } => {
            StoreError::UnknownReference { field: "course_enrollment_id", table: "course_enrollment", id }
        }
        other => other,
    })?;
    let assessment: Assessment = records::get_in(tx, input.assessment_id).map_err(|e| match e {
        StoreError::NotFound { id, .. } => {
            StoreError::UnknownReference { field: "assessment_id", table: "assessment", id }
        }
        other => other,
    })?;
    if assessment.course_id != enrollment.course_id || !assessment.meta.is_active {
        return Err(StoreError::Conflict {
            field: "assessment_id",
            message: "this assessment is not one of the enrollment's course".into(),
        });
    }
    let ended = match enrollment.status {
        _ if !enrollment.meta.is_active => Some("this enrollment was retired"),
        EnrollmentStatus::Dropped => Some("this enrollment was dropped"),
        EnrollmentStatus::NotPassed => {
            Some("this enrollment ended without passing: enroll the person in a later offering to retake it")
        }
        _ => None,
    };
    if let Some(message) = ended {
        return Err(StoreError::Conflict { field: "course_enrollment_id", message: message.into() });
    }
    let course: Course = records::get_in(tx, enrollment.course_id)?;
    let used: i64 = tx.conn().scalar(
        "SELECT COUNT(*) FROM assessment_attempt WHERE course_enrollment_id = ?1 AND assessment_id = ?2 AND is_active = 1",
        [enrollment.meta.id.to_string(), assessment.meta.id.to_string()],
    )?;
    if let Some(allowed) = attempts_allowed(course.grading, assessment.is_final, assessment.max_attempts) {
        if used >= allowed {
            return Err(StoreError::Conflict {
                field: "assessment_id",
                message: format!("{} allows {allowed} attempt{}, and all are used", assessment.title, plural(allowed)),
            });
        }
    }
    let next: i64 = tx.conn().scalar(
        "SELECT COALESCE(MAX(attempt_number), 0) + 1 FROM assessment_attempt WHERE course_enrollment_id = ?1 AND assessment_id = ?2",
        [enrollment.meta.id.to_string(), assessment.meta.id.to_string()],
    )?;
    let needed = pass_score(course.grading, course.pass_mark, assessment.is_final, assessment.passing_score);
    let attempt = records::insert(
        tx,
        AssessmentAttempt {
            course_enrollment_id: enrollment.meta.id,
            assessment_id: assessment.meta.id,
            attempt_number: next,
            score: input.score,
            is_passed: input.score >= needed,
            submitted_at: input.submitted_at.unwrap_or(tx.now()),
            graded_by: tx.actor().person_id,
            feedback: input.feedback,
            ..Default::default()
        },
    )?;
    let updated = progress::recompute(tx, enrollment.meta.id)?;
    if updated.status == EnrollmentStatus::NotPassed && enrollment.status != EnrollmentStatus::NotPassed {
        // Their seat is free for the waitlist.
        crate::office::enrollment::promote_waitlist(tx, crate::office::enrollment::offering_of(&updated))?;
    }
    Ok((attempt, updated))
}

fn plural(n: i64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// How the course's final assessment stands for an enrollment.
pub(crate) struct FinalStanding {
    pub grading: Grading,
    /// The best score on the final assessment, if it was taken.
    pub best_score: Option<f64>,
    pub failed_with_no_attempts_left: bool,
}

pub(crate) fn final_standing(conn: &Connection, enrollment: &CourseEnrollment) -> Result<FinalStanding> {
    // Read by the names the record type gives the column's values (the CHECK allows no other).
    let grading: Option<String> =
        conn.optional("SELECT grading FROM course WHERE id = ?1", [enrollment.course_id.to_string()])?;
    let grading: Grading =
        grading.and_then(|g| serde_json::from_value(serde_json::Value::String(g)).ok()).unwrap_or_default();
    let final_exam: Option<(String, Option<i64>)> = conn.tuple(
        "SELECT id, max_attempts FROM assessment
         WHERE course_id = ?1 AND is_active = 1 AND is_final = 1 ORDER BY created_at LIMIT 1",
        [enrollment.course_id.to_string()],
    )?;
    let Some((final_id, max_attempts)) = final_exam else {
        return Ok(FinalStanding { grading, best_score: None, failed_with_no_attempts_left: false });
    };
    let (attempts, best, passed): (i64, Option<f64>, i64) = conn
        .tuple(
            "SELECT COUNT(*), MAX(score), COALESCE(SUM(is_passed), 0) FROM assessment_attempt
             WHERE course_enrollment_id = ?1 AND assessment_id = ?2 AND is_active = 1",
            [enrollment.meta.id.to_string(), final_id],
        )?
        .unwrap_or((0, None, 0));
    let out_of_attempts = attempts_allowed(grading, true, max_attempts).is_some_and(|allowed| attempts >= allowed);
    Ok(FinalStanding { grading, best_score: best, failed_with_no_attempts_left: passed == 0 && out_of_attempts })
}
