//! Pass-through: a recording already in the target format is sent as it is instead of being
//! re-encoded (no quality loss, no encoder time). An M4A/MP4 whose only media is AAC that
//! decodes cleanly is what Messenger plays; a mono Ogg/Opus stream whose packets all decode is
//! what WhatsApp and Telegram play (re-stamped, packets untouched, when its timing does not start
//! at zero, so players show the length of the audio it holds); mono Opus in WebM (browser
//! MediaRecorder) moves into Ogg with its packets untouched.

use symphonia::core::codecs::audio::well_known::CODEC_ID_OPUS;

use super::demux::{self, codec_name};
use super::detect::Sniffed;
use super::limits::check_output_size;
use super::mux::ogg::{OggMuxer, OpusStream};
use super::oggmeta::{opus_packet_samples, opus_timing, restamp};
use super::{verify, AudioInfo, PreparedAudio, TargetFormat};
use crate::error::Result;

/// Returns the M4A unchanged when it can be sent as is, or `None` when it must be converted.
pub(crate) fn try_m4a_pass_through(
    bytes: &[u8],
    sniffed: Sniffed,
) -> Result<Option<PreparedAudio>> {
    let demuxed = demux::open(bytes, sniffed)?;
    let codec = codec_name(&demuxed.params);
    let is_aac = codec.starts_with("aac") || codec.contains("he-aac");
    if demuxed.container != "mp4" || !is_aac || demuxed.has_video {
        return Ok(None);
    }
    let channels = demuxed
        .params
        .channels
        .as_ref()
        .map_or(0, |c| c.count() as u16);
    let rate = demuxed.params.sample_rate.unwrap_or(0);
    drop(demuxed);
    // Meta decodes the upload; so do we, and convert what we can if any packet is damaged.
    let Ok(verified) = verify::verify_m4a(bytes) else {
        return Ok(None);
    };
    let input = AudioInfo {
        container: "mp4".to_owned(),
        codec,
        sample_rate: rate,
        channels,
        duration_ms: verified.duration_ms,
        size_bytes: bytes.len() as u64,
    };
    Ok(Some(PreparedAudio {
        data: bytes.to_vec(),
        mime: TargetFormat::M4aAac.mime(),
        file_name: TargetFormat::M4aAac.file_name().to_owned(),
        input,
        output: verified,
        converted: false,
    }))
}

/// A start offset up to this many 48 kHz samples (50 ms) is left as it is: WhatsApp's own notes
/// count the pre-skip twice (start at +104 samples), and a note is sent as its recorder wrote it
/// unless players would show a length off by more than 50 ms.
const RESTAMP_ABOVE: i64 = 2_400;

/// Returns a mono Ogg/Opus recording as it is (or re-stamped to start at zero), or `None` when
/// it must be converted (stereo, several streams, damaged packets, a start before zero).
pub(crate) fn try_ogg_pass_through(bytes: &[u8]) -> Result<Option<PreparedAudio>> {
    let Ok(verified) = verify::verify_ogg_opus(bytes) else {
        return Ok(None);
    };
    if verified.channels != 1 {
        return Ok(None);
    }
    let Some(timing) = opus_timing(bytes) else {
        return Ok(None);
    };
    let (data, converted) = match timing.start {
        start if (0..=RESTAMP_ABOVE).contains(&start) => (bytes.to_vec(), false),
        start if start > 0 => (restamp(bytes, start as u64)?, true),
        _ => return Ok(None),
    };
    let mut output = verified.clone();
    output.size_bytes = data.len() as u64;
    Ok(Some(PreparedAudio {
        data,
        mime: TargetFormat::OggOpus.mime(),
        file_name: TargetFormat::OggOpus.file_name().to_owned(),
        input: verified,
        output,
        converted,
    }))
}

/// Moves mono Opus from WebM/Matroska into Ogg without re-encoding: the same packets, granule
/// positions from their durations, the `OpusHead` (and so the pre-skip) the recorder wrote.
/// `None` when it is not mono Opus, a packet does not parse, or the result does not verify.
pub(crate) fn try_webm_opus_remux(
    bytes: &[u8],
    sniffed: Sniffed,
    max_bytes: u64,
) -> Result<Option<PreparedAudio>> {
    let mut demuxed = demux::open(bytes, sniffed)?;
    let head = demuxed.params.extra_data.as_deref().unwrap_or_default();
    let mono = demuxed
        .params
        .channels
        .as_ref()
        .is_some_and(|c| c.count() == 1);
    if demuxed.params.codec != CODEC_ID_OPUS
        || !mono
        || demuxed.has_video
        || head.len() < 19
        || &head[..8] != b"OpusHead"
        || head[9] != 1
        || head[18] != 0
    {
        return Ok(None);
    }
    let pre_skip = u16::from_le_bytes([head[10], head[11]]);
    let input_rate = u32::from_le_bytes([head[12], head[13], head[14], head[15]]);
    let mut muxer = OggMuxer::new(OpusStream {
        serial: 0x5356_4152,
        channels: 1,
        pre_skip,
        input_rate,
        packet_samples: 960,
    })?;
    let mut total = 0u64;
    loop {
        let packet = match demuxed.format.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            // A live recording (no sizes, no cues) ends in an unfinished cluster: the stream
            // ends where its packets do, as decoding it would.
            Err(_) if total > 0 => break,
            Err(_) => return Ok(None),
        };
        if packet.track_id != demuxed.track_id {
            continue;
        }
        let Some(samples) = opus_packet_samples(&packet.data) else {
            return Ok(None);
        };
        total += samples;
        check_output_size(
            muxer.len() + packet.data.len() as u64 + 64,
            max_bytes,
            TargetFormat::OggOpus,
        )?;
        muxer.write_packet_of(&packet.data, samples)?;
    }
    let samples = total.saturating_sub(u64::from(pre_skip));
    let data = muxer.finish(samples)?;
    let container = demuxed.container;
    drop(demuxed);
    let Ok(output) = verify::verify_ogg_opus(&data) else {
        return Ok(None);
    };
    let input = AudioInfo {
        container: container.to_owned(),
        codec: "opus".to_owned(),
        sample_rate: output.sample_rate,
        channels: 1,
        duration_ms: output.duration_ms,
        size_bytes: bytes.len() as u64,
    };
    Ok(Some(PreparedAudio {
        data,
        mime: TargetFormat::OggOpus.mime(),
        file_name: TargetFormat::OggOpus.file_name().to_owned(),
        input,
        output,
        converted: true,
    }))
}
