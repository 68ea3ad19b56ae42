//! The emulator stays bounded whatever a client sends. Memory is measured as the peak
//! resident size (VmHWM in /proc/PID/status) of an emulator running in a child process (this
//! test binary, re-executed), before and after each abusive run, against stated bounds:
//!
//! - one request with 8 file parts of 25 MB: under 3 x 25 MB over the baseline (the second
//!   part is refused as it arrives, never buffered);
//! - 100 text fields of 2 MB, and 100 JSON sends with 2 MB recipient ids: under 16 MB, and
//!   nothing stored but the counters;
//! - 5,000 refused sends to distinct unknown PSIDs: under 16 MB, no per-PSID state;
//! - twelve 16 MB reusable uploads: under `keep_audio_bytes` (64 MiB) plus 3 x 25 MB.
//!
//! Timeouts and the connection limit are checked in process: an idle connection, half-sent
//! headers and a stalled body are cut off, and the connection after the last slot gets a 503
//! Graph error.

mod common;

use common::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use svara_emulator::*;

const CHILD_ENV: &str = "SVARA_EMULATOR_ABUSE_CHILD";
const MB: u64 = 1024 * 1024;

/// Not a test of its own: the entry point of the child process the memory tests start
/// (this binary, re-executed with the scenario in `SVARA_EMULATOR_ABUSE_CHILD`). It serves an
/// emulator, prints its URL and stops when its stdin closes. Without the variable it
/// returns at once.
#[test]
fn child_process_entry_point() {
    let Ok(scenario) = std::env::var(CHILD_ENV) else {
        return;
    };
    let config = EmulatorConfig::from_json_str(&scenario).expect("scenario");
    let emu = Emulator::start_blocking(config).expect("emulator starts");
    println!("URL {}", emu.base_url());
    std::io::stdout().flush().unwrap();
    let mut rest = String::new();
    let _ = std::io::stdin().read_to_string(&mut rest);
}

/// An emulator in a child process, stopped on drop.
struct Child {
    process: std::process::Child,
    url: String,
}

impl Child {
    fn start(config: &EmulatorConfig) -> Child {
        let mut process = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_process_entry_point", "--nocapture"])
            .env(CHILD_ENV, serde_json::to_string(config).unwrap())
            .env("RUST_LOG", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("child starts");
        let mut lines = BufReader::new(process.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines.next().expect("child printed its URL").unwrap();
            if let Some(u) = line.strip_prefix("URL ") {
                break u.to_owned();
            }
        };
        Child { process, url }
    }

    /// Peak resident memory so far, in bytes.
    fn peak(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.process.id())).unwrap();
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .expect("VmHWM");
        let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kb * 1024
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        drop(self.process.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.process.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Starts a child emulator and warms it up with one of each normal request, so the baseline
/// includes the code paths the abuse takes.
async fn warm_child(config: EmulatorConfig) -> (Child, u64) {
    let child = Child::start(&config);
    let r = post_form(
        &child.url,
        "/v25.0/me/messages",
        Send::to(DEFAULT_PSID).form(),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let baseline = child.peak();
    (child, baseline)
}

fn report(case: &str, baseline: u64, peak: u64, bound: u64) {
    eprintln!(
        "abuse {case}: VmHWM {} MB -> {} MB (+{} MB, bound +{} MB)",
        baseline / MB,
        peak / MB,
        peak.saturating_sub(baseline) / MB,
        bound / MB
    );
    assert!(
        peak.saturating_sub(baseline) < bound,
        "{case}: peak grew by {} MB, over the bound of {} MB",
        peak.saturating_sub(baseline) / MB,
        bound / MB
    );
}

#[tokio::test]
async fn eight_25_mb_file_parts_in_one_request() {
    let (child, baseline) = warm_child(EmulatorConfig::default()).await;
    let mut form = reqwest::multipart::Form::new()
        .text("recipient", json!({"id": DEFAULT_PSID}).to_string())
        .text(
            "message",
            json!({"attachment": {"type": "audio", "payload": {}}}).to_string(),
        );
    for i in 0..8 {
        form = form.part(
            "filedata",
            part(
                vec![0u8; 25 * MB as usize],
                format!("part{i}.m4a"),
                "audio/mp4",
            ),
        );
    }
    let r = post_form(&child.url, "/v25.0/me/messages", form)
        .await
        .expect("the refusal is answered, not reset");
    assert_graph_error(r, 400, 100, Some(2_018_005)).await;
    report("8 x 25 MB file parts", baseline, child.peak(), 75 * MB);
    let (snap, _) = messages_json(&child.url).await;
    assert_eq!(snap["rejected_by_error"]["100/2018005"], 1);
}

#[tokio::test]
async fn oversize_fields_are_refused_as_they_arrive_and_leave_no_state() {
    let (child, baseline) = warm_child(EmulatorConfig::default()).await;
    let big = "7".repeat(2 * MB as usize);
    // 100 text fields of 2 MB in one request.
    let mut form = reqwest::multipart::Form::new();
    for i in 0..100 {
        form = form.text(format!("field{i}"), big.clone());
    }
    let r = post_form(&child.url, "/v25.0/me/messages", form)
        .await
        .expect("answered");
    let body = assert_graph_error(r, 400, 100, None).await;
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("max_field_bytes"));
    // 100 sends whose recipient id is 2 MB (JSON bodies).
    for _ in 0..100 {
        let r = client()
            .post(format!("{}/v25.0/me/messages", child.url))
            .query(&[("access_token", DEFAULT_PAGE_TOKEN)])
            .json(&json!({"recipient": {"id": big}, "message": {"text": "hi"}}))
            .send()
            .await
            .expect("answered");
        assert_graph_error(r, 400, 100, None).await;
    }
    report(
        "2 MB fields and 2 MB recipient ids",
        baseline,
        child.peak(),
        16 * MB,
    );
    let (snap, len) = messages_json(&child.url).await;
    assert_eq!(snap["rejected"], 101);
    assert_eq!(
        snap["recipients"].as_object().unwrap().len(),
        1,
        "only the warm-up PSID"
    );
    assert!(len < 8 * 1024, "the record stays small: {len} bytes");
}

#[tokio::test]
async fn refused_sends_to_made_up_psids_keep_only_counters() {
    let (child, baseline) = warm_child(EmulatorConfig::default().with_rate_limit(0)).await;
    let c = client();
    let n = 5_000u64;
    let mut tasks = Vec::new();
    for worker in 0..20u64 {
        let c = c.clone();
        let url = child.url.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..n / 20 {
                let psid = format!("5{:015}", worker * 1_000_000 + i);
                let r = c
                    .post(format!("{url}/v25.0/me/messages"))
                    .query(&[("access_token", DEFAULT_PAGE_TOKEN)])
                    .json(&json!({"recipient": {"id": psid}, "message": {"text": "hi"}}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 400);
                let _ = r.bytes().await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    report(
        "5,000 refused sends to unknown PSIDs",
        baseline,
        child.peak(),
        16 * MB,
    );
    let (snap, len) = messages_json(&child.url).await;
    assert_eq!(snap["rejected_by_error"]["100/2018001"], n);
    assert_eq!(snap["attempts"], n + 1);
    assert_eq!(snap["recipients"].as_object().unwrap().len(), 1);
    assert!(len < 8 * 1024, "{len} bytes");
}

/// A valid PCM WAV of `bytes` bytes of silence (16 kHz mono 16-bit).
fn wav(bytes: usize) -> Vec<u8> {
    let data = bytes - 44;
    let mut w = Vec::with_capacity(bytes);
    w.extend_from_slice(b"RIFF");
    w.extend_from_slice(&((36 + data) as u32).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt ");
    w.extend_from_slice(&16u32.to_le_bytes());
    w.extend_from_slice(&1u16.to_le_bytes());
    w.extend_from_slice(&1u16.to_le_bytes());
    w.extend_from_slice(&16_000u32.to_le_bytes());
    w.extend_from_slice(&32_000u32.to_le_bytes());
    w.extend_from_slice(&2u16.to_le_bytes());
    w.extend_from_slice(&16u16.to_le_bytes());
    w.extend_from_slice(b"data");
    w.extend_from_slice(&(data as u32).to_le_bytes());
    w.resize(bytes, 0);
    w
}

#[tokio::test]
async fn reusable_uploads_are_capped_by_keep_audio_bytes() {
    let config = EmulatorConfig::default();
    assert_eq!(config.keep_audio_bytes, 64 * MB);
    let (child, baseline) = warm_child(config).await;
    let mut ids = Vec::new();
    for i in 0..12u8 {
        let mut bytes = wav(16 * MB as usize);
        bytes[100] = i; // twelve different files
        let form = reqwest::multipart::Form::new()
            .text(
                "message",
                json!({"attachment": {"type": "audio", "payload": {"is_reusable": true}}})
                    .to_string(),
            )
            .part("filedata", part(bytes, "long.wav", "audio/wav"));
        let r = post_form(&child.url, "/v25.0/me/message_attachments", form)
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        ids.push(v["attachment_id"].as_str().unwrap().to_owned());
    }
    report(
        "12 x 16 MB reusable uploads",
        baseline,
        child.peak(),
        64 * MB + 75 * MB,
    );
    let (snap, _) = messages_json(&child.url).await;
    let first_sha = snap["attachments"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let gone = client()
        .get(format!("{}/__emulator/audio/{first_sha}", child.url))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404, "the oldest bytes were forgotten");
    // The id itself still works: sending does not need the bytes.
    let r = client()
        .post(format!("{}/v25.0/me/messages", child.url))
        .query(&[("access_token", DEFAULT_PAGE_TOKEN)])
        .json(&json!({"recipient": {"id": DEFAULT_PSID},
            "message": {"attachment": {"type": "audio", "payload": {"attachment_id": ids[0]}}}}))
        .send()
        .await
        .unwrap();
    assert_sent(r, DEFAULT_PSID).await;
}

fn limited(idle: u64, body: u64, max_connections: usize) -> EmulatorConfig {
    let mut c = EmulatorConfig::default();
    c.limits.idle_timeout = HumanDuration::secs(idle);
    c.limits.body_timeout = HumanDuration::secs(body);
    c.limits.max_connections = max_connections;
    c
}

/// Reads until the server closes, or `within` passes (then `None`).
fn read_until_closed(stream: &mut std::net::TcpStream, within: Duration) -> Option<String> {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut out = Vec::new();
    match stream.read_to_end(&mut out) {
        Ok(_) => Some(String::from_utf8_lossy(&out).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
            Some(String::from_utf8_lossy(&out).into_owned())
        }
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_half_sent_headers_and_stalled_bodies_are_cut_off() {
    let emu = start(limited(1, 1, 64)).await;
    let addr = emu.addr();
    let started = Instant::now();
    let results = tokio::task::spawn_blocking(move || {
        // Connected, never a byte.
        let mut idle = std::net::TcpStream::connect(addr).unwrap();
        // Half a request head.
        let mut half = std::net::TcpStream::connect(addr).unwrap();
        half.write_all(b"POST /v25.0/me/messages HTTP/1.1\r\nHost: x\r\n").unwrap();
        // A complete head, then 10 of the 100,000 promised body bytes.
        let mut stalled = std::net::TcpStream::connect(addr).unwrap();
        stalled
            .write_all(b"POST /v25.0/me/messages?access_token=x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"recipie")
            .unwrap();
        let window = Duration::from_secs(6);
        (
            read_until_closed(&mut idle, window),
            read_until_closed(&mut half, window),
            read_until_closed(&mut stalled, window),
        )
    })
    .await
    .unwrap();
    let (idle, half, stalled) = results;
    assert!(idle.is_some(), "an idle connection is closed");
    assert!(half.is_some(), "half-sent headers are cut off");
    let stalled = stalled.expect("a stalled body is cut off");
    assert!(
        stalled.contains("body_timeout") && stalled.contains("\"code\":100"),
        "answered with a Graph error: {stalled}"
    );
    assert!(started.elapsed() < Duration::from_secs(6));
    assert_eq!(emu.snapshot().rejected_by_error["100"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_after_the_last_slot_gets_a_graph_503() {
    let emu = start(limited(30, 30, 3)).await;
    let addr = emu.addr();
    let answer = tokio::task::spawn_blocking(move || {
        let held: Vec<_> = (0..3)
            .map(|_| std::net::TcpStream::connect(addr).unwrap())
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        let mut extra = std::net::TcpStream::connect(addr).unwrap();
        let answer = read_until_closed(&mut extra, Duration::from_secs(3));
        drop(held);
        answer
    })
    .await
    .unwrap()
    .expect("answered and closed");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
    let v: Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["error"]["is_transient"], true);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("max_connections"));
    // Once the held connections close, requests are served again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_sent(send(&emu, Send::to(DEFAULT_PSID)).await, DEFAULT_PSID).await;
}
