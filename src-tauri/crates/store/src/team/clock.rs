//! Hybrid logical clocks: wall-clock milliseconds plus a counter, so a device's changes are
//! ordered even when its clock stands still or runs behind a change it has already seen.

use std::fmt;
use std::sync::Mutex;

/// Enough digits that the text form sorts as the clock does (milliseconds until the year 2286).
const WALL_DIGITS: usize = 13;
const COUNTER_DIGITS: usize = 6;
const COUNTER_MAX: u32 = 999_999;
/// How far ahead of this computer's wall clock (and, at the hub, of the hub's) a clock may be.
/// A laptop whose clock was set years ahead, or a forged change, would otherwise win every
/// later edit on every device; a clock within ten minutes is an honest one a little fast.
pub const MAX_AHEAD_MS: u64 = 10 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u32,
}

impl Hlc {
    pub fn parse(text: &str) -> Option<Hlc> {
        let (wall, counter) = text.split_once('.')?;
        if wall.len() != WALL_DIGITS || counter.len() != COUNTER_DIGITS {
            return None;
        }
        Some(Hlc { wall_ms: wall.parse().ok()?, counter: counter.parse().ok()? })
    }

    /// The latest clock a write at wall time `now_ms` may follow.
    pub fn bound_at(now_ms: u64) -> Hlc {
        Hlc { wall_ms: now_ms + MAX_AHEAD_MS, counter: COUNTER_MAX }
    }

    /// Whether this clock is further ahead of `now_ms` than any honest clock is.
    pub fn is_ahead_of(&self, now_ms: u64) -> bool {
        *self > Hlc::bound_at(now_ms)
    }

    /// The next clock after `self` at wall time `now_ms`.
    fn next(self, now_ms: u64) -> Hlc {
        if now_ms > self.wall_ms {
            Hlc { wall_ms: now_ms, counter: 0 }
        } else if self.counter < COUNTER_MAX {
            Hlc { wall_ms: self.wall_ms, counter: self.counter + 1 }
        } else {
            Hlc { wall_ms: self.wall_ms + 1, counter: 0 }
        }
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0w$}.{:0c$}", self.wall_ms, self.counter, w = WALL_DIGITS, c = COUNTER_DIGITS)
    }
}

/// The total order of writes: the clock, then the device id to break ties. Its text form
/// (`<hlc>@<device>`) sorts in the same order, which is how it is stored per field.
pub fn version(hlc: &str, device_id: &str) -> String {
    format!("{hlc}@{device_id}")
}

/// This device's clock. Every local write ticks it; every change seen from another device
/// pushes it forward, so what is written here afterwards is later than what was seen.
pub struct DeviceClock {
    device_id: String,
    last: Mutex<Hlc>,
}

impl DeviceClock {
    /// A clock that goes on from `last`, unless `last` is beyond the bound (a remote clock
    /// followed too far, or this computer's clock set right after running ahead).
    pub fn new(device_id: String, last: Hlc) -> Self {
        let now = now_ms();
        let last = if last.is_ahead_of(now) { Hlc { wall_ms: now, counter: 0 } } else { last };
        Self { device_id, last: Mutex::new(last) }
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    pub fn tick(&self) -> Hlc {
        self.tick_at(now_ms())
    }

    fn tick_at(&self, now_ms: u64) -> Hlc {
        let mut last = self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Followed beyond the bound (only possible before this rule, or across a clock set
        // back by hours): start again from the wall clock rather than stay in the future.
        if last.is_ahead_of(now_ms) {
            *last = Hlc { wall_ms: now_ms, counter: 0 };
        }
        *last = last.next(now_ms);
        *last
    }

    /// Follows a clock seen in another device's change, never beyond the bound: a change from
    /// the far future does not drag this device's clock (and all its later edits) there.
    pub fn observe(&self, seen: Hlc) {
        self.observe_at(seen, now_ms());
    }

    fn observe_at(&self, seen: Hlc, now_ms: u64) {
        let seen = seen.min(Hlc { wall_ms: now_ms + MAX_AHEAD_MS, counter: 0 });
        let mut last = self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if seen > *last {
            *last = seen;
        }
    }
}

pub fn now_ms() -> u64 {
    chrono::Utc::now().timestamp_millis().max(0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_round_trips_and_sorts_like_the_clock() {
        let a = Hlc { wall_ms: 1_764_115_200_000, counter: 7 };
        let b = Hlc { wall_ms: 1_764_115_200_001, counter: 0 };
        assert_eq!(Hlc::parse(&a.to_string()), Some(a));
        assert!(a < b && a.to_string() < b.to_string());
        assert_eq!(Hlc::parse("nonsense"), None);
    }

    #[test]
    fn a_clock_never_goes_back_even_when_the_wall_clock_does() {
        let clock = DeviceClock::new("d".into(), Hlc::default());
        let first = clock.tick_at(5_000);
        let second = clock.tick_at(4_000);
        let third = clock.tick_at(5_000);
        assert!(first < second && second < third, "{first} {second} {third}");
    }

    #[test]
    fn a_clock_from_the_far_future_is_not_followed_past_the_bound() {
        let clock = DeviceClock::new("d".into(), Hlc::default());
        let forged = Hlc::parse("9999999999999.999999").unwrap();
        clock.observe_at(forged, 1_000_000);
        let next = clock.tick_at(1_000_000);
        assert!(next <= Hlc::bound_at(1_000_000), "{next}");
        assert!(next.to_string().len() == 20 && next.to_string() < forged.to_string());
        // A minute later, the wall clock is what counts again.
        assert!(clock.tick_at(1_000_000 + MAX_AHEAD_MS + 60_000).wall_ms == 1_000_000 + MAX_AHEAD_MS + 60_000);
    }

    #[test]
    fn a_device_whose_own_clock_ran_ahead_starts_again_from_the_wall_clock() {
        let ahead = Hlc { wall_ms: now_ms() + 3_600_000, counter: 0 };
        let clock = DeviceClock::new("d".into(), ahead);
        assert!(clock.tick() < ahead);
    }

    #[test]
    fn a_write_after_seeing_a_later_change_is_later_still() {
        let clock = DeviceClock::new("d".into(), Hlc::default());
        clock.observe_at(Hlc { wall_ms: 9_000, counter: 3 }, 1_000);
        assert_eq!(clock.tick_at(1_000), Hlc { wall_ms: 9_000, counter: 4 });
    }
}
