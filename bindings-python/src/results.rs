//! What Python gets back: `AudioInfo`, `SendResult`, `UploadResult` and `RecipientOutcome`,
//! immutable objects with attributes, `result["id"]` like the documented JSON, `to_dict()` and
//! a readable `repr`.

use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// What a recording is: container, codec, sample rate, channels, duration and size.
#[pyclass(frozen, eq, module = "svara")]
#[derive(Clone, PartialEq)]
pub struct AudioInfo(pub svara::AudioInfo);

#[pymethods]
impl AudioInfo {
    /// Container: "mp4", "mp3", "ogg", "webm", "wav", "flac", ...
    #[getter]
    fn container(&self) -> &str {
        &self.0.container
    }
    /// Codec: "aac-lc", "mp3", "opus", "vorbis", "pcm_s16le", ...
    #[getter]
    fn codec(&self) -> &str {
        &self.0.codec
    }
    /// Sample rate in Hz.
    #[getter]
    fn sample_rate(&self) -> u32 {
        self.0.sample_rate
    }
    /// Channel count.
    #[getter]
    fn channels(&self) -> u16 {
        self.0.channels
    }
    /// Duration in milliseconds.
    #[getter]
    fn duration_ms(&self) -> u64 {
        self.0.duration_ms
    }
    /// Duration in seconds.
    #[getter]
    fn duration(&self) -> f64 {
        self.0.duration_ms as f64 / 1000.0
    }
    /// Size of the file in bytes.
    #[getter]
    fn size_bytes(&self) -> u64 {
        self.0.size_bytes
    }
    /// The fields as a dict (the same keys as `svara probe --json`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict(py, &self.0)
    }
    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        item(&self.to_dict(py)?, key)
    }
    fn __repr__(&self) -> String {
        let i = &self.0;
        format!(
            "AudioInfo(container={}, codec={}, sample_rate={}, channels={}, duration_ms={}, size_bytes={})",
            pyrepr(&i.container), pyrepr(&i.codec), i.sample_rate, i.channels, i.duration_ms, i.size_bytes
        )
    }
}

fn item<'py>(dict: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    dict.get_item(key)?.ok_or_else(|| {
        let keys: Vec<String> = dict.keys().iter().map(|k| k.to_string()).collect();
        PyKeyError::new_err(format!("{key:?} (available: {})", keys.join(", ")))
    })
}

/// A core result as a dict with its serialized (documented) keys.
fn dict<'py>(py: Python<'py>, value: &impl serde::Serialize) -> PyResult<Bound<'py, PyDict>> {
    Ok(crate::json::serialize(py, value)?.cast_into::<PyDict>()?)
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
pub(crate) fn opt_repr(value: Option<&str>) -> String {
    value.map_or_else(|| "None".to_owned(), pyrepr)
}

/// A delivered voice note: `result.id` / `result["id"]` is the message id.
#[pyclass(frozen, eq, module = "svara")]
#[derive(Clone, PartialEq)]
pub struct SendResult(pub svara::SendResult);

#[pymethods]
impl SendResult {
    /// The message id (the documented `result["id"]`; same as `message_id`).
    #[getter]
    fn id(&self) -> &str {
        &self.0.id
    }
    /// Meta's `message_id`.
    #[getter]
    fn message_id(&self) -> &str {
        &self.0.message_id
    }
    /// Meta's `recipient_id` (the PSID).
    #[getter]
    fn recipient_id(&self) -> Option<&str> {
        self.0.recipient_id.as_deref()
    }
    /// The reusable attachment id, when one was asked for (`reusable=True`) or used.
    #[getter]
    fn attachment_id(&self) -> Option<&str> {
        self.0.attachment_id.as_deref()
    }
    /// True when the audio was converted to M4A/AAC; False when passed through or sent by id.
    #[getter]
    fn converted(&self) -> bool {
        self.0.converted
    }
    /// The audio as received (None when sent by attachment id).
    #[getter]
    fn input(&self) -> Option<AudioInfo> {
        self.0.input.clone().map(AudioInfo)
    }
    /// The audio as uploaded (None when sent by attachment id).
    #[getter]
    fn output(&self) -> Option<AudioInfo> {
        self.0.output.clone().map(AudioInfo)
    }
    /// The result as a dict: the documented JSON keys plus the audio info.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict(py, &self.0)
    }
    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        item(&self.to_dict(py)?, key)
    }
    fn __contains__(&self, py: Python<'_>, key: &str) -> PyResult<bool> {
        self.to_dict(py)?.contains(key)
    }
    /// `result.get("id")`, like a dict.
    #[pyo3(signature = (key, default=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &str,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Ok(match self.to_dict(py)?.get_item(key)? {
            Some(v) => v,
            None => default.unwrap_or_else(|| py.None().into_bound(py)),
        })
    }
    fn __repr__(&self) -> String {
        let r = &self.0;
        let audio = match (&r.input, &r.output) {
            (Some(i), Some(o)) => format!(
                ", audio={}/{} {:.1}s -> {}/{} {} bytes",
                i.container,
                i.codec,
                i.duration_ms as f64 / 1000.0,
                o.container,
                o.codec,
                o.size_bytes
            ),
            _ => String::new(),
        };
        format!(
            "SendResult(id={}, recipient_id={}, attachment_id={}, converted={}{audio})",
            pyrepr(&r.id),
            opt_repr(r.recipient_id.as_deref()),
            opt_repr(r.attachment_id.as_deref()),
            if r.converted { "True" } else { "False" },
        )
    }
}

/// A reusable attachment stored at Meta, from `Client.upload()`.
#[pyclass(frozen, eq, module = "svara")]
#[derive(Clone, PartialEq)]
pub struct UploadResult(pub svara::UploadResult);

#[pymethods]
impl UploadResult {
    /// The attachment id: send it with `attachment_id=...` for 90 days from this Page.
    #[getter]
    fn attachment_id(&self) -> &str {
        &self.0.attachment_id
    }
    /// True when the audio was converted.
    #[getter]
    fn converted(&self) -> bool {
        self.0.converted
    }
    /// The audio as received.
    #[getter]
    fn input(&self) -> AudioInfo {
        AudioInfo(self.0.input.clone())
    }
    /// The audio as uploaded.
    #[getter]
    fn output(&self) -> AudioInfo {
        AudioInfo(self.0.output.clone())
    }
    /// The result as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict(py, &self.0)
    }
    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        item(&self.to_dict(py)?, key)
    }
    fn __str__(&self) -> String {
        self.0.attachment_id.clone()
    }
    fn __repr__(&self) -> String {
        format!(
            "UploadResult(attachment_id={}, converted={}, output={}/{} {} bytes)",
            pyrepr(&self.0.attachment_id),
            if self.0.converted { "True" } else { "False" },
            self.0.output.container,
            self.0.output.codec,
            self.0.output.size_bytes
        )
    }
}

/// The outcome of `send_many` for one recipient: `result` or `error`, never both.
#[pyclass(frozen, module = "svara")]
pub struct RecipientOutcome {
    /// The PSID.
    #[pyo3(get)]
    recipient: String,
    /// The delivered voice note, or None when this recipient failed.
    #[pyo3(get)]
    result: Option<Py<SendResult>>,
    /// The `SvaraError` for this recipient, or None when it was delivered.
    #[pyo3(get)]
    error: Option<Py<PyAny>>,
}

impl RecipientOutcome {
    /// Converts a core outcome (building the exception object for a failure).
    pub(crate) fn from_core(py: Python<'_>, outcome: svara::RecipientOutcome) -> PyResult<Self> {
        let (result, error) = match outcome.result {
            Ok(r) => (Some(Py::new(py, SendResult(r))?), None),
            Err(e) => (
                None,
                Some(crate::errors::to_py(py, &e).into_value(py).into_any()),
            ),
        };
        Ok(RecipientOutcome {
            recipient: outcome.recipient,
            result,
            error,
        })
    }
}

#[pymethods]
impl RecipientOutcome {
    /// True when the voice note was delivered to this recipient.
    #[getter]
    fn ok(&self) -> bool {
        self.result.is_some()
    }
    fn __bool__(&self) -> bool {
        self.result.is_some()
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(match (&self.result, &self.error) {
            (Some(r), _) => format!(
                "RecipientOutcome(recipient={}, ok=True, id={})",
                pyrepr(&self.recipient),
                pyrepr(&r.get().0.id)
            ),
            (None, Some(e)) => {
                let e = e.bind(py);
                let code: String = e.getattr("code")?.extract()?;
                format!(
                    "RecipientOutcome(recipient={}, ok=False, error={}({}))",
                    pyrepr(&self.recipient),
                    e.get_type().name()?,
                    pyrepr(&code)
                )
            }
            (None, None) => format!(
                "RecipientOutcome(recipient={}, ok=False)",
                pyrepr(&self.recipient)
            ),
        })
    }
}
