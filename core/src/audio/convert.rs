//! The streaming conversion: decode -> mixdown -> resample -> encode -> mux, one decoded packet
//! at a time, into the target format (AAC in M4A, or Opus in Ogg). Memory stays flat however
//! long the recording is (the output, at most 25 MB, is the only thing that grows), and the size
//! and duration limits are enforced while encoding, so an oversize note stops early.

use super::decode::{decode_stream, nothing_decoded};
use super::demux::{self, codec_name, Demuxed};
use super::detect::Sniffed;
use super::encode::aac::{aac_rate, afterburner_pays, freq_index, speech_rate, AacEncoder, Tuning};
use super::encode::opus::{opus_rate, OpusEncoder, OpusTuning, OPUS_CLOCK};
use super::encode::parallel::ParallelEncoder;
use super::limits::{check_duration, check_output_size, too_long};
use super::mixdown::{interleave_i16, mix, output_channels};
use super::mux::m4a::{AacTrack, M4aMuxer};
use super::mux::ogg::{OggMuxer, OpusStream};
use super::probe::describe;
use super::resample::Resampler;
use super::{AudioInfo, PrepareOptions, PreparedAudio, TargetFormat};
use crate::error::{Error, ErrorCode, Result};

/// Space kept for the `moov` box when checking the output size while encoding.
const MOOV_ALLOWANCE: u64 = 64 * 1024;

/// libopus complexity of the default and of the fast encode. Measured with PESQ-WB on real
/// speech at 32 kb/s (`bench_convert`): 10: 4.42, 8: 4.42, 6: 4.40, 4: 4.38, 2: 4.29; time
/// falls by a quarter from 10 to 6 and little below it.
const OPUS_COMPLEXITY: (u8, u8) = (6, 3);

/// Converts `bytes` (already sniffed) into `options.format`.
pub(crate) fn convert(
    bytes: &[u8],
    sniffed: Sniffed,
    options: &PrepareOptions,
) -> Result<PreparedAudio> {
    let mut demuxed = demux::open(bytes, sniffed)?;
    let codec = codec_name(&demuxed.params);
    let mut decoder = demux::make_decoder(&demuxed.params, demuxed.container)?;
    check_before_decoding(bytes.len() as u64, &demuxed, options)?;

    let max_frames = |rate: u32| {
        options
            .max_duration
            .map(|d| (d.as_secs_f64() * f64::from(rate)).ceil() as u64)
    };
    let mut note: Option<NoteWriter> = None;
    let mut decoded_frames = 0u64;
    let stats = decode_stream(&mut demuxed, decoder.as_mut(), |chunk| {
        let frames = chunk.planes.first().map_or(0, Vec::len) as u64;
        decoded_frames += frames;
        if let Some(limit) = max_frames(chunk.rate) {
            if decoded_frames > limit {
                return Err(too_long(
                    decoded_frames * 1000 / u64::from(chunk.rate),
                    options,
                ));
            }
        }
        let writer = match note.as_mut() {
            Some(w) => w,
            None => note.insert(NoteWriter::new(chunk.rate, chunk.planes.len(), options)?),
        };
        writer.push(chunk.planes)
    })?;
    let describe_input = describe(&demuxed, &codec);
    let Some(note) = note else {
        return Err(nothing_decoded(&describe_input, &stats));
    };
    let input = AudioInfo {
        container: demuxed.container.to_owned(),
        codec,
        sample_rate: stats.rate,
        channels: u16::try_from(stats.channels).unwrap_or(u16::MAX),
        duration_ms: stats.frames * 1000 / u64::from(stats.rate.max(1)),
        size_bytes: bytes.len() as u64,
    };
    let (data, output) = note.finish()?;
    check_output_size(data.len() as u64, options.max_bytes, options.format)?;
    Ok(PreparedAudio {
        data,
        mime: options.format.mime(),
        file_name: options.format.file_name().to_owned(),
        input,
        output,
        converted: true,
    })
}

/// The limits that can be enforced before decoding anything, from what is known for sure: the
/// byte size of uncompressed (PCM, G.711, ADPCM) audio bounds how many samples it can hold.
/// A header's stated length is never trusted on its own: recorders that did not know the length
/// leave placeholders there (`0xFFFFFFFF`, `0x7FFFF000`), and compressed streams can state
/// anything. Everything else is caught while encoding.
fn check_before_decoding(
    file_bytes: u64,
    demuxed: &Demuxed<'_>,
    options: &PrepareOptions,
) -> Result<()> {
    let params = &demuxed.params;
    let (Some(bits), Some(rate)) = (
        demux::uncompressed_bits_per_sample(params.codec),
        params.sample_rate,
    ) else {
        return Ok(());
    };
    let channels = params.channels.as_ref().map_or(1, |c| c.count().max(1)) as u64;
    let most = file_bytes * 8 / (u64::from(bits) * channels);
    let frames = demuxed.num_frames.map_or(most, |n| n.min(most));
    let seconds = frames as f64 / f64::from(rate.max(1));
    check_duration((seconds * 1000.0) as u64, options)?;
    // Both encoders run at a (nearly) constant bitrate: the output size follows from the length.
    let estimate = seconds * f64::from(options.bitrate) / 8.0;
    let max = options.max_bytes as f64;
    if estimate > max * 1.02 {
        let fits = (max * 8.0 * 0.97 / seconds) as u32 / 1000 * 1000;
        return Err(Error::new(
            ErrorCode::AudioTooLarge,
            format!(
                "{:.0} min of audio at {} b/s would make a voice note of about {:.1} MB, over the {} MB limit ({} bytes); use a bitrate of at most {fits} b/s or send a shorter recording",
                seconds / 60.0,
                options.bitrate,
                estimate / 1_048_576.0,
                options.max_bytes / 1_048_576,
                options.max_bytes
            ),
        ));
    }
    Ok(())
}

/// Mixdown, resampling, encoding and muxing state for one conversion.
struct NoteWriter {
    mixed: Vec<Vec<f32>>,
    resampler: Option<Resampler>,
    target: Target,
    format: TargetFormat,
    rate: u32,
    channels: usize,
}

/// The encoder and muxer of the target format.
enum Target {
    Aac {
        encoder: ParallelEncoder<AacEncoder>,
        /// Encoder delay in samples (hidden by the edit list).
        delay: u32,
        muxer: M4aMuxer,
        pcm: Vec<i16>,
        /// Samples per channel handed to the encoder (at the encoding rate).
        frames: u64,
        bytes: u64,
        /// The output limit in bytes.
        max: u64,
    },
    Opus {
        encoder: ParallelEncoder<OpusEncoder>,
        muxer: OggMuxer,
        /// Samples handed to the encoder (at the encoding rate).
        frames: u64,
        /// The output limit in bytes.
        max: u64,
    },
}

impl NoteWriter {
    fn new(in_rate: u32, in_channels: usize, options: &PrepareOptions) -> Result<Self> {
        let (rate, channels, target) = match options.format {
            TargetFormat::M4aAac => {
                let channels = output_channels(in_channels, options.keep_stereo);
                // Voice notes are encoded at a speech rate; stereo (kept on purpose) at its own.
                let rate = if channels == 1 {
                    speech_rate(in_rate, options.bitrate)
                } else {
                    aac_rate(in_rate)
                };
                let index = freq_index(rate).ok_or_else(|| {
                    Error::unsupported_audio(format!("no AAC rate for {in_rate} Hz"))
                })?;
                // FDK refuses bitrates above ~6 bits per sample; clamp so low-rate input still
                // encodes.
                let max_bitrate = (rate * 6 * channels as u32)
                    .min(TargetFormat::M4aAac.bitrate_range().1 * channels as u32 / 2);
                let bitrate = options.bitrate.min(max_bitrate);
                let tuning = Tuning {
                    bitrate,
                    afterburner: !options.fast_encode && afterburner_pays(bitrate, rate, channels),
                };
                let (encoder, one) = ParallelEncoder::<AacEncoder>::new((rate, channels, tuning))?;
                let muxer = M4aMuxer::new(AacTrack {
                    object_type: 2,
                    freq_index: index,
                    channel_config: channels as u8,
                    rate,
                    bitrate,
                    frame_len: one.frame_len(),
                })?;
                let target = Target::Aac {
                    encoder,
                    delay: one.delay(),
                    muxer,
                    pcm: Vec::new(),
                    frames: 0,
                    bytes: 0,
                    max: options.max_bytes,
                };
                (rate, channels, target)
            }
            TargetFormat::OggOpus => {
                let rate = opus_rate(in_rate);
                let tuning = OpusTuning {
                    bitrate: options.bitrate,
                    complexity: if options.fast_encode {
                        OPUS_COMPLEXITY.1
                    } else {
                        OPUS_COMPLEXITY.0
                    },
                };
                let (encoder, one) = ParallelEncoder::<OpusEncoder>::new((rate, tuning))?;
                let muxer = OggMuxer::new(OpusStream {
                    serial: 0x5356_4152, // "SVAR"
                    channels: 1,
                    pre_skip: one.pre_skip(),
                    input_rate: in_rate,
                    packet_samples: one.packet_samples(),
                })?;
                let target = Target::Opus {
                    encoder,
                    muxer,
                    frames: 0,
                    max: options.max_bytes,
                };
                (rate, 1, target)
            }
        };
        let resampler = if rate != in_rate {
            Some(Resampler::new(in_rate, rate, channels)?)
        } else {
            None
        };
        Ok(NoteWriter {
            mixed: vec![Vec::new(); channels],
            resampler,
            target,
            format: options.format,
            rate,
            channels,
        })
    }

    fn push(&mut self, planes: &[Vec<f32>]) -> Result<()> {
        mix(planes, &mut self.mixed);
        let NoteWriter {
            mixed,
            resampler,
            target,
            ..
        } = self;
        match resampler {
            Some(r) => r.push(mixed, &mut |out: &[Vec<f32>]| target.encode(out)),
            None => target.encode(mixed),
        }
    }

    fn finish(mut self) -> Result<(Vec<u8>, AudioInfo)> {
        if let Some(r) = self.resampler.as_mut() {
            let target = &mut self.target;
            r.finish(&mut |out: &[Vec<f32>]| target.encode(out))?;
        }
        let (data, rate, frames) = match self.target {
            Target::Aac {
                mut encoder,
                delay,
                mut muxer,
                frames,
                mut bytes,
                max,
                ..
            } => {
                encoder.finish(&mut |frame: &[u8]| {
                    write_aac_frame(&mut muxer, &mut bytes, frame, max)
                })?;
                let data = muxer.finish(Some((delay, frames)))?;
                (data, self.rate, frames)
            }
            Target::Opus {
                mut encoder,
                mut muxer,
                frames,
                max,
            } => {
                encoder.finish(&mut |packet: &[u8]| write_opus_packet(&mut muxer, packet, max))?;
                let samples = frames * u64::from(OPUS_CLOCK) / u64::from(self.rate);
                (muxer.finish(samples)?, OPUS_CLOCK, samples)
            }
        };
        let (container, codec) = self.format.container_codec();
        let output = AudioInfo {
            container: container.to_owned(),
            codec: codec.to_owned(),
            sample_rate: rate,
            channels: self.channels as u16,
            duration_ms: frames * 1000 / u64::from(rate.max(1)),
            size_bytes: data.len() as u64,
        };
        Ok((data, output))
    }
}

impl Target {
    /// Encodes planar samples at the encoding rate.
    fn encode(&mut self, planes: &[Vec<f32>]) -> Result<()> {
        match self {
            Target::Aac {
                encoder,
                muxer,
                pcm,
                frames,
                bytes,
                max,
                ..
            } => {
                *frames += planes.first().map_or(0, |p| p.len() as u64);
                pcm.clear();
                interleave_i16(planes, pcm);
                let max = *max;
                encoder.push(pcm, &mut |frame: &[u8]| {
                    write_aac_frame(muxer, bytes, frame, max)
                })
            }
            Target::Opus {
                encoder,
                muxer,
                frames,
                max,
            } => match planes.first() {
                Some(mono) => {
                    *frames += mono.len() as u64;
                    let max = *max;
                    encoder.push(mono, &mut |packet: &[u8]| {
                        write_opus_packet(muxer, packet, max)
                    })
                }
                None => Ok(()),
            },
        }
    }
}

fn write_aac_frame(muxer: &mut M4aMuxer, bytes: &mut u64, frame: &[u8], max: u64) -> Result<()> {
    *bytes += frame.len() as u64 + 8;
    check_output_size(*bytes + MOOV_ALLOWANCE, max, TargetFormat::M4aAac)?;
    muxer.write_frame(frame)
}

fn write_opus_packet(muxer: &mut OggMuxer, packet: &[u8], max: u64) -> Result<()> {
    // Ogg adds about 1 byte of lacing per packet and 27 bytes per page.
    check_output_size(
        muxer.len() + packet.len() as u64 + 64,
        max,
        TargetFormat::OggOpus,
    )?;
    muxer.write_packet(packet)
}
