//! What the platform suites share: the fixtures, the emulator, and the independent check of
//! what arrived.

use super::audio_support::{decode_mono, ffprobe, fixtures};
use svara::ErrorCode;
use svara_emulator::{Delivery, Emulator, EmulatorConfig};

/// The three recordings every platform is tested with, and the pass-through input.
pub const WEBM: &str = "speech.opus.webm";
pub const MP3: &str = "speech-stereo.mp3";
pub const WAV: &str = "speech-s16-16k.wav";

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub async fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start(config).await.expect("emulator starts")
}

/// The bytes the emulator received for a delivery.
pub fn received(emu: &Emulator, d: &Delivery) -> Vec<u8> {
    let sha = d.sha256.as_deref().expect("a media delivery has a sha256");
    emu.audio(sha).expect("the emulator kept the bytes")
}

/// The note is mono Ogg/Opus as long as the input (within 50 ms), by ffprobe.
pub fn assert_ogg_opus_like(name: &str, input: &[u8], note: &[u8]) {
    let (format, codec, _, channels, duration) = ffprobe(note);
    assert_eq!(format, "ogg", "{name}: container");
    assert_eq!(codec, "opus", "{name}: codec");
    assert_eq!(channels, 1, "{name}: mono");
    let want = decode_mono(input).seconds();
    assert!(
        (duration - want).abs() <= 0.05,
        "{name}: ffprobe duration {duration:.3} s vs input {want:.3} s"
    );
}

/// The note is AAC in MP4 as long as the input (within 50 ms), by ffprobe.
pub fn assert_m4a_aac_like(name: &str, input: &[u8], note: &[u8]) {
    let (format, codec, _, _, duration) = ffprobe(note);
    assert!(format.contains("mp4"), "{name}: container {format}");
    assert_eq!(codec, "aac", "{name}: codec");
    let want = decode_mono(input).seconds();
    assert!(
        (duration - want).abs() <= 0.05,
        "{name}: ffprobe duration {duration:.3} s vs input {want:.3} s"
    );
}

/// An error with its code, the platform it came from and the platform's raw code.
pub fn assert_error(e: &svara::Error, code: ErrorCode, platform: svara::Platform, raw: i64) {
    assert_eq!(e.code(), code, "{e}");
    assert_eq!(e.platform(), Some(platform), "{e}");
    assert_eq!(e.platform_code(), Some(raw), "{e}");
    let wire = serde_json::to_value(e).unwrap();
    assert_eq!(wire["code"], code.as_str());
    assert_eq!(wire["platform"], platform.as_str());
    assert_eq!(wire["platform_code"], raw);
    assert_eq!(wire["hint"], platform.hint(code));
}

/// Everything a secret could leak through: the error's Display, Debug and wire shape.
pub fn assert_no_secret(secret: &str, e: &svara::Error) {
    for text in [
        e.to_string(),
        format!("{e:?}"),
        serde_json::to_string(e).unwrap(),
    ] {
        assert!(!text.contains(secret), "the secret leaked: {text}");
    }
}
