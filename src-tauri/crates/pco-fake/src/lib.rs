//! A fake Planning Center API server for tests, benchmarks and demos. It follows the facts in
//! `shared/docs/planning-center.md`: JSON:API documents, offset paging with `links.next`,
//! `where`/`order`/`include`, error documents, rate-limit headers and 429s, personal access
//! tokens and OAuth 2.0 with PKCE; writes only where the real API accepts them. Faults can be
//! injected at run time: a lower rate limit, 429 bursts, 5xx, latency, dropped connections,
//! expired or revoked tokens, a bad `Retry-After`, and 403 on custom field tabs.

mod api;
pub mod auth;
pub mod collections;
pub mod data;
mod errors;
mod limits;
mod server;
pub mod webhooks;

pub use auth::{pkce_challenge, OAuthClient};
pub use data::Data;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Faults {
    /// Requests per window per token (Planning Center: 100 per 20 s).
    pub rate_limit: u32,
    pub rate_period: Duration,
    /// The stricter limit for offsets above 30,000 (Planning Center: 75).
    pub deep_offset_limit: u32,
    /// The next N API requests get 429, whatever the window says.
    pub burst_429: u32,
    /// Share of API requests answered 500 or 503.
    pub error_rate: f64,
    /// Added before every API response.
    pub latency: Duration,
    /// Share of API requests whose connection is cut after the headers.
    pub drop_rate: f64,
    /// `Some(None)`: 429s carry no Retry-After; `Some(Some(n))`: they carry `n` (e.g. -5).
    pub retry_after_override: Option<Option<i64>>,
    /// Writes to field data get 403, as on churches whose custom tab is locked (issue 1392).
    pub field_data_forbidden: bool,
    /// A list with nothing in it answers `204 No Content` with no body, as some of the real
    /// API's lists do.
    pub empty_lists_answer_no_content: bool,
    /// The wait before a webhook delivery's first retry, doubled at each next one.
    pub webhook_retry_base: Duration,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            rate_limit: 100,
            rate_period: Duration::from_secs(20),
            deep_offset_limit: 75,
            burst_429: 0,
            error_rate: 0.0,
            latency: Duration::ZERO,
            drop_rate: 0.0,
            retry_after_override: None,
            field_data_forbidden: false,
            empty_lists_answer_no_content: false,
            webhook_retry_base: Duration::from_secs(1),
        }
    }
}

#[derive(Debug, Clone)]
pub struct FakeConfig {
    pub people: usize,
    pub seed: u64,
    /// (application id, secret) pairs accepted as personal access tokens.
    pub personal_access_tokens: Vec<(String, String)>,
    pub oauth_clients: Vec<OAuthClient>,
    pub access_token_lifetime: Duration,
    pub faults: Faults,
}

pub const TEST_APP_ID: &str = "fake-app-id";
pub const TEST_SECRET: &str = "fake-secret";
pub const DESKTOP_CLIENT_ID: &str = "church-course-tracker-desktop";

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            people: 500,
            seed: 7,
            personal_access_tokens: vec![(TEST_APP_ID.into(), TEST_SECRET.into())],
            oauth_clients: vec![OAuthClient {
                client_id: DESKTOP_CLIENT_ID.into(),
                client_secret: None,
                redirect_uris: (0..3).map(|i| format!("http://127.0.0.1:{}/callback", 47_100 + i)).collect(),
            }],
            access_token_lifetime: Duration::from_secs(7200),
            faults: Faults::default(),
        }
    }
}

/// Counters of what the server saw, for tests and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub requests: u64,
    pub rate_limited: u64,
    pub server_errors: u64,
    pub dropped: u64,
    pub unauthorized: u64,
    pub writes: u64,
}

pub struct Shared {
    data: Mutex<Data>,
    faults: Mutex<Faults>,
    auth: Mutex<auth::AuthState>,
    limiter: Mutex<limits::RateLimiter>,
    stats: Mutex<Stats>,
    base_url: Mutex<String>,
    /// Decides which requests get injected faults; seeded, so a run can be repeated.
    dice: Mutex<fastrand::Rng>,
    webhooks: Mutex<webhooks::WebhookState>,
}

/// A running fake. Dropping it stops the server.
pub struct FakePco {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
    deliveries: tokio::task::JoinHandle<()>,
}

impl FakePco {
    /// Starts on 127.0.0.1 on a free port.
    pub async fn start(config: FakeConfig) -> std::io::Result<Self> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    pub async fn start_on(config: FakeConfig, addr: SocketAddr) -> std::io::Result<Self> {
        let data = Data::generate(config.people, config.seed);
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            data: Mutex::new(data),
            faults: Mutex::new(config.faults.clone()),
            auth: server::new_auth(&config),
            limiter: server::new_limiter(),
            stats: server::new_stats(),
            base_url: Mutex::new(format!("http://{addr}")),
            dice: Mutex::new(fastrand::Rng::with_seed(config.seed)),
            webhooks: Mutex::new(webhooks::WebhookState::default()),
        });
        let app = server::router(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                eprintln!("pco-fake stopped: {error}");
            }
        });
        let deliveries = tokio::spawn(webhooks::dispatch(shared.clone()));
        Ok(Self { addr, shared, task, deliveries })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn set_faults(&self, faults: Faults) {
        *server::lock(&self.shared.faults) = faults;
    }

    pub fn update_faults(&self, change: impl FnOnce(&mut Faults)) {
        change(&mut server::lock(&self.shared.faults));
    }

    pub fn stats(&self) -> Stats {
        server::lock(&self.shared.stats).clone()
    }

    pub fn reset_stats(&self) {
        *server::lock(&self.shared.stats) = Stats::default();
    }

    /// Edits the data as a church's staff would in Planning Center itself.
    pub fn with_data<T>(&self, change: impl FnOnce(&mut Data) -> T) -> T {
        change(&mut server::lock(&self.shared.data))
    }

    /// Signs a user in without the browser step: an access and a refresh token.
    pub fn issue_token(&self, scope: &str) -> (String, String) {
        let grant = server::lock(&self.shared.auth).issue(DESKTOP_CLIENT_ID, scope);
        (grant.access_token, grant.refresh_token)
    }

    /// Every webhook delivery attempt so far, oldest first.
    pub fn webhook_attempts(&self) -> Vec<webhooks::DeliveryAttempt> {
        webhooks::attempts(&server::lock(&self.shared.webhooks))
    }

    pub fn expire_access_tokens(&self) {
        server::lock(&self.shared.auth).expire_access_tokens();
    }

    pub fn revoke_everything(&self) {
        server::lock(&self.shared.auth).revoke_everything();
    }
}

impl Drop for FakePco {
    fn drop(&mut self) {
        self.task.abort();
        self.deliveries.abort();
    }
}
