//! `probe`: detection by content and measured durations, against FFmpeg's figures for the shared
//! real-world samples, and the JSON shape the CLI and bindings expose.

mod audio_support;

use audio_support::*;
use svara::audio::{prepare, probe, verify_m4a_aac, PrepareOptions};
use svara::ErrorCode;

#[test]
fn durations_match_ffmpegs_decoded_length() {
    let dir = shared_samples();
    for row in read_tsv(&dir.join("samples.tsv")) {
        let name = &row["file"];
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let result = probe(&bytes);
        if row["codec"].starts_with("amr") {
            let e = result.unwrap_err();
            assert_eq!(e.code(), ErrorCode::UnsupportedAudio);
            assert!(e.message().contains("AMR"), "{name}: {}", e.message());
            continue;
        }
        if row["expect"] == "corrupt" {
            assert_eq!(
                result.unwrap_err().code(),
                ErrorCode::UnsupportedAudio,
                "{name}"
            );
            continue;
        }
        let info = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected: f64 = row["decoded_duration_s"].parse().unwrap();
        let got = info.duration_ms as f64 / 1000.0;
        let tolerance = if row["expect"] == "valid" { 0.05 } else { 0.1 };
        assert!(
            (got - expected).abs() <= tolerance,
            "{name}: {got:.3} s vs FFmpeg's {expected:.3} s"
        );
        assert_eq!(
            info.sample_rate.to_string(),
            row["sample_rate_hz"],
            "{name}"
        );
        assert_eq!(info.channels.to_string(), row["channels"], "{name}");
        assert_eq!(info.size_bytes.to_string(), row["size_bytes"], "{name}");
    }
}

#[test]
fn webm_without_duration_is_measured() {
    let bytes =
        std::fs::read(shared_samples().join("chrome-mediarecorder-opus-no-duration.webm")).unwrap();
    let info = probe(&bytes).unwrap();
    assert_eq!(
        (info.container.as_str(), info.codec.as_str()),
        ("webm", "opus")
    );
    assert!(
        (info.duration_ms as i64 - 25_500).abs() <= 50,
        "{}",
        info.duration_ms
    );
}

#[test]
fn json_has_the_documented_keys() {
    let bytes = std::fs::read(fixtures().join("speech.opus.ogg")).unwrap();
    let value = serde_json::to_value(probe(&bytes).unwrap()).unwrap();
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "channels",
            "codec",
            "container",
            "duration_ms",
            "sample_rate",
            "size_bytes"
        ]
    );
    assert_eq!(value["codec"], "opus");
    assert_eq!(value["sample_rate"], 48000);
}

#[test]
fn converted_notes_probe_as_their_input_length_and_verify() {
    let input = std::fs::read(fixtures().join("speech-s16-16k.wav")).unwrap();
    let prepared = prepare(&input, &PrepareOptions::default()).unwrap();
    let info = probe(&prepared.data).unwrap();
    assert_eq!(info.container, "mp4");
    assert_eq!(info.codec, "aac-lc");
    assert_eq!(info.duration_ms, 2500, "edit list hides the encoder delay");
    assert_eq!(verify_m4a_aac(&prepared.data).unwrap().duration_ms, 2500);
}

#[test]
fn verify_refuses_what_meta_would_refuse() {
    for (name, needle) in [
        ("speech-stereo.mp3", "not an MP4"),
        ("speech-alac.m4a", "alac, not AAC"),
        ("video-only.mp4", "video-only"),
        ("image.png", "PNG"),
        ("empty.bin", "empty"),
    ] {
        let bytes = std::fs::read(fixtures().join(name)).unwrap();
        let e = verify_m4a_aac(&bytes).unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnsupportedAudio, "{name}");
        assert!(e.message().contains(needle), "{name}: {}", e.message());
    }
    // An M4A whose AAC frames are damaged is refused (Meta decodes before accepting).
    let mut damaged = std::fs::read(fixtures().join("speech-aac.m4a")).unwrap();
    let n = damaged.len();
    for i in (n / 2..n - 64).step_by(7) {
        damaged[i] ^= 0x5A;
    }
    assert_eq!(
        verify_m4a_aac(&damaged).unwrap_err().code(),
        ErrorCode::UnsupportedAudio
    );
    let good = std::fs::read(fixtures().join("speech-aac.m4a")).unwrap();
    let info = verify_m4a_aac(&good).unwrap();
    assert_eq!(
        (info.codec.as_str(), info.channels, info.sample_rate),
        ("aac-lc", 1, 22050)
    );
}

#[test]
fn detection_is_by_content_not_by_name() {
    // The same bytes are what they are, whatever a caller calls them: the API takes no name,
    // and a PNG handed over as "voice.mp3" is still a PNG.
    let png = std::fs::read(fixtures().join("image.png")).unwrap();
    let e = probe(&png).unwrap_err();
    assert!(e.message().contains("PNG image"));
    let webm = std::fs::read(fixtures().join("speech.opus.webm")).unwrap();
    assert_eq!(probe(&webm).unwrap().container, "webm");
}
