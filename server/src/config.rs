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
    /// Lease of a claimed job; renewed every third of it while the job runs.
    pub lease: Duration,
    /// How often the queue is polled when nothing wakes the worker.
    pub poll_interval: Duration,
    /// Fetches and conversions at once (each holds up to 25 MB).
    pub media_concurrency: usize,
    /// How long shutdown waits for jobs in flight before leaving them to the next start.
    pub shutdown_grace: Duration,
    /// Graph calls per second per Page (the core limiter's rate). Meta allows 10 audio sends
    /// per second; the default paces at 9 so that network jitter never makes Meta count 11 in
    /// one second (at exactly 10 the drain benchmark drew about 100 answers 613 per 1,000 notes
    /// and took twice as long; at 9, none).
    pub sends_per_second: f64,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            enabled: true,
            max_in_flight: 256,
            per_page_in_flight: 16,
            lease: Duration::from_secs(300),
            poll_interval: Duration::from_millis(500),
            media_concurrency: 4,
            shutdown_grace: Duration::from_secs(30),
            sends_per_second: 9.0,
        }
    }
}

/// Everything `svara serve` needs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `sqlite://PATH` (default [`DEFAULT_DATABASE_URL`]).
    pub database_url: String,
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
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            database_url: DEFAULT_DATABASE_URL.to_owned(),
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

/// Where the data of one server lives: the SQLite file and, beside it, uploads, the key file
/// and the lock file.
#[derive(Debug, Clone)]
pub struct DataDir {
    /// The database file.
    pub db_path: PathBuf,
    /// The folder holding it.
    pub dir: PathBuf,
}

impl DataDir {
    /// Where uploads of `POST /v1/audio` are kept.
    pub fn uploads(&self) -> PathBuf {
        self.dir.join("uploads")
    }

    /// The sealing key's file (when `SVARA_SECRET_KEY` is not set).
    pub fn key_file(&self) -> PathBuf {
        self.dir.join("secret.key")
    }

    /// The lock that keeps a second process off the same file.
    pub fn lock_file(&self) -> PathBuf {
        let mut name = self
            .db_path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(".lock");
        self.dir.join(name)
    }
}

/// Parses `--database`: `sqlite://PATH` or `sqlite:PATH` (relative to the working directory).
pub fn parse_database_url(url: &str) -> Result<DataDir, String> {
    let url = url.trim();
    let path = if let Some(rest) = url.strip_prefix("sqlite://") {
        rest
    } else if let Some(rest) = url.strip_prefix("sqlite:") {
        rest
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Err(
            "PostgreSQL is not supported by this version of svara serve yet; use --database sqlite://PATH (the default is sqlite://./svara-data/svara.db)."
                .to_owned(),
        );
    } else {
        return Err(format!(
            "--database must look like sqlite://PATH (e.g. {DEFAULT_DATABASE_URL}), not {url:?}."
        ));
    };
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return Err(
            "--database needs a file path (sqlite://./svara-data/svara.db): an in-memory database would lose accepted jobs."
                .to_owned(),
        );
    }
    let path = Path::new(path);
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("cannot read the working directory: {e}"))?
            .join(path)
    };
    // `./svara-data/svara.db` under the working directory, without the `./` in messages.
    let abs: PathBuf = abs
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    let dir = abs
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    Ok(DataDir { db_path: abs, dir })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls() {
        let d = parse_database_url("sqlite:///tmp/x/svara.db").unwrap();
        assert_eq!(d.db_path, PathBuf::from("/tmp/x/svara.db"));
        assert_eq!(d.lock_file(), PathBuf::from("/tmp/x/svara.db.lock"));
        assert_eq!(d.key_file(), PathBuf::from("/tmp/x/secret.key"));
        let rel = parse_database_url(DEFAULT_DATABASE_URL).unwrap();
        assert!(rel.db_path.is_absolute());
        assert!(rel.db_path.ends_with("svara-data/svara.db"));
        assert!(parse_database_url("postgres://x/y")
            .unwrap_err()
            .contains("not supported"));
        assert!(parse_database_url("sqlite::memory:").is_err());
        assert!(parse_database_url("mysql://x").is_err());
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("sk_live_abcdef");
        assert!(!format!("{s:?}").contains("abcdef"));
    }
}
