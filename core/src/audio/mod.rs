//! The audio engine: any voice recording in, a Messenger-ready M4A/AAC voice note out.
//!
//! Data flow: bytes -> [`probe`] (detect -> demux) -> (pass through | ADTS re-wrap |
//! decode -> mixdown -> resample -> encode -> mux) -> [`PreparedAudio`].

mod adts;
mod decode;
mod demux;
mod detect;
mod encode;
mod mixdown;
mod mp4meta;
mod mux;
mod parallel;
mod passthrough;
mod pipeline;
mod probe;
mod resample;
mod types;
mod verify;

pub use types::{AudioInfo, PrepareOptions, PreparedAudio, MAX_AUDIO_BYTES, OUTPUT_MIME};

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{Error, ErrorCode, Result};

/// Detects what `bytes` hold, by content (never by file name or Content-Type).
///
/// The duration is decoded when the container does not state it (MediaRecorder WebM).
/// Anything that is not decodable audio is an [`ErrorCode::UnsupportedAudio`] error whose
/// message names what was detected ("this is a PNG image, not audio").
pub fn probe(bytes: &[u8]) -> Result<AudioInfo> {
    contained(|| probe::probe_bytes(bytes).map(|p| p.info))
}

/// Turns `bytes` into M4A/AAC ready to upload (M4A/AAC input passes through untouched).
///
/// Errors: [`ErrorCode::AudioTooLarge`] when the input or the output is over
/// [`MAX_AUDIO_BYTES`] or the recording is longer than [`PrepareOptions::max_duration`];
/// [`ErrorCode::UnsupportedAudio`] when nothing decodable is found;
/// [`ErrorCode::InvalidRequest`] for an unusable option (bitrate).
pub fn prepare(bytes: &[u8], options: &PrepareOptions) -> Result<PreparedAudio> {
    check_input_size(bytes)?;
    contained(|| pipeline::prepare(bytes, options))
}

/// Checks that `bytes` are a playable M4A/MP4 holding an AAC track, by decoding every packet
/// (what Meta does before accepting an upload). Returns what was found.
pub fn verify_m4a_aac(bytes: &[u8]) -> Result<AudioInfo> {
    contained(|| verify::verify(bytes))
}

fn check_input_size(bytes: &[u8]) -> Result<()> {
    if bytes.len() as u64 > MAX_AUDIO_BYTES {
        return Err(Error::new(
            ErrorCode::AudioTooLarge,
            format!(
                "the recording is {} bytes, over Messenger's limit of {MAX_AUDIO_BYTES} bytes (25 MB); it was not decoded",
                bytes.len()
            ),
        ));
    }
    Ok(())
}

/// Runs `f`, turning a panic anywhere below (a decoder meeting hostile input) into a typed error:
/// the Python and Node bindings sit on this code and must never see an unwind.
fn contained<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(_) => Err(Error::unsupported_audio(
            "the audio decoder failed on this file (it is malformed in a way it could not recover from)",
        )),
    }
}
