//! What the desktop app does, apart from its window: the shell's commands each check who is
//! asking through [`App`], call one function here or in the store, and hand back its
//! [`Reply`]. Nothing here knows of Tauri, so every rule and cache can be tested without it.
//!
//! - [`session`]: who is signed in on this computer, idle locks, and refusing when nobody is;
//! - [`status`]: what the window shows first (the church, its counts, who is signed in);
//! - [`records`]: the office's direct edits of any record kind;
//! - [`planning_center`]: the connection (keychain, sign-in, the sync engine);
//! - [`team`]: the team's hub (keychain, connection, membership, sync, station letters);
//! - [`station`]: the check-in station (kiosk mode) and its commands;
//! - [`transfer`]: CSV imports with progress and cancel, exports to a folder;
//! - [`updates`]: the office's settings for signed updates;
//! - [`backups`]: backups to a folder, encrypted with the recovery passphrase;
//! - [`recovery`]: the database's key, and restoring or starting afresh when it cannot open;
//! - [`background`]: syncing without anyone asking.

pub mod background;
pub mod backups;
pub mod planning_center;
pub mod printing;
pub mod records;
pub mod recovery;
pub mod reports;
mod secrets;
pub mod session;
pub mod station;
pub mod status;
pub mod team;
pub mod transfer;
pub mod updates;

use cct_domain::{Actor, ErrorCode, ErrorReport};
use cct_store::{Store, WriteTx};
use std::path::Path;
use std::sync::Arc;

/// What a command answers: its value, or the one error type the window receives.
pub type Reply<T> = Result<T, ErrorReport>;

/// Opens a URL in the system browser (the real app), or plays the browser (tests).
pub type OpenBrowser = Arc<dyn Fn(String) -> Result<(), String> + Send + Sync>;

/// The app, shared by every command. Cheap to clone: clones share everything.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    sessions: session::Sessions,
    open_browser: OpenBrowser,
    planning_center: planning_center::Connection,
    team: team::Connection,
    station: station::StationCache,
    import: transfer::ImportControl,
    backups: backups::BackupControl,
    /// Wakes the print worker when labels are queued (see `printing`).
    printer_wake: tokio::sync::Notify,
    /// One pass of the print queue at a time: two at once could send a label twice.
    print_pass: parking_lot::Mutex<()>,
}

impl App {
    /// Opens the database at `path` (creating, encrypting and upgrading it as needed), with
    /// its key from the keychain. Before an upgrade, it is backed up if backups are set up.
    pub fn open(path: &Path, open_browser: OpenBrowser) -> Reply<Self> {
        let key = recovery::database_key(path)?;
        let store = Store::open_with(path, &key, &|pending| backups::before_upgrade(path, pending))?;
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                sessions: Default::default(),
                open_browser,
                planning_center: Default::default(),
                team: Default::default(),
                station: Default::default(),
                import: Default::default(),
                backups: Default::default(),
                printer_wake: Default::default(),
                print_pass: Default::default(),
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Runs `work` on tokio's blocking pool: the store's statements and the keychain block,
    /// and must not hold up the async runtime's workers.
    pub async fn blocking<T: Send + 'static>(&self, work: impl FnOnce(&App) -> Reply<T> + Send + 'static) -> Reply<T> {
        let app = self.clone();
        tokio::task::spawn_blocking(move || work(&app)).await.map_err(|stopped| {
            ErrorReport::new(ErrorCode::Internal, format!("the work stopped before it finished: {stopped}"))
        })?
    }

    /// Reads for the signed-in person (see [`App::signed_in`]).
    pub async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store, &Actor) -> cct_store::Result<T> + Send + 'static,
    ) -> Reply<T> {
        self.blocking(move |app| {
            let actor = app.signed_in()?;
            Ok(work(app.store(), &actor)?)
        })
        .await
    }

    /// One write transaction for the signed-in person: committed if `work` succeeds, rolled
    /// back if it fails. Permissions are the store's to check, against that person's roles.
    pub async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut WriteTx<'_>) -> cct_store::Result<T> + Send + 'static,
    ) -> Reply<T> {
        self.blocking(move |app| {
            let actor = app.signed_in()?;
            Ok(app.store().write(&actor, work)?)
        })
        .await
    }

    pub(crate) fn open_browser(&self) -> &OpenBrowser {
        &self.inner.open_browser
    }
}
