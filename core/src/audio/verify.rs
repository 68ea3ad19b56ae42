//! `verify_m4a_aac`: the check Meta applies to an uploaded voice note (an MP4 container with an
//! AAC track in which every packet decodes), used by pass-through and by the emulator.

use super::decode::{decode_stream, nothing_decoded};
use super::demux::{self, codec_name};
use super::detect::{sniff, Sniffed};
use super::mp4meta;
use super::AudioInfo;
use crate::error::{Error, Result};
use symphonia::core::codecs::audio::well_known::CODEC_ID_AAC;

/// Demuxes `bytes` as MP4 and decodes every AAC packet; see [`crate::audio::verify_m4a_aac`].
pub(crate) fn verify(bytes: &[u8]) -> Result<AudioInfo> {
    let sniffed = sniff(bytes);
    if !matches!(sniffed, Sniffed::Mp4 { .. }) {
        let what = match sniffed {
            Sniffed::Refused(what) => what.to_owned(),
            other => format!("{} audio", demux::container_name(other)),
        };
        return Err(Error::unsupported_audio(format!(
            "not a playable M4A/AAC voice note: this is {what}, not an MP4 container"
        )));
    }
    let mut demuxed = demux::open(bytes, sniffed)?;
    if demuxed.params.codec != CODEC_ID_AAC {
        return Err(Error::unsupported_audio(format!(
            "not a playable M4A/AAC voice note: the MP4's audio track is {}, not AAC",
            codec_name(&demuxed.params)
        )));
    }
    let codec = codec_name(&demuxed.params);
    let mut decoder = demux::make_decoder(&demuxed.params, demuxed.container)?;
    let stats = decode_stream(&mut demuxed, decoder.as_mut(), |_| Ok(()))?;
    if stats.packets_ok == 0 {
        return Err(nothing_decoded("an MP4 file with an AAC track", &stats));
    }
    if stats.packets_failed > 0 {
        return Err(Error::unsupported_audio(format!(
            "not a playable M4A/AAC voice note: {} of {} AAC packets failed to decode",
            stats.packets_failed,
            stats.packets_failed + stats.packets_ok
        )));
    }
    let rate = demuxed
        .params
        .sample_rate
        .filter(|&r| r > 0)
        .unwrap_or(stats.rate);
    let channels = demuxed
        .params
        .channels
        .as_ref()
        .map(|c| c.count())
        .filter(|&c| c > 0)
        .unwrap_or(stats.channels);
    // Prefer the edit list's presentation length (it removes encoder delay), then the decoded length.
    let duration_ms = mp4meta::presentation_ms(bytes).unwrap_or_else(|| {
        let frames = demuxed
            .num_frames
            .filter(|&n| n > 0)
            .unwrap_or(stats.frames);
        frames * 1000 / u64::from(rate.max(1))
    });
    Ok(AudioInfo {
        container: demuxed.container.to_owned(),
        codec,
        sample_rate: rate,
        channels: u16::try_from(channels).unwrap_or(u16::MAX),
        duration_ms,
        size_bytes: bytes.len() as u64,
    })
}
