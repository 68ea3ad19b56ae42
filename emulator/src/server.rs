//! Runs the emulator: binds 127.0.0.1, serves HTTP/1.1 connections itself (so a fault can
//! close a connection without answering), and stops on `shutdown` or drop. Works inside a
//! tokio runtime ([`Emulator::start`]) or from any thread ([`Emulator::start_blocking`], which
//! brings its own runtime: what the Python and Node bindings use).
//!
//! Connections are bounded: at most `limits.max_connections` at once (the next one gets an
//! HTTP 503 Graph error and is closed), and a connection that does not complete a request
//! head within `limits.idle_timeout` (idle keep-alive, or headers sent byte by byte) is
//! closed.

use crate::config::{ConfigError, EmulatorConfig, PsidConfig};
use crate::state::AppState;
use crate::store::{Delivery, Snapshot};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify, Semaphore};
use tower::ServiceExt;

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The address could not be bound (port in use, or not allowed).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The background runtime of [`Emulator::start_blocking`] could not be created.
    #[error("cannot start the emulator's runtime: {0}")]
    Runtime(std::io::Error),
}

/// Lets a handler close its own connection without a response.
#[derive(Clone)]
pub(crate) struct ConnectionKill(Arc<Notify>);

impl ConnectionKill {
    /// Closes the connection (the socket is dropped; pending handler work is cancelled).
    pub(crate) fn fire(&self) {
        self.0.notify_one();
    }
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    addr: SocketAddr,
    state: Arc<AppState>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish()
    }
}

impl Emulator {
    /// Starts the server on the current tokio runtime (binding `config.host:config.port`,
    /// 127.0.0.1 and a free port by default). The server runs as tasks of that runtime: keep
    /// the runtime alive while you use it. From a thread without a runtime use
    /// [`Emulator::start_blocking`].
    pub async fn start(config: EmulatorConfig) -> Result<Emulator, EmulatorError> {
        config.validate()?;
        let addr = SocketAddr::new(config.host, config.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| EmulatorError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind { addr, source })?;
        let state = Arc::new(AppState::new(config));
        let (stop, stopped) = watch::channel(false);
        let router = crate::routes::router(state.clone());
        let limits = Limits {
            slots: Arc::new(Semaphore::new(state.config.limits.max_connections)),
            max: state.config.limits.max_connections,
            idle: state.config.limits.idle_timeout.0,
        };
        let task = tokio::spawn(accept_loop(listener, router, limits, stopped));
        tracing::info!(%addr, "svara-emulator listening");
        Ok(Emulator {
            addr,
            state,
            stop,
            task: Some(task),
            runtime: None,
        })
    }

    /// Starts the server on its own background runtime (two worker threads), from any thread,
    /// with or without a tokio runtime. Dropping the returned value stops it.
    pub fn start_blocking(config: EmulatorConfig) -> Result<Emulator, EmulatorError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("svara-emulator")
            .enable_all()
            .build()
            .map_err(EmulatorError::Runtime)?;
        let (tx, rx) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            let _ = tx.send(Emulator::start(config).await);
        });
        let started = rx
            .recv()
            .map_err(|_| EmulatorError::Runtime(std::io::Error::other("the runtime stopped")))?;
        let mut emulator = started?;
        emulator.runtime = Some(runtime);
        Ok(emulator)
    }

    /// The base URL to give a client as its Graph URL: `http://127.0.0.1:PORT` (no trailing
    /// slash, no version).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.state.config
    }

    /// Everything received so far: the same data as `GET /__emulator/messages`.
    pub fn snapshot(&self) -> Snapshot {
        self.state.store.snapshot()
    }

    /// Every accepted send (voice notes, text, media, templates, sender actions), in order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.snapshot().deliveries()
    }

    /// The bytes of received media by SHA-256 (as in [`Delivery::sha256`]), while kept.
    pub fn audio(&self, sha256: &str) -> Option<Vec<u8>> {
        self.state.store.media(sha256).map(|(b, _)| b.to_vec())
    }

    /// Adds a person, or updates one (same id and Page): `PsidConfig::active(id)` means "this
    /// person just wrote to the Page". `last_message_ago` counts from now. Like
    /// `POST /__emulator/psids`; undone by [`Emulator::reset`].
    pub fn upsert_psid(&self, person: PsidConfig) {
        self.state.people.upsert(person);
    }

    /// The person `psid` read every message they received: with `webhooks` configured, one
    /// signed `message_reads` per Page that messaged them goes to the bot (like
    /// `POST /__emulator/read`). False without a webhook URL.
    pub fn mark_read(&self, psid: &str) -> bool {
        self.state.mark_read(psid, None)
    }

    /// The webhook events posted to the bot so far (like `GET /__emulator/webhooks`).
    pub fn webhook_posts(&self) -> Vec<crate::WebhookPost> {
        self.state.webhooks.log()
    }

    /// Forgets deliveries, attempts, attachments, rate-limit windows, fault counters and people
    /// added at run time (like `POST /__emulator/reset`).
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Stops accepting, lets open requests finish (up to a second), and returns.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The connection bounds.
#[derive(Clone)]
struct Limits {
    slots: Arc<Semaphore>,
    max: usize,
    idle: Duration,
}

async fn accept_loop(
    listener: TcpListener,
    router: axum::Router,
    limits: Limits,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = stopped.changed() => break,
        };
        let mut stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let Ok(slot) = limits.slots.clone().try_acquire_owned() else {
            let max = limits.max;
            tokio::spawn(async move {
                let body = crate::graph_error::GraphErrorReply::too_many_connections(max)
                    .body()
                    .to_string();
                let head = format!(
                    "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let write = async {
                    stream.write_all(head.as_bytes()).await?;
                    stream.write_all(body.as_bytes()).await?;
                    stream.shutdown().await
                };
                let _ = tokio::time::timeout(Duration::from_secs(2), write).await;
            });
            tracing::warn!("connection refused: {max} connections open (limits.max_connections)");
            continue;
        };
        let router = router.clone();
        let stopped = stopped.clone();
        let idle = limits.idle;
        tokio::spawn(async move {
            serve_connection(stream, router, idle, stopped).await;
            drop(slot);
        });
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    router: axum::Router,
    idle: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    let kill = ConnectionKill(Arc::new(Notify::new()));
    let for_requests = kill.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(for_requests.clone());
        router.clone().oneshot(req)
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(idle)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = kill.0.notified() => {
            // Dropping the connection closes the socket: the client gets no response.
        }
        _ = stopped.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(1), conn).await;
        }
    }
}
