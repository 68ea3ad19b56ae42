//! The database: one query layer over `sqlx::Any` with portable SQL (`$n` placeholders, integer
//! Unix-millisecond times, TEXT/INTEGER/BLOB columns), on SQLite (the embedded default, one
//! process per file) or PostgreSQL (any number of processes on one database). The migrations
//! are the same numbered files in `migrations/sqlite/` and `migrations/postgres/`; only a few
//! statements branch on [`Backend`]: the `FOR UPDATE SKIP LOCKED` of the claims, the pacing
//! upsert's `GREATEST` (SQLite's two-argument `MAX`), and casts of sums.
//!
//! Writes go through one writer ([`writer`]) that commits whatever is waiting as one
//! transaction (group commit, one savepoint per operation): every 202 is answered only after
//! its job is committed, and the commit's flush is shared by the requests that arrived
//! meanwhile. With SQLite that is the only way to write (one writer per file; WAL lets reads
//! run beside it). With PostgreSQL the few writes whose latency matters more than their cost
//! (a Page's pacing slot, a send's point of no return) run at once on the pool instead
//! ([`Store::write_now`]), so they never wait behind a batch nor hold its row locks.
//!
//! Time: [`Store::now_ms`] is the database's clock (PostgreSQL; measured as an offset from this
//! machine's clock at start and every minute), so leases and pacing slots written by processes
//! on different machines compare on one clock.

pub mod events;
pub mod jobs;
pub mod keys;
pub mod pacing;
pub mod receipts;
pub mod uploads;
pub mod webhooks;
mod writer;

pub use crate::config::Backend;
use crate::config::DataDir;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor, Row};
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
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

/// The store: a pool (SQLite: read-only connections) and the group-commit writer.
#[derive(Clone)]
pub struct Store {
    read: AnyPool,
    writer: writer::Writer,
    backend: Backend,
    clock_offset: Arc<AtomicI64>,
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
    /// Opens the database of `data` and applies the migrations (creating the SQLite file and
    /// its folder on first start). `fsync`: with SQLite, every commit is flushed to the disk
    /// before it is answered (`synchronous = FULL`); PostgreSQL keeps its own setting.
    pub async fn open(data: &DataDir, fsync: bool) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        match data.backend {
            Backend::Sqlite => Self::open_sqlite(data, fsync).await,
            Backend::Postgres => Self::open_postgres(data).await,
        }
    }

    async fn open_sqlite(data: &DataDir, fsync: bool) -> Result<Store, StoreError> {
        let pragmas = if fsync {
            SQLITE_PRAGMAS
        } else {
            SQLITE_PRAGMAS_NORMAL
        };
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
            writer: writer::Writer::start(conn, options, Some(pragmas)),
            backend: Backend::Sqlite,
            clock_offset: Arc::new(AtomicI64::new(0)),
        })
    }

    async fn open_postgres(data: &DataDir) -> Result<Store, StoreError> {
        let options = AnyConnectOptions::from_str(data.url.expose())?.disable_statement_logging();
        let mut conn = AnyConnection::connect_with(&options).await?;
        // Concurrent first starts are safe: sqlx takes an advisory lock around the migrations.
        sqlx::migrate!("migrations/postgres")
            .run(&mut conn)
            .await
            .map_err(|e| StoreError::Db(e.into()))?;
        let read = AnyPoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options.clone())
            .await?;
        let store = Store {
            read,
            writer: writer::Writer::start(conn, options, None),
            backend: Backend::Postgres,
            clock_offset: Arc::new(AtomicI64::new(0)),
        };
        store.sync_clock().await?;
        Ok(store)
    }

    /// The database's clock in Unix milliseconds (this machine's clock with SQLite).
    pub fn now_ms(&self) -> i64 {
        crate::clock::now_ms() + self.clock_offset.load(Ordering::Relaxed)
    }

    /// Measures how far the database's clock is from this machine's (PostgreSQL): the best
    /// of three round trips, halved.
    pub async fn sync_clock(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let mut best: Option<(i64, i64)> = None;
        for _ in 0..3 {
            let t0 = crate::clock::now_ms();
            let row = sqlx::query(
                "SELECT CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT) AS t",
            )
            .fetch_one(&self.read)
            .await?;
            let t1 = crate::clock::now_ms();
            let db: i64 = row.try_get("t")?;
            let rtt = t1 - t0;
            if best.is_none_or(|(r, _)| rtt < r) {
                best = Some((rtt, db - (t0 + t1) / 2));
            }
        }
        if let Some((_, offset)) = best {
            self.clock_offset.store(offset, Ordering::Relaxed);
        }
        Ok(())
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

    /// Runs `f` in a transaction of its own at once (PostgreSQL), or in the next group commit
    /// (SQLite, whose one writer is the only one): for short writes whose latency matters.
    pub async fn write_now<T: Send + 'static>(&self, f: TxFn<T>) -> Result<T, StoreError> {
        match self.backend {
            Backend::Sqlite => self.writer.submit(f).await,
            Backend::Postgres => {
                let mut conn = self.read.acquire().await?;
                let mut tx = Connection::begin(&mut *conn).await?;
                let out = f(&mut tx).await?;
                tx.commit()
                    .await
                    .map_err(|e| StoreError::Commit(Arc::new(e)))?;
                Ok(out)
            }
        }
    }

    /// ` FOR UPDATE SKIP LOCKED` with PostgreSQL (several processes claim at once), nothing with
    /// SQLite (one writer: nobody else can hold the rows).
    pub fn skip_locked(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
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
        let d = crate::config::parse_database_url("sqlite:///tmp/a b/svara#1.db", None).unwrap();
        assert_eq!(sqlite_url(&d), "sqlite:///tmp/a%20b/svara%231.db?mode=rwc");
        let d = crate::config::parse_database_url("sqlite:///tmp/a b/svara.db", None).unwrap();
        assert_eq!(sqlite_url(&d), "sqlite:///tmp/a%20b/svara.db?mode=rwc");
    }
}
