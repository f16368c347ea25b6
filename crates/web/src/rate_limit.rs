//! A fixed-window limit per key, in this process's memory: per token for the API. (The
//! sign-in limit per client address is in the register, shared by every server:
//! `client_address`.) A few lines instead of a dependency: the need is one counter per key.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(crate) struct RateLimiter<K> {
    limit: u32,
    window: Duration,
    seen: Mutex<HashMap<K, (Instant, u32)>>,
}

impl<K: Hash + Eq> RateLimiter<K> {
    pub(crate) fn new(limit: u32, window: Duration) -> RateLimiter<K> {
        RateLimiter {
            limit,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt from `key`; when it has used its attempts for this window, how
    /// long until the window ends (for `Retry-After`).
    pub(crate) fn check(&self, key: K, now: Instant) -> Result<(), Duration> {
        let Ok(mut seen) = self.seen.lock() else {
            return Err(self.window);
        };
        // Forget windows that ended, so the map holds only the keys of the last window.
        if seen.len() > 10_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = seen.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        if entry.1 <= self.limit {
            Ok(())
        } else {
            Err(self.window.saturating_sub(now.duration_since(entry.0)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_requests_per_window_and_no_more() {
        let limiter: RateLimiter<&str> = RateLimiter::new(3, Duration::from_secs(60));
        let start = Instant::now();
        assert!((0..3).all(|_| limiter.check("a", start).is_ok()));
        assert!(limiter.check("a", start).is_err());
        assert!(
            limiter.check("b", start).is_ok(),
            "another key has its own count"
        );
        assert!(limiter.check("a", start + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn over_the_limit_says_how_long_until_the_window_ends() {
        let limiter: RateLimiter<&str> = RateLimiter::new(2, Duration::from_secs(60));
        let start = Instant::now();
        assert_eq!(limiter.check("token", start), Ok(()));
        assert_eq!(
            limiter.check("token", start + Duration::from_secs(10)),
            Ok(())
        );
        assert_eq!(
            limiter.check("token", start + Duration::from_secs(15)),
            Err(Duration::from_secs(45))
        );
        assert_eq!(
            limiter.check("other", start + Duration::from_secs(15)),
            Ok(())
        );
        assert_eq!(
            limiter.check("token", start + Duration::from_secs(60)),
            Ok(())
        );
    }
}
