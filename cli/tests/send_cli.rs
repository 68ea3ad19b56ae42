//! End-to-end tests of the `svara` binary: `svara emulator` starts with its URL on the first
//! line, and `svara send` delivers to it, reports errors as `error[CODE]` with distinct exit
//! codes, broadcasts with a summary, and never prints the token.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

const TOKEN: &str = "EAASvaraEmulatorPageToken0DefaultPage";
const PSID: &str = "6128493027184956";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_svara")
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

/// A running `svara emulator`, killed on drop.
struct Emulator {
    child: Child,
    url: String,
    banner: String,
}

impl Emulator {
    fn start(extra: &[&str]) -> Emulator {
        let mut child = Command::new(bin())
            .args(["emulator", "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("svara emulator starts");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut url = String::new();
        out.read_line(&mut url).unwrap();
        let mut banner = String::new();
        for _ in 0..3 {
            out.read_line(&mut banner).unwrap();
        }
        // Keep draining stdout so the emulator never blocks on a full pipe.
        std::thread::spawn(move || for _ in out.lines() {});
        Emulator {
            child,
            url: url.trim().to_owned(),
            banner,
        }
    }

    fn send(&self, args: &[&str], token: &str) -> Output {
        Command::new(bin())
            .arg("send")
            .args(args)
            .env("SVARA_GRAPH_URL", &self.url)
            .env("META_PAGE_TOKEN", token)
            .output()
            .expect("svara send runs")
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn emulator_prints_its_base_url_first_then_the_default_page() {
    let emu = Emulator::start(&[]);
    assert!(
        emu.url.starts_with("http://127.0.0.1:"),
        "first line is the base URL, got {:?}",
        emu.url
    );
    assert!(emu.banner.contains(TOKEN), "banner: {}", emu.banner);
}

#[test]
fn send_converts_webm_and_prints_the_message_id() {
    let emu = Emulator::start(&[]);
    let note = fixture("speech.opus.webm");
    let out = emu.send(
        &["--recipient", PSID, "--audio", note.to_str().unwrap()],
        TOKEN,
    );
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let id = text(&out.stdout).trim().to_owned();
    assert!(id.starts_with("m_") && id.len() > 20, "message id: {id:?}");

    let out = emu.send(
        &[
            "--recipient",
            PSID,
            "--audio",
            note.to_str().unwrap(),
            "--json",
        ],
        TOKEN,
    );
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["recipient_id"], PSID);
    assert_eq!(v["converted"], true);
    assert_eq!(v["input"]["codec"], "opus");
    assert_eq!(v["output"]["codec"], "aac-lc");
    assert_eq!(v["output"]["channels"], 1);
    assert_eq!(v["id"], v["message_id"]);
}

#[test]
fn errors_print_the_code_and_hint_with_a_distinct_exit_code_and_no_token() {
    let emu = Emulator::start(&[]);
    let note = fixture("speech.opus.webm");
    let secret = "EAAB-do-not-print-me-42";
    let out = emu.send(
        &["--recipient", PSID, "--audio", note.to_str().unwrap()],
        secret,
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(11), "stderr: {err}");
    assert!(err.starts_with("error[invalid_token]: "), "{err}");
    assert!(err.contains("hint: "), "{err}");
    assert!(!err.contains(secret) && !text(&out.stdout).contains(secret));

    let out = emu.send(
        &[
            "--recipient",
            "6128493027184958",
            "--audio",
            note.to_str().unwrap(),
        ],
        TOKEN,
    );
    assert_eq!(out.status.code(), Some(13));
    assert!(text(&out.stderr).starts_with("error[message_not_allowed]: "));

    let png = fixture("image.png");
    let out = emu.send(
        &["--recipient", PSID, "--audio", png.to_str().unwrap()],
        TOKEN,
    );
    assert_eq!(out.status.code(), Some(17));
    assert!(text(&out.stderr).starts_with("error[unsupported_audio]: "));

    let out = Command::new(bin())
        .args(["send", "--recipient", PSID, "--audio", "x.mp3"])
        .env_remove("META_PAGE_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(10));
    assert!(text(&out.stderr).contains("META_PAGE_TOKEN"));
}

#[test]
fn broadcast_reports_each_recipient_and_a_summary() {
    let emu = Emulator::start(&[]);
    let dir = std::env::temp_dir().join(format!("svara-cli-bcast-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let list = dir.join("psids.txt");
    std::fs::write(
        &list,
        format!("# team\n{PSID}\n6128493027184957\n6128493027184958\n999\n"),
    )
    .unwrap();
    let note = fixture("speech-stereo.mp3");
    let out = emu.send(
        &[
            "--recipients",
            list.to_str().unwrap(),
            "--audio",
            note.to_str().unwrap(),
            "--json",
        ],
        TOKEN,
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "partial failure exit; stderr {}",
        text(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    let by = |r: &str| lines.iter().find(|l| l["recipient"] == r).unwrap().clone();
    assert_eq!(by(PSID)["ok"], true);
    assert_eq!(by("6128493027184957")["ok"], true);
    assert_eq!(
        by("6128493027184958")["error"]["code"],
        "message_not_allowed"
    );
    assert_eq!(by("999")["error"]["code"], "recipient_not_found");
    let summary = text(&out.stderr);
    assert!(summary.contains("sent to 2 of 4 recipients"), "{summary}");
    assert!(summary.contains("message_not_allowed: 1"), "{summary}");

    // One upload for the whole broadcast: both deliveries carry the same attachment id.
    let inspect: serde_json::Value = http_get_json(&format!("{}/__emulator/messages", emu.url));
    let a = &inspect["recipients"][PSID]["messages"][0]["attachment_id"];
    let b = &inspect["recipients"]["6128493027184957"]["messages"][0]["attachment_id"];
    assert!(a.is_string(), "{inspect}");
    assert_eq!(a, b);
}

/// GETs a JSON document from the emulator's inspection endpoint.
fn http_get_json(url: &str) -> serde_json::Value {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async { reqwest::get(url).await.unwrap().json().await.unwrap() })
}
