//! Python keyword arguments -> the core's [`SendRequest`], by the [`Kind`] of each field in the
//! core's table ([`svara::FIELDS`]): no field is spelled here. A keyword the call does not take
//! is a `TypeError` (as Python itself would raise), with the field it probably meant or the
//! call it belongs to; a value of the wrong Python type is an `InvalidRequestError` that says
//! what to pass. What the values mean (one audio source, ranges, a known platform) is the
//! core's business, so Python, Node and Rust refuse the same calls with the same words.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyMemoryView, PyString};
use serde_json::{Map, Value};
use svara::request::fields::{field_named, suggest, Field, Kind};
use svara::{Operation, SendRequest};

use crate::errors::{invalid, to_py};

/// The call as a Python user writes it, for messages.
pub(crate) fn call_name(op: Operation) -> &'static str {
    match op {
        Operation::Send => "send()",
        Operation::ClientNew => "Client()",
        Operation::ClientSend => "Client.send()",
        Operation::Upload => "Client.upload()",
        Operation::SendMany => "Client.send_many()",
        Operation::Transcode => "transcode()",
    }
}

pub(crate) fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string())
}

/// The field `key` names, if `op` takes it; a `TypeError` naming what it probably meant or
/// where it belongs otherwise.
fn field_for(op: Operation, key: &str) -> PyResult<&'static Field> {
    match field_named(key) {
        Some(f) if op.takes(f) => Ok(f),
        Some(f) => {
            let takers: Vec<&str> = Operation::ALL
                .into_iter()
                .filter(|o| o.takes(f))
                .map(call_name)
                .collect();
            Err(PyTypeError::new_err(format!(
                "{} got an unexpected keyword argument '{key}': {key} is an option of {}, not of {}.",
                call_name(op),
                takers.join(" and "),
                call_name(op)
            )))
        }
        None => {
            let hint = suggest(key, op.fields())
                .map(|s| format!("; did you mean '{s}'?"))
                .unwrap_or_default();
            Err(PyTypeError::new_err(format!(
                "{} got an unexpected keyword argument '{key}'{hint}",
                call_name(op)
            )))
        }
    }
}

/// The arguments of `op` as the core's request. `None` values count as not given.
pub(crate) fn request(
    py: Python<'_>,
    op: Operation,
    kwargs: &Bound<'_, PyDict>,
) -> PyResult<SendRequest> {
    let mut map = Map::new();
    let mut audio = None;
    for (key, value) in kwargs.iter() {
        let key: String = key.extract()?;
        let field = field_for(op, &key)?;
        if value.is_none() {
            continue;
        }
        if field.kind == Kind::Bytes {
            audio = Some(audio_bytes(py, field.name, &value)?);
        } else {
            map.insert(key, json_value(py, field, &value)?);
        }
    }
    for f in op.fields().filter(|f| f.required) {
        if !map.contains_key(f.name) {
            return Err(invalid(
                py,
                format!("{0} is missing: pass {0}=..., {1}.", f.name, f.description),
            ));
        }
    }
    let mut request = SendRequest::from_value(op, Value::Object(map)).map_err(|e| to_py(py, &e))?;
    request.audio = audio.map(Into::into);
    Ok(request)
}

/// One value, checked against its field's kind.
fn json_value(py: Python<'_>, field: &Field, v: &Bound<'_, PyAny>) -> PyResult<Value> {
    let name = field.name;
    let what = field.description;
    let is_int = v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>();
    let is_number = is_int || v.is_instance_of::<PyFloat>();
    Ok(match field.kind {
        Kind::Text | Kind::Url | Kind::Choice(_) => Value::String(text(py, name, what, v)?),
        Kind::Psid if is_int => Value::String(v.str()?.extract()?),
        Kind::Psid => Value::String(text(py, name, what, v)?),
        Kind::Secret => Value::String(secret(py, name, v)?),
        Kind::Session => session(py, v)?,
        Kind::Path => Value::String(path(py, name, v)?),
        Kind::Integer if is_int => match v.extract::<u64>() {
            Ok(n) => Value::from(n),
            Err(_) => {
                let shown = v.repr().map_or_else(|_| "?".into(), |r| r.to_string());
                return Err(invalid(
                    py,
                    format!("{name} must be a non-negative int ({what}), not {shown}."),
                ));
            }
        },
        Kind::Integer => {
            return Err(invalid(
                py,
                format!("{name} must be an int ({what}), not {}.", type_name(v)),
            ))
        }
        Kind::Seconds if is_number => Value::from(v.extract::<f64>()?),
        Kind::Seconds if v.hasattr("total_seconds")? => {
            Value::from(v.call_method0("total_seconds")?.extract::<f64>()?)
        }
        Kind::Seconds => {
            return Err(invalid(
                py,
                format!(
                    "{name} must be a number of seconds (int, float or timedelta), not {}.",
                    type_name(v)
                ),
            ))
        }
        Kind::Number if is_number => Value::from(v.extract::<f64>()?),
        Kind::Number => {
            return Err(invalid(
                py,
                format!("{name} must be a number ({what}), not {}.", type_name(v)),
            ))
        }
        Kind::Flag => match v.cast::<PyBool>() {
            Ok(b) => Value::Bool(b.is_true()),
            Err(_) => {
                return Err(invalid(
                    py,
                    format!("{name} must be True or False, not {}.", type_name(v)),
                ))
            }
        },
        Kind::Bytes => unreachable!("bytes travel beside the JSON"),
    })
}

fn text(py: Python<'_>, name: &str, what: &str, v: &Bound<'_, PyAny>) -> PyResult<String> {
    match v.cast::<PyString>() {
        Ok(s) => s.extract(),
        Err(_) => Err(invalid(
            py,
            format!("{name} must be a str ({what}), not {}.", type_name(v)),
        )),
    }
}

/// A secret: the message never includes the value.
fn secret(py: Python<'_>, name: &str, v: &Bound<'_, PyAny>) -> PyResult<String> {
    match v.cast::<PyString>() {
        Ok(s) => s.extract(),
        Err(_) => Err(invalid(
            py,
            format!("{name} must be a str, not {}.", type_name(v)),
        )),
    }
}

/// `session={...}`: a dict of the platforms' session keys (`page_access_token`, `access_token`,
/// `ig_user_id`, `phone_number_id`, `bot_token`; which platform takes which is the core's rule).
/// A key no platform takes is refused (a typo must not be ignored); secrets are never echoed.
fn session(py: Python<'_>, v: &Bound<'_, PyAny>) -> PyResult<Value> {
    let keys = svara::platform::session_keys();
    let names = || {
        keys.iter()
            .map(|k| format!("{:?}", k.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let dict = v.cast::<PyDict>().map_err(|_| {
        invalid(
            py,
            format!(
                "session must be a dict like {{\"page_access_token\": TOKEN}} (keys: {}), not {}.",
                names(),
                type_name(v)
            ),
        )
    })?;
    let mut out = Map::new();
    for (key, val) in dict.iter() {
        let key: String = key.str()?.extract()?;
        let Some(known) = keys.iter().find(|k| k.name == key) else {
            return Err(invalid(
                py,
                format!(
                    "session has an unknown key {key:?}; the keys are {}.",
                    names()
                ),
            ));
        };
        if val.is_none() {
            continue;
        }
        let name = format!("session[\"{key}\"]");
        let text = if known.secret {
            secret(py, &name, &val)?
        } else {
            text(py, &name, known.description, &val)?
        };
        out.insert(key, Value::String(text));
    }
    Ok(Value::Object(out))
}

/// A filesystem path: `str` or `os.PathLike`.
pub(crate) fn path(py: Python<'_>, name: &str, v: &Bound<'_, PyAny>) -> PyResult<String> {
    if v.is_instance_of::<PyBytes>() {
        return Err(invalid(py, format!("{name} takes a file path (str or pathlib.Path); to send bytes in memory use audio=... instead.")));
    }
    let p: std::path::PathBuf = v.extract().map_err(|_| {
        invalid(
            py,
            format!(
                "{name} must be a file path (str or pathlib.Path), not {}.",
                type_name(v)
            ),
        )
    })?;
    p.into_os_string()
        .into_string()
        .map_err(|_| invalid(py, format!("{name} is not a valid UTF-8 path.")))
}

/// Audio bytes: `bytes`, `bytearray`, `memoryview`, or a binary file object (read to the end).
pub(crate) fn audio_bytes(py: Python<'_>, name: &str, v: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = v.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = v.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if v.is_instance_of::<PyMemoryView>() {
        let b = v.call_method0("tobytes")?;
        return Ok(b.cast::<PyBytes>()?.as_bytes().to_vec());
    }
    if v.is_instance_of::<PyString>() {
        return Err(invalid(py, format!("{name} takes the audio's bytes, not a str: pass audio_path=... for a file or audio_url=... for a link.")));
    }
    if v.hasattr("read")? {
        let data = v.call_method0("read")?;
        if let Ok(b) = data.cast::<PyBytes>() {
            return Ok(b.as_bytes().to_vec());
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

/// The recipients of `send_many`: a list (any iterable but a string) of PSIDs, str or int.
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
    let psid = field_named("recipient").expect("recipient is a field");
    let mut out = Vec::new();
    for item in iter {
        let item = item?;
        match json_value(py, psid, &item)? {
            Value::String(s) => out.push(s),
            _ => unreachable!("a PSID converts to a string"),
        }
    }
    Ok(out)
}
