//! The values that flow through the audio pipeline: what a recording is, which voice-note format
//! to make of it and how, and what comes out ready to upload.

use serde::{Deserialize, Serialize};
use std::time::Duration;

use crate::error::{Error, Result};

/// Messenger's attachment limit, 25 MB: the default output limit
/// ([`PrepareOptions::max_bytes`]) and the least input limit.
pub const MAX_AUDIO_BYTES: u64 = 26_214_400;

/// MIME type of an M4A/AAC note ([`TargetFormat::M4aAac`]); a prepared note carries its own in
/// [`PreparedAudio::mime`].
pub const OUTPUT_MIME: &str = "audio/mp4";

/// The native voice-note format a platform plays: AAC in M4A (Messenger, Instagram) or Opus in
/// Ogg, mono (WhatsApp, Telegram).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum TargetFormat {
    /// AAC-LC in an M4A (MP4) container, `audio/mp4`.
    #[default]
    #[serde(rename = "m4a-aac")]
    M4aAac,
    /// Opus (VOIP application, mono, 20 ms frames) in an Ogg container, `audio/ogg`.
    #[serde(rename = "ogg-opus")]
    OggOpus,
}

impl TargetFormat {
    /// Every format, in the order the documentation lists them.
    pub const ALL: [TargetFormat; 2] = [TargetFormat::M4aAac, TargetFormat::OggOpus];

    /// The name used in options, the CLI and the HTTP API: `m4a-aac` or `ogg-opus`.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetFormat::M4aAac => "m4a-aac",
            TargetFormat::OggOpus => "ogg-opus",
        }
    }

    /// MIME type of the upload.
    pub fn mime(self) -> &'static str {
        match self {
            TargetFormat::M4aAac => OUTPUT_MIME,
            TargetFormat::OggOpus => "audio/ogg",
        }
    }

    /// File name of the upload.
    pub fn file_name(self) -> &'static str {
        match self {
            TargetFormat::M4aAac => "voice-note.m4a",
            TargetFormat::OggOpus => "voice-note.ogg",
        }
    }

    /// Bitrate used when none is given, in bits per second: 64,000 for AAC, 32,000 for Opus.
    pub fn default_bitrate(self) -> u32 {
        match self {
            TargetFormat::M4aAac => 64_000,
            TargetFormat::OggOpus => 32_000,
        }
    }

    /// Lowest and highest bitrate accepted for this format, in bits per second.
    pub fn bitrate_range(self) -> (u32, u32) {
        match self {
            TargetFormat::M4aAac => (8_000, 320_000),
            TargetFormat::OggOpus => (6_000, 256_000),
        }
    }

    /// The container and codec names [`AudioInfo`] reports for a note in this format.
    pub(crate) fn container_codec(self) -> (&'static str, &'static str) {
        match self {
            TargetFormat::M4aAac => ("mp4", "aac-lc"),
            TargetFormat::OggOpus => ("ogg", "opus"),
        }
    }
}

impl std::fmt::Display for TargetFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TargetFormat {
    type Err = Error;

    /// Parses `m4a-aac` or `ogg-opus` (case-insensitive); anything else is an
    /// [`crate::ErrorCode::InvalidRequest`] error that lists the formats.
    fn from_str(s: &str) -> Result<Self> {
        TargetFormat::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::invalid_request(format!(
                    "unknown audio format {s:?}: use \"m4a-aac\" (Messenger, Instagram) or \"ogg-opus\" (WhatsApp, Telegram)"
                ))
            })
    }
}

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

/// How [`crate::audio::prepare`] makes a voice note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrepareOptions {
    /// The format to produce (default [`TargetFormat::M4aAac`]).
    pub format: TargetFormat,
    /// Bitrate of the target format in bits per second (default 64,000, AAC's;
    /// [`PrepareOptions::for_format`] starts from the format's own default, 32,000 for Opus).
    pub bitrate: u32,
    /// Keep stereo input stereo instead of down-mixing to mono (default false: voice notes are
    /// mono). M4A/AAC only: Opus voice notes are always mono.
    pub keep_stereo: bool,
    /// Refuse recordings longer than this (`audio_too_large`), when set.
    pub max_duration: Option<Duration>,
    /// The largest note to make, in bytes: the platform's upload limit (default 25 MB,
    /// [`MAX_AUDIO_BYTES`]; a client sets its platform's). Conversion stops as soon as the note
    /// grows over it, and recordings are read up to it (at least up to 25 MB).
    pub max_bytes: u64,
    /// Encode faster for a little less quality: FDK's afterburner always off for AAC (the
    /// default runs it only where it pays, below 2 bits per sample, e.g. at 32 kb/s: about twice
    /// as fast there for about 0.1 less PESQ-WB), a lower encoder complexity for Opus (3 instead
    /// of 6). Default false.
    pub fast_encode: bool,
}

impl PrepareOptions {
    /// The defaults for `format`, with that format's default bitrate.
    pub fn for_format(format: TargetFormat) -> Self {
        PrepareOptions {
            format,
            bitrate: format.default_bitrate(),
            ..PrepareOptions::default()
        }
    }
}

impl Default for PrepareOptions {
    fn default() -> Self {
        PrepareOptions {
            format: TargetFormat::M4aAac,
            bitrate: TargetFormat::M4aAac.default_bitrate(),
            keep_stereo: false,
            max_duration: None,
            max_bytes: MAX_AUDIO_BYTES,
            fast_encode: false,
        }
    }
}

/// A voice note ready to upload, in the requested [`TargetFormat`].
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedAudio {
    /// The file's bytes (M4A or Ogg).
    pub data: Vec<u8>,
    /// MIME type of the upload: [`TargetFormat::mime`] of the format made.
    pub mime: &'static str,
    /// File name for the upload: [`TargetFormat::file_name`] of the format made.
    pub file_name: String,
    /// What came in.
    pub input: AudioInfo,
    /// What goes out.
    pub output: AudioInfo,
    /// False when the input was already in the target format and is sent byte for byte.
    pub converted: bool,
}

impl PreparedAudio {
    /// The format of [`PreparedAudio::data`], from its MIME type.
    pub fn format(&self) -> TargetFormat {
        TargetFormat::ALL
            .into_iter()
            .find(|f| f.mime() == self.mime)
            .unwrap_or_default()
    }
}

impl std::fmt::Debug for PreparedAudio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedAudio")
            .field("data", &format_args!("<{} bytes>", self.data.len()))
            .field("mime", &self.mime)
            .field("file_name", &self.file_name)
            .field("input", &self.input)
            .field("output", &self.output)
            .field("converted", &self.converted)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_name_themselves() {
        for f in TargetFormat::ALL {
            assert_eq!(f.as_str().parse::<TargetFormat>().unwrap(), f);
            assert_eq!(
                serde_json::to_string(&f).unwrap(),
                format!("\"{}\"", f.as_str())
            );
        }
        assert_eq!(
            " OGG-Opus ".parse::<TargetFormat>().unwrap(),
            TargetFormat::OggOpus
        );
        let err = "mp3".parse::<TargetFormat>().unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::InvalidRequest);
        assert!(err.message().contains("ogg-opus"), "{err}");
        assert_eq!(
            PrepareOptions::for_format(TargetFormat::OggOpus).bitrate,
            32_000
        );
    }
}
