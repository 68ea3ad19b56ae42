//! Fault injection: make a share of requests, or the requests for named PSIDs, fail the ways
//! Meta's servers and networks fail, so retry and "may have been delivered" logic can be tested.

use crate::duration::HumanDuration;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// HTTP 500 with Graph error code 1 ("An unknown error has occurred."), `is_transient: true`.
    /// Nothing is delivered.
    #[serde(rename = "http_500", alias = "http500")]
    Http500,
    /// Graph error 1200 "Temporary send message failure", `is_transient: true`. Nothing is delivered.
    #[serde(
        rename = "error_1200",
        alias = "error1200",
        alias = "temporary_failure"
    )]
    Error1200,
    /// Graph error 2 "An unexpected error has occurred" (HTTP 500), `is_transient: true`.
    /// Nothing is delivered.
    #[serde(rename = "error_2", alias = "error2", alias = "unexpected_error")]
    Error2,
    /// The request is processed (and delivered) normally, but the response is held back for
    /// `delay`: a client with a shorter timeout sees an ambiguous timeout.
    Slow,
    /// The connection is closed without a response and the request is not processed (nothing
    /// delivered). Share-based rules close it before reading the body; rules naming PSIDs have
    /// to read the body to find the recipient, then close it.
    DropBeforeBody,
    /// The request is read and processed (the voice note IS delivered), then the connection is
    /// closed without a response.
    DropAfterBody,
}

/// One fault rule: `kind` for `share` of the matching requests, optionally only for `psids`,
/// optionally only the first `times` matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultRule {
    /// What goes wrong.
    pub kind: FaultKind,
    /// Probability (0 to 1) that a matching request gets the fault. Default 1.
    pub share: f64,
    /// Only requests to these recipients (empty: every request, uploads included).
    pub psids: Vec<String>,
    /// Fire at most this many times, then never again (until reset). Default: unlimited.
    pub times: Option<u64>,
    /// Delay for [`FaultKind::Slow`] (default 3 s).
    pub delay: HumanDuration,
}

impl Default for FaultRule {
    fn default() -> Self {
        FaultRule {
            kind: FaultKind::Http500,
            share: 1.0,
            psids: Vec::new(),
            times: None,
            delay: HumanDuration::secs(3),
        }
    }
}

impl FaultRule {
    /// A rule that fires on every request.
    pub fn always(kind: FaultKind) -> Self {
        FaultRule {
            kind,
            ..FaultRule::default()
        }
    }

    /// A rule for a share (0 to 1) of requests.
    pub fn share(kind: FaultKind, share: f64) -> Self {
        FaultRule {
            kind,
            share,
            ..FaultRule::default()
        }
    }

    /// A rule for requests to these PSIDs only.
    pub fn for_psids(kind: FaultKind, psids: &[&str]) -> Self {
        FaultRule {
            kind,
            psids: psids.iter().map(|p| (*p).to_owned()).collect(),
            ..FaultRule::default()
        }
    }

    /// Fire at most `n` times.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// Delay for [`FaultKind::Slow`].
    pub fn delay(mut self, delay: impl Into<HumanDuration>) -> Self {
        self.delay = delay.into();
        self
    }
}

/// A fault chosen for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// What to do.
    pub kind: FaultKind,
    /// For [`FaultKind::Slow`].
    pub delay: std::time::Duration,
}

/// Rolls the dice for each request.
pub(crate) struct FaultEngine {
    rules: Vec<FaultRule>,
    fired: Vec<AtomicU64>,
    rng: Mutex<StdRng>,
}

impl FaultEngine {
    pub(crate) fn new(rules: Vec<FaultRule>, seed: Option<u64>) -> Self {
        let rng = match seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_entropy(),
        };
        FaultEngine {
            fired: rules.iter().map(|_| AtomicU64::new(0)).collect(),
            rules,
            rng: Mutex::new(rng),
        }
    }

    /// Forgets how often each rule fired.
    pub(crate) fn reset(&self) {
        for f in &self.fired {
            f.store(0, Ordering::SeqCst);
        }
    }

    /// The fault for a request: `psid` is `None` before the body is read (only rules without
    /// PSIDs apply) and `Some` once the recipient is known (only rules naming it apply).
    pub(crate) fn pick(&self, psid: Option<&str>) -> Option<Fault> {
        for (rule, fired) in self.rules.iter().zip(&self.fired) {
            let applies = match psid {
                None => rule.psids.is_empty(),
                Some(p) => rule.psids.iter().any(|r| r == p),
            };
            if !applies {
                continue;
            }
            let roll: f64 = self.rng.lock().unwrap_or_else(|e| e.into_inner()).gen();
            if roll >= rule.share {
                continue;
            }
            if let Some(max) = rule.times {
                let ok = fired
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                        (n < max).then_some(n + 1)
                    })
                    .is_ok();
                if !ok {
                    continue;
                }
            } else {
                fired.fetch_add(1, Ordering::SeqCst);
            }
            return Some(Fault {
                kind: rule.kind,
                delay: rule.delay.0,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_limits_firing_and_share_zero_never_fires() {
        let e = FaultEngine::new(
            vec![
                FaultRule::share(FaultKind::Http500, 0.0),
                FaultRule::always(FaultKind::Error1200).times(2),
            ],
            Some(7),
        );
        let kinds: Vec<_> = (0..4).map(|_| e.pick(None).map(|f| f.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                Some(FaultKind::Error1200),
                Some(FaultKind::Error1200),
                None,
                None
            ]
        );
        e.reset();
        assert_eq!(e.pick(None).map(|f| f.kind), Some(FaultKind::Error1200));
    }

    #[test]
    fn psid_rules_apply_only_to_their_psids() {
        let e = FaultEngine::new(
            vec![FaultRule::for_psids(FaultKind::Error2, &["1"])],
            Some(1),
        );
        assert_eq!(e.pick(None), None);
        assert_eq!(e.pick(Some("2")), None);
        assert_eq!(e.pick(Some("1")).map(|f| f.kind), Some(FaultKind::Error2));
    }

    #[test]
    fn share_is_roughly_honoured() {
        let e = FaultEngine::new(vec![FaultRule::share(FaultKind::Http500, 0.3)], Some(42));
        let n = (0..10_000).filter(|_| e.pick(None).is_some()).count();
        assert!((2_700..3_300).contains(&n), "{n}");
    }
}
