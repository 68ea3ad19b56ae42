//! One pooled core client per Page (token, client options and target), never one per job: its
//! connection pool and its send limiter (10 audio sends per second, slowed down together after
//! a 613) are shared by every job of that Page. The target follows the job's key mode only:
//! test jobs go to the built-in emulator, live jobs to Meta (or `SVARA_GRAPH_URL`).
//!
//! Each client carries the core's `before_request` hook: right before a send is written it takes
//! the Page's pacing slot in the database ([`super::pacing`]: 10 sends per second per Page over
//! every process), commits the job's point of no return while it waits, and lets the request go
//! at the slot; the job is found through the task-local [`JobContext`]. The core's own limiter
//! is set above Meta's rate (the database paces), but still pauses the Page after a 613, whose
//! `retry_after` the `on_retry` hook also writes to the database for every process.

use super::pacing::{Pacer, LEAD, MAX_RESERVATIONS, TOLERANCE};
use crate::keys::Mode;
use crate::metrics::Metrics;
use crate::store::{jobs, Store};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use svara::{Client, ClientBuilder, ErrorCode, RequestEvent, RetryEvent};

/// The core limiter's rate on server clients: above Meta's 10 per second, so that the
/// database's per-Page slots decide the pace (the core limiter still pauses after a 613).
const CORE_CALLS_PER_SECOND: f64 = 50.0;

tokio::task_local! {
    /// The job whose Graph calls are being made in this task.
    pub static CURRENT: JobContext;
}

/// How far a job got towards Meta.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Nothing written: safe to put back in the queue.
    Claimed,
    /// The point of no return is being committed.
    Marking,
    /// Committed: the request may reach Meta; never sent again.
    Written,
}

/// Why the hook refused to let a send go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Shutdown began before the request was written.
    ShuttingDown,
    /// Another owner holds the job now (the lease was lost).
    LeaseLost,
    /// The point of no return could not be committed.
    Database,
}

/// The state of one job shared between its task and the hook.
#[derive(Clone)]
pub struct JobContext {
    inner: Arc<ContextInner>,
}

struct ContextInner {
    id: String,
    attempt: i64,
    platform: String,
    owner: Arc<str>,
    store: Store,
    shutdown: Arc<AtomicBool>,
    pacer: Pacer,
    metrics: Arc<Metrics>,
    phase: Mutex<Phase>,
    refusal: Mutex<Option<Refusal>>,
    pace_key: Mutex<Option<String>>,
    page_id: Mutex<Option<String>>,
    written: Mutex<Option<Instant>>,
}

/// What a [`JobContext`] is made of.
pub struct ContextParts {
    /// The job.
    pub id: String,
    /// Its claim's attempt number (the fence).
    pub attempt: i64,
    /// `messenger`, ...
    pub platform: String,
    /// This process's lease owner id.
    pub owner: Arc<str>,
    /// The database.
    pub store: Store,
    /// Set when shutdown begins.
    pub shutdown: Arc<AtomicBool>,
    /// Per-Page slots.
    pub pacer: Pacer,
    /// This process's metrics.
    pub metrics: Arc<Metrics>,
}

impl JobContext {
    /// The context of a claimed job.
    pub fn new(p: ContextParts) -> Self {
        JobContext {
            inner: Arc::new(ContextInner {
                id: p.id,
                attempt: p.attempt,
                platform: p.platform,
                owner: p.owner,
                store: p.store,
                shutdown: p.shutdown,
                pacer: p.pacer,
                metrics: p.metrics,
                phase: Mutex::new(Phase::Claimed),
                refusal: Mutex::new(None),
                pace_key: Mutex::new(None),
                page_id: Mutex::new(None),
                written: Mutex::new(None),
            }),
        }
    }

    /// Names the Page the job goes out from: its id when known (recorded with the point of no
    /// return), and the key its sends are paced under.
    pub fn set_page(&self, page_id: Option<String>, pace_key: String) {
        *self.inner.page_id.lock().unwrap_or_else(|e| e.into_inner()) = page_id;
        *self
            .inner
            .pace_key
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(pace_key);
    }

    /// The key the job's sends are paced under, once known.
    pub fn pace_key(&self) -> Option<String> {
        self.inner
            .pace_key
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// When the last send request was let go (for the send latency).
    pub fn written_at(&self) -> Option<Instant> {
        *self.inner.written.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How far the job got.
    pub fn phase(&self) -> Phase {
        *self.inner.phase.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Why the hook refused the send, if it did.
    pub fn refusal(&self) -> Option<Refusal> {
        *self.inner.refusal.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn refuse(&self, why: Refusal, back_to: Phase) -> svara::Error {
        *self.inner.refusal.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
        *self.inner.phase.lock().unwrap_or_else(|e| e.into_inner()) = back_to;
        svara::Error::new(
            svara::ErrorCode::NetworkError,
            "Not sent: the server stopped this send before it was written.",
        )
    }

    /// Takes the Page's slot, commits the point of no return while waiting for it (once per
    /// job: a retry of a request that certainly was not accepted only takes a new slot), and
    /// returns at the slot.
    async fn before_send(&self) -> svara::Result<()> {
        let pacer = &self.inner.pacer;
        let started = Instant::now();
        let pace_key = self.pace_key();
        let mut reservations = 0;
        loop {
            let slot = match &pace_key {
                Some(key) => match pacer.reserve(key).await {
                    Ok(slot) => Some(slot),
                    Err(e) if self.phase() == Phase::Written => {
                        // A retry after an answer that certainly was not accepted: better
                        // unpaced (the core limiter still spaces it) than given up.
                        tracing::warn!(error = %e, "cannot reserve a pacing slot; retrying unpaced");
                        None
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot reserve a pacing slot");
                        return Err(self.refuse(Refusal::Database, Phase::Claimed));
                    }
                },
                None => None,
            };
            reservations += 1;
            if self.phase() != Phase::Written {
                if let Some(slot) = slot {
                    pacer.sleep_until(slot - LEAD.as_millis() as i64).await;
                }
                self.commit_point_of_no_return().await?;
            }
            let Some(slot) = slot else { break };
            pacer.sleep_until(slot).await;
            let late = pacer.now_ms() - slot;
            if late <= TOLERANCE.as_millis() as i64 || reservations >= MAX_RESERVATIONS {
                break;
            }
            tracing::debug!(late_ms = late, "missed its pacing slot; taking another");
        }
        self.inner
            .metrics
            .pacing_wait(&self.inner.platform, started.elapsed());
        *self.inner.written.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        Ok(())
    }

    /// Commits the point of no return (once per job).
    async fn commit_point_of_no_return(&self) -> svara::Result<()> {
        {
            let mut phase = self.inner.phase.lock().unwrap_or_else(|e| e.into_inner());
            match *phase {
                Phase::Written => return Ok(()),
                Phase::Marking => {}
                Phase::Claimed => {
                    if self.inner.shutdown.load(Ordering::SeqCst) {
                        drop(phase);
                        return Err(self.refuse(Refusal::ShuttingDown, Phase::Claimed));
                    }
                    *phase = Phase::Marking;
                }
            }
        }
        let (id, owner, attempt) = (
            self.inner.id.clone(),
            self.inner.owner.to_string(),
            self.inner.attempt,
        );
        let page_id = self
            .inner
            .page_id
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let now = self.inner.store.now_ms();
        let marked = self
            .inner
            .store
            .write_now(Box::new(move |c| {
                Box::pin(async move {
                    jobs::mark_request_written(c, &id, &owner, attempt, now, page_id.as_deref())
                        .await
                })
            }))
            .await;
        match marked {
            Ok(true) => {
                *self.inner.phase.lock().unwrap_or_else(|e| e.into_inner()) = Phase::Written;
                Ok(())
            }
            Ok(false) => Err(self.refuse(Refusal::LeaseLost, Phase::Claimed)),
            Err(e) => {
                tracing::error!(error = %e, id = %self.inner.id, "cannot record the point of no return");
                Err(self.refuse(Refusal::Database, Phase::Claimed))
            }
        }
    }
}

/// A 613 before a retry: the Page pauses for every process, not only this client.
fn on_retry(event: &RetryEvent) {
    if event.code != ErrorCode::RateLimited {
        return;
    }
    if let Ok(ctx) = CURRENT.try_with(|c| c.clone()) {
        if let Some(key) = ctx.pace_key() {
            let (pacer, wait) = (ctx.inner.pacer.clone(), event.wait);
            tokio::spawn(async move {
                if let Err(e) = pacer.pause(&key, wait).await {
                    tracing::warn!(error = %e, "cannot pause the Page for the other processes");
                }
            });
        }
    }
}

async fn hook(event: RequestEvent) -> svara::Result<()> {
    if event.operation == "upload" {
        // Uploading an attachment delivers nothing: harmless to repeat.
        return Ok(());
    }
    match CURRENT.try_with(|c| c.clone()) {
        Ok(ctx) => ctx.before_send().await,
        Err(_) => Err(svara::Error::invalid_request(
            "Not sent: a send was attempted outside of a queued job.",
        )),
    }
}

/// The Graph targets of the two modes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    /// The built-in emulator (test keys).
    pub test: String,
    /// Meta or `SVARA_GRAPH_URL` (live keys).
    pub live: String,
}

impl Targets {
    /// The Graph base URL a job of `mode` must use.
    pub fn for_mode(&self, mode: Mode) -> &str {
        match mode {
            Mode::Test => &self.test,
            Mode::Live => &self.live,
        }
    }
}

/// Clients by `page_key`, dropped after a while unused.
pub struct ClientPool {
    targets: Targets,
    clients: Mutex<HashMap<String, (Client, Instant)>>,
}

/// Clients kept at most.
const MAX_CLIENTS: usize = 4096;
/// A client unused this long is dropped.
const IDLE: Duration = Duration::from_secs(900);

impl ClientPool {
    /// A pool sending to `targets` (pacing is the database's: [`super::pacing`]).
    pub fn new(targets: Targets) -> Self {
        ClientPool {
            targets,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Clients held.
    pub fn len(&self) -> usize {
        self.clients.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// True with no client.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The targets.
    pub fn targets(&self) -> &Targets {
        &self.targets
    }

    /// The client of `page_key`, built from `builder` (the job's session and options) the
    /// first time, aimed at the mode's target: test keys send every platform to the built-in
    /// emulator (one port serves all four APIs); live keys send Meta's platforms to the live
    /// Graph URL (Instagram Login keeps graph.instagram.com unless `SVARA_GRAPH_URL` is set) and
    /// Telegram to the Bot API (`SVARA_TELEGRAM_URL` or api.telegram.org, the core's default).
    pub fn get(
        &self,
        page_key: &str,
        mode: Mode,
        platform: svara::Platform,
        builder: ClientBuilder,
    ) -> svara::Result<Client> {
        let mut map = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if let Some((client, used)) = map.get_mut(page_key) {
            *used = now;
            return Ok(client.clone());
        }
        let target = self.targets.for_mode(mode);
        let builder = match (mode, platform) {
            (Mode::Test, _) => builder.graph_url(target).telegram_url(target),
            (Mode::Live, svara::Platform::Telegram) => builder,
            (Mode::Live, svara::Platform::Instagram) if target == svara::DEFAULT_GRAPH_URL => {
                builder
            }
            (Mode::Live, _) => builder.graph_url(target),
        };
        let client = builder
            .sends_per_second(CORE_CALLS_PER_SECOND)
            .before_request(hook)
            .on_retry(on_retry)
            .build()?;
        if map.len() >= MAX_CLIENTS {
            map.retain(|_, (_, used)| now.duration_since(*used) < IDLE);
            if map.len() >= MAX_CLIENTS {
                if let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, (_, used))| *used)
                    .map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
            }
        }
        map.insert(page_key.to_owned(), (client.clone(), now));
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_never_cross_targets() {
        let t = Targets {
            test: "http://127.0.0.1:1".into(),
            live: "https://graph.facebook.com".into(),
        };
        assert_eq!(t.for_mode(Mode::Test), "http://127.0.0.1:1");
        assert_eq!(t.for_mode(Mode::Live), "https://graph.facebook.com");
        let pool = ClientPool::new(t);
        let a = pool
            .get(
                "pg_a",
                Mode::Test,
                svara::Platform::Messenger,
                Client::builder("EAAtoken"),
            )
            .unwrap();
        assert_eq!(a.config().graph_url, "http://127.0.0.1:1");
        let b = pool
            .get(
                "pg_b",
                Mode::Live,
                svara::Platform::Messenger,
                Client::builder("EAAtoken"),
            )
            .unwrap();
        assert_eq!(b.config().graph_url, "https://graph.facebook.com");
        // The same Page gets the same client (one pool, one limiter).
        pool.get(
            "pg_a",
            Mode::Test,
            svara::Platform::Messenger,
            Client::builder("EAAtoken"),
        )
        .unwrap();
        assert_eq!(pool.len(), 2);
    }
}
