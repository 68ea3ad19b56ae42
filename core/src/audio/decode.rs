//! Streaming decode: pulls packets from the demuxer and hands decoded PCM to a sink one packet at
//! a time, so memory stays flat however long the recording is. Damaged packets are skipped, a
//! stream truncated mid-way ends where the decodable audio ends, and a decoder that panics on
//! hostile input is contained here instead of unwinding into the bindings.

use std::panic::{catch_unwind, AssertUnwindSafe};

use symphonia::core::codecs::audio::AudioDecoder;
use symphonia::core::errors::Error as SymError;
use symphonia::core::packet::Packet;

use super::demux::Demuxed;
use crate::error::{Error, Result};

/// Consecutive undecodable packets after which a stream is considered garbage.
const MAX_CONSECUTIVE_ERRORS: u32 = 200;

/// One decoded packet, planar `f32` in [-1, 1].
pub(crate) struct Chunk<'a> {
    /// One slice per channel, all the same length.
    pub planes: &'a [Vec<f32>],
    /// Sample rate of this chunk.
    pub rate: u32,
}

/// What a decode pass saw.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct DecodeStats {
    /// Frames (samples per channel) handed to the sink.
    pub frames: u64,
    /// Packets that decoded.
    pub packets_ok: u64,
    /// Packets that failed to decode and were skipped.
    pub packets_failed: u64,
    /// Sample rate of the decoded audio (0 if nothing decoded).
    pub rate: u32,
    /// Channel count of the decoded audio (0 if nothing decoded).
    pub channels: usize,
    /// True when decoding stopped early on damage (truncation, a corrupt packet run).
    pub damaged: bool,
}

/// Decodes every packet of the audio track, calling `sink` with each decoded chunk. The sink may
/// stop the decode early by returning an error.
pub(crate) fn decode_stream(
    demuxed: &mut Demuxed<'_>,
    decoder: &mut dyn AudioDecoder,
    mut sink: impl FnMut(Chunk<'_>) -> Result<()>,
) -> Result<DecodeStats> {
    let mut stats = DecodeStats::default();
    let mut planes: Vec<Vec<f32>> = Vec::new();
    let mut consecutive_errors = 0u32;
    loop {
        let next = catch_unwind(AssertUnwindSafe(|| demuxed.format.next_packet()));
        let packet: Packet = match next {
            Ok(Ok(Some(p))) => p,
            Ok(Ok(None)) => break,
            Ok(Err(SymError::ResetRequired)) => {
                stats.damaged = true;
                break;
            }
            Ok(Err(SymError::DecodeError(_))) => {
                // A damaged container element: skip it, bounded.
                consecutive_errors += 1;
                stats.packets_failed += 1;
                if consecutive_errors > MAX_CONSECUTIVE_ERRORS {
                    stats.damaged = true;
                    break;
                }
                continue;
            }
            Ok(Err(_)) | Err(_) => {
                // End of data mid-element (truncated file), an I/O error, or a demuxer panic.
                stats.damaged = true;
                break;
            }
        };
        if packet.track_id != demuxed.track_id {
            continue;
        }
        let decoded = catch_unwind(AssertUnwindSafe(|| match decoder.decode(&packet) {
            Ok(buf) => {
                let spec = buf.spec().clone();
                buf.copy_to_vecs_planar::<f32>(&mut planes);
                Ok((spec.rate(), spec.channels().count()))
            }
            Err(e) => Err(e),
        }));
        match decoded {
            Ok(Ok((rate, channels))) => {
                consecutive_errors = 0;
                let frames = planes.first().map_or(0, Vec::len);
                if frames == 0 || channels == 0 || rate == 0 {
                    continue;
                }
                if stats.packets_ok == 0 {
                    stats.rate = rate;
                    stats.channels = channels;
                } else if rate != stats.rate || channels != stats.channels {
                    // The stream changed shape (a chained Ogg stream, a mid-stream format
                    // switch): keep what we have rather than produce a warped note.
                    stats.damaged = true;
                    break;
                }
                stats.packets_ok += 1;
                stats.frames += frames as u64;
                for p in planes.iter_mut() {
                    sanitize(p);
                }
                sink(Chunk {
                    planes: &planes,
                    rate,
                })?;
            }
            Ok(Err(SymError::DecodeError(_))) | Ok(Err(SymError::IoError(_))) => {
                consecutive_errors += 1;
                stats.packets_failed += 1;
                if consecutive_errors > MAX_CONSECUTIVE_ERRORS {
                    stats.damaged = true;
                    break;
                }
            }
            Ok(Err(_)) | Err(_) => {
                stats.packets_failed += 1;
                stats.damaged = true;
                break;
            }
        }
    }
    Ok(stats)
}

/// Replaces NaN/inf (from a damaged float WAV) and clamps to [-1, 1].
fn sanitize(samples: &mut [f32]) {
    for s in samples {
        *s = if s.is_finite() {
            s.clamp(-1.0, 1.0)
        } else {
            0.0
        };
    }
}

/// The error for a stream in which nothing decoded.
pub(crate) fn nothing_decoded(what: &str, stats: &DecodeStats) -> Error {
    Error::unsupported_audio(format!(
        "this is {what}, but none of its audio could be decoded ({} damaged packet(s)); the file is corrupt or truncated before the first frame",
        stats.packets_failed
    ))
}
