//! Files real tools write that the engine used to get wrong (issue 11): WAV whose header sizes
//! are placeholders, CAF holding G.711 (and every other codec FFmpeg writes into CAF), and
//! Ogg/Opus that does not start at granule 0. Each converts to both targets, as long as the
//! audio it holds, resembling the clean recording it was made from.

mod audio_support;

use audio_support::*;
use svara::audio::{prepare, probe, PrepareOptions, TargetFormat};
use svara::ErrorCode;

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn both_targets() -> [PrepareOptions; 2] {
    [
        PrepareOptions::default(),
        PrepareOptions::for_format(TargetFormat::OggOpus),
    ]
}

fn check(name: &str, input: &[u8], prepared: &svara::PreparedAudio) {
    match prepared.format() {
        TargetFormat::M4aAac => check_conversion(name, input, prepared, 1),
        TargetFormat::OggOpus => check_opus_note(name, input, prepared),
    }
}

/// Bug 1: the output-size pre-check trusted the header's length, so a 2.5 s WAV whose data size
/// is 0x7FFFF000 was "17 hours of audio" (`audio_too_large`); sizes of 0 or 0x7FFFF000 in the
/// RIFF header made symphonia refuse the file (`unsupported_audio`).
#[test]
fn wav_with_placeholder_sizes_converts_to_its_real_length() {
    let clean = decode_mono(&read("speech-s16-16k.wav"));
    for name in [
        "speech-size-ffffffff.wav",
        "speech-size-7ffff000.wav",
        "speech-size-0.wav",
        "speech-data-7ffff000.wav",
    ] {
        let input = read(name);
        let info = probe(&input).unwrap_or_else(|e| panic!("{name}: probe: {e}"));
        assert_eq!(info.duration_ms, 2500, "{name}: probe");
        for options in both_targets() {
            let prepared = prepare(&input, &options)
                .unwrap_or_else(|e| panic!("{name} -> {}: {e}", options.format));
            assert_eq!(prepared.input.duration_ms, 2500, "{name}");
            check(name, &input, &prepared);
            // The note is the clean recording's, sample for sample before encoding.
            let out = decode_mono(&prepared.data);
            let back = resample(&out.mono, out.rate, clean.rate);
            let (_, corr) = best_lag(&clean.mono, &back, 4096);
            assert!(
                corr > 0.8,
                "{name} -> {}: correlation {corr:.3}",
                options.format
            );
        }
        // max_duration still applies, measured from what the file holds.
        let limited = PrepareOptions {
            max_duration: Some(std::time::Duration::from_secs(2)),
            ..Default::default()
        };
        let err = prepare(&input, &limited).unwrap_err();
        assert_eq!(err.code(), ErrorCode::AudioTooLarge, "{name}");
        assert!(err.message().contains("2.5 s"), "{name}: {err}");
    }
}

/// Real oversize is still refused, before decoding, from what the bytes can hold: 20 MB of
/// 8 kHz 8-bit PCM is 43 min, 20 MB of AAC at 64 kb/s, 41 MB at 128 kb/s.
#[test]
fn oversize_wav_with_a_placeholder_size_is_still_refused() {
    let pcm: Vec<u8> = (0..20_000_000u32)
        .map(|i| (128.0 + 50.0 * (i as f32 * 0.03).sin()) as u8)
        .collect();
    let wav = wav_bytes(8000, 1, 8, &pcm, Some((0xFFFF_FFFF, 0x7FFF_F000)));
    let loud = PrepareOptions {
        bitrate: 128_000,
        ..Default::default()
    };
    let err = prepare(&wav, &loud).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AudioTooLarge);
    assert!(
        err.message().contains("42 min") || err.message().contains("41 min"),
        "the length the bytes hold, not the header's 0x7FFFF000: {}",
        err.message()
    );
    assert!(err.message().contains("at most"), "{}", err.message());
}

/// Bug 2: CAF holding A-law or mu-law (8 kHz mono, as telephony tools write it) was refused
/// ("pcm: unexpected bits per sample"); FFmpeg's CAF FLAC (no magic cookie) too. Every codec
/// FFmpeg writes into CAF converts.
#[test]
fn caf_in_every_codec_converts() {
    let rows = read_tsv(&fixtures().join("fixtures.tsv"));
    let cafs: Vec<_> = rows.iter().filter(|r| r["container"] == "caf").collect();
    let codecs: Vec<&str> = cafs.iter().map(|r| r["codec"].as_str()).collect();
    for needed in [
        "pcm_alaw",
        "pcm_mulaw",
        "flac",
        "alac",
        "adpcm_ima_qt",
        "mp3",
        "opus",
    ] {
        assert!(codecs.contains(&needed), "a CAF fixture holds {needed}");
    }
    for row in cafs {
        let name = &row["file"];
        let input = read(name);
        let info = probe(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(info.codec, row["codec"], "{name}");
        let ffmpeg = ffmpeg_mono(&input).seconds();
        assert!(
            (info.duration_ms as f64 / 1000.0 - ffmpeg).abs() <= 0.05,
            "{name}: probe {} ms vs FFmpeg {ffmpeg:.3} s",
            info.duration_ms
        );
        for options in both_targets() {
            let prepared = prepare(&input, &options)
                .unwrap_or_else(|e| panic!("{name} -> {}: {e}", options.format));
            check(name, &input, &prepared);
            let got = prepared.output.duration_ms as f64 / 1000.0;
            assert!(
                (got - ffmpeg).abs() <= 0.05,
                "{name}: {got:.3} s vs FFmpeg {ffmpeg:.3} s"
            );
        }
    }
}

/// Bug 3: an Ogg/Opus stream whose first audio page's granule position is larger than the
/// samples it holds starts at a positive time offset (RFC 7845 §4.5). The note lasts as long as
/// the audio that plays (not the last granule position's time), within 50 ms, for both targets;
/// the last page's end trimming is honoured; for the Opus target the packets are sent unchanged,
/// re-stamped to start at zero so a player shows the right length.
#[test]
fn ogg_opus_starting_at_an_offset_lasts_as_long_as_its_audio() {
    for (name, audio_s, offset_s) in [
        ("speech-offset-1.2s.opus.ogg", 2.5, 1.2),
        ("speech-cut.opus.ogg", 6.5, 1.0),
    ] {
        let input = read(name);
        let pages = ogg_pages(&input);
        let first: i64 = pages[2]
            .packets
            .iter()
            .map(|p| opus_packet_samples(p))
            .sum();
        let start = (pages[2].granule - first) as f64 / 48_000.0;
        assert!(
            (start - offset_s).abs() < 0.001,
            "{name}: the fixture starts at {start} s"
        );
        let end = pages.last().unwrap().granule as f64 / 48_000.0;
        let decodable: i64 = pages[2..]
            .iter()
            .flat_map(|p| &p.packets)
            .map(|p| opus_packet_samples(p))
            .sum();
        assert!(
            pages.last().unwrap().granule < pages[pages.len() - 2].granule + decodable,
            "{name}: the last page is end-trimmed"
        );
        assert!(
            end - audio_s > 1.0,
            "{name}: the header-derived length {end} s is longer"
        );

        let info = probe(&input).unwrap();
        assert!(
            (info.duration_ms as f64 / 1000.0 - audio_s).abs() <= 0.05,
            "{name}: probe"
        );
        for options in both_targets() {
            let prepared = prepare(&input, &options).unwrap();
            let got = prepared.output.duration_ms as f64 / 1000.0;
            assert!(
                (got - audio_s).abs() <= 0.05,
                "{name} -> {}: {got:.3} s, the audio is {audio_s} s",
                options.format
            );
            check(name, &input, &prepared);
            let (_, _, _, _, ffprobe_s) = ffprobe(&prepared.data);
            assert!(
                (ffprobe_s - audio_s).abs() <= 0.05,
                "{name} -> {}: a player shows {ffprobe_s:.3} s",
                options.format
            );
            if options.format == TargetFormat::OggOpus {
                // Re-stamped, not re-encoded: the same audio packets.
                let packets = |b: &[u8]| -> Vec<Vec<u8>> {
                    ogg_pages(b)
                        .into_iter()
                        .skip(2)
                        .flat_map(|p| p.packets)
                        .collect()
                };
                assert!(prepared.converted);
                assert_eq!(packets(&prepared.data), packets(&input), "{name}");
            }
        }
    }
}

/// The one CAF variant symphonia cannot read (8-bit integer PCM, rare) is refused as what it is,
/// not as a damaged file.
#[test]
fn caf_8_bit_pcm_is_refused_naming_it() {
    let mut caf = b"caff\x00\x01\x00\x00".to_vec();
    caf.extend_from_slice(b"desc");
    caf.extend_from_slice(&32i64.to_be_bytes());
    caf.extend_from_slice(&8000f64.to_be_bytes());
    caf.extend_from_slice(b"lpcm");
    caf.extend_from_slice(&0u32.to_be_bytes()); // flags: integer, big-endian
    caf.extend_from_slice(&1u32.to_be_bytes()); // bytes per packet
    caf.extend_from_slice(&1u32.to_be_bytes()); // frames per packet
    caf.extend_from_slice(&1u32.to_be_bytes()); // channels
    caf.extend_from_slice(&8u32.to_be_bytes()); // bits per channel
    caf.extend_from_slice(b"data");
    caf.extend_from_slice(&(4 + 8000i64).to_be_bytes());
    caf.extend_from_slice(&0u32.to_be_bytes()); // edit count
    caf.extend((0..8000).map(|i: i32| ((i * 7) % 200 - 100) as u8));
    for options in both_targets() {
        let err = prepare(&caf, &options).unwrap_err();
        assert_eq!(err.code(), ErrorCode::UnsupportedAudio);
        assert!(
            err.message().contains("CAF") && !err.message().contains("damaged"),
            "{}",
            err.message()
        );
    }
}
