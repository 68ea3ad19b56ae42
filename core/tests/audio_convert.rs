//! Every fixture and every shared real-world sample through `prepare`, each output checked by an
//! independent decoder and by ffprobe: format, duration, resemblance to the input.

mod audio_support;

use audio_support::*;
use svara::audio::{prepare, probe, PrepareOptions, TargetFormat};
use svara::ErrorCode;

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_valid_fixture_converts_and_resembles_its_input() {
    let rows = read_tsv(&fixtures().join("fixtures.tsv"));
    let valid: Vec<_> = rows.iter().filter(|r| r["expect"] == "valid").collect();
    assert!(
        valid.len() >= 19,
        "fixtures.tsv lists the input rows of the issue"
    );
    for row in valid {
        let name = &row["file"];
        let input = read(&fixtures().join(name));
        let info = probe(&input).unwrap_or_else(|e| panic!("{name}: probe: {e}"));
        assert_eq!(info.container, row["container"], "{name}: container");
        assert_eq!(info.codec, row["codec"], "{name}: codec");
        assert_eq!(
            info.channels.to_string(),
            row["channels"],
            "{name}: channels"
        );
        assert_eq!(info.size_bytes, input.len() as u64);
        let prepared =
            prepare(&input, &PrepareOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(prepared.input.codec, row["codec"], "{name}");
        if row["container"] == "mp4" && row["codec"] == "aac-lc" {
            assert!(!prepared.converted, "{name}: M4A/AAC passes through");
            assert!(prepared.data == input, "{name}: byte for byte");
            assert_eq!(prepared.mime, "audio/mp4");
            assert!(prepared.file_name.ends_with(".m4a"));
            continue;
        }
        assert!(prepared.converted, "{name}");
        check_conversion(name, &input, &prepared, 1);
        let decoded_in = decode_mono(&input).seconds();
        assert!(
            (info.duration_ms as f64 / 1000.0 - decoded_in).abs() <= 0.05,
            "{name}: probe duration {} ms vs decoded {decoded_in:.3} s",
            info.duration_ms
        );
    }
}

#[test]
fn adts_is_rewrapped_without_re_encoding() {
    let input = read(&fixtures().join("speech.aac"));
    let prepared = prepare(&input, &PrepareOptions::default()).unwrap();
    assert!(prepared.converted, "the bytes change: ADTS becomes MP4");
    // Every raw AAC frame of the ADTS stream is in the M4A unchanged (headers stripped).
    let mut pos = 0;
    let mut frames = 0;
    while pos + 7 <= input.len() {
        let h = &input[pos..pos + 7];
        let len =
            ((usize::from(h[3]) & 3) << 11) | (usize::from(h[4]) << 3) | (usize::from(h[5]) >> 5);
        let payload = &input[pos + 7..pos + len];
        assert!(
            prepared.data.windows(payload.len()).any(|w| w == payload),
            "frame {frames} is carried unchanged"
        );
        pos += len;
        frames += 1;
    }
    assert!(frames > 50);
    // Smaller than a re-encode would be: header overhead only.
    assert!(prepared.data.len() < input.len() + 2048);
    check_conversion("speech.aac", &input, &prepared, 1);
}

#[test]
fn every_broken_fixture_is_refused_with_what_was_detected() {
    let expected = [
        ("empty.bin", "empty"),
        ("truncated-header.wav", "WAV"),
        ("random.bin", "unrecognised"),
        ("image.png", "PNG image"),
        ("page.html", "HTML page"),
        ("video-only.mp4", "video-only"),
    ];
    let rows = read_tsv(&fixtures().join("fixtures.tsv"));
    let broken: Vec<_> = rows.iter().filter(|r| r["expect"] == "broken").collect();
    assert_eq!(broken.len(), expected.len());
    for (name, needle) in expected {
        let input = read(&fixtures().join(name));
        for result in [
            prepare(&input, &PrepareOptions::default()).map(|_| ()),
            probe(&input).map(|_| ()),
        ] {
            let err = result.expect_err(name);
            assert_eq!(err.code(), ErrorCode::UnsupportedAudio, "{name}: {err}");
            assert!(
                err.message().contains(needle),
                "{name}: message {:?} should name {needle:?}",
                err.message()
            );
        }
    }
}

#[test]
fn truncated_mid_stream_converts_what_decodes() {
    let full = read(&fixtures().join("speech-stereo.mp3"));
    let cut = read(&fixtures().join("truncated-midstream.mp3"));
    let prepared = prepare(&cut, &PrepareOptions::default()).unwrap();
    let full_s = decode_mono(&full).seconds();
    let cut_s = prepared.output.duration_ms as f64 / 1000.0;
    assert!(
        cut_s > 0.4 * full_s && cut_s < 0.8 * full_s,
        "{cut_s} of {full_s}"
    );
    check_conversion("truncated-midstream.mp3", &cut, &prepared, 1);
}

#[test]
fn shared_samples_convert_or_fail_as_documented() {
    let dir = shared_samples();
    assert!(
        dir.join("samples.tsv").exists(),
        "the real-world samples must be at {} (../shared/audio-samples from the project root)",
        dir.display()
    );
    for row in read_tsv(&dir.join("samples.tsv")) {
        let name = &row["file"];
        let input = read(&dir.join(name));
        let result = prepare(&input, &PrepareOptions::default());
        let codec = &row["codec"];
        match row["expect"].as_str() {
            _ if codec.starts_with("amr") => {
                // No maintained pure-Rust AMR decoder exists; refused with a message naming AMR.
                let err = result.expect_err(name);
                assert_eq!(err.code(), ErrorCode::UnsupportedAudio, "{name}");
                assert!(err.message().contains("AMR"), "{name}: {}", err.message());
            }
            "valid" | "damaged" => {
                let prepared = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                if codec.starts_with("aac") && row["container"].starts_with("mov") {
                    assert!(
                        !prepared.converted && prepared.data == input,
                        "{name}: passed through"
                    );
                    let v = svara::verify_m4a_aac(&prepared.data).unwrap();
                    assert_eq!(v.codec, "aac-lc");
                    continue;
                }
                check_conversion(name, &input, &prepared, 1);
                assert_ffmpeg_length(&row, &prepared);
            }
            "edge" => match result {
                Ok(prepared) => check_conversion(name, &input, &prepared, 1),
                Err(e) => assert_eq!(e.code(), ErrorCode::UnsupportedAudio, "{name}: {e}"),
            },
            "corrupt" => {
                let err = result.expect_err(name);
                assert_eq!(err.code(), ErrorCode::UnsupportedAudio, "{name}: {err}");
            }
            other => panic!("{name}: unknown expectation {other}"),
        }
    }
}

#[test]
fn keep_stereo_keeps_two_channels() {
    let input = read(&fixtures().join("speech-stereo.mp3"));
    let options = PrepareOptions {
        keep_stereo: true,
        ..Default::default()
    };
    let prepared = prepare(&input, &options).unwrap();
    assert_eq!(prepared.output.channels, 2);
    check_conversion("speech-stereo.mp3 (stereo)", &input, &prepared, 2);
    // Mono input stays mono even when stereo is allowed.
    let mono = read(&fixtures().join("speech.flac"));
    assert_eq!(prepare(&mono, &options).unwrap().output.channels, 1);
}

#[test]
fn bitrate_option_changes_the_size_and_bad_values_are_refused() {
    let input = read(&fixtures().join("speech.opus.ogg"));
    let low = prepare(
        &input,
        &PrepareOptions {
            bitrate: 24_000,
            ..Default::default()
        },
    )
    .unwrap();
    let high = prepare(
        &input,
        &PrepareOptions {
            bitrate: 128_000,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        low.data.len() * 3 < high.data.len(),
        "{} vs {}",
        low.data.len(),
        high.data.len()
    );
    check_conversion("24 kb/s", &input, &low, 1);
    for bitrate in [0, 1_000, 10_000_000] {
        let err = prepare(
            &input,
            &PrepareOptions {
                bitrate,
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidRequest, "{bitrate}");
        assert!(err.message().contains("bitrate"));
    }
}

#[test]
fn limits_give_audio_too_large() {
    // Over 25 MB: refused before any decoding (these zeros are not even audio).
    let big = vec![0u8; 26_214_401];
    let err = prepare(&big, &PrepareOptions::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AudioTooLarge);
    assert!(err.message().contains("26214401"), "{}", err.message());
    // Exactly at the limit is not "too large" (here it is refused as what it is).
    let at = vec![0u8; 26_214_400];
    assert_eq!(
        prepare(&at, &PrepareOptions::default()).unwrap_err().code(),
        ErrorCode::UnsupportedAudio
    );

    // Output over 25 MB: known from the header before decoding (750 s at 320 kb/s = 30 MB).
    let pcm: Vec<u8> = (0..6_000_000u32)
        .map(|i| (128.0 + 60.0 * (i as f32 * 0.05).sin()) as u8)
        .collect();
    let wav = wav_bytes(8000, 1, 8, &pcm, None);
    let loud = PrepareOptions {
        bitrate: 320_000,
        ..Default::default()
    };
    let err = prepare(&wav, &loud).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AudioTooLarge);
    assert!(err.message().contains("at most"), "{}", err.message());
    // At the default bitrate the same recording fits (750 s at 64 kb/s = 6 MB).
    let ok = prepare(&wav, &PrepareOptions::default()).unwrap();
    assert!((ok.output.duration_ms as i64 - 750_000).abs() <= 50);

    // max_duration, from the header (WAV), while decoding (WebM has no duration header) and for
    // pass-through, for both targets.
    for format in TargetFormat::ALL {
        let short = PrepareOptions {
            max_duration: Some(std::time::Duration::from_secs(1)),
            ..PrepareOptions::for_format(format)
        };
        let long = PrepareOptions {
            max_duration: Some(std::time::Duration::from_secs(10)),
            ..PrepareOptions::for_format(format)
        };
        for name in [
            "speech-s16-16k.wav",
            "speech.opus.webm",
            "speech.opus.ogg",
            "speech-aac.m4a",
            "speech.aac",
        ] {
            let input = read(&fixtures().join(name));
            let err = prepare(&input, &short).unwrap_err();
            assert_eq!(err.code(), ErrorCode::AudioTooLarge, "{name} -> {format}");
            assert!(
                err.message().contains("max_duration"),
                "{name}: {}",
                err.message()
            );
            assert!(prepare(&input, &long).is_ok(), "{name} -> {format}");
        }
    }
}

#[test]
fn fast_encode_option_trades_snr_for_speed() {
    let input = read(&fixtures().join("speech-s16-16k.wav"));
    let reference = decode_mono(&input);
    let note = |fast_encode, bitrate| {
        let options = PrepareOptions {
            fast_encode,
            bitrate,
            ..Default::default()
        };
        let prepared = prepare(&input, &options).unwrap();
        check_conversion("speech-s16-16k.wav", &input, &prepared, 1);
        let snr = aligned_snr(&reference.mono, &decode_mono(&prepared.data).mono);
        (snr, prepared.data)
    };
    // 24 kb/s at 16 kHz is 1.5 bits per sample: the default runs the afterburner there.
    let ((high, _), (fast, _)) = (note(false, 24_000), note(true, 24_000));
    assert!(fast > 12.0, "fast_encode SNR {fast:.1} dB");
    assert!(
        high > fast + 1.0,
        "default {high:.1} dB vs fast_encode {fast:.1} dB"
    );
    // 64 kb/s is 4 bits per sample: the afterburner does not pay, both make the same note.
    let ((_, default64), (_, fast64)) = (note(false, 64_000), note(true, 64_000));
    assert!(
        default64 == fast64,
        "the afterburner is off where it does not pay"
    );
}
