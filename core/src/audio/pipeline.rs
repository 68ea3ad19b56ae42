//! `prepare`: routes a recording to pass-through, ADTS re-wrapping or the streaming conversion
//! (decode -> mixdown -> resample -> encode, segment-parallel for long notes -> mux), and enforces
//! the size and duration limits.

use super::decode::{decode_stream, nothing_decoded};
use super::demux::{self, codec_name};
use super::detect::{sniff, Sniffed};
use super::encode::{freq_index, Tuning};
use super::mixdown::{interleave_i16, mix, output_channels};
use super::mux::{AacTrack, M4aMuxer};
use super::parallel::ParallelEncoder;
use super::passthrough::{try_pass_through, FILE_NAME};
use super::probe::{describe, Probed};
use super::resample::{target_rate, Resampler};
use super::{adts, verify, AudioInfo, PrepareOptions, PreparedAudio, MAX_AUDIO_BYTES, OUTPUT_MIME};
use crate::error::{Error, ErrorCode, Result};

/// Lowest and highest bitrate accepted in [`PrepareOptions::bitrate`].
pub(crate) const BITRATE_RANGE: (u32, u32) = (8_000, 320_000);

/// Space kept for the `moov` box when checking the output size while encoding.
const MOOV_ALLOWANCE: u64 = 64 * 1024;

/// See [`crate::audio::prepare`].
pub(crate) fn prepare(bytes: &[u8], options: &PrepareOptions) -> Result<PreparedAudio> {
    if options.bitrate < BITRATE_RANGE.0 || options.bitrate > BITRATE_RANGE.1 {
        return Err(Error::invalid_request(format!(
            "bitrate {} b/s is out of range: use {} to {} (64000 is the default and suits voice)",
            options.bitrate, BITRATE_RANGE.0, BITRATE_RANGE.1
        )));
    }
    let sniffed = sniff(bytes);
    if let Sniffed::Mp4 { .. } = sniffed {
        if let Some(prepared) = mp4_pass_through(bytes, sniffed, options)? {
            return Ok(prepared);
        }
    }
    if sniffed == Sniffed::Adts {
        if let Some(prepared) = adts_rewrap(bytes, options)? {
            return Ok(prepared);
        }
    }
    convert(bytes, sniffed, options)
}

fn mp4_pass_through(
    bytes: &[u8],
    sniffed: Sniffed,
    options: &PrepareOptions,
) -> Result<Option<PreparedAudio>> {
    let demuxed = demux::open(bytes, sniffed)?;
    let codec = codec_name(&demuxed.params);
    let rate = demuxed.params.sample_rate.unwrap_or(0);
    let probed = Probed {
        info: AudioInfo {
            container: demuxed.container.to_owned(),
            codec,
            sample_rate: rate,
            channels: demuxed
                .params
                .channels
                .as_ref()
                .map_or(0, |c| c.count() as u16),
            duration_ms: demuxed.num_frames.unwrap_or(0) * 1000 / u64::from(rate.max(1)),
            size_bytes: bytes.len() as u64,
        },
        has_video: demuxed.has_video,
    };
    drop(demuxed);
    let Some(mut prepared) = try_pass_through(bytes, &probed) else {
        return Ok(None);
    };
    prepared.input.duration_ms = prepared.output.duration_ms;
    check_duration(prepared.output.duration_ms, options)?;
    Ok(Some(prepared))
}

fn adts_rewrap(bytes: &[u8], options: &PrepareOptions) -> Result<Option<PreparedAudio>> {
    let Some(adts::Wrapped {
        data,
        rate,
        channels,
        frames,
    }) = adts::wrap(bytes, MAX_AUDIO_BYTES)?
    else {
        return Ok(None);
    };
    // Only if what we wrote plays (every frame decodes); otherwise re-encode what decodes.
    let Ok(output) = verify::verify(&data) else {
        return Ok(None);
    };
    let duration_ms = frames * 1000 / u64::from(rate.max(1));
    check_duration(duration_ms, options)?;
    check_output_size(data.len() as u64)?;
    let input = AudioInfo {
        container: "adts".to_owned(),
        codec: output.codec.clone(),
        sample_rate: rate,
        channels,
        duration_ms,
        size_bytes: bytes.len() as u64,
    };
    Ok(Some(PreparedAudio {
        data,
        mime: OUTPUT_MIME,
        file_name: FILE_NAME.to_owned(),
        input,
        output,
        converted: true,
    }))
}

/// The streaming conversion.
fn convert(bytes: &[u8], sniffed: Sniffed, options: &PrepareOptions) -> Result<PreparedAudio> {
    let mut demuxed = demux::open(bytes, sniffed)?;
    let codec = codec_name(&demuxed.params);
    let mut decoder = demux::make_decoder(&demuxed.params, demuxed.container)?;
    let max_frames = |rate: u32| {
        options
            .max_duration
            .map(|d| (d.as_secs_f64() * f64::from(rate)).ceil() as u64)
    };
    if let (Some(frames), Some(rate)) = (demuxed.num_frames, demuxed.params.sample_rate) {
        let seconds = frames as f64 / f64::from(rate.max(1));
        check_duration((seconds * 1000.0) as u64, options)?;
        // AAC at a constant bitrate: the output size is known before decoding anything.
        let estimate = seconds * f64::from(options.bitrate) / 8.0;
        if estimate > MAX_AUDIO_BYTES as f64 * 1.02 {
            let fits = (MAX_AUDIO_BYTES as f64 * 8.0 * 0.97 / seconds) as u32 / 1000 * 1000;
            return Err(Error::new(
                ErrorCode::AudioTooLarge,
                format!(
                    "{:.0} min of audio at {} b/s would make a voice note of about {:.1} MB, over Messenger's 25 MB limit; use a bitrate of at most {fits} b/s or send a shorter recording",
                    seconds / 60.0,
                    options.bitrate,
                    estimate / 1_048_576.0
                ),
            ));
        }
    }

    let mut state: Option<Encoding> = None;
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
        if state.is_none() {
            state = Some(Encoding::new(chunk.rate, chunk.planes.len(), options)?);
        }
        match state.as_mut() {
            Some(s) => s.push(chunk.planes),
            None => Ok(()),
        }
    })?;
    let describe_input = describe(&demuxed, &codec);
    let Some(state) = state else {
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
    let (data, output) = state.finish()?;
    check_output_size(data.len() as u64)?;
    Ok(PreparedAudio {
        data,
        mime: OUTPUT_MIME,
        file_name: FILE_NAME.to_owned(),
        input,
        output,
        converted: true,
    })
}

/// Mixdown, resampling, encoding and muxing state for one conversion.
struct Encoding {
    mixed: Vec<Vec<f32>>,
    resampler: Option<Resampler>,
    encoder: ParallelEncoder,
    muxer: M4aMuxer,
    pcm: Vec<i16>,
    rate: u32,
    channels: usize,
    in_frames_out_rate: u64,
    bytes: u64,
}

impl Encoding {
    fn new(in_rate: u32, in_channels: usize, options: &PrepareOptions) -> Result<Self> {
        let channels = output_channels(in_channels, options.keep_stereo);
        let rate = target_rate(in_rate);
        let index = freq_index(rate)
            .ok_or_else(|| Error::unsupported_audio(format!("no AAC rate for {in_rate} Hz")))?;
        // FDK refuses bitrates above ~6 bits per sample; clamp so low-rate input still encodes.
        let max_bitrate = (rate * 6 * channels as u32).min(pipeline_max(channels));
        let bitrate = options.bitrate.min(max_bitrate);
        let tuning = Tuning {
            bitrate,
            afterburner: !options.fast_encode,
        };
        let encoder = ParallelEncoder::new(rate, channels, tuning)?;
        let muxer = M4aMuxer::new(&AacTrack {
            object_type: 2,
            freq_index: index,
            channel_config: channels as u8,
            rate,
            bitrate,
            frame_len: encoder.frame_len(),
        })?;
        let resampler = if rate != in_rate {
            Some(Resampler::new(in_rate, rate, channels)?)
        } else {
            None
        };
        Ok(Encoding {
            mixed: vec![Vec::new(); channels],
            resampler,
            encoder,
            muxer,
            pcm: Vec::new(),
            rate,
            channels,
            in_frames_out_rate: 0,
            bytes: 0,
        })
    }

    fn push(&mut self, planes: &[Vec<f32>]) -> Result<()> {
        mix(planes, &mut self.mixed);
        let Encoding {
            mixed,
            resampler,
            encoder,
            muxer,
            pcm,
            in_frames_out_rate,
            bytes,
            ..
        } = self;
        let mut sink = |out: &[Vec<f32>]| -> Result<()> {
            *in_frames_out_rate += out.first().map_or(0, |p| p.len() as u64);
            pcm.clear();
            interleave_i16(out, pcm);
            encoder.push(pcm, &mut |frame: &[u8]| write_frame(muxer, bytes, frame))
        };
        match resampler {
            Some(r) => r.push(mixed, &mut sink),
            None => sink(mixed),
        }
    }

    fn finish(mut self) -> Result<(Vec<u8>, AudioInfo)> {
        let Encoding {
            resampler,
            encoder,
            muxer,
            pcm,
            in_frames_out_rate,
            bytes,
            ..
        } = &mut self;
        if let Some(r) = resampler {
            r.finish(&mut |out: &[Vec<f32>]| -> Result<()> {
                *in_frames_out_rate += out.first().map_or(0, |p| p.len() as u64);
                pcm.clear();
                interleave_i16(out, pcm);
                encoder.push(pcm, &mut |frame: &[u8]| write_frame(muxer, bytes, frame))
            })?;
        }
        encoder.finish(&mut |frame: &[u8]| write_frame(muxer, bytes, frame))?;
        let frames = self.in_frames_out_rate;
        let delay = self.encoder.delay();
        let data = self.muxer.finish(Some((delay, frames)))?;
        let output = AudioInfo {
            container: "mp4".to_owned(),
            codec: "aac-lc".to_owned(),
            sample_rate: self.rate,
            channels: self.channels as u16,
            duration_ms: frames * 1000 / u64::from(self.rate.max(1)),
            size_bytes: data.len() as u64,
        };
        Ok((data, output))
    }
}

fn pipeline_max(channels: usize) -> u32 {
    BITRATE_RANGE.1 * channels as u32 / 2
}

fn write_frame(muxer: &mut M4aMuxer, bytes: &mut u64, frame: &[u8]) -> Result<()> {
    *bytes += frame.len() as u64 + 8;
    check_output_size(*bytes + MOOV_ALLOWANCE)?;
    muxer.write_frame(frame)
}

fn check_output_size(size: u64) -> Result<()> {
    if size > MAX_AUDIO_BYTES {
        return Err(Error::new(
            ErrorCode::AudioTooLarge,
            format!(
                "the converted voice note would be over Messenger's limit of {MAX_AUDIO_BYTES} bytes (25 MB); send a shorter recording or a lower bitrate"
            ),
        ));
    }
    Ok(())
}

fn check_duration(duration_ms: u64, options: &PrepareOptions) -> Result<()> {
    match options.max_duration {
        Some(max) if u128::from(duration_ms) > max.as_millis() => {
            Err(too_long(duration_ms, options))
        }
        _ => Ok(()),
    }
}

fn too_long(duration_ms: u64, options: &PrepareOptions) -> Error {
    let max = options.max_duration.unwrap_or_default();
    Error::new(
        ErrorCode::AudioTooLarge,
        format!(
            "the recording is longer than the allowed {:.1} s (at least {:.1} s); trim it or raise max_duration",
            max.as_secs_f64(),
            duration_ms as f64 / 1000.0
        ),
    )
}
