//! Outbound webhooks: the delivery worker. It runs beside the send worker with its own slots
//! and HTTP clients, so a slow or failing receiver never holds a voice note back. Deliveries are
//! claimed with a lease like jobs (several processes share the queue), at least once: a lease
//! that expires (its process died mid-attempt) puts the delivery back, so a receiver may see an
//! event twice and de-duplicates on `Svara-Event-Id`. Each attempt is signed when it is made
//! ([`svara::webhooks::signature_header`], one `v1` per live secret), recorded, and followed by
//! the next one on the back-off schedule until a 2xx or a day has passed.

pub mod deliver;
pub mod urls;

use crate::background::{Background, StopSignal};
use crate::state::AppState;
use crate::store::{webhooks, Backend};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// Lease of a claimed delivery: the send worker's (`--lease`), but at least one and a half
/// attempts (their timeout), so that a slow attempt never loses its lease.
pub fn lease(state: &AppState) -> Duration {
    state
        .config
        .worker
        .lease
        .max(state.config.webhooks.timeout.mul_f64(1.5))
}

/// Starts the delivery worker. Its shutdown stops claiming and waits (up to the attempt
/// timeout) for the attempts in flight; the leases of any left expire and another process (or
/// the next start) retries them.
pub fn start(state: AppState) -> Background {
    let d = Arc::new(deliver::Deliverer::new(state));
    Background::spawn(move |stop| run(d, stop))
}

async fn run(d: Arc<deliver::Deliverer>, stop: StopSignal) {
    let state = d.state.clone();
    let settings = state.config.webhooks.clone();
    let mut tasks: JoinSet<()> = JoinSet::new();
    let lease = lease(&state);
    let mut heartbeat = tokio::time::interval(lease / 3);
    let mut sweep = tokio::time::interval(lease / 4);
    heartbeat.tick().await;
    // The only process on a SQLite file: whatever the previous one left in flight is dead.
    if state.store.backend() == Backend::Sqlite {
        let now = state.store.now_ms();
        match state
            .store
            .write(Box::new(move |c| Box::pin(webhooks::sweep(c, now, true))))
            .await
        {
            Ok(n) if n > 0 => {
                tracing::warn!(
                    deliveries = n,
                    "webhook deliveries left in flight by a previous process retried"
                );
                state.metrics.rescued("webhooks", "requeued", n);
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "cannot recover webhook deliveries"),
        }
    }
    loop {
        while tasks.try_join_next().is_some() {}
        if stop.is_stopping() {
            break;
        }
        let free = settings.max_in_flight.saturating_sub(tasks.len());
        let mut full = false;
        if free > 0 {
            let (owner, now) = (d.owner.to_string(), state.store.now_ms());
            let skip = state.store.skip_locked();
            let limit = free.min(32);
            match state
                .store
                .write(Box::new(move |c| {
                    Box::pin(async move {
                        webhooks::claim(c, skip, &owner, now, now + lease.as_millis() as i64, limit)
                            .await
                    })
                }))
                .await
            {
                Ok(claimed) => {
                    full = claimed.len() == limit;
                    for delivery in claimed {
                        let d = d.clone();
                        tasks.spawn(async move { d.attempt(delivery).await });
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot claim webhook deliveries"),
            }
        }
        if full {
            continue;
        }
        tokio::select! {
            _ = state.webhook_wake.notified() => {}
            _ = stop.stopped() => {}
            _ = tokio::time::sleep(settings.poll_interval) => {}
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            _ = heartbeat.tick() => {
                let (owner, until) = (d.owner.to_string(), state.store.now_ms() + lease.as_millis() as i64);
                if let Err(e) = state.store.write(Box::new(move |c| {
                    Box::pin(async move { webhooks::heartbeat(c, &owner, until).await })
                })).await {
                    tracing::error!(error = %e, "cannot renew webhook leases");
                }
            }
            _ = sweep.tick() => {
                let now = state.store.now_ms();
                match state.store.write(Box::new(move |c| Box::pin(webhooks::sweep(c, now, false)))).await {
                    Ok(n) if n > 0 => {
                        tracing::warn!(deliveries = n, "webhook deliveries whose lease expired are retried");
                        state.metrics.rescued("webhooks", "requeued", n);
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "cannot sweep webhook leases"),
                }
            }
        }
    }
    let grace = tokio::time::sleep(settings.timeout + Duration::from_secs(1));
    tokio::pin!(grace);
    loop {
        tokio::select! {
            next = tasks.join_next() => if next.is_none() { break },
            _ = &mut grace => { tasks.abort_all(); break }
        }
    }
}
