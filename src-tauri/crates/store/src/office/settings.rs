//! Settings the rules read, e.g. the "expiring soon" window. Those that belong to the church
//! ([`CHURCH_SETTINGS`]) are records every computer of its team shares (`church_setting`, the
//! last writer wins); the rest belong to this computer alone (`office_setting`): its check-in
//! station, its printer, who signed in here, its own Planning Center sign-in and update checks.

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
/// The Planning Center workflow a card is made on for each person whose certification is due
/// for renewal, so that Planning Center's own reminders reach them.
pub const PCO_RENEWALS_WORKFLOW: &str = "pco_renewals_workflow_id";

/// The settings that belong to the church, not to one computer: every computer of the team
/// holds the same value. The migration that made `church_setting` names the same keys.
pub const CHURCH_SETTINGS: [&str; 9] = [
    ABSENCE_WARNING_THRESHOLD,
    EXPIRING_SOON_DAYS,
    IDLE_LOCK_MINUTES,
    REFUSE_UNCERTIFIED_SERVING,
    OFFICE_TIME_ZONE,
    PCO_COMPLETIONS_FIELD,
    PCO_CERTIFICATIONS_FIELD,
    PCO_COMPLETIONS_WORKFLOW,
    PCO_RENEWALS_WORKFLOW,
];

pub fn is_church_setting(key: &str) -> bool {
    CHURCH_SETTINGS.contains(&key)
}

fn stored_value_sql(key: &str) -> &'static str {
    if is_church_setting(key) {
        "SELECT value FROM church_setting WHERE id = ?1 AND is_active"
    } else {
        "SELECT value FROM office_setting WHERE key = ?1"
    }
}

pub fn get<T: DeserializeOwned>(store: &Store, key: &str) -> Result<Option<T>> {
    store.read(|conn| get_on(conn, key))
}

/// A setting as `conn` sees it (inside a write transaction, its own writes too).
pub(crate) fn get_on<T: DeserializeOwned>(conn: &rusqlite::Connection, key: &str) -> Result<Option<T>> {
    let value: Option<String> = conn.optional(stored_value_sql(key), [key])?;
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
    let old: Option<String> = tx.conn().optional(stored_value_sql(key), [key])?;
    let old: Option<Value> = old.and_then(|text| serde_json::from_str(&text).ok());
    if old.as_ref() == Some(&new) {
        // Written again as it was (each sync rereads Planning Center's field names): nothing
        // changed, so nothing is audited.
        return Ok(());
    }
    if is_church_setting(key) {
        return set_church_setting(tx, key, new);
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

/// A church setting is a shared record: written whole, audited, and logged for the team, with
/// the computer it was set on.
fn set_church_setting(tx: &mut WriteTx<'_>, key: &str, value: Value) -> Result<()> {
    if let Some(problem) = church_setting_problem(key, &value) {
        return Err(ValidationError::new(key, problem).into());
    }
    let old = tx.conn().rows("SELECT * FROM church_setting WHERE id = ?1", [key])?.into_iter().next();
    let computer: Option<String> = tx.conn().scalar("SELECT nullif(device_name, '') FROM team_device", [])?;
    let now = tx.now().to_rfc3339();
    let mut row = Map::new();
    row.insert("value".into(), Value::String(value.to_string()));
    row.insert("is_active".into(), Value::Bool(true));
    if old.is_none() {
        row.insert("created_at".into(), Value::String(now.clone()));
    }
    row.insert("updated_at".into(), Value::String(now));
    row.insert(
        "updated_by".into(),
        tx.actor().person_id.map(|id| Value::String(id.to_string())).unwrap_or(Value::Null),
    );
    row.insert("set_on_computer".into(), computer.map(Value::String).unwrap_or(Value::Null));
    tx.conn().run(
        "INSERT INTO church_setting (id, value, is_active, created_at, updated_at, updated_by, set_on_computer)
         VALUES (?1, ?2, 1, ?3, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET value = excluded.value, is_active = 1, updated_at = excluded.updated_at,
             updated_by = excluded.updated_by, set_on_computer = excluded.set_on_computer",
        rusqlite::params![
            key,
            row["value"].as_str(),
            row["updated_at"].as_str(),
            row["updated_by"].as_str(),
            row["set_on_computer"].as_str()
        ],
    )?;
    let action = if old.is_some() { AuditAction::Update } else { AuditAction::Insert };
    tx.audit("church_setting", key, action, old.as_ref(), Some(&row))
}

/// Why `value` cannot be the church setting `key`, if it cannot: the rules a local save
/// checks, so that a value from another computer (or forged at the hub) that breaks them is
/// refused at the merge, as any other record is.
pub(crate) fn church_setting_problem(key: &str, value: &Value) -> Option<String> {
    let whole_number_in = |range: std::ops::RangeInclusive<i64>, what: &str| match value.as_i64() {
        Some(n) if range.contains(&n) => None,
        _ => Some(format!("{what}: a whole number from {} to {}", range.start(), range.end())),
    };
    match key {
        ABSENCE_WARNING_THRESHOLD => whole_number_in(1..=52, "absences before an enrollment is flagged"),
        EXPIRING_SOON_DAYS => whole_number_in(1..=365, "days before expiry"),
        IDLE_LOCK_MINUTES => whole_number_in(1..=240, "minutes without use before the window locks"),
        REFUSE_UNCERTIFIED_SERVING => (!value.is_boolean()).then(|| "refuse uncertified serving: yes or no".into()),
        OFFICE_TIME_ZONE => match value.as_str() {
            Some(zone) if is_time_zone_name(zone) => None,
            _ => Some("the office's time zone: a name such as America/Chicago".into()),
        },
        PCO_COMPLETIONS_FIELD | PCO_CERTIFICATIONS_FIELD | PCO_COMPLETIONS_WORKFLOW | PCO_RENEWALS_WORKFLOW => {
            match value {
                Value::Null => None,
                Value::String(id) if (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric()) => {
                    None
                }
                _ => Some("a Planning Center id (letters and digits)".into()),
            }
        }
        _ => Some(format!("{key} is not a setting of the church")),
    }
}

/// An IANA zone name's shape ("America/Argentina/Buenos_Aires", "UTC"): the rules only show it.
fn is_time_zone_name(zone: &str) -> bool {
    (1..=64).contains(&zone.len())
        && zone.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'))
        && !zone.starts_with('/')
        && !zone.contains("//")
}

/// A church setting, with who set it, when, and on which computer, for the office's screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ChurchSetting {
    pub key: String,
    #[serde(deserialize_with = "cct_domain::record::json_text::deserialize")]
    #[ts(type = "unknown")]
    pub value: Option<Value>,
    pub updated_at: String,
    pub updated_by: Option<String>,
    pub updated_by_name: Option<String>,
    /// `None` for a computer that had no name (it had never joined a team when it was set).
    pub set_on_computer: Option<String>,
}

/// Every church setting that has been set, by key.
pub fn church_settings(store: &Store) -> Result<Vec<ChurchSetting>> {
    let sql = format!(
        "SELECT s.id AS key, s.value, s.updated_at, s.updated_by, {} AS updated_by_name, s.set_on_computer
         FROM church_setting s LEFT JOIN people p ON p.id = s.updated_by WHERE s.is_active ORDER BY s.id",
        crate::office::views::display_name_sql("p")
    );
    store.read(|conn| conn.records("church_setting", &sql, []))
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

/// The thresholds the office sets for the rules, as the office screen edits them. They are
/// the church's: every computer of the team uses the same ones. A course's own absence
/// threshold travels with the course.
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
    let fields: [(&str, &str, Value); 4] = [
        ("absence_warning_threshold", ABSENCE_WARNING_THRESHOLD, rules.absence_warning_threshold.into()),
        ("expiring_soon_days", EXPIRING_SOON_DAYS, rules.expiring_soon_days.into()),
        ("idle_lock_minutes", IDLE_LOCK_MINUTES, rules.idle_lock_minutes.into()),
        ("refuse_uncertified_serving", REFUSE_UNCERTIFIED_SERVING, rules.refuse_uncertified_serving.into()),
    ];
    // Every rule is checked before any is saved: a bad one changes nothing.
    for (field, key, value) in &fields {
        if let Some(problem) = church_setting_problem(key, value) {
            return Err(ValidationError::new(*field, problem).into());
        }
    }
    for (_, key, value) in &fields {
        set(tx, key, value)?;
    }
    Ok(rules)
}
