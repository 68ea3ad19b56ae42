//! Results and errors as plain data for JS: `{ok: true, value}` or `{ok: false, error}`.
//!
//! An async napi function can only reject with a message and a status string, so every field
//! of a [`svara::Error`] (Graph code, subcode, fbtrace_id, retry_after, ...) would be lost.
//! Expected failures are therefore resolved as data: `error` is the core's one wire shape of
//! an error (`serde_json::to_value(&error)`), and `lib/errors.js` builds the `SvaraError`
//! subclass for its code from it.

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use serde_json::Value;
use svara::{Error, ErrorCode};

/// What every native call resolves to.
#[napi(object, object_from_js = false)]
pub struct Outcome {
    /// True when `value` (and `data`, for `transcode`) hold the result.
    pub ok: bool,
    /// The result as JSON-like data (snake_case keys).
    pub value: Option<Value>,
    /// Binary output (the converted M4A of `transcode`).
    pub data: Option<Buffer>,
    /// The error's wire shape, when `ok` is false.
    pub error: Option<Value>,
}

impl Outcome {
    /// A success carrying `value`.
    pub fn value(value: Value) -> Outcome {
        Outcome {
            ok: true,
            value: Some(value),
            data: None,
            error: None,
        }
    }

    /// A success carrying bytes and a description of them.
    pub fn data(data: Vec<u8>, value: Value) -> Outcome {
        Outcome {
            ok: true,
            value: Some(value),
            data: Some(data.into()),
            error: None,
        }
    }

    /// A failure.
    pub fn error(err: &Error) -> Outcome {
        Outcome {
            ok: false,
            value: None,
            data: None,
            error: Some(wire(err)),
        }
    }

    /// Either of the above, from a core result whose value serializes.
    pub fn from_result<T: serde::Serialize>(result: svara::Result<T>) -> Outcome {
        match result.and_then(|v| to_value(&v)) {
            Ok(v) => Outcome::value(v),
            Err(e) => Outcome::error(&e),
        }
    }
}

/// An error's wire shape (never fails: the shape is plain data).
pub fn wire(err: &Error) -> Value {
    serde_json::to_value(err).unwrap_or(Value::Null)
}

/// Serializes a result value (never fails for the core's plain data types).
pub fn to_value<T: serde::Serialize>(v: &T) -> svara::Result<Value> {
    serde_json::to_value(v).map_err(|e| {
        Error::new(
            ErrorCode::ApiError,
            format!("Svara could not hand the result to JavaScript ({e}); please report this."),
        )
    })
}

/// A spawned task that died: reported as `api_error` with the delivery flag set, because the
/// call may have gone out before it stopped.
pub fn task_failed(err: &tokio::task::JoinError) -> Error {
    let what = if err.is_panic() {
        "stopped unexpectedly"
    } else {
        "was cancelled"
    };
    Error::new(
        ErrorCode::ApiError,
        format!("Svara's background task {what} (a bug in Svara: please report it). The voice note may or may not have been sent; check the thread before resending."),
    )
    .with_may_have_been_delivered(true)
}
