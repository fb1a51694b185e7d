//! Rate limiting per token, as Planning Center counts it: a fixed window (100 requests per 20 s
//! by default, 75 for offsets above 30,000), every response carrying the counters.

use std::collections::HashMap;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Window {
    started: Instant,
    count: u32,
}

#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: HashMap<String, Window>,
}

/// What one request saw of its window.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    pub limit: u32,
    pub count: u32,
    pub period: Duration,
    pub allowed: bool,
    /// Seconds until the window resets (for Retry-After).
    pub retry_after: u64,
}

impl RateLimiter {
    pub fn check(&mut self, key: &str, limit: u32, period: Duration) -> Verdict {
        let now = Instant::now();
        let window = self.windows.entry(key.to_owned()).or_insert(Window { started: now, count: 0 });
        if now.duration_since(window.started) >= period {
            *window = Window { started: now, count: 0 };
        }
        window.count += 1;
        let remaining = period.saturating_sub(now.duration_since(window.started));
        Verdict {
            limit,
            count: window.count,
            period,
            allowed: window.count <= limit,
            retry_after: remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0),
        }
    }
}
