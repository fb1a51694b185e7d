use cct_planning_center::PcoError;
use cct_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    PlanningCenter(#[from] PcoError),
    #[error("a sync is already running")]
    AlreadyRunning,
    #[error("the sync was cancelled")]
    Cancelled,
}

impl SyncError {
    /// Worth trying again later without anyone doing anything (network, rate limit, outage).
    pub fn is_passing(&self) -> bool {
        matches!(self, SyncError::PlanningCenter(PcoError::Transport { .. } | PcoError::RateLimited { .. }))
            || matches!(self, SyncError::PlanningCenter(e) if e.status().is_some_and(|s| s.is_server_error()))
    }
}

impl From<SyncError> for cct_domain::ErrorReport {
    fn from(error: SyncError) -> Self {
        use cct_domain::{ErrorCode, ErrorReport};
        match error {
            SyncError::Store(inner) => inner.report(),
            SyncError::PlanningCenter(inner) => inner.into(),
            SyncError::AlreadyRunning => ErrorReport::new(ErrorCode::SyncRunning, "A sync is already running."),
            SyncError::Cancelled => ErrorReport::new(
                ErrorCode::SyncCancelled,
                "The sync was cancelled; it resumes where it stopped next time.",
            ),
        }
    }
}
