//! The station itself (kiosk mode): a laptop locked to check-in for one campus and some
//! sessions. While it is on, the app acts with no more than a check-in volunteer's
//! permissions, whoever started it, and leaving needs the PIN the administrator set.

use crate::access::{self, AccessError};
use crate::checkin;
use crate::db::{AuditAction, JsonRow, Result, Store, StoreError, WriteTx};
use crate::office::{people as actor, settings};
use crate::records;
use cct_domain::permissions::builtin;
use cct_domain::records::{Campus, ClassSession};
use cct_domain::{Actor, Permission, Timestamp, ValidationError};
use cct_labels::{LabelSize, PrintError, PrinterChoice};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use ts_rs::TS;
use uuid::Uuid;

pub const SETTING: &str = "kiosk";
/// This computer's label printer, kept after the station is left (a printer is a computer's, not
/// the church's: it is never shared through the team).
const REMEMBERED_PRINTER: &str = "station_printer";
/// What wrong PINs are counted against (see `access::count_guess`): five, then a wait that
/// doubles with each further miss, kept across restarts.
const PIN_GUESSES: &str = "station";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KioskConfig {
    pub campus_id: Uuid,
    pub session_ids: Vec<Uuid>,
    pub station: String,
    pub started_by: Uuid,
    pub started_at: Timestamp,
    /// The PIN's Argon2id hash (a PHC string). A station started by release 0.1 keeps that
    /// release's salted SHA-256 (`pin_salt` set) until it is left.
    pin_hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pin_salt: Option<String>,
    #[serde(default)]
    pub letter_check: StationLetterCheck,
    /// The computer that holds the letter, when that is not this laptop.
    #[serde(default)]
    pub letter_holder: Option<String>,
    /// Families check themselves in: by phone digits or a family card, never by name search.
    #[serde(default)]
    pub self_check_in: bool,
    /// Where labels print without a dialog; none, and they show on screen only.
    #[serde(default)]
    pub printer: Option<PrinterChoice>,
}

/// Whether the station's letter is known to be this laptop's alone. Its security codes are
/// unique for the day only while no other laptop starts codes with the same letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StationLetterCheck {
    /// The team's hub gave the letter to this laptop; no other computer of the team can use it.
    HeldByThisLaptop,
    /// This laptop is in a team but could not reach the hub to claim the letter; it tries
    /// again with each team sync.
    NotConfirmed,
    /// Found on a later team sync: another computer of the team holds the letter, so the two
    /// may hand out the same codes. The station should be restarted with another letter.
    TakenByAnother,
    /// This laptop is in no team: keeping letters apart is the office's job.
    #[default]
    NoTeam,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct KioskStart {
    pub campus_id: Uuid,
    pub session_ids: Vec<Uuid>,
    pub station: String,
    pub pin: String,
    /// The PIN typed a second time: kiosk mode is never entered by a slip of the mouse.
    pub pin_again: String,
    /// Families check themselves in (see [`KioskConfig::self_check_in`]).
    #[serde(default)]
    pub self_check_in: bool,
    /// The label printer and label size (see [`KioskConfig::printer`]).
    #[serde(default)]
    #[ts(optional)]
    pub printer: Option<PrinterChoice>,
}

/// What the station shows (never the PIN).
#[derive(Debug, Clone, Serialize, TS)]
pub struct KioskView {
    pub campus: Campus,
    pub sessions: Vec<ClassSession>,
    pub station: String,
    pub started_at: Timestamp,
    pub letter_check: StationLetterCheck,
    /// The computer that holds the letter, when that is not this laptop.
    pub letter_holder: Option<String>,
    pub self_check_in: bool,
    pub printer: Option<PrinterChoice>,
}

impl KioskConfig {
    /// The size the station's labels are laid out at, on screen and on the printer.
    pub fn label_size(&self) -> LabelSize {
        self.printer.as_ref().map_or(LabelSize::WITHOUT_PRINTER, |printer| printer.size)
    }

    fn pin_matches(&self, pin: &str) -> bool {
        match &self.pin_salt {
            Some(salt) => {
                let digest = Sha256::digest(format!("{salt}:{pin}").as_bytes());
                digest.iter().map(|b| format!("{b:02x}")).collect::<String>() == self.pin_hash
            }
            None => access::secret_matches(&self.pin_hash, pin),
        }
    }
}

/// Writes the station's configuration (its PIN's hash among it) without an audit row, and
/// audits only who started or left the station: a PIN's hash never reaches the audit log.
fn save(tx: &mut WriteTx<'_>, config: Option<&KioskConfig>, event: serde_json::Value) -> Result<()> {
    settings::set_private(tx, SETTING, &config)?;
    let mut values = JsonRow::new();
    if let serde_json::Value::Object(fields) = event {
        values.extend(fields);
    }
    tx.audit_only("check_in_station", SETTING, AuditAction::Update, None, Some(&values))
}

/// Checks a request to start kiosk mode without starting it: the caller may then claim the
/// station's letter from the team before [`start`]. Needs `settings.manage`; the station must
/// be a letter, and the PIN 4 to 8 digits typed twice the same.
pub fn check_request(by: &Actor, request: &KioskStart) -> Result<Uuid> {
    actor::require(by, Permission::SettingsManage)?;
    let person =
        by.person_id.ok_or_else(|| ValidationError::new("pin", "kiosk mode is started by a signed-in person"))?;
    checkin::validate_station(&request.station)?;
    if request.pin.len() < 4 || request.pin.len() > 8 || !request.pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(ValidationError::new("pin", "the PIN is 4 to 8 digits").into());
    }
    if request.pin != request.pin_again {
        return Err(ValidationError::new("pin_again", "the two PINs differ").into());
    }
    if request.session_ids.is_empty() {
        return Err(ValidationError::new("session_ids", "choose at least one session").into());
    }
    if let Some(printer) = &request.printer {
        printer.validate().map_err(|error| match error {
            PrintError::Invalid { field, message } => ValidationError::new(field, message),
            other => ValidationError::new("printer", other.to_string()),
        })?;
    }
    Ok(person)
}

/// Starts kiosk mode (see [`check_request`]); the sessions must exist. `letter_check` says
/// what the team's hub said of the station's letter.
pub fn start(store: &Store, by: &Actor, request: KioskStart, letter_check: StationLetterCheck) -> Result<KioskView> {
    let person = check_request(by, &request)?;
    if current(store)?.is_some() {
        return Err(StoreError::Conflict { field: "station", message: "kiosk mode is already on".into() });
    }
    let campus = records::get::<Campus>(store, by, request.campus_id)
        .map_err(|_| ValidationError::new("campus_id", "choose a campus"))?;
    let mut sessions = Vec::new();
    for id in &request.session_ids {
        sessions.push(
            records::get::<ClassSession>(store, by, *id)
                .map_err(|_| ValidationError::new("session_ids", format!("no session has id {id}")))?,
        );
    }
    let config = KioskConfig {
        campus_id: campus.meta.id,
        session_ids: request.session_ids,
        station: request.station,
        started_by: person,
        started_at: Timestamp::now(),
        pin_hash: access::hash_secret(&request.pin)?,
        pin_salt: None,
        letter_check,
        letter_holder: None,
        self_check_in: request.self_check_in,
        printer: request.printer,
    };
    store.write(by, |tx| {
        tx.require(Permission::SettingsManage)?;
        save(tx, Some(&config), json!({ "event": "station_started", "station": config.station, "started_by": person, "self_check_in": config.self_check_in }))?;
        // The next station started here offers the same printer and label size.
        if let Some(printer) = &config.printer {
            settings::set_private(tx, REMEMBERED_PRINTER, &Some(printer))?;
        }
        Ok(())
    })?;
    access::clear_guesses(store, PIN_GUESSES)?;
    Ok(KioskView::of(&config, campus, sessions))
}

/// The printer and label size the last station started here used.
pub fn remembered_printer(store: &Store) -> Result<Option<PrinterChoice>> {
    settings::get::<PrinterChoice>(store, REMEMBERED_PRINTER)
}

pub fn current(store: &Store) -> Result<Option<KioskConfig>> {
    settings::get::<KioskConfig>(store, SETTING)
}

pub fn view(store: &Store, config: &KioskConfig) -> Result<KioskView> {
    let system = Actor::system();
    let campus = records::get::<Campus>(store, &system, config.campus_id)?;
    let mut sessions = Vec::new();
    for id in &config.session_ids {
        sessions.push(records::get::<ClassSession>(store, &system, *id)?);
    }
    Ok(KioskView::of(config, campus, sessions))
}

impl KioskView {
    fn of(config: &KioskConfig, campus: Campus, sessions: Vec<ClassSession>) -> Self {
        KioskView {
            campus,
            sessions,
            station: config.station.clone(),
            started_at: config.started_at,
            letter_check: config.letter_check,
            letter_holder: config.letter_holder.clone(),
            self_check_in: config.self_check_in,
            printer: config.printer.clone(),
        }
    }
}

/// Records what the team's hub said of the running station's letter once it could be asked
/// (see [`StationLetterCheck::NotConfirmed`]).
pub fn record_letter_check(store: &Store, check: StationLetterCheck, holder: Option<String>) -> Result<()> {
    let Some(mut config) = current(store)? else { return Ok(()) };
    config.letter_check = check;
    config.letter_holder = holder;
    store.write(&Actor::system(), |tx| settings::set_private(tx, SETTING, &config))
}

/// Who acts at the station: the person who started it, with only what both they and a
/// check-in volunteer may do.
pub fn station_actor(store: &Store, config: &KioskConfig) -> Result<Actor> {
    let starter = actor::actor_for_person(store, config.started_by)?;
    let volunteer = builtin::permissions(builtin::CHECKIN_VOLUNTEER);
    let permissions: Vec<Permission> = starter.permissions.iter().copied().filter(|p| volunteer.contains(p)).collect();
    Ok(Actor::person(
        config.started_by,
        format!("{} (check-in station {})", starter.display_name, config.station),
        permissions,
    ))
}

/// Leaves kiosk mode with the PIN. Wrong PINs are counted, even when tried at the same moment
/// (see `access::count_guess`); after five, each further one waits twice as long.
pub fn leave(store: &Store, pin: &str) -> Result<()> {
    let Some(config) = current(store)? else { return Ok(()) };
    access::count_guess(store, PIN_GUESSES).map_err(pin_refusal)?;
    if !config.pin_matches(pin) {
        return Err(ValidationError::new("pin", "that is not the PIN this station was started with").into());
    }
    access::clear_guesses(store, PIN_GUESSES)?;
    let actor = station_actor(store, &config).unwrap_or_else(|_| Actor::system());
    store.write(&actor, |tx| save(tx, None, json!({ "event": "station_left", "station": config.station })))
}

/// A wait for wrong PINs, said of the PIN.
fn pin_refusal(error: StoreError) -> StoreError {
    match error {
        StoreError::Access(AccessError::Wait { seconds }) => {
            ValidationError::new("pin", format!("too many wrong PINs; try again in {seconds} seconds")).into()
        }
        other => other,
    }
}
