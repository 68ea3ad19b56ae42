//! The audio engine: any voice recording in, a native voice note out, in the platform's format
//! ([`TargetFormat`]): AAC in M4A (Messenger, Instagram) or Opus in Ogg (WhatsApp, Telegram).
//!
//! Data flow: bytes -> [`probe`] (detect -> demux) -> (pass through | ADTS re-wrap |
//! decode -> mixdown -> resample -> encode (`encode::aac` | `encode::opus`) -> mux (`mux::m4a` |
//! `mux::ogg`)) -> [`PreparedAudio`].

mod adts;
mod convert;
mod decode;
mod demux;
mod detect;
mod encode;
mod limits;
mod mixdown;
mod mp4meta;
mod mux;
mod oggmeta;
mod passthrough;
mod pipeline;
mod probe;
mod repair;
mod resample;
mod types;
mod verify;

pub use types::{
    AudioInfo, PrepareOptions, PreparedAudio, TargetFormat, MAX_AUDIO_BYTES, OUTPUT_MIME,
};

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{Error, ErrorCode, Result};

/// Detects what `bytes` hold, by content (never by file name or Content-Type).
///
/// The duration is decoded when the container does not state it (MediaRecorder WebM).
/// Anything that is not decodable audio is an [`ErrorCode::UnsupportedAudio`] error whose
/// message names what was detected ("this is a PNG image, not audio").
pub fn probe(bytes: &[u8]) -> Result<AudioInfo> {
    contained(|| probe::probe_bytes(bytes))
}

/// Turns `bytes` into a voice note in [`PrepareOptions::format`] ready to upload (M4A/AAC by
/// default). Input already in that format passes through untouched: M4A/AAC for `m4a-aac`, mono
/// Ogg/Opus for `ogg-opus` (re-stamped when its timing does not start at zero).
///
/// Errors: [`ErrorCode::AudioTooLarge`] when the output is over [`PrepareOptions::max_bytes`]
/// (the input over that or [`MAX_AUDIO_BYTES`], whichever is larger) or the recording is longer
/// than [`PrepareOptions::max_duration`];
/// [`ErrorCode::UnsupportedAudio`] when nothing decodable is found;
/// [`ErrorCode::InvalidRequest`] for an unusable option (bitrate).
pub fn prepare(bytes: &[u8], options: &PrepareOptions) -> Result<PreparedAudio> {
    check_input_size(bytes, options)?;
    contained(|| pipeline::prepare(bytes, options))
}

/// Checks that `bytes` are a playable M4A/MP4 holding an AAC track, by decoding every packet
/// (what Meta does before accepting an upload). Returns what was found.
pub fn verify_m4a_aac(bytes: &[u8]) -> Result<AudioInfo> {
    contained(|| verify::verify_m4a(bytes))
}

/// Checks that `bytes` are a playable Ogg/Opus voice note (an Ogg container holding an Opus
/// stream in which every packet decodes, as WhatsApp and Telegram require). Returns what was
/// found; the duration is what plays (pre-skip and end trimming applied).
pub fn verify_ogg_opus(bytes: &[u8]) -> Result<AudioInfo> {
    contained(|| verify::verify_ogg_opus(bytes))
}

/// Recordings up to the output limit are read, and at least up to 25 MB (a long WAV may make
/// a small note for a platform with a lower limit).
fn check_input_size(bytes: &[u8], options: &PrepareOptions) -> Result<()> {
    let max = options.max_bytes.max(MAX_AUDIO_BYTES);
    if bytes.len() as u64 > max {
        return Err(Error::new(
            ErrorCode::AudioTooLarge,
            format!(
                "the recording is {} bytes, over the limit of {max} bytes ({} MB); it was not decoded",
                bytes.len(),
                max / (1024 * 1024)
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
