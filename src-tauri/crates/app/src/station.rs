//! The check-in station. While kiosk mode is on, these are the only operations that act (every
//! other one refuses through [`App::signed_in`]), and they act with a check-in volunteer's
//! permissions at most, for the sessions the station was started for.

use crate::{App, Reply};
use cct_domain::records::{AttendanceRecord, ClassSession};
use cct_domain::{Actor, ErrorCode, ErrorReport};
use cct_labels::{LabelContent, LabelLayout};
use cct_store::access::{self, Who};
use cct_store::checkin::printing::{self, PrintQueueView};
use cct_store::checkin::station::{self, KioskConfig, KioskStart, KioskView};
use cct_store::checkin::{self, pickup, readiness, CheckInResult, FamilySearch, VisitorInput, VisitorOutcome};
use cct_store::checkin::{Collector, Coming, Pickup, Released, ReprintProof};
use cct_store::office::{outbox, people};
use parking_lot::Mutex;
use serde::Deserialize;
use serde::Serialize;
use std::time::{Duration, Instant};
use ts_rs::TS;
use uuid::Uuid;

/// How long a station's configuration and actor are reused before they are read again: long
/// enough that a Sunday-morning queue of check-ins does not reread them each time, short
/// enough that a role taken from the station's starter takes effect within seconds.
const STATION_CACHE: Duration = Duration::from_secs(5);

/// A station as last read, and when.
#[derive(Default)]
pub(crate) struct StationCache(Mutex<Option<(Instant, KioskConfig, Actor)>>);

#[derive(Debug, Clone, Serialize, TS)]
pub struct SessionReadiness {
    pub session: ClassSession,
    pub checked_in: i64,
}

/// The "Sunday readiness" panel: how fresh the roster is, what is waiting to sync, and each
/// session with how many are in (the window counts down to its start).
#[derive(Debug, Clone, Serialize, TS)]
pub struct Readiness {
    pub station: String,
    pub last_roster_refresh: Option<String>,
    pub pending_changes: i64,
    pub sessions: Vec<SessionReadiness>,
    /// The label printer and label size, in words; none when labels show on screen only.
    pub printer: Option<String>,
    /// The print queue's state, when the station has a printer.
    pub print_queue: Option<PrintQueueView>,
}

/// A staff member's decision at the station: they sign in there and then, and say why.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct StaffApproval {
    pub email: String,
    pub password: String,
    pub reason: String,
}

/// The day printed on labels, as the station's clock reads it ("Sunday 6 December 2026").
fn label_date() -> String {
    chrono::Local::now().format("%A %-d %B %Y").to_string()
}

/// The labels as the station's printer prints them (or the system dialog, without one): the
/// screen draws these, so what prints is what the screen shows.
pub(crate) fn lay_out(config: &KioskConfig, labels: &[LabelContent]) -> Vec<LabelLayout> {
    labels.iter().map(|label| cct_labels::layout(label, config.label_size())).collect()
}

fn refuse_on_self_check_in(config: &KioskConfig) -> Reply<()> {
    if config.self_check_in {
        Err(ErrorReport::new(
            ErrorCode::SelfCheckInOnly,
            "This is a self check-in station: type the last 4 digits of your phone, or scan your family card. A volunteer can help with anything else.",
        )
        .on("text"))
    } else {
        Ok(())
    }
}

fn require_session(config: &KioskConfig, class_session_id: Uuid) -> Reply<()> {
    if config.session_ids.contains(&class_session_id) {
        Ok(())
    } else {
        Err(ErrorReport::new(
            ErrorCode::SessionNotAtStation,
            "This station checks in only to the sessions it was started for.",
        )
        .on("class_session_id"))
    }
}

impl App {
    /// The station's configuration and actor, or an error saying kiosk mode is off.
    pub(crate) fn station(&self) -> Reply<(KioskConfig, Actor)> {
        let mut cached = self.inner.station.0.lock();
        if let Some((read_at, config, actor)) = cached.as_ref() {
            if read_at.elapsed() < STATION_CACHE {
                return Ok((config.clone(), actor.clone()));
            }
        }
        let config = station::current(self.store())?.ok_or_else(|| {
            ErrorReport::new(
                ErrorCode::NotAStation,
                "This laptop is not a check-in station; an administrator starts kiosk mode first.",
            )
        })?;
        let actor = station::station_actor(self.store(), &config)?;
        *cached = Some((Instant::now(), config.clone(), actor.clone()));
        Ok((config, actor))
    }

    /// The station is read again on its next use.
    pub(crate) fn forget_station(&self) {
        self.inner.station.0.lock().take();
    }

    /// The station's actor, for a check-in at one of its sessions.
    fn at_session(&self, class_session_id: Uuid) -> Reply<(KioskConfig, Actor)> {
        let (config, actor) = self.station()?;
        require_session(&config, class_session_id)?;
        Ok((config, actor))
    }

    /// Starts kiosk mode. The request is checked first; then the team's hub is asked for the
    /// station's letter (a letter another computer holds is refused).
    pub async fn start_kiosk(&self, request: KioskStart) -> Reply<KioskView> {
        let actor = self.blocking(|app| app.signed_in()).await?;
        station::check_request(&actor, &request)?;
        let letter_check = self.claim_station_letter(&request.station).await?;
        self.blocking(move |app| {
            app.forget_station();
            let view = station::start(app.store(), &actor, request, letter_check)?;
            // The laptop is the families' now: nobody is signed in on it until someone leaves
            // kiosk mode with the PIN and signs in as themselves.
            app.sign_out();
            Ok(view)
        })
        .await
    }

    /// Leaves kiosk mode; the window then opens on the sign-in screen.
    pub fn leave_kiosk(&self, pin: &str) -> Reply<()> {
        station::leave(self.store(), pin)?;
        self.forget_station();
        Ok(())
    }

    /// The station, if this laptop is one.
    pub fn kiosk_status(&self) -> Reply<Option<KioskView>> {
        match station::current(self.store())? {
            Some(config) => Ok(Some(station::view(self.store(), &config)?)),
            None => Ok(None),
        }
    }

    /// Search as you type. A self check-in station never searches by name: a family there sees
    /// only itself ([`App::station_find_family`]).
    pub fn station_search(&self, text: &str, class_session_id: Uuid) -> Reply<FamilySearch> {
        let (config, actor) = self.at_session(class_session_id)?;
        refuse_on_self_check_in(&config)?;
        Ok(checkin::search_families(self.store(), &actor, text, class_session_id)?)
    }

    /// Self check-in: one family, by phone digits or family card.
    pub fn station_find_family(&self, typed: &str, class_session_id: Uuid) -> Reply<FamilySearch> {
        let (_, actor) = self.at_session(class_session_id)?;
        Ok(checkin::find_own_family(self.store(), &actor, typed, class_session_id)?)
    }

    /// Checks people in, to attend or to serve. Past the room's capacity, a staff member's
    /// approval lets them in.
    pub fn station_check_in(
        &self,
        class_session_id: Uuid,
        people_ids: &[Uuid],
        coming: Coming,
        approval: Option<&StaffApproval>,
    ) -> Reply<CheckInResult> {
        let (config, station_actor) = self.at_session(class_session_id)?;
        let actor = match approval {
            Some(approval) => self.staff_at_station(approval)?,
            None => station_actor,
        };
        let (mut result, labels) = self.store().write(&actor, |tx| {
            if let Some(approval) = approval {
                tx.set_reason(Some(approval.reason.trim().to_owned()).filter(|r| !r.is_empty()));
            }
            let result = checkin::check_in_as(tx, class_session_id, people_ids, &config.station, coming)?;
            let labels = printing::contents_of(&result, &label_date());
            // Queued with the check-in, printed once it has committed: a printer never holds
            // it up, and no label is lost to one.
            if let Some(printer) = &config.printer {
                printing::enqueue(tx, &config.station, printer, &labels)?;
            }
            Ok((result, labels))
        })?;
        if config.printer.is_some() {
            self.wake_printer();
        }
        result.layouts = lay_out(&config, &labels);
        Ok(result)
    }

    /// An adult leaves; children are released with their tag's code ([`App::station_release`]).
    pub fn station_check_out(&self, class_session_id: Uuid, people_id: Uuid) -> Reply<AttendanceRecord> {
        let (_, actor) = self.at_session(class_session_id)?;
        Ok(self.store().write(&actor, |tx| checkin::check_out(tx, class_session_id, people_id))?)
    }

    /// The children a guardian tag's code releases, and who may and may not collect them.
    pub fn station_pickup(&self, code: &str) -> Reply<Pickup> {
        let (config, actor) = self.station()?;
        Ok(pickup::look_up(self.store(), &actor, &config.station, code)?)
    }

    /// Releases the chosen children of a guardian tag (all, when none are chosen).
    pub fn station_release(
        &self,
        code: &str,
        people_ids: &[Uuid],
        collected_by: Option<&Collector>,
    ) -> Reply<Released> {
        let (config, actor) = self.station()?;
        Ok(pickup::release_by_code(self.store(), &actor, &config.station, code, people_ids, collected_by)?)
    }

    /// Staff release children without the tag's code, or to someone on a not-authorized list.
    pub fn station_staff_release(
        &self,
        class_session_id: Uuid,
        people_ids: &[Uuid],
        collected_by: Option<&Collector>,
        approval: &StaffApproval,
    ) -> Reply<Released> {
        self.at_session(class_session_id)?;
        let staff = self.staff_at_station(approval)?;
        Ok(self.store().write(&staff, |tx| {
            pickup::release_by_staff(tx, class_session_id, people_ids, &approval.reason, collected_by)
        })?)
    }

    /// A child's label and guardian tag again: with the tag's code, or a staff member's sign-in.
    pub fn station_reprint(
        &self,
        class_session_id: Uuid,
        people_id: Uuid,
        code: Option<&str>,
        approval: Option<&StaffApproval>,
    ) -> Reply<CheckInResult> {
        let (config, station_actor) = self.at_session(class_session_id)?;
        let (actor, proof) = match (code, approval) {
            (Some(code), _) if !code.trim().is_empty() => (station_actor, ReprintProof::Code(code)),
            (_, Some(approval)) => (self.staff_at_station(approval)?, ReprintProof::Staff),
            _ => {
                return Err(ErrorReport::new(
                    ErrorCode::InvalidInput,
                    "Type the code on the family's guardian tag, or fetch a staff member.",
                )
                .on("code"))
            }
        };
        let mut result = pickup::reprint(self.store(), &actor, &config.station, class_session_id, people_id, proof)?;
        let labels = printing::contents_of(&result, &label_date());
        if let Some(printer) = &config.printer {
            self.store().write(&actor, |tx| printing::enqueue(tx, &config.station, printer, &labels))?;
            self.wake_printer();
        }
        result.layouts = lay_out(&config, &labels);
        Ok(result)
    }

    /// A staff member who signs in at the station for one decision. Their password is checked
    /// (and throttled) as at the sign-in screen, and they must hold `checkin.override`.
    fn staff_at_station(&self, approval: &StaffApproval) -> Reply<Actor> {
        let email = approval.email.trim();
        if email.is_empty() {
            return Err(
                ErrorReport::new(ErrorCode::InvalidInput, "A staff member signs in with their e-mail.").on("email")
            );
        }
        let people_id = access::sign_in(self.store(), &Who::Email { email: email.to_owned() }, &approval.password)?;
        let staff = people::actor_for_person(self.store(), people_id)?;
        people::require(&staff, cct_domain::Permission::CheckinOverride)?;
        Ok(staff)
    }

    pub fn station_add_visitor(&self, visitor: VisitorInput) -> Reply<VisitorOutcome> {
        let (config, actor) = self.station()?;
        // A visitor's possible duplicates name other people: a volunteer adds visitors.
        refuse_on_self_check_in(&config)?;
        Ok(self.store().write(&actor, |tx| checkin::add_visitor(tx, visitor))?)
    }

    pub fn station_readiness(&self) -> Reply<Readiness> {
        let (config, _) = self.station()?;
        let store = self.store();
        let view = station::view(store, &config)?;
        let counts = readiness::session_counts(store, &config.session_ids)?;
        let print_queue = self.print_queue_of(&config)?;
        Ok(Readiness {
            printer: config.printer.as_ref().map(|printer| printer.describe()),
            print_queue,
            station: config.station,
            last_roster_refresh: readiness::last_roster_refresh(store)?,
            pending_changes: outbox::pending_count(store)?,
            sessions: view
                .sessions
                .into_iter()
                .map(|session| SessionReadiness {
                    checked_in: counts.get(&session.meta.id).copied().unwrap_or(0),
                    session,
                })
                .collect(),
        })
    }
}
