//! `cct-webhooks`: run beside the team hub, behind a TLS proxy. Configured from the
//! environment, so no secret is ever on its command line (which other users can list):
//!
//! - `CCT_WEBHOOKS_HUB_URL`      the hub, as the receiver's own role: `postgres://cct_webhooks@hub.example.org/grace`
//! - `CCT_WEBHOOKS_HUB_PASSWORD` that role's password (or put it in the URL)
//! - `CCT_WEBHOOKS_SECRETS_FILE` a file with each subscription's `authenticity_secret`, one per line
//! - `CCT_WEBHOOKS_LISTEN`       where to listen (default `127.0.0.1:8790`: the proxy forwards to it)
//! - `CCT_WEBHOOKS_MAX_BODY_BYTES`, `CCT_WEBHOOKS_BURST`, `CCT_WEBHOOKS_PER_SECOND` the limits

use cct_webhooks::{read_secrets, ReceiverConfig, DELIVERY_PATH};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

fn setting(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn number(name: &str, default: u64) -> Result<u64, String> {
    match setting(name) {
        None => Ok(default),
        Some(text) => text.parse().map_err(|_| format!("{name} must be a whole number, not {text:?}")),
    }
}

async fn run() -> Result<(), String> {
    let url = setting("CCT_WEBHOOKS_HUB_URL").ok_or("CCT_WEBHOOKS_HUB_URL is not set: name the team hub's database")?;
    let mut hub = PgConnectOptions::from_str(&url)
        .map_err(|_| "CCT_WEBHOOKS_HUB_URL is not a PostgreSQL address (postgres://role@host/database)")?
        .application_name("cct-webhooks");
    if let Some(password) = setting("CCT_WEBHOOKS_HUB_PASSWORD") {
        hub = hub.password(&password);
    }
    let secrets_file =
        setting("CCT_WEBHOOKS_SECRETS_FILE").ok_or("CCT_WEBHOOKS_SECRETS_FILE is not set: name the secrets file")?;
    let secrets = std::fs::read_to_string(&secrets_file)
        .map(|text| read_secrets(&text))
        .map_err(|e| format!("cannot read the secrets file {secrets_file}: {e}"))?;
    if secrets.is_empty() {
        return Err(format!(
            "the secrets file {secrets_file} holds no secret: add each subscription's authenticity_secret"
        ));
    }
    let config = ReceiverConfig {
        secrets,
        body_limit: number("CCT_WEBHOOKS_MAX_BODY_BYTES", 256 * 1024)? as usize,
        burst: number("CCT_WEBHOOKS_BURST", 120)? as u32,
        per_second: number("CCT_WEBHOOKS_PER_SECOND", 20)? as u32,
    };
    let listen = setting("CCT_WEBHOOKS_LISTEN").unwrap_or_else(|| "127.0.0.1:8790".into());
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(hub)
        .await
        .map_err(|e| format!("cannot reach the hub: {e}"))?;
    let listener =
        tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    eprintln!(
        "cct-webhooks: receiving on http://{listen}{DELIVERY_PATH} with {} subscription secret(s)",
        config.secrets.len()
    );
    tokio::select! {
        served = cct_webhooks::serve(listener, pool, config) => served.map_err(|e| format!("stopped: {e}")),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

#[tokio::main]
async fn main() {
    if let Err(problem) = run().await {
        eprintln!("cct-webhooks: {problem}");
        std::process::exit(2);
    }
}
