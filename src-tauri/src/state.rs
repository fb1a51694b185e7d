use cct_domain::Actor;
use cct_store::{actor, settings, Store, StoreError};
use cct_sync::SyncEngine;
use std::path::Path;
use std::sync::Arc;
use uuid::Uuid;

/// Opens a URL in the system browser (the real app), or plays the browser (tests).
pub type OpenBrowser = Arc<dyn Fn(String) -> Result<(), String> + Send + Sync>;

/// What the commands share. The signed-in person is read from the store on each call, so a role
/// change takes effect at once.
pub struct AppState {
    pub store: Store,
    pub open_browser: OpenBrowser,
    /// The sync engine for the current Planning Center sign-in, built on first use.
    pub sync: tokio::sync::Mutex<Option<Arc<SyncEngine>>>,
    /// Set by `cancel_import`; the running import stops at its next batch.
    pub import_cancel: std::sync::atomic::AtomicBool,
    /// An update found by the last check, and its verified package once downloaded.
    pub update: crate::updates::Pending,
    /// The team hub connection, once this device belongs to a team and has used it.
    pub team: tokio::sync::Mutex<Option<Arc<crate::team_commands::TeamConnection>>>,
    /// Held while a team sync runs: never two at once.
    pub team_syncing: tokio::sync::Mutex<()>,
    /// The check-in station's configuration and actor, reread every few seconds.
    pub station: crate::kiosk_commands::StationCache,
}

impl AppState {
    pub async fn open(path: &Path, open_browser: OpenBrowser) -> Result<Self, StoreError> {
        Ok(Self {
            store: Store::open(path).await?,
            open_browser,
            sync: tokio::sync::Mutex::new(None),
            import_cancel: Default::default(),
            update: Default::default(),
            team: Default::default(),
            team_syncing: Default::default(),
            station: Default::default(),
        })
    }

    /// The person using the app, if one is set up.
    pub async fn current_actor(&self) -> Result<Option<Actor>, StoreError> {
        let Some(person_id) = settings::get::<Uuid>(&self.store, settings::CURRENT_PERSON).await? else {
            return Ok(None);
        };
        actor::actor_for_person(&self.store, person_id).await.map(Some)
    }

    /// The person using the app; commands that act for someone refuse without one, and refuse
    /// on a check-in station (kiosk mode), where only the kiosk commands act.
    pub async fn signed_in(&self) -> Result<Actor, crate::error::CommandError> {
        if cct_store::kiosk::current(&self.store).await?.is_some() {
            return Err(crate::error::CommandError::new(
                "kiosk_locked",
                "This laptop is a check-in station. An administrator leaves kiosk mode with the station's PIN to do anything else.",
            ));
        }
        self.current_actor().await?.ok_or_else(crate::error::CommandError::sign_in_required)
    }
}
