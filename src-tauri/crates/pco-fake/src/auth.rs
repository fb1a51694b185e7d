//! Authentication as Planning Center does it: personal access tokens (HTTP Basic
//! `app_id:secret`) and OAuth 2.0 authorization code with PKCE, rotating single-use refresh
//! tokens, and revocation.

use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct OAuthClient {
    pub client_id: String,
    /// `None` for a public client (a desktop app), which must use PKCE.
    pub client_secret: Option<String>,
    pub redirect_uris: Vec<String>,
}

#[derive(Debug)]
struct PendingCode {
    client_id: String,
    redirect_uri: String,
    code_challenge: Option<String>,
    scope: String,
    issued: Instant,
}

#[derive(Debug, Clone)]
struct AccessToken {
    expires: Instant,
    scope: String,
    revoked: bool,
}

#[derive(Debug, Default)]
pub struct AuthState {
    pub personal_access_tokens: Vec<(String, String)>,
    pub clients: Vec<OAuthClient>,
    pub access_token_lifetime: Duration,
    codes: HashMap<String, PendingCode>,
    access: HashMap<String, AccessToken>,
    /// refresh token → (client, scope, used)
    refresh: HashMap<String, (String, String, bool)>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Identity {
    PersonalAccessToken(String),
    OAuth(String),
}

impl Identity {
    /// The key rate limits are counted under.
    pub fn key(&self) -> String {
        match self {
            Identity::PersonalAccessToken(app) => format!("pat:{app}"),
            Identity::OAuth(token) => format!("oauth:{}", &token[..token.len().min(12)]),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum AuthFailure {
    Missing,
    Expired,
    Revoked,
}

#[derive(Debug, PartialEq, Eq)]
pub struct OAuthError {
    pub error: &'static str,
    pub description: String,
}

fn oauth_error(error: &'static str, description: impl Into<String>) -> OAuthError {
    OAuthError { error, description: description.into() }
}

pub struct TokenGrant {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub scope: String,
}

fn random_token() -> String {
    let bytes: Vec<u8> = (0..32).map(|_| fastrand::u8(..)).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn pkce_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl AuthState {
    pub fn new(
        personal_access_tokens: Vec<(String, String)>,
        clients: Vec<OAuthClient>,
        access_token_lifetime: Duration,
    ) -> Self {
        Self { personal_access_tokens, clients, access_token_lifetime, ..Default::default() }
    }

    pub fn authenticate(&self, authorization: Option<&str>) -> Result<Identity, AuthFailure> {
        let header = authorization.ok_or(AuthFailure::Missing)?;
        if let Some(encoded) = header.strip_prefix("Basic ") {
            let decoded =
                base64::engine::general_purpose::STANDARD.decode(encoded.trim()).map_err(|_| AuthFailure::Missing)?;
            let text = String::from_utf8(decoded).map_err(|_| AuthFailure::Missing)?;
            let (app, secret) = text.split_once(':').ok_or(AuthFailure::Missing)?;
            return if self.personal_access_tokens.iter().any(|(a, s)| a == app && s == secret) {
                Ok(Identity::PersonalAccessToken(app.to_owned()))
            } else {
                Err(AuthFailure::Revoked)
            };
        }
        let token = header.strip_prefix("Bearer ").ok_or(AuthFailure::Missing)?.trim();
        match self.access.get(token) {
            None => Err(AuthFailure::Revoked),
            Some(t) if t.revoked => Err(AuthFailure::Revoked),
            Some(t) if Instant::now() >= t.expires => Err(AuthFailure::Expired),
            Some(_) => Ok(Identity::OAuth(token.to_owned())),
        }
    }

    /// The consent step: the fake's user always agrees. Returns the code to send back.
    pub fn authorize(&mut self, params: &HashMap<String, String>) -> Result<String, OAuthError> {
        let get = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
        if get("response_type") != "code" {
            return Err(oauth_error("unsupported_response_type", "response_type must be code"));
        }
        let client = self
            .clients
            .iter()
            .find(|c| c.client_id == get("client_id"))
            .ok_or_else(|| oauth_error("invalid_client", "unknown client_id"))?;
        if !client.redirect_uris.iter().any(|u| u == get("redirect_uri")) {
            return Err(oauth_error("invalid_redirect_uri", "redirect_uri is not registered for this application"));
        }
        let challenge = params.get("code_challenge").cloned();
        match (challenge.as_deref(), get("code_challenge_method")) {
            (Some(_), "S256") => {}
            (Some(_), _) => return Err(oauth_error("invalid_request", "code_challenge_method must be S256")),
            (None, _) if client.client_secret.is_none() => {
                return Err(oauth_error("invalid_request", "a public client must use PKCE"))
            }
            (None, _) => {}
        }
        if get("scope").is_empty() {
            return Err(oauth_error("invalid_scope", "scope is required"));
        }
        let code = random_token();
        self.codes.insert(
            code.clone(),
            PendingCode {
                client_id: client.client_id.clone(),
                redirect_uri: get("redirect_uri").to_owned(),
                code_challenge: challenge,
                scope: get("scope").to_owned(),
                issued: Instant::now(),
            },
        );
        Ok(code)
    }

    pub fn exchange(&mut self, params: &HashMap<String, String>) -> Result<TokenGrant, OAuthError> {
        let get = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
        let client_id = get("client_id").to_owned();
        let client = self
            .clients
            .iter()
            .find(|c| c.client_id == client_id)
            .cloned()
            .ok_or_else(|| oauth_error("invalid_client", "unknown client_id"))?;
        if let Some(secret) = &client.client_secret {
            if !params.contains_key("code_verifier") && get("client_secret") != secret {
                return Err(oauth_error("invalid_client", "client authentication failed"));
            }
        }
        match get("grant_type") {
            "authorization_code" => {
                let pending = self.codes.remove(get("code")).ok_or_else(|| {
                    oauth_error("invalid_grant", "the authorization code is invalid or was already used")
                })?;
                if pending.client_id != client_id || pending.redirect_uri != get("redirect_uri") {
                    return Err(oauth_error("invalid_grant", "the code was issued to another client or redirect_uri"));
                }
                if pending.issued.elapsed() > Duration::from_secs(600) {
                    return Err(oauth_error("invalid_grant", "the authorization code expired"));
                }
                if let Some(challenge) = pending.code_challenge {
                    if pkce_challenge(get("code_verifier")) != challenge {
                        return Err(oauth_error(
                            "invalid_grant",
                            "the code_verifier does not match the code_challenge",
                        ));
                    }
                }
                Ok(self.issue(&client_id, &pending.scope))
            }
            "refresh_token" => {
                let token = get("refresh_token").to_owned();
                let (owner, scope, used) = self
                    .refresh
                    .get(&token)
                    .cloned()
                    .ok_or_else(|| oauth_error("invalid_grant", "the refresh token is invalid"))?;
                if used {
                    return Err(oauth_error("invalid_grant", "the refresh token was already used"));
                }
                if owner != client_id {
                    return Err(oauth_error("invalid_grant", "the refresh token belongs to another client"));
                }
                if let Some(entry) = self.refresh.get_mut(&token) {
                    entry.2 = true;
                }
                Ok(self.issue(&client_id, &scope))
            }
            _ => Err(oauth_error("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")),
        }
    }

    /// RFC 7009: always succeeds; a known token stops working.
    pub fn revoke(&mut self, token: &str) {
        if let Some(access) = self.access.get_mut(token) {
            access.revoked = true;
        }
        if let Some(refresh) = self.refresh.get_mut(token) {
            refresh.2 = true;
        }
    }

    /// Makes a token directly, as if a user had signed in (for tests and the binary).
    pub fn issue(&mut self, client_id: &str, scope: &str) -> TokenGrant {
        let access_token = random_token();
        let refresh_token = random_token();
        self.access.insert(
            access_token.clone(),
            AccessToken {
                expires: Instant::now() + self.access_token_lifetime,
                scope: scope.to_owned(),
                revoked: false,
            },
        );
        self.refresh.insert(refresh_token.clone(), (client_id.to_owned(), scope.to_owned(), false));
        TokenGrant {
            access_token,
            refresh_token,
            expires_in: self.access_token_lifetime.as_secs(),
            scope: scope.to_owned(),
        }
    }

    /// Every access token issued so far expires now (the "expired tokens" fault).
    pub fn expire_access_tokens(&mut self) {
        let now = Instant::now();
        for token in self.access.values_mut() {
            token.expires = now;
        }
    }

    /// A mass revocation: every token stops working, refresh tokens included.
    pub fn revoke_everything(&mut self) {
        for token in self.access.values_mut() {
            token.revoked = true;
        }
        for refresh in self.refresh.values_mut() {
            refresh.2 = true;
        }
    }

    pub fn scope_of(&self, access_token: &str) -> Option<&str> {
        self.access.get(access_token).map(|t| t.scope.as_str())
    }
}
