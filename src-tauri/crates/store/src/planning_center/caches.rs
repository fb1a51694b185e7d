//! The caches of Planning Center's events (Registrations signups) and registrations, as last
//! pulled. Cache writes are data and are audited.

use crate::db::rows::{from_row, to_row};
use crate::db::{AuditAction, JsonRow, Query, Result, Store, StoreError, WriteTx};
use crate::records::{insert_row, update_row};
use cct_domain::record::json_text;
use cct_domain::{new_id, Actor, Permission, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use uuid::Uuid;

/// A Planning Center event (a Registrations signup), as last pulled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CachedEvent {
    #[serde(default = "new_id")]
    pub id: Uuid,
    pub planning_center_event_id: String,
    pub event_name: String,
    pub event_description: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub max_capacity: Option<i64>,
    #[serde(default)]
    pub current_registrations_count: i64,
    pub registration_deadline: Option<String>,
    pub event_status: Option<String>,
    /// The local course this event is mapped to, if any.
    pub course_id: Option<Uuid>,
    pub last_synced_at: Option<Timestamp>,
    #[serde(default)]
    pub created_at: Timestamp,
    #[serde(default)]
    pub updated_at: Timestamp,
}

/// A Planning Center registration (an attendee of a signup), as last pulled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CachedRegistration {
    #[serde(default = "new_id")]
    pub id: Uuid,
    pub planning_center_registration_id: String,
    pub planning_center_event_id: String,
    pub planning_center_person_id: Option<String>,
    pub registration_status: cct_domain::records::RegistrationStatus,
    pub registration_date: Option<String>,
    pub registration_notes: Option<String>,
    #[serde(default, deserialize_with = "json_text::deserialize")]
    pub custom_field_responses: Option<Value>,
    pub last_synced_at: Option<Timestamp>,
    #[serde(default)]
    pub created_at: Timestamp,
    #[serde(default)]
    pub updated_at: Timestamp,
}

/// Inserts or refreshes a cached event by its Planning Center id; audited.
pub fn upsert_event(tx: &mut WriteTx<'_>, event: CachedEvent) -> Result<CachedEvent> {
    if event.event_name.trim().is_empty() {
        return Err(cct_domain::ValidationError::new("event_name", "is required").into());
    }
    if let Some(course) = event.course_id {
        crate::records::check_references(tx.conn(), &[cct_domain::Reference::to("course_id", "course", course)])?;
    }
    let key = event.planning_center_event_id.clone();
    upsert_cache(tx, "planning_center_events_cache", "planning_center_event_id", &key, event)
}

/// Inserts or refreshes a cached registration by its Planning Center id; audited.
pub fn upsert_registration(tx: &mut WriteTx<'_>, registration: CachedRegistration) -> Result<CachedRegistration> {
    let key = registration.planning_center_registration_id.clone();
    upsert_cache(tx, "planning_center_registrations_cache", "planning_center_registration_id", &key, registration)
}

pub fn cached_event(store: &Store, actor: &Actor, planning_center_event_id: &str) -> Result<Option<CachedEvent>> {
    crate::office::people::require(actor, Permission::CoursesRead)?;
    store.read(|conn| {
        conn.record(
            "planning_center_events_cache",
            "SELECT * FROM planning_center_events_cache WHERE planning_center_event_id = ?1",
            [planning_center_event_id],
        )
    })
}

/// Every Planning Center signup seen at the last syncs, by name: what an offering may be mapped
/// to, so that its registrations enroll people in it.
pub fn cached_events(store: &Store, actor: &Actor) -> Result<Vec<CachedEvent>> {
    crate::office::people::require(actor, Permission::CoursesRead)?;
    store.read(|conn| {
        conn.records(
            "planning_center_events_cache",
            "SELECT * FROM planning_center_events_cache ORDER BY event_name, planning_center_event_id",
            [],
        )
    })
}

pub fn cached_registrations(
    store: &Store,
    actor: &Actor,
    planning_center_event_id: &str,
) -> Result<Vec<CachedRegistration>> {
    crate::office::people::require(actor, Permission::EnrollmentsRead)?;
    store.read(|conn| {
        conn.records(
            "planning_center_registrations_cache",
            "SELECT * FROM planning_center_registrations_cache WHERE planning_center_event_id = ?1 ORDER BY registration_date, id",
            [planning_center_event_id],
        )
    })
}

/// The row is keyed by its Planning Center id: an existing row keeps its local id and creation
/// time, and only changed columns are audited.
fn upsert_cache<T: Serialize + serde::de::DeserializeOwned>(
    tx: &mut WriteTx<'_>,
    table: &'static str,
    key_column: &str,
    key: &str,
    record: T,
) -> Result<T> {
    tx.require(Permission::SyncManage)?;
    if key.trim().is_empty() {
        return Err(cct_domain::ValidationError::new(key_column, "is required").into());
    }
    let mut row = to_row(table, &record)?;
    let now = Value::String(tx.now().to_rfc3339());
    row.insert("updated_at".into(), now.clone());
    row.insert("last_synced_at".into(), now.clone());
    let existing = tx.conn().rows(&format!("SELECT * FROM {table} WHERE {key_column} = ?1"), [key])?.pop();
    match existing {
        None => {
            row.insert("created_at".into(), now);
            insert_row(tx, table, &row)?;
            let id = row.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
            tx.audit(table, &id, AuditAction::Insert, None, Some(&row))?;
        }
        Some(old) => {
            for kept in ["id", "created_at"] {
                if let Some(value) = old.get(kept) {
                    row.insert(kept.into(), value.clone());
                }
            }
            let id = row.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
            let (before, after): (JsonRow, JsonRow) = row
                .iter()
                .filter(|(column, value)| {
                    !matches!(column.as_str(), "updated_at" | "last_synced_at") && old.get(*column) != Some(value)
                })
                .map(|(column, value)| {
                    ((column.clone(), old.get(column).cloned().unwrap_or(Value::Null)), (column.clone(), value.clone()))
                })
                .unzip();
            let uuid = Uuid::parse_str(&id)
                .map_err(|_| StoreError::Constraint(format!("{table} row has a malformed id {id:?}")))?;
            update_row(tx, table, uuid, &row)?;
            if !after.is_empty() {
                tx.audit(table, &id, AuditAction::Update, Some(&before), Some(&after))?;
            }
        }
    }
    from_row(table, row)
}
