use reqwest::StatusCode;
use serde::Deserialize;
use std::fmt;

/// One entry of Planning Center's `errors` array.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct ApiErrorObject {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub source: Option<serde_json::Value>,
    #[serde(default)]
    pub meta: Option<serde_json::Value>,
}

impl fmt::Display for ApiErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.detail.as_deref().or(self.title.as_deref()).unwrap_or("no detail given");
        match self.source.as_ref().and_then(|s| s.get("pointer")).and_then(|p| p.as_str()) {
            Some(pointer) => write!(f, "{text} ({pointer})"),
            None => f.write_str(text),
        }
    }
}

/// "GET /people/v2/people": which request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLabel {
    pub method: String,
    pub path: String,
}

impl fmt::Display for RequestLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PcoError {
    /// Planning Center answered with an error status (after retries where they apply).
    #[error("{request} failed with {status}: {}", join(errors))]
    Api { request: RequestLabel, status: StatusCode, errors: Vec<ApiErrorObject> },
    /// Planning Center refuses this write (403): the API does not allow it, or the church has
    /// locked it. Keep the change locally.
    #[error("{request} was refused by Planning Center: {}", join(errors))]
    Forbidden { request: RequestLabel, errors: Vec<ApiErrorObject> },
    /// Still rate limited after every retry.
    #[error("{request} is still rate limited after {attempts} attempts")]
    RateLimited { request: RequestLabel, attempts: u32 },
    /// The network failed (connection refused or cut, timeout) after every retry.
    #[error("{request} could not reach Planning Center after {attempts} attempts: {source}")]
    Transport {
        request: RequestLabel,
        attempts: u32,
        #[source]
        source: reqwest::Error,
    },
    /// The answer was not the JSON:API document expected.
    #[error("{request} returned a response that could not be read: {message}")]
    Decode { request: RequestLabel, message: String },
    /// The sign-in is no longer valid (revoked or expired refresh token): sign in again.
    /// Queued work is not lost.
    #[error("Planning Center needs you to sign in again: {reason}")]
    SignInRequired { reason: String },
    /// The token store (the OS keychain) failed.
    #[error("the saved Planning Center sign-in could not be read or written: {0}")]
    TokenStore(String),
    #[error("invalid Planning Center configuration: {0}")]
    Config(String),
}

fn join(errors: &[ApiErrorObject]) -> String {
    if errors.is_empty() {
        return "no details".into();
    }
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

impl PcoError {
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            PcoError::Api { status, .. } => Some(*status),
            PcoError::Forbidden { .. } => Some(StatusCode::FORBIDDEN),
            PcoError::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            _ => None,
        }
    }
}

pub type Result<T, E = PcoError> = std::result::Result<T, E>;

impl From<PcoError> for cct_domain::ErrorReport {
    /// What the window shows: a sign-in Planning Center no longer accepts asks for a new one,
    /// a network failure says the app works offline, the keychain's own failure is named.
    fn from(error: PcoError) -> Self {
        use cct_domain::ErrorCode;
        let code = match &error {
            PcoError::SignInRequired { .. } => ErrorCode::SignInAgain,
            PcoError::Transport { .. } => ErrorCode::Offline,
            PcoError::TokenStore(_) => ErrorCode::KeychainUnavailable,
            _ => ErrorCode::PlanningCenterError,
        };
        cct_domain::ErrorReport::new(code, error.to_string())
    }
}
