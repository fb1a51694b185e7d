//! People's passwords travel between the church's computers through the hub, hashes only, on
//! a channel of their own (never the change log): each sync sends the ones set here and takes
//! the others'. The latest set anywhere wins.

use crate::error::{hub_error, Result};
use crate::hub::{verify_device, DeviceCredentials, Hub};
use cct_store::access::{self, SharedCredential};
use cct_store::Store;
use sqlx::Row;

/// Sends this computer's new credentials, then takes in every credential the hub holds.
/// Returns how many changed here.
pub async fn exchange(store: &Store, hub: &Hub, credentials: &DeviceCredentials) -> Result<usize> {
    let unsent = store.call(access::unshared_credentials).await?;
    let mut tx = hub.pool().begin().await.map_err(hub_error)?;
    verify_device(&mut tx, credentials).await?;
    for credential in &unsent {
        sqlx::query("SELECT cct_put_sign_in($1, $2, $3, $4)")
            .bind(&credential.people_id)
            .bind(&credential.password_hash)
            .bind(&credential.set_at)
            .bind(&credential.set_on_device)
            .execute(&mut *tx)
            .await
            .map_err(hub_error)?;
    }
    let rows = sqlx::query("SELECT people_id, password_hash, set_at, set_on_device FROM hub_sign_in")
        .fetch_all(&mut *tx)
        .await
        .map_err(hub_error)?;
    tx.commit().await.map_err(hub_error)?;
    store.call(move |store| access::mark_credentials_shared(store, &unsent)).await?;
    let held = rows
        .iter()
        .map(|row| {
            Ok(SharedCredential {
                people_id: row.try_get(0)?,
                password_hash: row.try_get(1)?,
                set_at: row.try_get(2)?,
                set_on_device: row.try_get(3)?,
            })
        })
        .collect::<std::result::Result<Vec<_>, sqlx::Error>>()
        .map_err(hub_error)?;
    Ok(store.call(move |store| access::apply_shared_credentials(store, &held)).await?)
}
