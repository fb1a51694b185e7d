//! Planning Center's shapes to local ones and back.

use cct_domain::records::{Person, PersonStatus};
use cct_domain::Timestamp;
use cct_planning_center::resources::{Person as RemotePersonResource, PersonAttributes};
use cct_store::planning_center::people::RemotePerson;

/// The households a page includes, by id, with their names (what [`remote_person`] reads).
pub fn household_names(
    included: &[cct_planning_center::jsonapi::Resource],
) -> std::collections::HashMap<String, String> {
    included
        .iter()
        .filter(|r| r.kind == "Household")
        .map(|r| (r.id.clone(), r.attributes.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_owned()))
        .collect()
}

pub fn remote_person(
    person: &RemotePersonResource,
    household_names: &std::collections::HashMap<String, String>,
) -> RemotePerson {
    let a = &person.attributes;
    let address = person.addresses.iter().find(|x| x.attributes.primary).or(person.addresses.first());
    let household =
        person.household_ids.first().map(|id| (id.clone(), household_names.get(id).cloned().unwrap_or_default()));
    RemotePerson {
        planning_center_id: person.id.clone(),
        first_name: a.first_name.clone().unwrap_or_default(),
        last_name: a.last_name.clone().unwrap_or_default(),
        nickname: a.nickname.clone().filter(|n| !n.is_empty()),
        email: person.primary_email().map(str::to_owned),
        phone: person.primary_phone().map(str::to_owned),
        date_of_birth: a.birthdate.as_deref().and_then(|d| d.parse().ok()),
        gender: a.gender.clone(),
        inactive: a.status.as_deref() == Some("inactive"),
        address1: address.and_then(|x| x.attributes.street.clone()),
        city: address.and_then(|x| x.attributes.city.clone()),
        state: address.and_then(|x| x.attributes.state.clone()),
        zip: address.and_then(|x| x.attributes.zip.clone()),
        household,
        remote_id: a.remote_id.as_ref().and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))),
        updated_at: a.updated_at.as_deref().and_then(|t| Timestamp::parse(t).ok()),
    }
}

/// The attributes Planning Center accepts for a person, from a local record.
pub fn person_attributes(person: &Person, remote_id: Option<i64>) -> PersonAttributes {
    PersonAttributes {
        first_name: Some(person.first_name.clone()),
        last_name: Some(person.last_name.clone()),
        nickname: person.nickname.clone(),
        birthdate: person.date_of_birth.map(|d| d.to_string()),
        gender: person.gender.clone(),
        status: Some(match (person.meta.is_active, person.status) {
            (true, PersonStatus::Active) => "active".into(),
            _ => "inactive".into(),
        }),
        remote_id: remote_id.map(serde_json::Value::from),
        ..Default::default()
    }
}

pub fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}
