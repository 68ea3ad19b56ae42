//! The Ogg/Opus target (WhatsApp, Telegram): every fixture and shared sample becomes a mono
//! Ogg/Opus note that an independent reader, an independent decoder and ffprobe accept, as long
//! as its input within 50 ms; mono Ogg/Opus passes through byte for byte, stereo is re-encoded;
//! the encoder's quality on real speech stays above a stated floor.

mod audio_support;

use audio_support::*;
use svara::audio::{prepare, PrepareOptions, TargetFormat};
use svara::ErrorCode;

fn opus() -> PrepareOptions {
    PrepareOptions::for_format(TargetFormat::OggOpus)
}

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_valid_fixture_becomes_a_mono_ogg_opus_note() {
    let rows = read_tsv(&fixtures().join("fixtures.tsv"));
    let mut passed_through = 0;
    for row in rows.iter().filter(|r| r["expect"] == "valid") {
        let name = &row["file"];
        let input = read(&fixtures().join(name));
        let prepared = prepare(&input, &opus()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(prepared.format(), TargetFormat::OggOpus, "{name}");
        let mono_ogg_opus =
            row["container"] == "ogg" && row["codec"] == "opus" && row["channels"] == "1";
        if mono_ogg_opus && !name.contains("offset") && !name.contains("cut") {
            assert!(!prepared.converted, "{name}: mono Ogg/Opus passes through");
            assert!(prepared.data == input, "{name}: byte for byte");
            passed_through += 1;
        } else {
            assert!(prepared.converted, "{name}");
        }
        check_opus_note(name, &input, &prepared);
    }
    assert!(passed_through >= 1);
}

#[test]
fn shared_samples_become_ogg_opus_or_fail_as_documented() {
    let dir = shared_samples();
    for row in read_tsv(&dir.join("samples.tsv")) {
        let name = &row["file"];
        let input = read(&dir.join(name));
        let result = prepare(&input, &opus());
        match row["expect"].as_str() {
            _ if row["codec"].starts_with("amr") => {
                assert_eq!(result.unwrap_err().code(), ErrorCode::UnsupportedAudio);
            }
            "corrupt" => assert_eq!(result.unwrap_err().code(), ErrorCode::UnsupportedAudio),
            "edge" => match result {
                Ok(p) => check_opus_note(name, &input, &p),
                Err(e) => assert_eq!(e.code(), ErrorCode::UnsupportedAudio, "{name}: {e}"),
            },
            _ => {
                let prepared = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                if row["container"] == "ogg" && row["codec"] == "opus" && row["channels"] == "1" {
                    // WhatsApp's own voice note (no EOS page): sent exactly as recorded.
                    assert!(!prepared.converted && prepared.data == input, "{name}");
                    let v = svara::verify_ogg_opus(&prepared.data).unwrap();
                    let expected: f64 = row["decoded_duration_s"].parse().unwrap();
                    assert!((v.duration_ms as f64 / 1000.0 - expected).abs() <= 0.05);
                    continue;
                }
                check_opus_note(name, &input, &prepared);
                assert_ffmpeg_length(&row, &prepared);
            }
        }
    }
}

/// Browser recordings (WebM/Opus, mono) move into Ogg without re-encoding: the same packets,
/// so the note decodes to exactly the samples the recording does.
#[test]
fn mono_webm_opus_is_re_wrapped_not_re_encoded() {
    for path in [
        fixtures().join("speech.opus.webm"),
        shared_samples().join("chrome-mediarecorder-opus-no-duration.webm"),
    ] {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let input = read(&path);
        let prepared = prepare(&input, &opus()).unwrap();
        check_opus_note(&name, &input, &prepared);
        let (a, b) = (decode_mono(&input), decode_mono(&prepared.data));
        if a.rate == b.rate {
            let n = a.mono.len().min(b.mono.len());
            assert!(n + 960 >= a.mono.len().max(b.mono.len()), "{name}: lengths");
            let same = a.mono[..n]
                .iter()
                .zip(&b.mono[..n])
                .all(|(x, y)| (x - y).abs() < 1e-6);
            assert!(same, "{name}: the same packets decode to the same samples");
        } else {
            // Decoded at the rate the WebM track states (libopus decodes at any Opus rate).
            let back = resample(&b.mono, b.rate, a.rate);
            let n = a.mono.len().min(back.len());
            let c = correlation(&a.mono[..n], &back[..n]);
            assert!(
                c > 0.98,
                "{name}: correlation {c:.4} with the recording's own decoding"
            );
        }
        let packets: usize = ogg_pages(&prepared.data)[2..]
            .iter()
            .map(|p| p.packets.iter().map(Vec::len).sum::<usize>())
            .sum();
        assert!(packets < input.len(), "{name}: only the container changed");
    }
}

#[test]
fn stereo_opus_is_re_encoded_to_mono() {
    let input = read(&fixtures().join("speech-stereo.opus.ogg"));
    assert_eq!(opus_head(&input).0, 2, "the fixture is stereo");
    let prepared = prepare(&input, &opus()).unwrap();
    assert!(prepared.converted);
    assert_eq!(opus_head(&prepared.data).0, 1);
    check_opus_note("speech-stereo.opus.ogg", &input, &prepared);
    // keep_stereo does not apply: Opus voice notes are mono.
    let options = PrepareOptions {
        keep_stereo: true,
        ..opus()
    };
    assert_eq!(prepare(&input, &options).unwrap().output.channels, 1);
}

#[test]
fn m4a_aac_input_is_re_encoded_for_the_opus_target() {
    let input = read(&fixtures().join("speech-aac.m4a"));
    let prepared = prepare(&input, &opus()).unwrap();
    assert!(prepared.converted, "M4A is not a WhatsApp voice note");
    check_opus_note("speech-aac.m4a", &input, &prepared);
    // And Ogg/Opus input still becomes M4A/AAC for the default target.
    let ogg = read(&fixtures().join("speech.opus.ogg"));
    let m4a = prepare(&ogg, &PrepareOptions::default()).unwrap();
    assert_eq!(m4a.mime, "audio/mp4");
    check_conversion("speech.opus.ogg", &ogg, &m4a, 1);
}

/// The Opus encoder's quality on real speech: the 16 kHz fixture is encoded at 16 kHz (its own
/// rate, no resampling), so the 48 kHz decode taken every third sample lines up with the input
/// sample for sample. Measured here (libopus 1.5, complexity 6): 7.1 dB at 16 kb/s, 7.7 dB at
/// 32 kb/s (fast: 7.7 dB), 7.8 dB at 64 kb/s; SILK's speech coding does not aim at waveform SNR
/// (the benchmark reports PESQ-WB: 4.40 at 32 kb/s, FFmpeg's libopus 4.42). The floors leave room for libopus versions, not for a broken encoder: a wrong rate, a
/// lost frame or a misplaced pre-skip gives 0 dB or less.
#[test]
fn opus_quality_on_speech_is_above_the_floor() {
    let input = read(&fixtures().join("speech-s16-16k.wav"));
    let reference = decode_mono(&input);
    assert_eq!(reference.rate, 16_000);
    let snr = |bitrate: u32, fast_encode: bool| {
        let options = PrepareOptions {
            bitrate,
            fast_encode,
            ..opus()
        };
        let prepared = prepare(&input, &options).unwrap();
        check_opus_note("speech-s16-16k.wav", &input, &prepared);
        let decoded = decode_mono(&prepared.data);
        let at_16k: Vec<f32> = decoded.mono.iter().step_by(3).copied().collect();
        let (lag, _) = best_lag(&reference.mono, &at_16k, 64);
        assert!(lag <= 2, "pre-skip removes the encoder delay (lag {lag})");
        (aligned_snr(&reference.mono, &at_16k), prepared.data.len())
    };
    let (default, size32) = snr(32_000, false);
    let (fast, _) = snr(32_000, true);
    let (high, size64) = snr(64_000, false);
    let (low, size16) = snr(16_000, false);
    eprintln!("Opus SNR on speech: 16 kb/s {low:.1} dB, 32 kb/s {default:.1} dB (fast {fast:.1} dB), 64 kb/s {high:.1} dB");
    assert!(default >= 6.0, "32 kb/s SNR {default:.1} dB");
    assert!(fast >= 5.0, "fast 32 kb/s SNR {fast:.1} dB");
    assert!(
        high >= default - 0.5,
        "64 kb/s {high:.1} dB vs 32 kb/s {default:.1} dB"
    );
    assert!(low >= 4.0, "16 kb/s SNR {low:.1} dB");
    assert!(
        size16 < size32 && size32 < size64,
        "{size16} < {size32} < {size64}"
    );
}

#[test]
fn opus_bitrate_range_and_limits() {
    let input = read(&fixtures().join("speech-stereo.mp3"));
    for bitrate in [0, 5_999, 256_001] {
        let err = prepare(&input, &PrepareOptions { bitrate, ..opus() }).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidRequest, "{bitrate}");
        assert!(
            err.message().contains("6000 to 256000"),
            "{}",
            err.message()
        );
    }
    // 21 min of 8 kHz 8-bit WAV at 256 kb/s is ~40 MB of Opus: refused before decoding.
    let wav = wav_bytes(8000, 1, 8, &vec![128u8; 10_000_000], None);
    let loud = PrepareOptions {
        bitrate: 256_000,
        ..opus()
    };
    let err = prepare(&wav, &loud).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AudioTooLarge);
    assert!(err.message().contains("at most"), "{}", err.message());
}
