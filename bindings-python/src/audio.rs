//! `svara.transcode()` and `svara.probe()`: the audio engine on its own, with the GIL released
//! while it reads, decodes and encodes (so other threads keep running, and `asyncio.to_thread`
//! works). Options are the conversion fields of the core's table (`bitrate`, `keep_stereo`,
//! `fast_encode`, `max_duration`, `max_duration_ms`); a file is read by the core's one reader.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use svara::Operation;

use crate::convert;
use crate::errors;
use crate::json::Wire;

/// Reads `data_or_path`: bytes-like or a binary file object, or a path (str / os.PathLike).
fn input_bytes(py: Python<'_>, data_or_path: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if data_or_path.is_none() {
        return Err(errors::invalid(
            py,
            "data_or_path is None: pass the audio's bytes or a file path.",
        ));
    }
    let is_path =
        data_or_path.is_instance_of::<PyString>() || data_or_path.hasattr("__fspath__")?;
    if !is_path {
        return convert::audio_bytes(py, "data_or_path", data_or_path);
    }
    let path = std::path::PathBuf::from(convert::path(py, "data_or_path", data_or_path)?);
    py.detach(|| svara::source::read_file(&path))
        .map_err(|e| errors::to_py(py, &e))
}

/// Converts a recording to the M4A/AAC bytes Messenger plays as a voice note.
#[pyfunction]
pub(crate) fn transcode<'py>(
    py: Python<'py>,
    data_or_path: &Bound<'py, PyAny>,
    options: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyBytes>> {
    let options = convert::request(py, Operation::Transcode, options)?
        .prepare_options()
        .map_err(|e| errors::to_py(py, &e))?;
    let data = input_bytes(py, data_or_path)?;
    let prepared = py
        .detach(|| svara::prepare(&data, &options))
        .map_err(|e| errors::to_py(py, &e))?;
    Ok(PyBytes::new(py, &prepared.data))
}

/// Detects what a recording is, by content: container, codec, rate, channels, duration, size.
#[pyfunction]
pub(crate) fn probe<'py>(
    py: Python<'py>,
    data_or_path: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let data = input_bytes(py, data_or_path)?;
    let info = py
        .detach(|| svara::probe(&data))
        .map_err(|e| errors::to_py(py, &e))?;
    Wire::of(&info).into_pyobject(py)
}
