use crate::permissions::Resource;
use crate::validate::*;
use crate::{record_meta, Record, RecordMeta, Reference, ValidationError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// Who keeps a certification: the office (earned by completing its courses), or Planning
/// Center (a background check, read at every sync and never edited here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CertificationSource {
    #[default]
    Office,
    PlanningCenter,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Certification {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub name: String,
    pub description: Option<String>,
    /// `None`: the certification never expires.
    pub validity_months: Option<i64>,
    #[serde(default)]
    pub source: CertificationSource,
    /// A shorter course whose completion renews the certification for someone who has held it.
    #[serde(default)]
    pub refresher_course_id: Option<Uuid>,
}

impl Record for Certification {
    const TABLE: &'static str = "certification";
    const RESOURCE: Resource = Resource::Certifications;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("name", &self.name)?;
        positive("validity_months", self.validity_months)?;
        if self.validity_months.is_some_and(|m| m > 1200) {
            return Err(ValidationError::new("validity_months", "must be at most 1200 (100 years)"));
        }
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        Reference::optional("refresher_course_id", "course", self.refresher_course_id).into_iter().collect()
    }
}

/// A course a certification requires.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct CertificationCourse {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub certification_id: Uuid,
    pub course_id: Uuid,
}

impl Record for CertificationCourse {
    const TABLE: &'static str = "certification_course";
    const RESOURCE: Resource = Resource::Certifications;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        vec![
            Reference::to("certification_id", "certification", self.certification_id),
            Reference::to("course_id", "course", self.course_id),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CertificationStatus {
    #[default]
    InProgress,
    Completed,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct CertificationProgress {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub people_id: Uuid,
    pub certification_id: Uuid,
    pub started_date: NaiveDate,
    pub completed_date: Option<NaiveDate>,
    pub status: CertificationStatus,
    pub expires_date: Option<NaiveDate>,
    pub certificate_number: Option<String>,
    /// The Planning Center background check this standing was read from, if it was.
    #[serde(default)]
    pub planning_center_id: Option<String>,
    /// That check's status in Planning Center, to show why someone is or is not cleared.
    #[serde(default)]
    pub planning_center_status: Option<String>,
}

impl Record for CertificationProgress {
    const TABLE: &'static str = "certification_progress";
    const RESOURCE: Resource = Resource::Certifications;
    const PUSHED_TO_PLANNING_CENTER: bool = true;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        if self.status != CertificationStatus::InProgress && self.completed_date.is_none() {
            return Err(ValidationError::new("completed_date", "is required once the certification is completed"));
        }
        ordered("expires_date", self.completed_date, self.expires_date, "completed_date")
    }

    fn references(&self) -> Vec<Reference> {
        vec![
            Reference::to("people_id", "people", self.people_id),
            Reference::to("certification_id", "certification", self.certification_id),
        ]
    }
}

/// One time a person earned a certification: by completing its courses, or again by a retake
/// or its refresher course. The person's standing (`certification_progress`) is the latest.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct CertificationRecord {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub people_id: Uuid,
    pub certification_id: Uuid,
    pub earned_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub certificate_number: Option<String>,
    /// The completed enrollments it rests on, as a JSON array of ids.
    pub course_enrollment_ids: String,
    /// Earned again by someone who held it before.
    pub renewal: bool,
}

impl Record for CertificationRecord {
    const TABLE: &'static str = "certification_record";
    const RESOURCE: Resource = Resource::Certifications;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        ordered("expires_on", Some(self.earned_on), self.expires_on, "earned_on")?;
        match serde_json::from_str::<Vec<Uuid>>(&self.course_enrollment_ids) {
            Ok(_) => Ok(()),
            Err(_) => Err(ValidationError::new("course_enrollment_ids", "must be a list of enrollment ids")),
        }
    }

    fn references(&self) -> Vec<Reference> {
        vec![
            Reference::to("people_id", "people", self.people_id),
            Reference::to("certification_id", "certification", self.certification_id),
        ]
    }
}
