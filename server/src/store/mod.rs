//! The database: one query layer over `sqlx::Any` with portable SQL (`$n` placeholders, integer
//! times), so that the PostgreSQL backend of issue 15 is a second migrations folder and a few
//! dialect branches (the `FOR UPDATE SKIP LOCKED` claim), not a second store.
//!
//! Writes go through one writer ([`writer`]) that commits whatever is waiting as one
//! transaction (group commit, one savepoint per operation): every 202 is answered only after
//! its job is committed with `synchronous=FULL`, and the fsync is shared by the requests that
//! arrived meanwhile. Reads use a small pool of their own (WAL lets them run beside the writer).
//!
//! Adding PostgreSQL (issue 15): enable sqlx's `postgres` feature; add `migrations/postgres/`
//! with the same numbered files (`INTEGER` times as `BIGINT`, `BLOB` as `BYTEA`); a
//! `Backend::Postgres` arm in [`Store::open`] (no pragmas; the writer can stay, or writes can
//! run on the pool, since Postgres has concurrent writers); in [`jobs::claim`] a
//! `FOR UPDATE SKIP LOCKED` CTE, and [`jobs::sweep`] with `only_expired` on every process
//! (never `false`: other processes are alive); `uploads::total_bytes` casts `SUM` to `BIGINT`
//! (Postgres sums a `BIGINT` as `NUMERIC`). Every other statement is already portable.

pub mod jobs;
pub mod keys;
pub mod uploads;
mod writer;

use crate::config::DataDir;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor};
use std::str::FromStr;
use std::time::Duration;

pub use writer::TxFn;

/// A database failure. Shown to API callers as `internal_error` (the cause is logged).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A statement failed (and was rolled back to its savepoint).
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// The transaction holding the operation could not commit: nothing of it was stored.
    #[error("database commit failed: {0}")]
    Commit(std::sync::Arc<sqlx::Error>),
    /// The writer has stopped (shutdown).
    #[error("the database writer has stopped")]
    Closed,
    /// A row did not have the expected shape.
    #[error("unexpected database content: {0}")]
    Corrupt(String),
}

/// Which database the URL names. Only SQLite today; PostgreSQL (issue 15) adds a variant and
/// a branch where the SQL differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
}

/// The store: a read pool and the group-commit writer.
#[derive(Clone)]
pub struct Store {
    read: AnyPool,
    writer: writer::Writer,
    backend: Backend,
}

/// Per-connection settings of SQLite: WAL (readers beside the writer), full fsync at commit
/// (a 202 survives a power cut), a busy timeout, and deleted content overwritten.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;";
/// The same without the fsync at commit (`synchronous = NORMAL`): commits survive a crash of
/// the process, not of the machine.
const SQLITE_PRAGMAS_NORMAL: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;";

fn sqlite_url(data: &DataDir) -> String {
    let path = data.db_path.to_string_lossy();
    let mut encoded = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/._-~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("sqlite://{encoded}?mode=rwc")
}

impl Store {
    /// Opens (creating on first start) the database and applies the migrations. `fsync`:
    /// every commit is flushed to the disk before it is answered (`synchronous = FULL`).
    pub async fn open(data: &DataDir, fsync: bool) -> Result<Store, StoreError> {
        let pragmas = if fsync {
            SQLITE_PRAGMAS
        } else {
            SQLITE_PRAGMAS_NORMAL
        };
        sqlx::any::install_default_drivers();
        std::fs::create_dir_all(&data.dir).map_err(|e| StoreError::Db(sqlx::Error::Io(e)))?;
        let url = sqlite_url(data);
        let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        let mut conn = AnyConnection::connect_with(&options).await?;
        conn.execute(pragmas).await?;
        sqlx::migrate!("migrations/sqlite")
            .run(&mut conn)
            .await
            .map_err(|e| StoreError::Db(e.into()))?;
        let read = AnyPoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(|c, _| {
                Box::pin(async move {
                    c.execute("PRAGMA busy_timeout = 5000; PRAGMA query_only = ON;")
                        .await?;
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await?;
        Ok(Store {
            read,
            writer: writer::Writer::start(conn, options, pragmas),
            backend: Backend::Sqlite,
        })
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The read pool.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// Runs `f` in the next group commit; returns once that transaction committed.
    pub async fn write<T: Send + 'static>(&self, f: TxFn<T>) -> Result<T, StoreError> {
        self.writer.submit(f).await
    }

    /// True when the database answers a trivial query within `timeout`.
    pub async fn ping(&self, timeout: Duration) -> bool {
        matches!(
            tokio::time::timeout(timeout, sqlx::query("SELECT 1").execute(&self.read)).await,
            Ok(Ok(_))
        )
    }

    /// Stops the writer after the operations already submitted, and closes the pools.
    pub async fn close(&self) {
        self.writer.close().await;
        self.read.close().await;
    }
}

/// Reads a value that a setting row holds.
pub async fn setting(store: &Store, name: &str) -> Result<Option<String>, StoreError> {
    use sqlx::Row;
    let row = sqlx::query("SELECT value FROM settings WHERE name = $1")
        .bind(name)
        .fetch_optional(store.reader())
        .await?;
    Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?)
}

/// Stores a setting.
pub async fn set_setting(store: &Store, name: &str, value: &str) -> Result<(), StoreError> {
    let (name, value) = (name.to_owned(), value.to_owned());
    store
        .write(Box::new(move |c| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO settings (name, value) VALUES ($1, $2) \
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )
                .bind(name)
                .bind(value)
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        }))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_percent_encoded() {
        let d = crate::config::parse_database_url("sqlite:///tmp/a b/svara#1.db").unwrap();
        assert_eq!(sqlite_url(&d), "sqlite:///tmp/a%20b/svara%231.db?mode=rwc");
        let d = crate::config::parse_database_url("sqlite:///tmp/a b/svara.db").unwrap();
        assert_eq!(sqlite_url(&d), "sqlite:///tmp/a%20b/svara.db?mode=rwc");
    }
}
