use cct_store::StoreError;
use serde::Serialize;

/// What a command returns on failure: a stable `code`, a `message` a person can act on, and the
/// `field` it concerns (for showing the message beside that input).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

impl From<StoreError> for CommandError {
    fn from(error: StoreError) -> Self {
        let report = error.to_report();
        Self { code: report.code, message: report.message, field: report.field }
    }
}
