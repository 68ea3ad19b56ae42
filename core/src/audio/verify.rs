//! `verify_m4a_aac` and `verify_ogg_opus`: the checks a platform applies to an uploaded voice
//! note (the right container holding the right codec, every packet decoding), used by
//! pass-through and by the emulator. The duration is what a player plays: the edit list's for
//! M4A, the decoded length (pre-skip and end trimming applied) for Ogg/Opus.

use symphonia::core::codecs::audio::well_known::{CODEC_ID_AAC, CODEC_ID_OPUS};
use symphonia::core::codecs::audio::AudioCodecId;

use super::decode::{decode_stream, nothing_decoded, DecodeStats};
use super::demux::{self, codec_name, Demuxed};
use super::detect::{sniff, OggCodec, Sniffed};
use super::mp4meta;
use super::AudioInfo;
use crate::error::{Error, Result};

/// Demuxes `bytes` as MP4 and decodes every AAC packet; see [`crate::audio::verify_m4a_aac`].
pub(crate) fn verify_m4a(bytes: &[u8]) -> Result<AudioInfo> {
    let sniffed = sniff(bytes);
    if !matches!(sniffed, Sniffed::Mp4 { .. }) {
        return Err(not_a("an M4A/AAC", sniffed, "an MP4 container"));
    }
    let (demuxed, stats) = decode_all(bytes, sniffed, CODEC_ID_AAC, "M4A/AAC", "MP4", "AAC")?;
    // The edit list's presentation length removes the encoder delay; else the decoded length.
    let duration_ms = mp4meta::presentation_ms(bytes).unwrap_or_else(|| {
        let frames = demuxed
            .num_frames
            .filter(|&n| n > 0)
            .unwrap_or(stats.frames);
        frames * 1000 / u64::from(rate_of(&demuxed, &stats).max(1))
    });
    Ok(info(bytes, &demuxed, &stats, duration_ms))
}

/// Demuxes `bytes` as Ogg and decodes every Opus packet; see [`crate::audio::verify_ogg_opus`].
pub(crate) fn verify_ogg_opus(bytes: &[u8]) -> Result<AudioInfo> {
    let sniffed = sniff(bytes);
    if sniffed != Sniffed::Ogg(OggCodec::Opus) {
        return Err(not_a("an Ogg/Opus", sniffed, "Opus in an Ogg container"));
    }
    let (demuxed, stats) = decode_all(bytes, sniffed, CODEC_ID_OPUS, "Ogg/Opus", "Ogg", "Opus")?;
    let duration_ms = stats.frames * 1000 / u64::from(stats.rate.max(1));
    Ok(info(bytes, &demuxed, &stats, duration_ms))
}

fn not_a(note: &str, sniffed: Sniffed, wanted: &str) -> Error {
    let what = match sniffed {
        Sniffed::Refused(what) => what.to_owned(),
        Sniffed::Ogg(OggCodec::Vorbis) => "Vorbis audio in an Ogg container".to_owned(),
        Sniffed::Ogg(_) => "an Ogg file without Opus audio".to_owned(),
        other => format!("{} audio", demux::container_name(other)),
    };
    Error::unsupported_audio(format!(
        "not a playable {note} voice note: this is {what}, not {wanted}"
    ))
}

/// Opens `bytes`, checks the track's codec and decodes every packet, refusing any failure.
fn decode_all<'a>(
    bytes: &'a [u8],
    sniffed: Sniffed,
    codec: AudioCodecId,
    note: &str,
    container: &str,
    codec_label: &str,
) -> Result<(Demuxed<'a>, DecodeStats)> {
    let mut demuxed = demux::open(bytes, sniffed)?;
    if demuxed.params.codec != codec {
        return Err(Error::unsupported_audio(format!(
            "not a playable {note} voice note: the {container} file's audio track is {}, not {codec_label}",
            codec_name(&demuxed.params)
        )));
    }
    let mut decoder = demux::make_decoder(&demuxed.params, demuxed.container)?;
    let stats = decode_stream(&mut demuxed, decoder.as_mut(), |_| Ok(()))?;
    if stats.packets_ok == 0 {
        return Err(nothing_decoded(
            &format!("a {container} file with an {codec_label} track"),
            &stats,
        ));
    }
    // A stream that ends without its end-of-stream mark (WhatsApp's own notes) still plays:
    // only packets that do not decode make a note unplayable.
    if stats.packets_failed > 0 {
        return Err(Error::unsupported_audio(format!(
            "not a playable {note} voice note: {} of {} {codec_label} packets failed to decode",
            stats.packets_failed,
            stats.packets_failed + stats.packets_ok
        )));
    }
    Ok((demuxed, stats))
}

fn rate_of(demuxed: &Demuxed<'_>, stats: &DecodeStats) -> u32 {
    demuxed
        .params
        .sample_rate
        .filter(|&r| r > 0)
        .unwrap_or(stats.rate)
}

fn info(bytes: &[u8], demuxed: &Demuxed<'_>, stats: &DecodeStats, duration_ms: u64) -> AudioInfo {
    let channels = demuxed
        .params
        .channels
        .as_ref()
        .map(|c| c.count())
        .filter(|&c| c > 0)
        .unwrap_or(stats.channels);
    AudioInfo {
        container: demuxed.container.to_owned(),
        codec: codec_name(&demuxed.params),
        sample_rate: rate_of(demuxed, stats),
        channels: u16::try_from(channels).unwrap_or(u16::MAX),
        duration_ms,
        size_bytes: bytes.len() as u64,
    }
}
