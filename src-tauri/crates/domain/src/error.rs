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

/// Every kind of failure the window is told of: the one list of codes. The UI receives it
/// through the generated bindings and matches on it; the message beside it is for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // Input and the office's rules.
    InvalidInput,
    PrerequisitesNotMet,
    PrerequisiteCycle,
    NotFound,
    UnknownReference,
    InactiveReference,
    Duplicate,
    Conflict,
    UnknownColumn,
    UseDedicatedCommand,
    // Who may do what.
    PermissionDenied,
    SignedOut,
    SessionLocked,
    WrongPassword,
    SignInWait,
    NoPassword,
    UnknownPerson,
    PersonInactive,
    InvitationUnknown,
    InvitationUsed,
    InvitationExpired,
    LastAdministrator,
    KioskLocked,
    NotAStation,
    SessionNotAtStation,
    PrinterFailed,
    // Children's check-in and pickup.
    PickupCodeWrong,
    PickupCodeOtherStation,
    PickupCodeOtherDay,
    PickupCodeWait,
    NotOnTag,
    PickupNotAuthorized,
    PickupCodeRequired,
    RoomFull,
    NotCertifiedToServe,
    FamilyNotFound,
    ManyFamiliesMatch,
    SelfCheckInOnly,
    DemoMode,
    // The local database.
    StoreInUse,
    ConstraintViolation,
    CorruptRecord,
    MigrationFailed,
    DiskFull,
    DatabaseError,
    /// Damaged, or encrypted with a key this computer does not have: the recovery screen.
    DatabaseUnreadable,
    /// The database is still being opened (encrypted, once, after the update): wait.
    DatabaseOpening,
    /// The database is encrypted and the keychain no longer has its key: the recovery screen.
    DatabaseKeyMissing,
    // Backups.
    BackupUnreadable,
    BackupFailed,
    NoBackupFolder,
    BackupRunning,
    // This computer.
    KeychainUnavailable,
    NoFolder,
    ExportFailed,
    Internal,
    // Planning Center.
    NotConnected,
    SignInAgain,
    SignInFailed,
    Offline,
    PlanningCenterError,
    SyncRunning,
    SyncCancelled,
    // The team's hub.
    InvalidHubAddress,
    TlsRequired,
    HubUnreachable,
    HubError,
    HubMigrationFailed,
    HubHasTeam,
    HubHasNoTeam,
    JoinCodeUnknown,
    JoinCodeUsed,
    JoinCodeExpired,
    DeviceRemoved,
    NotAMember,
    NotJoined,
    StationLetterTaken,
    /// This computer's clock runs ahead of the hub's by more than the team allows.
    ClockAhead,
    AlreadySyncing,
    CannotRemoveSelf,
    // Updates.
    UpdateEndpointInvalid,
    UpdateCheckFailed,
    UpdateManifestInvalid,
    UpdateNotForThisComputer,
    UpdateSignatureInvalid,
    UpdateFailed,
    NoUpdate,
    NotDownloaded,
}

impl std::fmt::Display for ErrorCode {
    /// The code as the window sees it (`invalid_input`): its serde name, the one source of it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(name)) => f.write_str(&name),
            _ => Err(std::fmt::Error),
        }
    }
}

/// What the window receives when a command fails: the `code` it matches on, a `message` a
/// person can act on, and the `field` it concerns, for showing the message beside that input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct ErrorReport {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
}

impl ErrorReport {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None }
    }

    /// The same error, shown beside `field`.
    pub fn on(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The same error, shown beside `field` unless it already names one.
    pub fn or_on(mut self, field: &str) -> Self {
        self.field.get_or_insert_with(|| field.to_owned());
        self
    }
}

impl std::fmt::Display for ErrorReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ErrorReport {}

impl From<ValidationError> for ErrorReport {
    fn from(error: ValidationError) -> Self {
        ErrorReport { code: ErrorCode::InvalidInput, message: error.to_string(), field: Some(error.field) }
    }
}
