//! Python arguments -> the core's request types, with `InvalidRequestError`s that say how to
//! fix the call (a wrong type, an unknown `session` key, a file object that yields text).
//!
//! Values are checked here only for their Python type; what they mean (one audio source, a
//! known platform, a valid messaging type, ranges) is checked by the core's
//! [`svara::SendRequest`], so Python, Node and Rust refuse the same calls with the same words.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyMemoryView, PyString};
use svara::{PageToken, SendRequest, Session};

use crate::errors::invalid;

/// An optional argument as Python passed it.
pub(crate) type Arg<'py> = Option<Bound<'py, PyAny>>;

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string())
}

/// A `str` argument (`None` when not given or `None`).
pub(crate) fn string(
    py: Python<'_>,
    name: &str,
    value: &Arg<'_>,
    what: &str,
) -> PyResult<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => match v.cast::<PyString>() {
            Ok(s) => Ok(Some(s.extract::<String>()?)),
            Err(_) => Err(invalid(
                py,
                format!("{name} must be a str ({what}), not {}.", type_name(v)),
            )),
        },
    }
}

/// A secret `str` argument. The message never includes the value.
pub(crate) fn secret(py: Python<'_>, name: &str, value: &Arg<'_>) -> PyResult<Option<PageToken>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => match v.cast::<PyString>() {
            Ok(s) => Ok(Some(PageToken::new(s.extract::<String>()?))),
            Err(_) => Err(invalid(
                py,
                format!("{name} must be a str, not {}.", type_name(v)),
            )),
        },
    }
}

/// A recipient PSID: a str, or an int (PSIDs are often stored as numbers).
pub(crate) fn recipient(py: Python<'_>, value: &Arg<'_>) -> PyResult<String> {
    match value {
        Some(v) if v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() => Ok(v.str()?.extract::<String>()?),
        Some(v) if !v.is_none() => Ok(string(py, "recipient", value, "the person's Page-Scoped ID, e.g. \"6128493027184956\"")?.unwrap_or_default()),
        _ => Err(invalid(py, "recipient is missing: pass recipient=\"<PSID>\", the Page-Scoped ID from a webhook event of this Page.")),
    }
}

/// A list of recipients for `send_many`.
pub(crate) fn recipients(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if value.is_instance_of::<PyString>() || value.is_instance_of::<PyBytes>() {
        return Err(invalid(py, "recipients must be a list of PSIDs, not a single string: pass recipients=[\"6128493027184956\", ...]."));
    }
    let iter = value.try_iter().map_err(|_| {
        invalid(
            py,
            format!(
                "recipients must be a list of PSIDs, not {}.",
                type_name(value)
            ),
        )
    })?;
    let mut out = Vec::new();
    for item in iter {
        out.push(recipient(py, &Some(item?))?);
    }
    Ok(out)
}

/// A non-negative int.
pub(crate) fn uint(
    py: Python<'_>,
    name: &str,
    value: &Arg<'_>,
    what: &str,
) -> PyResult<Option<u32>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) if v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() => {
            v.extract::<u32>().map(Some).map_err(|_| {
                invalid(
                    py,
                    format!(
                        "{name} must be a non-negative int ({what}), not {}.",
                        v.repr().map_or_else(|_| "?".into(), |r| r.to_string())
                    ),
                )
            })
        }
        Some(v) => Err(invalid(
            py,
            format!("{name} must be an int ({what}), not {}.", type_name(v)),
        )),
    }
}

/// A number of seconds (int, float or `datetime.timedelta`).
pub(crate) fn seconds(py: Python<'_>, name: &str, value: &Arg<'_>) -> PyResult<Option<f64>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v)
            if (v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>())
                || v.is_instance_of::<PyFloat>() =>
        {
            Ok(Some(v.extract::<f64>()?))
        }
        Some(v) if v.hasattr("total_seconds")? => {
            Ok(Some(v.call_method0("total_seconds")?.extract::<f64>()?))
        }
        Some(v) => Err(invalid(
            py,
            format!(
                "{name} must be a number of seconds (int, float or timedelta), not {}.",
                type_name(v)
            ),
        )),
    }
}

/// A positive float.
pub(crate) fn float(py: Python<'_>, name: &str, value: &Arg<'_>) -> PyResult<Option<f64>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v)
            if (v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>())
                || v.is_instance_of::<PyFloat>() =>
        {
            Ok(Some(v.extract::<f64>()?))
        }
        Some(v) => Err(invalid(
            py,
            format!("{name} must be a number, not {}.", type_name(v)),
        )),
    }
}

/// A bool.
pub(crate) fn boolean(py: Python<'_>, name: &str, value: &Arg<'_>) -> PyResult<Option<bool>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => match v.cast::<PyBool>() {
            Ok(b) => Ok(Some(b.is_true())),
            Err(_) => Err(invalid(
                py,
                format!("{name} must be True or False, not {}.", type_name(v)),
            )),
        },
    }
}

/// A filesystem path: `str` or `os.PathLike`.
pub(crate) fn path(py: Python<'_>, name: &str, value: &Arg<'_>) -> PyResult<Option<PathBuf>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) if v.is_instance_of::<PyBytes>() => Err(invalid(py, format!("{name} takes a file path (str or pathlib.Path); to send bytes in memory use audio=... instead."))),
        Some(v) => v.extract::<PathBuf>().map(Some).map_err(|_| {
            invalid(py, format!("{name} must be a file path (str or pathlib.Path), not {}.", type_name(v)))
        }),
    }
}

/// Audio bytes: `bytes`, `bytearray`, `memoryview`, or a binary file object (read to the end).
pub(crate) fn audio_bytes(
    py: Python<'_>,
    name: &str,
    value: &Arg<'_>,
) -> PyResult<Option<Vec<u8>>> {
    let Some(v) = value else { return Ok(None) };
    if v.is_none() {
        return Ok(None);
    }
    if let Ok(b) = v.cast::<PyBytes>() {
        return Ok(Some(b.as_bytes().to_vec()));
    }
    if let Ok(b) = v.cast::<PyByteArray>() {
        return Ok(Some(b.to_vec()));
    }
    if v.is_instance_of::<PyMemoryView>() {
        let b = v.call_method0("tobytes")?;
        return Ok(Some(b.cast::<PyBytes>()?.as_bytes().to_vec()));
    }
    if v.is_instance_of::<PyString>() {
        return Err(invalid(py, format!("{name} takes the audio's bytes, not a str: pass audio_path=... for a file or audio_url=... for a link.")));
    }
    if v.hasattr("read")? {
        let data = v.call_method0("read")?;
        if let Ok(b) = data.cast::<PyBytes>() {
            return Ok(Some(b.as_bytes().to_vec()));
        }
        return Err(invalid(py, format!("{name} is a file object opened in text mode ({} returned by read()); open it with open(path, \"rb\").", type_name(&data))));
    }
    Err(invalid(
        py,
        format!(
            "{name} must be bytes, bytearray, memoryview or a binary file object, not {}.",
            type_name(v)
        ),
    ))
}

/// `session={"page_access_token": ...}`: a dict with only that key (a typo must not be ignored).
pub(crate) fn session(py: Python<'_>, value: &Arg<'_>) -> PyResult<Session> {
    let Some(v) = value else {
        return Ok(Session::default());
    };
    if v.is_none() {
        return Ok(Session::default());
    }
    let dict = v.cast::<PyDict>().map_err(|_| {
        invalid(
            py,
            format!(
                "session must be a dict like {{\"page_access_token\": TOKEN}}, not {}.",
                type_name(v)
            ),
        )
    })?;
    let mut token = None;
    for (key, val) in dict.iter() {
        let key: String = key.str()?.extract()?;
        if key == "page_access_token" {
            token = secret(py, "session[\"page_access_token\"]", &Some(val))?;
        } else {
            return Err(invalid(
                py,
                format!(
                    "session has an unknown key {key:?}; the only key is \"page_access_token\"."
                ),
            ));
        }
    }
    Ok(Session {
        page_access_token: token,
    })
}

/// The audio arguments shared by every send and upload.
pub(crate) struct AudioArgs<'py> {
    pub audio_url: Arg<'py>,
    pub audio_path: Arg<'py>,
    pub audio: Arg<'py>,
    pub attachment_id: Arg<'py>,
}

impl AudioArgs<'_> {
    /// Fills the audio fields of a request.
    pub(crate) fn apply(&self, py: Python<'_>, request: &mut SendRequest) -> PyResult<()> {
        request.audio_url = string(
            py,
            "audio_url",
            &self.audio_url,
            "an http(s) link to the recording",
        )?;
        request.audio_path = path(py, "audio_path", &self.audio_path)?;
        request.audio = audio_bytes(py, "audio", &self.audio)?;
        request.attachment_id = string(
            py,
            "attachment_id",
            &self.attachment_id,
            "the id returned by upload()",
        )?;
        Ok(())
    }
}

/// The per-message options shared by every send.
pub(crate) struct MessageArgs<'py> {
    pub messaging_type: Arg<'py>,
    pub tag: Arg<'py>,
    pub notification_type: Arg<'py>,
    pub bitrate: Arg<'py>,
    pub keep_stereo: Arg<'py>,
    pub reusable: Arg<'py>,
}

impl MessageArgs<'_> {
    /// Fills the message options of a request.
    pub(crate) fn apply(&self, py: Python<'_>, request: &mut SendRequest) -> PyResult<()> {
        request.messaging_type = string(
            py,
            "messaging_type",
            &self.messaging_type,
            "RESPONSE, UPDATE or MESSAGE_TAG",
        )?;
        request.tag = string(py, "tag", &self.tag, "e.g. \"HUMAN_AGENT\"")?;
        request.notification_type = string(
            py,
            "notification_type",
            &self.notification_type,
            "REGULAR, SILENT_PUSH or NO_PUSH",
        )?;
        request.bitrate = uint(
            py,
            "bitrate",
            &self.bitrate,
            "AAC bits per second, e.g. 64000",
        )?;
        request.keep_stereo = boolean(py, "keep_stereo", &self.keep_stereo)?;
        request.reusable = boolean(py, "reusable", &self.reusable)?;
        Ok(())
    }
}

/// The connection options shared by `send()` and `Client(...)`.
pub(crate) struct ClientArgs<'py> {
    pub graph_url: Arg<'py>,
    pub api_version: Arg<'py>,
    pub app_secret: Arg<'py>,
    pub page_id: Arg<'py>,
    pub timeout: Arg<'py>,
    pub max_retries: Arg<'py>,
}

impl ClientArgs<'_> {
    /// Fills the connection options of a request.
    pub(crate) fn apply(&self, py: Python<'_>, request: &mut SendRequest) -> PyResult<()> {
        request.graph_url = string(
            py,
            "graph_url",
            &self.graph_url,
            "e.g. \"https://graph.facebook.com\"",
        )?;
        request.api_version = string(py, "api_version", &self.api_version, "e.g. \"v25.0\"")?;
        request.app_secret = secret(py, "app_secret", &self.app_secret)?;
        request.page_id = string(py, "page_id", &self.page_id, "the Page's numeric id")?;
        request.timeout = seconds(py, "timeout", &self.timeout)?;
        request.max_retries = uint(py, "max_retries", &self.max_retries, "0 to 10")?;
        Ok(())
    }
}
