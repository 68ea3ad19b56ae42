//! The audio engine: any voice recording in, a Messenger-ready M4A/AAC voice note out.
//!
//! Data flow: bytes -> [`probe`] -> (pass through | decode -> encode -> mux) -> [`PreparedAudio`].

mod types;

pub use types::{AudioInfo, PrepareOptions, PreparedAudio, MAX_AUDIO_BYTES, OUTPUT_MIME};

use crate::error::{Error, Result};

/// Detects what `bytes` hold, by content.
pub fn probe(bytes: &[u8]) -> Result<AudioInfo> {
    let _ = bytes;
    Err(Error::unsupported_audio("audio engine not built yet"))
}

/// Turns `bytes` into M4A/AAC ready to upload (M4A/AAC input passes through untouched).
pub fn prepare(bytes: &[u8], options: &PrepareOptions) -> Result<PreparedAudio> {
    let _ = (bytes, options);
    Err(Error::unsupported_audio("audio engine not built yet"))
}

/// Checks that `bytes` are a playable M4A/MP4 holding an AAC track, by decoding every packet
/// (what Meta does before accepting an upload). Returns what was found.
pub fn verify_m4a_aac(bytes: &[u8]) -> Result<AudioInfo> {
    let _ = bytes;
    Err(Error::unsupported_audio("audio engine not built yet"))
}
