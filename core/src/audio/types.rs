//! The values that flow through the audio pipeline: what a recording is, how to convert it, and
//! what comes out ready to upload.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Messenger's attachment limit, 25 MB, applied to both the input and the output.
pub const MAX_AUDIO_BYTES: u64 = 26_214_400;

/// MIME type of every prepared upload.
pub const OUTPUT_MIME: &str = "audio/mp4";

/// What a recording is, as detected from its content (never from a file name or Content-Type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioInfo {
    /// Container: `mp4`, `adts`, `mp3`, `ogg`, `webm`, `matroska`, `wav`, `flac`, `caf`, `aiff`.
    pub container: String,
    /// Codec: `aac-lc`, `he-aac`, `mp3`, `opus`, `vorbis`, `pcm_s16le`, `pcm_mulaw`, `flac`, `alac`, ...
    pub codec: String,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u16,
    /// Duration in milliseconds (decoded when the container does not say).
    pub duration_ms: u64,
    /// Size of the file in bytes.
    pub size_bytes: u64,
}

/// How [`crate::audio::prepare`] converts audio that is not already M4A/AAC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrepareOptions {
    /// AAC-LC bitrate in bits per second (default 64,000).
    pub bitrate: u32,
    /// Keep stereo input stereo instead of down-mixing to mono (default false: voice notes are mono).
    pub keep_stereo: bool,
    /// Refuse recordings longer than this (`audio_too_large`), when set.
    pub max_duration: Option<Duration>,
    /// Encode about twice as fast by turning off FDK's afterburner, for about 3 dB less SNR on
    /// speech (still above ffmpeg's AAC encoder at the same bitrate). Default false.
    pub fast_encode: bool,
}

impl Default for PrepareOptions {
    fn default() -> Self {
        PrepareOptions {
            bitrate: 64_000,
            keep_stereo: false,
            max_duration: None,
            fast_encode: false,
        }
    }
}

/// Audio ready to upload: always M4A/AAC.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedAudio {
    /// The M4A bytes.
    pub data: Vec<u8>,
    /// Always [`OUTPUT_MIME`].
    pub mime: &'static str,
    /// File name for the upload, ending in `.m4a`.
    pub file_name: String,
    /// What came in.
    pub input: AudioInfo,
    /// What goes out.
    pub output: AudioInfo,
    /// False when the input was already M4A/AAC and is sent byte for byte.
    pub converted: bool,
}

impl std::fmt::Debug for PreparedAudio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedAudio")
            .field("data", &format_args!("<{} bytes>", self.data.len()))
            .field("file_name", &self.file_name)
            .field("input", &self.input)
            .field("output", &self.output)
            .field("converted", &self.converted)
            .finish()
    }
}
