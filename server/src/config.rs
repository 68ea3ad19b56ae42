//! What a server runs with: where the database is, which API keys exist, how the Graph API is
//! reached per key mode, and the limits that keep hostile input bounded. Built by the CLI from
//! flags and `SVARA_*` variables (flag > environment > default), validated once in `start`.

use crate::ssrf::UrlPolicy;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The default database: an embedded SQLite file, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./svara-data/svara.db";

/// A secret string (an API key, `SVARA_SECRET_KEY`): never shown by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The value, where it is hashed or used as key material.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Limits of the HTTP layer: every one of them bounds what a hostile client can make the
/// server hold (memory, connections, time).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest JSON body of `POST /v1/send` (the documented body is a few hundred bytes).
    pub json_body_bytes: usize,
    /// Largest header block (request line included); over it the connection gets 431.
    pub header_bytes: usize,
    /// Most header fields per request.
    pub max_headers: usize,
    /// Time to receive a request's headers; also how long an idle keep-alive connection stays.
    pub header_timeout: Duration,
    /// Time to receive a JSON body.
    pub body_timeout: Duration,
    /// Longest pause between two chunks of an upload to `POST /v1/audio`.
    pub upload_idle_timeout: Duration,
    /// Open connections at once; further clients wait in the kernel's accept queue.
    pub max_connections: usize,
    /// Requests being handled at once; more are answered 429 `rate_limited` at once.
    pub max_in_flight_requests: usize,
    /// Requests per second per API key (0: no per-key limit).
    pub requests_per_second_per_key: u32,
    /// Uploads processed at once (each may hold up to 25 MB while it is probed).
    pub concurrent_uploads: usize,
    /// Bytes of `POST /v1/audio` uploads one key may keep at once (they expire after
    /// `upload_ttl`), so that no key can fill the disk.
    pub upload_bytes_per_key: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            json_body_bytes: 256 * 1024,
            header_bytes: 32 * 1024,
            max_headers: 100,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            upload_idle_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_in_flight_requests: 512,
            requests_per_second_per_key: 0,
            concurrent_uploads: 2,
            upload_bytes_per_key: 2 * 1024 * 1024 * 1024,
        }
    }
}

/// The default pace of each Page: 9.5 sends per second over all processes, a 5 % margin below
/// Meta's 10. Slots are 105.3 ms apart and a send goes within 20 ms of its slot (else it takes a
/// new one), so ten consecutive gaps span at least 1,053 - 20 ms, more than Meta's one-second
/// window even with 30 ms of network jitter; measured with three processes (README,
/// "Several processes"): no 613, at most 10 sends in any second per Page.
pub const DEFAULT_SENDS_PER_SECOND: f64 = 9.5;

/// How the worker drains the queue.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Run the worker in this process (false: accept only, e.g. for the accept benchmark).
    pub enabled: bool,
    /// Jobs being processed at once.
    pub max_in_flight: usize,
    /// Jobs of one Page (token and target) being processed at once; the rest wait in the
    /// database so that one busy Page does not hold every slot.
    pub per_page_in_flight: usize,
    /// Lease of a claimed job; renewed every third of it while the job runs. When a process
    /// dies, another one rescues its jobs once their leases have expired (within a quarter of
    /// a lease more): a claimed job goes back to the queue, one past its point of no return
    /// ends failed (may have been delivered).
    pub lease: Duration,
    /// How often the queue is polled when nothing wakes the worker.
    pub poll_interval: Duration,
    /// Fetches and conversions at once (each holds up to 25 MB).
    pub media_concurrency: usize,
    /// How long shutdown waits for jobs in flight before leaving them to the next start.
    pub shutdown_grace: Duration,
    /// Sends per second per Page, in total over every process on the database: each send
    /// reserves the Page's next slot in the database ([`crate::worker::pacing`]). Meta allows 10
    /// audio sends per second per Page; the default keeps a margin below it (see
    /// [`DEFAULT_SENDS_PER_SECOND`]).
    pub sends_per_second: f64,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            enabled: true,
            max_in_flight: 256,
            per_page_in_flight: 16,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(500),
            media_concurrency: 4,
            shutdown_grace: Duration::from_secs(30),
            sends_per_second: DEFAULT_SENDS_PER_SECOND,
        }
    }
}

/// Everything `svara serve` needs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `sqlite://PATH` (default [`DEFAULT_DATABASE_URL`]) or `postgres://…` (several
    /// processes on one database).
    pub database_url: String,
    /// The local folder of a PostgreSQL-backed server (key file, uploads in progress); default
    /// [`DEFAULT_DATA_DIR`]. With SQLite it is the database file's folder.
    pub data_dir: Option<PathBuf>,
    /// API keys (`sk_test_…` or `sk_live_…`). None: the server creates one test key.
    pub api_keys: Vec<Secret>,
    /// Key material for encrypting Page tokens at rest (`SVARA_SECRET_KEY`); None: a key file
    /// created next to the database with 0600 permissions.
    pub secret_key: Option<Secret>,
    /// Graph base URL for `sk_live_` keys (`SVARA_GRAPH_URL`, else Meta's).
    pub live_graph_url: String,
    /// Which `audio_url` addresses may be fetched (`--allow-private-urls`).
    pub url_policy: UrlPolicy,
    /// HTTP limits.
    pub limits: Limits,
    /// The worker.
    pub worker: WorkerSettings,
    /// How long an upload to `POST /v1/audio` is kept.
    pub upload_ttl: Duration,
    /// How long an `Idempotency-Key` is remembered (at least 24 h).
    pub idempotency_ttl: Duration,
    /// The built-in emulator behind `sk_test_` keys (test mode: any token, any PSID).
    pub test_emulator: svara_emulator::EmulatorConfig,
    /// Flush every commit to the disk before answering (SQLite `synchronous = FULL`, the
    /// default): a 202 survives a power cut. False (`NORMAL`) survives a crash of the process
    /// only; the benchmark uses it to compare against a bare handler with the same setting.
    pub fsync_commits: bool,
    /// Outbound webhooks.
    pub webhooks: WebhookSettings,
    /// Messenger's webhook (delivery and read receipts).
    pub messenger: MetaWebhookSettings,
    /// WhatsApp's webhook (`delivered` and `read` message statuses).
    pub whatsapp: MetaWebhookSettings,
    /// Receipts of test mode: the built-in emulator reports notes delivered (and read) to this
    /// server's `/webhooks/messenger` and `/webhooks/whatsapp`, as Meta does for live ones.
    pub test_receipts: TestReceipts,
    /// When set, `GET /metrics` wants `Authorization: Bearer <token>` (`SVARA_METRICS_TOKEN`).
    pub metrics_token: Option<Secret>,
}

/// Outbound webhooks (`POST /v1/webhooks`, `webhook_url` of `/v1/send`).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Run the delivery worker in this process.
    pub enabled: bool,
    /// Deliveries in flight at once (separate from the send queue: a slow receiver never holds
    /// a voice note back).
    pub max_in_flight: usize,
    /// Time for one attempt (connect, request and answer).
    pub timeout: Duration,
    /// Waits after the 1st, 2nd, ... failed attempt; the last one repeats until `give_up_after`.
    pub schedule: Vec<Duration>,
    /// After this long since the event, a delivery that never succeeded ends failed.
    pub give_up_after: Duration,
    /// Let webhook URLs reach private and loopback addresses (`--allow-private-urls`); test
    /// keys' webhooks may always reach loopback (a receiver on the developer's machine).
    pub allow_private: bool,
    /// Endpoints one API key may have.
    pub max_endpoints_per_key: usize,
    /// How often due deliveries are polled when nothing wakes the worker.
    pub poll_interval: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            enabled: true,
            max_in_flight: 32,
            timeout: Duration::from_secs(10),
            schedule: [1, 5, 30, 120, 600, 3600]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            give_up_after: Duration::from_secs(24 * 3600),
            allow_private: false,
            max_endpoints_per_key: 16,
            poll_interval: Duration::from_millis(250),
        }
    }
}

/// One of Meta's webhooks: Messenger's (`message_deliveries`, `message_reads`) or WhatsApp's
/// (message `statuses`), signed with the Meta app's secret.
#[derive(Debug, Clone, Default)]
pub struct MetaWebhookSettings {
    /// The Meta app's secret (`SVARA_MESSENGER_APP_SECRET`, `SVARA_WHATSAPP_APP_SECRET`):
    /// checks `X-Hub-Signature-256`. Without it live receipts are refused (401).
    pub app_secret: Option<Secret>,
    /// `hub.verify_token` of the subscription handshake (`SVARA_MESSENGER_VERIFY_TOKEN`,
    /// `SVARA_WHATSAPP_VERIFY_TOKEN`).
    pub verify_token: Option<Secret>,
}

/// When the built-in emulator of test mode reports test notes delivered and read.
#[derive(Debug, Clone)]
pub struct TestReceipts {
    /// After a test note is accepted, its delivery receipt follows this late (None: never).
    pub delivery_delay: Option<Duration>,
    /// After a test note is accepted, its read receipt follows this late (None: only on
    /// `POST {emulator}/__emulator/read`).
    pub read_delay: Option<Duration>,
}

impl Default for TestReceipts {
    fn default() -> Self {
        TestReceipts {
            delivery_delay: Some(Duration::from_millis(500)),
            read_delay: None,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            data_dir: None,
            api_keys: Vec::new(),
            secret_key: None,
            live_graph_url: svara::DEFAULT_GRAPH_URL.to_owned(),
            url_policy: UrlPolicy::default(),
            limits: Limits::default(),
            worker: WorkerSettings::default(),
            upload_ttl: Duration::from_secs(24 * 3600),
            idempotency_ttl: Duration::from_secs(24 * 3600),
            test_emulator: test_mode_emulator(),
            fsync_commits: true,
            webhooks: WebhookSettings::default(),
            messenger: MetaWebhookSettings::default(),
            whatsapp: MetaWebhookSettings::default(),
            test_receipts: TestReceipts::default(),
            metrics_token: None,
        }
    }
}

/// The emulator configuration of test mode: every token a live Page of its own, every
/// all-digit PSID a person inside the window, except the documented special tokens and PSIDs,
/// which fail as documented (like Stripe's test cards).
pub fn test_mode_emulator() -> svara_emulator::EmulatorConfig {
    svara_emulator::EmulatorConfig {
        accept_any_token: true,
        accept_any_psid: true,
        keep_audio_bytes: 32 * 1024 * 1024,
        ..svara_emulator::EmulatorConfig::default()
    }
}

/// Which database a `--database` URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file: one process per file.
    Sqlite,
    /// A PostgreSQL server: any number of processes share it.
    Postgres,
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Where the data of one server lives: the database, and a local folder for the key file (when
/// `SVARA_SECRET_KEY` is not set), uploads in progress, and with SQLite the database file, the
/// stored uploads and the lock file.
#[derive(Debug, Clone)]
pub struct DataDir {
    /// The database.
    pub backend: Backend,
    /// The SQLite file (SQLite only).
    pub db_path: PathBuf,
    /// The PostgreSQL URL as given (PostgreSQL only; it may hold a password: never print it,
    /// print [`DataDir::display`]).
    pub url: Secret,
    /// The local folder.
    pub dir: PathBuf,
}

impl DataDir {
    /// Where uploads of `POST /v1/audio` are kept (SQLite), or received before they go into the
    /// database (PostgreSQL).
    pub fn uploads(&self) -> PathBuf {
        self.dir.join("uploads")
    }

    /// The sealing key's file (when `SVARA_SECRET_KEY` is not set).
    pub fn key_file(&self) -> PathBuf {
        self.dir.join("secret.key")
    }

    /// The lock that keeps a second process off the same SQLite file.
    pub fn lock_file(&self) -> PathBuf {
        let mut name = self
            .db_path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(".lock");
        self.dir.join(name)
    }

    /// The database as it may be shown: the file, or the PostgreSQL URL without its password.
    pub fn display(&self) -> String {
        match self.backend {
            Backend::Sqlite => self.db_path.display().to_string(),
            Backend::Postgres => redact_url(self.url.expose()),
        }
    }
}

/// A database URL without the password (and without query parameters, which may hold one).
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.set_query(None);
            u.to_string()
        }
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

fn absolute(path: &Path) -> Result<PathBuf, String> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("cannot read the working directory: {e}"))?
            .join(path)
    };
    // `./svara-data/svara.db` under the working directory, without the `./` in messages.
    Ok(abs
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect())
}

/// The local folder of a PostgreSQL-backed server when `--data-dir` is not given.
pub const DEFAULT_DATA_DIR: &str = "./svara-data";

/// Parses `--database`: `sqlite://PATH` or `sqlite:PATH` (relative to the working directory),
/// or `postgres://USER[:PASSWORD]@HOST[:PORT]/DB` (`postgresql://` too; `data_dir` is then the
/// local folder, default [`DEFAULT_DATA_DIR`]).
pub fn parse_database_url(url: &str, data_dir: Option<&Path>) -> Result<DataDir, String> {
    let url = url.trim();
    let path = if let Some(rest) = url.strip_prefix("sqlite://") {
        rest
    } else if let Some(rest) = url.strip_prefix("sqlite:") {
        rest
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let parsed = url::Url::parse(url).map_err(|e| {
            format!("--database is not a valid PostgreSQL URL ({e}); use postgres://USER:PASSWORD@HOST:5432/DATABASE.")
        })?;
        if parsed.host_str().unwrap_or("").is_empty() && !url.contains("host=") {
            return Err(
                "--database needs a host: postgres://USER:PASSWORD@HOST:5432/DATABASE.".to_owned(),
            );
        }
        let dir = absolute(data_dir.unwrap_or(Path::new(DEFAULT_DATA_DIR)))?;
        return Ok(DataDir {
            backend: Backend::Postgres,
            db_path: PathBuf::new(),
            url: Secret::new(url),
            dir,
        });
    } else {
        return Err(format!(
            "--database must look like sqlite://PATH (e.g. {DEFAULT_DATABASE_URL}) or postgres://USER:PASSWORD@HOST:5432/DATABASE, not {:?}.",
            redact_url(url)
        ));
    };
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return Err(
            "--database needs a file path (sqlite://./svara-data/svara.db): an in-memory database would lose accepted jobs."
                .to_owned(),
        );
    }
    let abs = absolute(Path::new(path))?;
    let dir = abs
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    Ok(DataDir {
        backend: Backend::Sqlite,
        db_path: abs,
        url: Secret::new(String::new()),
        dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls() {
        let d = parse_database_url("sqlite:///tmp/x/svara.db", None).unwrap();
        assert_eq!(d.db_path, PathBuf::from("/tmp/x/svara.db"));
        assert_eq!(d.lock_file(), PathBuf::from("/tmp/x/svara.db.lock"));
        assert_eq!(d.key_file(), PathBuf::from("/tmp/x/secret.key"));
        let rel = parse_database_url(DEFAULT_DATABASE_URL, None).unwrap();
        assert!(rel.db_path.is_absolute());
        assert!(rel.db_path.ends_with("svara-data/svara.db"));
        assert!(parse_database_url("sqlite::memory:", None).is_err());
        assert!(parse_database_url("mysql://x", None).is_err());
        let pg = parse_database_url(
            "postgres://svara:hunter2@db.internal:5432/svara?sslmode=require",
            Some(Path::new("/var/lib/svara")),
        )
        .unwrap();
        assert_eq!(pg.backend, Backend::Postgres);
        assert_eq!(pg.key_file(), PathBuf::from("/var/lib/svara/secret.key"));
        assert_eq!(pg.display(), "postgres://svara:***@db.internal:5432/svara");
        assert!(!format!("{pg:?}").contains("hunter2"));
        let e = parse_database_url("mysql://root:hunter2@x/y", None).unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("sk_live_abcdef");
        assert!(!format!("{s:?}").contains("abcdef"));
    }
}
