//! Visitors added at the station. People with the same name, phone or e-mail are offered first,
//! so a returning family is not entered twice.

use crate::db::{Query, Result, WriteTx};
use crate::records;
use cct_domain::records::{Household, Person};
use cct_domain::Permission;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, TS)]
pub struct VisitorInput {
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    /// Add to this household (a family already here) instead of a new one.
    pub household_id: Option<Uuid>,
    /// The volunteer saw the possible duplicates and says this is someone new.
    #[serde(default)]
    pub confirmed_new: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum VisitorOutcome {
    Added {
        person: Box<Person>,
    },
    /// People already here who may be the visitor; nothing was added.
    PossibleDuplicates {
        candidates: Vec<Person>,
    },
}

/// Adds a visitor at the station, unless people already here may be them.
pub fn add_visitor(tx: &mut WriteTx<'_>, input: VisitorInput) -> Result<VisitorOutcome> {
    tx.require(Permission::AttendanceWrite)?;
    if !input.confirmed_new {
        let digits: String = input.phone.as_deref().unwrap_or("").chars().filter(char::is_ascii_digit).collect();
        let candidates: Vec<Person> = tx.conn().records(
            "people",
            "SELECT * FROM people WHERE is_active = 1 AND (
                (lower(first_name) = lower(?1) AND lower(last_name) = lower(?2))
                OR (length(?3) >= 7 AND replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '+', '') LIKE '%' || ?3)
                OR (?4 IS NOT NULL AND lower(email) = lower(?4)))
             LIMIT 10",
            rusqlite::params![input.first_name.trim(), input.last_name.trim(), digits, input.email],
        )?;
        if !candidates.is_empty() {
            return Ok(VisitorOutcome::PossibleDuplicates { candidates });
        }
    }
    let household = match input.household_id {
        Some(id) => records::get_in::<Household>(tx, id)?,
        None => records::insert_derived(
            tx,
            Household { name: format!("{} Household", input.last_name.trim()), ..Default::default() },
        )?,
    };
    // A volunteer may add a visitor without the right to edit people: the station's job is
    // attendance, and the office reviews visitors in the audit log.
    let person = records::insert_derived(
        tx,
        Person {
            first_name: input.first_name.trim().to_owned(),
            last_name: input.last_name.trim().to_owned(),
            phone: input.phone.filter(|p| !p.trim().is_empty()),
            email: input.email.filter(|e| !e.trim().is_empty()),
            date_of_birth: input.date_of_birth,
            household_id: Some(household.meta.id),
            household_name: Some(household.name),
            ..Default::default()
        },
    )?;
    Ok(VisitorOutcome::Added { person: Box::new(person) })
}
