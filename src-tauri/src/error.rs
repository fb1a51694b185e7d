use cct_store::StoreError;
use serde::Serialize;
use ts_rs::TS;

/// What a command returns on failure: a stable `code`, a `message` a person can act on, and the
/// `field` it concerns (for showing the message beside that input).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommandError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl CommandError {
    pub fn sign_in_required() -> Self {
        Self {
            code: "sign_in_required".into(),
            message: "Nobody is signed in on this computer yet. Load the demo church or connect Planning Center first.".into(),
            field: None,
        }
    }
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into(), field: None }
    }

    pub fn keychain(message: String) -> Self {
        Self::new("keychain_unavailable", message)
    }

    pub fn demo_mode() -> Self {
        Self::new(
            "demo_mode",
            "The demo church is never sent to Planning Center. To connect your church, start with an empty database (set CCT_DATABASE to a new file) and set up your office.",
        )
    }
}

impl From<cct_planning_center::PcoError> for CommandError {
    fn from(error: cct_planning_center::PcoError) -> Self {
        let code = match &error {
            cct_planning_center::PcoError::SignInRequired { .. } => "sign_in_again",
            cct_planning_center::PcoError::Transport { .. } => "offline",
            cct_planning_center::PcoError::TokenStore(_) => "keychain_unavailable",
            _ => "planning_center_error",
        };
        Self::new(code, error.to_string())
    }
}

impl From<cct_signin::SignInError> for CommandError {
    fn from(error: cct_signin::SignInError) -> Self {
        match error {
            cct_signin::SignInError::PlanningCenter(inner) => inner.into(),
            other => Self::new("sign_in_failed", other.to_string()),
        }
    }
}

impl From<cct_sync::SyncError> for CommandError {
    fn from(error: cct_sync::SyncError) -> Self {
        match error {
            cct_sync::SyncError::Store(inner) => inner.into(),
            cct_sync::SyncError::PlanningCenter(inner) => inner.into(),
            cct_sync::SyncError::AlreadyRunning => Self::new("sync_running", "A sync is already running."),
            cct_sync::SyncError::Cancelled => Self::new("sync_cancelled", "The sync was cancelled; it resumes where it stopped next time."),
        }
    }
}

impl From<StoreError> for CommandError {
    fn from(error: StoreError) -> Self {
        let report = error.to_report();
        Self { code: report.code, message: report.message, field: report.field }
    }
}
