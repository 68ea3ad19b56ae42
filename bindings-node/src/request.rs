//! JS options in: `lib/options.js` has checked each value's type by its field's kind (from
//! [`crate::fields`], i.e. the core's table) and passes the call's options as JSON plus the
//! audio bytes (a `Buffer`, which JSON cannot carry). The core parses them itself
//! ([`svara::SendRequest::parse_json`]), so Node accepts exactly what the core documents.

use napi::bindgen_prelude::Buffer;
use std::future::Future;
use svara::{Operation, Result, SendRequest};

/// Parses the options of `operation` and attaches the audio bytes, if any.
pub fn parse(operation: Operation, json: &str, audio: Option<Buffer>) -> Result<SendRequest> {
    let mut request = SendRequest::parse_json(operation, json)?;
    if let Some(bytes) = audio {
        if request.audio.is_some() {
            return Err(svara::Error::invalid_request(
                "audio was given twice; pass the bytes once as audio (a Buffer or Uint8Array).",
            ));
        }
        request.audio = Some(bytes.to_vec().into());
    }
    Ok(request)
}

/// Runs a core future as its own tokio task, so a panic deep in the core (a bug) comes back
/// as an `api_error` outcome with every detail the caller needs, instead of a bare rejection.
pub async fn guarded<T, F>(fut: F) -> Result<T>
where
    T: Send + 'static,
    F: Future<Output = Result<T>> + Send + 'static,
{
    match tokio::spawn(fut).await {
        Ok(result) => result,
        Err(join) => Err(crate::outcome::task_failed(&join)),
    }
}
