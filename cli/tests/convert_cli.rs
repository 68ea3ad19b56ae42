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
            let got = probe_json(&output);
            assert_eq!(got["container"], "mp4", "{name}");
            assert_eq!(got["codec"], "aac-lc", "{name}");
            assert_eq!(got["channels"], 1, "{name}");
            let src = probe_json(&input);
            let (a, b) = (
                src["duration_ms"].as_i64().unwrap(),
                got["duration_ms"].as_i64().unwrap(),
            );
            assert!(
                (a - b).abs() <= 50,
                "{name}: duration {a} ms in, {b} ms out"
            );
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
