use crate::permissions::Resource;
use crate::validate::*;
use crate::{record_meta, Record, RecordMeta, Reference, ValidationError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// One running of a course: "Foundations of Faith — Autumn 2026, Tuesdays 7 pm, Room 3". People
/// enroll in an offering; its sessions, teachers and helpers, seats and waitlist are its own.
/// A course's first offering has the course's own id (see the migration that made offerings).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct CourseOffering {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub course_id: Uuid,
    /// What tells it from the course's other offerings: "Autumn 2026".
    pub name: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// When it meets, as the office says it: "Tuesdays 7 pm".
    pub schedule: Option<String>,
    pub campus_id: Option<Uuid>,
    /// Its room.
    pub facility_id: Option<Uuid>,
    /// `None` means no limit.
    pub max_capacity: Option<i64>,
    /// The registered (not waitlisted) count; kept by the store.
    #[serde(default)]
    pub current_registrations: i64,
    /// The Planning Center signup whose registrations enroll people in this offering.
    pub planning_center_event_id: Option<String>,
    pub planning_center_event_name: Option<String>,
}

impl Record for CourseOffering {
    const TABLE: &'static str = "course_offering";
    const RESOURCE: Resource = Resource::Courses;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("name", &self.name)?;
        optional_text("name", &Some(self.name.clone()), 200)?;
        optional_text("schedule", &self.schedule, 200)?;
        // A first offering made from a course of an earlier release may hold a capacity of 0
        // (everyone waitlisted); an offering the office saves must seat someone.
        if self.max_capacity.is_some_and(|capacity| capacity <= 0) {
            return Err(ValidationError::new(
                "max_capacity",
                "must be at least 1; leave it empty for an offering without a limit",
            ));
        }
        if let (Some(starts), Some(ends)) = (self.starts_on, self.ends_on) {
            if ends < starts {
                return Err(ValidationError::new("ends_on", "an offering cannot end before it starts"));
            }
        }
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        let mut refs = vec![Reference::to("course_id", "course", self.course_id)];
        refs.extend(Reference::optional("campus_id", "campus", self.campus_id));
        refs.extend(Reference::optional("facility_id", "facility", self.facility_id));
        refs
    }
}

/// Where an offering stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OfferingPhase {
    Upcoming,
    Running,
    Past,
}

impl CourseOffering {
    /// Upcoming before it starts, past after it ends; one without dates is running.
    pub fn phase(&self, today: NaiveDate) -> OfferingPhase {
        match (self.starts_on, self.ends_on) {
            (Some(starts), _) if today < starts => OfferingPhase::Upcoming,
            (_, Some(ends)) if today > ends => OfferingPhase::Past,
            _ => OfferingPhase::Running,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offering() -> CourseOffering {
        CourseOffering { course_id: Uuid::now_v7(), name: "Autumn 2026".into(), ..Default::default() }
    }

    #[test]
    fn an_offering_cannot_end_before_it_starts() {
        let backwards = CourseOffering {
            starts_on: NaiveDate::from_ymd_opt(2026, 9, 8),
            ends_on: NaiveDate::from_ymd_opt(2026, 9, 1),
            ..offering()
        };
        assert_eq!(backwards.validate().unwrap_err().field, "ends_on");
    }

    #[test]
    fn a_capacity_must_seat_someone() {
        for capacity in [0, -3] {
            let none = CourseOffering { max_capacity: Some(capacity), ..offering() };
            assert_eq!(none.validate().unwrap_err().field, "max_capacity");
        }
        assert!(CourseOffering { max_capacity: Some(1), ..offering() }.validate().is_ok());
        assert!(CourseOffering { max_capacity: None, ..offering() }.validate().is_ok());
    }

    #[test]
    fn an_offering_needs_a_name() {
        assert_eq!(CourseOffering { name: "  ".into(), ..offering() }.validate().unwrap_err().field, "name");
    }

    #[test]
    fn phase_follows_the_dates() {
        let autumn = CourseOffering {
            starts_on: NaiveDate::from_ymd_opt(2026, 9, 1),
            ends_on: NaiveDate::from_ymd_opt(2026, 12, 15),
            ..offering()
        };
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(autumn.phase(day(8, 31)), OfferingPhase::Upcoming);
        assert_eq!(autumn.phase(day(9, 1)), OfferingPhase::Running);
        assert_eq!(autumn.phase(day(12, 15)), OfferingPhase::Running);
        assert_eq!(autumn.phase(day(12, 16)), OfferingPhase::Past);
        assert_eq!(offering().phase(day(1, 1)), OfferingPhase::Running);
    }
}
