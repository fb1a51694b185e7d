//! Office-wide settings the rules read, e.g. the "expiring soon" window.

use crate::db::{AuditAction, Query, Result, Store, StoreError, WriteTx};
use cct_domain::{Permission, ValidationError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

pub const EXPIRING_SOON_DAYS: &str = "certification_expiring_soon_days";
pub const ABSENCE_WARNING_THRESHOLD: &str = "absence_warning_threshold";
pub const OFFICE_TIME_ZONE: &str = "office_time_zone";
pub const REFUSE_UNCERTIFIED_SERVING: &str = "refuse_uncertified_serving";
pub const DEMO_MODE: &str = "demo_mode";
/// The demo church's administrator, who signs in there without a password.
pub const DEMO_ADMIN: &str = "demo_admin_id";
/// The administrator release 0.1 acted as on this computer, until they set a password here.
pub const UPGRADED_ADMIN: &str = "upgraded_admin_id";
/// Who signed in on this computer lately, most recent first (ids only), for the sign-in screen.
pub const RECENT_SIGN_INS: &str = "recent_sign_ins";
/// Minutes without use after which the window locks.
pub const IDLE_LOCK_MINUTES: &str = "idle_lock_minutes";
/// How this computer signs in to Planning Center: {"kind": "oauth"} or
/// {"kind": "personal_access_token", "app_id": "..."}. The secrets are in the OS keychain.
pub const PCO_SIGN_IN: &str = "pco_sign_in";
/// The Planning Center API base URL (a church's own test server, or the fake).
pub const PCO_BASE_URL: &str = "pco_base_url";
/// Planning Center's custom fields, as last pulled, for choosing the mappings below.
pub const PCO_FIELD_DEFINITIONS: &str = "pco_field_definitions";
/// The Planning Center field definition id that course completions are written to.
pub const PCO_COMPLETIONS_FIELD: &str = "pco_completions_field_definition_id";
/// The Planning Center field definition id that certification status is written to.
pub const PCO_CERTIFICATIONS_FIELD: &str = "pco_certifications_field_definition_id";
/// Planning Center's workflows, as last pulled, for choosing the one below.
pub const PCO_WORKFLOWS: &str = "pco_workflows";
/// The Planning Center workflow a card is made on for each course completed.
pub const PCO_COMPLETIONS_WORKFLOW: &str = "pco_completions_workflow_id";

pub fn get<T: DeserializeOwned>(store: &Store, key: &str) -> Result<Option<T>> {
    store.read(|conn| get_on(conn, key))
}

/// A setting as `conn` sees it (inside a write transaction, its own writes too).
pub(crate) fn get_on<T: DeserializeOwned>(conn: &rusqlite::Connection, key: &str) -> Result<Option<T>> {
    let value: Option<String> = conn.optional("SELECT value FROM office_setting WHERE key = ?1", [key])?;
    Ok(value.and_then(|v| serde_json::from_str(&v).ok()))
}

/// Writes a setting, audited. Needs `settings.manage`.
pub fn set<T: Serialize>(tx: &mut WriteTx<'_>, key: &str, value: &T) -> Result<()> {
    tx.require(Permission::SettingsManage)?;
    set_derived(tx, key, value)
}

/// [`set`] for a setting that follows from something the caller was allowed to do (the
/// check-in station's own state, the time of the last update check).
pub(crate) fn set_derived<T: Serialize>(tx: &mut WriteTx<'_>, key: &str, value: &T) -> Result<()> {
    let new = serde_json::to_value(value)
        .map_err(|source| StoreError::CorruptRecord { table: "office_setting".into(), source })?;
    let old: Option<String> = tx.conn().optional("SELECT value FROM office_setting WHERE key = ?1", [key])?;
    let old: Option<Value> = old.and_then(|text| serde_json::from_str(&text).ok());
    if old.as_ref() == Some(&new) {
        // Written again as it was (each sync rereads Planning Center's field names): nothing
        // changed, so nothing is audited.
        return Ok(());
    }
    tx.conn().run(
        "INSERT INTO office_setting (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        rusqlite::params![key, new.to_string(), tx.now().to_rfc3339(), tx.actor().person_id.map(|id| id.to_string())],
    )?;
    let wrap = |v: Value| Map::from_iter([("value".to_owned(), v)]);
    let old = old.map(wrap);
    let action = if old.is_some() { AuditAction::Update } else { AuditAction::Insert };
    tx.audit("office_setting", key, action, old.as_ref(), Some(&wrap(new)))
}

/// Writes a setting without an audit row: this computer's own bookkeeping (who signed in
/// lately, the station's secret state), whose callers audit what happened in their own words.
pub(crate) fn set_private<T: Serialize>(tx: &mut WriteTx<'_>, key: &str, value: &T) -> Result<()> {
    let value = serde_json::to_string(value)
        .map_err(|source| StoreError::CorruptRecord { table: "office_setting".into(), source })?;
    tx.conn().run(
        "INSERT INTO office_setting (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        rusqlite::params![key, value, tx.now().to_rfc3339(), tx.actor().person_id.map(|id| id.to_string())],
    )?;
    Ok(())
}

/// The thresholds the office sets for the rules, as the office screen edits them. Each
/// computer keeps its own; a course's own absence threshold travels with the course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OfficeRules {
    /// Absences at which an enrollment is flagged for follow-up, unless its course sets its own.
    pub absence_warning_threshold: i64,
    /// Days before expiry a certification lists as expiring soon.
    pub expiring_soon_days: i64,
    /// Minutes without use after which the window locks and asks for a password again.
    #[serde(default = "default_idle_lock_minutes")]
    pub idle_lock_minutes: i64,
    /// Whether someone without the certification a session asks of those who serve is refused
    /// at check-in (else they are warned, and the office sees it on the room view).
    #[serde(default)]
    pub refuse_uncertified_serving: bool,
}

fn default_idle_lock_minutes() -> i64 {
    15
}

impl Default for OfficeRules {
    fn default() -> Self {
        Self {
            absence_warning_threshold: 3,
            expiring_soon_days: 60,
            idle_lock_minutes: default_idle_lock_minutes(),
            refuse_uncertified_serving: false,
        }
    }
}

pub fn office_rules(store: &Store) -> Result<OfficeRules> {
    store.read(office_rules_on)
}

pub(crate) fn office_rules_on(conn: &rusqlite::Connection) -> Result<OfficeRules> {
    let defaults = OfficeRules::default();
    Ok(OfficeRules {
        absence_warning_threshold: get_on(conn, ABSENCE_WARNING_THRESHOLD)?
            .unwrap_or(defaults.absence_warning_threshold),
        expiring_soon_days: get_on(conn, EXPIRING_SOON_DAYS)?.unwrap_or(defaults.expiring_soon_days),
        idle_lock_minutes: get_on(conn, IDLE_LOCK_MINUTES)?.unwrap_or(defaults.idle_lock_minutes),
        refuse_uncertified_serving: get_on(conn, REFUSE_UNCERTIFIED_SERVING)?
            .unwrap_or(defaults.refuse_uncertified_serving),
    })
}

/// Saves the office's thresholds. Needs `settings.manage`.
pub fn set_office_rules(tx: &mut WriteTx<'_>, rules: OfficeRules) -> Result<OfficeRules> {
    if !(1..=52).contains(&rules.absence_warning_threshold) {
        return Err(ValidationError::new("absence_warning_threshold", "flag after 1 to 52 absences").into());
    }
    if !(1..=365).contains(&rules.expiring_soon_days) {
        return Err(ValidationError::new("expiring_soon_days", "1 to 365 days").into());
    }
    if !(1..=240).contains(&rules.idle_lock_minutes) {
        return Err(ValidationError::new("idle_lock_minutes", "lock after 1 to 240 minutes without use").into());
    }
    set(tx, ABSENCE_WARNING_THRESHOLD, &rules.absence_warning_threshold)?;
    set(tx, EXPIRING_SOON_DAYS, &rules.expiring_soon_days)?;
    set(tx, IDLE_LOCK_MINUTES, &rules.idle_lock_minutes)?;
    set(tx, REFUSE_UNCERTIFIED_SERVING, &rules.refuse_uncertified_serving)?;
    Ok(rules)
}
