//! Typed attributes of the resources the product reads and writes. Unknown attributes are
//! ignored, so a newer API version adding fields does not break the client.

use crate::jsonapi::{Included, Resource};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonAttributes {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub nickname: Option<String>,
    pub given_name: Option<String>,
    pub middle_name: Option<String>,
    pub birthdate: Option<String>,
    pub anniversary: Option<String>,
    pub gender: Option<String>,
    pub grade: Option<i64>,
    pub child: Option<bool>,
    pub membership: Option<String>,
    pub status: Option<String>,
    pub inactivated_at: Option<String>,
    pub medical_notes: Option<String>,
    pub remote_id: Option<serde_json::Value>,
    #[serde(skip_serializing)]
    pub created_at: Option<String>,
    #[serde(skip_serializing)]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailAttributes {
    pub address: String,
    pub location: Option<String>,
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PhoneNumberAttributes {
    pub number: String,
    pub carrier: Option<String>,
    /// Required by the API on create (e.g. "Mobile", "Home").
    pub location: Option<String>,
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressAttributes {
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub location: Option<String>,
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct HouseholdAttributes {
    pub name: String,
    pub member_count: Option<i64>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct CampusAttributes {
    pub name: String,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub phone_number: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct FieldDefinitionAttributes {
    pub name: String,
    pub data_type: Option<String>,
    pub sequence: Option<i64>,
    pub tab_id: Option<serde_json::Value>,
    pub deleted_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct FieldDatumAttributes {
    pub value: Option<String>,
    pub field_definition_id: Option<serde_json::Value>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct WorkflowAttributes {
    pub name: String,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct WorkflowCardAttributes {
    pub stage: Option<String>,
    pub person_id: Option<serde_json::Value>,
    pub note: Option<String>,
    pub updated_at: Option<String>,
}

/// A Registrations signup (what the seed calls an event).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct SignupAttributes {
    pub name: String,
    pub description: Option<String>,
    pub archived: Option<bool>,
    pub open_at: Option<String>,
    pub close_at: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct SignupTimeAttributes {
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub all_day: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct AttendeeAttributes {
    pub active: bool,
    pub canceled: bool,
    pub complete: bool,
    pub waitlisted: bool,
    pub waitlisted_at: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

/// A Check-Ins event.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct CheckInEventAttributes {
    pub name: String,
    pub frequency: Option<String>,
    pub archived_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct EventTimeAttributes {
    pub starts_at: Option<String>,
    pub shows_at: Option<String>,
    pub hides_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct CheckInAttributes {
    pub security_code: Option<String>,
    pub kind: Option<String>,
    pub medical_notes: Option<String>,
    pub checked_out_at: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct ListAttributes {
    pub name: String,
    pub description: Option<String>,
    pub total_people: Option<i64>,
    pub updated_at: Option<String>,
}

/// A person's background check, as a screening provider reported it to Planning Center. Its
/// note and report link are not read: this product needs only whether it clears someone.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct BackgroundCheckAttributes {
    /// Whether this is the person's latest check.
    pub current: Option<bool>,
    pub status: Option<String>,
    pub expires_on: Option<String>,
    pub completed_at: Option<String>,
    pub updated_at: Option<String>,
}

/// Two people merged into one in Planning Center. Read-only: a merge cannot be started from
/// the API.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct PersonMergerAttributes {
    /// Ids as Planning Center sends them: a number in some versions, a string in others.
    pub person_to_keep_id: Option<serde_json::Value>,
    pub person_to_remove_id: Option<serde_json::Value>,
    pub created_at: Option<String>,
}

impl PersonMergerAttributes {
    pub fn keep_id(&self) -> Option<String> {
        id_text(self.person_to_keep_id.as_ref())
    }

    pub fn remove_id(&self) -> Option<String> {
        id_text(self.person_to_remove_id.as_ref())
    }
}

/// An id attribute as text, whether it came as a string or a number.
pub fn id_text(value: Option<&serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::String(text) if !text.is_empty() => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A person's place in a household there: the membership's id and the person's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdMembership {
    pub id: String,
    pub person_id: String,
}

/// A resource's id with its decoded attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed<A> {
    pub id: String,
    pub attributes: A,
}

/// A person with the parts the sync needs, assembled from `included`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Person {
    pub id: String,
    pub attributes: PersonAttributes,
    pub emails: Vec<Typed<EmailAttributes>>,
    pub phone_numbers: Vec<Typed<PhoneNumberAttributes>>,
    pub addresses: Vec<Typed<AddressAttributes>>,
    pub household_ids: Vec<String>,
    pub primary_campus_id: Option<String>,
}

impl Person {
    pub fn from_resource(resource: &Resource, included: &Included<'_>) -> Result<Self, serde_json::Error> {
        fn typed<A>(pairs: Vec<(String, A)>) -> Vec<Typed<A>> {
            pairs.into_iter().map(|(id, attributes)| Typed { id, attributes }).collect()
        }
        Ok(Person {
            id: resource.id.clone(),
            attributes: resource.attributes()?,
            emails: typed(included.resolve(resource, "emails")?),
            phone_numbers: typed(included.resolve(resource, "phone_numbers")?),
            addresses: typed(included.resolve(resource, "addresses")?),
            household_ids: resource.related("households").into_iter().map(|r| r.id.clone()).collect(),
            primary_campus_id: resource.related("primary_campus").first().map(|r| r.id.clone()),
        })
    }

    pub fn primary_email(&self) -> Option<&str> {
        self.emails.iter().find(|e| e.attributes.primary).or(self.emails.first()).map(|e| e.attributes.address.as_str())
    }

    pub fn primary_phone(&self) -> Option<&str> {
        self.phone_numbers
            .iter()
            .find(|p| p.attributes.primary)
            .or(self.phone_numbers.first())
            .map(|p| p.attributes.number.as_str())
    }
}
