//! Pulls every person (with e-mails, phones and addresses) from the fake Planning Center under
//! its rate limit and prints a table: requests against the bound ceil(people / 100) + a
//! handful, 429s against the windows elapsed, wall time against the least the limit allows.
//!
//!   cargo bench -p cct-planning-center --bench pull_people
//!   PEOPLE=50000 PERIOD_SECONDS=20 RUNS=1 cargo bench -p cct-planning-center --bench pull_people
//!
//! The default is the real limit (100 per 20 s) once, plus three runs at 100 per 2 s for a
//! median, since a machine's noise matters more there.

use cct_pco_fake::{FakeConfig, FakePco, Faults, TEST_APP_ID, TEST_SECRET};
use cct_planning_center::endpoints::people_of;
use cct_planning_center::{ChangeCursor, Client, ClientConfig, Credentials};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const HANDFUL: u64 = 5;

struct Run {
    people: usize,
    with_email: usize,
    requests: u64,
    rate_limited: u64,
    wall: Duration,
    period: Duration,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn run(people: usize, period: Duration) -> Run {
    let faults = Faults { rate_limit: 100, rate_period: period, ..Default::default() };
    let fake = FakePco::start(FakeConfig { people, faults, ..Default::default() }).await.expect("fake starts");
    let mut config = ClientConfig::new(
        fake.base_url(),
        Credentials::PersonalAccessToken { app_id: TEST_APP_ID.into(), secret: TEST_SECRET.into() },
    );
    config.rate_period = period;
    let client = Client::new(config).expect("client");
    let started = Instant::now();
    let mut feed = client.people_changes(ChangeCursor::default());
    let (mut count, mut with_email) = (0, 0);
    while let Some(page) = feed.next_page().await.expect("page") {
        for person in people_of(&page).expect("people decode") {
            count += 1;
            with_email += usize::from(person.primary_email().is_some() && person.primary_phone().is_some());
        }
    }
    let wall = started.elapsed();
    let server = fake.stats();
    assert_eq!(server.requests, client.stats().requests.load(Ordering::Relaxed));
    Run { people: count, with_email, requests: server.requests, rate_limited: server.rate_limited, wall, period }
}

/// The least time the limit allows: the first 100 requests at once, then 100 per period.
fn least_wall(requests: u64, period: Duration) -> Duration {
    period * (requests.saturating_sub(1) / 100) as u32
}

fn print_row(label: &str, run: &Run) {
    let bound = (run.people as u64).div_ceil(100) + HANDFUL;
    let windows = (run.wall.as_secs_f64() / run.period.as_secs_f64()).ceil().max(1.0);
    let least = least_wall(run.requests, run.period);
    println!(
        "| {label:<14} | {:>6} | {:>6} | {:>8} | {:>5} | {:>6} / {:<6} | {:>8.1} | {:>9.1} | {:>5.2} |",
        run.people,
        run.with_email,
        run.requests,
        bound,
        run.rate_limited,
        windows as u64,
        run.wall.as_secs_f64(),
        least.as_secs_f64(),
        run.wall.as_secs_f64() / least.as_secs_f64().max(0.001),
    );
    assert!(run.requests <= bound, "{} requests exceed the bound {bound}", run.requests);
    assert!(run.rate_limited as f64 <= windows, "tripped the limit more than once per window");
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let people = env_number("PEOPLE", 50_000) as usize;
    let period = Duration::from_secs(env_number("PERIOD_SECONDS", 20));
    let runs = env_number("RUNS", 1);
    println!("Pulling {people} people with e-mails, phones and addresses from the fake Planning Center (100 requests per window).\n");
    println!(
        "| run            | people | w/ e+p | requests | bound |  429s / windows | wall (s) | least (s) | ratio |"
    );
    println!(
        "|----------------|--------|--------|----------|-------|-----------------|----------|-----------|-------|"
    );
    for i in 0..runs {
        let result = run(people, period).await;
        print_row(&format!("{}s window #{}", period.as_secs(), i + 1), &result);
    }
    if std::env::var("PERIOD_SECONDS").is_err() {
        let short = Duration::from_secs(2);
        let mut walls = Vec::new();
        for i in 0..3 {
            let result = run(people, short).await;
            print_row(&format!("2s window #{}", i + 1), &result);
            walls.push(result.wall.as_secs_f64() / least_wall(result.requests, short).as_secs_f64());
        }
        walls.sort_by(f64::total_cmp);
        println!("\nmedian wall / least at 2 s windows: {:.2}", walls[1]);
    }
}
