//! Who may use the app on this computer: each person's password (an Argon2id hash, kept with its
//! parameters), the single-use invitations an administrator makes so someone can set their own,
//! and the wait that wrong guesses bring, kept in the database so a restart does not reset it.
//! No password, hash or code ever reaches the audit log, the change log or an error message:
//! audit rows say only that a password was set, an invitation made, or someone signed in.

use crate::db::{AuditAction, JsonRow, Query, Result, Store, StoreError, WriteTx};
use crate::office::{people, settings};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use cct_domain::{Actor, Permission, Timestamp, ValidationError};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use ts_rs::TS;
use uuid::Uuid;

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 256;
/// Wrong guesses allowed before each further one makes the next wait.
pub const FREE_GUESSES: i64 = 5;
/// The wait after the first guess past the free ones; each further miss doubles it.
pub const FIRST_WAIT_SECONDS: i64 = 30;
/// The longest wait a run of misses can bring.
pub const LONGEST_WAIT_SECONDS: i64 = 3600;
/// How long an invitation code works.
pub const INVITATION_DAYS: i64 = 7;
/// Invitation codes are read out or typed: no letters or digits that look alike.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH: usize = 12;

/// Why a sign-in, an invitation or a PIN was refused. The messages never say which of a
/// person and a password was wrong when that would help a stranger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("that password is not right")]
    WrongPassword,
    #[error("too many wrong tries: wait {seconds} seconds and try again")]
    Wait { seconds: i64 },
    #[error("{name} has no password on this church's computers yet: an administrator gives them an invitation code")]
    NoPassword { name: String },
    #[error("nobody of that name or e-mail can sign in here")]
    UnknownPerson,
    #[error("{name} is no longer active and cannot sign in")]
    Inactive { name: String },
    #[error("that invitation code is not known: check it, or ask an administrator for a new one")]
    InvitationUnknown,
    #[error("that invitation code was already used: ask an administrator for a new one")]
    InvitationUsed,
    #[error("that invitation code has expired: ask an administrator for a new one")]
    InvitationExpired,
}

impl AccessError {
    /// The input a refusal concerns.
    pub fn field(&self) -> &'static str {
        match self {
            AccessError::WrongPassword | AccessError::Wait { .. } => "password",
            AccessError::NoPassword { .. } | AccessError::UnknownPerson | AccessError::Inactive { .. } => "person",
            AccessError::InvitationUnknown | AccessError::InvitationUsed | AccessError::InvitationExpired => "code",
        }
    }
}

/// A password as typed twice; refused when too short, too long or not the same twice.
pub fn check_new_password(password: &str, again: &str) -> Result<()> {
    let length = password.chars().count();
    if length < PASSWORD_MIN {
        return Err(
            ValidationError::new("password", format!("a password has at least {PASSWORD_MIN} characters")).into()
        );
    }
    if length > PASSWORD_MAX {
        return Err(
            ValidationError::new("password", format!("a password has at most {PASSWORD_MAX} characters")).into()
        );
    }
    if password != again {
        return Err(ValidationError::new("password_again", "the two passwords differ").into());
    }
    Ok(())
}

/// A secret's Argon2id hash as a PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), with a
/// fresh random salt from the OS.
pub fn hash_secret(secret: &str) -> Result<String> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| StoreError::Constraint(format!("a salt could not be made: {e}")))?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| StoreError::Constraint(format!("a password could not be hashed: {e}")))
}

/// Whether `secret` matches a PHC hash, with the parameters the hash names.
pub fn secret_matches(hash: &str, secret: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Constraint(format!("the system's random source failed: {e}")))?;
    Ok(bytes)
}

/// A code people read out and type (`ABCD-EFGH-JKLM`), from the OS's secure random source.
pub fn new_code() -> Result<String> {
    let bytes = random_bytes::<CODE_LENGTH>()?;
    // 31 symbols: the bias of taking a byte modulo 31 is under 1 in 8; a code still carries
    // more than 58 bits.
    let raw: String = bytes.iter().map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char).collect();
    Ok(format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12]))
}

/// Codes are typed by people: case, spaces and dashes do not matter.
fn code_hash(code: &str) -> String {
    let normal: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    Sha256::digest(normal.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------------------------
// The wait that wrong guesses bring.

/// The wait owed by `failures` misses in a row.
pub fn wait_after(failures: i64) -> Option<Duration> {
    (failures >= FREE_GUESSES).then(|| {
        let doublings = (failures - FREE_GUESSES).min(20) as u32;
        Duration::seconds((FIRST_WAIT_SECONDS << doublings).min(LONGEST_WAIT_SECONDS))
    })
}

/// Refuses while `subject` must wait, then counts a guess against it before the guess is
/// checked, in its own committed transaction: guesses made at the same moment each count, and
/// a guess cut off by a crash counts too.
pub fn count_guess(store: &Store, subject: &str) -> Result<()> {
    store.write(&Actor::system(), |tx| {
        let now = tx.now();
        let waiting: Option<String> =
            tx.conn().optional("SELECT wait_until FROM sign_in_throttle WHERE subject = ?1", [subject])?.flatten();
        if let Some(until) = waiting.and_then(|t| Timestamp::parse(&t).ok()).filter(|until| *until > now) {
            let seconds = (until.as_datetime() - now.as_datetime()).num_seconds().max(1);
            return Err(StoreError::Access(AccessError::Wait { seconds }));
        }
        let failures: i64 = tx.conn().scalar(
            "INSERT INTO sign_in_throttle (subject, failures) VALUES (?1, 1)
             ON CONFLICT(subject) DO UPDATE SET failures = failures + 1 RETURNING failures",
            [subject],
        )?;
        // The wait begins with the guess that earns it, right or wrong: a right one clears it.
        if let Some(wait) = wait_after(failures) {
            tx.conn().run(
                "UPDATE sign_in_throttle SET wait_until = ?2 WHERE subject = ?1",
                [subject.to_owned(), Timestamp::from(now.as_datetime() + wait).to_rfc3339()],
            )?;
        }
        Ok(())
    })
}

/// A right guess: the count starts again.
pub fn clear_guesses(store: &Store, subject: &str) -> Result<()> {
    store.write(&Actor::system(), |tx| {
        tx.conn().run("DELETE FROM sign_in_throttle WHERE subject = ?1", [subject])?;
        Ok(())
    })
}

/// A right guess where many people share one subject (a station's pickup codes): it takes back
/// its own count and forgives one earlier miss, so a family's typo is soon forgotten, but a
/// stranger's run of guesses is not wiped out by the next family's right code.
pub fn forgive_one_guess(store: &Store, subject: &str) -> Result<()> {
    store.write(&Actor::system(), |tx| forgive_one_guess_in(tx, subject))
}

/// [`forgive_one_guess`] inside the transaction the right guess opened (a release by code):
/// forgiven only if that transaction commits, and with no flush of its own.
pub fn forgive_one_guess_in(tx: &mut WriteTx<'_>, subject: &str) -> Result<()> {
    tx.conn().run(
        "UPDATE sign_in_throttle SET failures = max(failures - 2, 0),
             wait_until = CASE WHEN failures - 2 < ?2 THEN NULL ELSE wait_until END
         WHERE subject = ?1",
        rusqlite::params![subject, FREE_GUESSES],
    )?;
    Ok(())
}

fn person_subject(people_id: Uuid) -> String {
    format!("person:{people_id}")
}

// ---------------------------------------------------------------------------------------------
// Passwords.

/// Who is signing in: a person the window listed, or one typed by e-mail.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Who {
    Person { people_id: Uuid },
    Email { email: String },
}

/// Checks a person's password and returns who they are. Wrong passwords are counted (see
/// [`count_guess`]); a right one clears the count and is audited as a sign-in.
pub fn sign_in(store: &Store, who: &Who, password: &str) -> Result<Uuid> {
    let people_id = match who {
        Who::Person { people_id } => *people_id,
        Who::Email { email } => store
            .read(|conn| {
                conn.id(
                    "SELECT p.id FROM people p JOIN sign_in_credential c ON c.people_id = p.id
                     WHERE lower(p.email) = lower(trim(?1)) ORDER BY p.is_active DESC LIMIT 1",
                    [email],
                )
            })?
            .ok_or(StoreError::Access(AccessError::UnknownPerson))?,
    };
    let (name, active, hash) = store.read(|conn| person_and_hash(conn, people_id))?;
    if !active {
        return Err(StoreError::Access(AccessError::Inactive { name }));
    }
    let hash = hash.ok_or(StoreError::Access(AccessError::NoPassword { name }))?;
    let subject = person_subject(people_id);
    count_guess(store, &subject)?;
    if !secret_matches(&hash, password) {
        return Err(StoreError::Access(AccessError::WrongPassword));
    }
    clear_guesses(store, &subject)?;
    let actor = people::actor_for_person(store, people_id)?;
    store.write(&actor, |tx| audit_event(tx, people_id, json!({ "event": "signed_in" })))?;
    Ok(people_id)
}

/// Whether a person has a password on the church's computers (as far as this one knows).
pub fn has_password(store: &Store, people_id: Uuid) -> Result<bool> {
    store.read(|conn| {
        conn.scalar("SELECT EXISTS (SELECT 1 FROM sign_in_credential WHERE people_id = ?1)", [people_id.to_string()])
    })
}

/// First name, nickname, last name, whether active, and the password hash if any.
type PersonAndHash = (String, Option<String>, String, bool, Option<String>);

fn person_and_hash(conn: &rusqlite::Connection, people_id: Uuid) -> Result<(String, bool, Option<String>)> {
    let row: Option<PersonAndHash> = conn.tuple(
        "SELECT p.first_name, p.nickname, p.last_name, p.is_active, c.password_hash
         FROM people p LEFT JOIN sign_in_credential c ON c.people_id = p.id WHERE p.id = ?1",
        [people_id.to_string()],
    )?;
    let (first, nickname, last, active, hash) = row.ok_or(StoreError::Access(AccessError::UnknownPerson))?;
    Ok((cct_domain::records::display_name(&first, nickname.as_deref(), &last), active, hash))
}

/// Sets a person's password, in the caller's transaction: audited as "password set", and queued
/// for the team's hub (the hash, on the credentials' own channel).
pub(crate) fn set_password(tx: &mut WriteTx<'_>, people_id: Uuid, password: &str) -> Result<()> {
    let hash = hash_secret(password)?;
    let device = tx.conn().scalar::<String>("SELECT device_id FROM team_device", [])?;
    tx.conn().run(
        "INSERT INTO sign_in_credential (people_id, password_hash, set_at, set_on_device, shared) VALUES (?1, ?2, ?3, ?4, 0)
         ON CONFLICT(people_id) DO UPDATE SET password_hash = excluded.password_hash, set_at = excluded.set_at,
             set_on_device = excluded.set_on_device, shared = 0",
        [people_id.to_string(), hash, tx.now().to_rfc3339(), device],
    )?;
    audit_event(tx, people_id, json!({ "event": "password_set" }))
}

/// An audit row about a person's access, naming what happened and nothing secret.
fn audit_event(tx: &mut WriteTx<'_>, people_id: Uuid, event: serde_json::Value) -> Result<()> {
    let mut values = JsonRow::new();
    values.insert("people_id".into(), serde_json::Value::String(people_id.to_string()));
    if let serde_json::Value::Object(fields) = event {
        values.extend(fields);
    }
    tx.audit_only("sign_in", &people_id.to_string(), AuditAction::Update, None, Some(&values))
}

/// Someone who signed in on this computer lately, as the sign-in screen lists them.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RecentPerson {
    pub people_id: Uuid,
    pub name: String,
}

/// How many people the sign-in screen remembers.
const RECENT: usize = 8;

/// Puts a person first in this computer's list of recent sign-ins.
pub fn remember_sign_in(store: &Store, people_id: Uuid) -> Result<()> {
    store.write(&Actor::system(), |tx| {
        let mut recent: Vec<Uuid> = settings::get_on(tx.conn(), settings::RECENT_SIGN_INS)?.unwrap_or_default();
        recent.retain(|id| *id != people_id);
        recent.insert(0, people_id);
        recent.truncate(RECENT);
        settings::set_private(tx, settings::RECENT_SIGN_INS, &recent)
    })
}

/// Who signed in here lately and still can: active, with a password.
pub fn recent_sign_ins(store: &Store) -> Result<Vec<RecentPerson>> {
    let recent: Vec<Uuid> = settings::get(store, settings::RECENT_SIGN_INS)?.unwrap_or_default();
    store.read(|conn| {
        let mut people = Vec::new();
        for people_id in recent {
            if let Ok((name, true, Some(_))) = person_and_hash(conn, people_id) {
                people.push(RecentPerson { people_id, name });
            }
        }
        Ok(people)
    })
}

/// After an upgrade from release 0.1, which acted as one administrator on this computer without
/// a password: that administrator, while they are active, still an administrator, and have no
/// password on this computer yet. Nobody else is offered this.
pub fn upgraded_administrator(store: &Store) -> Result<Option<RecentPerson>> {
    let Some(people_id) = settings::get::<Uuid>(store, settings::UPGRADED_ADMIN)? else {
        return Ok(None);
    };
    let (name, active, hash) = match store.read(|conn| person_and_hash(conn, people_id)) {
        Ok(found) => found,
        Err(StoreError::Access(AccessError::UnknownPerson)) => return Ok(None),
        Err(other) => return Err(other),
    };
    let still_admin = people::actor_for_person(store, people_id).is_ok_and(|actor| actor.can(Permission::RolesManage));
    Ok((active && hash.is_none() && still_admin).then_some(RecentPerson { people_id, name }))
}

/// The upgraded administrator (see [`upgraded_administrator`]) sets their first password; the
/// offer then ends on this computer. Returns who they are.
pub fn set_upgraded_administrators_password(store: &Store, password: &str, again: &str) -> Result<Uuid> {
    check_new_password(password, again)?;
    let admin = upgraded_administrator(store)?.ok_or(StoreError::Access(AccessError::UnknownPerson))?;
    let actor = people::actor_for_person(store, admin.people_id)?;
    store.write(&actor, |tx| {
        tx.conn().run("DELETE FROM office_setting WHERE key = ?1", [settings::UPGRADED_ADMIN])?;
        set_password(tx, admin.people_id, password)
    })?;
    Ok(admin.people_id)
}

// ---------------------------------------------------------------------------------------------
// Invitations.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InvitationPurpose {
    /// Someone who has never signed in sets their first password.
    Invite,
    /// Someone who forgot theirs sets a new one.
    Reset,
}

/// An invitation as the administrator who made it sees it: the code, once, and until when.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Invitation {
    pub code: String,
    pub people_id: Uuid,
    pub purpose: InvitationPurpose,
    pub expires_at: Timestamp,
}

/// Makes a single-use code with which a person sets their own password. Needs `roles.manage`;
/// the person must be active. Earlier unused codes for them stop working.
pub fn invite(tx: &mut WriteTx<'_>, people_id: Uuid, purpose: InvitationPurpose) -> Result<Invitation> {
    tx.require(Permission::RolesManage)?;
    let (name, active, hash) = person_and_hash(tx.conn(), people_id)?;
    if !active {
        return Err(StoreError::Access(AccessError::Inactive { name }));
    }
    let purpose = if hash.is_some() { InvitationPurpose::Reset } else { purpose };
    let code = new_code()?;
    let expires_at = Timestamp::from(tx.now().as_datetime() + Duration::days(INVITATION_DAYS));
    tx.conn().run(
        "UPDATE sign_in_invitation SET used_at = ?2 WHERE people_id = ?1 AND used_at IS NULL",
        [people_id.to_string(), tx.now().to_rfc3339()],
    )?;
    tx.conn().run(
        "INSERT INTO sign_in_invitation (code_hash, people_id, purpose, made_by, made_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![
            code_hash(&code),
            people_id.to_string(),
            if purpose == InvitationPurpose::Reset { "reset" } else { "invite" },
            tx.actor().person_id.map(|p| p.to_string()),
            tx.now().to_rfc3339(),
            expires_at.to_rfc3339(),
        ],
    )?;
    audit_event(tx, people_id, json!({ "event": "invitation_made", "expires_at": expires_at.to_rfc3339() }))?;
    Ok(Invitation { code, people_id, purpose, expires_at })
}

/// Sets a password with an invitation code; returns who it was for. Guesses at codes are
/// counted for the whole computer, so codes cannot be tried one after another.
pub fn accept_invitation(store: &Store, code: &str, password: &str, again: &str) -> Result<Uuid> {
    check_new_password(password, again)?;
    count_guess(store, "invitations")?;
    let found: Option<(String, String, Option<String>)> = store.read(|conn| {
        conn.tuple(
            "SELECT people_id, expires_at, used_at FROM sign_in_invitation WHERE code_hash = ?1",
            [code_hash(code)],
        )
    })?;
    let (people_id, expires_at, used_at) = found.ok_or(StoreError::Access(AccessError::InvitationUnknown))?;
    if used_at.is_some() {
        return Err(StoreError::Access(AccessError::InvitationUsed));
    }
    if Timestamp::parse(&expires_at).map_or(true, |at| at < Timestamp::now()) {
        return Err(StoreError::Access(AccessError::InvitationExpired));
    }
    let people_id: Uuid = people_id.parse().map_err(|_| StoreError::Access(AccessError::InvitationUnknown))?;
    let actor = people::actor_for_person(store, people_id)
        .map_err(|_| StoreError::Access(AccessError::Inactive { name: "this person".into() }))?;
    store.write(&actor, |tx| {
        // Spent in the same transaction as the password it sets: a code works once.
        let spent = tx.conn().run(
            "UPDATE sign_in_invitation SET used_at = ?2 WHERE code_hash = ?1 AND used_at IS NULL",
            [code_hash(code), tx.now().to_rfc3339()],
        )?;
        if spent == 0 {
            return Err(StoreError::Access(AccessError::InvitationUsed));
        }
        set_password(tx, people_id, password)
    })?;
    clear_guesses(store, "invitations")?;
    Ok(people_id)
}

// ---------------------------------------------------------------------------------------------
// Credentials shared with the team, hashes only, on a channel of their own.

/// A person's password as the church's computers share it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedCredential {
    pub people_id: String,
    pub password_hash: String,
    pub set_at: String,
    pub set_on_device: String,
}

/// The credentials set here that the hub does not hold yet.
pub fn unshared_credentials(store: &Store) -> Result<Vec<SharedCredential>> {
    store.read(|conn| {
        Ok(conn
            .tuples::<(String, String, String, String)>(
                "SELECT people_id, password_hash, set_at, set_on_device FROM sign_in_credential WHERE shared = 0",
                [],
            )?
            .into_iter()
            .map(|(people_id, password_hash, set_at, set_on_device)| SharedCredential {
                people_id,
                password_hash,
                set_at,
                set_on_device,
            })
            .collect())
    })
}

/// Marks credentials as held by the hub, unless they changed here meanwhile.
pub fn mark_credentials_shared(store: &Store, sent: &[SharedCredential]) -> Result<()> {
    store.write(&Actor::system(), |tx| {
        for credential in sent {
            tx.conn().run(
                "UPDATE sign_in_credential SET shared = 1 WHERE people_id = ?1 AND set_at = ?2",
                [&credential.people_id, &credential.set_at],
            )?;
        }
        Ok(())
    })
}

/// Takes in credentials from the hub: a later one replaces what is here; one for a person this
/// computer does not hold (another campus's) waits for a later sync. Returns how many changed.
pub fn apply_shared_credentials(store: &Store, credentials: &[SharedCredential]) -> Result<usize> {
    store.write(&Actor::system(), |tx| {
        let mut changed = 0;
        for credential in credentials.iter().filter(|c| c.password_hash.starts_with("$argon2id$")) {
            let here: bool = tx.conn().scalar("SELECT EXISTS (SELECT 1 FROM people WHERE id = ?1)", [&credential.people_id])?;
            if !here {
                continue;
            }
            changed += tx.conn().run(
                "INSERT INTO sign_in_credential (people_id, password_hash, set_at, set_on_device, shared) VALUES (?1, ?2, ?3, ?4, 1)
                 ON CONFLICT(people_id) DO UPDATE SET password_hash = excluded.password_hash, set_at = excluded.set_at,
                     set_on_device = excluded.set_on_device, shared = 1
                 WHERE excluded.set_at > sign_in_credential.set_at",
                [&credential.people_id, &credential.password_hash, &credential.set_at, &credential.set_on_device],
            )?;
        }
        Ok(changed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_hash_names_argon2id_and_its_parameters_and_checks_only_the_password() {
        let hash = hash_secret("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m="), "{hash}");
        assert!(secret_matches(&hash, "correct horse battery"));
        assert!(!secret_matches(&hash, "correct horse battery "));
        assert_ne!(hash, hash_secret("correct horse battery").unwrap(), "each hash has its own salt");
        assert!(!secret_matches("not a hash", "anything"));
    }

    #[test]
    fn waits_start_after_five_misses_and_double() {
        assert_eq!(wait_after(4), None);
        assert_eq!(wait_after(5), Some(Duration::seconds(30)));
        assert_eq!(wait_after(6), Some(Duration::seconds(60)));
        assert_eq!(wait_after(8), Some(Duration::seconds(240)));
        assert_eq!(wait_after(60), Some(Duration::seconds(LONGEST_WAIT_SECONDS)));
    }

    #[test]
    fn passwords_are_8_to_256_characters_typed_the_same_twice() {
        assert_eq!(check_new_password("short", "short").unwrap_err().field(), Some("password"));
        assert_eq!(check_new_password(&"x".repeat(257), &"x".repeat(257)).unwrap_err().field(), Some("password"));
        assert_eq!(check_new_password("long enough", "long enougH").unwrap_err().field(), Some("password_again"));
        assert!(check_new_password("long enough", "long enough").is_ok());
    }

    #[test]
    fn codes_are_easy_to_read_and_typed_loosely() {
        let code = new_code().unwrap();
        assert_eq!(code.len(), 14, "{code}");
        assert!(code.chars().all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8))));
        assert_eq!(code_hash(&code.to_lowercase().replace('-', " ")), code_hash(&code));
        assert_ne!(new_code().unwrap(), code);
    }
}
