//! What the window shows first: which church this is, its size, who is signed in.

use crate::{App, Reply};
use cct_domain::records::{Course, Person};
use cct_domain::{Actor, Permission};
use cct_store::demo::{self, DemoSummary};
use cct_store::office::{outbox, search};
use cct_store::{records, ListQuery};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

/// People a fresh demo church holds: "a few hundred", enough to feel real and load in seconds.
const DEMO_PEOPLE: usize = 300;

#[derive(Debug, Clone, Serialize, TS)]
pub struct SignedIn {
    pub person_id: Option<Uuid>,
    pub name: String,
    pub permissions: Vec<Permission>,
}

impl From<Actor> for SignedIn {
    fn from(actor: Actor) -> Self {
        Self {
            person_id: actor.person_id,
            name: actor.display_name,
            permissions: actor.permissions.into_iter().collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AppStatus {
    pub version: &'static str,
    pub database_path: String,
    pub demo_mode: bool,
    pub signed_in: Option<SignedIn>,
    pub people: i64,
    pub courses: i64,
    pub pending_changes: i64,
    /// This laptop is a check-in station: the window shows only check-in.
    pub kiosk: bool,
    /// Seconds without use before the window locks.
    pub idle_lock_seconds: u64,
}

impl App {
    pub fn status(&self) -> Reply<AppStatus> {
        let store = self.store();
        let actor = self.current_actor()?;
        // Counts are what the first-run screen needs to decide between "load the demo" and the
        // dashboard; they reveal nothing about anyone, so they need no permission.
        let everyone = Actor::system();
        let people = records::list::<Person>(store, &everyone, &ListQuery::default().page(1, 0))?.total;
        let courses = records::list::<Course>(store, &everyone, &ListQuery::default().page(1, 0))?.total;
        Ok(AppStatus {
            version: env!("CARGO_PKG_VERSION"),
            database_path: store.path().display().to_string(),
            demo_mode: self.is_demo()?,
            signed_in: actor.map(SignedIn::from),
            people,
            courses,
            pending_changes: outbox::pending_count(store)?,
            kiosk: self.is_station()?,
            idle_lock_seconds: self.idle_lock_seconds()?,
        })
    }

    /// Loads the demo church into an empty database (the store refuses once people exist) and
    /// signs in as its administrator.
    pub fn load_demo_church(&self) -> Reply<DemoSummary> {
        let summary = demo::load(self.store(), DEMO_PEOPLE)?;
        self.start_session(summary.admin_person_id)?;
        Ok(summary)
    }

    /// Sets up a new office: its first administrator, with their password, signed in.
    pub fn set_up_office(&self, first: cct_store::office::setup::FirstAdministrator) -> Reply<Actor> {
        let person = cct_store::office::setup::set_up_first_administrator(self.store(), first)?;
        self.start_session(person.meta.id)
    }

    /// The office's search as you type: the best 25 matches.
    pub fn search_people(&self, text: &str) -> Reply<Vec<Person>> {
        let actor = self.signed_in()?;
        Ok(search::search_people(self.store(), &actor, text, 25)?)
    }

    /// Every active course, by name.
    pub fn list_courses(&self) -> Reply<Vec<Course>> {
        let actor = self.signed_in()?;
        Ok(records::list::<Course>(self.store(), &actor, &ListQuery::default().order_by("name"))?.items)
    }
}
