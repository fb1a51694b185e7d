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
    #[error(transparent)]
    Store(#[from] cct_store::StoreError),
}

impl TeamError {
    pub fn code(&self) -> &'static str {
        match self {
            TeamError::InvalidAddress(_) => "invalid_hub_address",
            TeamError::TlsRequired { .. } => "tls_required",
            TeamError::Unreachable(_) => "hub_unreachable",
            TeamError::Hub(_) => "hub_error",
            TeamError::HubMigration(_) => "hub_migration_failed",
            TeamError::AlreadyATeam => "hub_has_team",
            TeamError::NoTeamYet => "hub_has_no_team",
            TeamError::JoinCodeUnknown => "join_code_unknown",
            TeamError::JoinCodeUsed => "join_code_used",
            TeamError::JoinCodeExpired => "join_code_expired",
            TeamError::DeviceRemoved => "device_removed",
            TeamError::NotAMember => "not_a_member",
            TeamError::NotJoined => "not_joined",
            TeamError::StationLetterTaken { .. } => "station_letter_taken",
            TeamError::Store(e) => e.code(),
        }
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
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => TeamError::Unreachable(error),
        other => TeamError::Hub(other),
    }
}

pub type Result<T> = std::result::Result<T, TeamError>;
