use crate::permissions::{Actor, Permission, Resource};
use crate::validate::*;
use crate::{record_meta, Record, RecordMeta, Reference, Timestamp, ValidationError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Household {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub planning_center_id: Option<String>,
    pub name: String,
}

impl Record for Household {
    const TABLE: &'static str = "household";
    const RESOURCE: Resource = Resource::People;
    const PUSHED_TO_PLANNING_CENTER: bool = true;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("name", &self.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PersonStatus {
    #[default]
    Active,
    Inactive,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Person {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub planning_center_id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub nickname: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub household_id: Option<Uuid>,
    pub household_name: Option<String>,
    pub status: PersonStatus,
    pub join_date: Option<NaiveDate>,
    pub last_synced_at: Option<Timestamp>,
}

impl Person {
    pub fn display_name(&self) -> String {
        display_name(&self.first_name, self.nickname.as_deref(), &self.last_name)
    }
}

impl Record for Person {
    const TABLE: &'static str = "people";
    const RESOURCE: Resource = Resource::People;
    const PUSHED_TO_PLANNING_CENTER: bool = true;
    record_meta!();

    fn left_group_in_planning_center(old: &Self, new: &Self) -> Option<(&'static str, Uuid)> {
        old.household_id.filter(|&left| new.household_id != Some(left)).map(|left| (Household::TABLE, left))
    }

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("first_name", &self.first_name)?;
        required_text("last_name", &self.last_name)?;
        optional_text("nickname", &self.nickname, 100)?;
        optional_email("email", &self.email)?;
        optional_phone("phone", &self.phone)?;
        for (field, value) in [
            ("gender", &self.gender),
            ("address1", &self.address1),
            ("address2", &self.address2),
            ("city", &self.city),
            ("state", &self.state),
            ("zip", &self.zip),
            ("household_name", &self.household_name),
        ] {
            optional_text(field, value, 200)?;
        }
        if let Some(born) = self.date_of_birth {
            if born > chrono::Utc::now().date_naive() {
                return Err(ValidationError::new("date_of_birth", "must not be in the future"));
            }
        }
        ordered("join_date", self.date_of_birth, self.join_date, "date_of_birth")
    }

    fn references(&self) -> Vec<Reference> {
        Reference::optional("household_id", "household", self.household_id).into_iter().collect()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct PeopleCampus {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub people_id: Uuid,
    pub campus_id: Uuid,
    pub assigned_date: NaiveDate,
    pub is_primary: bool,
}

impl Record for PeopleCampus {
    const TABLE: &'static str = "people_campus";
    const RESOURCE: Resource = Resource::People;
    const PUSHED_TO_PLANNING_CENTER: bool = true;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        vec![
            Reference::to_active("people_id", "people", self.people_id),
            Reference::to_active("campus_id", "campus", self.campus_id),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct PeopleRole {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub people_id: Uuid,
    pub role_id: Uuid,
    pub assigned_date: NaiveDate,
    pub assigned_by: Option<Uuid>,
}

impl Record for PeopleRole {
    const TABLE: &'static str = "people_role";
    const RESOURCE: Resource = Resource::Roles;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        vec![
            Reference::to_active("people_id", "people", self.people_id),
            Reference::to_active("role_id", "role", self.role_id),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RequirementType {
    Allergy,
    Medical,
    Accessibility,
    Dietary,
    #[default]
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    #[default]
    Low,
    Medium,
    High,
    Critical,
}

/// Who may read a special requirement: `Checkin` is shown to check-in volunteers, `Staff`
/// only to those allowed confidential requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    #[default]
    Checkin,
    Staff,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct SpecialRequirement {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub people_id: Uuid,
    pub requirement_type: RequirementType,
    pub details: String,
    pub severity: Severity,
    pub visibility: Visibility,
    pub requires_action: bool,
}

impl Record for SpecialRequirement {
    const TABLE: &'static str = "special_requirement";
    const RESOURCE: Resource = Resource::SpecialRequirements;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("details", &self.details)
    }

    fn references(&self) -> Vec<Reference> {
        vec![Reference::to("people_id", "people", self.people_id)]
    }

    fn read_scope(actor: &Actor) -> Option<&'static str> {
        if actor.can(Permission::SpecialRequirementsReadConfidential) {
            None
        } else {
            Some("visibility = 'checkin'")
        }
    }
}

/// Someone the office named as allowed, or not allowed, to collect a child at check-out. The
/// adults of a child's household may collect them without being listed; a "must not" entry
/// (a custody order) bars even them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct PickupContact {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub child_id: Uuid,
    /// Someone in the church's records, or none for a name only.
    pub people_id: Option<Uuid>,
    pub name: String,
    pub relationship: Option<String>,
    pub may_collect: bool,
    /// Shown only to roles allowed confidential information (the terms of a custody order).
    pub note: Option<String>,
}

impl Record for PickupContact {
    const TABLE: &'static str = "pickup_contact";
    const RESOURCE: Resource = Resource::SpecialRequirements;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("name", &self.name)?;
        optional_text("relationship", &self.relationship, 100)?;
        optional_text("note", &self.note, 2000)?;
        if self.people_id == Some(self.child_id) {
            return Err(ValidationError::new("people_id", "a child does not collect themselves"));
        }
        Ok(())
    }

    fn references(&self) -> Vec<Reference> {
        let mut references = vec![Reference::to_active("child_id", "people", self.child_id)];
        references.extend(self.people_id.map(|id| Reference::to_active("people_id", "people", id)));
        references
    }

    /// The "must not collect" entries, and their notes, are confidential: others read only
    /// who may collect a child (the station still shows a volunteer every barred name at
    /// pickup, without its note).
    fn read_scope(actor: &Actor) -> Option<&'static str> {
        if actor.can(Permission::SpecialRequirementsReadConfidential) {
            None
        } else {
            Some("may_collect = 1")
        }
    }
}

/// How a person is called: their nickname if they have one, else their first name, then their
/// last name.
pub fn display_name(first_name: &str, nickname: Option<&str>, last_name: &str) -> String {
    let first = nickname.filter(|n| !n.trim().is_empty()).unwrap_or(first_name);
    format!("{first} {last_name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ruth() -> Person {
        Person { first_name: "Ruth".into(), last_name: "Moabite".into(), ..Default::default() }
    }

    #[test]
    fn only_a_move_out_of_a_household_is_a_departure() {
        let (first, second) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let at_home = Person { household_id: Some(first), ..ruth() };
        let departure = |old: &Person, new: &Person| Person::left_group_in_planning_center(old, new);
        assert_eq!(departure(&at_home, &Person { household_id: Some(second), ..ruth() }), Some(("household", first)));
        assert_eq!(departure(&at_home, &ruth()), Some(("household", first)), "moved out to no household");
        assert_eq!(departure(&ruth(), &at_home), None, "joining is not leaving");
        assert_eq!(departure(&at_home, &Person { nickname: Some("Ru".into()), ..at_home.clone() }), None);
    }

    #[test]
    fn a_person_needs_both_names() {
        assert!(ruth().validate().is_ok());
        let nameless = Person { first_name: " ".into(), ..ruth() };
        assert_eq!(nameless.validate().unwrap_err().field, "first_name");
        let no_surname = Person { last_name: String::new(), ..ruth() };
        assert_eq!(no_surname.validate().unwrap_err().field, "last_name");
    }

    #[test]
    fn a_malformed_email_names_the_email_field() {
        let p = Person { email: Some("ruth.example.org".into()), ..ruth() };
        assert_eq!(p.validate().unwrap_err().field, "email");
    }

    #[test]
    fn joining_before_birth_is_refused() {
        let p = Person {
            date_of_birth: NaiveDate::from_ymd_opt(1990, 1, 1),
            join_date: NaiveDate::from_ymd_opt(1980, 1, 1),
            ..ruth()
        };
        assert_eq!(p.validate().unwrap_err().field, "join_date");
    }

    #[test]
    fn display_name_prefers_the_nickname() {
        assert_eq!(ruth().display_name(), "Ruth Moabite");
        assert_eq!(Person { nickname: Some("Ru".into()), ..ruth() }.display_name(), "Ru Moabite");
    }

    #[test]
    fn confidential_requirements_are_scoped_for_volunteers() {
        let volunteer = Actor::person(Uuid::nil(), "v", [Permission::SpecialRequirementsRead]);
        assert_eq!(SpecialRequirement::read_scope(&volunteer), Some("visibility = 'checkin'"));
        assert_eq!(SpecialRequirement::read_scope(&Actor::system()), None);
    }

    #[test]
    fn a_record_serialises_to_its_row() {
        let json = serde_json::to_value(ruth()).unwrap();
        assert_eq!(json["first_name"], "Ruth");
        assert_eq!(json["status"], "active");
        assert!(json["id"].is_string());
        assert_eq!(json["is_active"], true);
    }
}
