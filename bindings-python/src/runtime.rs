//! The one tokio runtime behind every Python call, created lazily and re-created after `fork()`.
//!
//! `svara.send()` blocks on it with the GIL released (and wakes every 100 ms to let Ctrl-C
//! through); `send_async()` hands its futures to it through pyo3-async-runtimes. The runtime
//! is built on first use, so a process that forks before using Svara (gunicorn, Celery,
//! multiprocessing) starts clean in every child. A child forked *after* first use inherits a
//! runtime whose worker threads did not survive the fork: we remember the process id it was
//! built in and build a fresh one when it changes (the dead one is leaked, never dropped, since
//! dropping would wait for threads that do not exist). pyo3-async-runtimes' own tokio runtime
//! lives in a `OnceLock` that cannot be replaced, so we plug ours in through its `generic` API.

use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3_async_runtimes::generic::{ContextExt, Runtime as GenericRuntime};
use pyo3_async_runtimes::TaskLocals;
use svara::{Error, ErrorCode};
use tokio::runtime::Runtime;

use crate::errors;

/// The runtime and the process it belongs to.
static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

/// The runtime of this process, built on first use (and again in a forked child).
pub(crate) fn runtime() -> Result<Arc<Runtime>, Error> {
    let pid = std::process::id();
    let mut slot = RUNTIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((owner, rt)) = slot.as_ref() {
        if *owner == pid {
            return Ok(rt.clone());
        }
    }
    if let Some(inherited) = slot.take() {
        // Built by our parent before fork(): its threads are gone, so it must not be dropped.
        std::mem::forget(inherited);
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("svara-runtime")
        .enable_all()
        .build()
        .map_err(|e| {
            Error::new(
                ErrorCode::NetworkError,
                format!("Svara could not start its network runtime ({e}); the process may be out of threads or memory."),
            )
        })?;
    let rt = Arc::new(rt);
    *slot = Some((pid, rt.clone()));
    Ok(rt)
}

/// Runs `fut` on the runtime and waits for it with the GIL released, checking for signals
/// (Ctrl-C) every 100 ms; an interrupt cancels the call.
pub(crate) fn block_on<T, F>(py: Python<'_>, fut: F) -> PyResult<T>
where
    T: Send + 'static,
    F: Future<Output = Result<T, Error>> + Send + 'static,
{
    let rt = runtime().map_err(|e| errors::to_py(py, &e))?;
    let mut handle = rt.spawn(fut);
    loop {
        let waited = py.detach(|| {
            rt.block_on(async {
                tokio::time::timeout(Duration::from_millis(100), &mut handle).await
            })
        });
        match waited {
            Ok(Ok(result)) => return result.map_err(|e| errors::to_py(py, &e)),
            Ok(Err(join_error)) => return Err(errors::task_failed(py, &join_error)),
            Err(_still_running) => {
                if let Err(interrupt) = py.check_signals() {
                    handle.abort();
                    return Err(interrupt);
                }
            }
        }
    }
}

/// Wraps `fut` in an asyncio awaitable that runs on the runtime.
pub(crate) fn into_awaitable<'py, T, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
    F: Future<Output = Result<T, Error>> + Send + 'static,
{
    // Build (or re-build) the runtime here, where a failure can still be raised as SvaraError.
    runtime().map_err(|e| errors::to_py(py, &e))?;
    pyo3_async_runtimes::generic::future_into_py::<SvaraRuntime, _, T>(py, async move {
        fut.await
            .map_err(|e| Python::attach(|py| errors::to_py(py, &e)))
    })
}

/// Our runtime as seen by pyo3-async-runtimes.
pub(crate) struct SvaraRuntime;

tokio::task_local! {
    static TASK_LOCALS: OnceCell<TaskLocals>;
}

fn current() -> Arc<Runtime> {
    // `into_awaitable` built the runtime just before; building again only fails when the
    // process cannot start threads, where there is no way to report it from here.
    runtime().unwrap_or_else(|e| panic!("{e}"))
}

impl GenericRuntime for SvaraRuntime {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = tokio::task::JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        current().spawn(fut)
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        current().spawn_blocking(f)
    }
}

impl ContextExt for SvaraRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS
            .try_with(|c| c.get().cloned())
            .unwrap_or_default()
    }
}
