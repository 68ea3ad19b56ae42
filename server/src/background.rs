//! A background task that stops when asked: the webhook and receipts workers run as one each.
//! Shutdown raises the flag, wakes the task, and waits for it to finish what it does.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

/// What a background task watches to know it should stop.
#[derive(Clone)]
pub struct StopSignal {
    stop: Arc<Notify>,
    stopping: Arc<AtomicBool>,
}

impl StopSignal {
    /// True once shutdown began.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Completes when shutdown begins (also when it began before).
    pub async fn stopped(&self) {
        if !self.is_stopping() {
            self.stop.notified().await;
        }
    }
}

/// A running background task.
pub struct Background {
    signal: StopSignal,
    task: tokio::task::JoinHandle<()>,
}

impl Background {
    /// Spawns `run` with the signal that tells it to stop.
    pub fn spawn<F, Fut>(run: F) -> Background
    where
        F: FnOnce(StopSignal) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let signal = StopSignal {
            stop: Arc::new(Notify::new()),
            stopping: Arc::new(AtomicBool::new(false)),
        };
        let task = tokio::spawn(run(signal.clone()));
        Background { signal, task }
    }

    /// Asks the task to stop and waits until it has.
    pub async fn shutdown(self) {
        self.signal.stopping.store(true, Ordering::SeqCst);
        self.signal.stop.notify_one();
        let _ = self.task.await;
    }
}
