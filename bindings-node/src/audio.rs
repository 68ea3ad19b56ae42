//! `transcode()` and `probe()`: the audio engine on its own. The work runs on tokio's blocking
//! pool (decoding a long file takes a while and must not hold the JS thread or an async worker).

use crate::outcome::Outcome;
use crate::request::guarded;
use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;
use serde::Deserialize;
use std::time::Duration;
use svara::audio::{PrepareOptions, MAX_AUDIO_BYTES};
use svara::{Error, ErrorCode, Result};

/// `transcode()` options, snake_case like the rest of the package.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TranscodeOptions {
    bitrate: Option<u32>,
    keep_stereo: Option<bool>,
    max_duration_ms: Option<u64>,
}

impl TranscodeOptions {
    fn parse(json: Option<&str>) -> Result<PrepareOptions> {
        let o: TranscodeOptions = match json {
            None => TranscodeOptions::default(),
            Some(j) => serde_json::from_str(j).map_err(|e| {
                Error::invalid_request(format!(
                    "transcode options are not valid ({e}); use {{ bitrate, keep_stereo, max_duration_ms }}."
                ))
            })?,
        };
        let mut p = PrepareOptions::default();
        if let Some(b) = o.bitrate {
            if !(8_000..=320_000).contains(&b) {
                return Err(Error::invalid_request(format!(
                    "bitrate {b} is out of range; give bits per second between 8000 and 320000 (default 64000)."
                )));
            }
            p.bitrate = b;
        }
        p.keep_stereo = o.keep_stereo.unwrap_or(false);
        p.max_duration = o.max_duration_ms.map(Duration::from_millis);
        Ok(p)
    }
}

/// Reads the input: the bytes as given, or the file at a path (refused over 25 MB before reading).
async fn input_bytes(source: Either<Buffer, String>) -> Result<Vec<u8>> {
    match source {
        Either::A(buffer) => Ok(buffer.to_vec()),
        Either::B(path) => {
            let unreadable = |e: std::io::Error| {
                Error::new(
                    ErrorCode::AudioFetchFailed,
                    format!("Cannot read the audio file {path:?}: {e}. Check the path and its permissions."),
                )
            };
            let meta = tokio::fs::metadata(&path).await.map_err(unreadable)?;
            if !meta.is_file() {
                return Err(Error::new(
                    ErrorCode::AudioFetchFailed,
                    format!("{path:?} is not a file; pass the path of an audio file."),
                ));
            }
            if meta.len() > MAX_AUDIO_BYTES {
                return Err(Error::new(
                    ErrorCode::AudioTooLarge,
                    format!(
                        "{path:?} is {} bytes, over Messenger's 25 MB limit ({MAX_AUDIO_BYTES} bytes).",
                        meta.len()
                    ),
                ));
            }
            tokio::fs::read(&path).await.map_err(unreadable)
        }
    }
}

/// Converts audio to a Messenger-ready M4A/AAC (M4A/AAC input passes through byte for byte).
/// Resolves to the bytes plus `{converted, input, output, mime, file_name}`.
#[napi(catch_unwind)]
pub async fn transcode(source: Either<Buffer, String>, options_json: Option<String>) -> Outcome {
    let result = async move {
        let options = TranscodeOptions::parse(options_json.as_deref())?;
        let bytes = input_bytes(source).await?;
        guarded(async move {
            tokio::task::spawn_blocking(move || svara::audio::prepare(&bytes, &options))
                .await
                .map_err(|e| crate::outcome::task_failed(&e))?
        })
        .await
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
        guarded(async move {
            tokio::task::spawn_blocking(move || svara::audio::probe(&bytes))
                .await
                .map_err(|e| crate::outcome::task_failed(&e))?
        })
        .await
    };
    Outcome::from_result(result.await)
}
