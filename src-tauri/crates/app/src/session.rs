//! Who is acting on this computer. The person is read from the store on each call, so a role
//! given or taken takes effect at once.

use crate::{App, Reply};
use cct_domain::{Actor, ErrorCode, ErrorReport, Permission};
use cct_store::checkin::station;
use cct_store::office::{people, settings};
use uuid::Uuid;

impl App {
    /// The person using the app, if one is set up.
    pub fn current_actor(&self) -> Reply<Option<Actor>> {
        let Some(person_id) = settings::get::<Uuid>(self.store(), settings::CURRENT_PERSON)? else {
            return Ok(None);
        };
        Ok(Some(people::actor_for_person(self.store(), person_id)?))
    }

    /// The person using the app. Refused without one, and refused on a check-in station (kiosk
    /// mode), where only the station's own commands act.
    pub fn signed_in(&self) -> Reply<Actor> {
        if self.is_station()? {
            return Err(ErrorReport::new(
                ErrorCode::KioskLocked,
                "This laptop is a check-in station. An administrator leaves kiosk mode with the station's PIN to do anything else.",
            ));
        }
        self.current_actor()?.ok_or_else(|| {
            ErrorReport::new(
                ErrorCode::SignInRequired,
                "Nobody is signed in on this computer yet. Load the demo church or set up your office first.",
            )
        })
    }

    /// The signed-in person, if they hold `permission`.
    pub fn require(&self, permission: Permission) -> Reply<Actor> {
        let actor = self.signed_in()?;
        people::require(&actor, permission)?;
        Ok(actor)
    }

    /// Whether this laptop is a check-in station now.
    pub fn is_station(&self) -> Reply<bool> {
        Ok(station::current(self.store())?.is_some())
    }

    /// Whether this database holds the demo church, which never connects to anything.
    pub fn is_demo(&self) -> Reply<bool> {
        Ok(settings::get::<bool>(self.store(), settings::DEMO_MODE)?.unwrap_or(false))
    }

    /// Refuses in the demo church: it never reaches Planning Center or a team's hub.
    pub fn refuse_demo(&self) -> Reply<()> {
        if self.is_demo()? {
            return Err(ErrorReport::new(
                ErrorCode::DemoMode,
                "The demo church is never sent to Planning Center. To connect your church, start with an empty database (set CCT_DATABASE to a new file) and set up your office.",
            ));
        }
        Ok(())
    }
}
