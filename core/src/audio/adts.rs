//! Raw ADTS `.aac` streams are already AAC: their frames are moved into an M4A without
//! re-encoding (no quality loss, no encoder time), stopping at a truncated last frame.

use super::detect::adts_frame_len;
use super::mux::m4a::{AacTrack, M4aMuxer};
use crate::error::{Error, ErrorCode, Result};

/// The stream parameters of the first ADTS header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AdtsConfig {
    object_type: u8,
    freq_index: u8,
    channel_config: u8,
}

const RATES: [u32; 13] = [
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/// An ADTS stream moved into an M4A.
pub(crate) struct Wrapped {
    /// The M4A bytes.
    pub data: Vec<u8>,
    /// Sample rate.
    pub rate: u32,
    /// Channel count.
    pub channels: u16,
    /// Samples per channel carried (1024 per frame).
    pub frames: u64,
}

/// Wraps the ADTS frames of `bytes` (starting at `start`) into an M4A. Returns `None` when the
/// stream cannot be carried as is (multiple raw blocks per frame, a channel layout given only by
/// a PCE, parameters changing mid-stream), so the caller re-encodes it instead.
pub(crate) fn wrap(bytes: &[u8], max_bytes: u64) -> Result<Option<Wrapped>> {
    let start = first_frame(bytes).unwrap_or(0);
    let mut pos = start;
    let mut config: Option<AdtsConfig> = None;
    let mut muxer: Option<M4aMuxer> = None;
    let mut rate = 0;
    let mut total = 0u64;
    while let Some(h) = bytes.get(pos..pos + 7) {
        if h[0] != 0xFF || h[1] & 0xF6 != 0xF0 {
            break; // lost sync: trailing junk or damage; keep what we have
        }
        let len = adts_frame_len(h);
        let header = if h[1] & 0x01 == 0 { 9 } else { 7 };
        if len <= header || pos + len > bytes.len() {
            break; // truncated last frame
        }
        let this = AdtsConfig {
            object_type: (h[2] >> 6) + 1,
            freq_index: (h[2] >> 2) & 0x0F,
            channel_config: ((h[2] & 0x01) << 2) | (h[3] >> 6),
        };
        let blocks = h[6] & 0x03;
        if blocks != 0 || this.channel_config == 0 || this.freq_index > 11 {
            return Ok(None);
        }
        match config {
            None => {
                rate = RATES[usize::from(this.freq_index)];
                muxer = Some(M4aMuxer::new(AacTrack {
                    object_type: this.object_type,
                    freq_index: this.freq_index,
                    channel_config: this.channel_config,
                    rate,
                    bitrate: 0,
                    frame_len: 1024,
                })?);
                config = Some(this);
            }
            Some(c) if c != this => return Ok(None),
            Some(_) => {}
        }
        total += len as u64;
        if total > max_bytes {
            return Err(Error::new(
                ErrorCode::AudioTooLarge,
                format!("the M4A would be over {max_bytes} bytes (25 MB)"),
            ));
        }
        if let Some(m) = muxer.as_mut() {
            m.write_frame(&bytes[pos + header..pos + len])?;
        }
        pos += len;
    }
    let (Some(muxer), Some(config)) = (muxer, config) else {
        return Ok(None);
    };
    let frames = muxer.frames() * 1024;
    let channels = if config.channel_config == 7 {
        8
    } else {
        u16::from(config.channel_config)
    };
    let data = muxer.finish(None)?;
    Ok(Some(Wrapped {
        data,
        rate,
        channels,
        frames,
    }))
}

/// Skips an ID3 tag and padding in front of the first ADTS frame.
fn first_frame(bytes: &[u8]) -> Option<usize> {
    let mut off = 0;
    if bytes.starts_with(b"ID3") && bytes.len() >= 10 {
        let size = bytes[6..10]
            .iter()
            .fold(0usize, |acc, &b| (acc << 7) | usize::from(b & 0x7F));
        off = 10 + size + if bytes[5] & 0x10 != 0 { 10 } else { 0 };
    }
    (off..bytes.len().min(off + 64 * 1024)).find(|&i| super::detect::is_adts_at(bytes, i))
}
