//! Benchmark (not a test): what the Send API client costs, against peers measured in the same
//! run on the Graph API emulator.
//!
//! 1. `send_many` to 1,000 recipients (1 upload + 1,000 sends by attachment id) against the
//!    naive loop that uploads the file once per recipient (what the popular Messenger
//!    libraries do), sequential and with the same concurrency.
//! 2. The client's own overhead per send over a bare reqwest multipart POST of the same file.
//!
//! Run: `cargo run -p svara --release --example bench_send [-- RECIPIENTS]`

use std::time::{Duration, Instant};
use svara::{AudioSource, Client, PrepareOptions, SendOptions};
use svara_emulator::{Emulator, EmulatorConfig, DEFAULT_PAGE_TOKEN, DEFAULT_PSID};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/audio-samples");
const CONCURRENCY: usize = 16;

fn per(d: Duration, n: usize) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0 / n as f64)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> svara::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let mut config = EmulatorConfig::default().with_rate_limit(0);
    config.accept_any_psid = true;
    config.keep_audio_bytes = 0;
    let emu = Emulator::start(config).await.expect("emulator");
    let client = Client::builder(DEFAULT_PAGE_TOKEN)
        .graph_url(emu.base_url())
        .sends_per_second(1_000_000.0) // measure the client, not the limiter
        .concurrency(CONCURRENCY)
        .build()?;

    // A realistic voice note: the 25.5 s browser recording converted to M4A/AAC, else the
    // 1 s iPhone memo when the audio engine cannot convert yet.
    let webm = std::fs::read(format!(
        "{SAMPLES}/chrome-mediarecorder-opus-no-duration.webm"
    ))
    .expect("sample");
    let m4a = match client
        .prepare(AudioSource::Bytes(webm), &PrepareOptions::default())
        .await
    {
        Ok(p) => p.data,
        Err(e) => {
            eprintln!("(conversion unavailable: {e}; using the 1 s iPhone memo)");
            std::fs::read(format!("{SAMPLES}/iphone-voice-memos-aac.m4a")).expect("sample")
        }
    };
    let recipients: Vec<String> = (0..n)
        .map(|i| format!("{}", 7_100_000_000_000_000u64 + i as u64))
        .collect();
    let opts = SendOptions::default();
    println!(
        "svara bench_send: {n} recipients, {} byte M4A, emulator on {}",
        m4a.len(),
        emu.base_url()
    );
    println!(
        "machine: {} logical CPUs",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );

    // Warm up the pool and the emulator.
    client
        .send(DEFAULT_PSID, AudioSource::Bytes(m4a.clone()), &opts)
        .await?;
    emu.reset();

    // 1a. send_many: one upload, n small sends.
    let t = Instant::now();
    let out = client
        .send_many(&recipients, AudioSource::Bytes(m4a.clone()), &opts)
        .await?;
    let many = t.elapsed();
    let ok = out.iter().filter(|o| o.result.is_ok()).count();
    let snap = emu.snapshot();
    assert_eq!(ok, n, "every send succeeded");
    println!(
        "send_many            {:>9.3} s  ({} per recipient; {} upload(s), {} delivered)",
        many.as_secs_f64(),
        per(many, n),
        snap.upload_attempts,
        snap.delivered
    );
    emu.reset();

    // 1b. naive loop, same concurrency: one multipart upload-and-send per recipient.
    let t = Instant::now();
    use futures::StreamExt;
    let results: Vec<_> = futures::stream::iter(recipients.iter())
        .map(|r| {
            let client = &client;
            let m4a = m4a.clone();
            let opts = &opts;
            async move { client.send(r, AudioSource::Bytes(m4a), opts).await }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let naive_conc = t.elapsed();
    assert!(results.iter().all(|r| r.is_ok()));
    println!(
        "naive loop x{CONCURRENCY:<3}      {:>9.3} s  ({} per recipient; {} uploads)",
        naive_conc.as_secs_f64(),
        per(naive_conc, n),
        n
    );
    emu.reset();

    // 1c. naive loop, sequential (what bots usually write).
    let t = Instant::now();
    for r in &recipients {
        client
            .send(r, AudioSource::Bytes(m4a.clone()), &opts)
            .await?;
    }
    let naive_seq = t.elapsed();
    println!(
        "naive loop (serial)  {:>9.3} s  ({} per recipient)",
        naive_seq.as_secs_f64(),
        per(naive_seq, n)
    );
    println!(
        "=> send_many is {:.1}x faster than the concurrent naive loop, {:.1}x faster than the serial one",
        naive_conc.as_secs_f64() / many.as_secs_f64(),
        naive_seq.as_secs_f64() / many.as_secs_f64()
    );
    emu.reset();

    // 2. Overhead per send: Client::send (bytes -> prepare pass-through -> multipart -> classify)
    //    against a bare reqwest multipart POST of the same file, both serial on warm pools.
    let rounds = 300.min(n.max(50));
    let bare = reqwest::Client::new();
    let url = format!("{}/v25.0/me/messages", emu.base_url());
    let bare_post = || async {
        let form = reqwest::multipart::Form::new()
            .text("access_token", DEFAULT_PAGE_TOKEN)
            .text("recipient", format!("{{\"id\":\"{DEFAULT_PSID}\"}}"))
            .text("messaging_type", "RESPONSE")
            .text("message", r#"{"attachment":{"type":"audio","payload":{}}}"#)
            .part(
                "filedata",
                reqwest::multipart::Part::bytes(m4a.clone())
                    .file_name("voice.m4a")
                    .mime_str("audio/mp4")
                    .unwrap(),
            );
        let r = bare.post(&url).multipart(form).send().await.unwrap();
        assert!(r.status().is_success());
        r.bytes().await.unwrap();
    };
    bare_post().await;
    let prepared = client
        .prepare(AudioSource::Bytes(m4a.clone()), &PrepareOptions::default())
        .await?;
    let mut bare_total = Duration::ZERO;
    let mut svara_total = Duration::ZERO;
    let mut prepared_total = Duration::ZERO;
    // Interleave the two so that machine noise hits both alike.
    for _ in 0..rounds {
        let t = Instant::now();
        bare_post().await;
        bare_total += t.elapsed();
        let t = Instant::now();
        client
            .send(DEFAULT_PSID, AudioSource::Bytes(m4a.clone()), &opts)
            .await?;
        svara_total += t.elapsed();
        let t = Instant::now();
        client.send_prepared(DEFAULT_PSID, &prepared, &opts).await?;
        prepared_total += t.elapsed();
    }
    let overhead = svara_total.as_secs_f64() - bare_total.as_secs_f64();
    println!(
        "bare reqwest POST    {} per send ({rounds} serial sends)",
        per(bare_total, rounds)
    );
    println!(
        "svara send_prepared  {} per send (HTTP path only: multipart, limiter, classify)",
        per(prepared_total, rounds)
    );
    println!(
        "svara Client::send   {} per send (plus prepare: probe + M4A/AAC pass-through check)",
        per(svara_total, rounds)
    );
    let http_overhead = prepared_total.as_secs_f64() - bare_total.as_secs_f64();
    println!(
        "=> client HTTP overhead {:.3} ms per send ({:.3}x the bare POST); with prepare {:.3} ms ({:.2}x)",
        http_overhead * 1000.0 / rounds as f64,
        prepared_total.as_secs_f64() / bare_total.as_secs_f64(),
        overhead * 1000.0 / rounds as f64,
        svara_total.as_secs_f64() / bare_total.as_secs_f64()
    );
    emu.shutdown().await;
    Ok(())
}
