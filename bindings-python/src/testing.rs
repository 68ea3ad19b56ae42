//! The Graph API emulator (crate `svara_emulator`) inside the Python process, for
//! `svara.testing.Emulator`: users test their bots over real HTTP on 127.0.0.1 with no Meta
//! account. It runs on its own small runtime, apart from the client's.

use std::sync::Mutex;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use svara_emulator::{Emulator, EmulatorConfig, EmulatorError};

use crate::errors;

/// A running emulator (the native half of `svara.testing.Emulator`).
#[pyclass(frozen, module = "svara._native", name = "NativeEmulator")]
pub struct NativeEmulator {
    inner: Mutex<Option<Emulator>>,
    url: String,
    token: Option<String>,
    psid: Option<String>,
}

fn config_error(py: Python<'_>, e: &impl std::fmt::Display) -> PyErr {
    errors::invalid(
        py,
        format!("{e}. See the emulator's README for the scenario keys."),
    )
}

impl NativeEmulator {
    /// Runs `f` on the running emulator.
    fn with<T>(&self, f: impl FnOnce(&Emulator) -> T) -> PyResult<T> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let emulator = guard
            .as_ref()
            .ok_or_else(|| PyRuntimeError::new_err("The emulator is stopped."))?;
        Ok(f(emulator))
    }
}

#[pymethods]
impl NativeEmulator {
    /// Starts an emulator from a JSON scenario (`config_json`) or a `.json`/`.toml` file.
    #[new]
    #[pyo3(signature = (config_json=None, config_file=None))]
    fn new(
        py: Python<'_>,
        config_json: Option<&str>,
        config_file: Option<std::path::PathBuf>,
    ) -> PyResult<Self> {
        let config = EmulatorConfig::from_scenario(config_json, config_file.as_deref())
            .map_err(|e| config_error(py, &e))?;
        let token = config.default_token().map(str::to_owned);
        let psid = config.default_psid().map(str::to_owned);
        let emulator = py
            .detach(|| Emulator::start_blocking(config))
            .map_err(|e| match e {
                EmulatorError::Config(c) => config_error(py, &c),
                other => {
                    PyRuntimeError::new_err(format!("The Svara emulator could not start: {other}"))
                }
            })?;
        Ok(NativeEmulator {
            url: emulator.base_url(),
            inner: Mutex::new(Some(emulator)),
            token,
            psid,
        })
    }

    /// The base URL (`http://127.0.0.1:PORT`), to pass as `graph_url` or `SVARA_GRAPH_URL`.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// The scenario's default token (the emulator crate's `default_token`).
    #[getter]
    fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The scenario's default PSID (the emulator crate's `default_psid`).
    #[getter]
    fn psid(&self) -> Option<&str> {
        self.psid.as_deref()
    }

    /// What the emulator received, as `GET /__emulator/messages` returns it.
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let snapshot = self.with(|e| e.snapshot())?;
        crate::json::serialize(py, &snapshot)
    }

    /// The accepted voice notes, oldest first (only those to `psid` when given).
    #[pyo3(signature = (psid=None))]
    fn deliveries<'py>(&self, py: Python<'py>, psid: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        let found = self.with(|e| e.snapshot().deliveries_to(psid))?;
        crate::json::serialize(py, &found)
    }

    /// The bytes of a received voice note by its `sha256`, while kept.
    fn audio<'py>(&self, py: Python<'py>, sha256: &str) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let bytes = self.with(|e| e.audio(sha256))?;
        Ok(bytes.map(|b| PyBytes::new(py, &b)))
    }

    /// Forgets deliveries, attempts, attachments, rate-limit windows and fault counters.
    fn reset(&self) -> PyResult<()> {
        self.with(Emulator::reset)
    }

    /// Stops the server (idempotent).
    fn close(&self, py: Python<'_>) {
        let emulator = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        py.detach(move || drop(emulator));
    }

    /// True while the server runs.
    #[getter]
    fn running(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    fn __repr__(&self) -> String {
        format!(
            "NativeEmulator(url={}, running={})",
            crate::native::pyrepr(&self.url),
            if self.running() { "True" } else { "False" }
        )
    }
}
