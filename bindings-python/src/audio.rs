//! `svara.transcode()` and `svara.probe()`: the audio engine on its own, with the GIL released
//! while it decodes and encodes (so other threads keep running, and `asyncio.to_thread` works).

use std::path::Path;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use svara::{Error, ErrorCode, PrepareOptions};

use crate::args::{self, Arg};
use crate::errors;
use crate::results::AudioInfo;

/// Reads `data_or_path`: bytes-like or a binary file object, or a path (str / os.PathLike).
fn input_bytes(py: Python<'_>, data_or_path: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let is_path =
        data_or_path.is_instance_of::<PyString>() || data_or_path.hasattr("__fspath__")?;
    if !is_path {
        return args::audio_bytes(py, "data_or_path", &Some(data_or_path.clone()))?.ok_or_else(
            || {
                errors::invalid(
                    py,
                    "data_or_path is None: pass the audio's bytes or a file path.",
                )
            },
        );
    }
    let path = args::path(py, "data_or_path", &Some(data_or_path.clone()))?.unwrap_or_default();
    py.detach(|| read_file(&path))
        .map_err(|e| errors::to_py(py, &e))
}

fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    let failed = |e: std::io::Error| {
        Error::new(
            ErrorCode::AudioFetchFailed,
            format!(
                "Cannot read the audio file {}: {e}. Check the path and its permissions.",
                path.display()
            ),
        )
    };
    let size = std::fs::metadata(path).map_err(failed)?.len();
    if size > svara::audio::MAX_AUDIO_BYTES {
        return Err(Error::new(
            ErrorCode::AudioTooLarge,
            format!(
                "The file {} is {size} bytes, over Messenger's 25 MB limit ({} bytes).",
                path.display(),
                svara::audio::MAX_AUDIO_BYTES
            ),
        ));
    }
    std::fs::read(path).map_err(failed)
}

/// Converts a recording to the M4A/AAC bytes Messenger plays as a voice note.
///
/// `data_or_path` is bytes, a binary file object, or a path. M4A/AAC input comes back byte
/// for byte; anything else is decoded and encoded as AAC-LC (`bitrate`, default 64000 b/s,
/// mono unless `keep_stereo`). `max_duration` (seconds) refuses longer recordings.
/// Raises `UnsupportedAudioError` or `AudioTooLargeError`.
#[pyfunction]
#[pyo3(signature = (data_or_path, *, bitrate=None, keep_stereo=None, max_duration=None))]
pub(crate) fn transcode<'py>(
    py: Python<'py>,
    data_or_path: Bound<'py, PyAny>,
    bitrate: Arg<'py>,
    keep_stereo: Arg<'py>,
    max_duration: Arg<'py>,
) -> PyResult<Bound<'py, PyBytes>> {
    let mut options = PrepareOptions::default();
    if let Some(b) = args::uint(py, "bitrate", &bitrate, "AAC bits per second, e.g. 64000")? {
        if !(8_000..=320_000).contains(&b) {
            return Err(errors::invalid(py, format!(
                "bitrate {b} is out of range; give bits per second between 8000 and 320000 (default 64000)."
            )));
        }
        options.bitrate = b;
    }
    options.keep_stereo = args::boolean(py, "keep_stereo", &keep_stereo)?.unwrap_or(false);
    if let Some(s) = args::seconds(py, "max_duration", &max_duration)? {
        if !(s.is_finite() && s > 0.0) {
            return Err(errors::invalid(
                py,
                format!("max_duration {s} must be a positive number of seconds."),
            ));
        }
        options.max_duration = Some(Duration::from_secs_f64(s));
    }
    let data = input_bytes(py, &data_or_path)?;
    let prepared = py
        .detach(|| svara::prepare(&data, &options))
        .map_err(|e| errors::to_py(py, &e))?;
    Ok(PyBytes::new(py, &prepared.data))
}

/// Detects what a recording is, by content: container, codec, rate, channels, duration, size.
///
/// `data_or_path` is bytes, a binary file object, or a path. Raises `UnsupportedAudioError`
/// naming what was found when it is not decodable audio.
#[pyfunction]
pub(crate) fn probe(py: Python<'_>, data_or_path: Bound<'_, PyAny>) -> PyResult<AudioInfo> {
    let data = input_bytes(py, &data_or_path)?;
    py.detach(|| svara::probe(&data))
        .map(AudioInfo)
        .map_err(|e| errors::to_py(py, &e))
}
