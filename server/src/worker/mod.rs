//! The worker: claims due jobs with a lease (at most a few per Page in flight, so one busy Page
//! does not hold every slot; with PostgreSQL, `SKIP LOCKED` keeps processes off each other's
//! claims), runs each as a task ([`send::process`]), renews its leases, and records outcomes
//! (and their events, in the same transaction). Every process sweeps expired leases by the
//! crash rule a few times per lease: whichever process died, the others rescue its jobs, and
//! a job that may have reached Meta is never sent again. Maintenance also forgets expired
//! idempotency keys, uploads, old deliveries and receipts. At shutdown it stops claiming, lets
//! jobs that passed their point of no return finish, and puts the others back in the queue.

pub mod clients;
pub mod media;
pub mod pacing;
pub mod pages;
pub mod send;

use crate::clock::now_ms;
use crate::config::WorkerSettings;
use crate::state::AppState;
use crate::store::jobs::{self, ClaimRequest, Claimed};
use crate::store::{pacing as pacing_rows, receipts, uploads, webhooks, Backend};
use clients::{ClientPool, ContextParts, JobContext, Phase};
use futures::FutureExt;
use send::Outcome;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use svara::{Error, ErrorCode};
use tokio::sync::Notify;
use tokio::task::JoinSet;

/// What the worker's tasks share.
pub struct Shared {
    /// The server's state.
    pub state: AppState,
    /// This process's lease owner id (fresh on every start).
    pub owner: Arc<str>,
    /// Pooled core clients.
    pub clients: ClientPool,
    /// Page ids of tokens.
    pub page_ids: pages::PageIds,
    /// Per-Page slots.
    pub pacer: pacing::Pacer,
    settings: WorkerSettings,
    shutdown: Arc<AtomicBool>,
    stop: Notify,
    busy: Mutex<HashMap<String, usize>>,
}

/// The error of a job whose request may have reached Meta when its worker died.
pub fn interrupted_error() -> Error {
    Error::new(
        ErrorCode::NetworkError,
        "The server stopped while this voice note's request was being sent to Meta, so it may have been delivered; it was not sent again. Check the thread before resending.",
    )
    .with_may_have_been_delivered(true)
}

/// A running worker.
pub struct Worker {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Starts the worker loop.
    pub fn start(state: AppState, clients: ClientPool) -> Worker {
        let settings = state.config.worker.clone();
        let shared = Arc::new(Shared {
            owner: Arc::from(crate::ids::new_id("wkr", now_ms())),
            pacer: pacing::Pacer::new(state.store.clone(), settings.sends_per_second),
            page_ids: pages::PageIds::default(),
            state,
            clients,
            settings,
            shutdown: Arc::new(AtomicBool::new(false)),
            stop: Notify::new(),
            busy: Mutex::new(HashMap::new()),
        });
        let task = tokio::spawn(run(shared.clone()));
        Worker { shared, task }
    }

    /// Stops claiming; waits for the jobs in flight (those past their point of no return get
    /// Meta's answer), up to the grace period; puts every unwritten job back in the queue.
    pub async fn shutdown(self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        self.shared.stop.notify_one();
        let _ = self.task.await;
    }
}

struct Busy<'a> {
    shared: &'a Shared,
    page: String,
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        let mut busy = self.shared.busy.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = busy.get_mut(&self.page) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                busy.remove(&self.page);
            }
        }
    }
}

async fn run(w: Arc<Shared>) {
    let mut tasks: JoinSet<()> = JoinSet::new();
    let lease = w.settings.lease;
    let mut heartbeat = tokio::time::interval(lease / 3);
    // Expired leases are looked for four times per lease: a dead process's jobs are rescued
    // at most 1.25 leases after its last renewal.
    let mut maintenance = tokio::time::interval((lease / 4).max(Duration::from_millis(200)));
    let mut clock = tokio::time::interval(Duration::from_secs(60));
    heartbeat.tick().await;
    clock.tick().await;
    loop {
        while tasks.try_join_next().is_some() {}
        if w.shutdown.load(Ordering::SeqCst) {
            break;
        }
        let free = w.settings.max_in_flight.saturating_sub(tasks.len());
        let mut claimed_all = false;
        if free > 0 {
            let busy = w.busy.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let now = w.state.store.now_ms();
            let req = ClaimRequest {
                owner: w.owner.to_string(),
                now,
                lease_until: now + lease.as_millis() as i64,
                limit: free.min(64),
                per_page: w.settings.per_page_in_flight,
                busy,
                skip_locked: w.state.store.skip_locked(),
            };
            match w
                .state
                .store
                .write(Box::new(move |c| Box::pin(jobs::claim(c, req))))
                .await
            {
                Ok(claimed) => {
                    claimed_all = !claimed.is_empty() && claimed.len() == free.min(64);
                    for job in claimed {
                        *w.busy
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .entry(job.page_key.clone())
                            .or_insert(0) += 1;
                        tasks.spawn(run_job(w.clone(), job));
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot claim jobs"),
            }
        }
        if claimed_all {
            continue;
        }
        tokio::select! {
            _ = w.state.wake.notified() => {}
            _ = w.stop.notified() => {}
            _ = tokio::time::sleep(w.settings.poll_interval) => {}
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            _ = heartbeat.tick() => renew(&w).await,
            _ = maintenance.tick() => maintain(&w).await,
            _ = clock.tick() => {
                if let Err(e) = w.state.store.sync_clock().await {
                    tracing::warn!(error = %e, "cannot read the database's clock");
                }
            }
        }
    }
    // Shutdown: jobs not yet written are refused by the hook and come back as requeued.
    let grace = tokio::time::sleep(w.settings.shutdown_grace);
    tokio::pin!(grace);
    loop {
        tokio::select! {
            next = tasks.join_next() => if next.is_none() { break },
            _ = &mut grace => {
                tracing::warn!(left = tasks.len(), "shutdown grace over; leaving the rest to the next start");
                tasks.abort_all();
                while tasks.join_next().await.is_some() {}
                break;
            }
        }
    }
    let (owner, now) = (w.owner.to_string(), w.state.store.now_ms());
    match w
        .state
        .store
        .write(Box::new(move |c| {
            Box::pin(async move { jobs::release_claimed(c, &owner, now).await })
        }))
        .await
    {
        Ok(n) if n > 0 => tracing::info!(requeued = n, "jobs put back in the queue"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "cannot put jobs back (the next start will)"),
    }
}

async fn renew(w: &Shared) {
    let owner = w.owner.to_string();
    let until = w.state.store.now_ms() + w.settings.lease.as_millis() as i64;
    if let Err(e) = w
        .state
        .store
        .write(Box::new(move |c| {
            Box::pin(async move { jobs::heartbeat(c, &owner, until).await })
        }))
        .await
    {
        tracing::error!(error = %e, "cannot renew leases");
    }
}

/// How long finished deliveries, their attempts, events and applied receipts are kept.
pub const HISTORY: Duration = Duration::from_secs(30 * 24 * 3600);

/// Sweeps expired leases (another process's, or ours if renewals failed) by the crash rule,
/// forgets expired idempotency keys, uploads no queued job needs, idle pacing rows and old
/// webhook history.
pub async fn maintain(w: &Shared) {
    let now = w.state.store.now_ms();
    let error = serde_json::to_string(&interrupted_error()).unwrap_or_default();
    let store = &w.state.store;
    let swept = store
        .write(Box::new(move |c| {
            Box::pin(async move { jobs::sweep(c, now, true, &error).await })
        }))
        .await;
    match swept {
        Ok(swept) => {
            if !swept.requeued.is_empty() || !swept.failed.is_empty() {
                tracing::warn!(
                    requeued = swept.requeued.len(),
                    failed_may_have_been_delivered = swept.failed.len(),
                    "rescued jobs whose lease expired (their process died or stalled)"
                );
                for (id, _) in &swept.failed {
                    tracing::warn!(id = %id, "failed: its request may have reached Meta before its process stopped; not sent again");
                }
            }
            record_rescue(&w.state, &swept);
        }
        Err(e) => tracing::error!(error = %e, "cannot sweep expired leases"),
    }
    let housekeeping = store
        .write(Box::new(move |c| {
            Box::pin(async move {
                let purged = jobs::purge_idempotency(c, now).await?;
                let uploads = uploads::delete_expired(c, now).await?;
                pacing_rows::purge(c, now).await?;
                let before = now - HISTORY.as_millis() as i64;
                webhooks::purge(c, before).await?;
                receipts::purge(c, before).await?;
                Ok((purged, uploads))
            })
        }))
        .await;
    match housekeeping {
        Ok((purged, gone)) => {
            if purged > 0 {
                tracing::debug!(purged, "idempotency keys forgotten");
            }
            if store.backend() == Backend::Sqlite {
                for id in gone {
                    let _ = tokio::fs::remove_file(w.state.data.uploads().join(&id)).await;
                }
            }
        }
        Err(e) => tracing::error!(error = %e, "maintenance failed"),
    }
}

/// Counts a sweep's rescues and wakes the webhook worker for their events.
pub fn record_rescue(state: &AppState, swept: &jobs::Swept) {
    state
        .metrics
        .rescued("jobs", "requeued", swept.requeued.len() as u64);
    state
        .metrics
        .rescued("jobs", "failed", swept.failed.len() as u64);
    for (_, platform) in &swept.failed {
        state
            .metrics
            .send_finished(platform, svara::ErrorCode::NetworkError.as_str());
    }
    if !swept.requeued.is_empty() {
        state.wake.notify_one();
    }
    if swept.deliveries > 0 {
        state.webhook_wake.notify_one();
    }
}

async fn run_job(w: Arc<Shared>, job: Claimed) {
    let _busy = Busy {
        shared: &w,
        page: job.page_key.clone(),
    };
    let ctx = JobContext::new(ContextParts {
        id: job.id.clone(),
        attempt: job.attempt,
        platform: job.platform.clone(),
        owner: w.owner.clone(),
        store: w.state.store.clone(),
        shutdown: w.shutdown.clone(),
        pacer: w.pacer.clone(),
        metrics: w.state.metrics.clone(),
    });
    let span = tracing::info_span!("note", id = %job.id);
    let outcome = std::panic::AssertUnwindSafe(
        tracing::Instrument::instrument(send::process(&w, &job, &ctx), span.clone()),
    )
    .catch_unwind()
    .await
        .unwrap_or_else(|_| {
            tracing::error!(id = %job.id, "a job panicked");
            let error = if ctx.phase() == Phase::Claimed {
                Error::new(
                    ErrorCode::ApiError,
                    "The server failed while preparing this voice note; it was not sent. Send it again, and report the server's log if it persists.",
                )
            } else {
                interrupted_error()
            };
            Outcome::Failed { error, audio: None }
        });
    tracing::Instrument::instrument(record(&w, &job, &ctx, outcome), span).await;
}

async fn record(w: &Shared, job: &Claimed, ctx: &JobContext, outcome: Outcome) {
    let (id, attempt, now) = (job.id.clone(), job.attempt, w.state.store.now_ms());
    let store = &w.state.store;
    let metrics = &w.state.metrics;
    let result = match outcome {
        Outcome::Sent(sent) => {
            tracing::info!(target: "svara_server::worker", id = %id, message_id = %sent.message_id, "sent");
            metrics.send_finished(&job.platform, "sent");
            store
                .write(Box::new(move |c| {
                    Box::pin(async move { jobs::finish_sent(c, &id, attempt, &sent, now).await })
                }))
                .await
                .map(Some)
        }
        Outcome::Failed { error, audio } => {
            tracing::info!(
                target: "svara_server::worker",
                id = %id,
                code = error.code().as_str(),
                may_have_been_delivered = error.may_have_been_delivered(),
                "failed"
            );
            metrics.send_finished(&job.platform, error.code().as_str());
            let error = serde_json::to_string(&error).unwrap_or_default();
            let audio = audio.map(|a| a.to_string());
            store
                .write(Box::new(move |c| {
                    Box::pin(async move {
                        jobs::finish_failed(c, &id, attempt, &error, audio.as_deref(), now).await
                    })
                }))
                .await
                .map(Some)
        }
        Outcome::Requeue { run_at, pause } => {
            if let (Some(wait), Some(key)) = (pause, ctx.pace_key()) {
                if let Err(e) = w.pacer.pause(&key, wait).await {
                    tracing::warn!(error = %e, "cannot pause the Page for the other processes");
                }
            }
            let owner = w.owner.to_string();
            store
                .write(Box::new(move |c| {
                    Box::pin(
                        async move { jobs::requeue(c, &id, &owner, attempt, run_at, now).await },
                    )
                }))
                .await
                .map(|requeued| {
                    requeued.then_some(jobs::Transition {
                        changed: true,
                        deliveries: 0,
                    })
                })
        }
        Outcome::Abandon => Ok(Some(jobs::Transition {
            changed: true,
            deliveries: 0,
        })),
    };
    match result {
        Ok(Some(t)) if t.changed => {
            if t.deliveries > 0 {
                w.state.webhook_wake.notify_one();
            }
        }
        Ok(_) => {
            tracing::warn!(id = %job.id, "the job changed hands before its outcome was recorded")
        }
        Err(e) => {
            tracing::error!(id = %job.id, error = %e, "cannot record the outcome (its lease expires and a sweep applies the crash rule)")
        }
    }
}
