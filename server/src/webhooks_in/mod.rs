//! Inbound webhooks: Messenger's delivery and read receipts and WhatsApp's message statuses
//! ([`meta`] verifies and stores them), applied by the receipts worker here, in order, on every process (with PostgreSQL each
//! stored body is taken by one process: `SKIP LOCKED`). Applying is a database-only transaction,
//! so a crash before its commit just applies the body again; statuses only move forward, so
//! Meta's retries and duplicates change nothing.

pub mod meta;

use crate::background::{Background, StopSignal};
use crate::state::AppState;
use crate::store::receipts;
use std::time::Duration;

/// How often stored bodies are looked for when nothing wakes the worker (another process may
/// have stored them), and how long a deferred body waits.
pub const POLL: Duration = Duration::from_millis(500);

/// Starts the receipts worker.
pub fn start(state: AppState) -> Background {
    Background::spawn(move |stop| run(state, stop))
}

/// One pass: applies what is stored; true when it should run again at once.
pub async fn pass(state: &AppState) -> bool {
    let (now, skip) = (state.store.now_ms(), state.store.skip_locked());
    match state
        .store
        .write(Box::new(move |c| {
            Box::pin(async move { receipts::apply_pending(c, skip, now, 100).await })
        }))
        .await
    {
        Ok(applied) => {
            let messenger = (
                applied.delivered - applied.whatsapp_delivered,
                applied.read - applied.whatsapp_read,
            );
            state
                .metrics
                .receipts("messenger", "delivered", messenger.0);
            state.metrics.receipts("messenger", "read", messenger.1);
            state
                .metrics
                .receipts("whatsapp", "delivered", applied.whatsapp_delivered);
            state
                .metrics
                .receipts("whatsapp", "read", applied.whatsapp_read);
            if applied.delivered + applied.read > 0 {
                tracing::debug!(
                    target: "svara_server::meta_webhooks",
                    delivered = applied.delivered,
                    read = applied.read,
                    deferred = applied.deferred,
                    "receipts applied"
                );
            }
            if applied.deliveries > 0 {
                state.webhook_wake.notify_one();
            }
            applied.events == 100
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot apply receipts");
            false
        }
    }
}

async fn run(state: AppState, stop: StopSignal) {
    while !stop.is_stopping() {
        if pass(&state).await {
            continue;
        }
        tokio::select! {
            _ = state.receipts_wake.notified() => {}
            _ = stop.stopped() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}
