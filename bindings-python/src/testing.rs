//! The Graph API emulator (crate `svara_emulator`) inside the Python process, for
//! `svara.testing.Emulator`: users test their bots over real HTTP on 127.0.0.1 with no Meta
//! account. It runs on its own small runtime, apart from the client's.

use std::sync::Mutex;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
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
        let config = match (config_json, config_file) {
            (Some(_), Some(_)) => {
                return Err(errors::invalid(
                    py,
                    "Give the emulator either a config dict or a config file, not both.",
                ))
            }
            (Some(json), None) => {
                EmulatorConfig::from_json_str(json).map_err(|e| config_error(py, &e))?
            }
            (None, Some(file)) => {
                EmulatorConfig::from_file(&file).map_err(|e| config_error(py, &e))?
            }
            (None, None) => EmulatorConfig::default(),
        };
        let token = config
            .pages
            .first()
            .and_then(|p| p.tokens.first())
            .map(|t| t.expose().to_owned());
        let psid = config
            .psids
            .iter()
            .find(|p| p.id == svara_emulator::DEFAULT_PSID)
            .or_else(|| config.psids.first())
            .map(|p| p.id.clone());
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

    /// A valid Page token of the first configured Page.
    #[getter]
    fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The default PSID (or the first configured one).
    #[getter]
    fn psid(&self) -> Option<&str> {
        self.psid.as_deref()
    }

    /// What the emulator received, as JSON text (`GET /__emulator/messages`).
    fn messages_json(&self) -> PyResult<String> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let emulator = guard
            .as_ref()
            .ok_or_else(|| PyRuntimeError::new_err("The emulator is stopped."))?;
        serde_json::to_string(&emulator.snapshot())
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// Forgets deliveries, attempts, attachments, rate-limit windows and fault counters.
    fn reset(&self) -> PyResult<()> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .as_ref()
            .ok_or_else(|| PyRuntimeError::new_err("The emulator is stopped."))?
            .reset();
        Ok(())
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
            crate::results::pyrepr(&self.url),
            if self.running() { "True" } else { "False" }
        )
    }
}
