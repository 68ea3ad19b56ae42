//! `svara convert` and `svara probe` as a user runs them: every valid fixture and shared sample
//! becomes an M4A/AAC that probes back as such with the input's duration; every broken one is
//! refused with `unsupported_audio` (exit 17) and leaves no output file.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_svara")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn probe_json(file: &Path) -> serde_json::Value {
    let out = Command::new(bin())
        .args(["probe", "--json"])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "probe {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The note at `output` probes as mono `container`/`codec` as long as `input` (within 50 ms).
fn assert_note(name: &str, input: &Path, output: &Path, (container, codec): (&str, &str)) {
    let got = probe_json(output);
    assert_eq!(got["container"], container, "{name}");
    assert_eq!(got["codec"], codec, "{name}");
    assert_eq!(got["channels"], 1, "{name}");
    let src = probe_json(input);
    let (a, b) = (
        src["duration_ms"].as_i64().unwrap(),
        got["duration_ms"].as_i64().unwrap(),
    );
    assert!(
        (a - b).abs() <= 50,
        "{name}: duration {a} ms in, {b} ms out"
    );
}

/// (file, valid?) for the committed fixtures and the shared real-world samples.
fn cases() -> Vec<(PathBuf, bool)> {
    let mut cases = Vec::new();
    let tsv = std::fs::read_to_string(root().join("tests/fixtures/fixtures.tsv")).unwrap();
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        cases.push((
            root().join("tests/fixtures").join(cols[0]),
            cols[1] == "valid",
        ));
    }
    let shared = root().join("../shared/audio-samples");
    let tsv = std::fs::read_to_string(shared.join("samples.tsv"))
        .expect("../shared/audio-samples/samples.tsv next to the checkout");
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, codec, expect) = (cols[0], cols[6], cols[13]);
        // AMR (no decoder we can ship) and the corrupt stream must be refused; the rest converts.
        let valid = !codec.starts_with("amr") && expect != "corrupt";
        cases.push((shared.join(file), valid));
    }
    cases
}

#[test]
fn convert_every_fixture_and_shared_sample() {
    let dir = std::env::temp_dir().join(format!("svara-cli-convert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut checked = 0;
    for (input, valid) in cases() {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let output = dir.join(format!("{name}.m4a"));
        let out = Command::new(bin())
            .arg("convert")
            .arg(&input)
            .arg(&output)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if valid {
            assert!(out.status.success(), "{name}: {stderr}");
            assert_note(&name, &input, &output, ("mp4", "aac-lc"));
        } else {
            assert_eq!(
                out.status.code(),
                Some(17),
                "{name} must be refused: {stderr}"
            );
            assert!(
                stderr.starts_with("error[unsupported_audio]: "),
                "{name}: {stderr}"
            );
            assert!(!output.exists(), "{name}: no output file after a refusal");
        }
        checked += 1;
    }
    assert!(checked >= 35, "only {checked} files checked");
}

#[test]
fn probe_names_amr_and_images() {
    let out = Command::new(bin())
        .args(["probe"])
        .arg(root().join("../shared/audio-samples/android-amr-nb-8k.amr"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(17));
    assert!(String::from_utf8_lossy(&out.stderr).contains("AMR"));
}

#[test]
fn convert_to_ogg_opus_for_whatsapp_and_telegram() {
    let dir = std::env::temp_dir().join(format!("svara-cli-opus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixtures = root().join("tests/fixtures");
    for (name, passes_through) in [
        ("speech-stereo.mp3", false),
        ("speech.opus.webm", false),
        ("speech-s16-16k.wav", false),
        ("speech-stereo.opus.ogg", false),
        ("speech.opus.ogg", true),
    ] {
        let input = fixtures.join(name);
        let output = dir.join(format!("{name}.ogg"));
        let out = Command::new(bin())
            .args(["convert", "--format", "ogg-opus", "--json"])
            .arg(&input)
            .arg(&output)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["format"], "ogg-opus", "{name}");
        assert_eq!(json["mime"], "audio/ogg", "{name}");
        assert_eq!(json["converted"], !passes_through, "{name}");
        assert_note(name, &input, &output, ("ogg", "opus"));
        if passes_through {
            assert_eq!(
                std::fs::read(&output).unwrap(),
                std::fs::read(&input).unwrap()
            );
        }
    }
    // A bad format or an option that does not apply is refused with a fix-it message.
    let input = fixtures.join("speech-stereo.mp3");
    let out = Command::new(bin())
        .args(["convert", "--format", "mp3"])
        .arg(&input)
        .arg(dir.join("x.ogg"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ogg-opus"));
    let out = Command::new(bin())
        .args(["convert", "--format", "ogg-opus", "--stereo"])
        .arg(&input)
        .arg(dir.join("x.ogg"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(10), "invalid_request");
    assert!(String::from_utf8_lossy(&out.stderr).contains("mono"));
    let _ = std::fs::remove_dir_all(&dir);
}
