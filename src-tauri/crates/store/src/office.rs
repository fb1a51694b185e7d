//! Setting up a real church's office on a new computer: its first administrator.

use crate::{actor, records, settings, Result, Store, StoreError};
use cct_domain::records::{PeopleRole, Person};
use cct_domain::Actor;

/// Creates the first person of an empty database as its administrator and signs them in here.
/// Refused once anyone exists: later people are added by an administrator.
pub async fn set_up_first_administrator(store: &Store, first_name: &str, last_name: &str, email: Option<String>) -> Result<Person> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people").fetch_one(&mut *store.reader().await?).await?;
    if existing > 0 {
        return Err(StoreError::Conflict { field: "people", message: "this office is already set up; an administrator adds people from here".into() });
    }
    let admin_role = actor::role_id(store, cct_domain::permissions::builtin::ADMIN).await?;
    let system = Actor::system();
    let mut tx = store.begin_write(&system).await?;
    let person = records::insert(&mut tx, Person { first_name: first_name.trim().into(), last_name: last_name.trim().into(), email, ..Default::default() }).await?;
    let today = tx.now().date();
    records::insert(&mut tx, PeopleRole { people_id: person.meta.id, role_id: admin_role, assigned_date: today, ..Default::default() }).await?;
    settings::set(&mut tx, settings::CURRENT_PERSON, &person.meta.id).await?;
    tx.commit().await?;
    Ok(person)
}
