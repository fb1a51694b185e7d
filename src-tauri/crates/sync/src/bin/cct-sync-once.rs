//! Runs one sync of a database with a Planning Center (or the fake), then exits. Used by the
//! crash tests, which kill it at random moments, and handy for support:
//!
//!   cct-sync-once <database file> <base url> <app id> <secret>
//!
//! The database's key (64 hexadecimal digits, as the app keeps it in the keychain) comes on
//! standard input, never on the command line, where other users of the computer could see it.

use cct_planning_center::{Client, ClientConfig, Credentials};
use cct_store::{DatabaseKey, Store};
use cct_sync::{SyncEngine, SyncSettings};
use std::io::Read;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, database, base_url, app_id, secret] = args.as_slice() else {
        eprintln!("usage: cct-sync-once <database file> <base url> <app id> <secret>");
        std::process::exit(2);
    };
    let mut key = String::new();
    let key = match std::io::stdin().read_to_string(&mut key).map(|_| DatabaseKey::from_hex(&key)) {
        Ok(Ok(key)) => key,
        Ok(Err(error)) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
        Err(error) => {
            eprintln!("the database key could not be read from standard input: {error}");
            std::process::exit(2);
        }
    };
    let store = match Store::open(database, &key) {
        Ok(store) => store,
        Err(error) => {
            eprintln!("cannot open {database}: {error}");
            std::process::exit(1);
        }
    };
    let client = match Client::new(ClientConfig::new(
        base_url.clone(),
        Credentials::PersonalAccessToken { app_id: app_id.clone(), secret: secret.clone() },
    )) {
        Ok(client) => client,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(1);
        }
    };
    match SyncEngine::new(store, client, SyncSettings::default()).run().await {
        Ok(report) => println!("{}", serde_json::to_string(&report).unwrap_or_default()),
        Err(error) => {
            eprintln!("sync failed: {error}");
            std::process::exit(1);
        }
    }
}
