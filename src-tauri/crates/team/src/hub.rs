//! A connection to the church's hub. Each computer logs in as a PostgreSQL role of its own
//! (`cct_d_<device id>`), with a random password from its keychain; the hub's policies and
//! functions decide what that role may do (see the hub migration "device roles"). The hub's
//! owner, the role of the address the team was created with, is used only to create the team
//! and to bring the hub's tables up to a new release.

use crate::address::HubAddress;
use crate::error::{hub_error, Result, TeamError};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sqlx::postgres::PgPool;
use sqlx::PgConnection;

static HUB_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./hub_migrations");

/// The hub's migrations, for a test that builds a hub as an earlier release left it.
pub fn migrations() -> &'static [sqlx::migrate::Migration] {
    &HUB_MIGRATOR.migrations
}

/// Who a device is to the hub: its id, and the password of its role (kept in the device's
/// keychain; the hub holds only a SCRAM verifier of it). Before a device has its role, the
/// same secret is what the release before checked against a hash.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceCredentials {
    pub device_id: String,
    pub secret: String,
}

impl std::fmt::Debug for DeviceCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCredentials").field("device_id", &self.device_id).finish_non_exhaustive()
    }
}

impl DeviceCredentials {
    pub(crate) fn issue(device_id: &str) -> Self {
        Self { device_id: device_id.to_owned(), secret: random_token(32) }
    }

    /// The device's PostgreSQL role: named after its id, so it is known before connecting.
    pub fn role_name(&self) -> String {
        device_role_name(&self.device_id)
    }
}

pub fn device_role_name(device_id: &str) -> String {
    format!("cct_d_{}", device_id.replace('-', ""))
}

pub struct Hub {
    pool: PgPool,
    address: HubAddress,
}

impl Hub {
    /// Connects as this device's own role. Its tables are not migrated from here: a device
    /// role cannot, and needs not.
    pub async fn connect(address: &HubAddress, credentials: &DeviceCredentials) -> Result<Hub> {
        let pool = address
            .connect_as(&credentials.role_name(), Some(&credentials.secret))
            .await
            .map_err(|e| login_refused(e, TeamError::DeviceRemoved, TeamError::NotAMember))?;
        Ok(Hub { pool, address: address.clone() })
    }

    /// Connects as the hub's owner, and brings the hub's tables up to this version of the app.
    /// A hub already migrated by a newer version is left as it is (its extra migrations are
    /// ignored).
    pub async fn connect_as_owner(address: &HubAddress, password: Option<&str>) -> Result<Hub> {
        let pool = address.connect(password).await?;
        let (user, may_create_roles): (String, bool) = sqlx::query_as(
            "SELECT current_user::text, rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user",
        )
        .fetch_one(&pool)
        .await
        .map_err(hub_error)?;
        if !may_create_roles {
            pool.close().await;
            return Err(TeamError::OwnerCannotCreateRoles { user });
        }
        let mut migrator =
            sqlx::migrate::Migrator { migrations: HUB_MIGRATOR.migrations.clone(), ..sqlx::migrate::Migrator::DEFAULT };
        migrator.set_ignore_missing(true);
        migrator.run(&pool).await?;
        Ok(Hub { pool, address: address.clone() })
    }

    /// Connects as a join code's role, which may do one thing: spend the code.
    pub(crate) async fn connect_with_join_code(address: &HubAddress, code: &str) -> Result<Hub> {
        let pool = address
            .connect_as(&join_role_name(code), Some(code))
            .await
            .map_err(|e| login_refused(e, TeamError::JoinCodeUsed, TeamError::JoinCodeUnknown))?;
        Ok(Hub { pool, address: address.clone() })
    }

    pub fn address(&self) -> &HubAddress {
        &self.address
    }

    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A login the server refused: a role that may not log in (a removed device, a spent join
/// code) or a wrong password or unknown role. Anything else is as the connection said.
fn login_refused(error: TeamError, may_not_log_in: TeamError, unknown: TeamError) -> TeamError {
    let code = match &error {
        TeamError::Hub(sqlx::Error::Database(db)) => db.code().map(|c| c.into_owned()),
        _ => None,
    };
    match code.as_deref() {
        Some("28000") => may_not_log_in,
        Some("28P01") => unknown,
        _ => error,
    }
}

/// Checks the calling role is a member of the team, and holds its row until the transaction
/// ends, so a removal waits for a push in flight and no push starts after it. The hub decides
/// (`cct_require_device`); this only checks it answers for the device the app thinks it is.
pub(crate) async fn verify_device(conn: &mut PgConnection, credentials: &DeviceCredentials) -> Result<()> {
    let me: String =
        sqlx::query_scalar("SELECT cct_require_device()").fetch_one(&mut *conn).await.map_err(hub_error)?;
    if me != credentials.device_id {
        return Err(TeamError::NotAMember);
    }
    Ok(())
}

/// The role a join code logs in as: named after a hash of the code, so the name (which every
/// role of the server can list) does not give the code away.
pub(crate) fn join_role_name(code: &str) -> String {
    format!("cct_j_{}", join_role_suffix(code))
}

pub(crate) fn join_role_suffix(code: &str) -> String {
    sha256_hex(&format!("cct join role:{code}"))[..16].to_owned()
}

pub(crate) fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A random token from the OS's generator (UUID v4 draws on it).
pub(crate) fn random_token(bytes: usize) -> String {
    let mut out = String::new();
    while out.len() < bytes * 2 {
        out.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    out.truncate(bytes * 2);
    out
}

/// What PostgreSQL stores for a SCRAM-SHA-256 password (RFC 5802, 7677): the hub is handed
/// this, never the password, so neither its statement log nor its catalog ever holds one.
/// Passwords here are ASCII, which SASLprep leaves as they are.
pub(crate) fn scram_verifier(password: &str) -> String {
    const ITERATIONS: u32 = 4096;
    let salt = *uuid::Uuid::new_v4().as_bytes();
    let mut salted = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), &salt, ITERATIONS, &mut salted);
    let keyed = |label: &[u8]| {
        // HMAC takes a key of any length; 32 bytes cannot be refused.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&salted).expect("HMAC accepts any key length");
        mac.update(label);
        mac.finalize().into_bytes()
    };
    let stored_key = Sha256::digest(keyed(b"Client Key"));
    let server_key = keyed(b"Server Key");
    format!(
        "SCRAM-SHA-256${ITERATIONS}:{}${}:{}",
        BASE64.encode(salt),
        BASE64.encode(stored_key),
        BASE64.encode(server_key)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scram_verifier_has_postgresqls_shape_and_a_fresh_salt() {
        let verifier = scram_verifier("correct horse");
        let (head, keys) = verifier.split_once('$').and_then(|(_, rest)| rest.split_once('$')).unwrap();
        assert!(head.starts_with("4096:") && keys.contains(':'), "{verifier}");
        assert!(!verifier.contains("correct horse"));
        assert_ne!(scram_verifier("correct horse"), verifier, "each verifier has its own salt");
    }

    #[test]
    fn credentials_never_print_their_secret() {
        let credentials = DeviceCredentials::issue("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
        assert!(!format!("{credentials:?}").contains(&credentials.secret));
        assert_eq!(credentials.role_name(), "cct_d_0190a1b2c3d47e5f8a9b0c1d2e3f4a5b");
    }
}
