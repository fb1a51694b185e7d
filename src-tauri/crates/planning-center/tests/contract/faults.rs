//! Every injected fault: the client recovers, or fails with an error that says which request
//! failed and why.

use crate::*;
use cct_pco_fake::Faults;
use cct_planning_center::{ChangeCursor, Client, ClientConfig, Credentials, PcoError};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

async fn pull_all(client: &Client) -> Result<Vec<String>, PcoError> {
    let mut feed = client.people_changes(ChangeCursor::default());
    let mut ids = Vec::new();
    while let Some(page) = feed.next_page().await? {
        ids.extend(page.data.iter().map(|r| r.id.clone()));
    }
    Ok(ids)
}

#[tokio::test]
async fn pacing_stays_under_the_limit_without_a_single_429() {
    let fake = fake(30, Faults { rate_limit: 10, rate_period: Duration::from_secs(1), ..Default::default() }).await;
    let client = pat_client(&fake);
    let started = Instant::now();
    for _ in 0..35 {
        client.get_list("/people/v2/campuses", &[]).await.unwrap();
    }
    assert_eq!(fake.stats().rate_limited, 0, "the first response taught the client the limit");
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "35 requests at 10/s take at least 3 s: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_lower_limit_than_assumed_trips_once_then_is_honoured() {
    let fake = fake(30, Faults { rate_limit: 5, rate_period: Duration::from_secs(1), ..Default::default() }).await;
    let mut config = ClientConfig::new(
        fake.base_url(),
        Credentials::PersonalAccessToken {
            app_id: cct_pco_fake::TEST_APP_ID.into(),
            secret: cct_pco_fake::TEST_SECRET.into(),
        },
    );
    config.retry = quick_retries();
    let client = Client::new(config).unwrap();
    // Concurrent requests before any response has told the client the limit.
    let calls: Vec<_> = (0..12)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_list("/people/v2/campuses", &[]).await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    for _ in 0..10 {
        client.get_list("/people/v2/campuses", &[]).await.unwrap();
    }
    let tripped = fake.stats().rate_limited;
    assert!(tripped <= 7, "at most the opening burst is refused: {tripped}");
    let before = fake.stats().rate_limited;
    for _ in 0..10 {
        client.get_list("/people/v2/campuses", &[]).await.unwrap();
    }
    assert_eq!(fake.stats().rate_limited, before, "once learned, the limit is never tripped again");
}

#[tokio::test]
async fn a_burst_of_429s_is_waited_out() {
    let fake = fake(250, Faults { burst_429: 3, ..fast_window() }).await;
    let client = pat_client(&fake);
    assert_eq!(pull_all(&client).await.unwrap().len(), 250);
    assert_eq!(client.stats().rate_limited.load(Ordering::Relaxed), 3);
}

#[tokio::test]
async fn missing_or_negative_retry_after_is_clamped() {
    for header in [None, Some(-5)] {
        let fake = fake(50, Faults { burst_429: 1, retry_after_override: Some(header), ..fast_window() }).await;
        let client = pat_client(&fake);
        let started = Instant::now();
        assert_eq!(pull_all(&client).await.unwrap().len(), 50);
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
            "{header:?}: waited {waited:?}"
        );
    }
}

#[tokio::test]
async fn endless_429s_end_in_a_clear_error() {
    let fake = fake(10, Faults { burst_429: 1000, retry_after_override: Some(Some(1)), ..fast_window() }).await;
    let client = pat_client(&fake);
    let error = client.get_list("/people/v2/people", &[]).await.unwrap_err();
    assert!(matches!(error, PcoError::RateLimited { attempts: 6, .. }), "{error}");
    assert!(error.to_string().contains("GET /people/v2/people"), "{error}");
}

#[tokio::test]
async fn server_errors_are_retried_for_reads() {
    let fake = fake(1500, Faults { error_rate: 0.3, ..fast_window() }).await;
    let client = pat_client(&fake);
    let ids = pull_all(&client).await.unwrap();
    assert_eq!(ids.len(), 1500);
    assert!(fake.stats().server_errors > 0, "faults were injected");
}

#[tokio::test]
async fn a_server_that_keeps_failing_gives_up_naming_the_request() {
    let fake = fake(10, Faults { error_rate: 1.0, ..fast_window() }).await;
    let client = pat_client(&fake);
    let error = client.get_list("/people/v2/households", &[]).await.unwrap_err();
    assert!(error.to_string().contains("GET /people/v2/households"), "{error}");
    assert_eq!(fake.stats().server_errors, 6, "bounded retries");
}

#[tokio::test]
async fn a_create_is_not_repeated_after_a_server_error() {
    let fake = fake(5, Faults { error_rate: 1.0, ..fast_window() }).await;
    let client = pat_client(&fake);
    let error = client
        .create_person(&cct_planning_center::resources::PersonAttributes {
            first_name: Some("Once".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(error.to_string().contains("may or may not"), "{error}");
    assert_eq!(fake.stats().server_errors, 1, "one attempt only: a retry could create twice");
}

#[tokio::test]
async fn dropped_connections_are_retried_for_reads() {
    let fake = fake(1500, Faults { drop_rate: 0.3, ..fast_window() }).await;
    let client = pat_client(&fake);
    assert_eq!(pull_all(&client).await.unwrap().len(), 1500);
    assert!(fake.stats().dropped > 0);
}

#[tokio::test]
async fn slow_answers_time_out_with_a_clear_error_or_succeed_within_the_timeout() {
    let fake = fake(10, Faults { latency: Duration::from_millis(400), ..fast_window() }).await;
    let mut config = ClientConfig::new(
        fake.base_url(),
        Credentials::PersonalAccessToken {
            app_id: cct_pco_fake::TEST_APP_ID.into(),
            secret: cct_pco_fake::TEST_SECRET.into(),
        },
    );
    config.retry = cct_planning_center::RetryPolicy {
        max_attempts: 2,
        request_timeout: Duration::from_millis(100),
        ..quick_retries()
    };
    let impatient = Client::new(config.clone()).unwrap();
    let error = impatient.get_list("/people/v2/people", &[]).await.unwrap_err();
    assert!(matches!(error, PcoError::Transport { attempts: 2, .. }), "{error}");
    assert!(error.to_string().contains("could not reach Planning Center"), "{error}");
    config.retry.request_timeout = Duration::from_secs(2);
    let patient = Client::new(config).unwrap();
    assert_eq!(patient.get_list("/people/v2/people", &[]).await.unwrap().data.len(), 10);
}

#[tokio::test]
async fn a_server_that_is_down_is_reported_as_unreachable() {
    let fake = fake(1, fast_window()).await;
    let url = fake.base_url();
    drop(fake);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut config =
        ClientConfig::new(url, Credentials::PersonalAccessToken { app_id: "a".into(), secret: "b".into() });
    config.retry = cct_planning_center::RetryPolicy { max_attempts: 2, ..quick_retries() };
    let error = Client::new(config).unwrap().get_list("/people/v2/people", &[]).await.unwrap_err();
    assert!(matches!(error, PcoError::Transport { .. }), "{error}");
}

#[tokio::test]
async fn a_wrong_personal_access_token_is_refused() {
    let fake = fake(1, fast_window()).await;
    let mut config = ClientConfig::new(
        fake.base_url(),
        Credentials::PersonalAccessToken { app_id: "fake-app-id".into(), secret: "wrong".into() },
    );
    config.retry = quick_retries();
    let error = Client::new(config).unwrap().get_list("/people/v2/people", &[]).await.unwrap_err();
    assert!(matches!(error, PcoError::SignInRequired { .. }), "{error}");
}
