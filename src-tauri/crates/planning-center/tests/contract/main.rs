//! Contract tests: the client against the fake Planning Center over loopback.

mod faults;
mod oauth;
mod reading;
mod writing;

use cct_pco_fake::{FakeConfig, FakePco, Faults, TEST_APP_ID, TEST_SECRET};
use cct_planning_center::{Client, ClientConfig, Credentials, RetryPolicy};
use std::time::Duration;

/// Short waits so fault tests run in seconds; the logic is the production logic.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 6,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
    }
}

pub async fn fake(people: usize, faults: Faults) -> FakePco {
    FakePco::start(FakeConfig { people, faults, ..Default::default() }).await.expect("fake server starts")
}

pub fn pat_client(fake: &FakePco) -> Client {
    let mut config = ClientConfig::new(
        fake.base_url(),
        Credentials::PersonalAccessToken { app_id: TEST_APP_ID.into(), secret: TEST_SECRET.into() },
    );
    config.retry = quick_retries();
    Client::new(config).unwrap()
}

pub fn fast_window() -> Faults {
    Faults { rate_limit: 50, rate_period: Duration::from_secs(1), ..Default::default() }
}
