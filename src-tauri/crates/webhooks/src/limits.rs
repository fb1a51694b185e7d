//! A token bucket per sending address. Planning Center's webhooks have no rate limit of their
//! own and come in bursts after a bulk edit, so the bucket is generous; it is there so one
//! address flooding the receiver cannot keep the hub busy.

use crate::ReceiverConfig;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Addresses remembered at most; past it, the buckets full again are forgotten.
const REMEMBERED: usize = 10_000;

#[derive(Debug, Default)]
pub struct Senders {
    buckets: HashMap<IpAddr, (f64, Instant)>,
}

/// Ok, or the whole seconds to wait.
pub fn admit(senders: &Mutex<Senders>, from: IpAddr, config: &ReceiverConfig) -> Result<(), u64> {
    let mut senders = senders.lock().unwrap_or_else(|p| p.into_inner());
    let now = Instant::now();
    let burst = f64::from(config.burst.max(1));
    let rate = f64::from(config.per_second.max(1));
    if senders.buckets.len() >= REMEMBERED {
        senders.buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < burst);
    }
    let (tokens, at) = senders.buckets.entry(from).or_insert((burst, now));
    *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(burst);
    *at = now;
    if *tokens >= 1.0 {
        *tokens -= 1.0;
        Ok(())
    } else {
        Err(((1.0 - *tokens) / rate).ceil().max(1.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_past_its_burst_waits_and_another_does_not() {
        let senders = Mutex::new(Senders::default());
        let config = ReceiverConfig { burst: 3, per_second: 1, ..Default::default() };
        let flood: IpAddr = [203, 0, 113, 9].into();
        let planning_center: IpAddr = [198, 51, 100, 1].into();
        for _ in 0..3 {
            assert!(admit(&senders, flood, &config).is_ok());
        }
        assert_eq!(admit(&senders, flood, &config), Err(1));
        assert!(admit(&senders, planning_center, &config).is_ok());
    }
}
