//! Long recordings, which the engine encodes as segments on several threads: the output must be
//! as long as the input and as faithful at every join between segments as elsewhere (no clicks,
//! no gaps, no drift). The recordings are made here, not stored in git.

mod audio_support;

use audio_support::*;
use svara::audio::{prepare, PrepareOptions};

/// AAC frames per segment in `core/src/audio/parallel.rs` (1024 samples each).
const SEGMENT_SAMPLES: usize = 192 * 1024;

fn wav(rate: u32, channels: u16, samples: &[i16]) -> Vec<u8> {
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    wav_bytes(rate, channels, 16, &data, None)
}

/// A real speech fixture looped to `seconds`, at its own rate.
fn looped_fixture(name: &str, seconds: f64) -> Vec<u8> {
    let speech = decode_mono(&std::fs::read(fixtures().join(name)).expect("fixture"));
    let n = (seconds * f64::from(speech.rate)) as usize;
    let samples: Vec<i16> = (0..n)
        .map(|i| (speech.mono[i % speech.mono.len()] * 32767.0) as i16)
        .collect();
    wav(speech.rate, 1, &samples)
}

/// Speech-like synthetic audio: voiced syllables with a gliding pitch, noise bursts, pauses.
fn synthetic(rate: u32, seconds: f64) -> Vec<u8> {
    let n = (f64::from(rate) * seconds) as usize;
    let mut noise = 0x9e37_79b9u32;
    let mut phase = 0.0f64;
    let samples: Vec<i16> = (0..n)
        .map(|i| {
            let t = i as f64 / f64::from(rate);
            let syllable = (t * 3.7).fract();
            let which = (t * 3.7) as u64;
            noise ^= noise << 13;
            noise ^= noise >> 17;
            noise ^= noise << 5;
            let white = f64::from(noise) / f64::from(u32::MAX) * 2.0 - 1.0;
            let pitch = 120.0 + 35.0 * (t * 0.9).sin() + (which % 4) as f64 * 15.0;
            phase += pitch / f64::from(rate);
            let env = if which % 6 == 5 {
                0.0
            } else {
                (syllable * std::f64::consts::PI).sin().powi(2)
            };
            let voiced: f64 = (1..=10)
                .map(|h| {
                    let f = pitch * f64::from(h);
                    let formant = (-((f - 600.0) / 350.0).powi(2)).exp()
                        + 0.5 * (-((f - 1500.0) / 600.0).powi(2)).exp()
                        + 0.1;
                    formant * (std::f64::consts::TAU * phase * f64::from(h)).sin() / f64::from(h)
                })
                .sum();
            let v = if which % 3 == 2 && syllable < 0.3 {
                0.2 * white * env
            } else {
                0.5 * voiced * env
            };
            (v.clamp(-1.0, 1.0) * 32767.0) as i16
        })
        .collect();
    wav(rate, 1, &samples)
}

/// Local SNR (dB) of the output against the input in `len`-sample windows starting at `starts`,
/// skipping near-silent windows.
fn local_snr(inp: &[f32], out: &[f32], start: usize, len: usize) -> Option<f64> {
    let (mut sig, mut err) = (0.0f64, 0.0f64);
    for i in start..(start + len).min(inp.len()).min(out.len()) {
        let (x, y) = (f64::from(inp[i]), f64::from(out[i]));
        sig += x * x;
        err += (x - y) * (x - y);
    }
    (sig / len as f64 > 1e-4).then(|| 10.0 * (sig / err.max(1e-12)).log10())
}

fn check_long(name: &str, input: &[u8], expect_seconds: f64) {
    let prepared = prepare(input, &PrepareOptions::default()).expect("converts");
    // Container, AudioSpecificConfig, duration within 50 ms, resemblance, ffprobe when present.
    check_conversion(name, input, &prepared, 1);
    assert!((prepared.output.duration_ms as f64 / 1000.0 - expect_seconds).abs() <= 0.05);

    let a = decode_mono(input);
    let b = decode_mono(&prepared.data);
    assert_eq!(a.rate, b.rate, "{name}: no resampling expected");
    let delay = elst_media_time(&prepared.data).expect("edit list") as usize;
    let out = &b.mono[delay..];
    let n = a.mono.len().min(out.len());
    assert!(out.len() + 10 >= a.mono.len(), "{name}: output cut short");
    let whole = local_snr(&a.mono, out, 0, n).expect("not silent");

    // Every 1024-sample window: the ones straddling a join against all the others.
    let win = 1024;
    let joins: Vec<usize> = (1..)
        .map(|k| (k * SEGMENT_SAMPLES).saturating_sub(delay))
        .take_while(|&j| j + win < n)
        .collect();
    assert!(
        joins.len() >= 3,
        "{name}: long enough to have several joins"
    );
    let near_join = |s: usize| joins.iter().any(|&j| s + win + 2048 > j && s < j + 2048);
    let mut elsewhere: Vec<f64> = Vec::new();
    let mut at_joins: Vec<(usize, f64)> = Vec::new();
    for start in (0..n - win).step_by(win / 2) {
        if let Some(snr) = local_snr(&a.mono, out, start, win) {
            if near_join(start) {
                at_joins.push((start, snr));
            } else {
                elsewhere.push(snr);
            }
        }
    }
    elsewhere.sort_by(f64::total_cmp);
    let p2 = elsewhere[elsewhere.len() / 50];
    let p5 = elsewhere[elsewhere.len() / 20];
    let median = elsewhere[elsewhere.len() / 2];
    let worst_join = at_joins
        .iter()
        .map(|&(_, s)| s)
        .fold(f64::INFINITY, f64::min);
    let mean_join = at_joins.iter().map(|&(_, s)| s).sum::<f64>() / at_joins.len() as f64;
    eprintln!(
        "{name}: whole-file SNR {whole:.2} dB; windows elsewhere: median {median:.2} dB, 5th percentile {p5:.2} dB, 2nd {p2:.2} dB; {} windows at {} joins: mean {mean_join:.2} dB, worst {worst_join:.2} dB",
        at_joins.len(),
        joins.len()
    );
    // A click or gap at a join would make its windows by far the worst of the file (a click
    // costs tens of dB). Speech itself varies, so the bar is the file's own 2nd percentile; the
    // unit tests in parallel.rs compare each join with one encoder on the very same samples.
    assert!(
        worst_join >= p2 - 2.0,
        "{name}: a join is worse than 98% of the file: {worst_join:.2} dB vs {p2:.2} dB; {at_joins:?}"
    );
    // On average, join windows are like the file's ordinary windows (content decides where in
    // that range; the unit tests in parallel.rs compare each join with one encoder).
    assert!(
        mean_join >= p5,
        "{name}: joins average {mean_join:.2} dB, below 95% of the file ({p5:.2} dB)"
    );
    assert!(whole > 10.0, "{name}: whole-file SNR {whole:.2} dB");
}

#[test]
fn long_synthetic_speech_has_clean_joins() {
    check_long(
        "90 s synthetic speech, 24 kHz",
        &synthetic(24_000, 90.0),
        90.0,
    );
}

#[test]
fn long_real_speech_has_clean_joins() {
    check_long(
        "75 s looped speech fixture, 16 kHz",
        &looped_fixture("speech-s16-16k.wav", 75.0),
        75.0,
    );
}
