//! Starting and stopping a server: lock the data folder, load the sealing key, open and migrate
//! the database, set up the API keys, sweep what a previous process left (the crash rule),
//! start the built-in emulator of test mode and the worker, then serve HTTP/1.1 connections
//! with a header timeout (also the idle timeout), a header size limit and a connection limit.
//! Shutdown stops taking connections and work, finishes what is in flight, and returns.

use crate::api;
use crate::clock::now_ms;
use crate::config::{parse_database_url, ServerConfig};
use crate::crypto::{KeyError, Keys};
use crate::keys::{KeyConfigError, KeyRing, KeySetup};
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
    #[error("SVARA_SECRET_KEY (or the key file) is not the key this database's queued tokens were sealed with; start with the original key, or with a new --database.")]
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
    stop: watch::Sender<bool>,
    http: tokio::task::JoinHandle<()>,
    key_setup: KeySetup,
    _lock: std::fs::File,
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

    /// The database folder.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.state.data.dir
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
        self.state.store.close().await;
        if let Some(e) = self.emulator.take() {
            e.shutdown().await;
        }
    }
}

/// Starts a server on `listener` (bind it yourself: tests pass `127.0.0.1:0`).
pub async fn start(
    config: ServerConfig,
    listener: TcpListener,
) -> Result<RunningServer, StartError> {
    let data = parse_database_url(&config.database_url).map_err(StartError::Database)?;
    std::fs::create_dir_all(&data.dir)
        .map_err(|e| StartError::Database(format!("cannot create {}: {e}", data.dir.display())))?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data.lock_file())
        .map_err(|e| StartError::Database(format!("cannot open the lock file: {e}")))?;
    if lock.try_lock().is_err() {
        return Err(StartError::Locked(data.db_path.display().to_string()));
    }
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
    let now = now_ms();
    let (keys, key_setup) = KeyRing::setup(&store, &config.api_keys, now).await?;

    // The crash rule at start: this process holds the file's lock, so whoever left jobs
    // `sending` is dead. Claimed ones go back to the queue; written ones may have reached
    // Meta and end failed, never sent again.
    let error = serde_json::to_string(&interrupted_error()).unwrap_or_default();
    let swept = store
        .write(Box::new(move |c| {
            Box::pin(async move { jobs::sweep(c, now, false, &error).await })
        }))
        .await?;
    if swept.requeued + swept.failed > 0 {
        tracing::warn!(
            requeued = swept.requeued,
            failed_may_have_been_delivered = swept.failed,
            "recovered jobs a previous process left in flight"
        );
    }

    let emulator = Emulator::start(config.test_emulator.clone())
        .await
        .map_err(|e| StartError::Emulator(e.to_string()))?;
    let targets = Targets {
        test: emulator.base_url(),
        live: config.live_graph_url.trim_end_matches('/').to_owned(),
    };
    let addr = listener.local_addr().map_err(StartError::Listener)?;
    let media = Arc::new(Media::new(
        config.url_policy.clone(),
        config.worker.media_concurrency,
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
        ready: AtomicBool::new(true),
    }));
    let worker = state.config.worker.enabled.then(|| {
        Worker::start(
            state.clone(),
            ClientPool::new(targets, state.config.worker.sends_per_second),
        )
    });
    let router = api::router(state.clone());
    let (stop, stopped) = watch::channel(false);
    let http = tokio::spawn(accept_loop(listener, router, limits, stopped));
    Ok(RunningServer {
        addr,
        state,
        emulator: Some(emulator),
        worker,
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
