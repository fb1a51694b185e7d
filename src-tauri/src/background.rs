//! Sync without anyone asking: on an interval while online, and at once when the network comes
//! back after being away. Whether Planning Center is reachable is checked by opening a TCP
//! connection to its host now and then; nothing is sent.

use crate::planning_center as pco;
use crate::state::AppState;
use crate::sync_commands::{background_sync_due, run_sync};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Manager, Runtime};

pub const SYNC_EVERY: Duration = Duration::from_secs(15 * 60);
pub const CHECK_NETWORK_EVERY: Duration = Duration::from_secs(60);
/// Team sync is cheap when nothing changed (two small queries), and attendance taken in a
/// classroom should reach the office within minutes.
pub const TEAM_SYNC_EVERY: Duration = Duration::from_secs(60);

/// Runs for the life of the app.
pub async fn run<R: Runtime>(app: AppHandle<R>, sync_every: Duration, check_every: Duration) {
    let mut online = false;
    let mut last_sync: Option<Instant> = None;
    loop {
        let state = app.state::<AppState>();
        let reachable = match pco::base_url(&state.store).await {
            Ok(url) => reachable(&url).await,
            Err(_) => false,
        };
        let came_back = reachable && !online;
        online = reachable;
        let interval_passed = last_sync.is_none_or(|at| at.elapsed() >= sync_every);
        if online && (came_back || interval_passed) && background_sync_due(&state).await {
            // Failures are shown by the sync log and the Planning Center card; the next tick retries.
            let _ = run_sync(&app, &state).await;
            last_sync = Some(Instant::now());
        }
        tokio::time::sleep(check_every).await;
    }
}

/// Can a TCP connection be opened to the API's host? (No request is made.)
pub async fn reachable(base_url: &str) -> bool {
    let Ok(url) = url::Url::parse(base_url) else { return false };
    let (Some(host), Some(port)) = (url.host_str().map(str::to_owned), url.port_or_known_default()) else { return false };
    matches!(tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect((host.as_str(), port))).await, Ok(Ok(_)))
}

/// Team sync for the life of the app, while this device belongs to a team (kiosk mode
/// included: a check-in station's attendance must reach the office). A failure is kept in the
/// device's last error, shown on the Team screen; the next tick tries again.
pub async fn run_team<R: Runtime>(app: AppHandle<R>, every: Duration) {
    loop {
        let state = app.state::<AppState>();
        let joined = cct_store::team::device::membership(&state.store).await.map(|m| m.hub_url.is_some()).unwrap_or(false);
        if joined {
            if let Err(error) = crate::team_commands::run_team_sync(&app, &state).await {
                let _ = cct_store::team::device::record_error(&state.store, Some(&error.message)).await;
                // A new connection next time: the hub may have restarted or moved.
                state.team.lock().await.take();
            }
        }
        tokio::time::sleep(every).await;
    }
}
