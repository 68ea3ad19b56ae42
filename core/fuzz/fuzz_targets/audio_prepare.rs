//! Fuzzes the audio engine's public entry points: any bytes must give a typed error or a
//! playable note in either target format (M4A/AAC, Ogg/Opus), never a panic (a panic the engine contains still counts as a finding here,
//! because the panic hook is libFuzzer's).
//!
//! Run: `cd core/fuzz && cargo +nightly fuzz run audio_prepare ../../tests/fixtures`

#![no_main]

use libfuzzer_sys::fuzz_target;
use svara::audio::{prepare, probe, verify_m4a_aac, verify_ogg_opus, PrepareOptions, TargetFormat};
use svara::ErrorCode;

fuzz_target!(|data: &[u8]| {
    let _ = probe(data);
    let _ = verify_m4a_aac(data);
    let _ = verify_ogg_opus(data);
    for format in TargetFormat::ALL {
        match prepare(data, &PrepareOptions::for_format(format)) {
            Ok(prepared) if format == TargetFormat::M4aAac => {
                verify_m4a_aac(&prepared.data).expect("prepare produced an M4A that does not verify");
            }
            Ok(prepared) => {
                verify_ogg_opus(&prepared.data).expect("prepare produced an Ogg/Opus that does not verify");
            }
            Err(e) => assert!(matches!(
                e.code(),
                ErrorCode::UnsupportedAudio | ErrorCode::AudioTooLarge
            )),
        }
    }
});
