//! Group commit: one connection owns every write. It takes the first waiting operation and
//! everything queued behind it (up to a batch), runs each in its own savepoint of one
//! transaction, commits once, and only then answers each operation. A burst of 50 concurrent
//! `POST /v1/send` costs one fsync, not 50, and each 202 still follows its own durable commit.

use super::StoreError;
use futures::future::BoxFuture;
use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, Connection, Executor};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// A write: an async function of the connection, run inside the writer's transaction.
pub type TxFn<T> =
    Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, sqlx::Error>> + Send>;

/// Most operations in one transaction.
const MAX_BATCH: usize = 512;
/// Operations waiting for the writer; submitters wait when it is full (back-pressure).
const QUEUE: usize = 8192;

trait PendingOp: Send {
    /// Runs the operation; true when it succeeded.
    fn run<'c>(&'c mut self, conn: &'c mut AnyConnection) -> BoxFuture<'c, bool>;
    /// Answers the submitter once the transaction's fate is known.
    fn finish(self: Box<Self>, committed: Result<(), Arc<sqlx::Error>>);
    /// True for the marker [`Writer::close`] sends: the last operation the writer takes.
    fn is_stop(&self) -> bool {
        false
    }
}

struct Stop;

impl PendingOp for Stop {
    fn run<'c>(&'c mut self, _conn: &'c mut AnyConnection) -> BoxFuture<'c, bool> {
        Box::pin(async { true })
    }

    fn finish(self: Box<Self>, _committed: Result<(), Arc<sqlx::Error>>) {}

    fn is_stop(&self) -> bool {
        true
    }
}

struct Op<T> {
    f: Option<TxFn<T>>,
    out: Option<Result<T, sqlx::Error>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T: Send + 'static> PendingOp for Op<T> {
    fn run<'c>(&'c mut self, conn: &'c mut AnyConnection) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let Some(f) = self.f.take() else {
                return false;
            };
            let r = f(conn).await;
            let ok = r.is_ok();
            self.out = Some(r);
            ok
        })
    }

    fn finish(self: Box<Self>, committed: Result<(), Arc<sqlx::Error>>) {
        let result = match (committed, self.out) {
            (Ok(()), Some(Ok(v))) => Ok(v),
            (Ok(()), Some(Err(e))) => Err(StoreError::Db(e)),
            (Ok(()), None) => Err(StoreError::Corrupt("operation was not run".into())),
            (Err(e), _) => Err(StoreError::Commit(e)),
        };
        let _ = self.reply.send(result);
    }
}

/// The handle that submits operations to the writer task.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Box<dyn PendingOp>>,
    done: Arc<tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl Writer {
    /// Starts the writer task on an open connection (SQLite: its pragmas applied, and applied
    /// again after a reconnect).
    pub fn start(
        conn: AnyConnection,
        options: AnyConnectOptions,
        pragmas: Option<&'static str>,
    ) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        let task = tokio::spawn(run(conn, options, pragmas, rx));
        Writer {
            tx,
            done: Arc::new(tokio::sync::Mutex::new(Some(task))),
        }
    }

    /// Submits `f` and waits for its transaction to commit.
    pub async fn submit<T: Send + 'static>(&self, f: TxFn<T>) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        let op: Box<dyn PendingOp> = Box::new(Op {
            f: Some(f),
            out: None,
            reply,
        });
        self.tx.send(op).await.map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Lets the operations already submitted finish, then stops the writer.
    pub async fn close(&self) {
        let task = self.done.lock().await.take();
        if let Some(task) = task {
            // Dropping our sender is not enough (clones live elsewhere): send a stop marker.
            let _ = self.tx.send(Box::new(Stop)).await;
            let _ = task.await;
        }
    }
}

async fn run(
    mut conn: AnyConnection,
    options: AnyConnectOptions,
    pragmas: Option<&'static str>,
    mut rx: mpsc::Receiver<Box<dyn PendingOp>>,
) {
    let mut stopping = false;
    while !stopping {
        let Some(first) = rx.recv().await else {
            break;
        };
        stopping = first.is_stop();
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH && !stopping {
            match rx.try_recv() {
                Ok(op) => {
                    stopping = op.is_stop();
                    batch.push(op);
                }
                Err(_) => break,
            }
        }
        let committed = run_batch(&mut conn, &mut batch).await;
        let broken = committed.is_err();
        for op in batch {
            op.finish(committed.clone());
        }
        if broken && !stopping {
            conn = reconnect(conn, &options, pragmas).await;
        }
    }
    let _ = conn.close().await;
}

async fn run_batch(
    conn: &mut AnyConnection,
    batch: &mut [Box<dyn PendingOp>],
) -> Result<(), Arc<sqlx::Error>> {
    let mut tx = conn.begin().await.map_err(Arc::new)?;
    for op in batch.iter_mut() {
        let mut sp = Connection::begin(&mut *tx).await.map_err(Arc::new)?;
        if op.run(&mut sp).await {
            sp.commit().await.map_err(Arc::new)?;
        } else {
            sp.rollback().await.map_err(Arc::new)?;
        }
    }
    tx.commit().await.map_err(Arc::new)
}

async fn reconnect(
    old: AnyConnection,
    options: &AnyConnectOptions,
    pragmas: Option<&'static str>,
) -> AnyConnection {
    drop(old);
    let mut wait = Duration::from_millis(50);
    loop {
        match AnyConnection::connect_with(options).await {
            Ok(mut c) => {
                let ready = match pragmas {
                    Some(p) => c.execute(p).await.is_ok(),
                    None => true,
                };
                if ready {
                    tracing::warn!("database writer reconnected");
                    return c;
                }
            }
            Err(e) => tracing::error!(error = %e, "database writer cannot reconnect"),
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(5));
    }
}
