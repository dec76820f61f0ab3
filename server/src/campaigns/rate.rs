//! Per-number send rate: one GCRA limiter (`governor`) per connection.
//!
//! Meta counts throughput per second, so "N messages per second" must mean that no 1-second
//! window carries more than N sends — not N per second on average with a burst on top. After an
//! idle moment a GCRA limiter lets its burst `b` through at once and then one cell per `1/r`, so
//! a second holds up to `r + b - 1` cells; the steady rate is `N - b + 1`, its period rounded up
//! to the nanosecond (rounded down, `1/r` would fit one cell too many).
//! The burst is tiny (0.5 % of N, at least 1): it only absorbs timer jitter at high rates — at
//! 1,000/s the limiter releases 5 at a time instead of one per millisecond and still sends 996
//! per second. The unit tests check both bounds on a logical clock.

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use dashmap::DashMap;
use governor::{
    clock::{Clock, DefaultClock},
    middleware::NoOpMiddleware,
    state::{InMemoryState, NotKeyed},
    Quota, RateLimiter,
};
use uuid::Uuid;

pub type Limiter<C = DefaultClock> =
    RateLimiter<NotKeyed, InMemoryState, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// The quota that keeps every 1-second window at or under `per_second`.
pub fn quota(per_second: u32) -> Quota {
    let rate = per_second.clamp(1, shared::campaigns::MAX_RATE_PER_SECOND);
    let burst = (rate / 200).max(1);
    let steady = u64::from(rate + 1 - burst);
    // Rounded up to the nanosecond: a period rounded down would fit one cell too many.
    let period = Duration::from_nanos(1_000_000_000u64.div_ceil(steady));
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period)
        .map_or_else(|| Quota::per_second(NonZeroU32::MIN), |quota| quota.allow_burst(burst))
}

/// The limiters of this process, one per connection, rebuilt when the rate changes.
#[derive(Clone, Default)]
pub struct SendRates {
    limiters: Arc<DashMap<Uuid, (u32, Arc<Limiter>)>>,
}

impl SendRates {
    /// The connection's limiter at `per_second`. Every campaign sending through the number
    /// shares it, so two campaigns together never exceed the rate.
    pub fn limiter(&self, connection_id: Uuid, per_second: u32) -> Arc<Limiter> {
        if let Some(entry) = self.limiters.get(&connection_id) {
            if entry.0 == per_second {
                return entry.1.clone();
            }
        }
        let limiter = Arc::new(RateLimiter::direct(quota(per_second)));
        self.limiters.insert(connection_id, (per_second, limiter.clone()));
        limiter
    }
}

#[cfg(test)]
mod tests {
    use governor::clock::{FakeRelativeClock, Reference};

    use super::*;

    /// A sender that takes every cell as soon as the limiter allows, on a logical clock;
    /// returns the send times in nanoseconds.
    fn greedy_sends(per_second: u32, seconds: u64) -> Vec<u64> {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::direct_with_clock(quota(per_second), clock.clone());
        let start = clock.now();
        let end = Duration::from_secs(seconds);
        let mut times = Vec::new();
        loop {
            let now = clock.now();
            let elapsed = Duration::from(now.duration_since(start));
            if elapsed >= end {
                break;
            }
            match limiter.check() {
                Ok(()) => times.push(elapsed.as_nanos() as u64),
                Err(not_until) => clock.advance(not_until.wait_time_from(now)),
            }
        }
        times
    }

    fn busiest_second(times: &[u64]) -> usize {
        let mut busiest = 0;
        let mut first = 0;
        for (last, t) in times.iter().enumerate() {
            while t - times[first] >= 1_000_000_000 {
                first += 1;
            }
            busiest = busiest.max(last - first + 1);
        }
        busiest
    }

    #[test]
    fn no_one_second_window_exceeds_the_rate_and_the_rate_is_reached() {
        for rate in [1, 2, 20, 80, 199, 200, 250, 401, 999, 1000] {
            let times = greedy_sends(rate, 10);
            assert!(
                busiest_second(&times) <= rate as usize,
                "rate {rate}: a 1-second window carried {}",
                busiest_second(&times)
            );
            // Throughput: at least 98 % of the rate over 10 seconds.
            let floor = (f64::from(rate) * 10.0 * 0.98) as usize;
            assert!(times.len() >= floor, "rate {rate}: only {} sends in 10 s", times.len());
        }
    }

    #[test]
    fn campaigns_on_one_number_share_its_limiter() {
        let rates = SendRates::default();
        let number = Uuid::new_v4();
        let a = rates.limiter(number, 80);
        let b = rates.limiter(number, 80);
        assert!(Arc::ptr_eq(&a, &b));
        let slower = rates.limiter(number, 20);
        assert!(!Arc::ptr_eq(&a, &slower), "a new rate, a new limiter");
        assert!(!Arc::ptr_eq(&slower, &rates.limiter(Uuid::new_v4(), 20)));
    }
}
