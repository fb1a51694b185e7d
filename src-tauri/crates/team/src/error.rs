use cct_domain::{ErrorCode, ErrorReport};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TeamError {
    #[error("the hub address is not a PostgreSQL connection string: {0}")]
    InvalidAddress(String),
    #[error("{host} is not on this machine, so the connection must be encrypted: use sslmode=require or sslmode=verify-full")]
    TlsRequired { host: String },
    #[error("the hub could not be reached: {0}")]
    Unreachable(#[source] sqlx::Error),
    #[error("the hub refused the request: {0}")]
    Hub(#[source] sqlx::Error),
    #[error("the hub's tables could not be created or updated: {0}")]
    HubMigration(#[from] sqlx::migrate::MigrateError),
    #[error("this hub already holds a church's team; join it with a join code instead")]
    AlreadyATeam,
    #[error("this hub holds no team yet; create one from the office computer first")]
    NoTeamYet,
    #[error("that join code is not known to the hub; check it, or ask an administrator for a new one")]
    JoinCodeUnknown,
    #[error("that join code was already used; ask an administrator for a new one")]
    JoinCodeUsed,
    #[error("that join code has expired; ask an administrator for a new one")]
    JoinCodeExpired,
    #[error("an administrator removed this device from the team; ask for a join code to join again")]
    DeviceRemoved,
    #[error("this device is not a member of the hub's team")]
    NotAMember,
    #[error("this device has not joined a team")]
    NotJoined,
    #[error("station letter {letter} belongs to {device}, another computer of the team; choose another letter so no two stations hand out the same security code")]
    StationLetterTaken { letter: String, device: String },
    #[error("this computer's clock is {minutes} minutes ahead of the hub's: set its date and time right (automatically, from the internet, where it can), then sync again; nothing was sent")]
    ClockAhead { minutes: i64 },
    #[error("the hub's user {user} cannot create roles, and each computer of the team logs in as a role of its own: as the server's administrator, run ALTER ROLE {user} CREATEROLE, then try again")]
    OwnerCannotCreateRoles { user: String },
    /// What the hub's own rules refused (see its migration "device roles"), in its words.
    #[error("the hub refused this computer: {0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] cct_store::StoreError),
}

impl TeamError {
    pub fn code(&self) -> ErrorCode {
        match self {
            TeamError::InvalidAddress(_) => ErrorCode::InvalidHubAddress,
            TeamError::TlsRequired { .. } => ErrorCode::TlsRequired,
            TeamError::Unreachable(_) => ErrorCode::HubUnreachable,
            TeamError::Hub(_) => ErrorCode::HubError,
            TeamError::ClockAhead { .. } => ErrorCode::ClockAhead,
            TeamError::HubMigration(_) | TeamError::OwnerCannotCreateRoles { .. } => ErrorCode::HubMigrationFailed,
            TeamError::AlreadyATeam => ErrorCode::HubHasTeam,
            TeamError::NoTeamYet => ErrorCode::HubHasNoTeam,
            TeamError::JoinCodeUnknown => ErrorCode::JoinCodeUnknown,
            TeamError::JoinCodeUsed => ErrorCode::JoinCodeUsed,
            TeamError::JoinCodeExpired => ErrorCode::JoinCodeExpired,
            TeamError::DeviceRemoved => ErrorCode::DeviceRemoved,
            TeamError::NotAMember => ErrorCode::NotAMember,
            TeamError::NotJoined => ErrorCode::NotJoined,
            TeamError::StationLetterTaken { .. } => ErrorCode::StationLetterTaken,
            TeamError::Refused(_) => ErrorCode::PermissionDenied,
            TeamError::Store(e) => e.code(),
        }
    }

    /// What the window is told: the store's own report for its errors (with their field).
    pub fn report(&self) -> ErrorReport {
        match self {
            TeamError::Store(inner) => inner.report(),
            other => ErrorReport::new(other.code(), other.to_string()),
        }
    }

    /// The server refused the login's password (or knows no such role).
    pub fn is_wrong_password(&self) -> bool {
        matches!(self, TeamError::Hub(sqlx::Error::Database(db)) if db.code().as_deref() == Some("28P01"))
    }

    /// A connection that failed on the way (network down, hub restarting) is worth retrying
    /// later; everything else needs a person.
    pub fn is_transient(&self) -> bool {
        matches!(self, TeamError::Unreachable(_))
    }
}

/// Connection failures are "unreachable"; everything the server answered is the hub's.
pub(crate) fn hub_error(error: sqlx::Error) -> TeamError {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => TeamError::Unreachable(error),
        // A login refused when a pooled connection is opened again: a role that may no longer
        // log in is a removed device's; an unknown role or password is no member's.
        sqlx::Error::Database(ref db) if db.code().as_deref() == Some("28000") => TeamError::DeviceRemoved,
        sqlx::Error::Database(ref db) if db.code().as_deref() == Some("28P01") => TeamError::NotAMember,
        // The hub's own check of a change's clock (see its migration "bounded clocks").
        sqlx::Error::Database(ref db) if db.message().starts_with("cct: ") => match &db.message()[5..] {
            reason if reason.starts_with("clock") => TeamError::ClockAhead { minutes: 10 },
            "device removed" => TeamError::DeviceRemoved,
            "not a member" => TeamError::NotAMember,
            "join code unknown" => TeamError::JoinCodeUnknown,
            "join code used" => TeamError::JoinCodeUsed,
            "join code expired" => TeamError::JoinCodeExpired,
            "no team yet" => TeamError::NoTeamYet,
            "device id in use" => {
                TeamError::Refused("another computer of the team already has this computer's id".into())
            }
            reason => TeamError::Refused(reason.to_owned()),
        },
        other => TeamError::Hub(other),
    }
}

pub type Result<T> = std::result::Result<T, TeamError>;

impl From<TeamError> for ErrorReport {
    fn from(error: TeamError) -> Self {
        error.report()
    }
}
