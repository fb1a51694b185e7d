use cct_domain::{DomainError, ErrorCode, ErrorReport, Permission, ValidationError};
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
    #[error(transparent)]
    Access(#[from] crate::access::AccessError),
    #[error(transparent)]
    CheckIn(#[from] crate::checkin::CheckInError),
    #[error("Church Course Tracker is already open on this database ({path}), in another window or program: close it, or use that one")]
    InUse { path: String },
    #[error("{field}: {message}")]
    LastAdministrator { field: &'static str, message: String },
    #[error("{table} records have rules of their own; change them with {operation}")]
    OwnRules { table: &'static str, operation: &'static str },
    #[error("{field}: unknown column for {table}")]
    UnknownColumn { table: String, field: String },
    #[error("the change breaks a database rule: {0}")]
    Constraint(String),
    #[error("a stored {table} record could not be read: {source}")]
    CorruptRecord { table: String, source: serde_json::Error },
    #[error(transparent)]
    Migration(#[from] MigrationError),
    #[error("the database could not be opened at {path}: {source}")]
    Open { path: String, source: std::io::Error },
    #[error("the disk is full: nothing was saved. Free some space on this computer and try again")]
    DiskFull,
    /// Damaged, or encrypted with a key other than this computer's: SQLCipher cannot tell which.
    #[error("the database at {path} cannot be read: the file is damaged, or it was encrypted with a key this computer's keychain does not have")]
    Unreadable { path: String },
    #[error("the backup {path} cannot be opened: the recovery passphrase is wrong, or the file is not a backup")]
    BackupUnreadable { path: String },
    /// A copy (a backup, a restore, the conversion to encryption) did not match its original;
    /// nothing was replaced.
    #[error("the copy was not kept: {0}")]
    CopyFailed(String),
    #[error("the database key could not be made: {0}")]
    Key(String),
    #[error("database error: {0}")]
    Database(#[source] rusqlite::Error),
    #[error("the database is closed; restart the app")]
    Closed,
    /// A blocking database task ended without an answer (it panicked, or the app is closing).
    #[error("a database task stopped before it finished: {0}")]
    Interrupted(String),
}

/// Why the schema could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("an earlier upgrade of this database (step {version}) stopped part-way; restore a backup, or ask for help before going on")]
    Interrupted { version: i64 },
    #[error("this database was made by a newer version of Church Course Tracker (schema step {version}); install that version or a later one")]
    Newer { version: i64 },
    #[error("schema step {version} ({description}) differs from the one this database was built with; this build of the app is damaged or was changed")]
    Changed { version: i64, description: String },
    #[error("the database could not be upgraded at step {version} ({description}): {source}")]
    Failed { version: i64, description: String, source: rusqlite::Error },
}

impl StoreError {
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::Invalid(_) | StoreError::Rule(DomainError::Invalid(_)) => ErrorCode::InvalidInput,
            StoreError::Rule(DomainError::PrerequisitesNotMet { .. }) => ErrorCode::PrerequisitesNotMet,
            StoreError::Rule(DomainError::PrerequisiteCycle { .. }) => ErrorCode::PrerequisiteCycle,
            StoreError::NotFound { .. } => ErrorCode::NotFound,
            StoreError::UnknownReference { .. } => ErrorCode::UnknownReference,
            StoreError::InactiveReference { .. } => ErrorCode::InactiveReference,
            StoreError::Duplicate { .. } => ErrorCode::Duplicate,
            StoreError::Conflict { .. } => ErrorCode::Conflict,
            StoreError::PermissionDenied { .. } => ErrorCode::PermissionDenied,
            StoreError::UnknownColumn { .. } => ErrorCode::UnknownColumn,
            StoreError::OwnRules { .. } => ErrorCode::UseDedicatedCommand,
            StoreError::InUse { .. } => ErrorCode::StoreInUse,
            StoreError::LastAdministrator { .. } => ErrorCode::LastAdministrator,
            StoreError::Access(access) => {
                use crate::access::AccessError::*;
                match access {
                    WrongPassword => ErrorCode::WrongPassword,
                    Wait { .. } => ErrorCode::SignInWait,
                    NoPassword { .. } => ErrorCode::NoPassword,
                    UnknownPerson => ErrorCode::UnknownPerson,
                    Inactive { .. } => ErrorCode::PersonInactive,
                    InvitationUnknown => ErrorCode::InvitationUnknown,
                    InvitationUsed => ErrorCode::InvitationUsed,
                    InvitationExpired => ErrorCode::InvitationExpired,
                }
            }
            StoreError::CheckIn(pickup) => {
                use crate::checkin::CheckInError::*;
                match pickup {
                    WrongCode | TagReplaced => ErrorCode::PickupCodeWrong,
                    OtherStation { .. } => ErrorCode::PickupCodeOtherStation,
                    OtherDay { .. } => ErrorCode::PickupCodeOtherDay,
                    Wait { .. } => ErrorCode::PickupCodeWait,
                    NotOnTag { .. } => ErrorCode::NotOnTag,
                    NotAuthorized { .. } => ErrorCode::PickupNotAuthorized,
                    CodeRequired { .. } => ErrorCode::PickupCodeRequired,
                    RoomFull { .. } => ErrorCode::RoomFull,
                    NotCertified { .. } => ErrorCode::NotCertifiedToServe,
                    NoFamily => ErrorCode::FamilyNotFound,
                    ManyFamilies => ErrorCode::ManyFamiliesMatch,
                }
            }
            StoreError::Constraint(_) => ErrorCode::ConstraintViolation,
            StoreError::CorruptRecord { .. } => ErrorCode::CorruptRecord,
            StoreError::Migration(_) => ErrorCode::MigrationFailed,
            StoreError::DiskFull => ErrorCode::DiskFull,
            StoreError::Unreadable { .. } => ErrorCode::DatabaseUnreadable,
            StoreError::BackupUnreadable { .. } => ErrorCode::BackupUnreadable,
            StoreError::CopyFailed(_) => ErrorCode::BackupFailed,
            StoreError::Key(_) => ErrorCode::Internal,
            StoreError::Open { .. } | StoreError::Database(_) | StoreError::Closed | StoreError::Interrupted(_) => {
                ErrorCode::DatabaseError
            }
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
            StoreError::Access(access) => Some(access.field()),
            StoreError::CheckIn(pickup) => Some(pickup.field()),
            StoreError::LastAdministrator { field, .. } => Some(field),
            StoreError::Rule(DomainError::PrerequisitesNotMet { .. }) => Some("course_id"),
            StoreError::Rule(DomainError::PrerequisiteCycle { .. }) => Some("prerequisite_course_id"),
            _ => None,
        }
    }

    pub fn report(&self) -> ErrorReport {
        // A conflict's message is a whole sentence written for a person; the field it concerns
        // travels beside it, so the message does not start with the column's name. (A broken
        // rule's message is a predicate, "must be at least 1", that reads after its field.)
        let message = match self {
            StoreError::Conflict { message, .. } | StoreError::LastAdministrator { message, .. } => message.clone(),
            other => other.to_string(),
        };
        ErrorReport { code: self.code(), message, field: self.field().map(str::to_owned) }
    }

    /// SQLite's constraint messages, as errors that name the field.
    fn from_constraint_message(message: &str) -> Option<Self> {
        if let Some(columns) = message.strip_prefix("UNIQUE constraint failed: ") {
            // "people.planning_center_id" or "people_campus.people_id, people_campus.campus_id"
            let first = columns.split(',').next().unwrap_or(columns).trim();
            let (table, field) = first.split_once('.').unwrap_or(("record", first));
            let last = columns.split(',').next_back().and_then(|c| c.trim().split_once('.')).map(|(_, f)| f);
            return Some(StoreError::Duplicate { table: table.to_owned(), field: last.unwrap_or(field).to_owned() });
        }
        message.contains("constraint failed").then(|| StoreError::Constraint(message.to_owned()))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match &error {
            // The transaction that hit it is rolled back whole by its caller: nothing half-written.
            rusqlite::Error::SqliteFailure(failure, _) if failure.code == rusqlite::ErrorCode::DiskFull => {
                StoreError::DiskFull
            }
            rusqlite::Error::SqliteFailure(_, Some(message)) => {
                Self::from_constraint_message(message).unwrap_or(StoreError::Database(error))
            }
            _ => StoreError::Database(error),
        }
    }
}

impl From<StoreError> for ErrorReport {
    fn from(error: StoreError) -> Self {
        error.report()
    }
}
