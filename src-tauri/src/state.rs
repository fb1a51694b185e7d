use cct_domain::Actor;
use cct_store::{actor, settings, Store, StoreError};
use std::path::Path;
use uuid::Uuid;

/// What the commands share: the store. The signed-in person is read from the store on each
/// call, so a role change takes effect at once.
pub struct AppState {
    pub store: Store,
}

impl AppState {
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self { store: Store::open(path).await? })
    }

    /// The person using the app, if one is set up.
    pub async fn current_actor(&self) -> Result<Option<Actor>, StoreError> {
        let Some(person_id) = settings::get::<Uuid>(&self.store, settings::CURRENT_PERSON).await? else {
            return Ok(None);
        };
        actor::actor_for_person(&self.store, person_id).await.map(Some)
    }
}
