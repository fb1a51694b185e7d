//! Which device sends an outbox entry to Planning Center. Outbox entries are shared with the
//! whole team, so several signed-in devices could send the same one; a lease in the hub lets
//! exactly one of them do it, and records that it was done. The same lease, keyed by the
//! card's mark, lets one device make each renewal workflow card.

use crate::error::{hub_error, Result};
use crate::hub::{verify_device, DeviceCredentials, Hub};
use sqlx::Row;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This device holds the lease: it sends the entries, then calls [`complete`].
    Granted,
    /// Another device holds a live lease on one of them; leave them for now.
    HeldElsewhere { device_id: String },
    /// Another device already sent them.
    AlreadySent,
}

/// Claims every entry of one record's outbox group, or none: a group is sent whole.
pub async fn claim(
    hub: &Hub,
    credentials: &DeviceCredentials,
    outbox_ids: &[String],
    lease: Duration,
) -> Result<Claim> {
    let mut tx = hub.pool().begin().await.map_err(hub_error)?;
    verify_device(&mut tx, credentials).await?;
    for id in outbox_ids {
        let answer = sqlx::query("SELECT granted, already_sent, held_by FROM cct_claim_lease($1, $2)")
            .bind(id)
            .bind(lease.as_secs_f64())
            .fetch_one(&mut *tx)
            .await
            .map_err(hub_error)?;
        if !answer.try_get::<bool, _>(0).map_err(hub_error)? {
            let sent: bool = answer.try_get(1).map_err(hub_error)?;
            // Dropping the transaction gives back what this call had claimed.
            return Ok(if sent {
                Claim::AlreadySent
            } else {
                Claim::HeldElsewhere { device_id: answer.try_get(2).map_err(hub_error)? }
            });
        }
    }
    tx.commit().await.map_err(hub_error)?;
    Ok(Claim::Granted)
}

/// Records that this device sent the entries (or settled them for good).
pub async fn complete(hub: &Hub, credentials: &DeviceCredentials, outbox_ids: &[String]) -> Result<()> {
    let mut tx = hub.pool().begin().await.map_err(hub_error)?;
    verify_device(&mut tx, credentials).await?;
    sqlx::query("SELECT cct_complete_leases($1)").bind(outbox_ids).execute(&mut *tx).await.map_err(hub_error)?;
    tx.commit().await.map_err(hub_error)
}

/// Long enough to send one record's changes to Planning Center, rate limits and retries
/// included; a device that dies holding a lease gives it up when it runs out.
const SEND_LEASE: Duration = Duration::from_secs(120);

/// The sync engine's view of the hub: it asks before sending each outbox group. Connects on
/// first use; while the hub cannot be reached, every claim fails and the entries stay queued
/// (sending without the hub's word could send them twice).
pub struct HubLease {
    connection: tokio::sync::Mutex<Option<std::sync::Arc<Hub>>>,
    address: crate::HubAddress,
    credentials: DeviceCredentials,
}

impl HubLease {
    pub fn new(hub: std::sync::Arc<Hub>, credentials: DeviceCredentials) -> Self {
        let address = hub.address().clone();
        Self { connection: tokio::sync::Mutex::new(Some(hub)), address, credentials }
    }

    pub fn lazy(address: crate::HubAddress, credentials: DeviceCredentials) -> Self {
        Self { connection: tokio::sync::Mutex::new(None), address, credentials }
    }

    async fn hub(&self) -> Result<std::sync::Arc<Hub>> {
        let mut slot = self.connection.lock().await;
        if let Some(hub) = slot.as_ref() {
            return Ok(hub.clone());
        }
        let hub = std::sync::Arc::new(Hub::connect(&self.address, &self.credentials).await?);
        *slot = Some(hub.clone());
        Ok(hub)
    }
}

impl cct_sync::OutboxLease for HubLease {
    fn claim<'a>(&'a self, entry_ids: &'a [String]) -> cct_sync::LeaseFuture<'a, cct_sync::LeaseDecision> {
        Box::pin(async move {
            let hub = self.hub().await.map_err(|e| e.to_string())?;
            match claim(&hub, &self.credentials, entry_ids, SEND_LEASE).await.map_err(|e| e.to_string())? {
                Claim::Granted => Ok(cct_sync::LeaseDecision::Send),
                Claim::HeldElsewhere { .. } => Ok(cct_sync::LeaseDecision::Skip),
                Claim::AlreadySent => Ok(cct_sync::LeaseDecision::AlreadySent),
            }
        })
    }

    fn complete<'a>(&'a self, entry_ids: &'a [String]) -> cct_sync::LeaseFuture<'a, ()> {
        Box::pin(async move {
            let hub = self.hub().await.map_err(|e| e.to_string())?;
            complete(&hub, &self.credentials, entry_ids).await.map_err(|e| e.to_string())
        })
    }
}
