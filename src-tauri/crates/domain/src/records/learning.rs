use crate::permissions::Resource;
use crate::validate::*;
use crate::{record_meta, Record, RecordMeta, Reference, Timestamp, ValidationError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentStatus {
    #[default]
    Enrolled,
    InProgress,
    Completed,
    Dropped,
    /// Ended by a failed final assessment; the person may retake the course in a later offering.
    NotPassed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    #[default]
    Registered,
    Cancelled,
    Waitlisted,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct CourseEnrollment {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub people_id: Uuid,
    pub course_id: Uuid,
    /// The offering enrolled in; `None` only in a change from a computer on a release before
    /// offerings, which the store places in the course's first offering.
    #[serde(default)]
    pub offering_id: Option<Uuid>,
    pub planning_center_registration_id: Option<String>,
    pub enrollment_date: NaiveDate,
    pub status: EnrollmentStatus,
    pub progress_percentage: f64,
    pub completion_date: Option<NaiveDate>,
    pub notes: Option<String>,
    /// Enrolled although prerequisites were missing; who did it, why and when are kept.
    pub dependency_override: bool,
    pub dependency_override_by: Option<Uuid>,
    pub dependency_override_reason: Option<String>,
    pub dependency_override_at: Option<Timestamp>,
    pub planning_center_synced: bool,
    pub registration_status: RegistrationStatus,
    pub registration_notes: Option<String>,
    pub waitlisted_at: Option<Timestamp>,
    /// The final assessment's best score, for a course graded by percentage.
    #[serde(default)]
    pub grade: Option<f64>,
}

impl Record for CourseEnrollment {
    const TABLE: &'static str = "course_enrollment";
    const RESOURCE: Resource = Resource::Enrollments;
    const PUSHED_TO_PLANNING_CENTER: bool = true;
    record_meta!();

    /// A course's first offering has the course's own id.
    fn complete(&mut self) {
        self.offering_id.get_or_insert(self.course_id);
    }

    /// Planning Center receives a person's completed courses (with their dates), not progress
    /// along the way: a check-in that moves a percentage must not cost an API call.
    fn update_reaches_planning_center(old: &Self, new: &Self) -> bool {
        let completed = |e: &Self| e.status == EnrollmentStatus::Completed;
        completed(old) != completed(new)
            || old.completion_date != new.completion_date
            || old.meta.is_active != new.meta.is_active
    }

    fn validate(&self) -> Result<(), ValidationError> {
        percentage("progress_percentage", Some(self.progress_percentage))?;
        percentage("grade", self.grade)?;
        optional_text("notes", &self.notes, 5000)?;
        if self.dependency_override {
            if self.dependency_override_by.is_none() {
                return Err(ValidationError::new("dependency_override_by", "an override must say who made it"));
            }
            match &self.dependency_override_reason {
                Some(reason) if !reason.trim().is_empty() => {}
                _ => return Err(ValidationError::new("dependency_override_reason", "an override needs a reason")),
            }
        }
        if self.status == EnrollmentStatus::Completed && self.completion_date.is_none() {
            return Err(ValidationError::new("completion_date", "is required once the enrollment is completed"));
        }
        ordered("completion_date", Some(self.enrollment_date), self.completion_date, "enrollment_date")
    }

    fn references(&self) -> Vec<Reference> {
        let mut refs = vec![
            Reference::to_active("people_id", "people", self.people_id),
            Reference::to("course_id", "course", self.course_id),
        ];
        refs.extend(Reference::optional("offering_id", "course_offering", self.offering_id));
        refs.extend(Reference::optional("dependency_override_by", "people", self.dependency_override_by));
        refs
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct ContentCompletion {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub course_enrollment_id: Uuid,
    pub content_id: Uuid,
    pub completed_at: Timestamp,
    pub time_spent_minutes: Option<i64>,
    pub score: Option<f64>,
    pub notes: Option<String>,
}

impl Record for ContentCompletion {
    const TABLE: &'static str = "content_completion";
    const RESOURCE: Resource = Resource::Enrollments;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        non_negative("time_spent_minutes", self.time_spent_minutes)?;
        percentage("score", self.score)
    }

    fn references(&self) -> Vec<Reference> {
        vec![
            Reference::to("course_enrollment_id", "course_enrollment", self.course_enrollment_id),
            Reference::to("content_id", "content", self.content_id),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct AssessmentAttempt {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub course_enrollment_id: Uuid,
    pub assessment_id: Uuid,
    pub attempt_number: i64,
    pub score: f64,
    pub is_passed: bool,
    pub submitted_at: Timestamp,
    pub graded_by: Option<Uuid>,
    pub feedback: Option<String>,
}

impl Record for AssessmentAttempt {
    const TABLE: &'static str = "assessment_attempt";
    const RESOURCE: Resource = Resource::Enrollments;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        positive("attempt_number", Some(self.attempt_number))?;
        percentage("score", Some(self.score))
    }

    fn references(&self) -> Vec<Reference> {
        let mut refs = vec![
            Reference::to("course_enrollment_id", "course_enrollment", self.course_enrollment_id),
            Reference::to("assessment_id", "assessment", self.assessment_id),
        ];
        refs.extend(Reference::optional("graded_by", "people", self.graded_by));
        refs
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceStatus {
    #[default]
    Present,
    Absent,
    Late,
    Excused,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct AttendanceRecord {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub class_session_id: Uuid,
    pub people_id: Uuid,
    pub course_enrollment_id: Option<Uuid>,
    pub status: AttendanceStatus,
    pub check_in_at: Option<Timestamp>,
    pub check_out_at: Option<Timestamp>,
    pub marked_by: Option<Uuid>,
    /// Kept for rows from release 0.1 and older devices; a code is never stored here now (it
    /// is the guardian tag's, see the store's `checkin::pickup`).
    pub security_code: Option<String>,
    pub notes: Option<String>,
    /// Who released a child (the station's volunteer, or staff).
    pub released_by: Option<Uuid>,
    pub release_method: Option<ReleaseMethod>,
    /// Why staff released a child without the tag's code.
    pub release_reason: Option<String>,
    /// Who collected them, as the volunteer saw it.
    pub collected_by: Option<String>,
    /// Came to serve (a teacher or volunteer), not to attend: counts toward the room's ratio.
    #[serde(default)]
    pub serving: bool,
    /// Served without the certification the session asks of those who serve.
    #[serde(default)]
    pub serving_uncertified: bool,
}

/// How a child was released: the guardian tag's code matched, or staff decided (with a reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseMethod {
    Code,
    Staff,
}

impl Record for AttendanceRecord {
    const TABLE: &'static str = "attendance_record";
    const RESOURCE: Resource = Resource::Attendance;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        if self.check_out_at.is_some() && self.check_in_at.is_none() {
            return Err(ValidationError::new("check_out_at", "cannot check out someone who was not checked in"));
        }
        ordered("check_out_at", self.check_in_at, self.check_out_at, "check_in_at")?;
        optional_text("notes", &self.notes, 2000)
    }

    fn references(&self) -> Vec<Reference> {
        let mut refs = vec![
            Reference::to("class_session_id", "class_session", self.class_session_id),
            Reference::to("people_id", "people", self.people_id),
        ];
        refs.extend(Reference::optional("course_enrollment_id", "course_enrollment", self.course_enrollment_id));
        refs.extend(Reference::optional("marked_by", "people", self.marked_by));
        refs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planning_center_hears_of_an_enrollment_when_it_completes_not_as_it_progresses() {
        let started =
            CourseEnrollment { status: EnrollmentStatus::InProgress, progress_percentage: 20.0, ..Default::default() };
        let further = CourseEnrollment { progress_percentage: 40.0, ..started.clone() };
        let begun =
            CourseEnrollment { status: EnrollmentStatus::Enrolled, progress_percentage: 0.0, ..started.clone() };
        assert!(!CourseEnrollment::update_reaches_planning_center(&started, &further));
        assert!(!CourseEnrollment::update_reaches_planning_center(&begun, &started));
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29);
        let done = CourseEnrollment {
            status: EnrollmentStatus::Completed,
            progress_percentage: 100.0,
            completion_date: today,
            ..started.clone()
        };
        assert!(CourseEnrollment::update_reaches_planning_center(&further, &done));
        assert!(CourseEnrollment::update_reaches_planning_center(&done, &further), "a completion taken back");
        let redated =
            CourseEnrollment { completion_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 22), ..done.clone() };
        assert!(CourseEnrollment::update_reaches_planning_center(&done, &redated));
        let mut dropped = started.clone();
        dropped.meta.is_active = false;
        assert!(CourseEnrollment::update_reaches_planning_center(&started, &dropped));
    }

    #[test]
    fn an_override_needs_who_and_why() {
        let e = CourseEnrollment { dependency_override: true, ..Default::default() };
        assert_eq!(e.validate().unwrap_err().field, "dependency_override_by");
        let e = CourseEnrollment { dependency_override_by: Some(Uuid::nil()), ..e };
        assert_eq!(e.validate().unwrap_err().field, "dependency_override_reason");
        let e = CourseEnrollment { dependency_override_reason: Some("Completed Alpha at another church".into()), ..e };
        assert!(e.validate().is_ok());
    }

    #[test]
    fn check_out_comes_after_check_in() {
        let later = Timestamp::parse("2026-11-29T16:00:00Z").unwrap();
        let earlier = Timestamp::parse("2026-11-29T15:00:00Z").unwrap();
        let r = AttendanceRecord { check_in_at: Some(later), check_out_at: Some(earlier), ..Default::default() };
        assert_eq!(r.validate().unwrap_err().field, "check_out_at");
        let r = AttendanceRecord { check_in_at: None, check_out_at: Some(earlier), ..Default::default() };
        assert_eq!(r.validate().unwrap_err().field, "check_out_at");
    }

    #[test]
    fn a_completed_enrollment_has_a_completion_date() {
        let e = CourseEnrollment { status: EnrollmentStatus::Completed, ..Default::default() };
        assert_eq!(e.validate().unwrap_err().field, "completion_date");
    }
}
