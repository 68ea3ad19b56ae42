//! The native half of the `svara` Python package (`svara._native`), a thin layer over the
//! `svara` core crate: a call's keyword arguments become the core's request by the core's
//! field table ([`convert`]); the core's client and audio engine run on one fork-aware tokio
//! runtime ([`runtime`]) with the GIL released, blocking or awaited ([`native`]); results in the
//! core's serialized form ([`json`], wrapped by `python/svara/results.py`) or exceptions built
//! from the core's error wire shape ([`errors`]) come back.
//! The public API, with real signatures and docstrings, is Python: `python/svara/_api.py`.
#![deny(clippy::all)]
// `svara::Error` is the core's public error type, returned as is; its size is the core's call.
#![allow(clippy::result_large_err)]

mod audio;
mod convert;
mod errors;
mod json;
mod logging;
mod native;
mod runtime;
mod testing;

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use svara::request::limits;

/// The native module: functions, classes and constants the `svara` package re-exports.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    logging::install();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(native::send, m)?)?;
    m.add_function(wrap_pyfunction!(audio::transcode, m)?)?;
    m.add_function(wrap_pyfunction!(audio::probe, m)?)?;
    m.add_function(wrap_pyfunction!(error_hint, m)?)?;
    m.add_function(wrap_pyfunction!(fields, m)?)?;
    m.add_function(wrap_pyfunction!(emulator_well_known, m)?)?;
    m.add_class::<native::NativeClient>()?;
    m.add_class::<testing::NativeEmulator>()?;
    let codes: Vec<&str> = svara::ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    m.add("ERROR_CODES", PyTuple::new(py, codes)?)?;
    m.add(
        "SUPPORTED_PLATFORMS",
        PyTuple::new(py, svara::SUPPORTED_PLATFORMS)?,
    )?;
    m.add("MAX_AUDIO_BYTES", limits::MAX_AUDIO_BYTES)?;
    m.add("DEFAULT_GRAPH_URL", svara::DEFAULT_GRAPH_URL)?;
    m.add("DEFAULT_API_VERSION", svara::DEFAULT_API_VERSION)?;
    Ok(())
}

/// What to do about an error code (the same sentence in Python, Node and Rust).
#[pyfunction]
fn error_hint(code: &str) -> Option<&'static str> {
    svara::ErrorCode::from_str_code(code).map(svara::ErrorCode::hint)
}

/// The names of the fields an operation (`send`, `client`, `client_send`, `upload`,
/// `send_many`, `transcode`) takes, in the core's table order.
#[pyfunction]
fn fields(operation: &str) -> PyResult<Vec<&'static str>> {
    let op = svara::Operation::from_name(operation).ok_or_else(|| {
        pyo3::exceptions::PyValueError::new_err(format!("no operation {operation:?}"))
    })?;
    Ok(op.fields().map(|f| f.name).collect())
}

/// The emulator's well-known Pages, tokens and PSIDs (by role).
#[pyfunction]
fn emulator_well_known(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    json::serialize(py, &svara_emulator::well_known())
}
