//! The native half of the `svara` Python package (`svara._native`), a thin layer over the
//! `svara` core crate: Python arguments in ([`args`]), the core's request, client and audio
//! engine run on one fork-aware tokio runtime ([`runtime`]) with the GIL released, results
//! ([`results`]) or typed exceptions ([`errors`]) out. The public API is re-exported, with
//! docs and types, by `python/svara/__init__.py`.
#![deny(clippy::all)]
// `svara::Error` is the core's public error type, returned as is; its size is the core's call.
#![allow(clippy::result_large_err)]

mod args;
mod audio;
mod client;
mod errors;
mod logging;
mod results;
mod runtime;
mod send;
mod testing;

use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// The native module: functions, classes and constants the `svara` package re-exports.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    logging::install();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(send::send, m)?)?;
    m.add_function(wrap_pyfunction!(send::send_async, m)?)?;
    m.add_function(wrap_pyfunction!(audio::transcode, m)?)?;
    m.add_function(wrap_pyfunction!(audio::probe, m)?)?;
    m.add_function(wrap_pyfunction!(error_hint, m)?)?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::AsyncClient>()?;
    m.add_class::<results::AudioInfo>()?;
    m.add_class::<results::SendResult>()?;
    m.add_class::<results::UploadResult>()?;
    m.add_class::<results::RecipientOutcome>()?;
    m.add_class::<testing::NativeEmulator>()?;
    let codes: Vec<&str> = svara::ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    m.add("ERROR_CODES", PyTuple::new(py, codes)?)?;
    m.add(
        "SUPPORTED_PLATFORMS",
        PyTuple::new(py, svara::SUPPORTED_PLATFORMS)?,
    )?;
    m.add("MAX_AUDIO_BYTES", svara::audio::MAX_AUDIO_BYTES)?;
    m.add("DEFAULT_GRAPH_URL", svara::DEFAULT_GRAPH_URL)?;
    m.add("DEFAULT_API_VERSION", svara::DEFAULT_API_VERSION)?;
    m.add("EMULATOR_PAGE_TOKEN", svara_emulator::DEFAULT_PAGE_TOKEN)?;
    m.add(
        "EMULATOR_EXPIRED_PAGE_TOKEN",
        svara_emulator::EXPIRED_PAGE_TOKEN,
    )?;
    m.add(
        "EMULATOR_DEV_MODE_PAGE_TOKEN",
        svara_emulator::DEV_MODE_PAGE_TOKEN,
    )?;
    m.add("EMULATOR_PSIDS", emulator_psids(py)?)?;
    Ok(())
}

/// The emulator's default people, by role.
fn emulator_psids(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    let d = pyo3::types::PyDict::new(py);
    d.set_item("default", svara_emulator::DEFAULT_PSID)?;
    d.set_item("second", svara_emulator::PSID_SECOND)?;
    d.set_item("outside_window", svara_emulator::PSID_OUTSIDE_WINDOW)?;
    d.set_item(
        "outside_human_agent_window",
        svara_emulator::PSID_OUTSIDE_HUMAN_AGENT_WINDOW,
    )?;
    d.set_item("blocked", svara_emulator::PSID_BLOCKED)?;
    d.set_item("unavailable", svara_emulator::PSID_UNAVAILABLE)?;
    d.set_item("app_tester", svara_emulator::PSID_APP_TESTER)?;
    d.set_item("unknown", svara_emulator::PSID_UNKNOWN)?;
    Ok(d)
}

/// What to do about an error code (the same sentence in Python, Node and Rust).
#[pyfunction]
fn error_hint(code: &str) -> Option<&'static str> {
    svara::ErrorCode::from_str_code(code).map(svara::ErrorCode::hint)
}
