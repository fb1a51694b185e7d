//! Moving a person between households. A person's `household_name` is a copy of their
//! household's name (search and lists show it without a join), so it changes only here.

use crate::db::{Result, WriteTx};
use crate::records;
use cct_domain::records::{Household, Person};
use cct_domain::{Permission, ValidationError};
use serde::Deserialize;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum HouseholdMove {
    Existing {
        household_id: Uuid,
    },
    New {
        name: String,
    },
    /// Out of any household.
    None,
}

pub fn move_person(tx: &mut WriteTx<'_>, people_id: Uuid, to: HouseholdMove) -> Result<Person> {
    tx.require(Permission::PeopleWrite)?;
    let mut person: Person = records::get_in(tx, people_id)?;
    let household = match to {
        HouseholdMove::Existing { household_id } => Some(
            records::get_in::<Household>(tx, household_id)
                .map_err(|_| ValidationError::new("household_id", "choose a household"))?,
        ),
        HouseholdMove::New { name } => {
            let name = name.trim();
            if name.is_empty() {
                return Err(ValidationError::new("name", "name the new household").into());
            }
            Some(records::insert(tx, Household { name: name.to_owned(), ..Default::default() })?)
        }
        HouseholdMove::None => None,
    };
    person.household_id = household.as_ref().map(|h| h.meta.id);
    person.household_name = household.map(|h| h.name);
    records::update(tx, person)
}
