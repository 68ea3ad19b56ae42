//! When and how long to wait before trying a Graph call again. Only calls that certainly were
//! not accepted are retried (see `http.rs`), so a retry never risks a second voice note.

use crate::error::ErrorCode;
use rand::Rng;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// First backoff step.
pub const BASE_DELAY: Duration = Duration::from_millis(500);
/// Longest computed backoff step (a `retry_after` from Meta may be longer).
pub const MAX_DELAY: Duration = Duration::from_secs(30);

/// One automatic retry, as reported to the hook and to `tracing`. Never holds the token.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryEvent {
    /// Which call is retried: `send`, `upload` or `send_by_id`.
    pub operation: &'static str,
    /// The retry about to happen, from 1.
    pub attempt: u32,
    /// The configured maximum.
    pub max_retries: u32,
    /// Why: the error code of the failed attempt.
    pub code: ErrorCode,
    /// The failed attempt's message.
    pub message: String,
    /// How long the client waits before the retry.
    pub wait: Duration,
}

/// A callback run before each automatic retry (e.g. for metrics). Build with [`RetryHook::new`].
#[derive(Clone)]
pub struct RetryHook(Arc<dyn Fn(&RetryEvent) + Send + Sync>);

impl RetryHook {
    /// Wraps a callback.
    pub fn new(f: impl Fn(&RetryEvent) + Send + Sync + 'static) -> Self {
        RetryHook(Arc::new(f))
    }

    /// Runs the callback.
    pub fn call(&self, event: &RetryEvent) {
        (self.0)(event)
    }
}

impl fmt::Debug for RetryHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RetryHook(..)")
    }
}

/// Exponential backoff with jitter: attempt `n` (from 1) waits a random time in
/// `[d/2, d]` where `d = min(BASE * 2^(n-1), MAX)`; a `retry_after` from Meta is a floor.
pub fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    let exp = BASE_DELAY.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let d = exp.min(MAX_DELAY);
    let jittered = d.mul_f64(rand::thread_rng().gen_range(0.5..=1.0));
    match retry_after {
        Some(ra) if ra > jittered => ra,
        _ => jittered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_honours_retry_after() {
        for attempt in 1..6 {
            let d = backoff(attempt, None);
            let full = BASE_DELAY * (1 << (attempt - 1));
            assert!(
                d >= full / 2 && d <= full.min(MAX_DELAY),
                "{attempt}: {d:?}"
            );
        }
        assert!(backoff(30, None) <= MAX_DELAY);
        assert_eq!(
            backoff(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
    }
}
