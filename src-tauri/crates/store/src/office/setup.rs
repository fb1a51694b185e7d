//! Setting up a real church's office on a new computer: its first administrator.

use crate::db::{Query, Result, Store, StoreError};
use crate::office::{people, settings};
use crate::records;
use cct_domain::records::{PeopleRole, Person};
use cct_domain::Actor;

/// Creates the first person of an empty database as its administrator and signs them in here.
/// Refused once anyone exists: later people are added by an administrator.
pub fn set_up_first_administrator(
    store: &Store,
    first_name: &str,
    last_name: &str,
    email: Option<String>,
) -> Result<Person> {
    let system = Actor::system();
    store.write(&system, |tx| {
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
                first_name: first_name.trim().into(),
                last_name: last_name.trim().into(),
                email,
                ..Default::default()
            },
        )?;
        let today = tx.now().date();
        records::insert(
            tx,
            PeopleRole { people_id: person.meta.id, role_id: admin_role, assigned_date: today, ..Default::default() },
        )?;
        settings::set(tx, settings::CURRENT_PERSON, &person.meta.id)?;
        Ok(person)
    })
}
