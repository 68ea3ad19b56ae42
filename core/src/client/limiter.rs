//! The client-side send limiters. A client is one sender (a Page, an Instagram account, a
//! WhatsApp phone number, a Telegram bot), and every platform paces its senders (Messenger and
//! Instagram about 10 audio sends per second, WhatsApp 80 per number, Telegram about 30 per
//! bot); calling on while throttled lengthens the block, so every call of one client waits its
//! turn in [`RateLimiter`], and a `rate_limited` answer slows everyone down. Telegram also asks
//! for at most one message per second per chat: [`RecipientSpacing`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Paces calls to at most `rate` per second (no bursts), with a shared back-off.
#[derive(Debug)]
pub struct RateLimiter {
    base_interval: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// The earliest time the next call may start.
    next: Instant,
    /// Current slow-down factor (1 = configured rate; doubled on every `rate_limited`).
    factor: f64,
    /// Nobody starts a call before this (Meta asked the Page to pause).
    paused_until: Instant,
}

/// Largest slow-down after repeated `rate_limited` answers.
const MAX_FACTOR: f64 = 16.0;

impl RateLimiter {
    /// A limiter for `rate` calls per second (must be positive and finite).
    pub fn new(rate: f64) -> Self {
        RateLimiter {
            base_interval: Duration::from_secs_f64(1.0 / rate),
            state: Mutex::new(State {
                next: Instant::now(),
                factor: 1.0,
                paused_until: Instant::now(),
            }),
        }
    }

    /// Waits until this caller may start a call. When Meta asked for a pause longer than
    /// `max_pause`, returns at once with the time left instead of sleeping through it.
    pub async fn acquire(&self, max_pause: Duration) -> Result<(), Duration> {
        let slot = {
            let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let pause_left = s.paused_until.saturating_duration_since(now);
            if pause_left > max_pause {
                return Err(pause_left);
            }
            let slot = s.next.max(now).max(s.paused_until);
            s.next = slot + self.base_interval.mul_f64(s.factor);
            slot
        };
        // tokio's timer ticks in milliseconds: only sleep when the slot is really ahead.
        if slot > Instant::now() {
            tokio::time::sleep_until(slot).await;
        }
        Ok(())
    }

    /// Meta answered `rate_limited`: nobody starts a call before `wait` has passed, and the
    /// pace halves until calls succeed again.
    pub fn penalize(&self, wait: Duration) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.factor = (s.factor * 2.0).min(MAX_FACTOR);
        let until = Instant::now() + wait;
        if until > s.paused_until {
            s.paused_until = until;
        }
    }

    /// A call succeeded: recover the configured pace gradually.
    pub fn reward(&self) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.factor > 1.0 {
            s.factor = (s.factor * 0.9).max(1.0);
        }
    }

    /// The current interval between calls.
    #[cfg(test)]
    pub fn interval(&self) -> Duration {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        self.base_interval.mul_f64(s.factor)
    }
}

/// Keeps sends to one recipient at least `interval` apart (Telegram: one message per second per
/// chat). Remembers only recipients sent to within the last interval, so it stays small.
#[derive(Debug)]
pub struct RecipientSpacing {
    interval: Duration,
    next: Mutex<HashMap<String, Instant>>,
}

impl RecipientSpacing {
    /// Spacing of `interval` per recipient.
    pub fn new(interval: Duration) -> Self {
        RecipientSpacing {
            interval,
            next: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until `recipient` may get the next send.
    pub async fn acquire(&self, recipient: &str) {
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            if next.len() > 4096 {
                next.retain(|_, t| *t > now);
            }
            let slot = next.get(recipient).copied().unwrap_or(now).max(now);
            next.insert(recipient.to_owned(), slot + self.interval);
            slot
        };
        if slot > Instant::now() {
            tokio::time::sleep_until(slot).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn spaces_sends_per_recipient_only() {
        let s = RecipientSpacing::new(Duration::from_millis(300));
        let t0 = Instant::now();
        s.acquire("a").await;
        s.acquire("b").await;
        assert!(
            t0.elapsed() < Duration::from_millis(100),
            "different chats do not wait"
        );
        s.acquire("a").await;
        assert!(
            t0.elapsed() >= Duration::from_millis(300),
            "{:?}",
            t0.elapsed()
        );
    }

    // Real time, kept short: the paced calls take 0.5 s and the pause 0.6 s. (tokio's paused
    // clock would need its `test-util` feature, which would give `cargo test` a tokio build of
    // its own instead of sharing the one the CLI and the bindings use.)
    #[tokio::test]
    async fn paces_and_slows_down() {
        let l = RateLimiter::new(20.0);
        let t0 = Instant::now();
        let max = Duration::from_secs(60);
        for _ in 0..11 {
            l.acquire(max).await.unwrap();
        }
        assert!(
            t0.elapsed() >= Duration::from_millis(500),
            "{:?}",
            t0.elapsed()
        );
        l.penalize(Duration::from_millis(600));
        assert_eq!(l.interval(), Duration::from_millis(100));
        let t1 = Instant::now();
        l.acquire(max).await.unwrap();
        assert!(t1.elapsed() >= Duration::from_millis(600));
        l.penalize(Duration::from_secs(120));
        let left = l.acquire(max).await.unwrap_err();
        assert!(left > Duration::from_secs(119), "{left:?}");
        for _ in 0..20 {
            l.reward();
        }
        assert_eq!(l.interval(), Duration::from_millis(50));
    }
}
