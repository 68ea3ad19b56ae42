//! JS options in: the hand-written `index.js` has already checked the types and resolved the
//! environment fallbacks, and passes the documented request body as JSON plus the audio bytes
//! (a `Buffer`, which JSON cannot carry). The core parses the body itself
//! ([`svara::SendRequest::from_json`]), so Node accepts exactly what the core documents.

use napi::bindgen_prelude::Buffer;
use std::future::Future;
use svara::{Result, SendRequest};

/// Parses the request body and attaches the audio bytes, if any.
pub fn parse(json: &str, audio: Option<Buffer>) -> Result<SendRequest> {
    let mut request = SendRequest::from_json(json)?;
    if let Some(bytes) = audio {
        if request.audio.is_some() {
            return Err(svara::Error::invalid_request(
                "audio was given twice; pass the bytes once as audio (a Buffer or Uint8Array).",
            ));
        }
        request.audio = Some(bytes.to_vec());
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
