//! Authentication: a personal access token (HTTP Basic `app_id:secret`, one church only), or
//! OAuth 2.0 with PKCE for the desktop app, whose tokens live in a [`TokenStore`] (the OS
//! keychain in the app). Access tokens last two hours; refresh tokens are single-use and rotate,
//! so refreshes are serialised and every new pair is saved before it is used.

use crate::error::{PcoError, Result};
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Refresh this long before the access token expires, so a request never starts with a token
/// about to die.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthTokens {
    pub access_token: String,
    pub refresh_token: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub scope: String,
}

// Tokens must never reach logs: Debug shows only their shape.
impl std::fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthTokens")
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl OAuthTokens {
    pub fn expires_soon(&self) -> bool {
        now_secs() + REFRESH_MARGIN.as_secs() as i64 >= self.expires_at
    }
}

pub fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Where OAuth tokens are kept between runs. The app's implementation is the OS keychain; it
/// must never fall back to plaintext.
pub trait TokenStore: Send + Sync {
    fn load(&self) -> std::result::Result<Option<OAuthTokens>, String>;
    fn save(&self, tokens: &OAuthTokens) -> std::result::Result<(), String>;
    fn clear(&self) -> std::result::Result<(), String>;
}

/// Keeps tokens in memory only (tests, and the benchmark).
#[derive(Default)]
pub struct MemoryTokenStore(Mutex<Option<OAuthTokens>>);

impl MemoryTokenStore {
    pub fn with(tokens: OAuthTokens) -> Self {
        Self(Mutex::new(Some(tokens)))
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> std::result::Result<Option<OAuthTokens>, String> {
        Ok(self.0.lock().map_err(|e| e.to_string())?.clone())
    }
    fn save(&self, tokens: &OAuthTokens) -> std::result::Result<(), String> {
        *self.0.lock().map_err(|e| e.to_string())? = Some(tokens.clone());
        Ok(())
    }
    fn clear(&self) -> std::result::Result<(), String> {
        *self.0.lock().map_err(|e| e.to_string())? = None;
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct OAuthApp {
    pub client_id: String,
    /// Public desktop clients have none and rely on PKCE.
    pub client_secret: Option<String>,
}

#[derive(Clone)]
pub enum Credentials {
    PersonalAccessToken { app_id: String, secret: String },
    OAuth { app: OAuthApp, store: Arc<dyn TokenStore> },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::PersonalAccessToken { app_id, .. } => write!(f, "PersonalAccessToken({app_id})"),
            Credentials::OAuth { app, .. } => write!(f, "OAuth({})", app.client_id),
        }
    }
}

/// The start of the authorization-code flow: the URL to open in the system browser, and the
/// secrets to keep until the redirect comes back.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub url: String,
    pub state: String,
    pub code_verifier: String,
}

fn random_urlsafe(bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| fastrand::u8(..)).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// S256: base64url(SHA-256(verifier)).
pub fn code_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Builds `GET /oauth/authorize` with PKCE (S256) and a random `state`.
pub fn authorization_request(
    base_url: &str,
    app: &OAuthApp,
    redirect_uri: &str,
    scopes: &[&str],
) -> Result<AuthorizationRequest> {
    let code_verifier = random_urlsafe(48);
    let state = random_urlsafe(24);
    let mut url = url::Url::parse(base_url)
        .and_then(|u| u.join("/oauth/authorize"))
        .map_err(|e| PcoError::Config(format!("base URL: {e}")))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &app.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", &scopes.join(" "))
        .append_pair("state", &state)
        .append_pair("code_challenge", &code_challenge(&code_verifier))
        .append_pair("code_challenge_method", "S256");
    Ok(AuthorizationRequest { url: url.into(), state, code_verifier })
}

/// The token endpoint's answer.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub scope: String,
}

impl From<TokenResponse> for OAuthTokens {
    fn from(t: TokenResponse) -> Self {
        let issued = t.created_at.unwrap_or_else(now_secs);
        OAuthTokens {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_at: issued + t.expires_in,
            scope: t.scope,
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct OAuthErrorBody {
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        assert_eq!(
            code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn the_authorization_url_carries_pkce_and_state() {
        let app = OAuthApp { client_id: "desktop".into(), client_secret: None };
        let request = authorization_request(
            "https://api.planningcenteronline.com",
            &app,
            "http://127.0.0.1:47100/callback",
            &["people", "registrations"],
        )
        .unwrap();
        let url = url::Url::parse(&request.url).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(url.path(), "/oauth/authorize");
        assert_eq!(q["scope"], "people registrations");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"], code_challenge(&request.code_verifier));
        assert_eq!(q["state"], request.state);
        assert!(request.code_verifier.len() >= 43, "RFC 7636 minimum length");
        let again = authorization_request("https://x.test", &app, "http://127.0.0.1:1/cb", &["people"]).unwrap();
        assert_ne!(again.state, request.state);
    }

    #[test]
    fn tokens_do_not_show_in_debug_output() {
        let tokens = OAuthTokens {
            access_token: "secret-access".into(),
            refresh_token: "secret-refresh".into(),
            expires_at: 0,
            scope: "people".into(),
        };
        let shown = format!("{tokens:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(tokens.expires_soon());
    }
}
