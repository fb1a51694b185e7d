//! This computer's connection to Planning Center: where it is, how it signs in (secrets in the
//! OS keychain, the choice in office settings), and the sync engine built from them.

use crate::error::CommandError;
use cct_planning_center::{Client, ClientConfig, Credentials, OAuthApp, PRODUCTION_URL};
use cct_signin::{KeychainSecret, KeychainTokenStore};
use cct_store::{settings, Store};
use cct_sync::{SyncEngine, SyncSettings};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Overrides the API base URL, e.g. to try the app against `pco-fake`.
pub const BASE_URL_ENV: &str = "CCT_PCO_BASE_URL";
/// The OAuth client id of the Planning Center application this build is registered as.
pub const CLIENT_ID_ENV: &str = "CCT_PCO_CLIENT_ID";
pub const DEFAULT_CLIENT_ID: &str = "church-course-tracker-desktop";
/// Registered redirect ports: `http://127.0.0.1:{port}/callback`.
pub const REDIRECT_PORTS: [u16; 3] = [47_100, 47_101, 47_102];
pub const SCOPES: [&str; 4] = ["people", "registrations", "check_ins", "groups"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SignIn {
    Oauth,
    PersonalAccessToken { app_id: String },
}

pub async fn base_url(store: &Store) -> Result<String, CommandError> {
    if let Ok(url) = std::env::var(BASE_URL_ENV) {
        return Ok(url);
    }
    Ok(settings::get::<String>(store, settings::PCO_BASE_URL).await?.unwrap_or_else(|| PRODUCTION_URL.to_owned()))
}

pub fn oauth_app() -> OAuthApp {
    OAuthApp { client_id: std::env::var(CLIENT_ID_ENV).unwrap_or_else(|_| DEFAULT_CLIENT_ID.to_owned()), client_secret: None }
}

/// The keychain account for a server: production and a test server never share a sign-in.
pub fn keychain_account(base_url: &str) -> String {
    url::Url::parse(base_url).ok().and_then(|u| u.host_str().map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(443)))).unwrap_or_else(|| base_url.to_owned())
}

pub fn token_store(base_url: &str) -> Result<Arc<KeychainTokenStore>, CommandError> {
    KeychainTokenStore::new(&keychain_account(base_url)).map(Arc::new).map_err(CommandError::keychain)
}

/// The sign-in saved for this computer, as client credentials, or `None` when signed out.
pub async fn credentials(store: &Store) -> Result<Option<(Credentials, SignIn)>, CommandError> {
    let Some(sign_in) = settings::get::<SignIn>(store, settings::PCO_SIGN_IN).await? else { return Ok(None) };
    let base = base_url(store).await?;
    let credentials = match &sign_in {
        SignIn::Oauth => Credentials::OAuth { app: oauth_app(), store: token_store(&base)? },
        SignIn::PersonalAccessToken { app_id } => {
            let secret = KeychainSecret::personal_access_token(app_id).and_then(|s| s.load()).map_err(CommandError::keychain)?;
            let Some(secret) = secret else { return Ok(None) };
            Credentials::PersonalAccessToken { app_id: app_id.clone(), secret }
        }
    };
    Ok(Some((credentials, sign_in)))
}

pub async fn client(store: &Store, credentials: Credentials) -> Result<Client, CommandError> {
    Client::new(ClientConfig::new(base_url(store).await?, credentials)).map_err(CommandError::from)
}

pub fn engine(store: &Store, client: Client) -> Arc<SyncEngine> {
    SyncEngine::new(store.clone(), client, SyncSettings::default())
}
