//! `prepare`: routes a recording to the cheapest path that yields the target format. For
//! M4A/AAC: pass-through (already M4A/AAC), ADTS re-wrapping (already AAC) or the streaming
//! conversion; for Ogg/Opus: pass-through (already mono Ogg/Opus, re-stamped when its timing
//! does not start at zero), WebM re-wrapping (already mono Opus) or the streaming conversion.

use super::convert::convert;
use super::detect::{sniff, OggCodec, Sniffed};
use super::limits::{check_duration, check_output_size};
use super::passthrough::{try_m4a_pass_through, try_ogg_pass_through, try_webm_opus_remux};
use super::OUTPUT_MIME;
use super::{adts, verify, AudioInfo, PrepareOptions, PreparedAudio, TargetFormat};
use crate::error::{Error, Result};

/// See [`crate::audio::prepare`].
pub(crate) fn prepare(bytes: &[u8], options: &PrepareOptions) -> Result<PreparedAudio> {
    let (low, high) = options.format.bitrate_range();
    if options.bitrate < low || options.bitrate > high {
        return Err(Error::invalid_request(format!(
            "bitrate {} b/s is out of range for {}: use {low} to {high} ({} is the default and suits voice)",
            options.bitrate,
            options.format,
            options.format.default_bitrate()
        )));
    }
    let sniffed = sniff(bytes);
    let passed = match (options.format, sniffed) {
        (TargetFormat::M4aAac, Sniffed::Mp4 { .. }) => try_m4a_pass_through(bytes, sniffed)?,
        (TargetFormat::M4aAac, Sniffed::Adts) => adts_rewrap(bytes, options.max_bytes)?,
        (TargetFormat::OggOpus, Sniffed::Ogg(OggCodec::Opus)) => try_ogg_pass_through(bytes)?,
        (TargetFormat::OggOpus, Sniffed::Matroska { .. }) => {
            try_webm_opus_remux(bytes, sniffed, options.max_bytes)?
        }
        _ => None,
    };
    if let Some(prepared) = passed {
        check_duration(prepared.output.duration_ms, options)?;
        check_output_size(
            prepared.data.len() as u64,
            options.max_bytes,
            options.format,
        )?;
        return Ok(prepared);
    }
    convert(bytes, sniffed, options)
}

/// Raw ADTS `.aac` is already AAC: its frames move into an M4A without re-encoding, if what we
/// wrote plays (every frame decodes); otherwise the caller re-encodes what decodes.
fn adts_rewrap(bytes: &[u8], max_bytes: u64) -> Result<Option<PreparedAudio>> {
    let Some(adts::Wrapped {
        data,
        rate,
        channels,
        frames,
    }) = adts::wrap(bytes, max_bytes)?
    else {
        return Ok(None);
    };
    let Ok(output) = verify::verify_m4a(&data) else {
        return Ok(None);
    };
    let input = AudioInfo {
        container: "adts".to_owned(),
        codec: output.codec.clone(),
        sample_rate: rate,
        channels,
        duration_ms: frames * 1000 / u64::from(rate.max(1)),
        size_bytes: bytes.len() as u64,
    };
    Ok(Some(PreparedAudio {
        data,
        mime: OUTPUT_MIME,
        file_name: TargetFormat::M4aAac.file_name().to_owned(),
        input,
        output,
        converted: true,
    }))
}
