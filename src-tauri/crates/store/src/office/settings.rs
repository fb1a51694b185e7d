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
pub const DEMO_MODE: &str = "demo_mode";
pub const CURRENT_PERSON: &str = "current_person_id";
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
    tx.conn().run(
        "INSERT INTO office_setting (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        rusqlite::params![key, new.to_string(), tx.now().to_rfc3339(), tx.actor().person_id.map(|id| id.to_string())],
    )?;
    let wrap = |v: Value| Map::from_iter([("value".to_owned(), v)]);
    let old = old.and_then(|text| serde_json::from_str(&text).ok()).map(wrap);
    let action = if old.is_some() { AuditAction::Update } else { AuditAction::Insert };
    tx.audit("office_setting", key, action, old.as_ref(), Some(&wrap(new)))
}

/// The thresholds the office sets for the rules, as the office screen edits them. Each
/// computer keeps its own; a course's own absence threshold travels with the course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OfficeRules {
    /// Absences at which an enrollment is flagged for follow-up, unless its course sets its own.
    pub absence_warning_threshold: i64,
    /// Days before expiry a certification lists as expiring soon.
    pub expiring_soon_days: i64,
}

impl Default for OfficeRules {
    fn default() -> Self {
        Self { absence_warning_threshold: 3, expiring_soon_days: 60 }
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
    set(tx, ABSENCE_WARNING_THRESHOLD, &rules.absence_warning_threshold)?;
    set(tx, EXPIRING_SOON_DAYS, &rules.expiring_soon_days)?;
    Ok(rules)
}
