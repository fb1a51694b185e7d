//! Setting up a real church's office on a new computer: its first administrator, who signs in
//! with the password they choose here.

use crate::access;
use crate::db::{Query, Result, Store, StoreError};
use crate::office::people;
use crate::records;
use cct_domain::records::{PeopleRole, Person};
use cct_domain::Actor;

/// What setting up asks for.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
pub struct FirstAdministrator {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub password: String,
    /// The password typed a second time.
    pub password_again: String,
}

/// Creates the first person of an empty database as its administrator, with their password.
/// Refused once anyone exists: later people are added, and invited, by an administrator.
pub fn set_up_first_administrator(store: &Store, first: FirstAdministrator) -> Result<Person> {
    access::check_new_password(&first.password, &first.password_again)?;
    let email = first.email.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
    store.write(&Actor::system(), |tx| {
        // Counted inside the transaction: two set-ups at once cannot both find it empty.
        let existing: i64 = tx.conn().scalar("SELECT COUNT(*) FROM people", [])?;
        if existing > 0 {
            return Err(StoreError::Conflict {
                field: "people",
                message: "this office is already set up; an administrator adds people from here".into(),
            });
        }
        let admin_role = people::role_id_on(tx.conn(), cct_domain::permissions::builtin::ADMIN)?;
        let person = records::insert(
            tx,
            Person {
                first_name: first.first_name.trim().into(),
                last_name: first.last_name.trim().into(),
                email,
                ..Default::default()
            },
        )?;
        let today = tx.now().date();
        records::insert(
            tx,
            PeopleRole { people_id: person.meta.id, role_id: admin_role, assigned_date: today, ..Default::default() },
        )?;
        access::set_password(tx, person.meta.id, &first.password)?;
        Ok(person)
    })
}
