use crate::permissions::Resource;
use crate::validate::*;
use crate::{record_meta, Record, RecordMeta, Reference, Timestamp, ValidationError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// How a course is graded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Grading {
    /// Doing every step completes it; assessments passed are steps, and nothing fails it.
    #[default]
    Completion,
    /// The final assessment must reach the pass mark; failing it ends the enrollment.
    PassFail,
    /// As pass/fail, and the enrollment keeps the final assessment's score as its grade.
    Percentage,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Course {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub name: String,
    pub description: Option<String>,
    pub duration_weeks: Option<i64>,
    pub campus_id: Option<Uuid>,
    pub planning_center_event_id: Option<String>,
    pub planning_center_event_name: Option<String>,
    pub event_start_date: Option<NaiveDate>,
    pub event_end_date: Option<NaiveDate>,
    /// `None` means no limit.
    pub max_capacity: Option<i64>,
    /// The registered (not waitlisted) count; kept by the store.
    #[serde(default)]
    pub current_registrations: i64,
    /// Absences after which an enrollment is flagged; `None` uses the office default.
    pub absence_warning_threshold: Option<i64>,
    /// Sessions a person must attend (present or late) to complete the course, each a step
    /// of progress beside the required content; `None` when attendance is not required.
    #[serde(default)]
    pub sessions_required: Option<i64>,
    #[serde(default)]
    pub grading: Grading,
    /// The score (0–100) the final assessment must reach, for a course graded pass/fail or by
    /// percentage.
    #[serde(default)]
    pub pass_mark: Option<f64>,
}

impl Record for Course {
    const TABLE: &'static str = "course";
    const RESOURCE: Resource = Resource::Courses;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("name", &self.name)?;
        optional_text("description", &self.description, 5000)?;
        non_negative("duration_weeks", self.duration_weeks)?;
        non_negative("max_capacity", self.max_capacity)?;
        non_negative("absence_warning_threshold", self.absence_warning_threshold)?;
        non_negative("sessions_required", self.sessions_required)?;
        percentage("pass_mark", self.pass_mark)?;
        if self.grading != Grading::Completion && self.pass_mark.is_none() {
            return Err(ValidationError::new(
                "pass_mark",
                "a course graded pass/fail or by percentage needs a pass mark",
            ));
        }
        ordered("event_end_date", self.event_start_date, self.event_end_date, "event_start_date")
    }

    fn references(&self) -> Vec<Reference> {
        Reference::optional("campus_id", "campus", self.campus_id).into_iter().collect()
    }
}

/// `course_id` requires `prerequisite_course_id` to be completed first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct CoursePrerequisite {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub course_id: Uuid,
    pub prerequisite_course_id: Uuid,
}

impl Record for CoursePrerequisite {
    const TABLE: &'static str = "course_prerequisite";
    const RESOURCE: Resource = Resource::Courses;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        if self.course_id == self.prerequisite_course_id {
            return Err(ValidationError::new("prerequisite_course_id", "a course cannot be its own prerequisite"));
        }
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        vec![
            Reference::to("course_id", "course", self.course_id),
            Reference::to("prerequisite_course_id", "course", self.prerequisite_course_id),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct ContentType {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub name: String,
    pub description: Option<String>,
    pub icon_class: Option<String>,
}

impl Record for ContentType {
    const TABLE: &'static str = "content_type";
    const RESOURCE: Resource = Resource::Courses;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("name", &self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct CourseModule {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub course_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub order_sequence: i64,
}

impl Record for CourseModule {
    const TABLE: &'static str = "course_module";
    const RESOURCE: Resource = Resource::Courses;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("title", &self.title)?;
        non_negative("order_sequence", Some(self.order_sequence))
    }

    fn references(&self) -> Vec<Reference> {
        vec![Reference::to("course_id", "course", self.course_id)]
    }
}

/// A lesson: one piece of a course's content, ordered within its module.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Content {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub course_id: Uuid,
    pub module_id: Option<Uuid>,
    pub title: String,
    pub content_type_id: Uuid,
    pub order_sequence: i64,
    pub file_path_or_url: Option<String>,
    pub duration_minutes: Option<i64>,
    pub is_required: bool,
}

impl Record for Content {
    const TABLE: &'static str = "content";
    const RESOURCE: Resource = Resource::Courses;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("title", &self.title)?;
        non_negative("order_sequence", Some(self.order_sequence))?;
        non_negative("duration_minutes", self.duration_minutes)?;
        optional_text("file_path_or_url", &self.file_path_or_url, 2000)
    }

    fn references(&self) -> Vec<Reference> {
        let mut refs = vec![
            Reference::to("course_id", "course", self.course_id),
            Reference::to_active("content_type_id", "content_type", self.content_type_id),
        ];
        refs.extend(Reference::optional("module_id", "course_module", self.module_id));
        refs
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CourseRoleType {
    Teacher,
    #[default]
    Student,
    Assistant,
    Observer,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct CourseRole {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub people_id: Uuid,
    pub course_id: Uuid,
    /// The offering taught or helped in; `None` as for an enrollment.
    #[serde(default)]
    pub offering_id: Option<Uuid>,
    pub role_type: CourseRoleType,
    pub assigned_date: NaiveDate,
    pub assigned_by: Option<Uuid>,
}

impl Record for CourseRole {
    const TABLE: &'static str = "course_role";
    const RESOURCE: Resource = Resource::Enrollments;
    record_meta!();

    /// A course's first offering has the course's own id.
    fn complete(&mut self) {
        self.offering_id.get_or_insert(self.course_id);
    }

    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        vec![
            Reference::to_active("people_id", "people", self.people_id),
            Reference::to_active("course_id", "course", self.course_id),
        ]
        .into_iter()
        .chain(Reference::optional("offering_id", "course_offering", self.offering_id))
        .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Assessment {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub course_id: Uuid,
    pub module_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    pub passing_score: f64,
    pub max_attempts: Option<i64>,
    pub is_required: bool,
    /// The course's final assessment: in a course graded pass/fail or by percentage, failing
    /// it with no attempts left ends the enrollment as not passed.
    #[serde(default)]
    pub is_final: bool,
}

impl Record for Assessment {
    const TABLE: &'static str = "assessment";
    const RESOURCE: Resource = Resource::Courses;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("title", &self.title)?;
        percentage("passing_score", Some(self.passing_score))?;
        positive("max_attempts", self.max_attempts)
    }

    fn references(&self) -> Vec<Reference> {
        let mut refs = vec![Reference::to("course_id", "course", self.course_id)];
        refs.extend(Reference::optional("module_id", "course_module", self.module_id));
        refs
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    #[default]
    Scheduled,
    InProgress,
    Completed,
    Cancelled,
}

/// One scheduled meeting of a course, in a room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ClassSession {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub course_id: Uuid,
    /// The offering the session meets for; `None` as for an enrollment.
    #[serde(default)]
    pub offering_id: Option<Uuid>,
    pub facility_id: Option<Uuid>,
    pub title: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub capacity: Option<i64>,
    pub status: SessionStatus,
    /// At most this many children for each adult serving; more warns at the station.
    #[serde(default)]
    pub children_per_adult: Option<i64>,
    /// The certification those who serve in the session must hold, valid on the day.
    #[serde(default)]
    pub serving_certification_id: Option<Uuid>,
}

impl Record for ClassSession {
    const TABLE: &'static str = "class_session";
    const RESOURCE: Resource = Resource::Courses;
    record_meta!();

    /// A course's first offering has the course's own id.
    fn complete(&mut self) {
        self.offering_id.get_or_insert(self.course_id);
    }

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("title", &self.title)?;
        positive("capacity", self.capacity)?;
        positive("children_per_adult", self.children_per_adult)?;
        if self.ends_at <= self.starts_at {
            return Err(ValidationError::new("ends_at", "must be after starts_at"));
        }
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        let mut refs = vec![Reference::to_active("course_id", "course", self.course_id)];
        refs.extend(Reference::optional("offering_id", "course_offering", self.offering_id));
        refs.extend(Reference::optional("facility_id", "facility", self.facility_id));
        refs.extend(
            self.serving_certification_id
                .map(|id| Reference::to_active("serving_certification_id", "certification", id)),
        );
        refs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_capacity_is_refused() {
        let course = Course { name: "Alpha".into(), max_capacity: Some(-1), ..Default::default() };
        assert_eq!(course.validate().unwrap_err().field, "max_capacity");
    }

    #[test]
    fn a_course_cannot_end_before_it_starts() {
        let course = Course {
            name: "Alpha".into(),
            event_start_date: NaiveDate::from_ymd_opt(2026, 9, 1),
            event_end_date: NaiveDate::from_ymd_opt(2026, 8, 1),
            ..Default::default()
        };
        assert_eq!(course.validate().unwrap_err().field, "event_end_date");
    }

    #[test]
    fn a_session_must_end_after_it_starts() {
        let start = Timestamp::parse("2026-11-29T15:00:00Z").unwrap();
        let session = ClassSession {
            meta: RecordMeta::default(),
            course_id: Uuid::nil(),
            offering_id: None,
            facility_id: None,
            title: "Week 1".into(),
            starts_at: start,
            ends_at: start,
            capacity: None,
            status: SessionStatus::Scheduled,
            children_per_adult: None,
            serving_certification_id: None,
        };
        assert_eq!(session.validate().unwrap_err().field, "ends_at");
    }

    #[test]
    fn a_course_is_not_its_own_prerequisite() {
        let id = crate::new_id();
        let p = CoursePrerequisite { course_id: id, prerequisite_course_id: id, ..Default::default() };
        assert_eq!(p.validate().unwrap_err().field, "prerequisite_course_id");
    }

    #[test]
    fn passing_scores_are_percentages() {
        let a = Assessment { title: "Quiz".into(), passing_score: 120.0, ..Default::default() };
        assert_eq!(a.validate().unwrap_err().field, "passing_score");
    }
}
