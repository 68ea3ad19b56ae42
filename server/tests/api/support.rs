//! The harness of the server suite: a real server in process on 127.0.0.1:0 with its own
//! database (a SQLite file in a temp folder, or a fresh database on the test PostgreSQL), a file
//! server for `audio_url` (the only address the SSRF guard lets through), and helpers to send,
//! poll and read what the emulators received. [`both_backends!`] runs one story on each.
#![allow(dead_code)]

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use svara_server::{KeySetup, RunningServer, Secret, ServerConfig, UrlPolicy};

pub const PSID: &str = svara_emulator::DEFAULT_PSID;
/// A token the built-in emulator of test mode accepts as a live Page of its own.
pub const TOKEN: &str = "EAAGm0PX4ZCpsTestModeToken";

/// The repository's fixtures.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

/// The database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    /// A SQLite file in the test's folder.
    Sqlite,
    /// A fresh database on the test PostgreSQL ([`crate::postgres`]).
    Postgres,
}

/// Runs the story `async fn NAME(db: Db)` once per backend, as the tests `NAME::sqlite` and
/// `NAME::postgres`: `both_backends!(NAME);` after the function.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::Db::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::support::Db::Postgres).await
                }
            }
        )+
    };
}

#[allow(unused_imports)]
pub use crate::both_backends;

/// A fresh folder under the system's temp dir, removed on drop, and the test's database.
pub struct TempDir(pub PathBuf, pub Option<String>);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "svara-server-{tag}-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p, None)
    }

    /// A folder and a database of `db`.
    pub async fn on(db: Db, tag: &str) -> TempDir {
        let mut d = TempDir::new(tag);
        if db == Db::Postgres {
            d.1 = Some(crate::postgres::fresh_database(tag).await);
        }
        d
    }

    pub fn db(&self) -> Db {
        if self.1.is_some() {
            Db::Postgres
        } else {
            Db::Sqlite
        }
    }

    pub fn db_url(&self) -> String {
        match &self.1 {
            Some(url) => url.clone(),
            None => format!("sqlite://{}/svara.db", self.0.display()),
        }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn rand_suffix() -> u64 {
    crate::postgres::rand_u64()
}

/// The rows of `sql` (no parameters) in a test's database (SQLite read-only), with `row`
/// mapping each.
pub async fn query_db<T>(
    dir: &TempDir,
    sql: &str,
    row: impl Fn(&sqlx::any::AnyRow) -> T,
) -> Vec<T> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let url = match &dir.1 {
        Some(url) => url.clone(),
        None => format!("sqlite://{}/svara.db?mode=ro", dir.0.display()),
    };
    let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
    let rows = sqlx::query(sql).fetch_all(&mut c).await.unwrap();
    let _ = c.close().await;
    rows.iter().map(row).collect()
}

/// Runs `sql` (no parameters) on a test's database.
pub async fn exec_db(dir: &TempDir, sql: &str) -> u64 {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&dir.db_url()).await.unwrap();
    let n = sqlx::query(sql)
        .execute(&mut c)
        .await
        .unwrap()
        .rows_affected();
    let _ = c.close().await;
    n
}

/// Local file server for `audio_url`: `/f/{fixture}`, `/big` (27 MB by Content-Length),
/// `/missing` (404), `/redirect?to=URL`; counts requests per path.
pub struct FileServer {
    pub addr: SocketAddr,
    pub hits: Arc<Mutex<HashMap<String, usize>>>,
    task: tokio::task::JoinHandle<()>,
}

impl FileServer {
    pub async fn start() -> FileServer {
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        async fn file(
            State(hits): State<Arc<Mutex<HashMap<String, usize>>>>,
            Path(name): Path<String>,
        ) -> Response {
            *hits
                .lock()
                .unwrap()
                .entry(format!("/f/{name}"))
                .or_default() += 1;
            match std::fs::read(fixture(&name)) {
                Ok(bytes) => ([(header::CONTENT_TYPE, "audio/mpeg")], bytes).into_response(),
                Err(_) => StatusCode::NOT_FOUND.into_response(),
            }
        }
        async fn big() -> Response {
            let len = 27 * 1024 * 1024u64;
            let stream = futures::stream::iter(
                (0..(len / 65536)).map(|_| Ok::<_, std::io::Error>(vec![0u8; 65536])),
            );
            Response::builder()
                .header(header::CONTENT_TYPE, "audio/mpeg")
                .header(header::CONTENT_LENGTH, len)
                .body(Body::from_stream(stream))
                .unwrap()
        }
        async fn redirect(Query(q): Query<HashMap<String, String>>) -> Response {
            Response::builder()
                .status(StatusCode::FOUND)
                .header(header::LOCATION, q.get("to").cloned().unwrap_or_default())
                .body(Body::empty())
                .unwrap()
        }
        let app = Router::new()
            .route("/f/{name}", get(file))
            .route("/big", get(big))
            .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
            .route("/redirect", get(redirect))
            .with_state(hits.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FileServer { addr, hits, task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

impl Drop for FileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A server under test.
pub struct TestServer {
    pub server: Option<RunningServer>,
    pub url: String,
    /// The generated test key (or the first configured key).
    pub key: String,
    pub http: reqwest::Client,
    pub files: FileServer,
    pub dir: TempDir,
}

/// The configuration tests start from: fresh database, guard on with only the file server
/// allowed, short shutdown grace.
pub fn base_config(dir: &TempDir, files: &FileServer) -> ServerConfig {
    let mut c = ServerConfig {
        database_url: dir.db_url(),
        data_dir: Some(dir.0.clone()),
        url_policy: UrlPolicy {
            allow_private: false,
            allowed_origins: vec![files.addr],
            allow_loopback: false,
        },
        // Test receipts only where a test asks for them: a note stays `sent` otherwise.
        test_receipts: svara_server::TestReceipts {
            delivery_delay: None,
            read_delay: None,
        },
        ..ServerConfig::default()
    };
    c.worker.shutdown_grace = Duration::from_secs(5);
    c
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(edit: impl FnOnce(&mut ServerConfig)) -> TestServer {
        Self::start_on(Db::Sqlite, edit).await
    }

    /// A server on a fresh database of `db`.
    pub async fn start_on(db: Db, edit: impl FnOnce(&mut ServerConfig)) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::start_listening(db, listener, edit).await
    }

    /// A server on `listener` (bound by the test, so that its URL is known beforehand, e.g.
    /// for an emulator that posts webhooks to it).
    pub async fn start_listening(
        db: Db,
        listener: tokio::net::TcpListener,
        edit: impl FnOnce(&mut ServerConfig),
    ) -> TestServer {
        let files = FileServer::start().await;
        let dir = TempDir::on(db, "t").await;
        let mut config = base_config(&dir, &files);
        edit(&mut config);
        let configured = config.api_keys.first().map(|k| k.expose().to_owned());
        let server = svara_server::start(config, listener)
            .await
            .expect("server starts");
        let key = match (configured, server.key_setup()) {
            (Some(k), _) => k,
            (None, KeySetup::Generated(k)) => k.expose().to_owned(),
            (None, other) => panic!("no key: {other:?}"),
        };
        TestServer {
            url: server.base_url(),
            server: Some(server),
            key,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            files,
            dir,
        }
    }

    /// Shuts down and starts again on the same database and file server.
    pub async fn restart_with(mut self, edit: impl FnOnce(&mut ServerConfig)) -> TestServer {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
        let mut config = base_config(&self.dir, &self.files);
        edit(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = svara_server::start(config, listener)
            .await
            .expect("server restarts");
        self.url = server.base_url();
        self.server = Some(server);
        self
    }

    pub fn running(&self) -> &RunningServer {
        self.server.as_ref().unwrap()
    }

    pub fn emulator(&self) -> &svara_emulator::Emulator {
        self.running().test_emulator().unwrap()
    }

    pub async fn stop(mut self) {
        self.shutdown_server().await;
    }

    /// Stops the server but keeps its database folder (to inspect it).
    pub async fn shutdown_server(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
    }

    /// The documented body for `recipient` with `audio_url` = a fixture of the file server.
    pub fn body(&self, recipient: &str, fixture: &str) -> Value {
        json!({
            "platform": "messenger",
            "recipient": recipient,
            "audio_url": self.files.url(&format!("/f/{fixture}")),
            "session": {"page_access_token": TOKEN},
        })
    }

    pub async fn post(&self, path: &str, key: Option<&str>, body: &Value) -> (u16, Value) {
        let mut req = self.http.post(format!("{}{path}", self.url)).json(body);
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(&self, body: &Value) -> (u16, Value) {
        self.post("/v1/send", Some(&self.key), body).await
    }

    pub async fn get(&self, path: &str, key: Option<&str>) -> (u16, Value) {
        let mut req = self.http.get(format!("{}{path}", self.url));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// `POST /v1/audio` with `bytes` in the field `file`: (status, body).
    pub async fn upload(&self, bytes: Vec<u8>) -> (u16, Value) {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("upload.bin"),
        );
        let resp = self
            .http
            .post(format!("{}/v1/audio", self.url))
            .bearer_auth(&self.key)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// `GET path` with this server's key, as a raw response (headers included).
    pub async fn get_raw(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.key)
            .send()
            .await
            .expect("request")
    }

    pub async fn status(&self, id: &str) -> Value {
        let (code, v) = self.get(&format!("/v1/status/{id}"), Some(&self.key)).await;
        assert_eq!(code, 200, "{v}");
        v
    }

    /// Polls until the note is `sent` (or further: `delivered`, `read`) or `failed` (at most
    /// `within`).
    pub async fn wait_final(&self, id: &str, within: Duration) -> Value {
        wait_final(&self.http, &self.url, &self.key, id, within).await
    }
}

pub async fn wait_final(
    http: &reqwest::Client,
    url: &str,
    key: &str,
    id: &str,
    within: Duration,
) -> Value {
    let start = Instant::now();
    loop {
        let v: Value = http
            .get(format!("{url}/v1/status/{id}"))
            .bearer_auth(key)
            .send()
            .await
            .expect("status")
            .json()
            .await
            .expect("json");
        if ["sent", "delivered", "read", "failed"].contains(&v["status"].as_str().unwrap_or("")) {
            return v;
        }
        assert!(
            start.elapsed() < within,
            "{id} still {} after {within:?}",
            v["status"]
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// An emulator standing in for Meta (live keys), with the defaults' Pages and PSIDs.
pub async fn meta(config: svara_emulator::EmulatorConfig) -> svara_emulator::Emulator {
    svara_emulator::Emulator::start(config).await.unwrap()
}

/// Meta with any token a live Page and any all-digit PSID a person inside the window.
pub async fn meta_any() -> svara_emulator::Emulator {
    meta(svara_emulator::EmulatorConfig {
        accept_any_psid: true,
        accept_any_token: true,
        ..svara_emulator::EmulatorConfig::default()
    })
    .await
}

pub fn secret(s: &str) -> Secret {
    Secret::new(s)
}

pub static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A distinct all-digit PSID per call (test mode accepts any).
pub fn new_psid() -> String {
    format!(
        "61284930{:08}",
        COUNTER.fetch_add(1, Ordering::SeqCst) + 1000
    )
}

/// How a [`Receiver`] answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// This status, empty body.
    Status(u16),
    /// 302 to this URL.
    Redirect(String),
    /// 200 with this many bytes of body.
    Big(usize),
    /// Waits this long, then 200.
    Sleep(Duration),
}

/// A request a [`Receiver`] got.
#[derive(Debug, Clone)]
pub struct Received {
    /// When it arrived.
    pub at: Instant,
    /// Its headers.
    pub headers: axum::http::HeaderMap,
    /// Its raw body.
    pub body: Vec<u8>,
    /// What it was answered.
    pub status: u16,
}

/// A webhook receiver on 127.0.0.1:0 whose answers follow a script (then 200), recording every
/// request (Svix's TestReceiver).
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Received>>>,
    pub script: Arc<Mutex<std::collections::VecDeque<Reply>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        type Shared = (
            Arc<Mutex<Vec<Received>>>,
            Arc<Mutex<std::collections::VecDeque<Reply>>>,
        );
        async fn hook(
            State((got, script)): State<Shared>,
            headers: axum::http::HeaderMap,
            body: axum::body::Bytes,
        ) -> Response {
            let reply = script.lock().unwrap().pop_front();
            let (status, resp) = match reply {
                None => (200, StatusCode::OK.into_response()),
                Some(Reply::Status(s)) => (s, StatusCode::from_u16(s).unwrap().into_response()),
                Some(Reply::Redirect(to)) => (
                    302,
                    Response::builder()
                        .status(302)
                        .header(header::LOCATION, to)
                        .body(Body::empty())
                        .unwrap(),
                ),
                Some(Reply::Big(n)) => (200, vec![b'x'; n].into_response()),
                Some(Reply::Sleep(d)) => {
                    tokio::time::sleep(d).await;
                    (200, StatusCode::OK.into_response())
                }
            };
            got.lock().unwrap().push(Received {
                at: Instant::now(),
                headers,
                body: body.to_vec(),
                status,
            });
            resp
        }
        let shared: Shared = (Arc::default(), Arc::default());
        let app = Router::new()
            .route("/hook", axum::routing::post(hook))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            url: format!("http://{addr}/hook"),
            got: shared.0,
            script: shared.1,
            task,
        }
    }

    /// Queues answers for the next requests.
    pub fn answer(&self, replies: impl IntoIterator<Item = Reply>) {
        self.script.lock().unwrap().extend(replies);
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// The requests answered 2xx, as (event type, verified body) in arrival order: each one's
    /// signature checked with the shipped helper.
    pub fn verified(&self, secret: &str) -> Vec<(String, Value)> {
        self.received()
            .into_iter()
            .filter(|r| (200..300).contains(&r.status))
            .map(|r| {
                let header = r
                    .headers
                    .get("svara-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                svara::webhooks::verify(
                    &r.body,
                    header,
                    secret,
                    svara::webhooks::DEFAULT_TOLERANCE,
                )
                .unwrap_or_else(|e| panic!("a delivery failed verification: {e}"));
                let v: Value = serde_json::from_slice(&r.body).unwrap();
                let id = r.headers["svara-event-id"].to_str().unwrap();
                assert_eq!(v["id"], id, "Svara-Event-Id is the event's id");
                (v["event"].as_str().unwrap().to_owned(), v)
            })
            .collect()
    }

    /// Waits until `n` requests were answered 2xx.
    pub async fn wait_ok(&self, n: usize, within: Duration) {
        let start = Instant::now();
        loop {
            let ok = self
                .received()
                .iter()
                .filter(|r| (200..300).contains(&r.status))
                .count();
            if ok >= n {
                return;
            }
            assert!(
                start.elapsed() < within,
                "{ok} of {n} webhooks arrived in {within:?}: {:?}",
                self.received()
                    .iter()
                    .map(|r| (r.status, String::from_utf8_lossy(&r.body).into_owned()))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Polls `/v1/status/{id}` until its status is `want` (at most `within`).
pub async fn wait_status(t: &TestServer, id: &str, want: &str, within: Duration) -> Value {
    let start = Instant::now();
    loop {
        let v = t.status(id).await;
        if v["status"] == want {
            return v;
        }
        assert!(
            start.elapsed() < within,
            "{id} is {} (want {want})",
            v["status"]
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
