use serde::Serialize;
use uuid::Uuid;

/// Input that breaks a rule about one field. `field` is the column name, so the UI can show the
/// message next to the input it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// A domain rule refused an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("prerequisites not completed: {}", names.join(", "))]
    PrerequisitesNotMet { missing: Vec<Uuid>, names: Vec<String> },
    #[error("this prerequisite would make a cycle: {}", names.join(" → "))]
    PrerequisiteCycle { path: Vec<Uuid>, names: Vec<String> },
}
