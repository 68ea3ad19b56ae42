//! Shared helpers of the audio tests: an independent decoder (symphonia + libopus, used directly,
//! not through svara's pipeline), signal comparison, MP4 box inspection and ffprobe.

#![allow(dead_code)]

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::codecs::registry::CodecRegistry;
use symphonia::core::codecs::CodecParameters;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

/// The repository root (core/..).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// tests/fixtures.
pub fn fixtures() -> PathBuf {
    root().join("tests/fixtures")
}

/// ../shared/audio-samples, relative to the project root.
pub fn shared_samples() -> PathBuf {
    root().join("../shared/audio-samples")
}

/// Rows of a TSV file with a header line, as maps.
pub fn read_tsv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            header
                .iter()
                .zip(l.split('\t'))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Decoded audio, down-mixed to mono.
pub struct Decoded {
    pub mono: Vec<f32>,
    pub rate: u32,
    pub channels: usize,
}

impl Decoded {
    pub fn seconds(&self) -> f64 {
        self.mono.len() as f64 / f64::from(self.rate)
    }
}

/// Decodes every packet of the first audio track with symphonia (+ libopus), skipping damaged
/// packets and stopping at the first unrecoverable error, and down-mixes to mono. Files symphonia
/// cannot open or decode at all on its own (the WAV and CAF headers svara repairs) are decoded
/// by FFmpeg instead.
pub fn decode_mono(bytes: &[u8]) -> Decoded {
    match std::panic::catch_unwind(|| symphonia_mono(bytes)) {
        Ok(Some(d)) if !d.mono.is_empty() => d,
        _ => ffmpeg_mono(bytes),
    }
}

/// FFmpeg's decoding of `bytes`, down-mixed to mono, at the stream's own rate.
pub fn ffmpeg_mono(bytes: &[u8]) -> Decoded {
    let path = temp_copy("ffmpeg", bytes);
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "a:0", "-show_entries"])
        .args([
            "stream=sample_rate,channels",
            "-of",
            "default=noprint_wrappers=1",
        ])
        .arg(&path)
        .output()
        .expect("ffprobe runs");
    let text = String::from_utf8_lossy(&probe.stdout).into_owned();
    let field = |k: &str| -> u32 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("ffprobe gives no {k}: {text}"))
    };
    let (rate, channels) = (field("sample_rate"), field("channels"));
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&path)
        .args(["-ac", "1", "-f", "f32le", "-"])
        .output()
        .expect("ffmpeg runs");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "ffmpeg cannot decode it either");
    let mono = out
        .stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Decoded {
        mono,
        rate,
        channels: channels as usize,
    }
}

fn symphonia_mono(bytes: &[u8]) -> Option<Decoded> {
    let mut registry = CodecRegistry::new();
    symphonia::default::register_enabled_codecs(&mut registry);
    registry.register_audio_decoder::<symphonia_adapter_libopus::OpusDecoder>();
    let mss = MediaSourceStream::new(Box::new(Cursor::new(bytes.to_vec())), Default::default());
    let mut format = symphonia::default::get_probe()
        .probe(
            &Hint::new(),
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .ok()?;
    let track = format.default_track(TrackType::Audio)?.clone();
    let Some(CodecParameters::Audio(params)) = track.codec_params.clone() else {
        return None;
    };
    let mut decoder = registry
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .ok()?;
    let mut mono = Vec::new();
    let mut rate = 0;
    let mut channels = 0;
    let mut planes: Vec<Vec<f32>> = Vec::new();
    loop {
        let packet = match format.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(SymError::DecodeError(_)) => continue,
            Err(_) => break,
        };
        if packet.track_id != track.id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(buf) => {
                rate = buf.spec().rate();
                channels = buf.spec().channels().count();
                buf.copy_to_vecs_planar::<f32>(&mut planes);
                let n = planes.first().map_or(0, Vec::len);
                for i in 0..n {
                    let s: f32 = planes.iter().map(|p| p[i]).sum();
                    mono.push(s / planes.len() as f32);
                }
            }
            Err(SymError::DecodeError(_)) => continue,
            Err(_) => break,
        }
    }
    Some(Decoded {
        mono,
        rate,
        channels,
    })
}

/// Linear-interpolation resampling, good enough to compare envelopes and waveforms of speech.
pub fn resample(x: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to {
        return x.to_vec();
    }
    let n = (x.len() as u64 * u64::from(to) / u64::from(from)) as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 * f64::from(from) / f64::from(to);
            let j = t.floor() as usize;
            let f = (t - j as f64) as f32;
            let a = x.get(j).copied().unwrap_or(0.0);
            let b = x.get(j + 1).copied().unwrap_or(a);
            a + (b - a) * f
        })
        .collect()
}

/// Pearson correlation of two equal-length slices.
pub fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    let (a, b) = (&a[..n], &b[..n]);
    let ma = a.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
    let mb = b.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (x, y) = (f64::from(a[i]) - ma, f64::from(b[i]) - mb);
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    if saa == 0.0 || sbb == 0.0 {
        return 0.0;
    }
    sab / (saa * sbb).sqrt()
}

/// The lag (in samples, output later than input) in `0..max_lag` that best aligns `out` to `inp`,
/// and the correlation at that lag.
pub fn best_lag(inp: &[f32], out: &[f32], max_lag: usize) -> (usize, f64) {
    let window = inp.len().min(out.len()).min(48_000);
    let mut best = (0, f64::MIN);
    for lag in 0..max_lag.min(out.len()) {
        let n = window.min(out.len() - lag).min(inp.len());
        let c = correlation(&inp[..n], &out[lag..lag + n]);
        if c > best.1 {
            best = (lag, c);
        }
    }
    best
}

/// RMS envelope in windows of `ms` milliseconds.
pub fn envelope(x: &[f32], rate: u32, ms: u32) -> Vec<f32> {
    let w = (rate * ms / 1000).max(1) as usize;
    x.chunks(w)
        .map(|c| (c.iter().map(|v| v * v).sum::<f32>() / c.len() as f32).sqrt())
        .collect()
}

/// Top-level MP4 box types in order.
pub fn top_level_boxes(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut off = 0usize;
    while off + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[off..off + 4].try_into().unwrap()) as usize;
        out.push(String::from_utf8_lossy(&bytes[off + 4..off + 8]).into_owned());
        if size < 8 {
            break;
        }
        off += size;
    }
    out
}

/// The edit list's media_time (encoder delay) of the first track, if any.
pub fn elst_media_time(bytes: &[u8]) -> Option<u32> {
    let pos = bytes.windows(4).position(|w| w == b"elst")?;
    // elst: version(1) flags(3) count(4) then v0 entries: segment_duration(4) media_time(4).
    let body = pos + 4;
    let t = &bytes[body + 12..body + 16];
    Some(u32::from_be_bytes(t.try_into().ok()?))
}

/// The AudioSpecificConfig inside the esds box.
pub fn audio_specific_config(bytes: &[u8]) -> Option<Vec<u8>> {
    let pos = bytes.windows(4).position(|w| w == b"esds")?;
    let esds = &bytes[pos..(pos + 80).min(bytes.len())];
    let dsi = esds
        .windows(2)
        .position(|w| w[0] == 0x05 && (2..=5).contains(&w[1]))?;
    let len = esds[dsi + 1] as usize;
    Some(esds[dsi + 2..dsi + 2 + len].to_vec())
}

/// What ffprobe says about a file: (format_name, codec_name, profile, channels, duration seconds).
pub fn ffprobe(bytes: &[u8]) -> (String, String, String, u32, f64) {
    let path = temp_copy("ffprobe", bytes);
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "a:0",
            "-show_entries",
            "format=format_name,duration:stream=codec_name,profile,channels",
            "-of",
            "default=noprint_wrappers=1",
        ])
        .arg(&path)
        .output()
        .expect("ffprobe runs (install ffmpeg: the audio tests check every note with it)");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "ffprobe failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap_or("")
            .to_string()
    };
    (
        get("format_name"),
        get("codec_name"),
        get("profile"),
        get("channels").parse().unwrap_or(0),
        get("duration").parse().unwrap_or(-1.0),
    )
}

/// `bytes` in a file of its own for ffmpeg/ffprobe to read: one file per call, because tests
/// run on several threads and may hand over identical bytes (one would delete the other's).
fn temp_copy(tool: &str, bytes: &[u8]) -> std::path::PathBuf {
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("svara-{tool}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{:x}-{n}.bin", fxhash(bytes)));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn fxhash(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf29ce484222325u64, |h, &x| {
        (h ^ u64::from(x)).wrapping_mul(0x100000001b3)
    })
}

/// Checks a conversion independently: the output is MP4 with moov before mdat, AAC-LC with a
/// correct AudioSpecificConfig, as long as the input (within 50 ms, after the edit list), and its
/// decoded audio resembles the input's mono downmix.
pub fn check_conversion(
    name: &str,
    input: &[u8],
    prepared: &svara::PreparedAudio,
    expect_channels: u16,
) {
    let out = &prepared.data;
    assert_eq!(prepared.mime, "audio/mp4", "{name}");
    assert!(prepared.file_name.ends_with(".m4a"), "{name}");
    let boxes = top_level_boxes(out);
    let moov = boxes
        .iter()
        .position(|b| b == "moov")
        .unwrap_or_else(|| panic!("{name}: no moov in {boxes:?}"));
    let mdat = boxes
        .iter()
        .position(|b| b == "mdat")
        .unwrap_or_else(|| panic!("{name}: no mdat in {boxes:?}"));
    assert!(moov < mdat, "{name}: moov must come before mdat: {boxes:?}");
    assert_eq!(boxes[0], "ftyp", "{name}");

    // AudioSpecificConfig: AAC-LC, the output rate's index, the channel count.
    let asc = audio_specific_config(out).unwrap_or_else(|| panic!("{name}: no ASC"));
    let aot = asc[0] >> 3;
    let freq_index = ((asc[0] & 0x07) << 1) | (asc[1] >> 7);
    let chan = (asc[1] >> 3) & 0x0F;
    assert_eq!(aot, 2, "{name}: AAC-LC object type");
    let rates = [
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000,
    ];
    assert_eq!(
        rates[freq_index as usize], prepared.output.sample_rate,
        "{name}: ASC rate"
    );
    assert_eq!(u16::from(chan), expect_channels, "{name}: ASC channels");
    assert_eq!(prepared.output.channels, expect_channels, "{name}");

    // The engine's own verifier and probe agree.
    let verified = svara::verify_m4a_aac(out)
        .unwrap_or_else(|e| panic!("{name}: output does not verify: {e}"));
    assert_eq!(verified.codec, "aac-lc", "{name}");

    // Independent decode of both sides.
    let a = decode_mono(input);
    let b = decode_mono(out);
    assert!(a.rate > 0 && b.rate > 0, "{name}: decoded something");
    let delay = elst_media_time(out).unwrap_or(0) as usize;
    let out_len = b.mono.len().saturating_sub(delay) as f64 / f64::from(b.rate);
    let in_len = a.seconds();
    let reported = prepared.output.duration_ms as f64 / 1000.0;
    assert!(
        (reported - in_len).abs() <= 0.05,
        "{name}: reported {reported:.3} s vs decoded input {in_len:.3} s"
    );
    // The decoded media holds the delay, the audio and at most one frame of padding plus flush.
    assert!(
        out_len + 0.05 >= in_len,
        "{name}: output audio {out_len:.3} s shorter than input {in_len:.3} s"
    );

    // Resemblance: put the input at the output rate, align on the encoder delay, correlate.
    let inp = resample(&a.mono, a.rate, b.rate);
    let energy: f32 = inp.iter().map(|v| v * v).sum::<f32>() / inp.len().max(1) as f32;
    if energy < 1e-7 {
        // Silence in, silence out.
        let out_energy: f32 =
            b.mono.iter().map(|v| v * v).sum::<f32>() / b.mono.len().max(1) as f32;
        assert!(
            out_energy < 1e-4,
            "{name}: silent input produced loud output"
        );
        return;
    }
    let (lag, corr) = if a.rate == b.rate {
        // Played as a player does: skip exactly the edit list's delay, then compare.
        let n = inp.len().min(b.mono.len().saturating_sub(delay));
        (delay, correlation(&inp[..n], &b.mono[delay..delay + n]))
    } else {
        best_lag(&inp, &b.mono, delay + 2048)
    };
    let threshold = if a.rate == b.rate { 0.85 } else { 0.6 };
    assert!(
        corr > threshold,
        "{name}: waveform correlation {corr:.3} at lag {lag} (delay {delay})"
    );
    let ea = envelope(&inp, b.rate, 20);
    let eb = envelope(&b.mono[lag.min(b.mono.len())..], b.rate, 20);
    assert_envelopes_agree(name, &ea, &eb);

    // FFmpeg, a decoder independent of ours, must agree (CI installs it; missing fails).
    let (format, codec, profile, channels, duration) = ffprobe(out);
    assert!(
        format.contains("mp4") || format.contains("m4a"),
        "{name}: ffprobe format {format}"
    );
    assert_eq!(codec, "aac", "{name}: ffprobe codec");
    assert_eq!(profile, "LC", "{name}: ffprobe profile");
    assert_eq!(
        channels,
        u32::from(expect_channels),
        "{name}: ffprobe channels"
    );
    assert!(
        (duration - in_len).abs() <= 0.05,
        "{name}: ffprobe duration {duration:.3} vs input {in_len:.3}"
    );
}

/// SNR in dB of `out` against `inp` (same rate) after aligning them on the best lag.
pub fn aligned_snr(inp: &[f32], out: &[f32]) -> f64 {
    let (lag, _) = best_lag(inp, out, 4096);
    let n = inp.len().min(out.len() - lag);
    let (mut sig, mut err) = (0f64, 0f64);
    for i in 0..n {
        let (a, b) = (f64::from(inp[i]), f64::from(out[i + lag]));
        sig += a * a;
        err += (a - b) * (a - b);
    }
    10.0 * (sig / err.max(1e-12)).log10()
}

/// An Ogg page: granule position, header flags, the packets completed on it.
pub struct OggPage {
    pub granule: i64,
    pub flags: u8,
    pub serial: u32,
    pub packets: Vec<Vec<u8>>,
}

/// Every page of an Ogg file, read by hand (independently of the `ogg` crate svara writes with).
pub fn ogg_pages(bytes: &[u8]) -> Vec<OggPage> {
    let mut pages = Vec::new();
    let mut at = 0;
    let mut partial: Vec<u8> = Vec::new();
    while at + 27 <= bytes.len() {
        assert_eq!(&bytes[at..at + 4], b"OggS", "page at {at}");
        let granule = i64::from_le_bytes(bytes[at + 6..at + 14].try_into().unwrap());
        let serial = u32::from_le_bytes(bytes[at + 14..at + 18].try_into().unwrap());
        let segments = usize::from(bytes[at + 26]);
        let lacing = &bytes[at + 27..at + 27 + segments];
        let mut body = at + 27 + segments;
        let mut packets = Vec::new();
        for &l in lacing {
            partial.extend_from_slice(&bytes[body..body + usize::from(l)]);
            body += usize::from(l);
            if l < 255 {
                packets.push(std::mem::take(&mut partial));
            }
        }
        pages.push(OggPage {
            granule,
            flags: bytes[at + 5],
            serial,
            packets,
        });
        at = body;
    }
    assert_eq!(at, bytes.len(), "no trailing bytes after the last page");
    pages
}

/// The OpusHead fields: (channels, pre-skip, input sample rate, mapping family).
pub fn opus_head(bytes: &[u8]) -> (u8, u16, u32, u8) {
    let pages = ogg_pages(bytes);
    let head = &pages[0].packets[0];
    assert_eq!(&head[..8], b"OpusHead");
    (
        head[9],
        u16::from_le_bytes([head[10], head[11]]),
        u32::from_le_bytes(head[12..16].try_into().unwrap()),
        head[18],
    )
}

/// Samples (48 kHz) of an Opus packet, from its TOC byte (RFC 6716 section 3.1).
pub fn opus_packet_samples(p: &[u8]) -> i64 {
    let config = p[0] >> 3;
    let frame = match config {
        0..=11 => [480, 960, 1920, 2880][usize::from(config % 4)],
        12..=15 => [480, 960][usize::from(config % 2)],
        _ => [120, 240, 480, 960][usize::from(config % 4)],
    };
    frame
        * match p[0] & 3 {
            0 => 1,
            1 | 2 => 2,
            _ => i64::from(p[1] & 0x3F),
        }
}

/// Checks an Ogg/Opus note independently: RFC 7845 structure (OpusHead alone on the first page,
/// OpusTags alone on the second, granule positions that count every packet's samples and start
/// at zero, the last page trimmed to the input's length, EOS), mono, 20 ms packets, as long as
/// the input within 50 ms, and decoded audio that resembles the input; ffprobe agrees.
pub fn check_opus_note(name: &str, input: &[u8], prepared: &svara::PreparedAudio) {
    let out = &prepared.data;
    assert_eq!(prepared.mime, "audio/ogg", "{name}");
    assert!(prepared.file_name.ends_with(".ogg"), "{name}");
    assert_eq!(prepared.output.container, "ogg", "{name}");
    assert_eq!(prepared.output.codec, "opus", "{name}");
    assert_eq!(prepared.output.channels, 1, "{name}: voice notes are mono");
    let pages = ogg_pages(out);
    assert!(
        pages.iter().all(|p| p.serial == pages[0].serial),
        "{name}: one stream"
    );
    assert_eq!(pages[0].flags & 0x02, 0x02, "{name}: BOS");
    assert_eq!(pages[0].packets.len(), 1, "{name}: OpusHead alone");
    assert_eq!(&pages[1].packets[0][..8], b"OpusTags", "{name}");
    assert_eq!(pages[1].packets.len(), 1, "{name}: OpusTags alone");
    let last = pages.last().unwrap();
    assert_eq!(last.flags & 0x04, 0x04, "{name}: EOS on the last page");
    let (channels, pre_skip, _, family) = opus_head(out);
    assert_eq!((channels, family), (1, 0), "{name}: mono, mapping family 0");
    let mut decodable = 0i64;
    for (i, page) in pages.iter().enumerate().skip(2) {
        for p in &page.packets {
            decodable += opus_packet_samples(p);
            // Opus input keeps its own packets (passed through or re-wrapped); what svara
            // encodes is in 20 ms packets.
            if prepared.input.codec != "opus" {
                assert_eq!(opus_packet_samples(p), 960, "{name}: 20 ms packets");
            }
        }
        if i == 2 && i + 1 < pages.len() {
            assert_eq!(page.granule, decodable, "{name}: the stream starts at zero");
        }
    }
    let samples = last.granule - i64::from(pre_skip);
    let trimmed = decodable - last.granule;
    let last_page: i64 = last.packets.iter().map(|p| opus_packet_samples(p)).sum();
    assert!(
        (0..last_page).contains(&trimmed),
        "{name}: end trim {trimmed} within the last page ({last_page})"
    );

    let a = decode_mono(input);
    let b = decode_mono(out);
    assert_eq!(b.rate, 48_000, "{name}: Opus decodes at 48 kHz");
    let in_len = a.seconds();
    let granule_len = samples as f64 / 48_000.0;
    let reported = prepared.output.duration_ms as f64 / 1000.0;
    for (what, len) in [
        ("granule positions", granule_len),
        ("decoded", b.seconds()),
        ("reported", reported),
    ] {
        assert!(
            (len - in_len).abs() <= 0.05,
            "{name}: {what} {len:.3} s vs decoded input {in_len:.3} s"
        );
    }
    let verified = svara::verify_ogg_opus(out).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(verified.channels, 1);

    // Resemblance at the input's rate: the pre-skip removes the encoder delay, so the decoded
    // note lines up with the input within a few samples; waveforms correlate, envelopes agree.
    let inp = &a.mono;
    let outp = resample(&b.mono, 48_000, a.rate);
    let energy: f32 = inp.iter().map(|v| v * v).sum::<f32>() / inp.len().max(1) as f32;
    let out_energy: f32 = outp.iter().map(|v| v * v).sum::<f32>() / outp.len().max(1) as f32;
    if energy < 1e-5 {
        // Below -50 dBFS (room noise, a recording of nothing): speech coding does not keep the
        // shape of noise; the note must stay as quiet.
        assert!(out_energy < 1e-4, "{name}: a quiet input made a loud note");
    } else {
        let (lag, _) = best_lag(inp, &outp, 64);
        let n = inp.len().min(outp.len() - lag);
        let corr = correlation(&inp[..n], &outp[lag..lag + n]);
        assert!(
            corr > 0.6,
            "{name}: waveform correlation {corr:.3} at lag {lag}"
        );
        assert!(
            lag <= 8,
            "{name}: the note is {lag} samples late (pre-skip wrong?)"
        );
        let ea = envelope(inp, a.rate, 20);
        let eb = envelope(&outp[lag..], a.rate, 20);
        assert_envelopes_agree(name, &ea, &eb);
    }

    let (format, codec, _, channels, duration) = ffprobe(out);
    assert_eq!(format, "ogg", "{name}: ffprobe format");
    assert_eq!(codec, "opus", "{name}: ffprobe codec");
    assert_eq!(channels, 1, "{name}: ffprobe channels");
    // ffprobe's Ogg duration is the last granule position, pre-skip included.
    assert!(
        (duration - in_len).abs() <= 0.05,
        "{name}: ffprobe duration {duration:.3} vs input {in_len:.3}"
    );
}

/// A PCM WAV: `bits` 8 (unsigned) or 16 (signed), with the sizes stated in its header given
/// (`None`: the true ones), so tests can write placeholder headers too.
pub fn wav_bytes(
    rate: u32,
    channels: u16,
    bits: u16,
    data: &[u8],
    sizes: Option<(u32, u32)>,
) -> Vec<u8> {
    let (riff, data_len) = sizes.unwrap_or((36 + data.len() as u32, data.len() as u32));
    let block = channels * bits / 8;
    let mut out = Vec::with_capacity(44 + data.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&riff.to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    out.extend_from_slice(&block.to_le_bytes());
    out.extend_from_slice(&bits.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// A shared sample's note is as long as FFmpeg's decoding of it (samples.tsv): our decoders
/// agree to within a frame or two, and a damaged stream may lose its last partial frame.
pub fn assert_ffmpeg_length(
    row: &std::collections::HashMap<String, String>,
    prepared: &svara::PreparedAudio,
) {
    let name = &row["file"];
    let expected: f64 = row["decoded_duration_s"].parse().unwrap();
    let got = prepared.output.duration_ms as f64 / 1000.0;
    let tolerance = if row["expect"] == "damaged" && !name.contains("id3v23") {
        0.1
    } else {
        0.05
    };
    assert!(
        (got - expected).abs() <= tolerance,
        "{name}: {got:.3} s vs FFmpeg's {expected:.3} s"
    );
}

/// The RMS envelopes of a note and its input agree: they correlate, or, for a steady signal
/// (a test tone) whose flat envelope makes correlation meaningless, they agree in level.
pub fn assert_envelopes_agree(name: &str, ea: &[f32], eb: &[f32]) {
    let n = ea.len().min(eb.len());
    let env = correlation(&ea[..n], &eb[..n]);
    let (mut diff, mut level) = (0f64, 0f64);
    for (x, y) in ea[..n].iter().zip(&eb[..n]) {
        diff += f64::from(x - y).powi(2);
        level += f64::from(*x).powi(2);
    }
    let error = (diff / level.max(1e-12)).sqrt();
    assert!(
        env > 0.9 || error < 0.1,
        "{name}: envelope correlation {env:.3}, relative error {error:.3}"
    );
}
