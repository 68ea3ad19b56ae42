//! Meta's per-Page Send API budgets (10 calls per second for audio and video, 300 for the
//! rest), as sliding windows, and the `X-Business-Use-Case-Usage` header sends carry.

use crate::config::RateLimitConfig;
use serde_json::json;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Name of Meta's usage header.
pub const BUC_HEADER: &str = "x-business-use-case-usage";

/// The outcome of asking for a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Usage {
    /// Calls in the current window, this one included when admitted.
    pub calls: u32,
    /// Whether the call was admitted.
    pub admitted: bool,
    /// Time until the oldest call leaves the window (when refused).
    pub regain_in: Duration,
    /// The budget the call was counted against.
    pub limit: u32,
}

/// Sliding-window counters per Page.
pub(crate) struct RateLimiter {
    config: RateLimitConfig,
    windows: Mutex<HashMap<(String, bool), VecDeque<Instant>>>,
}

impl RateLimiter {
    pub(crate) fn new(config: RateLimitConfig) -> Self {
        RateLimiter {
            config,
            windows: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn reset(&self) {
        self.windows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Takes a slot of `page_id`'s audio-and-video budget (`heavy`) or of its other budget
    /// at `now` if one is free. Refused calls do not count.
    pub(crate) fn acquire(&self, page_id: &str, heavy: bool, now: Instant) -> Usage {
        let limit = if heavy {
            self.config.audio_sends_per_second
        } else {
            self.config.other_sends_per_second
        };
        if limit == 0 {
            return Usage {
                calls: 0,
                admitted: true,
                regain_in: Duration::ZERO,
                limit,
            };
        }
        let window = self.config.window.0;
        let mut map = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let q = map.entry((page_id.to_owned(), heavy)).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
            q.pop_front();
        }
        if (q.len() as u32) < limit {
            q.push_back(now);
            Usage {
                calls: q.len() as u32,
                admitted: true,
                regain_in: Duration::ZERO,
                limit,
            }
        } else {
            let oldest = q.front().copied().unwrap_or(now);
            Usage {
                calls: q.len() as u32,
                admitted: false,
                regain_in: window.saturating_sub(now.duration_since(oldest)),
                limit,
            }
        }
    }

    /// The `X-Business-Use-Case-Usage` value for this Page after `usage`.
    pub(crate) fn header(&self, page_id: &str, usage: &Usage) -> String {
        let limit = usage.limit.max(1);
        let pct = if usage.admitted {
            (usage.calls * 100 / limit).min(100)
        } else {
            100
        };
        let regain = if usage.admitted {
            0
        } else {
            self.config
                .regain_access_minutes
                .unwrap_or((usage.regain_in.as_secs() / 60) as u32)
        };
        json!({
            page_id: [{
                "type": "messenger",
                "call_count": pct,
                "total_cputime": pct.min(5),
                "total_time": pct.min(5),
                "estimated_time_to_regain_access": regain,
            }]
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duration::HumanDuration;

    #[test]
    fn sliding_window_admits_limit_per_window() {
        let rl = RateLimiter::new(RateLimitConfig {
            audio_sends_per_second: 3,
            other_sends_per_second: 1,
            window: HumanDuration::secs(1),
            regain_access_minutes: None,
        });
        let t0 = Instant::now();
        for i in 1..=3 {
            let u = rl.acquire("p", true, t0 + Duration::from_millis(i * 100));
            assert!(u.admitted);
            assert_eq!(u.calls, i as u32);
        }
        let refused = rl.acquire("p", true, t0 + Duration::from_millis(500));
        assert!(!refused.admitted);
        assert_eq!(refused.regain_in, Duration::from_millis(600));
        assert!(
            rl.acquire("other", true, t0).admitted,
            "limits are per Page"
        );
        assert!(
            rl.acquire("p", false, t0).admitted,
            "the other budget is separate"
        );
        assert!(!rl.acquire("p", false, t0).admitted);
        assert!(
            rl.acquire("p", true, t0 + Duration::from_millis(1100))
                .admitted
        );
        let h: serde_json::Value = serde_json::from_str(&rl.header("p", &refused)).unwrap();
        assert_eq!(h["p"][0]["estimated_time_to_regain_access"], 0);
        assert_eq!(h["p"][0]["call_count"], 100);
    }
}
