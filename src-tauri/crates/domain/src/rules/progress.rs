use crate::records::EnrollmentStatus;
use std::collections::HashSet;
use uuid::Uuid;

/// Where an enrollment stands given its completed content.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Share of the required content completed, 0–100, rounded to one decimal.
    pub percentage: f64,
    pub status: EnrollmentStatus,
}

/// Progress follows required content only; optional content never holds anyone back.
/// A course with no required content is never completed by this rule (an administrator
/// completes it by hand). A dropped enrollment stays dropped.
pub fn progress(required_content: &[Uuid], completed_content: &HashSet<Uuid>, current: EnrollmentStatus) -> Progress {
    if current == EnrollmentStatus::Dropped {
        return Progress { percentage: percentage(required_content, completed_content), status: current };
    }
    let percentage = percentage(required_content, completed_content);
    let done = required_content.iter().filter(|c| completed_content.contains(c)).count();
    let status = if !required_content.is_empty() && done == required_content.len() {
        EnrollmentStatus::Completed
    } else if done > 0 || !completed_content.is_empty() {
        EnrollmentStatus::InProgress
    } else if current == EnrollmentStatus::Completed {
        // Required content was removed from completion (e.g. a completion undone): back to work.
        EnrollmentStatus::InProgress
    } else {
        current
    };
    Progress { percentage, status }
}

fn percentage(required: &[Uuid], completed: &HashSet<Uuid>) -> f64 {
    if required.is_empty() {
        return 0.0;
    }
    let done = required.iter().filter(|c| completed.contains(c)).count() as f64;
    (done * 1000.0 / required.len() as f64).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_counts_required_content_only() {
        let required: Vec<Uuid> = (0..3).map(|_| crate::new_id()).collect();
        let optional = crate::new_id();
        let completed = HashSet::from([required[0], optional]);
        let p = progress(&required, &completed, EnrollmentStatus::Enrolled);
        assert_eq!(p.percentage, 33.3);
        assert_eq!(p.status, EnrollmentStatus::InProgress);
    }

    #[test]
    fn completing_all_required_content_completes_the_enrollment() {
        let required: Vec<Uuid> = (0..2).map(|_| crate::new_id()).collect();
        let completed: HashSet<Uuid> = required.iter().copied().collect();
        let p = progress(&required, &completed, EnrollmentStatus::InProgress);
        assert_eq!(p, Progress { percentage: 100.0, status: EnrollmentStatus::Completed });
    }

    #[test]
    fn no_required_content_means_no_automatic_completion() {
        let p = progress(&[], &HashSet::new(), EnrollmentStatus::Enrolled);
        assert_eq!(p, Progress { percentage: 0.0, status: EnrollmentStatus::Enrolled });
    }

    #[test]
    fn dropped_stays_dropped() {
        let required = vec![crate::new_id()];
        let completed: HashSet<Uuid> = required.iter().copied().collect();
        assert_eq!(progress(&required, &completed, EnrollmentStatus::Dropped).status, EnrollmentStatus::Dropped);
    }

    #[test]
    fn undoing_a_completion_reopens_the_enrollment() {
        let required = vec![crate::new_id(), crate::new_id()];
        let completed = HashSet::from([required[0]]);
        assert_eq!(progress(&required, &completed, EnrollmentStatus::Completed).status, EnrollmentStatus::InProgress);
    }
}
