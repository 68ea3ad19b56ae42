//! Bounded mutation test: truncated, bit-flipped and random inputs must give a typed error or a
//! playable note (M4A/AAC, and Ogg/Opus for the Opus target), never a panic, a hang or an
//! untyped failure.

mod audio_support;

use std::sync::atomic::{AtomicUsize, Ordering};

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use svara::audio::{prepare, probe, PrepareOptions, TargetFormat};
use svara::ErrorCode;

static CONTAINED_PANICS: AtomicUsize = AtomicUsize::new(0);

fn check(label: &str, bytes: &[u8]) {
    match probe(bytes) {
        Ok(info) => assert!(
            info.sample_rate > 0 && info.channels > 0,
            "{label}: probe gave {info:?}"
        ),
        Err(e) => assert_eq!(e.code(), ErrorCode::UnsupportedAudio, "{label}: probe: {e}"),
    }
    for format in TargetFormat::ALL {
        convert_or_refuse(label, bytes, format);
    }
}

fn convert_or_refuse(label: &str, bytes: &[u8], format: TargetFormat) {
    match prepare(bytes, &PrepareOptions::for_format(format)) {
        // Whatever comes out must be something the platform would accept.
        Ok(prepared) if format == TargetFormat::M4aAac => {
            let v = svara::verify_m4a_aac(&prepared.data)
                .unwrap_or_else(|e| panic!("{label}: produced an unplayable M4A: {e}"));
            assert!(v.codec.starts_with("aac"), "{label}");
            assert_eq!(prepared.mime, "audio/mp4");
        }
        Ok(prepared) => {
            let v = svara::verify_ogg_opus(&prepared.data)
                .unwrap_or_else(|e| panic!("{label}: produced an unplayable Ogg/Opus: {e}"));
            assert_eq!((v.codec.as_str(), v.channels), ("opus", 1), "{label}");
            assert_eq!(prepared.mime, "audio/ogg");
        }
        Err(e) => {
            assert!(
                matches!(
                    e.code(),
                    ErrorCode::UnsupportedAudio | ErrorCode::AudioTooLarge
                ),
                "{label}: unexpected error code {e}"
            );
            assert!(
                e.message().len() > 10,
                "{label}: message says what happened"
            );
        }
    }
}

#[test]
fn mutated_inputs_never_panic() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "contained panic: {}",
            info.location().map(|l| l.to_string()).unwrap_or_default()
        );
        CONTAINED_PANICS.fetch_add(1, Ordering::SeqCst);
    }));
    let mut rng = StdRng::seed_from_u64(0x5eed_5eed);
    let names = [
        "speech-stereo.mp3",
        "speech.opus.ogg",
        "speech.vorbis.ogg",
        "speech.opus.webm",
        "speech-s16-16k.wav",
        "speech-adpcm-ms-8k.wav",
        "speech.flac",
        "speech-aac.m4a",
        "speech-alac.m4a",
        "speech.aac",
        "speech.caf",
        "speech.aiff",
        "speech-size-0.wav",
        "speech-alaw-8k.caf",
        "speech-flac.caf",
        "speech-offset-1.2s.opus.ogg",
    ];
    let mut cases = 0;
    for name in names {
        let original = std::fs::read(audio_support::fixtures().join(name)).unwrap();
        // Truncations: inside the header, and at random points of the stream.
        let mut cuts = vec![1, 4, 8, 12, 16, 32, 44, 64, 200];
        cuts.extend((0..6).map(|_| rng.gen_range(0..original.len())));
        for cut in cuts {
            check(
                &format!("{name} cut at {cut}"),
                &original[..cut.min(original.len())],
            );
            cases += 1;
        }
        // Bit flips: a few, then many; some in the header only.
        for round in 0..10 {
            let mut data = original.clone();
            let flips = [1, 2, 5, 20, 100][round % 5];
            let span = if round < 5 {
                data.len().min(256)
            } else {
                data.len()
            };
            for _ in 0..flips {
                let i = rng.gen_range(0..span);
                data[i] ^= 1 << rng.gen_range(0..8);
            }
            check(
                &format!("{name} with {flips} bit flips (round {round})"),
                &data,
            );
            cases += 1;
        }
        // A run of random bytes over the middle.
        let mut data = original.clone();
        let start = rng.gen_range(0..data.len());
        let end = (start + 512).min(data.len());
        rng.fill_bytes(&mut data[start..end]);
        check(&format!("{name} with random bytes at {start}"), &data);
        cases += 1;
    }
    // Random data, bare and behind real magic numbers.
    let prefixes: [&[u8]; 10] = [
        b"",
        b"OggS\x00\x02",
        b"fLaC",
        b"\x00\x00\x00\x18ftypM4A ",
        b"RIFF\x00\x10\x00\x00WAVEfmt ",
        b"ID3\x04\x00\x00\x00\x00\x00\x00",
        b"\xFF\xF1\x50\x80",
        b"\xFF\xFB\x90\x64",
        b"\x1A\x45\xDF\xA3",
        b"caff\x00\x01\x00\x00",
    ];
    for prefix in prefixes {
        for len in [0usize, 3, 100, 5000] {
            let mut data = prefix.to_vec();
            let mut tail = vec![0u8; len];
            rng.fill_bytes(&mut tail);
            data.extend_from_slice(&tail);
            check(
                &format!("{:?} + {len} random bytes", String::from_utf8_lossy(prefix)),
                &data,
            );
            cases += 1;
        }
    }
    std::panic::set_hook(previous);
    assert!(cases > 250, "{cases} cases");
    eprintln!(
        "{cases} mutated inputs; decoder panics contained by the engine: {}",
        CONTAINED_PANICS.load(Ordering::SeqCst)
    );
}
