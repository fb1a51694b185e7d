//! Syncing without anyone asking: with Planning Center on an interval while online and at once
//! when the network comes back; with the team's hub every minute. Whether Planning Center is
//! reachable is checked by opening a TCP connection to its host now and then; nothing is sent.

use crate::App;
use cct_sync::Progress;
use cct_team::exchange::ExchangeProgress;
use std::time::{Duration, Instant};

pub const SYNC_EVERY: Duration = Duration::from_secs(15 * 60);
pub const CHECK_NETWORK_EVERY: Duration = Duration::from_secs(60);
/// Team sync is cheap when nothing changed (two small queries), and attendance taken in a
/// classroom should reach the office within minutes.
pub const TEAM_SYNC_EVERY: Duration = Duration::from_secs(60);
/// How often to look whether the daily backup is due (it is made once a day).
pub const CHECK_BACKUP_EVERY: Duration = Duration::from_secs(30 * 60);
/// The first look waits this long, so a backup never competes with the first screens.
pub const FIRST_BACKUP_CHECK_AFTER: Duration = Duration::from_secs(60);

/// Syncs with Planning Center for the life of the app. Failures are shown by the sync log and
/// the Planning Center card; the next tick retries.
pub async fn planning_center(
    app: App,
    sync_every: Duration,
    check_every: Duration,
    progress: impl Fn(Progress) + Clone + Send + 'static,
) {
    let mut online = false;
    let mut last_sync: Option<Instant> = None;
    loop {
        let reachable = match app.blocking(|app| app.planning_center_url()).await {
            Ok(url) => reachable(&url).await,
            Err(_) => false,
        };
        let came_back = reachable && !online;
        online = reachable;
        let interval_passed = last_sync.is_none_or(|at| at.elapsed() >= sync_every);
        if online && (came_back || interval_passed) && app.background_sync_due().await {
            let _ = app.run_sync(progress.clone()).await;
            last_sync = Some(Instant::now());
        }
        tokio::time::sleep(check_every).await;
    }
}

/// Can a TCP connection be opened to the API's host? (No request is made.)
pub async fn reachable(base_url: &str) -> bool {
    let Ok(url) = url::Url::parse(base_url) else { return false };
    let (Some(host), Some(port)) = (url.host_str().map(str::to_owned), url.port_or_known_default()) else {
        return false;
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect((host.as_str(), port))).await,
        Ok(Ok(_))
    )
}

/// Team sync for the life of the app, while this device belongs to a team (kiosk mode
/// included: a check-in station's attendance must reach the office). A failure is kept in the
/// device's last error, shown on the Team screen; the next tick tries again with a new
/// connection (the hub may have restarted or moved).
pub async fn team(app: App, every: Duration, progress: impl Fn(ExchangeProgress) + Send + Sync + 'static) {
    loop {
        if app.in_team().await {
            if let Err(error) = app.sync_team(&progress).await {
                app.record_team_error(error.message).await;
                app.drop_team_connection().await;
            }
        }
        tokio::time::sleep(every).await;
    }
}

/// The daily backup, for the life of the app. A failure is kept in the backup settings and
/// shown on the About page; the next look tries again.
pub async fn backups(app: App, first_after: Duration, every: Duration) {
    tokio::time::sleep(first_after).await;
    loop {
        if app.store().is_closed() {
            return;
        }
        let _ = app.blocking(|app| app.back_up_if_due()).await;
        tokio::time::sleep(every).await;
    }
}

/// Prints the station's queued labels for the life of the app: at once when a check-in queues
/// some, and again when a label that the printer did not take falls due (see `printing`).
pub async fn print_labels(app: App) {
    loop {
        let _ = app.blocking(|app| app.print_due_labels()).await;
        let wait = app.next_print_wait();
        tokio::select! {
            _ = app.printer_woken() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}
