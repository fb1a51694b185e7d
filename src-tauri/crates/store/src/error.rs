use cct_domain::{DomainError, Permission, ValidationError};
use serde::Serialize;
use uuid::Uuid;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What went wrong, in words a person can act on. `code()` is stable for the UI; `field()`
/// names the input to highlight.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Rule(#[from] DomainError),
    #[error("no {table} record has id {id}")]
    NotFound { table: &'static str, id: Uuid },
    #[error("{field}: no {table} record has id {id}")]
    UnknownReference { field: &'static str, table: &'static str, id: Uuid },
    #[error("{field}: the {table} record {id} is inactive")]
    InactiveReference { field: &'static str, table: &'static str, id: Uuid },
    #[error("{field}: another {table} record already has this value")]
    Duplicate { table: String, field: String },
    #[error("{field}: {message}")]
    Conflict { field: &'static str, message: String },
    #[error("{actor} may not do this: it needs the \"{permission}\" permission")]
    PermissionDenied { actor: String, permission: Permission },
    #[error("{field}: unknown column for {table}")]
    UnknownColumn { table: String, field: String },
    #[error("the change breaks a database rule: {0}")]
    Constraint(String),
    #[error("a stored {table} record could not be read: {source}")]
    CorruptRecord { table: String, source: serde_json::Error },
    #[error("the database could not be opened or updated: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// From the connections check-in uses directly (see `direct`).
    #[error("database error: {0}")]
    DirectDatabase(#[source] rusqlite::Error),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Invalid(_) => "invalid_input",
            StoreError::Rule(DomainError::Invalid(_)) => "invalid_input",
            StoreError::Rule(DomainError::PrerequisitesNotMet { .. }) => "prerequisites_not_met",
            StoreError::Rule(DomainError::PrerequisiteCycle { .. }) => "prerequisite_cycle",
            StoreError::NotFound { .. } => "not_found",
            StoreError::UnknownReference { .. } => "unknown_reference",
            StoreError::InactiveReference { .. } => "inactive_reference",
            StoreError::Duplicate { .. } => "duplicate",
            StoreError::Conflict { .. } => "conflict",
            StoreError::PermissionDenied { .. } => "permission_denied",
            StoreError::UnknownColumn { .. } => "unknown_column",
            StoreError::Constraint(_) => "constraint_violation",
            StoreError::CorruptRecord { .. } => "corrupt_record",
            StoreError::Migration(_) => "migration_failed",
            StoreError::Database(_) | StoreError::DirectDatabase(_) => "database_error",
        }
    }

    /// The input field the error concerns, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            StoreError::Invalid(v) | StoreError::Rule(DomainError::Invalid(v)) => Some(&v.field),
            StoreError::UnknownReference { field, .. }
            | StoreError::InactiveReference { field, .. }
            | StoreError::Conflict { field, .. } => Some(field),
            StoreError::Duplicate { field, .. } | StoreError::UnknownColumn { field, .. } => Some(field),
            StoreError::Rule(DomainError::PrerequisitesNotMet { .. }) => Some("course_id"),
            StoreError::Rule(DomainError::PrerequisiteCycle { .. }) => Some("prerequisite_course_id"),
            _ => None,
        }
    }

    pub fn to_report(&self) -> ErrorReport {
        ErrorReport { code: self.code().to_owned(), message: self.to_string(), field: self.field().map(str::to_owned) }
    }

    /// Maps SQLite's constraint messages to errors that name the field.
    pub(crate) fn from_db(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) => Self::from_constraint_message(db.message()).unwrap_or(StoreError::Database(error)),
            _ => StoreError::Database(error),
        }
    }

    fn from_constraint_message(message: &str) -> Option<Self> {
        if let Some(columns) = message.strip_prefix("UNIQUE constraint failed: ") {
            // "people.planning_center_id" or "people_campus.people_id, people_campus.campus_id"
            let first = columns.split(',').next().unwrap_or(columns).trim();
            let (table, field) = first.split_once('.').unwrap_or(("record", first));
            let field = columns.split(',').next_back().and_then(|c| c.trim().split_once('.')).map(|(_, f)| f).unwrap_or(field);
            return Some(StoreError::Duplicate { table: table.to_owned(), field: field.to_owned() });
        }
        message.contains("constraint failed").then(|| StoreError::Constraint(message.to_owned()))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match &error {
            rusqlite::Error::SqliteFailure(_, Some(message)) => Self::from_constraint_message(message).unwrap_or(StoreError::DirectDatabase(error)),
            _ => StoreError::DirectDatabase(error),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::from_db(error)
    }
}

/// The `{code, message, field}` the UI shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ErrorReport {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}
