//! `svara.Client` and `svara.AsyncClient`: a Page's configuration and connection pool, kept
//! across calls, with `send`, `upload`, `send_many` and `close` (and `with`/`async with`).
//!
//! Both wrap one core [`svara::Client`]; the blocking one waits with the GIL released, the
//! asyncio one returns awaitables. A client used in a child process after `fork()` rebuilds
//! its pool there (the parent's connections and their tasks do not survive the fork).

use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::PyList;
use svara::{AudioSource, ClientConfig, Error, SendOptions, SendRequest, Session};

use crate::args::{self, Arg, AudioArgs, ClientArgs, MessageArgs};
use crate::errors;
use crate::results::{opt_repr, pyrepr, RecipientOutcome, SendResult, UploadResult};
use crate::runtime;

/// The shared state of a Python client.
struct Shared {
    config: ClientConfig,
    live: Mutex<Option<(u32, svara::Client)>>,
}

impl Shared {
    fn new(
        py: Python<'_>,
        token: &Arg<'_>,
        options: &ClientArgs<'_>,
        extra: &ExtraArgs<'_>,
    ) -> PyResult<Self> {
        let mut request = SendRequest {
            session: Session {
                page_access_token: args::secret(py, "page_access_token", token)?,
            },
            ..SendRequest::default()
        };
        options.apply(py, &mut request)?;
        let mut builder = request
            .client_builder()
            .map_err(|e| errors::to_py(py, &e))?;
        if let Some(rate) = args::float(py, "sends_per_second", &extra.sends_per_second)? {
            builder = builder.sends_per_second(rate);
        }
        if let Some(n) = args::uint(
            py,
            "concurrency",
            &extra.concurrency,
            "parallel sends in send_many, default 8",
        )? {
            builder = builder.concurrency(n as usize);
        }
        if let Some(ua) =
            args::string(py, "user_agent", &extra.user_agent, "the User-Agent header")?
        {
            builder = builder.user_agent(ua);
        }
        let config = builder.build_config().map_err(|e| errors::to_py(py, &e))?;
        let client =
            svara::Client::from_config(config.clone()).map_err(|e| errors::to_py(py, &e))?;
        Ok(Shared {
            config,
            live: Mutex::new(Some((std::process::id(), client))),
        })
    }

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

    fn close(&self) {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    fn is_closed(&self) -> bool {
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
    }

    fn repr(&self, class: &str) -> String {
        format!(
            "{class}(graph_url={}, api_version={}, page_id={}, token=<redacted>{})",
            pyrepr(&self.config.graph_url),
            pyrepr(&self.config.api_version),
            opt_repr(self.config.page_id.as_deref()),
            if self.is_closed() {
                ", closed=True"
            } else {
                ""
            }
        )
    }
}

/// Client options that only a long-lived client has.
struct ExtraArgs<'py> {
    sends_per_second: Arg<'py>,
    concurrency: Arg<'py>,
    user_agent: Arg<'py>,
}

/// What one send needs, extracted while holding the GIL.
struct Prepared {
    client: svara::Client,
    source: AudioSource,
    options: SendOptions,
}

fn prepare(
    py: Python<'_>,
    shared: &Shared,
    audio: &AudioArgs<'_>,
    message: &MessageArgs<'_>,
) -> PyResult<Prepared> {
    let mut request = SendRequest::default();
    audio.apply(py, &mut request)?;
    message.apply(py, &mut request)?;
    let to_py = |e: Error| errors::to_py(py, &e);
    Ok(Prepared {
        source: request.audio_source().map_err(to_py)?,
        options: request.send_options().map_err(to_py)?,
        client: shared.client().map_err(to_py)?,
    })
}

/// Runs the core's `send_many` on a blocking thread that drives it with the runtime's handle.
///
/// Its future cannot be proven `Send` (rustc's higher-ranked lifetime limitation with the
/// `&str` stream inside `svara::client::broadcast`), so it cannot be spawned as a task; this
/// wrapper is `Send` and costs one blocking thread per broadcast, not per recipient.
async fn send_many(
    p: Prepared,
    recipients: Vec<String>,
) -> Result<Vec<svara::RecipientOutcome>, Error> {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        handle.block_on(async move { p.client.send_many(&recipients, p.source, &p.options).await })
    })
    .await
    .map_err(|e| {
        Error::new(
            svara::ErrorCode::ApiError,
            format!("Svara's broadcast task stopped unexpectedly ({e}; a bug in Svara: please report it). Some voice notes may have been sent."),
        )
        .with_may_have_been_delivered(true)
    })?
}

/// `send_many`'s outcomes, turned into a list of `RecipientOutcome` under the GIL.
pub(crate) struct Outcomes(Vec<svara::RecipientOutcome>);

impl<'py> IntoPyObject<'py> for Outcomes {
    type Target = PyList;
    type Output = Bound<'py, PyList>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .0
            .into_iter()
            .map(|o| RecipientOutcome::from_core(py, o))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }
}

macro_rules! audio_args {
    ($url:ident, $path:ident, $audio:ident, $id:expr) => {
        AudioArgs {
            audio_url: $url,
            audio_path: $path,
            audio: $audio,
            attachment_id: $id,
        }
    };
}

macro_rules! message_args {
    ($mt:expr, $tag:expr, $nt:expr, $br:ident, $ks:ident, $re:expr) => {
        MessageArgs {
            messaging_type: $mt,
            tag: $tag,
            notification_type: $nt,
            bitrate: $br,
            keep_stereo: $ks,
            reusable: $re,
        }
    };
}

/// A Send API client for one Page: configuration and connection pool kept across calls.
///
/// `Client(page_access_token=None, *, graph_url=None, api_version=None, app_secret=None,
/// page_id=None, timeout=None, max_retries=None, sends_per_second=None, concurrency=None,
/// user_agent=None)`; the token defaults to `META_PAGE_TOKEN`, the URL to `SVARA_GRAPH_URL`.
#[pyclass(frozen, module = "svara")]
pub struct Client(Arc<Shared>);

/// The asyncio twin of `Client`: the same methods, returning awaitables.
#[pyclass(frozen, module = "svara")]
pub struct AsyncClient(Arc<Shared>);

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (page_access_token=None, *, graph_url=None, api_version=None, app_secret=None,
        page_id=None, timeout=None, max_retries=None, sends_per_second=None, concurrency=None, user_agent=None))]
    #[allow(clippy::too_many_arguments)]
    fn new<'py>(
        py: Python<'py>,
        page_access_token: Arg<'py>,
        graph_url: Arg<'py>,
        api_version: Arg<'py>,
        app_secret: Arg<'py>,
        page_id: Arg<'py>,
        timeout: Arg<'py>,
        max_retries: Arg<'py>,
        sends_per_second: Arg<'py>,
        concurrency: Arg<'py>,
        user_agent: Arg<'py>,
    ) -> PyResult<Self> {
        let options = ClientArgs {
            graph_url,
            api_version,
            app_secret,
            page_id,
            timeout,
            max_retries,
        };
        let extra = ExtraArgs {
            sends_per_second,
            concurrency,
            user_agent,
        };
        Ok(Client(Arc::new(Shared::new(
            py,
            &page_access_token,
            &options,
            &extra,
        )?)))
    }

    /// Sends one voice note to `recipient`; pass exactly one audio source. Returns `SendResult`.
    #[pyo3(signature = (recipient, *, audio_url=None, audio_path=None, audio=None, attachment_id=None,
        messaging_type=None, tag=None, notification_type=None, bitrate=None, keep_stereo=None, reusable=None))]
    #[allow(clippy::too_many_arguments)]
    fn send<'py>(
        &self,
        py: Python<'py>,
        recipient: Bound<'py, PyAny>,
        audio_url: Arg<'py>,
        audio_path: Arg<'py>,
        audio: Arg<'py>,
        attachment_id: Arg<'py>,
        messaging_type: Arg<'py>,
        tag: Arg<'py>,
        notification_type: Arg<'py>,
        bitrate: Arg<'py>,
        keep_stereo: Arg<'py>,
        reusable: Arg<'py>,
    ) -> PyResult<SendResult> {
        let recipient = args::recipient(py, &Some(recipient))?;
        let p = prepare(
            py,
            &self.0,
            &audio_args!(audio_url, audio_path, audio, attachment_id),
            &message_args!(
                messaging_type,
                tag,
                notification_type,
                bitrate,
                keep_stereo,
                reusable
            ),
        )?;
        runtime::block_on(py, async move {
            p.client.send(&recipient, p.source, &p.options).await
        })
        .map(SendResult)
    }

    /// Uploads the audio once as a reusable attachment; send it later with `attachment_id=`.
    #[pyo3(signature = (*, audio_url=None, audio_path=None, audio=None, bitrate=None, keep_stereo=None))]
    fn upload<'py>(
        &self,
        py: Python<'py>,
        audio_url: Arg<'py>,
        audio_path: Arg<'py>,
        audio: Arg<'py>,
        bitrate: Arg<'py>,
        keep_stereo: Arg<'py>,
    ) -> PyResult<UploadResult> {
        let p = prepare(
            py,
            &self.0,
            &audio_args!(audio_url, audio_path, audio, None),
            &message_args!(None, None, None, bitrate, keep_stereo, None),
        )?;
        runtime::block_on(
            py,
            async move { p.client.upload(p.source, &p.options).await },
        )
        .map(UploadResult)
    }

    /// Uploads once, then sends to every recipient (rate-limited, in parallel). Returns one
    /// `RecipientOutcome` per recipient, in order; a failure for some is not an exception.
    #[pyo3(signature = (recipients, *, audio_url=None, audio_path=None, audio=None, attachment_id=None,
        messaging_type=None, tag=None, notification_type=None, bitrate=None, keep_stereo=None))]
    #[allow(clippy::too_many_arguments)]
    fn send_many<'py>(
        &self,
        py: Python<'py>,
        recipients: Bound<'py, PyAny>,
        audio_url: Arg<'py>,
        audio_path: Arg<'py>,
        audio: Arg<'py>,
        attachment_id: Arg<'py>,
        messaging_type: Arg<'py>,
        tag: Arg<'py>,
        notification_type: Arg<'py>,
        bitrate: Arg<'py>,
        keep_stereo: Arg<'py>,
    ) -> PyResult<Bound<'py, PyList>> {
        let recipients = args::recipients(py, &recipients)?;
        let p = prepare(
            py,
            &self.0,
            &audio_args!(audio_url, audio_path, audio, attachment_id),
            &message_args!(
                messaging_type,
                tag,
                notification_type,
                bitrate,
                keep_stereo,
                None
            ),
        )?;
        let outcomes = runtime::block_on(py, send_many(p, recipients))?;
        Outcomes(outcomes).into_pyobject(py)
    }

    /// Closes the connection pool; later calls raise `InvalidRequestError`.
    fn close(&self) {
        self.0.close();
    }

    /// True after `close()`.
    #[getter]
    fn closed(&self) -> bool {
        self.0.is_closed()
    }

    /// The Graph base URL in use.
    #[getter]
    fn graph_url(&self) -> &str {
        &self.0.config.graph_url
    }

    /// The Graph API version in use.
    #[getter]
    fn api_version(&self) -> &str {
        &self.0.config.api_version
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, _exc: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.0.close();
        false
    }

    fn __repr__(&self) -> String {
        self.0.repr("Client")
    }
}

#[pymethods]
impl AsyncClient {
    #[new]
    #[pyo3(signature = (page_access_token=None, *, graph_url=None, api_version=None, app_secret=None,
        page_id=None, timeout=None, max_retries=None, sends_per_second=None, concurrency=None, user_agent=None))]
    #[allow(clippy::too_many_arguments)]
    fn new<'py>(
        py: Python<'py>,
        page_access_token: Arg<'py>,
        graph_url: Arg<'py>,
        api_version: Arg<'py>,
        app_secret: Arg<'py>,
        page_id: Arg<'py>,
        timeout: Arg<'py>,
        max_retries: Arg<'py>,
        sends_per_second: Arg<'py>,
        concurrency: Arg<'py>,
        user_agent: Arg<'py>,
    ) -> PyResult<Self> {
        let options = ClientArgs {
            graph_url,
            api_version,
            app_secret,
            page_id,
            timeout,
            max_retries,
        };
        let extra = ExtraArgs {
            sends_per_second,
            concurrency,
            user_agent,
        };
        Ok(AsyncClient(Arc::new(Shared::new(
            py,
            &page_access_token,
            &options,
            &extra,
        )?)))
    }

    /// `await client.send(recipient, audio_url=...)`: see `Client.send`.
    #[pyo3(signature = (recipient, *, audio_url=None, audio_path=None, audio=None, attachment_id=None,
        messaging_type=None, tag=None, notification_type=None, bitrate=None, keep_stereo=None, reusable=None))]
    #[allow(clippy::too_many_arguments)]
    fn send<'py>(
        &self,
        py: Python<'py>,
        recipient: Bound<'py, PyAny>,
        audio_url: Arg<'py>,
        audio_path: Arg<'py>,
        audio: Arg<'py>,
        attachment_id: Arg<'py>,
        messaging_type: Arg<'py>,
        tag: Arg<'py>,
        notification_type: Arg<'py>,
        bitrate: Arg<'py>,
        keep_stereo: Arg<'py>,
        reusable: Arg<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let recipient = args::recipient(py, &Some(recipient))?;
        let p = prepare(
            py,
            &self.0,
            &audio_args!(audio_url, audio_path, audio, attachment_id),
            &message_args!(
                messaging_type,
                tag,
                notification_type,
                bitrate,
                keep_stereo,
                reusable
            ),
        )?;
        runtime::into_awaitable(py, async move {
            p.client
                .send(&recipient, p.source, &p.options)
                .await
                .map(SendResult)
        })
    }

    /// `await client.upload(audio_path=...)`: see `Client.upload`.
    #[pyo3(signature = (*, audio_url=None, audio_path=None, audio=None, bitrate=None, keep_stereo=None))]
    fn upload<'py>(
        &self,
        py: Python<'py>,
        audio_url: Arg<'py>,
        audio_path: Arg<'py>,
        audio: Arg<'py>,
        bitrate: Arg<'py>,
        keep_stereo: Arg<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let p = prepare(
            py,
            &self.0,
            &audio_args!(audio_url, audio_path, audio, None),
            &message_args!(None, None, None, bitrate, keep_stereo, None),
        )?;
        runtime::into_awaitable(py, async move {
            p.client
                .upload(p.source, &p.options)
                .await
                .map(UploadResult)
        })
    }

    /// `await client.send_many([...], audio_path=...)`: see `Client.send_many`.
    #[pyo3(signature = (recipients, *, audio_url=None, audio_path=None, audio=None, attachment_id=None,
        messaging_type=None, tag=None, notification_type=None, bitrate=None, keep_stereo=None))]
    #[allow(clippy::too_many_arguments)]
    fn send_many<'py>(
        &self,
        py: Python<'py>,
        recipients: Bound<'py, PyAny>,
        audio_url: Arg<'py>,
        audio_path: Arg<'py>,
        audio: Arg<'py>,
        attachment_id: Arg<'py>,
        messaging_type: Arg<'py>,
        tag: Arg<'py>,
        notification_type: Arg<'py>,
        bitrate: Arg<'py>,
        keep_stereo: Arg<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let recipients = args::recipients(py, &recipients)?;
        let p = prepare(
            py,
            &self.0,
            &audio_args!(audio_url, audio_path, audio, attachment_id),
            &message_args!(
                messaging_type,
                tag,
                notification_type,
                bitrate,
                keep_stereo,
                None
            ),
        )?;
        runtime::into_awaitable(
            py,
            async move { send_many(p, recipients).await.map(Outcomes) },
        )
    }

    /// Closes the connection pool (plain method, also awaited by `async with`).
    fn close(&self) {
        self.0.close();
    }

    /// `await client.aclose()`: the awaitable form of `close()`.
    fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.0.close();
        runtime::into_awaitable(py, async { Ok(()) })
    }

    /// True after `close()`.
    #[getter]
    fn closed(&self) -> bool {
        self.0.is_closed()
    }

    /// The Graph base URL in use.
    #[getter]
    fn graph_url(&self) -> &str {
        &self.0.config.graph_url
    }

    /// The Graph API version in use.
    #[getter]
    fn api_version(&self) -> &str {
        &self.0.config.api_version
    }

    fn __aenter__<'py>(slf: Py<Self>, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        runtime::into_awaitable(py, async move { Ok(slf) })
    }

    #[pyo3(signature = (*_exc))]
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _exc: &Bound<'py, pyo3::types::PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.0.close();
        runtime::into_awaitable(py, async { Ok(false) })
    }

    fn __repr__(&self) -> String {
        self.0.repr("AsyncClient")
    }
}
