//! Team sync at church scale, against a real PostgreSQL server (`CCT_TEST_HUB_URL`, as the
//! tests; `node ui/scripts/tasks.mjs bench-team` starts a private one and runs this):
//!   - changes per second pushed to the hub and pulled (and merged) from it;
//!   - the time for a new device to join a church of 50,000 people (join code to usable),
//!     replaying the hub's whole log, and again from the hub's snapshot once it compacted;
//!   - the hub's change tables before and after compaction.
//!
//! Run: `node ui/scripts/tasks.mjs bench-team` (a few minutes, most of it building the church).

use cct_domain::records::Person;
use cct_domain::Actor;
use cct_store::team::changes;
use cct_store::{records, ListQuery, Store};
use cct_team::compaction;
use cct_team::exchange::{self, ExchangeProgress};
use cct_team::{membership, Hub, HubAddress};
use sqlx::Connection;
use std::time::{Duration, Instant};

/// `CCT_BENCH_PEOPLE` makes a smaller church, for profiling.
fn church_size() -> usize {
    std::env::var("CCT_BENCH_PEOPLE").ok().and_then(|n| n.parse().ok()).unwrap_or(50_000)
}
const ROUNDS: usize = 3;
const EDITS_PER_ROUND: usize = 5_000;
const BATCH: u32 = 500;

fn quiet(_: ExchangeProgress) {}

fn per_second(count: u64, took: Duration) -> f64 {
    count as f64 / took.as_secs_f64()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

async fn new_hub() -> (HubAddress, Option<String>) {
    let url = std::env::var("CCT_TEST_HUB_URL")
        .expect("set CCT_TEST_HUB_URL (and CCT_TEST_HUB_PASSWORD), or run `node ui/scripts/tasks.mjs bench-team`");
    let password = std::env::var("CCT_TEST_HUB_PASSWORD").ok();
    let (server, _) = HubAddress::parse(&url).unwrap();
    let options = server
        .as_str()
        .parse::<sqlx::postgres::PgConnectOptions>()
        .unwrap()
        .password(password.as_deref().unwrap_or_default());
    let mut admin = sqlx::PgConnection::connect_with(&options).await.unwrap();
    let name = format!("cct_bench_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    let mut url = url::Url::parse(&url).unwrap();
    url.set_path(&name);
    (HubAddress::parse(url.as_str()).unwrap().0, password)
}

/// Edits one field of `count` people, in transactions of a thousand, as an import would.
async fn edit_people(store: &Store, people: &[Person], round: usize) {
    let system = Actor::system();
    for chunk in people.chunks(1_000) {
        let mut tx = store.begin_write(&system).unwrap();
        for person in chunk {
            let mut person = person.clone();
            person.nickname = Some(format!("round {round}"));
            records::update(&mut tx, person).unwrap();
        }
        tx.commit().unwrap();
    }
}

/// What one run measures, on a hub of its own.
struct Figures {
    pushed: u64,
    first_push: Duration,
    pulled: u64,
    join_time: Duration,
    push_rates: Vec<f64>,
    pull_rates: Vec<f64>,
    compaction: Duration,
    snapshot_join: Duration,
    snapshot_pulled: u64,
    before: HubTables,
    after: HubTables,
}

/// Rows and bytes (with indexes) of the hub's log and snapshot.
#[derive(Clone, Copy, Default)]
struct HubTables {
    log_rows: i64,
    log_bytes: i64,
    snapshot_rows: i64,
    snapshot_bytes: i64,
}

/// The hub's owner, outside the app: to switch the policies off, set the schedule, look.
async fn owner_connection(address: &HubAddress, password: Option<&str>) -> sqlx::PgConnection {
    let options = address.as_str().parse::<sqlx::postgres::PgConnectOptions>().unwrap();
    sqlx::PgConnection::connect_with(&options.password(password.unwrap_or_default())).await.unwrap()
}

/// A new, empty computer that joins with a code the office makes, timed from the code to
/// usable (the whole church here).
struct NewComputer {
    store: Store,
    hub: Hub,
    credentials: cct_team::DeviceCredentials,
    pulled: u64,
    took: Duration,
    _dir: tempfile::TempDir,
}

async fn join_new_computer(
    office_hub: &Hub,
    office: &cct_team::DeviceCredentials,
    address: &HubAddress,
    name: &str,
    people_count: usize,
) -> NewComputer {
    let admin = Actor::system();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("computer.sqlite"), &cct_store::DatabaseKey::generate().unwrap()).unwrap();
    let code = membership::make_join_code(
        &admin,
        office_hub,
        office,
        membership::JoinCodeFor::default(),
        chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    let started = Instant::now();
    let joined = membership::join(&store, None, address, &code, name).await.unwrap();
    let hub = Hub::connect(address, &joined.credentials).await.unwrap();
    let (pulled, waiting, _) = exchange::pull(&store, &hub, &joined.credentials, BATCH, &quiet).await.unwrap();
    let took = started.elapsed();
    assert_eq!(waiting, 0);
    let people_there = records::list::<Person>(&store, &admin, &ListQuery::default().page(1, 0)).unwrap().total;
    assert_eq!(people_there as usize, people_count, "{name} holds the whole church");
    NewComputer { store, hub, credentials: joined.credentials, pulled, took, _dir: dir }
}

async fn hub_tables(address: &HubAddress, password: Option<&str>) -> HubTables {
    let mut owner = owner_connection(address, password).await;
    let (log_rows, log_bytes, snapshot_rows, snapshot_bytes) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM hub_change), pg_total_relation_size('hub_change'),
                (SELECT count(*) FROM hub_snapshot_change), pg_total_relation_size('hub_snapshot_change')",
    )
    .fetch_one(&mut owner)
    .await
    .unwrap();
    HubTables { log_rows, log_bytes, snapshot_rows, snapshot_bytes }
}

/// The hub's row-level security on (as every team runs) or, for the comparison only, off.
#[derive(Clone, Copy, PartialEq)]
enum Policies {
    On,
    Off,
}

#[tokio::main]
async fn main() {
    let people_count = church_size();
    let dir = tempfile::tempdir().unwrap();
    let key = cct_store::DatabaseKey::generate().unwrap();
    let office = Store::open(dir.path().join("office.sqlite"), &key).unwrap();
    let started = Instant::now();
    cct_store::demo::load(&office, 300).unwrap();
    cct_store::demo::add_people(&office, people_count - 300).unwrap();
    let logged = changes::unpushed_count(&office).unwrap() as u64;
    eprintln!(
        "built a church of {people_count} people ({logged} logged changes) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    office.close();
    // Each run starts from the same church, on a new hub. The order is with, without, without,
    // with, so that neither side always runs first (a cold server) or last.
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for policies in [Policies::On, Policies::Off, Policies::Off, Policies::On] {
        let copy = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
        }
        let office = Store::open(copy.path().join("office.sqlite"), &key).unwrap();
        let figures = run(&office, people_count, policies).await;
        office.close();
        match policies {
            Policies::On => with.push(figures),
            Policies::Off => without.push(figures),
        }
    }
    report(people_count, &Figures::mean(&with), &Figures::mean(&without));
}

impl Figures {
    /// The mean of the runs' times, and all their rounds' rates (whose median is reported).
    fn mean(runs: &[Figures]) -> Figures {
        let mean_time = |of: fn(&Figures) -> Duration| runs.iter().map(of).sum::<Duration>() / runs.len() as u32;
        Figures {
            pushed: runs[0].pushed,
            first_push: mean_time(|f| f.first_push),
            pulled: runs[0].pulled,
            join_time: mean_time(|f| f.join_time),
            push_rates: runs.iter().flat_map(|f| f.push_rates.clone()).collect(),
            pull_rates: runs.iter().flat_map(|f| f.pull_rates.clone()).collect(),
            compaction: mean_time(|f| f.compaction),
            snapshot_join: mean_time(|f| f.snapshot_join),
            snapshot_pulled: runs[0].snapshot_pulled,
            before: runs[0].before,
            after: runs[0].after,
        }
    }
}

async fn run(office: &Store, people_count: usize, policies: Policies) -> Figures {
    let (address, password) = new_hub().await;
    let admin = Actor::system();
    let owner = Hub::connect_as_owner(&address, password.as_deref()).await.unwrap();
    if policies == Policies::Off {
        let mut raw = owner_connection(&address, password.as_deref()).await;
        sqlx::query("ALTER TABLE hub_change DISABLE ROW LEVEL SECURITY").execute(&mut raw).await.unwrap();
    }
    let credentials = membership::create_team(office, &admin, &owner, "Bench Church", "Office").await.unwrap();
    owner.close().await;
    let hub = Hub::connect(&address, &credentials).await.unwrap();
    let started = Instant::now();
    let pushed = exchange::push(office, &hub, &credentials, BATCH, &quiet).await.unwrap();
    let first_push = started.elapsed();

    let laptop = join_new_computer(&hub, &credentials, &address, "Room 101", people_count).await;
    let join_time = laptop.took;
    let pulled = laptop.pulled;

    // A page holds at most `records::MAX_PAGE` people: the edits' people come a page at a time.
    let mut people = Vec::new();
    while people.len() < EDITS_PER_ROUND {
        let page = ListQuery::default().page(records::MAX_PAGE, people.len() as u32);
        let items = records::list::<Person>(office, &admin, &page).unwrap().items;
        if items.is_empty() {
            break; // a church smaller than a round's edits (CCT_BENCH_PEOPLE)
        }
        people.extend(items);
    }
    people.truncate(EDITS_PER_ROUND);
    let (mut push_rates, mut pull_rates) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        edit_people(office, &people, round).await;
        let started = Instant::now();
        let sent = exchange::push(office, &hub, &credentials, BATCH, &quiet).await.unwrap();
        push_rates.push(per_second(sent, started.elapsed()));
        let started = Instant::now();
        let (received, _, _) =
            exchange::pull(&laptop.store, &laptop.hub, &laptop.credentials, BATCH, &quiet).await.unwrap();
        pull_rates.push(per_second(received, started.elapsed()));
        assert_eq!(received, sent);
    }
    // A year later: the hub compacts (its owner sets the schedule to now), and a new computer
    // joins from the snapshot.
    let mut raw = owner_connection(&address, password.as_deref()).await;
    sqlx::query("UPDATE hub_compaction SET min_interval = '0 seconds', min_new_changes = 1")
        .execute(&mut raw)
        .await
        .unwrap();
    // The office fetches too, as its sync would: the log goes only as far as every computer has.
    exchange::pull(office, &hub, &credentials, BATCH, &quiet).await.unwrap();
    let before = hub_tables(&address, password.as_deref()).await;
    let started = Instant::now();
    let compacted = compaction::compact(&hub, &credentials).await.unwrap();
    let compaction = started.elapsed();
    assert!(compacted.made_snapshot && compacted.pruned > 0, "every computer fetched everything");
    let after = hub_tables(&address, password.as_deref()).await;
    let second = join_new_computer(&hub, &credentials, &address, "Room 102", people_count).await;
    let (snapshot_join, snapshot_pulled) = (second.took, second.pulled);
    second.hub.close().await;
    hub.close().await;
    laptop.hub.close().await;
    Figures {
        pushed,
        first_push,
        pulled,
        join_time,
        push_rates,
        pull_rates,
        compaction,
        snapshot_join,
        snapshot_pulled,
        before,
        after,
    }
}

fn report(people_count: usize, with: &Figures, without: &Figures) {
    println!();
    println!(
        "Team sync, {people_count} people, batches of {BATCH}, PostgreSQL on loopback, {} cores; each computer on its own role; two runs each (first push and join: their mean)",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    println!("| measure                               | with row-level security | without (comparison) | ratio |");
    println!("|---------------------------------------|-------------------------|----------------------|-------|");
    let rate = |count: u64, took: Duration| per_second(count, took);
    let row = |name: &str, a: f64, b: f64, unit: &str| {
        println!("| {name:<37} | {a:>16.0} {unit:<6} | {b:>13.0} {unit:<6} | {:.2} |", a / b);
    };
    row("first push, whole church", rate(with.pushed, with.first_push), rate(without.pushed, without.first_push), "/s");
    println!(
        "| new device joins (code to usable)     | {:>16.1} s      | {:>13.1} s      | {:.2} |",
        with.join_time.as_secs_f64(),
        without.join_time.as_secs_f64(),
        with.join_time.as_secs_f64() / without.join_time.as_secs_f64()
    );
    row(
        &format!("push, {EDITS_PER_ROUND} edits, median of {}", 2 * ROUNDS),
        median(with.push_rates.clone()),
        median(without.push_rates.clone()),
        "/s",
    );
    row(
        &format!("pull + merge, {EDITS_PER_ROUND} edits, median of {}", 2 * ROUNDS),
        median(with.pull_rates.clone()),
        median(without.pull_rates.clone()),
        "/s",
    );
    let seconds = |name: &str, a: Duration, b: Duration| {
        println!(
            "| {name:<37} | {:>16.1} s      | {:>13.1} s      | {:.2} |",
            a.as_secs_f64(),
            b.as_secs_f64(),
            a.as_secs_f64() / b.as_secs_f64()
        );
    };
    seconds("hub compacts (snapshot, prune)", with.compaction, without.compaction);
    seconds("new device joins from the snapshot", with.snapshot_join, without.snapshot_join);
    println!(
        "(changes: first push {} / {}, join pulled {} / {}, join from the snapshot pulled {} / {})",
        with.pushed, without.pushed, with.pulled, without.pulled, with.snapshot_pulled, without.snapshot_pulled
    );
    let mb = |bytes: i64| bytes as f64 / 1_048_576.0;
    let (b, a) = (with.before, with.after);
    println!();
    println!("Hub tables, after the join and {ROUNDS} rounds of {EDITS_PER_ROUND} edits (rows, MB with indexes)");
    println!("| table               | before compaction   | after compaction    |");
    println!("|---------------------|---------------------|---------------------|");
    println!(
        "| hub_change          | {:>8} {:>7.1} MB | {:>8} {:>7.1} MB |",
        b.log_rows,
        mb(b.log_bytes),
        a.log_rows,
        mb(a.log_bytes)
    );
    println!(
        "| hub_snapshot_change | {:>8} {:>7.1} MB | {:>8} {:>7.1} MB |",
        b.snapshot_rows,
        mb(b.snapshot_bytes),
        a.snapshot_rows,
        mb(a.snapshot_bytes)
    );
    println!(
        "(a ratio is with / without: above 1 for rates means faster with the policies; for the join time, slower)"
    );
}
