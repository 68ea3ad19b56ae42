//! Per-Page pacing that holds across processes: every send of a Page reserves that Page's next
//! slot in the database ([`crate::store::pacing`]), slots `1000 / sends_per_second` ms apart on
//! the database's clock, and the request is written at its slot. Meta counts a Page's sends in a
//! sliding second, so what matters is that no eleven sends land within one second: a send that
//! could not be written within [`TOLERANCE`] of its slot (a slow commit, a busy machine) takes a
//! new slot instead of going late and bunching up with the next one.
//!
//! The point of no return is committed while waiting for the slot (from [`LEAD`] before it), so
//! its commit does not delay the write. A rate-limit answer (613) pauses the Page for every
//! process by pushing its next slot past Meta's `retry_after`.

use crate::store::{pacing, Store, StoreError};
use std::time::Duration;

/// How long before its slot a send commits its point of no return.
pub const LEAD: Duration = Duration::from_millis(40);
/// How late after its slot a send may still be written; later, it takes a new slot.
pub const TOLERANCE: Duration = Duration::from_millis(20);
/// New slots a send takes at most before it goes anyway (late only lowers the rate).
pub const MAX_RESERVATIONS: u32 = 5;

/// Reserves slots of Pages.
#[derive(Clone)]
pub struct Pacer {
    store: Store,
    interval_ms: i64,
}

impl Pacer {
    /// A pacer of `sends_per_second` per Page in total.
    pub fn new(store: Store, sends_per_second: f64) -> Pacer {
        let rate = if sends_per_second.is_finite() && sends_per_second > 0.0 {
            sends_per_second
        } else {
            crate::config::DEFAULT_SENDS_PER_SECOND
        };
        Pacer {
            store,
            interval_ms: (1000.0 / rate).ceil() as i64,
        }
    }

    /// Milliseconds between two sends of one Page.
    pub fn interval_ms(&self) -> i64 {
        self.interval_ms
    }

    /// The database's clock (Unix ms).
    pub fn now_ms(&self) -> i64 {
        self.store.now_ms()
    }

    /// Takes the next slot of `pace_key`; returns its time on the database's clock.
    pub async fn reserve(&self, pace_key: &str) -> Result<i64, StoreError> {
        let (key, backend, now, interval) = (
            pace_key.to_owned(),
            self.store.backend(),
            self.store.now_ms(),
            self.interval_ms,
        );
        self.store
            .write_now(Box::new(move |c| {
                Box::pin(async move { pacing::reserve(c, backend, &key, now, interval).await })
            }))
            .await
    }

    /// No process sends for `pace_key` before `wait` has passed (Meta answered 613).
    pub async fn pause(&self, pace_key: &str, wait: Duration) -> Result<(), StoreError> {
        let (key, backend, now) = (
            pace_key.to_owned(),
            self.store.backend(),
            self.store.now_ms(),
        );
        let until = now + wait.as_millis() as i64;
        self.store
            .write_now(Box::new(move |c| {
                Box::pin(async move { pacing::pause(c, backend, &key, until, now).await })
            }))
            .await
    }

    /// Sleeps until `at` (Unix ms on the database's clock), if it is ahead.
    pub async fn sleep_until(&self, at: i64) {
        let ahead = at - self.store.now_ms();
        if ahead > 0 {
            tokio::time::sleep(Duration::from_millis(ahead as u64)).await;
        }
    }
}
