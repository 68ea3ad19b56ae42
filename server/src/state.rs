//! What every request handler and the workers share: configuration, store, keys, crypto, the
//! guarded fetch client, the audio caches, metrics, and the notifications that wake the
//! workers.

use crate::config::Secret;
use crate::config::{DataDir, ServerConfig};
use crate::crypto::Keys;
use crate::keys::KeyRing;
use crate::metrics::Metrics;
use crate::ratelimit::KeyRateLimiter;
use crate::store::Store;
use crate::worker::media::Media;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::{Notify, Semaphore};

/// Shared state (cheap to clone).
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

/// The fields of [`AppState`].
pub struct Inner {
    /// The configuration.
    pub config: ServerConfig,
    /// Where the data lives.
    pub data: DataDir,
    /// The database.
    pub store: Store,
    /// Accepted API keys.
    pub keys: KeyRing,
    /// Sealing and keyed hashes.
    pub crypto: Keys,
    /// Fetches, conversions and uploads, each once per distinct audio.
    pub media: Arc<Media>,
    /// Wakes the worker after an accept.
    pub wake: Arc<Notify>,
    /// Wakes the webhook worker after events were recorded.
    pub webhook_wake: Arc<Notify>,
    /// Wakes the receipts worker after a Messenger webhook was stored.
    pub receipts_wake: Arc<Notify>,
    /// This process's metrics.
    pub metrics: Arc<Metrics>,
    /// The app secret the built-in emulator signs test-mode receipts with (random per process).
    pub test_app_secret: Secret,
    /// Uploads being processed.
    pub uploads: Semaphore,
    /// Per-key request limit (when configured).
    pub rate: KeyRateLimiter,
    /// False once shutdown began (`/readyz` answers 503).
    pub ready: AtomicBool,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// True until shutdown begins.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }
}
