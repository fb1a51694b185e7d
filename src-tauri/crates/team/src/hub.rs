//! A connection to the church's hub, and the device credentials every request carries.

use crate::address::HubAddress;
use crate::error::{hub_error, Result, TeamError};
use sha2::{Digest, Sha256};
use sqlx::postgres::PgPool;
use sqlx::{PgConnection, Row};

static HUB_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./hub_migrations");

/// Who a device is to the hub: its id and the secret it was given when it joined (kept in the
/// device's keychain; the hub keeps only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCredentials {
    pub device_id: String,
    pub secret: String,
}

impl DeviceCredentials {
    pub(crate) fn issue(device_id: &str) -> Self {
        Self { device_id: device_id.to_owned(), secret: random_token(32) }
    }
}

pub struct Hub {
    pool: PgPool,
    address: HubAddress,
}

impl Hub {
    /// Connects and brings the hub's tables up to this version of the app. A hub already
    /// migrated by a newer version is left as it is (its extra migrations are ignored).
    pub async fn connect(address: &HubAddress, password: Option<&str>) -> Result<Hub> {
        let pool = address.connect(password).await?;
        let mut migrator =
            sqlx::migrate::Migrator { migrations: HUB_MIGRATOR.migrations.clone(), ..sqlx::migrate::Migrator::DEFAULT };
        migrator.set_ignore_missing(true);
        migrator.run(&pool).await?;
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

/// Checks the device may use the hub, and holds its row until the transaction ends, so a
/// removal waits for a push in flight and no push starts after it.
pub(crate) async fn verify_device(conn: &mut PgConnection, credentials: &DeviceCredentials) -> Result<()> {
    let row =
        sqlx::query("SELECT secret_hash, removed_at IS NOT NULL AS removed FROM hub_device WHERE id = $1 FOR SHARE")
            .bind(&credentials.device_id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(hub_error)?;
    let Some(row) = row else { return Err(TeamError::NotAMember) };
    let (hash, removed): (String, bool) = (row.try_get(0).map_err(hub_error)?, row.try_get(1).map_err(hub_error)?);
    if removed {
        return Err(TeamError::DeviceRemoved);
    }
    if hash != sha256_hex(&credentials.secret) {
        return Err(TeamError::NotAMember);
    }
    Ok(())
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
