//! Opus encoding through libopus (`opusic-c`, over the same bundled libopus that decodes Opus
//! input): VOIP application, mono, 20 ms packets. The encoder is fed at the lowest Opus rate
//! that keeps the input's bandwidth (a 16 kHz recording is encoded at 16 kHz, with nothing to
//! resample); the stream is timed at 48 kHz as every Opus stream is. At the end the last packet
//! is padded with silence and the encoder's look-ahead is flushed, so the muxer can trim exactly
//! to the input's length.

use opusic_c::{Application, Bitrate, Channels, Encoder, SampleRate};

use crate::error::{Error, ErrorCode, Result};

/// Opus timestamps (granule positions, pre-skip) count samples at 48 kHz.
pub(crate) const OPUS_CLOCK: u32 = 48_000;

/// Packet duration in milliseconds.
const PACKET_MS: u32 = 20;

/// Largest Opus packet we can be given (1275 bytes per frame, a few frames at most).
const MAX_PACKET: usize = 4000;

/// The rates libopus accepts as input.
const OPUS_RATES: [u32; 5] = [8_000, 12_000, 16_000, 24_000, 48_000];

/// The rate the encoder is fed at for input at `rate`: the lowest Opus rate at or above it.
pub(crate) fn opus_rate(rate: u32) -> u32 {
    OPUS_RATES
        .into_iter()
        .find(|&r| r >= rate)
        .unwrap_or(OPUS_CLOCK)
}

/// How hard the encoder works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpusTuning {
    /// Target bitrate in bits per second (VBR).
    pub bitrate: u32,
    /// libopus complexity, 0 (fastest) to 10 (best).
    pub complexity: u8,
}

/// A mono libopus encoder producing 20 ms packets.
pub(crate) struct OpusEncoder {
    inner: Encoder,
    rate: u32,
    frame: usize,
    lookahead: usize,
    pending: Vec<f32>,
    out: Vec<u8>,
}

impl OpusEncoder {
    /// Opens an encoder for mono input at `rate` (one of the Opus input rates).
    pub(crate) fn new(rate: u32, tuning: OpusTuning) -> Result<Self> {
        let sample_rate = match rate {
            8_000 => SampleRate::Hz8000,
            12_000 => SampleRate::Hz12000,
            16_000 => SampleRate::Hz16000,
            24_000 => SampleRate::Hz24000,
            48_000 => SampleRate::Hz48000,
            other => {
                return Err(opus_err(
                    format!("take {other} Hz input"),
                    opusic_c::ErrorCode::BadArg,
                ))
            }
        };
        let mut inner = Encoder::new(Channels::Mono, sample_rate, Application::Voip)
            .map_err(|e| opus_err("start", e))?;
        inner
            .set_bitrate(Bitrate::Value(tuning.bitrate))
            .map_err(|e| opus_err(format!("use {} b/s", tuning.bitrate), e))?;
        inner
            .set_complexity(tuning.complexity.min(10))
            .map_err(|e| opus_err("set its complexity", e))?;
        let lookahead = inner
            .get_look_ahead()
            .map_err(|e| opus_err("report its delay", e))? as usize;
        Ok(OpusEncoder {
            inner,
            rate,
            frame: (rate * PACKET_MS / 1000) as usize,
            lookahead,
            pending: Vec::new(),
            out: vec![0; MAX_PACKET],
        })
    }

    /// The encoder's delay in 48 kHz samples: the `OpusHead` pre-skip.
    pub(crate) fn pre_skip(&self) -> u16 {
        let at_48k = self.lookahead as u64 * u64::from(OPUS_CLOCK) / u64::from(self.rate);
        u16::try_from(at_48k).unwrap_or(u16::MAX)
    }

    /// Input samples per packet (20 ms at the input rate).
    pub(crate) fn frame_len(&self) -> usize {
        self.frame
    }

    /// Samples per packet at 48 kHz (960).
    pub(crate) fn packet_samples(&self) -> u64 {
        u64::from(OPUS_CLOCK * PACKET_MS / 1000)
    }

    /// Feeds mono samples in [-1, 1]; `emit` receives each finished packet.
    pub(crate) fn push(
        &mut self,
        mono: &[f32],
        emit: &mut impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        self.pending.extend_from_slice(mono);
        let mut start = 0;
        while self.pending.len() - start >= self.frame {
            let n = self
                .inner
                .encode_float_to_slice(&self.pending[start..start + self.frame], &mut self.out)
                .map_err(|e| opus_err("encode", e))?;
            emit(&self.out[..n])?;
            start += self.frame;
        }
        self.pending.drain(..start);
        Ok(())
    }

    /// Pads the last packet with silence and encodes enough silence after it that every input
    /// sample comes out of the decoder (the look-ahead), then emits those packets.
    pub(crate) fn finish(&mut self, emit: &mut impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let mut owed = self.pending.len() + self.lookahead;
        while owed > 0 {
            let missing = self.frame - self.pending.len().min(self.frame);
            self.pending.extend(std::iter::repeat_n(0.0, missing));
            owed = owed.saturating_sub(self.frame);
            let frame = std::mem::take(&mut self.pending);
            self.push(&frame[..self.frame], emit)?;
        }
        Ok(())
    }
}

fn opus_err(what: impl std::fmt::Display, e: opusic_c::ErrorCode) -> Error {
    Error::new(
        ErrorCode::UnsupportedAudio,
        format!(
            "the Opus encoder refused to {what} ({}); this is a bug in svara, please report it",
            e.message()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_keep_the_input_bandwidth() {
        assert_eq!(opus_rate(8_000), 8_000);
        assert_eq!(opus_rate(11_025), 12_000);
        assert_eq!(opus_rate(16_000), 16_000);
        assert_eq!(opus_rate(22_050), 24_000);
        assert_eq!(opus_rate(44_100), 48_000);
        assert_eq!(opus_rate(96_000), 48_000);
    }

    #[test]
    fn packets_cover_the_input_and_the_look_ahead() {
        let tuning = OpusTuning {
            bitrate: 32_000,
            complexity: 10,
        };
        let mut enc = OpusEncoder::new(16_000, tuning).unwrap();
        assert_eq!(enc.pre_skip(), 312);
        let tone: Vec<f32> = (0..16_000 + 123)
            .map(|i| (i as f32 * 0.07).sin() * 0.3)
            .collect();
        let mut packets = 0u64;
        let mut count = |p: &[u8]| {
            assert!(!p.is_empty() && p.len() < MAX_PACKET);
            packets += 1;
            Ok(())
        };
        enc.push(&tone, &mut count).unwrap();
        enc.finish(&mut count).unwrap();
        let covered = packets * enc.packet_samples();
        let needed = (16_000 + 123) * 3 + u64::from(enc.pre_skip());
        assert!(covered >= needed, "{covered} < {needed}");
        assert!(covered < needed + enc.packet_samples(), "no spare packet");
    }
}
