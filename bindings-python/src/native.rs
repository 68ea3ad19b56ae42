//! The calls of `svara._native`: one-off `send` and one `Client` class, each with a blocking
//! form (waits with the GIL released) and an awaitable form (`*_async`, for the coroutines of
//! `svara._api`). Arguments arrive as the keyword dict of the Python call and become the core's
//! request in [`crate::convert`]; the work is the core's (`svara::send`,
//! `Client::send_request`, ...). A client used in a child process after `fork()` rebuilds its
//! pool there (the parent's connections and their tasks do not survive the fork).

use std::future::Future;
use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::IntoPyObjectExt;
use svara::{ClientConfig, Error, Operation};

use crate::convert::{self, request};
use crate::errors;
use crate::json::Wire;
use crate::runtime;

/// A call's work, run blocking or awaited.
fn run<'py, T, F>(py: Python<'py>, awaitable: bool, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
    F: Future<Output = Result<T, Error>> + Send + 'static,
{
    if awaitable {
        runtime::into_awaitable(py, fut)
    } else {
        runtime::block_on(py, fut)?.into_bound_py_any(py)
    }
}

/// `svara.send(**request)`: one voice note, blocking (or awaitable with `awaitable=True`, for
/// `await svara.send_async(**request)`).
#[pyfunction]
#[pyo3(signature = (request, awaitable=false))]
pub(crate) fn send<'py>(
    py: Python<'py>,
    request: &Bound<'py, PyDict>,
    awaitable: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let request = convert::request(py, Operation::Send, request)?;
    // Refuse a malformed call before any network or audio work, with the core's words.
    request.validate().map_err(|e| errors::to_py(py, &e))?;
    run(py, awaitable, async move {
        svara::send(request).await.map(|r| Wire::of(&r))
    })
}

/// A Send API client for one Page: configuration and connection pool kept across calls.
#[pyclass(frozen, module = "svara._native", name = "Client")]
pub struct NativeClient {
    config: ClientConfig,
    live: Mutex<Option<(u32, svara::Client)>>,
}

impl NativeClient {
    /// The core client, rebuilt in a forked child; an error once closed.
    fn client(&self) -> Result<svara::Client, Error> {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        match live.as_ref() {
            None => Err(Error::invalid_request(
                "This client is closed: create a new svara.Client (or use it inside a `with` block only).",
            )),
            Some((pid, client)) if *pid == std::process::id() => Ok(client.clone()),
            Some(_) => {
                let client = svara::Client::from_config(self.config.clone())?;
                *live = Some((std::process::id(), client.clone()));
                Ok(client)
            }
        }
    }

    /// The client and the request of one call.
    fn call(
        &self,
        py: Python<'_>,
        op: Operation,
        options: &Bound<'_, PyDict>,
        recipient: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(svara::Client, svara::SendRequest)> {
        let options = options.copy()?;
        if let Some(r) = recipient {
            options.set_item("recipient", r)?;
        }
        let request = request(py, op, &options)?;
        let client = self.client().map_err(|e| errors::to_py(py, &e))?;
        Ok((client, request))
    }
}

#[pymethods]
impl NativeClient {
    /// Builds the client from the keyword arguments of `svara.Client(...)`.
    #[new]
    fn new(py: Python<'_>, options: &Bound<'_, PyDict>) -> PyResult<Self> {
        let to_py = |e: Error| errors::to_py(py, &e);
        let request = request(py, Operation::ClientNew, options)?;
        let config = request
            .client_builder()
            .and_then(|b| b.build_config())
            .map_err(to_py)?;
        let client = svara::Client::from_config(config.clone()).map_err(to_py)?;
        Ok(NativeClient {
            config,
            live: Mutex::new(Some((std::process::id(), client))),
        })
    }

    /// Sends one voice note to `recipient` (blocking, or awaitable with `awaitable=True`).
    #[pyo3(signature = (recipient, options, awaitable=false))]
    fn send<'py>(
        &self,
        py: Python<'py>,
        recipient: &Bound<'py, PyAny>,
        options: &Bound<'py, PyDict>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, request) = self.call(py, Operation::ClientSend, options, Some(recipient))?;
        run(py, awaitable, async move {
            client.send_request(request).await.map(|r| Wire::of(&r))
        })
    }

    /// Uploads the audio once as a reusable attachment.
    #[pyo3(signature = (options, awaitable=false))]
    fn upload<'py>(
        &self,
        py: Python<'py>,
        options: &Bound<'py, PyDict>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, request) = self.call(py, Operation::Upload, options, None)?;
        run(py, awaitable, async move {
            client.upload_request(request).await.map(|r| Wire::of(&r))
        })
    }

    /// Uploads once, then sends to every recipient; one `RecipientOutcome` each, in order.
    #[pyo3(signature = (recipients, options, awaitable=false))]
    fn send_many<'py>(
        &self,
        py: Python<'py>,
        recipients: &Bound<'py, PyAny>,
        options: &Bound<'py, PyDict>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let recipients = convert::recipients(py, recipients)?;
        let (client, request) = self.call(py, Operation::SendMany, options, None)?;
        run(py, awaitable, async move {
            client
                .send_many_request(&recipients, request)
                .await
                .map(|o| Wire::outcomes(&o))
        })
    }

    /// Closes the connection pool; later calls raise `InvalidRequestError`.
    fn close(&self) {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    /// True after `close()`.
    #[getter]
    fn closed(&self) -> bool {
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
    }

    /// The Graph base URL in use.
    #[getter]
    fn graph_url(&self) -> &str {
        &self.config.graph_url
    }

    /// The Graph API version in use.
    #[getter]
    fn api_version(&self) -> &str {
        &self.config.api_version
    }

    /// `Class(graph_url=..., api_version=..., page_id=..., token=<redacted>)`.
    fn describe(&self, class_name: &str) -> String {
        format!(
            "{class_name}(graph_url={}, api_version={}, page_id={}, token=<redacted>{})",
            pyrepr(&self.config.graph_url),
            pyrepr(&self.config.api_version),
            opt_repr(self.config.page_id.as_deref()),
            if self.closed() { ", closed=True" } else { "" }
        )
    }

    fn __repr__(&self) -> String {
        self.describe("Client")
    }
}

/// A string as Python's `repr()` writes it.
pub(crate) fn pyrepr(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

/// An optional string as Python's `repr()` writes it.
fn opt_repr(value: Option<&str>) -> String {
    value.map_or_else(|| "None".to_owned(), pyrepr)
}
