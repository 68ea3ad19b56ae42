//! `probe`: what a recording is (container, codec, rate, channels, duration), detected from its
//! content. The duration is measured, not taken from the header (a truncated MP3 keeps the
//! length of the whole file in its Xing header; MediaRecorder WebM states none): every packet is
//! demuxed and its duration summed, and packets without a stated duration are decoded.

use std::panic::{catch_unwind, AssertUnwindSafe};

use symphonia::core::codecs::audio::AudioDecoder;
use symphonia::core::errors::Error as SymError;

use super::decode::DecodeStats;
use super::demux::{self, codec_name, Demuxed};
use super::detect::{sniff, Sniffed};
use super::AudioInfo;
use crate::error::Result;

/// Probes `bytes`.
pub(crate) fn probe_bytes(bytes: &[u8]) -> Result<AudioInfo> {
    let sniffed = sniff(bytes);
    let mut demuxed = demux::open(bytes, sniffed)?;
    let mut decoder = demux::make_decoder(&demuxed.params, demuxed.container)?;
    let codec = codec_name(&demuxed.params);
    // CAF states every packet's nominal length (frames per packet), also for a shorter last
    // ALAC or FLAC frame: decode those to measure them.
    let trust_stated = sniffed != Sniffed::Caf;
    let measured = measure(&mut demuxed, decoder.as_mut(), trust_stated);
    let Some(m) = measured else {
        return Err(super::decode::nothing_decoded(
            &describe(&demuxed, &codec),
            &DecodeStats::default(),
        ));
    };
    let rate = demuxed
        .params
        .sample_rate
        .filter(|&r| r > 0)
        .unwrap_or(m.rate);
    let channels = demuxed
        .params
        .channels
        .as_ref()
        .map(|c| c.count())
        .filter(|&c| c > 0)
        .unwrap_or(m.channels);
    // An MP4 edit list (encoder delay hidden) states the playable length exactly.
    let edited = matches!(sniffed, Sniffed::Mp4 { .. })
        .then(|| super::mp4meta::presentation_ms(bytes))
        .flatten();
    let duration_ms = match edited {
        Some(ms) => ms,
        None => (m.seconds * 1000.0).round() as u64,
    };
    Ok(AudioInfo {
        container: demuxed.container.to_owned(),
        codec,
        sample_rate: rate,
        channels: u16::try_from(channels).unwrap_or(u16::MAX),
        duration_ms,
        size_bytes: bytes.len() as u64,
    })
}

struct Measured {
    seconds: f64,
    rate: u32,
    channels: usize,
}

/// Sums packet durations; decodes the first packet (to prove the audio decodes) and any packet
/// whose duration the container does not give. `None` when no packet decodes.
fn measure(
    demuxed: &mut Demuxed<'_>,
    decoder: &mut dyn AudioDecoder,
    trust_stated: bool,
) -> Option<Measured> {
    let tb = demuxed.time_base;
    let mut seconds = 0.0f64;
    let mut proven = false;
    let mut rate = 0;
    let mut channels = 0;
    let mut failures = 0u32;
    loop {
        let packet = match catch_unwind(AssertUnwindSafe(|| demuxed.format.next_packet())) {
            Ok(Ok(Some(p))) => p,
            Ok(Err(SymError::DecodeError(_))) if failures < 200 => {
                failures += 1;
                continue;
            }
            _ => break,
        };
        if packet.track_id != demuxed.track_id {
            continue;
        }
        let stated = tb
            .filter(|_| packet.dur.get() > 0)
            .and_then(|tb| {
                let trim = packet
                    .trim_start
                    .get()
                    .saturating_add(packet.trim_end.get());
                let valid = packet.dur.get().saturating_sub(trim);
                tb.calc_duration(symphonia::core::units::Duration::new(valid))
            })
            .map(|t| t.as_secs_f64());
        if proven && trust_stated {
            if let Some(s) = stated {
                seconds += s;
                continue;
            }
        }
        let decoded = catch_unwind(AssertUnwindSafe(|| {
            decoder
                .decode(&packet)
                .map(|b| (b.frames(), b.spec().rate(), b.spec().channels().count()))
        }));
        match decoded {
            Ok(Ok((frames, r, c))) if r > 0 => {
                if !proven {
                    proven = true;
                    rate = r;
                    channels = c;
                }
                let decoded = frames as f64 / f64::from(r);
                seconds += if trust_stated {
                    stated.unwrap_or(decoded)
                } else {
                    decoded
                };
                failures = 0;
            }
            Ok(Ok(_)) | Ok(Err(SymError::DecodeError(_))) | Ok(Err(SymError::IoError(_))) => {
                failures += 1;
                if failures > 200 {
                    break;
                }
            }
            _ => break,
        }
    }
    proven.then_some(Measured {
        seconds,
        rate,
        channels,
    })
}

/// "mp3 audio in a mp3 container" style description for messages.
pub(crate) fn describe(demuxed: &Demuxed<'_>, codec: &str) -> String {
    format!("{} audio in a {} container", codec, demuxed.container)
}
