//! JSON values (the core's wire shapes: errors, results, the field table, the emulator's
//! snapshot) as plain Python objects: dict, list, str, int, float, bool, None.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

/// `value` as a Python object.
pub(crate) fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// A serializable core value as a Python dict (or list, ...).
pub(crate) fn serialize<'py>(
    py: Python<'py>,
    value: &impl serde::Serialize,
) -> PyResult<Bound<'py, PyAny>> {
    let v = serde_json::to_value(value)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    to_py(py, &v)
}

/// A core value in its serialized form, handed to Python as plain data (`svara.results` wraps
/// it). `Send`, so a future can return it.
pub(crate) struct Wire(pub(crate) Value);

impl Wire {
    /// The serialized form of a core value (plain data: serializing cannot fail).
    pub(crate) fn of(value: &impl serde::Serialize) -> Wire {
        Wire(serde_json::to_value(value).unwrap_or(Value::Null))
    }

    /// `send_many`'s outcomes: `{"recipient", "result"}` or `{"recipient", "error"}` each, the
    /// error in the core's wire shape.
    pub(crate) fn outcomes(outcomes: &[svara::RecipientOutcome]) -> Wire {
        Wire(Value::Array(
            outcomes
                .iter()
                .map(|o| match &o.result {
                    Ok(r) => serde_json::json!({ "recipient": o.recipient, "result": r }),
                    Err(e) => serde_json::json!({ "recipient": o.recipient, "error": e }),
                })
                .collect(),
        ))
    }
}

impl<'py> IntoPyObject<'py> for Wire {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0)
    }
}
