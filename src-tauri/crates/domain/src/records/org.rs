use crate::permissions::{Permission, Resource};
use crate::record::json_text;
use crate::validate::*;
use crate::{record_meta, Record, RecordMeta, Reference, ValidationError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Campus {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub planning_center_location_id: Option<String>,
    /// IANA name, e.g. `America/Chicago`; timestamps are stored in UTC and shown in this zone.
    pub time_zone: String,
}

impl Record for Campus {
    const TABLE: &'static str = "campus";
    const RESOURCE: Resource = Resource::Campuses;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("name", &self.name)?;
        optional_text("address", &self.address, 500)?;
        optional_phone("phone", &self.phone)?;
        optional_email("email", &self.email)?;
        required_text("time_zone", &self.time_zone)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Role {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub name: String,
    pub description: Option<String>,
    #[serde(deserialize_with = "json_text::deserialize")]
    pub permissions: Vec<String>,
}

impl Role {
    /// The permissions this role grants; names this version does not know are skipped, so a
    /// role edited by a newer version still works here.
    pub fn granted(&self) -> impl Iterator<Item = Permission> + '_ {
        self.permissions.iter().filter_map(|name| Permission::from_name(name))
    }
}

impl Record for Role {
    const TABLE: &'static str = "role";
    const RESOURCE: Resource = Resource::Roles;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("name", &self.name)?;
        if let Some(unknown) = self.permissions.iter().find(|name| Permission::from_name(name).is_none()) {
            return Err(ValidationError::new("permissions", format!("{unknown:?} is not a known permission")));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Facility {
    #[serde(flatten)]
    pub meta: RecordMeta,
    pub campus_id: Uuid,
    pub name: String,
    pub capacity: Option<i64>,
    pub notes: Option<String>,
}

impl Record for Facility {
    const TABLE: &'static str = "facility";
    const RESOURCE: Resource = Resource::Campuses;
    record_meta!();

    fn validate(&self) -> Result<(), ValidationError> {
        required_text("name", &self.name)?;
        positive("capacity", self.capacity)
    }

    fn references(&self) -> Vec<Reference> {
        vec![Reference::to_active("campus_id", "campus", self.campus_id)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_refuse_unknown_permissions() {
        let role = Role {
            name: "helper".into(),
            permissions: vec!["people.read".into(), "launch.rockets".into()],
            ..Default::default()
        };
        assert_eq!(role.validate().unwrap_err().field, "permissions");
        let ok = Role { permissions: vec!["people.read".into()], ..role };
        assert!(ok.validate().is_ok());
        assert_eq!(ok.granted().collect::<Vec<_>>(), vec![Permission::PeopleRead]);
    }

    #[test]
    fn a_room_cannot_hold_a_negative_number_of_people() {
        let room = Facility { name: "Room 101".into(), capacity: Some(-3), ..Default::default() };
        assert_eq!(room.validate().unwrap_err().field, "capacity");
    }

    #[test]
    fn a_campus_needs_a_name_and_valid_contact_details() {
        let campus = Campus { name: "North".into(), time_zone: "America/Chicago".into(), ..Default::default() };
        assert!(campus.validate().is_ok());
        assert_eq!(Campus { name: String::new(), ..campus.clone() }.validate().unwrap_err().field, "name");
        assert_eq!(Campus { email: Some("office".into()), ..campus }.validate().unwrap_err().field, "email");
    }
}
