use crate::records::{EnrollmentStatus, Grading};
use std::collections::HashSet;
use uuid::Uuid;

/// What an enrollment has done toward its course.
#[derive(Debug, Clone, Copy)]
pub struct Work<'a> {
    /// The course's required content.
    pub required_content: &'a [Uuid],
    /// Content this enrollment completed, required or not.
    pub completed_content: &'a HashSet<Uuid>,
    /// Sessions the course asks a person to attend; 0 when attendance is not required.
    pub sessions_required: i64,
    /// Sessions of the course the person was present or late at.
    pub sessions_attended: i64,
}

/// Where an enrollment stands given its completed content and attendance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Share of the course's requirements met, 0–100, rounded to one decimal.
    pub percentage: f64,
    pub status: EnrollmentStatus,
}

/// Each required piece of content and each required session is one step; the percentage is
/// the share of steps done, and doing every step completes the enrollment. Sessions attended
/// beyond those required count no further, and optional content never holds anyone back.
/// Any attendance or completion at all moves an enrollment to in progress, also where the
/// course requires none. A course that requires nothing is never completed by this rule (an
/// administrator completes it by hand). A dropped enrollment stays dropped, and one that ended
/// without passing stays so (a retake is a new enrollment).
pub fn progress(work: Work<'_>, current: EnrollmentStatus) -> Progress {
    let content_done = work.required_content.iter().filter(|c| work.completed_content.contains(c)).count() as i64;
    let sessions_required = work.sessions_required.max(0);
    let sessions_done = work.sessions_attended.clamp(0, sessions_required);
    let steps = work.required_content.len() as i64 + sessions_required;
    let done = content_done + sessions_done;
    let percentage = if steps == 0 { 0.0 } else { (done as f64 * 1000.0 / steps as f64).round() / 10.0 };
    if matches!(current, EnrollmentStatus::Dropped | EnrollmentStatus::NotPassed) {
        return Progress { percentage, status: current };
    }
    let status = if steps > 0 && done == steps {
        EnrollmentStatus::Completed
    } else if done > 0 || !work.completed_content.is_empty() || work.sessions_attended > 0 {
        EnrollmentStatus::InProgress
    } else if current == EnrollmentStatus::Completed {
        // What completed it was taken back (a completion undone, an attendance corrected).
        EnrollmentStatus::InProgress
    } else {
        current
    };
    Progress { percentage, status }
}

/// How a graded course's final assessment decides an enrollment. In a course graded pass/fail
/// or by percentage, failing the final assessment with no attempts left ends the enrollment
/// as not passed (the person may retake the course in a later offering); a course graded by
/// completion only is never failed. A completed enrollment stays completed.
pub fn graded(grading: Grading, outcome: Progress, final_failed_with_no_attempts_left: bool) -> Progress {
    if grading == Grading::Completion || !final_failed_with_no_attempts_left {
        return outcome;
    }
    match outcome.status {
        EnrollmentStatus::Completed | EnrollmentStatus::Dropped => outcome,
        _ => Progress { status: EnrollmentStatus::NotPassed, ..outcome },
    }
}

/// The score an attempt must reach: a graded course's pass mark for its final assessment,
/// otherwise the assessment's own passing score.
pub fn pass_score(grading: Grading, pass_mark: Option<f64>, is_final: bool, passing_score: f64) -> f64 {
    match (grading, is_final, pass_mark) {
        (Grading::PassFail | Grading::Percentage, true, Some(mark)) => mark,
        _ => passing_score,
    }
}

/// How many attempts an assessment allows: its own limit, else one for a graded course's final
/// assessment (which decides the course), else no limit.
pub fn attempts_allowed(grading: Grading, is_final: bool, max_attempts: Option<i64>) -> Option<i64> {
    match max_attempts {
        Some(max) => Some(max),
        None if is_final && grading != Grading::Completion => Some(1),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|_| crate::new_id()).collect()
    }

    fn content_only<'a>(required: &'a [Uuid], completed: &'a HashSet<Uuid>) -> Work<'a> {
        Work { required_content: required, completed_content: completed, sessions_required: 0, sessions_attended: 0 }
    }

    #[test]
    fn a_failed_final_ends_a_graded_enrollment_but_never_a_completion_only_one() {
        let going = Progress { percentage: 50.0, status: EnrollmentStatus::InProgress };
        assert_eq!(graded(Grading::PassFail, going, true).status, EnrollmentStatus::NotPassed);
        assert_eq!(graded(Grading::Percentage, going, true).status, EnrollmentStatus::NotPassed);
        assert_eq!(graded(Grading::Completion, going, true), going);
        assert_eq!(graded(Grading::PassFail, going, false), going);
        let done = Progress { percentage: 100.0, status: EnrollmentStatus::Completed };
        assert_eq!(graded(Grading::PassFail, done, true), done, "a completion is not taken back");
    }

    #[test]
    fn the_pass_mark_decides_the_final_and_attempts_default_to_one_there() {
        assert_eq!(pass_score(Grading::PassFail, Some(80.0), true, 70.0), 80.0);
        assert_eq!(pass_score(Grading::PassFail, Some(80.0), false, 70.0), 70.0);
        assert_eq!(pass_score(Grading::Completion, Some(80.0), true, 70.0), 70.0);
        assert_eq!(attempts_allowed(Grading::PassFail, true, None), Some(1));
        assert_eq!(attempts_allowed(Grading::PassFail, true, Some(3)), Some(3));
        assert_eq!(attempts_allowed(Grading::Completion, true, None), None);
        assert_eq!(attempts_allowed(Grading::Percentage, false, None), None);
    }

    #[test]
    fn progress_counts_required_content_only() {
        let required = ids(3);
        let optional = crate::new_id();
        let completed = HashSet::from([required[0], optional]);
        let p = progress(content_only(&required, &completed), EnrollmentStatus::Enrolled);
        assert_eq!(p.percentage, 33.3);
        assert_eq!(p.status, EnrollmentStatus::InProgress);
    }

    #[test]
    fn completing_all_required_content_completes_the_enrollment() {
        let required = ids(2);
        let completed: HashSet<Uuid> = required.iter().copied().collect();
        let p = progress(content_only(&required, &completed), EnrollmentStatus::InProgress);
        assert_eq!(p, Progress { percentage: 100.0, status: EnrollmentStatus::Completed });
    }

    #[test]
    fn no_required_content_means_no_automatic_completion() {
        let p = progress(content_only(&[], &HashSet::new()), EnrollmentStatus::Enrolled);
        assert_eq!(p, Progress { percentage: 0.0, status: EnrollmentStatus::Enrolled });
    }

    #[test]
    fn dropped_stays_dropped() {
        let required = ids(1);
        let completed: HashSet<Uuid> = required.iter().copied().collect();
        assert_eq!(
            progress(content_only(&required, &completed), EnrollmentStatus::Dropped).status,
            EnrollmentStatus::Dropped
        );
    }

    #[test]
    fn undoing_a_completion_reopens_the_enrollment() {
        let required = ids(2);
        let completed = HashSet::from([required[0]]);
        assert_eq!(
            progress(content_only(&required, &completed), EnrollmentStatus::Completed).status,
            EnrollmentStatus::InProgress
        );
    }

    #[test]
    fn each_required_session_attended_is_a_step_beside_the_content() {
        let required = ids(2);
        let completed = HashSet::from([required[0]]);
        let work = Work {
            required_content: &required,
            completed_content: &completed,
            sessions_required: 2,
            sessions_attended: 1,
        };
        assert_eq!(
            progress(work, EnrollmentStatus::Enrolled),
            Progress { percentage: 50.0, status: EnrollmentStatus::InProgress }
        );
    }

    #[test]
    fn attending_the_required_sessions_completes_a_course_without_content() {
        let none = HashSet::new();
        let work = |attended| Work {
            required_content: &[],
            completed_content: &none,
            sessions_required: 4,
            sessions_attended: attended,
        };
        assert_eq!(
            progress(work(3), EnrollmentStatus::InProgress),
            Progress { percentage: 75.0, status: EnrollmentStatus::InProgress }
        );
        assert_eq!(
            progress(work(4), EnrollmentStatus::InProgress),
            Progress { percentage: 100.0, status: EnrollmentStatus::Completed }
        );
        assert_eq!(
            progress(work(6), EnrollmentStatus::InProgress),
            Progress { percentage: 100.0, status: EnrollmentStatus::Completed },
            "extra sessions count no further"
        );
    }

    #[test]
    fn all_content_done_but_sessions_missing_is_not_complete() {
        let required = ids(1);
        let completed: HashSet<Uuid> = required.iter().copied().collect();
        let work = Work {
            required_content: &required,
            completed_content: &completed,
            sessions_required: 3,
            sessions_attended: 2,
        };
        assert_eq!(
            progress(work, EnrollmentStatus::InProgress),
            Progress { percentage: 75.0, status: EnrollmentStatus::InProgress }
        );
    }

    #[test]
    fn an_attendance_taken_back_reopens_a_completed_enrollment() {
        let none = HashSet::new();
        let work = Work { required_content: &[], completed_content: &none, sessions_required: 2, sessions_attended: 1 };
        assert_eq!(progress(work, EnrollmentStatus::Completed).status, EnrollmentStatus::InProgress);
    }

    #[test]
    fn attending_starts_an_enrollment_where_no_session_is_required() {
        let required = ids(2);
        let none = HashSet::new();
        let work =
            Work { required_content: &required, completed_content: &none, sessions_required: 0, sessions_attended: 1 };
        assert_eq!(
            progress(work, EnrollmentStatus::Enrolled),
            Progress { percentage: 0.0, status: EnrollmentStatus::InProgress }
        );
    }
}
