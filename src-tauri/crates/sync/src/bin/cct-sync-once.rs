//! Runs one sync of a database with a Planning Center (or the fake), then exits. Used by the
//! crash tests, which kill it at random moments, and handy for support:
//!
//!   cct-sync-once <database file> <base url> <app id> <secret>

use cct_planning_center::{Client, ClientConfig, Credentials};
use cct_store::Store;
use cct_sync::{SyncEngine, SyncSettings};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, database, base_url, app_id, secret] = args.as_slice() else {
        eprintln!("usage: cct-sync-once <database file> <base url> <app id> <secret>");
        std::process::exit(2);
    };
    let store = match Store::open(database) {
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
