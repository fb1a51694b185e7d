//! The sync process killed at random moments, over and over: no local write is lost and no
//! person is created twice in Planning Center.

use crate::common::*;
use cct_pco_fake::{TEST_APP_ID, TEST_SECRET};
use std::process::Stdio;
use std::time::{Duration, Instant};

const TRIALS: usize = 100;
/// Trials that run a whole sync, to time it.
const MEASURED: usize = 3;
const VISITORS: [(&str, &str, &str); 4] = [
    ("Lydia", "Thyatira", "lydia@visitors.example"),
    ("Aquila", "Pontus", "aquila@visitors.example"),
    ("Priscilla", "Pontus", "priscilla@visitors.example"),
    ("Apollos", "Alexandria", "apollos@visitors.example"),
];

async fn run_child(fake: &cct_pco_fake::FakePco, database: &std::path::Path, kill_after: Option<Duration>) -> Duration {
    let started = Instant::now();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_cct-sync-once"))
        .args([database.to_str().unwrap(), &fake.base_url(), TEST_APP_ID, TEST_SECRET])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the sync binary starts");
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = child.stdin.take().expect("the child's input");
        stdin.write_all(test_key().to_hex().as_bytes()).await.expect("the key reaches the child");
    }
    match kill_after {
        Some(delay) => {
            tokio::select! {
                _ = child.wait() => {}
                _ = tokio::time::sleep(delay) => {
                    child.start_kill().ok(); // SIGKILL: no chance to clean up
                    child.wait().await.ok();
                }
            }
        }
        None => {
            let status = child.wait().await.unwrap();
            assert!(status.success(), "an uninterrupted sync succeeds");
        }
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_at_random_points_loses_nothing_and_creates_nobody_twice() {
    let mut rng = fastrand::Rng::with_seed(2026);
    let mut full_run: Option<Duration> = None;
    let mut interrupted = 0;
    for trial in 0..TRIALS {
        let fake = fake(25, unlimited()).await;
        let office = office(&fake).await;
        office.engine.run().await.unwrap();
        for (first, last, email) in VISITORS {
            add_person(&office.store, first, last, Some(email), None).await;
        }
        let member = local_people(&office.store).await.into_iter().find(|p| p.planning_center_id.is_some()).unwrap();
        let system = system();
        let mut tx = office.store.begin_write(&system).unwrap();
        cct_store::records::update(
            &mut tx,
            cct_domain::records::Person { nickname: Some(format!("Trial {trial}")), ..member.clone() },
        )
        .unwrap();
        tx.commit().unwrap();
        let database = office.dir.path().join("church.sqlite");
        // The app closes (one app per database: the child could not open it otherwise).
        let Office { store, engine, dir } = office;
        drop(engine);
        store.close();

        // The first trials measure how long a whole sync takes (the fastest of them: a busy
        // machine slows one run, and a kill timed from a slow run would come after the end);
        // the others kill it within that.
        let kill_after = if trial < MEASURED { None } else { full_run.map(|full| full.mul_f64(rng.f64() * 1.2)) };
        let took = run_child(&fake, &database, kill_after).await;
        if trial < MEASURED {
            full_run = Some(full_run.map_or(took, |fastest| fastest.min(took)));
        } else if kill_after.is_some_and(|k| took >= k) {
            interrupted += 1;
        }

        // The app starts again and syncs to the end.
        let office = office_in(&fake, dir).await;
        office.engine.run().await.unwrap_or_else(|e| panic!("trial {trial}: recovery sync failed: {e}"));
        let names = remote_names(&fake);
        assert_eq!(names.len(), 25 + VISITORS.len(), "trial {trial}: nobody created twice: {names:?}");
        for (first, last, email) in VISITORS {
            let local = by_name(&office.store, first, last).await;
            assert_eq!(local.email.as_deref(), Some(email), "trial {trial}: local write kept");
            let pco = local.planning_center_id.unwrap_or_else(|| panic!("trial {trial}: {first} linked"));
            assert_eq!(remote_emails_of(&fake, &pco), vec![email.to_owned()], "trial {trial}: e-mail sent once");
        }
        let nickname = fake.with_data(|d| {
            d.get("people/people", member.planning_center_id.as_deref().unwrap().parse().unwrap())
                .unwrap()
                .attribute("nickname")
        });
        assert_eq!(nickname, format!("Trial {trial}"), "trial {trial}: the edit arrived");
        assert_eq!(pending(&office.store).await, 0, "trial {trial}");
    }
    println!("{TRIALS} trials, {interrupted} killed mid-sync, full sync took {full_run:?}");
    assert!(interrupted >= TRIALS / 2, "most trials really were interrupted: {interrupted}");
}
