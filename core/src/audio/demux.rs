//! Opens a byte buffer with symphonia (our sniffing decides what it is, symphonia reads it),
//! picks the audio track and builds its decoder, so every later stage sees one audio stream.

use std::io::Cursor;
use std::sync::OnceLock;

use symphonia::core::codecs::audio::well_known::profiles::*;
use symphonia::core::codecs::audio::well_known::*;
use symphonia::core::codecs::audio::{AudioCodecParameters, AudioDecoder, AudioDecoderOptions};
use symphonia::core::codecs::registry::CodecRegistry;
use symphonia::core::codecs::CodecParameters;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;

use super::detect::{OggCodec, Sniffed};
use super::repair;
use crate::error::{Error, Result};

/// symphonia's decoders plus libopus for Opus, built once.
pub(crate) fn codecs() -> &'static CodecRegistry {
    static REGISTRY: OnceLock<CodecRegistry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut registry = CodecRegistry::new();
        symphonia::default::register_enabled_codecs(&mut registry);
        registry.register_audio_decoder::<symphonia_adapter_libopus::OpusDecoder>();
        registry
    })
}

/// An opened recording: the demuxer positioned at the start, and the audio track to decode.
pub(crate) struct Demuxed<'a> {
    /// The demuxer.
    pub format: Box<dyn FormatReader + 'a>,
    /// The id of the audio track.
    pub track_id: u32,
    /// The audio track's codec parameters.
    pub params: AudioCodecParameters,
    /// Playable frames, when the container says.
    pub num_frames: Option<u64>,
    /// The track's time base (packet timestamps and durations are in these units).
    pub time_base: Option<symphonia::core::units::TimeBase>,
    /// Container name for [`crate::audio::AudioInfo::container`].
    pub container: &'static str,
    /// True when the container also holds video (so it is never passed through as a voice note).
    pub has_video: bool,
}

/// The container name we report for a sniffed format.
pub(crate) fn container_name(sniffed: Sniffed) -> &'static str {
    match sniffed {
        Sniffed::Mp4 { three_gp: true } => "3gp",
        Sniffed::Mp4 { .. } => "mp4",
        Sniffed::Adts => "adts",
        Sniffed::Mpeg => "mp3",
        Sniffed::Ogg(_) => "ogg",
        Sniffed::Matroska { webm: true } => "webm",
        Sniffed::Matroska { webm: false } => "matroska",
        Sniffed::Wav => "wav",
        Sniffed::Flac => "flac",
        Sniffed::Caf => "caf",
        Sniffed::Aiff => "aiff",
        Sniffed::Refused(_) => "unknown",
    }
}

/// Opens `bytes` (already sniffed as an audio container) and finds its audio track.
pub(crate) fn open(bytes: &[u8], sniffed: Sniffed) -> Result<Demuxed<'_>> {
    let container = container_name(sniffed);
    if let Sniffed::Refused(what) = sniffed {
        return Err(Error::unsupported_audio(format!("this is {what}")));
    }
    if let Sniffed::Ogg(OggCodec::Unknown) = sniffed {
        return Err(Error::unsupported_audio(
            "this is an Ogg file whose codec is neither Opus, Vorbis nor FLAC (Speex?), which is not supported",
        ));
    }
    let source: Box<dyn MediaSource + '_> = match sniffed {
        Sniffed::Wav => Box::new(repair::Patched::new(bytes, repair::wav_patches(bytes))),
        _ => Box::new(Cursor::new(bytes)),
    };
    let mss = MediaSourceStream::new(source, MediaSourceStreamOptions::default());
    let format = symphonia::default::get_probe()
        .probe(
            &Hint::new(),
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| match e {
            symphonia::core::errors::Error::Unsupported(what) => Error::unsupported_audio(format!(
                "this is {} in a variant Svara cannot decode ({what}); convert it to WAV, FLAC or MP3 first",
                describe_container(container)
            )),
            e => Error::unsupported_audio(format!(
                "this looks like {} but its header could not be read ({e}); the file is probably truncated or damaged",
                describe_container(container)
            )),
        })?;
    let has_video = format
        .tracks()
        .iter()
        .any(|t| t.track_type() == Some(TrackType::Video));
    let track = format
        .default_track(TrackType::Audio)
        .or_else(|| format.first_track(TrackType::Audio))
        .cloned();
    let Some(track) = track else {
        if let Some(named) = unknown_codec(bytes) {
            return Err(Error::unsupported_audio(format!(
                "this is {} holding {named}",
                describe_container(container)
            )));
        }
        let what = if has_video {
            format!(
                "a video-only {} file (it has no audio track)",
                container.to_uppercase()
            )
        } else {
            format!("{} with no audio track", describe_container(container))
        };
        return Err(Error::unsupported_audio(format!("this is {what}")));
    };
    let mut params = match track.codec_params {
        Some(CodecParameters::Audio(p)) => p,
        _ => {
            return Err(Error::unsupported_audio(format!(
                "this is {} whose audio track has no readable codec parameters",
                describe_container(container)
            )))
        }
    };
    if sniffed == Sniffed::Caf {
        repair::caf_params(&mut params, bytes);
    }
    if params.codec == CODEC_ID_NULL_AUDIO_ALIAS {
        return Err(Error::unsupported_audio(unknown_codec_message(
            bytes, container,
        )));
    }
    if params.codec == CODEC_ID_OPUS {
        check_opus_head(&params, container)?;
    }
    let num_frames = track.num_frames.or_else(|| {
        let tb = track.time_base?;
        let dur = track.duration?;
        let rate = params.sample_rate?;
        let t = tb.calc_duration(dur)?;
        Some((t.as_secs_f64() * f64::from(rate)).round() as u64)
    });
    Ok(Demuxed {
        format,
        track_id: track.id,
        params,
        num_frames,
        time_base: track.time_base,
        container,
        has_video,
    })
}

const CODEC_ID_NULL_AUDIO_ALIAS: symphonia::core::codecs::audio::AudioCodecId =
    symphonia::core::codecs::audio::CODEC_ID_NULL_AUDIO;

fn describe_container(container: &str) -> String {
    match container {
        "mp4" => "an MP4/M4A file".into(),
        "3gp" => "a 3GP file".into(),
        "adts" => "an AAC (ADTS) stream".into(),
        "mp3" => "an MP3 file".into(),
        "ogg" => "an Ogg file".into(),
        "webm" => "a WebM file".into(),
        "matroska" => "a Matroska file".into(),
        "wav" => "a WAV file".into(),
        "flac" => "a FLAC file".into(),
        "caf" => "a CAF file".into(),
        "aiff" => "an AIFF file".into(),
        other => format!("a {other} file"),
    }
}

/// Names the codec of a track symphonia does not know, from the sample entry's four-cc.
fn unknown_codec_message(bytes: &[u8], container: &str) -> String {
    let named = unknown_codec(bytes).unwrap_or("audio in a codec Svara cannot decode");
    format!("this is {} holding {named}", describe_container(container))
}

/// Names an MP4 audio codec symphonia has no reader support for, from its sample entry four-cc.
fn unknown_codec(bytes: &[u8]) -> Option<&'static str> {
    let entries = super::mp4meta::sample_entries(bytes);
    let has = |cc: &[u8; 4]| entries.iter().any(|e| e == cc);
    if has(b"samr") {
        Some("AMR-NB audio, which is not supported (re-record as AAC/M4A, or convert it first)")
    } else if has(b"sawb") {
        Some("AMR-WB audio, which is not supported (re-record as AAC/M4A, or convert it first)")
    } else if has(b"ac-3") || has(b"ec-3") {
        Some("Dolby (E-)AC-3 audio, which is not supported")
    } else {
        None
    }
}

/// Rejects an Opus stream whose identification header (`OpusHead`) is damaged: libopus would
/// otherwise turn the damaged packets into noise and the note would be garbage.
fn check_opus_head(params: &AudioCodecParameters, container: &str) -> Result<()> {
    let Some(head) = params.extra_data.as_deref() else {
        return Ok(());
    };
    let bad = |why: String| {
        Err(Error::unsupported_audio(format!(
            "this is {} holding Opus audio whose header is corrupt ({why})",
            describe_container(container)
        )))
    };
    if head.len() < 19 || &head[..8] != b"OpusHead" {
        return bad("no valid OpusHead".into());
    }
    let version = head[8];
    let channels = head[9];
    let input_rate = u32::from_le_bytes([head[12], head[13], head[14], head[15]]);
    let family = head[18];
    if version > 15 {
        return bad(format!("version {version}"));
    }
    if channels == 0 || (family == 0 && channels > 2) {
        return bad(format!("{channels} channels with mapping family {family}"));
    }
    if !matches!(family, 0 | 1 | 2 | 3 | 255) {
        return bad(format!("unknown channel mapping family {family}"));
    }
    if input_rate > 768_000 {
        return bad(format!("input sample rate {input_rate} Hz"));
    }
    Ok(())
}

/// Builds the decoder for the track.
pub(crate) fn make_decoder(
    params: &AudioCodecParameters,
    container: &str,
) -> Result<Box<dyn AudioDecoder>> {
    codecs()
        .make_audio_decoder(params, &AudioDecoderOptions::default())
        .map_err(|e| {
            Error::unsupported_audio(format!(
                "this is {} holding {} audio, which could not be decoded ({e})",
                describe_container(container),
                codec_name(params)
            ))
        })
}

/// The codec name we report (`aac-lc`, `opus`, `pcm_s16le`, ...).
pub(crate) fn codec_name(p: &AudioCodecParameters) -> String {
    let c = p.codec;
    let name = if c == CODEC_ID_AAC {
        match p.profile {
            Some(x) if x == CODEC_PROFILE_AAC_HE => "he-aac",
            Some(x) if x == CODEC_PROFILE_AAC_HE_V2 => "he-aac-v2",
            Some(x) if x == CODEC_PROFILE_AAC_MAIN => "aac-main",
            Some(x) if x == CODEC_PROFILE_AAC_LTP => "aac-ltp",
            Some(x) if x == CODEC_PROFILE_AAC_USAC => "xhe-aac",
            _ => "aac-lc",
        }
    } else if c == CODEC_ID_MP3 {
        "mp3"
    } else if c == CODEC_ID_MP2 {
        "mp2"
    } else if c == CODEC_ID_MP1 {
        "mp1"
    } else if c == CODEC_ID_OPUS {
        "opus"
    } else if c == CODEC_ID_VORBIS {
        "vorbis"
    } else if c == CODEC_ID_FLAC {
        "flac"
    } else if c == CODEC_ID_ALAC {
        "alac"
    } else if c == CODEC_ID_SPEEX {
        "speex"
    } else if c == CODEC_ID_PCM_ALAW {
        "pcm_alaw"
    } else if c == CODEC_ID_PCM_MULAW {
        "pcm_mulaw"
    } else if c == CODEC_ID_ADPCM_MS {
        "adpcm_ms"
    } else if c == CODEC_ID_ADPCM_IMA_WAV {
        "adpcm_ima_wav"
    } else if c == CODEC_ID_ADPCM_IMA_QT {
        "adpcm_ima_qt"
    } else {
        return pcm_name(c)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("codec-{c}"));
    };
    name.to_owned()
}

/// Bits per sample of an uncompressed codec (PCM, G.711, ADPCM): the input's byte size then
/// bounds how many samples it holds. `None` for compressed codecs, whose size says nothing.
pub(crate) fn uncompressed_bits_per_sample(
    c: symphonia::core::codecs::audio::AudioCodecId,
) -> Option<u32> {
    if c == CODEC_ID_PCM_ALAW || c == CODEC_ID_PCM_MULAW {
        return Some(8);
    }
    if c == CODEC_ID_ADPCM_MS || c == CODEC_ID_ADPCM_IMA_WAV || c == CODEC_ID_ADPCM_IMA_QT {
        return Some(4);
    }
    let name = pcm_name(c)?;
    let digits: String = name.chars().filter(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn pcm_name(c: symphonia::core::codecs::audio::AudioCodecId) -> Option<&'static str> {
    let table = [
        (CODEC_ID_PCM_S32LE, "pcm_s32le"),
        (CODEC_ID_PCM_S32BE, "pcm_s32be"),
        (CODEC_ID_PCM_S24LE, "pcm_s24le"),
        (CODEC_ID_PCM_S24BE, "pcm_s24be"),
        (CODEC_ID_PCM_S16LE, "pcm_s16le"),
        (CODEC_ID_PCM_S16BE, "pcm_s16be"),
        (CODEC_ID_PCM_S8, "pcm_s8"),
        (CODEC_ID_PCM_U8, "pcm_u8"),
        (CODEC_ID_PCM_U16LE, "pcm_u16le"),
        (CODEC_ID_PCM_U24LE, "pcm_u24le"),
        (CODEC_ID_PCM_U32LE, "pcm_u32le"),
        (CODEC_ID_PCM_F32LE, "pcm_f32le"),
        (CODEC_ID_PCM_F32BE, "pcm_f32be"),
        (CODEC_ID_PCM_F64LE, "pcm_f64le"),
        (CODEC_ID_PCM_F64BE, "pcm_f64be"),
    ];
    table.iter().find(|(id, _)| *id == c).map(|(_, n)| *n)
}
