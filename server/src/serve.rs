//! Starting and stopping a server: lock the data folder (SQLite: one process per file), load the
//! sealing key, open and migrate the database, set up the API keys, sweep what a previous
//! process left (the crash rule: every `sending` job on SQLite, whose previous process is dead;
//! only expired leases on PostgreSQL, where other processes are alive), start the built-in
//! emulator of test mode (which reports its deliveries to this server's Messenger webhook), the
//! send worker, the webhook worker and the receipts worker, then serve HTTP/1.1 connections
//! with a header timeout (also the idle timeout), a header size limit and a connection limit.
//! Shutdown stops taking connections and work, finishes what is in flight, and returns.

use crate::api;
use crate::background::Background;
use crate::config::{parse_database_url, Backend, Secret, ServerConfig};
use crate::crypto::{KeyError, Keys};
use crate::keys::{KeyConfigError, KeyRing, KeySetup};
use crate::metrics::Metrics;
use crate::ratelimit::KeyRateLimiter;
use crate::state::{AppState, Inner};
use crate::store::{self, jobs, Store, StoreError};
use crate::worker::clients::{ClientPool, Targets};
use crate::worker::media::{Media, MediaStats};
use crate::worker::{interrupted_error, Worker};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use svara_emulator::Emulator;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify, Semaphore};

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// `--database` is not usable.
    #[error("{0}")]
    Database(String),
    /// Another process uses this database.
    #[error("another svara serve is using {0}; stop it first (one process per SQLite file).")]
    Locked(String),
    /// The sealing key.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The key differs from the one the database was created with.
    #[error("SVARA_SECRET_KEY (or the key file) is not the key this database's queued tokens were sealed with; start with the original key (every process on one database needs the same SVARA_SECRET_KEY), or with a new --database.")]
    KeyMismatch,
    /// An API key is malformed.
    #[error(transparent)]
    ApiKeys(#[from] KeyConfigError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The built-in emulator could not start.
    #[error("cannot start the test-mode emulator: {0}")]
    Emulator(String),
    /// The live Graph URL is not a URL.
    #[error("SVARA_GRAPH_URL {0:?} is not an http(s) URL.")]
    GraphUrl(String),
    /// The listener.
    #[error("cannot use the listening socket: {0}")]
    Listener(std::io::Error),
}

/// A running server. Dropping it does not stop it: call [`RunningServer::shutdown`].
pub struct RunningServer {
    addr: SocketAddr,
    state: AppState,
    emulator: Option<Emulator>,
    worker: Option<Worker>,
    webhooks: Option<Background>,
    receipts: Option<Background>,
    stop: watch::Sender<bool>,
    http: tokio::task::JoinHandle<()>,
    key_setup: KeySetup,
    _lock: Option<std::fs::File>,
}

impl RunningServer {
    /// `http://127.0.0.1:PORT` (or the bound host).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The Graph base URL of test mode (the built-in emulator; its `/__emulator/messages` shows
    /// what test keys delivered).
    pub fn test_graph_url(&self) -> String {
        self.emulator
            .as_ref()
            .map(Emulator::base_url)
            .unwrap_or_default()
    }

    /// The built-in emulator.
    pub fn test_emulator(&self) -> Option<&Emulator> {
        self.emulator.as_ref()
    }

    /// The Graph base URL of live keys.
    pub fn live_graph_url(&self) -> &str {
        &self.state.config.live_graph_url
    }

    /// What happened to the API keys at start-up (a generated test key is in here, once).
    pub fn key_setup(&self) -> &KeySetup {
        &self.key_setup
    }

    /// How often audio was fetched, converted and uploaded.
    pub fn media_stats(&self) -> MediaStats {
        self.state.media.stats()
    }

    /// The local data folder.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.state.data.dir
    }

    /// The database as it may be shown (the SQLite file, or the PostgreSQL URL without its
    /// password).
    pub fn database(&self) -> String {
        self.state.data.display()
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.state.store.backend()
    }

    /// This process's metrics (what `GET /metrics` renders).
    pub fn metrics(&self) -> &Metrics {
        &self.state.metrics
    }

    /// Graceful shutdown: stop accepting connections and requests (open requests finish), stop
    /// the worker (jobs past their point of no return get Meta's answer; the rest go back to
    /// the queue), close the database.
    pub async fn shutdown(mut self) {
        self.state.ready.store(false, Ordering::SeqCst);
        let _ = self.stop.send(true);
        let _ = (&mut self.http).await;
        if let Some(w) = self.worker.take() {
            w.shutdown().await;
        }
        if let Some(w) = self.webhooks.take() {
            w.shutdown().await;
        }
        if let Some(w) = self.receipts.take() {
            w.shutdown().await;
        }
        self.state.store.close().await;
        if let Some(e) = self.emulator.take() {
            e.shutdown().await;
        }
    }
}

/// Starts a server on `listener` (bind it yourself: tests pass `127.0.0.1:0`).
pub async fn start(
    mut config: ServerConfig,
    listener: TcpListener,
) -> Result<RunningServer, StartError> {
    let data = parse_database_url(&config.database_url, config.data_dir.as_deref())
        .map_err(StartError::Database)?;
    std::fs::create_dir_all(&data.dir)
        .map_err(|e| StartError::Database(format!("cannot create {}: {e}", data.dir.display())))?;
    let lock = match data.backend {
        Backend::Sqlite => {
            let lock = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(data.lock_file())
                .map_err(|e| StartError::Database(format!("cannot open the lock file: {e}")))?;
            if lock.try_lock().is_err() {
                return Err(StartError::Locked(data.db_path.display().to_string()));
            }
            Some(lock)
        }
        Backend::Postgres => None,
    };
    let live = url::Url::parse(&config.live_graph_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    if live.is_none() {
        return Err(StartError::GraphUrl(config.live_graph_url.clone()));
    }
    let crypto = Keys::load(config.secret_key.as_ref(), &data.key_file())?;
    let store = Store::open(&data, config.fsync_commits).await?;
    match store::setting(&store, "key_fingerprint").await? {
        Some(f) if f != crypto.fingerprint() => return Err(StartError::KeyMismatch),
        Some(_) => {}
        None => store::set_setting(&store, "key_fingerprint", crypto.fingerprint()).await?,
    }
    let now = store.now_ms();
    let (keys, key_setup) = KeyRing::setup(&store, &config.api_keys, now).await?;

    // The crash rule at start. SQLite: this process holds the file's lock, so whoever left jobs
    // `sending` is dead: claimed ones go back to the queue; written ones may have reached Meta
    // and end failed, never sent again. PostgreSQL: other processes may be alive, so only
    // expired leases are touched (and every process sweeps them again periodically).
    let only_expired = data.backend == Backend::Postgres;
    let error = serde_json::to_string(&interrupted_error()).unwrap_or_default();
    let swept = store
        .write(Box::new(move |c| {
            Box::pin(async move { jobs::sweep(c, now, only_expired, &error).await })
        }))
        .await?;
    if !swept.requeued.is_empty() || !swept.failed.is_empty() {
        tracing::warn!(
            requeued = swept.requeued.len(),
            failed_may_have_been_delivered = swept.failed.len(),
            "recovered jobs a previous process left in flight"
        );
    }

    let addr = listener.local_addr().map_err(StartError::Listener)?;
    // Test mode's receipts: the built-in emulator posts Meta-shaped, signed delivery (and
    // read) events to this server's own Messenger and WhatsApp webhooks, with a secret of this
    // process.
    let test_app_secret = Secret::new(crate::keys::generate("test_app_secret_"));
    let own = if addr.ip().is_unspecified() {
        std::net::SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
    } else {
        addr
    };
    config.test_emulator.webhooks = Some(svara_emulator::WebhookConfig {
        url: format!("http://{own}/webhooks/messenger"),
        whatsapp_url: Some(format!("http://{own}/webhooks/whatsapp")),
        app_secret: Some(svara_emulator::Secret(test_app_secret.expose().to_owned())),
        delivery_delay: config
            .test_receipts
            .delivery_delay
            .map(svara_emulator::HumanDuration),
        read_delay: config
            .test_receipts
            .read_delay
            .map(svara_emulator::HumanDuration),
        ..svara_emulator::WebhookConfig::default()
    });
    let emulator = Emulator::start(config.test_emulator.clone())
        .await
        .map_err(|e| StartError::Emulator(e.to_string()))?;
    let targets = Targets {
        test: emulator.base_url(),
        live: config.live_graph_url.trim_end_matches('/').to_owned(),
    };
    let metrics = Arc::new(Metrics::new());
    let media = Arc::new(Media::new(
        config.url_policy.clone(),
        config.worker.media_concurrency,
        metrics.clone(),
    ));
    let limits = config.limits.clone();
    let state = AppState(Arc::new(Inner {
        rate: KeyRateLimiter::new(config.limits.requests_per_second_per_key),
        uploads: Semaphore::new(config.limits.concurrent_uploads.max(1)),
        config,
        data,
        store,
        keys,
        crypto,
        media,
        wake: Arc::new(Notify::new()),
        webhook_wake: Arc::new(Notify::new()),
        receipts_wake: Arc::new(Notify::new()),
        metrics,
        test_app_secret,
        ready: AtomicBool::new(true),
    }));
    crate::worker::record_rescue(&state, &swept);
    let worker = state
        .config
        .worker
        .enabled
        .then(|| Worker::start(state.clone(), ClientPool::new(targets)));
    let webhooks = state
        .config
        .webhooks
        .enabled
        .then(|| crate::webhooks_out::start(state.clone()));
    let receipts = Some(crate::webhooks_in::start(state.clone()));
    let router = api::router(state.clone());
    let (stop, stopped) = watch::channel(false);
    let http = tokio::spawn(accept_loop(listener, router, limits, stopped));
    Ok(RunningServer {
        addr,
        state,
        emulator: Some(emulator),
        worker,
        webhooks,
        receipts,
        stop,
        http,
        key_setup,
        _lock: lock,
    })
}

async fn accept_loop(
    listener: TcpListener,
    router: axum::Router,
    limits: crate::config::Limits,
    mut stopped: watch::Receiver<bool>,
) {
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let permit = tokio::select! {
            p = connections.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = stopped.changed() => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = stopped.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .max_headers(limits.max_headers)
            .max_header_size(limits.header_bytes)
            .keep_alive(true);
        let conn = builder.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after 10 s of shutdown; closing them");
    }
}
