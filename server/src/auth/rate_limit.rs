//! Login and sign-up throttling with `governor` (GCRA): per client IP and per account, so neither
//! one address nor a distributed attack on one account gets unlimited guesses. Over the limit the
//! API answers 429 `rate_limited` with `Retry-After`.

use std::{net::IpAddr, num::NonZeroU32, sync::Arc};

use governor::{clock::DefaultClock, state::keyed::DefaultKeyedStateStore, Quota, RateLimiter};
use shared::ErrorCode;

use crate::error::{AppError, AppResult};

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

#[derive(Clone)]
pub struct AuthLimits {
    per_ip: Arc<Keyed<IpAddr>>,
    per_account: Arc<Keyed<String>>,
}

impl AuthLimits {
    pub fn new(per_ip_per_minute: u32, per_account_per_minute: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        AuthLimits {
            per_ip: Arc::new(RateLimiter::keyed(quota(per_ip_per_minute))),
            per_account: Arc::new(RateLimiter::keyed(quota(per_account_per_minute))),
        }
    }

    /// # Errors
    /// 429 when this IP made too many auth attempts.
    pub fn check_ip(&self, ip: IpAddr) -> AppResult<()> {
        self.per_ip.check_key(&ip).map_err(|_| limited())
    }

    /// # Errors
    /// 429 when this account had too many login attempts.
    pub fn check_account(&self, email: &str) -> AppResult<()> {
        self.per_account.check_key(&email.to_ascii_lowercase()).map_err(|_| limited())
    }

    /// Drops state of keys that are back at full quota, so the maps do not grow forever.
    pub fn prune(&self) {
        self.per_ip.retain_recent();
        self.per_account.retain_recent();
    }
}

fn limited() -> AppError {
    AppError::new(ErrorCode::RateLimited, "Too many attempts. Wait a minute and try again.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_per_key() {
        let limits = AuthLimits::new(3, 2);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..3 {
            limits.check_ip(ip).unwrap();
        }
        assert_eq!(limits.check_ip(ip).unwrap_err().code(), ErrorCode::RateLimited);
        limits.check_ip("10.0.0.2".parse().unwrap()).unwrap();

        limits.check_account("A@x.com").unwrap();
        limits.check_account("a@x.com").unwrap();
        assert!(limits.check_account("a@X.com").is_err(), "keys are case-insensitive");
        limits.check_account("b@x.com").unwrap();
    }
}
