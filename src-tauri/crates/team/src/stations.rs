//! Check-in station letters, one device each. A station's letter starts every security code it
//! issues, and each laptop counts its codes from 1 each day, so the codes of a day are unique
//! across laptops that cannot see each other only while no two laptops share a letter. The hub
//! gives each letter to the first device that starts a station with it.

use crate::error::{hub_error, Result, TeamError};
use crate::hub::{verify_device, DeviceCredentials, Hub};
use cct_store::checkin::station::{self as kiosk, StationLetterCheck};
use cct_store::Store;

/// Gives `letter` to this device, or confirms it already has it. A letter held by another
/// device is refused, naming that device; one held by a removed device is taken over.
pub async fn claim_letter(hub: &Hub, credentials: &DeviceCredentials, letter: &str) -> Result<()> {
    let mut tx = hub.pool().begin().await.map_err(hub_error)?;
    verify_device(&mut tx, credentials).await?;
    let holder: Option<String> =
        sqlx::query_scalar("SELECT cct_claim_letter($1)").bind(letter).fetch_one(&mut *tx).await.map_err(hub_error)?;
    if let Some(device) = holder {
        return Err(TeamError::StationLetterTaken { letter: letter.to_owned(), device });
    }
    tx.commit().await.map_err(hub_error)?;
    Ok(())
}

/// The letters this device holds, alphabetically.
pub async fn my_letters(hub: &Hub, credentials: &DeviceCredentials) -> Result<Vec<String>> {
    let mut conn = hub.pool().acquire().await.map_err(hub_error)?;
    verify_device(&mut conn, credentials).await?;
    sqlx::query_scalar("SELECT letter FROM hub_station_letter WHERE device_id = $1 ORDER BY letter")
        .bind(&credentials.device_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(hub_error)
}

/// Claims the letter of this laptop's running station if it was started while the hub was out
/// of reach, and records the answer on the station. Returns the new standing, or `None` when
/// there was nothing to confirm.
pub async fn confirm_running_station(
    store: &Store,
    hub: &Hub,
    credentials: &DeviceCredentials,
) -> Result<Option<StationLetterCheck>> {
    let Some(station) = store.call(kiosk::current).await? else { return Ok(None) };
    if station.letter_check != StationLetterCheck::NotConfirmed {
        return Ok(None);
    }
    let (check, holder) = match claim_letter(hub, credentials, &station.station).await {
        Ok(()) => (StationLetterCheck::HeldByThisLaptop, None),
        Err(TeamError::StationLetterTaken { device, .. }) => (StationLetterCheck::TakenByAnother, Some(device)),
        Err(other) => return Err(other),
    };
    store.call(move |store| kiosk::record_letter_check(store, check, holder)).await?;
    Ok(Some(check))
}
