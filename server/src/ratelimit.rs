//! An optional per-key request limit (a token bucket per API key, `--rate-limit N` requests per
//! second with a burst of N), answered 429 `rate_limited` with `Retry-After` and the documented
//! `X-RateLimit-*` headers. Off by default: a self-hosted server's callers are its own.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The outcome of one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// The limit per second.
    pub limit: u32,
    /// Whole requests left in the bucket.
    pub remaining: u32,
    /// When the bucket is full again (or, when refused, when the next request may come).
    pub reset_in: Duration,
}

/// Token buckets per key id.
#[derive(Debug, Default)]
pub struct KeyRateLimiter {
    per_second: u32,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl KeyRateLimiter {
    /// A limiter of `per_second` requests per key (0: unlimited).
    pub fn new(per_second: u32) -> Self {
        KeyRateLimiter {
            per_second,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `key_id`, or says when one will be there. `None` when unlimited.
    pub fn check(&self, key_id: &str) -> Option<Decision> {
        if self.per_second == 0 {
            return None;
        }
        let rate = self.per_second as f64;
        let now = Instant::now();
        let mut map = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let (tokens, last) = map.entry(key_id.to_owned()).or_insert((rate, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * rate).min(rate);
        *last = now;
        let allowed = *tokens >= 1.0;
        if allowed {
            *tokens -= 1.0;
        }
        let reset_in = if allowed {
            Duration::from_secs_f64((rate - *tokens) / rate)
        } else {
            Duration::from_secs_f64((1.0 - *tokens) / rate)
        };
        Some(Decision {
            allowed,
            limit: self.per_second,
            remaining: tokens.floor() as u32,
            reset_in,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refuses() {
        let l = KeyRateLimiter::new(3);
        for _ in 0..3 {
            assert!(l.check("a").unwrap().allowed);
        }
        let refused = l.check("a").unwrap();
        assert!(!refused.allowed);
        assert!(refused.reset_in > Duration::ZERO && refused.reset_in <= Duration::from_secs(1));
        assert!(l.check("b").unwrap().allowed, "per key");
        assert!(KeyRateLimiter::new(0).check("a").is_none());
    }
}
