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
            signed_in: actor.map(|a| SignedIn {
                person_id: a.person_id,
                name: a.display_name,
                permissions: a.permissions.into_iter().collect(),
            }),
            people,
            courses,
            pending_changes: outbox::pending_count(store)?,
            kiosk: self.is_station()?,
        })
    }

    /// Loads the demo church into an empty database; the store refuses once people exist.
    pub fn load_demo_church(&self) -> Reply<DemoSummary> {
        Ok(demo::load(self.store(), DEMO_PEOPLE)?)
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
