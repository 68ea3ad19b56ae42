//! One fetch, one conversion and one upload per distinct audio per sender (Page, Instagram
//! account, WhatsApp number), as `send_many` does:
//! the same `audio_url` is downloaded once (for a few minutes), the same bytes (by SHA-256) are
//! converted once per set of options, and uploaded once per Page as a reusable attachment that
//! every recipient's send then names. Concurrent jobs wait for the one computation in flight
//! (single flight); failures are not kept, so a later job tries again. Conversion runs on
//! blocking threads, a few at a time; caches are bounded by bytes and age.

use crate::ssrf::{self, UrlPolicy};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::hash::Hash;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use svara::{Client, PrepareOptions, PreparedAudio};
use tokio::sync::{OnceCell, Semaphore, SemaphorePermit};

/// Downloads of `audio_url` time out after this.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// A single-flight cache: one computation per key at a time, results kept for `ttl` within
/// `max_weight` (oldest dropped first).
struct SingleFlight<K, V> {
    map: Mutex<HashMap<K, Slot<V>>>,
    ttl: Duration,
    max_weight: u64,
}

struct Slot<V> {
    cell: Arc<OnceCell<Result<V, svara::Error>>>,
    born: Instant,
}

impl<K: Eq + Hash + Clone, V: Clone> SingleFlight<K, V> {
    fn new(ttl: Duration, max_weight: u64) -> Self {
        SingleFlight {
            map: Mutex::new(HashMap::new()),
            ttl,
            max_weight,
        }
    }

    async fn get<F, Fut>(&self, key: K, weight: fn(&V) -> u64, init: F) -> Result<V, svara::Error>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, svara::Error>>,
    {
        let cell = {
            let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
            let ttl = self.ttl;
            map.retain(|_, s| s.born.elapsed() < ttl || !s.cell.initialized());
            map.entry(key.clone())
                .or_insert_with(|| Slot {
                    cell: Arc::new(OnceCell::new()),
                    born: Instant::now(),
                })
                .cell
                .clone()
        };
        let result = cell.get_or_init(init).await.clone();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if result.is_err() {
            if map.get(&key).is_some_and(|s| Arc::ptr_eq(&s.cell, &cell)) {
                map.remove(&key);
            }
        } else {
            self.evict_over_weight(&mut map, &key, weight);
        }
        result
    }

    fn evict_over_weight(&self, map: &mut HashMap<K, Slot<V>>, keep: &K, weight: fn(&V) -> u64) {
        let weigh = |s: &Slot<V>| match s.cell.get() {
            Some(Ok(v)) => weight(v),
            _ => 0,
        };
        let mut total: u64 = map.values().map(weigh).sum();
        while total > self.max_weight {
            let oldest = map
                .iter()
                .filter(|(k, s)| *k != keep && s.cell.initialized())
                .min_by_key(|(_, s)| s.born)
                .map(|(k, _)| k.clone());
            let Some(k) = oldest else { break };
            if let Some(s) = map.remove(&k) {
                total -= weigh(&s);
            }
        }
    }
}

/// Downloaded audio.
#[derive(Debug)]
pub struct Fetched {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Their SHA-256, hex.
    pub sha256: String,
}

/// Audio uploaded to one Page as a reusable attachment.
#[derive(Debug, Clone)]
pub struct Uploaded {
    /// Meta's `attachment_id`.
    pub attachment_id: String,
    /// `{codec, duration_ms, size_bytes, converted}` of what was uploaded.
    pub summary: Value,
}

/// How often each stage actually ran (the benchmark and tests read them).
#[derive(Debug, Default)]
pub struct Counters {
    /// Downloads of `audio_url`.
    pub fetches: AtomicU64,
    /// Runs of the audio engine (conversion or pass-through preparation).
    pub conversions: AtomicU64,
    /// Attachment uploads to Meta (or the emulator).
    pub uploads: AtomicU64,
}

/// A snapshot of [`Counters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MediaStats {
    /// Downloads of `audio_url`.
    pub fetches: u64,
    /// Runs of the audio engine.
    pub conversions: u64,
    /// Attachment uploads.
    pub uploads: u64,
}

/// Where the bytes of a stored upload are.
pub enum UploadBytes {
    /// A file beside the database (SQLite).
    File(PathBuf),
    /// The upload's row (PostgreSQL: any process may send it).
    Database {
        /// The database.
        store: crate::store::Store,
        /// `aud_…`.
        id: String,
    },
}

impl UploadBytes {
    async fn read(&self) -> Result<Vec<u8>, String> {
        match self {
            UploadBytes::File(path) => tokio::fs::read(path).await.map_err(|e| e.to_string()),
            UploadBytes::Database { store, id } => crate::store::uploads::data(store.reader(), id)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| "it was deleted".to_owned()),
        }
    }
}

/// Where a job's audio comes from, once it is bytes.
pub enum AudioBytes {
    /// An `audio_url`.
    Url(String),
    /// A stored upload: where its bytes are, and their SHA-256.
    Upload {
        /// The bytes.
        bytes: UploadBytes,
        /// Hex SHA-256 recorded at upload.
        sha256: String,
    },
}

/// The media stages and their caches.
pub struct Media {
    client: reqwest::Client,
    policy: UrlPolicy,
    fetches: SingleFlight<String, Arc<Fetched>>,
    prepared: SingleFlight<(String, String), Arc<PreparedAudio>>,
    uploaded: SingleFlight<(String, String, String), Uploaded>,
    fetch_slots: Semaphore,
    cpu_slots: Semaphore,
    counters: Counters,
    metrics: Arc<crate::metrics::Metrics>,
}

/// Everything that changes what `prepare` makes: the target format and the platform's byte
/// limit too (the same recording is M4A/AAC for Messenger and Ogg/Opus for WhatsApp).
fn options_key(o: &PrepareOptions) -> String {
    format!(
        "{}:{}:{}:{}:{:?}:{}",
        o.format.as_str(),
        o.bitrate,
        o.keep_stereo,
        o.fast_encode,
        o.max_duration,
        o.max_bytes
    )
}

/// The status `audio` object of prepared audio.
pub fn summary(p: &PreparedAudio) -> Value {
    json!({
        "codec": p.output.codec,
        "duration_ms": p.output.duration_ms,
        "size_bytes": p.output.size_bytes,
        "converted": p.converted,
    })
}

impl Media {
    /// Media stages fetching under `policy`, with `concurrency` downloads at once.
    pub fn new(
        policy: UrlPolicy,
        concurrency: usize,
        metrics: Arc<crate::metrics::Metrics>,
    ) -> Media {
        let cpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Media {
            client: ssrf::fetch_client(&policy),
            policy,
            fetches: SingleFlight::new(Duration::from_secs(300), 64 * 1024 * 1024),
            prepared: SingleFlight::new(Duration::from_secs(600), 64 * 1024 * 1024),
            uploaded: SingleFlight::new(Duration::from_secs(6 * 3600), 1 << 20),
            fetch_slots: Semaphore::new(concurrency.max(1)),
            cpu_slots: Semaphore::new(cpus),
            counters: Counters::default(),
            metrics,
        }
    }

    /// How often each stage ran.
    pub fn stats(&self) -> MediaStats {
        MediaStats {
            fetches: self.counters.fetches.load(Ordering::Relaxed),
            conversions: self.counters.conversions.load(Ordering::Relaxed),
            uploads: self.counters.uploads.load(Ordering::Relaxed),
        }
    }

    /// A slot for CPU-heavy audio work (one per core).
    pub async fn cpu_permit(&self) -> Option<SemaphorePermit<'_>> {
        self.cpu_slots.acquire().await.ok()
    }

    /// Downloads `url` once for every job that asks within a few minutes.
    pub async fn fetch(&self, url: &str) -> Result<Arc<Fetched>, svara::Error> {
        self.fetches
            .get(
                url.to_owned(),
                |f| f.bytes.len() as u64,
                || async {
                    let _slot = self.fetch_slots.acquire().await;
                    self.counters.fetches.fetch_add(1, Ordering::Relaxed);
                    let bytes = ssrf::fetch(&self.client, &self.policy, url, FETCH_TIMEOUT).await?;
                    let sha256 = hex::encode(Sha256::digest(&bytes));
                    Ok(Arc::new(Fetched { bytes, sha256 }))
                },
            )
            .await
    }

    /// Downloads and probes `url` (a dry run); the download is kept for the send that follows.
    pub async fn fetch_and_probe(&self, url: &str) -> Result<svara::AudioInfo, svara::Error> {
        let fetched = self.fetch(url).await?;
        let _cpu = self.cpu_permit().await;
        tokio::task::spawn_blocking(move || svara::probe(&fetched.bytes))
            .await
            .map_err(|_| stopped())?
    }

    /// The prepared audio of `audio` under `options`: fetched and converted only if no job
    /// did it already (Telegram's sends carry these bytes; the others upload them once).
    pub async fn prepare(
        &self,
        platform: &str,
        audio: &AudioBytes,
        options: &PrepareOptions,
    ) -> Result<Arc<PreparedAudio>, svara::Error> {
        let (sha, fetched) = match audio {
            AudioBytes::Url(url) => {
                let f = self.fetch(url).await?;
                (f.sha256.clone(), Some(f))
            }
            AudioBytes::Upload { sha256, .. } => (sha256.clone(), None),
        };
        let key = (sha, options_key(options));
        self.prepared
            .get(key, |p| p.data.len() as u64, || async {
                let held = match (fetched, audio) {
                    (Some(f), _) => Held::Fetched(f),
                    (None, AudioBytes::Upload { bytes, .. }) => {
                        Held::Read(bytes.read().await.map_err(|e| {
                            svara::Error::new(
                                svara::ErrorCode::AudioFetchFailed,
                                format!("The uploaded audio is no longer available ({e}); upload it again with POST /v1/audio."),
                            )
                        })?)
                    }
                    (None, AudioBytes::Url(_)) => unreachable!("a URL is always fetched"),
                };
                let _cpu = self.cpu_permit().await;
                self.counters.conversions.fetch_add(1, Ordering::Relaxed);
                let options = options.clone();
                let started = Instant::now();
                let prepared =
                    tokio::task::spawn_blocking(move || svara::prepare(held.bytes(), &options))
                        .await
                        .map_err(|_| stopped())??;
                self.metrics.conversion(platform, started.elapsed());
                Ok(Arc::new(prepared))
            })
            .await
    }

    /// The reusable attachment of `audio` on the Page of `client` (`page_key`): fetched,
    /// converted and uploaded only if no job did it already.
    pub async fn attachment(
        &self,
        platform: &str,
        page_key: &str,
        client: &Client,
        audio: &AudioBytes,
        options: &PrepareOptions,
    ) -> Result<Uploaded, svara::Error> {
        let sha = match audio {
            AudioBytes::Url(url) => self.fetch(url).await?.sha256.clone(),
            AudioBytes::Upload { sha256, .. } => sha256.clone(),
        };
        let key = (page_key.to_owned(), sha, options_key(options));
        self.uploaded
            .get(
                key,
                |_| 256,
                || async {
                    let prepared = self.prepare(platform, audio, options).await?;
                    self.counters.uploads.fetch_add(1, Ordering::Relaxed);
                    let up = client.upload_prepared(&prepared).await?;
                    Ok(Uploaded {
                        attachment_id: up.attachment_id,
                        summary: summary(&prepared),
                    })
                },
            )
            .await
    }
}

/// Bytes to convert: a cached download, or an upload read from its file.
enum Held {
    Fetched(Arc<Fetched>),
    Read(Vec<u8>),
}

impl Held {
    fn bytes(&self) -> &[u8] {
        match self {
            Held::Fetched(f) => &f.bytes,
            Held::Read(b) => b,
        }
    }
}

fn stopped() -> svara::Error {
    svara::Error::unsupported_audio(
        "The audio engine stopped unexpectedly while preparing this file.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn single_flight_computes_once_and_forgets_failures() {
        let sf: Arc<SingleFlight<String, u64>> =
            Arc::new(SingleFlight::new(Duration::from_secs(60), 100));
        let runs = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (sf, runs) = (sf.clone(), runs.clone());
            tasks.push(tokio::spawn(async move {
                sf.get(
                    "a".into(),
                    |v| *v,
                    || async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(7)
                    },
                )
                .await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap(), 7);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        let fail = sf
            .get(
                "b".into(),
                |v| *v,
                || async { Err(svara::Error::invalid_request("no")) },
            )
            .await;
        assert!(fail.is_err());
        let ok = sf.get("b".into(), |v| *v, || async { Ok(1) }).await;
        assert_eq!(ok.unwrap(), 1, "a failure is not kept");
        // Over the weight limit the oldest entry goes.
        sf.get("big".into(), |v| *v, || async { Ok(99) })
            .await
            .unwrap();
        let map = sf.map.lock().unwrap();
        assert!(!map.contains_key("a"), "oldest evicted");
        assert!(map.contains_key("big"));
    }
}
