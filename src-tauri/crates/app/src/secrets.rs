//! The OS keychain, from async code: every keychain call blocks (the Secret Service is a D-Bus
//! round trip; macOS and Windows may show a prompt), so each runs on tokio's blocking pool.

use crate::Reply;
use cct_domain::{ErrorCode, ErrorReport};

/// Runs keychain work off the async runtime; a keychain that fails says why.
pub(crate) async fn keychain<T: Send + 'static>(work: impl FnOnce() -> Result<T, String> + Send + 'static) -> Reply<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|stopped| {
            ErrorReport::new(ErrorCode::Internal, format!("the keychain call stopped before it finished: {stopped}"))
        })?
        .map_err(unavailable)
}

pub(crate) fn unavailable(message: String) -> ErrorReport {
    ErrorReport::new(ErrorCode::KeychainUnavailable, message)
}
