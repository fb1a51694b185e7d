//! The HTTP client: every request is paced under the rate limit, authenticated, and retried
//! where a retry can help (429 after `Retry-After`; 5xx, timeouts and cut connections with
//! exponential backoff and jitter; a 401 once after refreshing the OAuth token). Other 4xx
//! answers fail at once with Planning Center's own error details.

use crate::auth::{Credentials, OAuthErrorBody, OAuthTokens, TokenResponse};
use crate::error::{ApiErrorObject, PcoError, RequestLabel, Result};
use crate::jsonapi::{ListDocument, SingleDocument};
use crate::pacing::{self, Pacer};
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const PRODUCTION_URL: &str = "https://api.planningcenteronline.com";
/// The People API version this client is written against.
pub const API_VERSION: &str = "2025-11-10";

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; longer values are clamped.
    pub max_retry_after: Duration,
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `https://api.planningcenteronline.com`, or a server implementing the same API.
    pub base_url: String,
    pub credentials: Credentials,
    pub retry: RetryPolicy,
    /// The limit assumed until the first response says otherwise.
    pub rate_limit: u32,
    pub rate_period: Duration,
    pub user_agent: String,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Self {
        Self {
            base_url: base_url.into(),
            credentials,
            retry: RetryPolicy::default(),
            rate_limit: 100,
            rate_period: Duration::from_secs(20),
            user_agent: concat!("ChurchCourseTracker/", env!("CARGO_PKG_VERSION")).into(),
        }
    }
}

/// Counters of what the client did, for the sync log and benchmarks.
#[derive(Debug, Default)]
pub struct ClientStats {
    pub requests: AtomicU64,
    pub rate_limited: AtomicU64,
    pub retries: AtomicU64,
    pub refreshes: AtomicU64,
}

#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: url::Url,
    config: ClientConfig,
    pacer: Pacer,
    /// Serialises token refreshes: refresh tokens are single-use.
    refresh_lock: tokio::sync::Mutex<()>,
    stats: ClientStats,
}

enum Attempt {
    Done(reqwest::Response),
    Retry { wait: Duration, reason: RetryReason },
    Fail(PcoError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RetryReason {
    RateLimited,
    ServerError,
    Transport,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self> {
        let base = url::Url::parse(&config.base_url)
            .map_err(|e| PcoError::Config(format!("base URL {:?}: {e}", config.base_url)))?;
        if !matches!(base.scheme(), "https" | "http") {
            return Err(PcoError::Config(format!("base URL must be http(s), got {}", base.scheme())));
        }
        let http = reqwest::Client::builder()
            .timeout(config.retry.request_timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| PcoError::Config(format!("HTTP client: {e}")))?;
        let pacer = Pacer::new(config.rate_limit, config.rate_period);
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                config,
                pacer,
                refresh_lock: tokio::sync::Mutex::new(()),
                stats: ClientStats::default(),
            }),
        })
    }

    pub fn stats(&self) -> &ClientStats {
        &self.inner.stats
    }

    pub fn base_url(&self) -> &url::Url {
        &self.inner.base
    }

    /// GET a list document. `path_or_url` is an API path (`/people/v2/people`) or a full
    /// `links.next` URL from a previous page.
    pub async fn get_list(&self, path_or_url: &str, query: &[(&str, String)]) -> Result<ListDocument> {
        let (body, label) = self.send(Method::GET, path_or_url, query, None).await?;
        // Some lists answer `204 No Content` with no body at all when they hold nothing
        // (recorded on `/people/v2/lists/{id}/run`): an empty list, not a decoding error.
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(ListDocument::default());
        }
        decode(&body, label)
    }

    pub async fn get_one(&self, path: &str, query: &[(&str, String)]) -> Result<SingleDocument> {
        let (body, label) = self.send(Method::GET, path, query, None).await?;
        decode(&body, label)
    }

    /// POST is not retried after a cut connection or a 5xx unless the caller made it safe to
    /// repeat (the sync engine matches before creating); 429 is always safe to retry.
    pub async fn post(&self, path: &str, body: Value) -> Result<SingleDocument> {
        let (body, label) = self.send(Method::POST, path, &[], Some(body)).await?;
        decode(&body, label)
    }

    /// POST an action that answers with no document, such as running a list (`204 No Content`).
    pub async fn post_action(&self, path: &str) -> Result<()> {
        self.send(Method::POST, path, &[], None).await.map(drop)
    }

    pub async fn patch(&self, path: &str, body: Value) -> Result<SingleDocument> {
        let (body, label) = self.send(Method::PATCH, path, &[], Some(body)).await?;
        decode(&body, label)
    }

    pub async fn delete(&self, path: &str) -> Result<()> {
        self.send(Method::DELETE, path, &[], None).await.map(|_| ())
    }

    fn url_for(&self, path_or_url: &str, query: &[(&str, String)]) -> Result<url::Url> {
        let mut url = if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            let url =
                url::Url::parse(path_or_url).map_err(|e| PcoError::Config(format!("URL {path_or_url:?}: {e}")))?;
            // A `links.next` must point at the configured server, never elsewhere.
            if url.origin() != self.inner.base.origin() {
                return Err(PcoError::Config(format!(
                    "refusing to follow a link to another server: {}",
                    url.origin().ascii_serialization()
                )));
            }
            url
        } else {
            self.inner.base.join(path_or_url).map_err(|e| PcoError::Config(format!("path {path_or_url:?}: {e}")))?
        };
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }

    /// Sends one API request with pacing, authentication and retries.
    async fn send(
        &self,
        method: Method,
        path_or_url: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<(Vec<u8>, RequestLabel)> {
        let url = self.url_for(path_or_url, query)?;
        let label = RequestLabel { method: method.to_string(), path: url.path().to_owned() };
        let policy = &self.inner.config.retry;
        // A POST that may have reached the server is not repeated: it could create twice.
        let repeatable = method != Method::POST;
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.inner.pacer.acquire().await;
            let authorization = self.authorization(false).await?;
            let mut request = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .header("Authorization", &authorization)
                .header("Accept", "application/vnd.api+json")
                .header("X-PCO-API-Version", API_VERSION);
            if let Some(body) = &body {
                request = request.header("Content-Type", "application/vnd.api+json").body(body.to_string());
            }
            self.inner.stats.requests.fetch_add(1, Ordering::Relaxed);
            let outcome = match request.send().await {
                Ok(response) => self.classify(response, &label, attempt).await,
                Err(error) => {
                    if attempt >= policy.max_attempts || !(repeatable || error.is_connect()) {
                        Attempt::Fail(PcoError::Transport { request: label.clone(), attempts: attempt, source: error })
                    } else {
                        Attempt::Retry { wait: self.backoff(attempt), reason: RetryReason::Transport }
                    }
                }
            };
            match outcome {
                Attempt::Done(response) if response.status() == StatusCode::UNAUTHORIZED => {
                    let errors = error_objects(response).await;
                    if refreshed || !matches!(self.inner.config.credentials, Credentials::OAuth { .. }) {
                        return Err(unauthorized(&label, errors));
                    }
                    // An expired (or just rotated elsewhere) access token: refresh once and retry.
                    refreshed = true;
                    self.authorization(true).await?;
                    attempt -= 1;
                }
                Attempt::Done(response) => match response.bytes().await {
                    Ok(bytes) => return Ok((bytes.to_vec(), label)),
                    // The connection was cut mid-body: the same as a failed send.
                    Err(error) if attempt >= policy.max_attempts || !repeatable => {
                        return Err(PcoError::Transport { request: label, attempts: attempt, source: error })
                    }
                    Err(_) => {
                        self.inner.stats.retries.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(self.backoff(attempt)).await;
                    }
                },
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry { wait, reason } => {
                    if reason == RetryReason::ServerError && !repeatable {
                        return Err(PcoError::Api {
                            request: label,
                            status: StatusCode::SERVICE_UNAVAILABLE,
                            errors: vec![ApiErrorObject {
                                detail: Some("the server failed; the create may or may not have happened".into()),
                                ..Default::default()
                            }],
                        });
                    }
                    if attempt >= policy.max_attempts {
                        return Err(match reason {
                            RetryReason::RateLimited => PcoError::RateLimited { request: label, attempts: attempt },
                            _ => PcoError::Api {
                                request: label,
                                status: StatusCode::SERVICE_UNAVAILABLE,
                                errors: vec![ApiErrorObject {
                                    detail: Some("the server kept failing".into()),
                                    ..Default::default()
                                }],
                            },
                        });
                    }
                    self.inner.stats.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn classify(&self, response: reqwest::Response, label: &RequestLabel, attempt: u32) -> Attempt {
        self.inner.pacer.observe(response.headers());
        let status = response.status();
        let policy = &self.inner.config.retry;
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.inner.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
            let wait = pacing::retry_after(response.headers(), self.inner.pacer.period(), policy.max_retry_after);
            self.inner.pacer.back_off(wait);
            return Attempt::Retry { wait: Duration::ZERO, reason: RetryReason::RateLimited };
        }
        if status.is_server_error() {
            return Attempt::Retry { wait: self.backoff(attempt), reason: RetryReason::ServerError };
        }
        if status == StatusCode::FORBIDDEN {
            return Attempt::Fail(PcoError::Forbidden {
                request: label.clone(),
                errors: error_objects(response).await,
            });
        }
        if status.is_client_error() && status != StatusCode::UNAUTHORIZED {
            return Attempt::Fail(PcoError::Api {
                request: label.clone(),
                status,
                errors: error_objects(response).await,
            });
        }
        Attempt::Done(response)
    }

    /// Exponential backoff with full jitter: a random wait up to base·2ⁿ, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let policy = &self.inner.config.retry;
        let ceiling = policy.base_delay.saturating_mul(1 << attempt.min(16)).min(policy.max_delay);
        ceiling.mul_f64(0.5 + fastrand::f64() * 0.5)
    }

    /// The Authorization header. For OAuth, refreshes first when the token is about to expire,
    /// or when `force` says the server refused it.
    async fn authorization(&self, force: bool) -> Result<String> {
        match &self.inner.config.credentials {
            Credentials::PersonalAccessToken { app_id, secret } => {
                Ok(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{app_id}:{secret}"))))
            }
            Credentials::OAuth { store, .. } => {
                let tokens = store
                    .load()
                    .map_err(PcoError::TokenStore)?
                    .ok_or_else(|| PcoError::SignInRequired { reason: "not signed in".into() })?;
                if !force && !tokens.expires_soon() {
                    return Ok(format!("Bearer {}", tokens.access_token));
                }
                let fresh = self.refresh(&tokens.access_token, force).await?;
                Ok(format!("Bearer {}", fresh.access_token))
            }
        }
    }

    /// Refreshes the OAuth tokens, saving the rotated pair before returning it. If another task
    /// refreshed while this one waited, its result is used instead of spending the refresh
    /// token twice.
    pub async fn refresh(&self, stale_access_token: &str, force: bool) -> Result<OAuthTokens> {
        let Credentials::OAuth { app, store } = &self.inner.config.credentials else {
            return Err(PcoError::Config("a personal access token cannot be refreshed".into()));
        };
        let _guard = self.inner.refresh_lock.lock().await;
        let current = store
            .load()
            .map_err(PcoError::TokenStore)?
            .ok_or_else(|| PcoError::SignInRequired { reason: "not signed in".into() })?;
        if current.access_token != stale_access_token && (force || !current.expires_soon()) {
            return Ok(current);
        }
        let mut form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", current.refresh_token.clone()),
            ("client_id", app.client_id.clone()),
        ];
        if let Some(secret) = &app.client_secret {
            form.push(("client_secret", secret.clone()));
        }
        let tokens = self.token_request(&form).await?;
        store.save(&tokens).map_err(PcoError::TokenStore)?;
        self.inner.stats.refreshes.fetch_add(1, Ordering::Relaxed);
        Ok(tokens)
    }

    /// Exchanges an authorization code (with its PKCE verifier) for tokens and saves them.
    pub async fn exchange_code(&self, code: &str, code_verifier: &str, redirect_uri: &str) -> Result<OAuthTokens> {
        let Credentials::OAuth { app, store } = &self.inner.config.credentials else {
            return Err(PcoError::Config("exchanging a code needs OAuth credentials".into()));
        };
        let mut form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", redirect_uri.to_owned()),
            ("client_id", app.client_id.clone()),
            ("code_verifier", code_verifier.to_owned()),
        ];
        if let Some(secret) = &app.client_secret {
            form.push(("client_secret", secret.clone()));
        }
        let tokens = self.token_request(&form).await?;
        store.save(&tokens).map_err(PcoError::TokenStore)?;
        Ok(tokens)
    }

    /// Revokes the refresh and access tokens at Planning Center, then forgets them locally.
    pub async fn sign_out(&self) -> Result<()> {
        let Credentials::OAuth { store, .. } = &self.inner.config.credentials else { return Ok(()) };
        if let Some(tokens) = store.load().map_err(PcoError::TokenStore)? {
            for token in [&tokens.refresh_token, &tokens.access_token] {
                let url = self.url_for("/oauth/revoke", &[])?;
                let response = self.inner.http.post(url).form(&[("token", token.as_str())]).send().await;
                let label = RequestLabel { method: "POST".into(), path: "/oauth/revoke".into() };
                match response {
                    Ok(r) if r.status().is_success() => {}
                    Ok(r) => return Err(PcoError::Api { request: label, status: r.status(), errors: Vec::new() }),
                    Err(source) => return Err(PcoError::Transport { request: label, attempts: 1, source }),
                }
            }
        }
        store.clear().map_err(PcoError::TokenStore)
    }

    async fn token_request(&self, form: &[(&str, String)]) -> Result<OAuthTokens> {
        let url = self.url_for("/oauth/token", &[])?;
        let label = RequestLabel { method: "POST".into(), path: "/oauth/token".into() };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = self.inner.http.post(url.clone()).form(form).send().await;
            let response = match sent {
                Ok(response)
                    if response.status().is_server_error() && attempt < self.inner.config.retry.max_attempts =>
                {
                    tokio::time::sleep(self.backoff(attempt)).await;
                    continue;
                }
                Ok(response) => response,
                Err(_) if attempt < self.inner.config.retry.max_attempts => {
                    tokio::time::sleep(self.backoff(attempt)).await;
                    continue;
                }
                Err(source) => return Err(PcoError::Transport { request: label, attempts: attempt, source }),
            };
            let status = response.status();
            let text = response
                .text()
                .await
                .map_err(|e| PcoError::Decode { request: label.clone(), message: e.to_string() })?;
            if status.is_success() {
                let parsed: TokenResponse = serde_json::from_str(&text)
                    .map_err(|e| PcoError::Decode { request: label.clone(), message: e.to_string() })?;
                return Ok(parsed.into());
            }
            let reason = serde_json::from_str::<OAuthErrorBody>(&text)
                .map(|e| format!("{}: {}", e.error, e.error_description.unwrap_or_default()))
                .unwrap_or_else(|_| format!("HTTP {status}"));
            // invalid_grant: the refresh token was revoked, expired or already used.
            return Err(PcoError::SignInRequired { reason });
        }
    }
}

fn unauthorized(label: &RequestLabel, errors: Vec<ApiErrorObject>) -> PcoError {
    let hint = errors.iter().filter_map(|e| e.meta.as_ref()?.get("hint")?.as_str().map(str::to_owned)).next();
    match hint.as_deref() {
        Some("CAPUCHIN") | Some("BABOON") | None => PcoError::SignInRequired {
            reason: format!(
                "{label} was refused: {}",
                errors.first().map(ToString::to_string).unwrap_or_else(|| "unauthorized".into())
            ),
        },
        Some(_) => PcoError::Api { request: label.clone(), status: StatusCode::UNAUTHORIZED, errors },
    }
}

async fn error_objects(response: reqwest::Response) -> Vec<ApiErrorObject> {
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<ApiErrorObject>,
    }
    let status = response.status();
    match response.text().await {
        Ok(text) => serde_json::from_str::<Errors>(&text).map(|e| e.errors).unwrap_or_else(|_| {
            vec![ApiErrorObject {
                status: Some(status.as_u16().to_string()),
                detail: Some(text.chars().take(300).collect()),
                ..Default::default()
            }]
        }),
        Err(_) => Vec::new(),
    }
}

fn decode<T: DeserializeOwned>(body: &[u8], label: RequestLabel) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| PcoError::Decode { request: label, message: e.to_string() })
}
