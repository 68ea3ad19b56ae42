//! A throw-away PostgreSQL for the tests: `SVARA_TEST_POSTGRES_URL` when set (a server you run),
//! else a cluster of our own started once per test binary by `scripts/lib/test-postgres.sh`
//! (Debian's postgresql, installed when missing; initdb into a temp folder, run as the
//! `postgres` user, a free port of 127.0.0.1), which its watchdog stops and deletes as soon as
//! this test process exits. Each test gets a fresh database of its own on it.
#![allow(dead_code)]

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The URL of the cluster's `postgres` database (for creating databases).
pub fn cluster() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(u) = std::env::var("SVARA_TEST_POSTGRES_URL") {
            if !u.trim().is_empty() {
                return u.trim().to_owned();
            }
        }
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scripts/lib/test-postgres.sh"
        );
        // The script's background processes write nowhere near this pipe, so reading it to
        // its end returns as soon as the script itself exits.
        let out = Command::new("bash")
            .arg(script)
            .args(["start", "--watch", &std::process::id().to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
        let status = out.status;
        let mut line = String::new();
        let _ = out.stdout.as_slice().read_line(&mut line);
        assert!(
            status.success() && line.starts_with("postgres://"),
            "no PostgreSQL for the tests: {script} failed ({status}). It needs Debian's postgresql \
             package (it installs it with apt-get when it can) or set SVARA_TEST_POSTGRES_URL to a \
             server of yours."
        );
        line.trim().to_owned()
    })
}

/// A new, empty database on the cluster; returns its URL.
pub async fn fresh_database(tag: &str) -> String {
    use sqlx::{Connection, Executor};
    let admin = cluster();
    let name = format!(
        "svara_{}_{:x}",
        tag.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(20)
            .collect::<String>()
            .to_ascii_lowercase(),
        rand_u64()
    );
    let mut c = sqlx::PgConnection::connect(admin)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test PostgreSQL: {e}"));
    c.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("CREATE DATABASE");
    let _ = c.close().await;
    let mut url = url::Url::parse(admin).expect("a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// A random number (per call) for unique names.
pub fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    h.finish()
}
