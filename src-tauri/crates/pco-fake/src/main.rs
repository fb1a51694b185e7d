//! `pco-fake`: run the fake Planning Center on a port, for demos and manual testing.
//!
//!   pco-fake [--port 3030] [--people 500] [--rate-limit 100] [--rate-period 20]
//!
//! It prints the base URL, a personal access token and a ready OAuth access token.

use cct_pco_fake::{FakeConfig, FakePco, TEST_APP_ID, TEST_SECRET};
use std::net::SocketAddr;
use std::time::Duration;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn number<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T, String> {
    match arg(args, name) {
        Some(text) => text.parse().map_err(|_| format!("{name} needs a number, got {text:?}")),
        None => Ok(default),
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("usage: pco-fake [--port N] [--people N] [--rate-limit N] [--rate-period SECONDS]");
        return;
    }
    let parsed = (|| -> Result<(u16, FakeConfig), String> {
        let mut config = FakeConfig { people: number(&args, "--people", 500)?, ..Default::default() };
        config.faults.rate_limit = number(&args, "--rate-limit", 100)?;
        config.faults.rate_period = Duration::from_secs(number(&args, "--rate-period", 20)?);
        Ok((number(&args, "--port", 3030)?, config))
    })();
    let (port, config) = match parsed {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("pco-fake: {message}");
            std::process::exit(2);
        }
    };
    let people = config.people;
    let fake = match FakePco::start_on(config, SocketAddr::from(([127, 0, 0, 1], port))).await {
        Ok(fake) => fake,
        Err(error) => {
            eprintln!("pco-fake: cannot listen on 127.0.0.1:{port}: {error}");
            std::process::exit(1);
        }
    };
    let (access, _) = fake.issue_token("people registrations check_ins groups");
    println!("Fake Planning Center with {people} people at {}", fake.base_url());
    println!("  personal access token: {TEST_APP_ID}:{TEST_SECRET}");
    println!("  OAuth bearer token:    {access}");
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
}
