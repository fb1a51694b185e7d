//! Who belongs to a church's team: the first device creates it, an administrators' computer
//! makes join codes, a device joins with one, and an administrators' computer can remove a
//! device. Each device has a PostgreSQL role of its own; the hub's functions make and end them.

use crate::error::{hub_error, Result, TeamError};
use crate::hub::{join_role_suffix, random_token, scram_verifier, sha256_hex, verify_device, DeviceCredentials, Hub};
use crate::HubAddress;
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
/// already holds as changes for the devices that join later. `owner` is connected as the hub's
/// owner (`Hub::connect_as_owner`): it makes this computer's role, an administrators' one.
pub async fn create_team(
    store: &Store,
    actor: &Actor,
    owner: &Hub,
    church_name: &str,
    device_name: &str,
) -> Result<DeviceCredentials> {
    require_admin(actor)?;
    let me = store.call(device::membership).await?;
    let credentials = DeviceCredentials::issue(&me.device_id);
    let church_id = uuid::Uuid::now_v7().to_string();
    let mut tx = owner.pool().begin().await.map_err(hub_error)?;
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
    sqlx::query("SELECT cct_enrol_device($1, $2, NULL, TRUE, $3)")
        .bind(&credentials.device_id)
        .bind(device_name.trim())
        .bind(scram_verifier(&credentials.secret))
        .execute(&mut *tx)
        .await
        .map_err(hub_error)?;
    tx.commit().await.map_err(hub_error)?;
    record_joined(store, owner.address(), church_id, device_name, None, true).await?;
    Ok(credentials)
}

/// What a join code lets the computer that uses it be.
#[derive(Debug, Clone, Copy, Default)]
pub struct JoinCodeFor<'a> {
    /// A campus laptop that holds only that campus's roster.
    pub campus_scope: Option<&'a str>,
    /// An administrators' computer, which may add and remove devices in turn.
    pub may_add_devices: bool,
}

/// A join code an administrator hands to a new device, valid for `valid_for` and once. The hub
/// makes it a role that can log in once, with the code as its password, and do nothing but
/// spend the code; only an administrators' computer may make one.
pub async fn make_join_code(
    actor: &Actor,
    hub: &Hub,
    credentials: &DeviceCredentials,
    code_for: JoinCodeFor<'_>,
    valid_for: chrono::Duration,
) -> Result<String> {
    require_admin(actor)?;
    let mut tx = hub.pool().begin().await.map_err(hub_error)?;
    verify_device(&mut tx, credentials).await?;
    let code = normalise_code(&join_code());
    sqlx::query("SELECT cct_make_join_code($1, $2, $3, $4, $5, $6, $7)")
        .bind(sha256_hex(&code))
        .bind(join_role_suffix(&code))
        .bind(scram_verifier(&code))
        .bind(code_for.campus_scope)
        .bind(code_for.may_add_devices)
        .bind(actor.person_id.map(|p| p.to_string()))
        .bind(Utc::now() + valid_for)
        .execute(&mut *tx)
        .await
        .map_err(hub_error)?;
    tx.commit().await.map_err(hub_error)?;
    Ok(format!("{}-{}-{}", &code[0..4], &code[4..8], &code[8..12]))
}

fn join_code() -> String {
    let random = random_token(JOIN_CODE_LENGTH);
    random
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            let byte = u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("00"), 16).unwrap_or(0);
            JOIN_CODE_ALPHABET[byte as usize % JOIN_CODE_ALPHABET.len()] as char
        })
        .collect()
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
/// administrator (`actor`); a new, empty one needs only the code. The device logs in as the
/// code's role, and the hub (`cct_join`) spends the code and makes the device's own role, with
/// the password this device keeps. The code is spent whether or not the device goes on to
/// pull; the pull itself is the next sync.
pub async fn join(
    store: &Store,
    actor: Option<&Actor>,
    address: &HubAddress,
    code: &str,
    device_name: &str,
) -> Result<Joined> {
    let empty = store_is_empty(store).await?;
    match actor {
        Some(actor) => require_admin(actor)?,
        None if empty => {}
        None => {
            return Err(TeamError::Store(cct_store::StoreError::Conflict {
                field: "people",
                message: "this computer already holds people: sign in as an administrator to join a team".into(),
            }))
        }
    }
    let me = store.call(device::membership).await?;
    let credentials = DeviceCredentials::issue(&me.device_id);
    let with_code = Hub::connect_with_join_code(address, &normalise_code(code)).await?;
    let joined = sqlx::query("SELECT church_id, campus_scope FROM cct_join($1, $2, $3)")
        .bind(&credentials.device_id)
        .bind(device_name.trim())
        .bind(scram_verifier(&credentials.secret))
        .fetch_one(with_code.pool())
        .await
        .map_err(hub_error);
    with_code.close().await;
    let joined = joined?;
    let church_id: String = joined.try_get(0).map_err(hub_error)?;
    let campus_scope: Option<String> = joined.try_get(1).map_err(hub_error)?;
    // A new, empty computer holds only what every computer starts with (the default office
    // rules, the built-in roles): logged now, with this computer's clock, they would beat the
    // team's own versions of them. Those arrive with the first pull instead.
    record_joined(store, address, church_id, device_name, campus_scope.clone(), !empty).await?;
    Ok(Joined { credentials, campus_scope })
}

/// This device is now in the hub's team: noted here, and (with `baseline`) everything it
/// already holds goes into its change log, for the devices that join later (a large church's
/// data: seconds of work, on the blocking pool).
async fn record_joined(
    store: &Store,
    address: &HubAddress,
    church_id: String,
    device_name: &str,
    campus_scope: Option<String>,
    baseline: bool,
) -> Result<()> {
    let (address, device_name) = (address.as_str().to_owned(), device_name.to_owned());
    store
        .call(move |store| {
            device::record_joined(store, &address, &church_id, &device_name, campus_scope.as_deref())?;
            if baseline {
                changes::record_baseline(store)?;
            }
            Ok(())
        })
        .await?;
    Ok(())
}

async fn store_is_empty(store: &Store) -> Result<bool> {
    Ok(store.call(cct_store::office::people::people_count).await? == 0)
}

/// Removes a device from the team: its role can no longer log in, and its open connections
/// are ended (`cct_remove_device`). What it already sent stays.
pub async fn remove_device(actor: &Actor, hub: &Hub, credentials: &DeviceCredentials, device_id: &str) -> Result<()> {
    require_admin(actor)?;
    let mut tx = hub.pool().begin().await.map_err(hub_error)?;
    verify_device(&mut tx, credentials).await?;
    let removed: bool = sqlx::query_scalar("SELECT cct_remove_device($1)")
        .bind(device_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(hub_error)?;
    if !removed {
        return Err(TeamError::NotAMember);
    }
    tx.commit().await.map_err(hub_error)?;
    Ok(())
}

/// A computer of a team made by the release before, which logged in as the hub's shared role,
/// takes a role of its own, proving it holds its device secret. `owner` is the shared role's
/// connection (which brought the hub's tables up to date). Returns whether the device is an
/// administrators' computer, the only kind that keeps the shared role's password.
pub async fn adopt_own_role(owner: &Hub, credentials: &DeviceCredentials) -> Result<bool> {
    let mut tx = owner.pool().begin().await.map_err(hub_error)?;
    sqlx::query("SELECT cct_adopt_role($1, $2, $3)")
        .bind(&credentials.device_id)
        .bind(sha256_hex(&credentials.secret))
        .bind(scram_verifier(&credentials.secret))
        .execute(&mut *tx)
        .await
        .map_err(hub_error)?;
    let may_add_devices: bool = sqlx::query_scalar("SELECT may_add_devices FROM hub_device WHERE id = $1")
        .bind(&credentials.device_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(hub_error)?;
    tx.commit().await.map_err(hub_error)?;
    Ok(may_add_devices)
}

/// This device's own role on the hub, if it has one yet.
#[derive(Debug, Clone, Copy)]
pub struct OwnRole {
    pub may_add_devices: bool,
}

pub async fn own_role(owner: &Hub, device_id: &str) -> Result<Option<OwnRole>> {
    let row = sqlx::query("SELECT may_add_devices FROM hub_device WHERE id = $1 AND role_name IS NOT NULL")
        .bind(device_id)
        .fetch_optional(owner.pool())
        .await
        .map_err(hub_error)?;
    row.map(|r| Ok(OwnRole { may_add_devices: r.try_get(0).map_err(hub_error)? })).transpose()
}

/// Whether the shared role's password, which every computer of the release before kept, can
/// stop working: on a hub of the release before, once every device of the team has a role of
/// its own. A team created by this release keeps its owner's password as it was set. A superuser's password
/// serves the whole server, and is its administrator's to change: never here.
pub async fn shared_password_can_retire(owner: &Hub) -> Result<bool> {
    let waiting: i64 =
        sqlx::query_scalar("SELECT count(*) FROM hub_device WHERE removed_at IS NULL AND role_name IS NULL")
            .fetch_one(owner.pool())
            .await
            .map_err(hub_error)?;
    let superuser: bool = sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        .fetch_one(owner.pool())
        .await
        .map_err(hub_error)?;
    let in_use: bool = sqlx::query_scalar("SELECT shared_password_in_use FROM hub_roles")
        .fetch_one(owner.pool())
        .await
        .map_err(hub_error)?;
    Ok(in_use && waiting == 0 && !superuser)
}

/// A new password for the hub's owner, for the one computer that keeps it.
pub fn new_owner_password() -> String {
    random_token(32)
}

/// Gives the hub's owner role a new password (keep it first: the old one stops working).
pub async fn set_owner_password(owner: &Hub, password: &str) -> Result<()> {
    // ALTER ROLE takes no parameters; a verifier is base64, digits, ':' and '$', none of which
    // a quoted literal changes.
    let mut tx = owner.pool().begin().await.map_err(hub_error)?;
    sqlx::query(&format!("ALTER ROLE CURRENT_USER PASSWORD '{}'", scram_verifier(password)))
        .execute(&mut *tx)
        .await
        .map_err(hub_error)?;
    sqlx::query("UPDATE hub_roles SET shared_password_in_use = FALSE").execute(&mut *tx).await.map_err(hub_error)?;
    tx.commit().await.map_err(hub_error)
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
    /// Changes from other devices the hub holds that it has not pulled yet (the latest
    /// snapshot's, and the log's after it, for a computer behind the pruned part of the log).
    pub changes_to_pull: i64,
    pub removed_at: Option<String>,
}

pub async fn devices(hub: &Hub, credentials: &DeviceCredentials) -> Result<Vec<TeamDevice>> {
    let mut conn = hub.pool().acquire().await.map_err(hub_error)?;
    verify_device(&mut conn, credentials).await?;
    let rows = sqlx::query(
        // A computer whose unfetched changes were pruned will take the latest snapshot and then
        // the log after it: that is what it has to fetch.
        "WITH latest AS (SELECT id, through_seq FROM hub_snapshot ORDER BY id DESC LIMIT 1),
              pruned AS (SELECT pruned_through FROM hub_compaction)
         SELECT d.id, d.name, d.campus_scope, d.joined_at, d.last_contact_at, d.unsent_changes, d.removed_at,
                CASE WHEN d.pulled_through < (SELECT pruned_through FROM pruned) THEN
                    (SELECT count(*) FROM hub_snapshot_change s WHERE s.snapshot_id = (SELECT id FROM latest)
                       AND (d.campus_scope IS NULL OR cardinality(s.campus_ids) = 0 OR d.campus_scope = ANY(s.campus_ids)))
                  + (SELECT count(*) FROM hub_change c WHERE c.seq > (SELECT through_seq FROM latest) AND c.device_id <> d.id
                       AND (d.campus_scope IS NULL OR cardinality(c.campus_ids) = 0 OR d.campus_scope = ANY(c.campus_ids)))
                ELSE
                    (SELECT count(*) FROM hub_change c WHERE c.seq > d.pulled_through AND c.device_id <> d.id
                       AND (d.campus_scope IS NULL OR cardinality(c.campus_ids) = 0 OR d.campus_scope = ANY(c.campus_ids)))
                END AS to_pull
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
        let code = format!("{}-{}-{}", &code[0..4], &code[4..8], &code[8..12]);
        assert_eq!(code.len(), 14, "{code}");
        assert!(code.chars().all(|c| c == '-' || JOIN_CODE_ALPHABET.contains(&(c as u8))), "{code}");
        assert_eq!(normalise_code(&code.to_lowercase().replace('-', " ")), normalise_code(&code));
        assert_ne!(join_code(), join_code());
    }
}
