use crate::records::CertificationStatus;
use chrono::{Months, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub status: CertificationStatus,
    pub completed_date: Option<NaiveDate>,
    pub expires_date: Option<NaiveDate>,
}

/// A certification completes when every required course is completed; it was earned on the
/// latest of those completion dates and lasts `validity_months` from then (a month-end date
/// rolls back to the last day of a shorter month: 31 Jan + 1 month = 28/29 Feb). It is expired
/// the day after `expires_date`. A certification with no required courses is never earned.
pub fn evaluate(
    required_courses: &[Uuid],
    course_completions: &HashMap<Uuid, NaiveDate>,
    validity_months: Option<i64>,
    today: NaiveDate,
) -> Outcome {
    let dates: Option<Vec<NaiveDate>> = required_courses.iter().map(|c| course_completions.get(c).copied()).collect();
    let completed_date = match dates {
        Some(dates) if !dates.is_empty() => dates.into_iter().max(),
        _ => None,
    };
    let Some(completed_date) = completed_date else {
        return Outcome { status: CertificationStatus::InProgress, completed_date: None, expires_date: None };
    };
    let expires_date = validity_months
        .and_then(|m| u32::try_from(m).ok())
        .and_then(|m| completed_date.checked_add_months(Months::new(m)));
    let status = match expires_date {
        Some(expires) if today > expires => CertificationStatus::Expired,
        _ => CertificationStatus::Completed,
    };
    Outcome { status, completed_date: Some(completed_date), expires_date }
}

/// Whether completing a certification's refresher course (`refresher`, evaluated as if it were
/// the only required course) renews what its courses earned (`earned`): only for someone who
/// earned it once, and only by a completion after that.
///
/// A renewal counts from the new completion, never from the old expiry, also when it is
/// finished early. What a child-safety policy asks is how long ago a person was last trained;
/// counting from the old expiry would let early renewals stack, so that someone trained once
/// could stay certified for nearly twice the validity since that training. The cost, a few
/// weeks lost for someone who renews early, is what the office's "expiring soon" window is
/// for: it asks people to renew shortly before, not long before.
pub fn renews(earned: Outcome, refresher: Outcome) -> bool {
    match (earned.completed_date, refresher.completed_date) {
        (Some(earned), Some(renewed)) => renewed > earned,
        _ => false,
    }
}

/// How a certification looks to the office today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "standing", rename_all = "snake_case")]
pub enum Standing {
    InProgress,
    Current,
    ExpiringSoon { days_left: i64 },
    Expired,
}

/// `window_days` is the office's "expiring soon" window.
pub fn standing(
    status: CertificationStatus,
    expires_date: Option<NaiveDate>,
    today: NaiveDate,
    window_days: i64,
) -> Standing {
    match (status, expires_date) {
        (CertificationStatus::InProgress, _) => Standing::InProgress,
        (_, Some(expires)) if today > expires => Standing::Expired,
        (CertificationStatus::Expired, _) => Standing::Expired,
        (_, Some(expires)) => {
            let days_left = (expires - today).num_days();
            if days_left <= window_days {
                Standing::ExpiringSoon { days_left }
            } else {
                Standing::Current
            }
        }
        (_, None) => Standing::Current,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_refresher_renews_only_what_was_earned_and_only_later() {
        let at = |d: Option<NaiveDate>| Outcome {
            status: if d.is_some() { CertificationStatus::Completed } else { CertificationStatus::InProgress },
            completed_date: d,
            expires_date: None,
        };
        let (earned, later, earlier) = (date(2024, 3, 1), date(2026, 2, 1), date(2023, 1, 1));
        assert!(renews(at(Some(earned)), at(Some(later))));
        assert!(!renews(at(Some(earned)), at(Some(earlier))), "a refresher before the course renews nothing");
        assert!(!renews(at(None), at(Some(later))), "a refresher alone never certifies");
        assert!(!renews(at(Some(earned)), at(None)));
    }

    #[test]
    fn incomplete_until_every_required_course_is_done() {
        let (a, b) = (crate::new_id(), crate::new_id());
        let done = HashMap::from([(a, date(2026, 1, 10))]);
        let outcome = evaluate(&[a, b], &done, Some(24), date(2026, 2, 1));
        assert_eq!(outcome.status, CertificationStatus::InProgress);
        assert_eq!(outcome.expires_date, None);
    }

    #[test]
    fn completion_is_the_last_course_and_expiry_adds_validity() {
        let (a, b) = (crate::new_id(), crate::new_id());
        let done = HashMap::from([(a, date(2026, 1, 10)), (b, date(2026, 3, 5))]);
        let outcome = evaluate(&[a, b], &done, Some(24), date(2026, 4, 1));
        assert_eq!(
            outcome,
            Outcome {
                status: CertificationStatus::Completed,
                completed_date: Some(date(2026, 3, 5)),
                expires_date: Some(date(2028, 3, 5))
            }
        );
    }

    #[test]
    fn expired_the_day_after_expiry() {
        let a = crate::new_id();
        let done = HashMap::from([(a, date(2024, 1, 31))]);
        let on_the_day = evaluate(&[a], &done, Some(1), date(2024, 2, 29));
        assert_eq!(on_the_day.expires_date, Some(date(2024, 2, 29)), "month end rolls back");
        assert_eq!(on_the_day.status, CertificationStatus::Completed);
        assert_eq!(evaluate(&[a], &done, Some(1), date(2024, 3, 1)).status, CertificationStatus::Expired);
    }

    #[test]
    fn no_validity_means_no_expiry_and_no_courses_means_never_earned() {
        let a = crate::new_id();
        let done = HashMap::from([(a, date(2000, 1, 1))]);
        let forever = evaluate(&[a], &done, None, date(2090, 1, 1));
        assert_eq!((forever.status, forever.expires_date), (CertificationStatus::Completed, None));
        assert_eq!(evaluate(&[], &done, None, date(2090, 1, 1)).status, CertificationStatus::InProgress);
    }

    #[test]
    fn expiring_soon_inside_the_office_window() {
        let today = date(2026, 11, 24);
        let completed = CertificationStatus::Completed;
        assert_eq!(standing(completed, Some(date(2026, 12, 24)), today, 30), Standing::ExpiringSoon { days_left: 30 });
        assert_eq!(standing(completed, Some(date(2026, 12, 25)), today, 30), Standing::Current);
        assert_eq!(standing(completed, Some(today), today, 30), Standing::ExpiringSoon { days_left: 0 });
        assert_eq!(standing(completed, Some(date(2026, 11, 23)), today, 30), Standing::Expired);
        assert_eq!(standing(completed, None, today, 30), Standing::Current);
        assert_eq!(standing(CertificationStatus::InProgress, None, today, 30), Standing::InProgress);
    }
}

/// Whether a Planning Center background check's status clears a person to serve. Planning
/// Center's screening integrations report statuses such as `report_clear` and `manual_clear`
/// (cleared) or `report_concerns` and `pending` (not). The exact list is unconfirmed against
/// the live API, so the rule is strict: only a status that says clear, and says nothing of
/// concerns, clears. An unknown status never lets anyone serve.
pub fn background_check_clears(status: &str) -> bool {
    let status = status.trim().to_ascii_lowercase();
    let says_clear = status == "clear" || status == "cleared" || status.ends_with("_clear");
    says_clear && !status.contains("concern") && !status.contains("not")
}

#[cfg(test)]
mod background_check_tests {
    use super::background_check_clears;

    #[test]
    fn only_a_status_that_says_clear_clears() {
        for cleared in ["report_clear", "manual_clear", "Clear", " cleared "] {
            assert!(background_check_clears(cleared), "{cleared}");
        }
        for not_cleared in ["report_concerns", "manual_concerns", "pending", "", "not_clear", "unclear", "expired"] {
            assert!(!background_check_clears(not_cleared), "{not_cleared}");
        }
    }
}
