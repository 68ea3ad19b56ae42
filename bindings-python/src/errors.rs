//! Turns a core [`svara::Error`] into an instance of the Python class for its code
//! (`svara.errors.RateLimitedError`, ...), whose attributes are the error's one wire shape
//! (`serde_json::to_value(&error)`: code, message, hint, http_status, graph_*, fbtrace_id,
//! is_transient, retry_after, may_have_been_delivered), so no field is listed here.
//!
//! The classes are plain Python (`python/svara/errors.py`) so that they pickle, subclass and
//! document like any other exception; Rust looks the module up once and builds instances, so
//! sync, threaded and asyncio calls raise identical objects. Every message comes from the core,
//! never from the request, so the token cannot leak.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use svara::{Error, ErrorCode};

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// Builds the Python exception for a core error.
pub(crate) fn to_py(py: Python<'_>, err: &Error) -> PyErr {
    build(py, err).unwrap_or_else(|lookup_failed| {
        // Only reachable if `svara.errors` itself is broken; keep the code in the message.
        PyRuntimeError::new_err(format!(
            "{err} (svara.errors could not be used: {lookup_failed})"
        ))
    })
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let module =
        ERRORS_MODULE.get_or_try_init(py, || py.import("svara.errors").map(Bound::unbind))?;
    let wire = crate::json::serialize(py, err)?;
    let instance = module.bind(py).getattr("_from_wire")?.call1((wire,))?;
    Ok(PyErr::from_value(instance))
}

/// An `invalid_request` error with a message that says how to fix the call.
pub(crate) fn invalid(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_py(py, &Error::invalid_request(message))
}

/// A tokio task that died (a bug in Svara): reported as `api_error` with the delivery flag
/// set, since the call may have gone out before it stopped.
pub(crate) fn task_failed(py: Python<'_>, err: &tokio::task::JoinError) -> PyErr {
    let what = if err.is_panic() {
        "stopped unexpectedly"
    } else {
        "was cancelled"
    };
    to_py(
        py,
        &Error::new(
            ErrorCode::ApiError,
            format!("Svara's background task {what} (a bug in Svara: please report it). The voice note may or may not have been sent; check the thread before resending."),
        )
        .with_may_have_been_delivered(true),
    )
}
