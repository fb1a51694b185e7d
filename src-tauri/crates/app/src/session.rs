//! Who is acting on this computer: the person signed in here now, if anyone. The window opens
//! on the sign-in screen; every command acts as the signed-in person, with their roles read
//! from the store at each call (a role given or taken takes effect at once). After the idle
//! time the office sets, the session locks: the same person unlocks it with their password, or
//! someone else signs in. Signed out, nothing acts.

use crate::{App, Reply};
use cct_domain::{Actor, ErrorCode, ErrorReport, Permission};
use cct_store::access::{self, RecentPerson, Who};
use cct_store::checkin::station;
use cct_store::office::{people, settings};
use parking_lot::Mutex;
use serde::Serialize;
use std::time::{Duration, Instant};
use ts_rs::TS;
use uuid::Uuid;

/// Overrides the idle time, in seconds: for the end-to-end test of the lock, which cannot wait
/// a minute. Unset in real use.
pub const IDLE_LOCK_SECONDS_ENV: &str = "CCT_IDLE_LOCK_SECONDS";

/// The person signed in on this computer now, if anyone.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<Option<Session>>);

struct Session {
    people_id: Uuid,
    last_used: Instant,
    idle_lock: Duration,
    locked: bool,
}

/// What the window's sign-in screen shows.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SignInScreen {
    /// Who signed in on this computer lately, most recent first.
    pub recent: Vec<RecentPerson>,
    /// The demo church's administrator, who signs in without a password (demo only).
    pub demo: Option<RecentPerson>,
    /// Whose locked session this is, when the window locked.
    pub locked: Option<RecentPerson>,
    /// After an upgrade from release 0.1: the administrator it acted as here, who sets their
    /// first password on this screen.
    pub first_password_for: Option<RecentPerson>,
    /// Seconds without use before the window locks.
    pub idle_lock_seconds: u64,
}

fn signed_out() -> ErrorReport {
    ErrorReport::new(ErrorCode::SignedOut, "Nobody is signed in on this computer: sign in first.")
}

fn locked() -> ErrorReport {
    ErrorReport::new(ErrorCode::SessionLocked, "This computer locked after a while without use: sign in again.")
}

impl App {
    fn idle_lock(&self) -> Reply<Duration> {
        if let Some(seconds) = std::env::var(IDLE_LOCK_SECONDS_ENV).ok().and_then(|s| s.parse::<u64>().ok()) {
            return Ok(Duration::from_secs(seconds.max(1)));
        }
        let minutes = settings::office_rules(self.store())?.idle_lock_minutes.max(1) as u64;
        Ok(Duration::from_secs(minutes * 60))
    }

    /// The person signed in here, without counting it as use (for what the window shows).
    pub fn current_actor(&self) -> Reply<Option<Actor>> {
        let people_id = match self.inner.sessions.0.lock().as_ref() {
            Some(session) if !session.locked && session.last_used.elapsed() <= session.idle_lock => session.people_id,
            _ => return Ok(None),
        };
        Ok(people::actor_for_person(self.store(), people_id).ok())
    }

    /// The signed-in person, as every command acts. Refused on a check-in station (kiosk
    /// mode), where only the station's own commands act; when nobody is signed in; and once
    /// the session has been idle longer than the office allows, which locks it.
    pub fn signed_in(&self) -> Reply<Actor> {
        if self.is_station()? {
            return Err(ErrorReport::new(
                ErrorCode::KioskLocked,
                "This laptop is a check-in station. An administrator leaves kiosk mode with the station's PIN to do anything else.",
            ));
        }
        let people_id = {
            let mut sessions = self.inner.sessions.0.lock();
            let session = sessions.as_mut().ok_or_else(signed_out)?;
            if session.locked || session.last_used.elapsed() > session.idle_lock {
                session.locked = true;
                return Err(locked());
            }
            session.last_used = Instant::now();
            session.people_id
        };
        match people::actor_for_person(self.store(), people_id) {
            Ok(actor) => Ok(actor),
            Err(error) => {
                // Made inactive (or gone) since signing in: nobody acts any more.
                self.inner.sessions.0.lock().take();
                Err(error.into())
            }
        }
    }

    /// The signed-in person, if they hold `permission`.
    pub fn require(&self, permission: Permission) -> Reply<Actor> {
        let actor = self.signed_in()?;
        people::require(&actor, permission)?;
        Ok(actor)
    }

    /// Starts a session for someone whose identity was just proved.
    pub(crate) fn start_session(&self, people_id: Uuid) -> Reply<Actor> {
        let idle_lock = self.idle_lock()?;
        *self.inner.sessions.0.lock() =
            Some(Session { people_id, last_used: Instant::now(), idle_lock, locked: false });
        access::remember_sign_in(self.store(), people_id)?;
        self.signed_in()
    }

    /// Signs a person in with their password.
    pub fn sign_in(&self, who: &Who, password: &str) -> Reply<Actor> {
        self.refuse_on_station()?;
        let people_id = access::sign_in(self.store(), who, password)?;
        self.start_session(people_id)
    }

    /// Unlocks a locked session: its own person's password again.
    pub fn unlock(&self, password: &str) -> Reply<Actor> {
        let people_id = self.inner.sessions.0.lock().as_ref().map(|s| s.people_id).ok_or_else(signed_out)?;
        self.sign_in(&Who::Person { people_id }, password)
    }

    /// The demo church signs in as its administrator, without a password.
    pub fn sign_in_to_demo(&self) -> Reply<Actor> {
        self.refuse_on_station()?;
        if !self.is_demo()? {
            return Err(ErrorReport::new(
                ErrorCode::WrongPassword,
                "Only the demo church signs in without a password.",
            )
            .on("password"));
        }
        let admin = settings::get::<Uuid>(self.store(), settings::DEMO_ADMIN)?.ok_or_else(signed_out)?;
        self.start_session(admin)
    }

    /// Sets one's own password with an invitation code, and signs in.
    pub fn accept_invitation(&self, code: &str, password: &str, password_again: &str) -> Reply<Actor> {
        self.refuse_on_station()?;
        let people_id = access::accept_invitation(self.store(), code, password, password_again)?;
        self.start_session(people_id)
    }

    /// After an upgrade from release 0.1, its administrator sets their first password here.
    pub fn set_first_password(&self, password: &str, password_again: &str) -> Reply<Actor> {
        self.refuse_on_station()?;
        let people_id = access::set_upgraded_administrators_password(self.store(), password, password_again)?;
        self.start_session(people_id)
    }

    /// The window saw someone at work (typing, clicking) between commands: the idle time starts
    /// again. A session already locked stays locked.
    pub fn still_here(&self) {
        if let Some(session) = self.inner.sessions.0.lock().as_mut() {
            if !session.locked && session.last_used.elapsed() <= session.idle_lock {
                session.last_used = Instant::now();
            }
        }
    }

    /// Seconds without use before the window locks.
    pub fn idle_lock_seconds(&self) -> Reply<u64> {
        Ok(self.idle_lock()?.as_secs())
    }

    /// Locks the window now (the window's own idle timer, or "Lock" pressed).
    pub fn lock(&self) {
        if let Some(session) = self.inner.sessions.0.lock().as_mut() {
            session.locked = true;
        }
    }

    /// Nobody acts after this until someone signs in.
    pub fn sign_out(&self) {
        self.inner.sessions.0.lock().take();
    }

    pub fn sign_in_screen(&self) -> Reply<SignInScreen> {
        let recent = access::recent_sign_ins(self.store())?;
        let demo = match self.is_demo()? {
            true => settings::get::<Uuid>(self.store(), settings::DEMO_ADMIN)?
                .and_then(|id| people::actor_for_person(self.store(), id).ok())
                .and_then(|actor| Some(RecentPerson { people_id: actor.person_id?, name: actor.display_name })),
            false => None,
        };
        let locked = self
            .inner
            .sessions
            .0
            .lock()
            .as_ref()
            .filter(|s| s.locked || s.last_used.elapsed() > s.idle_lock)
            .map(|s| s.people_id)
            .and_then(|id| people::actor_for_person(self.store(), id).ok())
            .and_then(|actor| Some(RecentPerson { people_id: actor.person_id?, name: actor.display_name }));
        Ok(SignInScreen {
            recent,
            demo,
            locked,
            first_password_for: access::upgraded_administrator(self.store())?,
            idle_lock_seconds: self.idle_lock_seconds()?,
        })
    }

    fn refuse_on_station(&self) -> Reply<()> {
        if self.is_station()? {
            return Err(ErrorReport::new(
                ErrorCode::KioskLocked,
                "This laptop is a check-in station: leave kiosk mode with the station's PIN before signing in.",
            ));
        }
        Ok(())
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
                concat!(
                    "The demo church never leaves this computer: it is not sent to Planning Center and cannot ",
                    "be part of a team. To connect your church, start with an empty database (set CCT_DATABASE ",
                    "to a new file) and set up your office."
                ),
            ));
        }
        Ok(())
    }
}
