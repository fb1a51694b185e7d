//! Signing in to Planning Center from the desktop app. The OAuth authorization-code flow runs in
//! the system browser and comes back to a loopback redirect on 127.0.0.1, listening for that
//! one redirect only, with PKCE (S256) and a random `state` that must come back unchanged.
//! Tokens live only in the OS keychain, through the `keyring` crate: never in SQLite, settings
//! files, logs or error messages. A keychain that is locked or missing is an error with a way
//! forward, never a silent fallback.

mod keychain;
mod loopback;

pub use keychain::{KeychainSecret, KeychainTokenStore, SERVICE};
pub use loopback::{sign_in_with_browser, SignInError, SignInOptions};
