//! Keeps requests under Planning Center's rate limit instead of running into it. It counts what
//! it sent in a sliding window (never more than the limit in any period, which also keeps any
//! fixed window the server uses under the limit), learns the real limit and period from the
//! `X-PCO-API-Request-Rate-*` headers, and backs off for `Retry-After` after a 429.

use reqwest::header::HeaderMap;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug)]
struct State {
    limit: u32,
    period: Duration,
    sent: VecDeque<Instant>,
    /// The server's own count in its current window, and when that window began (as near as
    /// this side can tell: never earlier than it really did).
    server_window: Option<ServerWindow>,
    blocked_until: Option<Instant>,
}

#[derive(Debug, Clone, Copy)]
struct ServerWindow {
    /// What the server said, plus what was sent since.
    count: u32,
    /// What the server said last.
    observed: u32,
    began: Instant,
}

#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
}

/// Added to the period: a request sent just after our window frees can still land inside the
/// server's window if it travels faster than the first one did. 200 ms at Planning Center's
/// 20 s covers far more than a request's jitter, and costs 1% of each window.
fn guard(period: Duration) -> Duration {
    (period / 100).max(Duration::from_millis(150))
}

impl Pacer {
    pub fn new(limit: u32, period: Duration) -> Self {
        Self {
            state: Mutex::new(State {
                limit: limit.max(1),
                period,
                sent: VecDeque::new(),
                server_window: None,
                blocked_until: None,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until a request may go, then counts it as sent.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut s = self.lock();
                let now = Instant::now();
                let window = s.period + guard(s.period);
                while s.sent.front().is_some_and(|t| now.duration_since(*t) >= window) {
                    s.sent.pop_front();
                }
                let mut wait = Duration::ZERO;
                if let Some(until) = s.blocked_until {
                    wait = wait.max(until.saturating_duration_since(now));
                }
                let server = s.server_window.filter(|w| now.duration_since(w.began) < window);
                if s.sent.len() as u32 >= s.limit {
                    if let Some(oldest) = s.sent.front() {
                        wait = wait.max((*oldest + window).saturating_duration_since(now));
                    }
                } else if let Some(full) = server.filter(|w| w.count >= s.limit) {
                    // Someone else (another device on the same token) filled the window.
                    wait = wait.max((full.began + window).saturating_duration_since(now));
                }
                if wait.is_zero() {
                    s.sent.push_back(now);
                    if let Some(window) = s.server_window.as_mut() {
                        window.count += 1;
                    }
                    return;
                }
                wait
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Learns from a response's rate-limit headers.
    pub fn observe(&self, headers: &HeaderMap) {
        let number =
            |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u32>().ok());
        let mut s = self.lock();
        if let Some(limit) = number("x-pco-api-request-rate-limit").filter(|l| *l > 0) {
            s.limit = limit;
        }
        if let Some(period) =
            headers.get("x-pco-api-request-rate-period").and_then(|v| v.to_str().ok()).and_then(parse_period)
        {
            s.period = period;
        }
        if let Some(count) = number("x-pco-api-request-rate-count") {
            let now = Instant::now();
            // A count that did not fall is the same window, which began when it began; a new
            // window began at the latest now. Dating it from the last response instead would
            // wait, at every window, as long as the window's requests took to send.
            let began = match s.server_window {
                Some(seen) if count > 1 && count >= seen.observed => seen.began,
                _ => now,
            };
            s.server_window = Some(ServerWindow { count, observed: count, began });
        }
    }

    /// After a 429: nothing goes out until `wait` has passed.
    pub fn back_off(&self, wait: Duration) {
        let mut s = self.lock();
        let until = Instant::now() + wait;
        s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
        s.server_window = None;
    }

    pub fn period(&self) -> Duration {
        self.lock().period
    }

    pub fn limit(&self) -> u32 {
        self.lock().limit
    }
}

/// "20 seconds" → 20 s. The header is text; its leading number counts.
pub fn parse_period(text: &str) -> Option<Duration> {
    let digits: String = text.trim().chars().take_while(char::is_ascii_digit).collect();
    let seconds: u64 = digits.parse().ok()?;
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

/// `Retry-After` in seconds, clamped: a missing, negative or absurd value (seen on the real API,
/// issue 606) becomes something between one second and `ceiling`.
pub fn retry_after(headers: &HeaderMap, fallback: Duration, ceiling: Duration) -> Duration {
    let parsed = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let wait = match parsed {
        Some(seconds) if seconds > 0 => Duration::from_secs(seconds as u64),
        _ => fallback,
    };
    wait.clamp(Duration::from_secs(1), ceiling.max(Duration::from_secs(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, RETRY_AFTER};

    #[test]
    fn period_header_is_text() {
        assert_eq!(parse_period("20 seconds"), Some(Duration::from_secs(20)));
        assert_eq!(parse_period("  5 seconds"), Some(Duration::from_secs(5)));
        assert_eq!(parse_period("seconds"), None);
        assert_eq!(parse_period("0 seconds"), None);
    }

    #[test]
    fn retry_after_is_clamped() {
        let mut headers = HeaderMap::new();
        let fallback = Duration::from_secs(20);
        let ceiling = Duration::from_secs(60);
        assert_eq!(retry_after(&headers, fallback, ceiling), fallback, "missing");
        headers.insert(RETRY_AFTER, HeaderValue::from_static("-5"));
        assert_eq!(retry_after(&headers, fallback, ceiling), fallback, "negative");
        headers.insert(RETRY_AFTER, HeaderValue::from_static("86400"));
        assert_eq!(retry_after(&headers, fallback, ceiling), ceiling, "absurd");
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers, fallback, ceiling), Duration::from_secs(7));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("0"));
        assert_eq!(retry_after(&headers, Duration::ZERO, ceiling), Duration::from_secs(1), "never zero");
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_than_the_limit_in_any_window() {
        let pacer = Pacer::new(5, Duration::from_secs(2));
        let start = tokio::time::Instant::now();
        let mut sent_at = Vec::new();
        for _ in 0..12 {
            pacer.acquire().await;
            sent_at.push(start.elapsed());
        }
        let window = Duration::from_secs(2);
        for (i, t) in sent_at.iter().enumerate() {
            let in_window = sent_at[i..].iter().filter(|u| **u < *t + window).count();
            assert!(in_window <= 5, "{in_window} requests within 2 s starting at {t:?}");
        }
    }

    /// Against a server counting in fixed windows that begin at a window's first request (as
    /// Planning Center and the fake do), with each request taking 14 ms: the next window's
    /// first request goes one period (and the guard) after this window's first, not after its
    /// last, and the server never counts more than the limit.
    #[tokio::test(start_paused = true)]
    async fn the_next_window_opens_a_period_after_the_first_request_of_this_one() {
        let period = Duration::from_secs(20);
        let pacer = Pacer::new(100, period);
        let start = tokio::time::Instant::now();
        let (mut window_began, mut count) = (None::<Instant>, 0u32);
        let mut sent_at = Vec::new();
        for _ in 0..300 {
            pacer.acquire().await;
            let now = Instant::now();
            sent_at.push(now - start);
            if window_began.is_none_or(|began| now - began >= period) {
                (window_began, count) = (Some(now), 0);
            }
            count += 1;
            assert!(count <= 100, "the server would answer 429");
            tokio::time::sleep(Duration::from_millis(14)).await;
            let mut headers = HeaderMap::new();
            headers.insert("x-pco-api-request-rate-count", HeaderValue::from(count));
            headers.insert("x-pco-api-request-rate-limit", HeaderValue::from(100u32));
            pacer.observe(&headers);
        }
        let late = sent_at[200] - sent_at[0] - 2 * period;
        assert!(late <= 2 * guard(period) + Duration::from_millis(50), "two windows opened {late:?} late");
    }

    #[tokio::test(start_paused = true)]
    async fn learns_a_lower_limit_from_headers() {
        let pacer = Pacer::new(100, Duration::from_secs(20));
        let mut headers = HeaderMap::new();
        headers.insert("x-pco-api-request-rate-limit", HeaderValue::from_static("3"));
        headers.insert("x-pco-api-request-rate-period", HeaderValue::from_static("1 seconds"));
        pacer.observe(&headers);
        assert_eq!((pacer.limit(), pacer.period()), (3, Duration::from_secs(1)));
        let start = tokio::time::Instant::now();
        for _ in 0..4 {
            pacer.acquire().await;
        }
        assert!(start.elapsed() >= Duration::from_secs(1), "the fourth request waited for the window");
    }
}
