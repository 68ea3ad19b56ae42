//! `transcode()` and `probe()`: the audio engine on its own. A path is read by the core's one
//! reader (refused over 25 MB before reading) and the work runs on tokio's blocking pool
//! (decoding a long file takes a while and must not hold the JS thread or an async worker).
//! The options are the core's conversion fields.

use crate::outcome::Outcome;
use crate::request::{guarded, parse};
use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;
use std::path::PathBuf;
use svara::{Operation, Result};

/// The input: the bytes as given, or the file at a path.
async fn input_bytes(source: Either<Buffer, String>) -> Result<Vec<u8>> {
    match source {
        Either::A(buffer) => Ok(buffer.to_vec()),
        Either::B(path) => svara::source::read_file_async(&PathBuf::from(path)).await,
    }
}

/// Runs blocking audio work on tokio's blocking pool, a panic becoming an error.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    guarded(async move {
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| crate::outcome::task_failed(&e))?
    })
    .await
}

/// Converts audio to a Messenger-ready M4A/AAC (M4A/AAC input passes through byte for byte).
/// Resolves to the bytes plus `{converted, input, output, mime, file_name}`.
#[napi(catch_unwind)]
pub async fn transcode(source: Either<Buffer, String>, options_json: Option<String>) -> Outcome {
    let result = async move {
        let options = parse(
            Operation::Transcode,
            options_json.as_deref().unwrap_or("{}"),
            None,
        )?
        .prepare_options()?;
        let bytes = input_bytes(source).await?;
        blocking(move || svara::audio::prepare(&bytes, &options)).await
    };
    match result.await {
        Ok(p) => {
            let info = serde_json::json!({
                "converted": p.converted,
                "mime": p.mime,
                "file_name": p.file_name,
                "input": p.input,
                "output": p.output,
            });
            Outcome::data(p.data, info)
        }
        Err(e) => Outcome::error(&e),
    }
}

/// Describes a recording by its content: container, codec, sample rate, channels, duration.
#[napi(catch_unwind)]
pub async fn probe(source: Either<Buffer, String>) -> Outcome {
    let result = async move {
        let bytes = input_bytes(source).await?;
        blocking(move || svara::audio::probe(&bytes)).await
    };
    Outcome::from_result(result.await)
}
