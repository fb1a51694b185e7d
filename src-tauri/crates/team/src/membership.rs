//! Who belongs to a church's team: the first device creates it, an administrator makes join
//! codes, a device joins with one, and an administrator can remove a device.

use crate::error::{hub_error, Result, TeamError};
use crate::hub::{random_token, sha256_hex, verify_device, DeviceCredentials, Hub};
use cct_domain::{Actor, Permission};
use cct_store::team::{changes, device};
use cct_store::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use ts_rs::TS;

/// Join codes are short enough to read out over the phone, and single use.
const JOIN_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const JOIN_CODE_LENGTH: usize = 12;

fn require_admin(actor: &Actor) -> Result<()> {
    cct_store::office::people::require(actor, Permission::SyncManage).map_err(TeamError::Store)
}

/// Makes this device the first of a new team on an empty hub, and records everything it
/// already holds as changes for the devices that join later.
pub async fn create_team(
    store: &Store,
    actor: &Actor,
    hub: &Hub,
    church_name: &str,
    device_name: &str,
) -> Result<DeviceCredentials> {
    require_admin(actor)?;
    let me = store.call(device::membership).await?;
    let credentials = DeviceCredentials::issue(&me.device_id);
    let church_id = uuid::Uuid::now_v7().to_string();
    let mut tx = hub.pool().begin().await.map_err(hub_error)?;
    let existing: Option<String> = sqlx::query_scalar("SELECT church_id FROM hub_church FOR UPDATE")
        .fetch_optional(&mut *tx)
        .await
        .map_err(hub_error)?;
    if existing.is_some() {
        return Err(TeamError::AlreadyATeam);
    }
    sqlx::query("INSERT INTO hub_church (church_id, name) VALUES ($1, $2)")
        .bind(&church_id)
        .bind(church_name.trim())
        .execute(&mut *tx)
        .await
        .map_err(hub_error)?;
    upsert_device(&mut tx, &credentials, device_name, None).await?;
    tx.commit().await.map_err(hub_error)?;
    record_joined(store, hub, church_id, device_name, None).await?;
    Ok(credentials)
}

async fn upsert_device(
    conn: &mut sqlx::PgConnection,
    credentials: &DeviceCredentials,
    name: &str,
    campus_scope: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO hub_device (id, name, campus_scope, secret_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, campus_scope = EXCLUDED.campus_scope, secret_hash = EXCLUDED.secret_hash,
             removed_at = NULL, removed_by = NULL, joined_at = now()",
    )
    .bind(&credentials.device_id)
    .bind(name.trim())
    .bind(campus_scope)
    .bind(sha256_hex(&credentials.secret))
    .execute(&mut *conn)
    .await
    .map_err(hub_error)?;
    Ok(())
}

/// A join code an administrator hands to a new device, valid for `valid_for` and once.
/// `campus_scope` makes the device a campus laptop that holds only that campus's roster.
pub async fn make_join_code(
    actor: &Actor,
    hub: &Hub,
    credentials: &DeviceCredentials,
    campus_scope: Option<&str>,
    valid_for: chrono::Duration,
) -> Result<String> {
    require_admin(actor)?;
    let mut tx = hub.pool().begin().await.map_err(hub_error)?;
    verify_device(&mut tx, credentials).await?;
    let code = join_code();
    sqlx::query("INSERT INTO hub_join_code (code_hash, campus_scope, made_by_device, made_by_person, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(sha256_hex(&normalise_code(&code)))
        .bind(campus_scope)
        .bind(&credentials.device_id)
        .bind(actor.person_id.map(|p| p.to_string()))
        .bind(Utc::now() + valid_for)
        .execute(&mut *tx)
        .await
        .map_err(hub_error)?;
    tx.commit().await.map_err(hub_error)?;
    Ok(code)
}

fn join_code() -> String {
    let random = random_token(JOIN_CODE_LENGTH);
    let raw: String = random
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            let byte = u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("00"), 16).unwrap_or(0);
            JOIN_CODE_ALPHABET[byte as usize % JOIN_CODE_ALPHABET.len()] as char
        })
        .collect();
    format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12])
}

/// Codes are typed by people: case, spaces and dashes do not matter.
fn normalise_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// A device that joined, and the campus its code limits it to.
#[derive(Debug, Clone)]
pub struct Joined {
    pub credentials: DeviceCredentials,
    pub campus_scope: Option<String>,
}

/// Joins this device to the hub's team with a join code. A device already in use needs an
/// administrator (`actor`); a new, empty one needs only the code. The code is spent whether
/// or not the device goes on to pull; the pull itself is the next sync.
pub async fn join(store: &Store, actor: Option<&Actor>, hub: &Hub, code: &str, device_name: &str) -> Result<Joined> {
    match actor {
        Some(actor) => require_admin(actor)?,
        None if store_is_empty(store).await? => {}
        None => {
            return Err(TeamError::Store(cct_store::StoreError::Conflict {
                field: "people",
                message: "this computer already holds people: sign in as an administrator to join a team".into(),
            }))
        }
    }
    let me = store.call(device::membership).await?;
    let credentials = DeviceCredentials::issue(&me.device_id);
    let mut tx = hub.pool().begin().await.map_err(hub_error)?;
    let church_id: Option<String> =
        sqlx::query_scalar("SELECT church_id FROM hub_church").fetch_optional(&mut *tx).await.map_err(hub_error)?;
    let church_id = church_id.ok_or(TeamError::NoTeamYet)?;
    let row = sqlx::query("SELECT campus_scope, expires_at, used_at IS NOT NULL AS used FROM hub_join_code WHERE code_hash = $1 FOR UPDATE")
        .bind(sha256_hex(&normalise_code(code)))
        .fetch_optional(&mut *tx)
        .await
        .map_err(hub_error)?;
    let row = row.ok_or(TeamError::JoinCodeUnknown)?;
    let campus_scope: Option<String> = row.try_get(0).map_err(hub_error)?;
    let expires_at: DateTime<Utc> = row.try_get(1).map_err(hub_error)?;
    if row.try_get::<bool, _>(2).map_err(hub_error)? {
        return Err(TeamError::JoinCodeUsed);
    }
    if expires_at < Utc::now() {
        return Err(TeamError::JoinCodeExpired);
    }
    upsert_device(&mut tx, &credentials, device_name, campus_scope.as_deref()).await?;
    sqlx::query("UPDATE hub_join_code SET used_by_device = $1, used_at = now() WHERE code_hash = $2")
        .bind(&credentials.device_id)
        .bind(sha256_hex(&normalise_code(code)))
        .execute(&mut *tx)
        .await
        .map_err(hub_error)?;
    tx.commit().await.map_err(hub_error)?;
    record_joined(store, hub, church_id, device_name, campus_scope.clone()).await?;
    Ok(Joined { credentials, campus_scope })
}

/// This device is now in the hub's team: noted here, and everything it already holds goes into
/// its change log, for the devices that join later (a large church's data: seconds of work, on
/// the blocking pool).
async fn record_joined(
    store: &Store,
    hub: &Hub,
    church_id: String,
    device_name: &str,
    campus_scope: Option<String>,
) -> Result<()> {
    let (address, device_name) = (hub.address().as_str().to_owned(), device_name.to_owned());
    store
        .call(move |store| {
            device::record_joined(store, &address, &church_id, &device_name, campus_scope.as_deref())?;
            changes::record_baseline(store).map(drop)
        })
        .await?;
    Ok(())
}

async fn store_is_empty(store: &Store) -> Result<bool> {
    Ok(store.call(cct_store::office::people::people_count).await? == 0)
}

/// Removes a device from the team: from now on the hub refuses its pushes and pulls. What it
/// already sent stays.
pub async fn remove_device(actor: &Actor, hub: &Hub, credentials: &DeviceCredentials, device_id: &str) -> Result<()> {
    require_admin(actor)?;
    let mut tx = hub.pool().begin().await.map_err(hub_error)?;
    verify_device(&mut tx, credentials).await?;
    let removed =
        sqlx::query("UPDATE hub_device SET removed_at = now(), removed_by = $1 WHERE id = $2 AND removed_at IS NULL")
            .bind(&credentials.device_id)
            .bind(device_id)
            .execute(&mut *tx)
            .await
            .map_err(hub_error)?;
    if removed.rows_affected() == 0 {
        return Err(TeamError::NotAMember);
    }
    tx.commit().await.map_err(hub_error)?;
    Ok(())
}

/// One device of the team as the hub sees it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TeamDevice {
    pub device_id: String,
    pub name: String,
    pub campus_scope: Option<String>,
    pub joined_at: String,
    pub last_contact_at: Option<String>,
    /// Changes the device held unsent when it last reported.
    pub unsent_changes: i64,
    /// Changes from other devices the hub holds that it has not pulled yet.
    pub changes_to_pull: i64,
    pub removed_at: Option<String>,
}

pub async fn devices(hub: &Hub, credentials: &DeviceCredentials) -> Result<Vec<TeamDevice>> {
    let mut conn = hub.pool().acquire().await.map_err(hub_error)?;
    verify_device(&mut conn, credentials).await?;
    let rows = sqlx::query(
        "SELECT d.id, d.name, d.campus_scope, d.joined_at, d.last_contact_at, d.unsent_changes, d.removed_at,
                (SELECT count(*) FROM hub_change c WHERE c.seq > d.pulled_through AND c.device_id <> d.id
                   AND (d.campus_scope IS NULL OR cardinality(c.campus_ids) = 0 OR d.campus_scope = ANY(c.campus_ids))) AS to_pull
         FROM hub_device d ORDER BY d.removed_at IS NOT NULL, d.joined_at",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(hub_error)?;
    let time = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339());
    rows.iter()
        .map(|r| {
            Ok(TeamDevice {
                device_id: r.try_get(0)?,
                name: r.try_get(1)?,
                campus_scope: r.try_get(2)?,
                joined_at: r.try_get::<DateTime<Utc>, _>(3)?.to_rfc3339(),
                last_contact_at: time(r.try_get(4)?),
                unsent_changes: r.try_get(5)?,
                removed_at: time(r.try_get(6)?),
                changes_to_pull: r.try_get(7)?,
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(hub_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_codes_are_easy_to_read_out_and_typed_loosely() {
        let code = join_code();
        assert_eq!(code.len(), 14, "{code}");
        assert!(code.chars().all(|c| c == '-' || JOIN_CODE_ALPHABET.contains(&(c as u8))), "{code}");
        assert_eq!(normalise_code(&code.to_lowercase().replace('-', " ")), normalise_code(&code));
        assert_ne!(join_code(), join_code());
    }
}
