use cct_planning_center::{OAuthTokens, TokenStore};

/// The keychain service every entry of this app is filed under.
pub const SERVICE: &str = "org.churchcoursetracker.desktop";

/// Turns a keychain failure into words a person can act on. It never includes the secret
/// (keyring's `BadEncoding` carries the raw bytes, so it is described, not printed).
const UNAVAILABLE: &str = "The system keychain is locked or not available. Unlock it (on Linux, sign in to your \
     desktop session so GNOME Keyring or KWallet starts, or unlock it in Passwords and Keys) and try again. \
     Church Course Tracker keeps its secrets (the database key, sign-ins) nowhere else.";

fn describe(error: keyring::Error) -> String {
    match error {
        keyring::Error::NoStorageAccess(_) => UNAVAILABLE.into(),
        // On Linux, no Secret Service on the session bus (no keyring running) comes back as a
        // platform failure from D-Bus; it needs the same advice as a locked keychain.
        keyring::Error::PlatformFailure(inner) if is_unreachable(&inner.to_string()) => UNAVAILABLE.into(),
        keyring::Error::PlatformFailure(inner) => format!(
            "The system keychain failed ({inner}). Try again; if it keeps failing, restart the computer. \
             Church Course Tracker keeps its secrets (the database key, sign-ins) nowhere else."
        ),
        keyring::Error::BadEncoding(_) => "The saved Planning Center sign-in in the keychain is damaged; sign out and sign in again.".into(),
        keyring::Error::TooLong(what, limit) => format!("The keychain refused the sign-in: {what} is longer than {limit}."),
        keyring::Error::Invalid(what, why) => format!("The keychain refused the sign-in: {what} {why}."),
        keyring::Error::Ambiguous(_) => "The keychain holds more than one Planning Center sign-in for this app; remove them in the keychain and sign in again.".into(),
        keyring::Error::NoEntry => "There is no saved Planning Center sign-in.".into(),
        other => format!("The system keychain failed: {other}"),
    }
}

fn is_unreachable(detail: &str) -> bool {
    ["Failed to connect", "org.freedesktop.secrets", "ServiceUnknown", "NoReply", "not provided by any .service"]
        .iter()
        .any(|sign| detail.contains(sign))
}

/// OAuth tokens in the OS keychain, one entry per Planning Center server (production, or a
/// church's test server).
pub struct KeychainTokenStore {
    entry: keyring::Entry,
}

impl KeychainTokenStore {
    pub fn new(account: &str) -> Result<Self, String> {
        Ok(Self { entry: keyring::Entry::new(SERVICE, &format!("oauth:{account}")).map_err(describe)? })
    }
}

impl KeychainTokenStore {
    /// Forgets the tokens without asking Planning Center (used when it cannot be reached).
    pub fn clear_tokens(&self) -> Result<(), String> {
        TokenStore::clear(self)
    }
}

impl TokenStore for KeychainTokenStore {
    fn load(&self) -> Result<Option<OAuthTokens>, String> {
        match self.entry.get_password() {
            Ok(json) => {
                serde_json::from_str(&json).map(Some).map_err(|_| describe(keyring::Error::BadEncoding(Vec::new())))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(describe(error)),
        }
    }

    fn save(&self, tokens: &OAuthTokens) -> Result<(), String> {
        let json = serde_json::to_string(tokens)
            .map_err(|e| format!("could not prepare the sign-in for the keychain: {e}"))?;
        self.entry.set_password(&json).map_err(describe)
    }

    fn clear(&self) -> Result<(), String> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(describe(error)),
        }
    }
}

/// A personal access token's secret (one-church setups), keyed by its application id.
pub struct KeychainSecret {
    entry: keyring::Entry,
}

impl KeychainSecret {
    pub fn personal_access_token(app_id: &str) -> Result<Self, String> {
        Ok(Self { entry: keyring::Entry::new(SERVICE, &format!("pat:{app_id}")).map_err(describe)? })
    }

    /// The team hub's database password, for the hub at `hub_address` (kept without it).
    pub fn team_hub_password(hub_address: &str) -> Result<Self, String> {
        Ok(Self { entry: keyring::Entry::new(SERVICE, &format!("team-hub:{hub_address}")).map_err(describe)? })
    }

    /// The secret the team hub gave this device when it joined.
    pub fn team_device_secret(device_id: &str) -> Result<Self, String> {
        Ok(Self { entry: keyring::Entry::new(SERVICE, &format!("team-device:{device_id}")).map_err(describe)? })
    }

    /// The key that encrypts the database at `database_path` (one per database file, so a
    /// test's or a demo's throw-away database never shares the office's key).
    pub fn database_key(database_path: &str) -> Result<Self, String> {
        Ok(Self { entry: keyring::Entry::new(SERVICE, &format!("database-key:{database_path}")).map_err(describe)? })
    }

    /// The recovery passphrase the office set for the backups of the database at
    /// `database_path`, so automatic backups need nobody to type it.
    pub fn backup_passphrase(database_path: &str) -> Result<Self, String> {
        Ok(Self {
            entry: keyring::Entry::new(SERVICE, &format!("backup-passphrase:{database_path}")).map_err(describe)?,
        })
    }

    pub fn load(&self) -> Result<Option<String>, String> {
        match self.entry.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(describe(error)),
        }
    }

    pub fn save(&self, secret: &str) -> Result<(), String> {
        self.entry.set_password(secret).map_err(describe)
    }

    pub fn clear(&self) -> Result<(), String> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(describe(error)),
        }
    }
}
