//! Tests that need the whole process to themselves, so they run one at a time: peak memory
//! under hostile input (RSS is per process) and secrets in the logs (the process-wide
//! subscriber captures every level of every crate while a test asks).

#[path = "../api/support.rs"]
mod support;

#[path = "../api/postgres.rs"]
mod postgres;

mod hostile;
mod logs;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// One test at a time in this binary.
pub async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

#[derive(Clone, Default)]
struct Sink {
    on: Arc<std::sync::atomic::AtomicBool>,
    buf: Arc<Mutex<Vec<u8>>>,
}

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.on.load(std::sync::atomic::Ordering::SeqCst) {
            self.buf.lock().unwrap().extend_from_slice(b);
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

type Reload = tracing_subscriber::reload::Handle<
    tracing_subscriber::filter::LevelFilter,
    tracing_subscriber::Registry,
>;

fn sink() -> &'static (Sink, Reload) {
    static SINK: OnceLock<(Sink, Reload)> = OnceLock::new();
    SINK.get_or_init(|| {
        use tracing_subscriber::prelude::*;
        let sink = Sink::default();
        let (filter, handle) =
            tracing_subscriber::reload::Layer::new(tracing_subscriber::filter::LevelFilter::OFF);
        let writer = sink.clone();
        tracing_subscriber::registry()
            .with(filter)
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(move || writer.clone()),
            )
            .init();
        (sink, handle)
    })
}

/// Captures every event at every level until [`Capture::finish`].
pub struct Capture;

/// Starts capturing (see [`Capture`]).
pub fn capture_logs() -> Capture {
    let (sink, handle) = sink();
    sink.buf.lock().unwrap().clear();
    handle
        .modify(|f| *f = tracing_subscriber::filter::LevelFilter::TRACE)
        .unwrap();
    sink.on.store(true, std::sync::atomic::Ordering::SeqCst);
    Capture
}

impl Capture {
    /// Stops capturing and returns what was written.
    pub fn finish(self) -> String {
        let (sink, handle) = sink();
        sink.on.store(false, std::sync::atomic::Ordering::SeqCst);
        handle
            .modify(|f| *f = tracing_subscriber::filter::LevelFilter::OFF)
            .unwrap();
        String::from_utf8_lossy(&sink.buf.lock().unwrap()).into_owned()
    }
}
