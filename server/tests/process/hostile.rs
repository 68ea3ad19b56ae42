//! Memory under hostile input, measured: the process's peak RSS (sampled every 5 ms) while
//! 20 clients push 30 MB bodies three ways (declared by Content-Length, chunked to /v1/send,
//! chunked multipart to /v1/audio), 500 connections sit idle, and 50 clients drip their
//! headers. Bodies are refused as soon as they pass their limit, uploads stream to disk, idle
//! and slow connections are cut at the header timeout; nothing refused leaves state behind; the
//! server keeps serving. The figures are printed (the README quotes them).

use crate::support::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const THIRTY_MB: usize = 30 * 1024 * 1024;

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// Samples RSS in a thread until dropped; `peak()` is the highest seen.
struct Sampler {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sampler {
    fn start() -> Sampler {
        let peak = Arc::new(AtomicU64::new(rss_kb()));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (peak.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                p.fetch_max(rss_kb(), Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        Sampler {
            peak,
            stop,
            thread: Some(thread),
        }
    }

    fn peak(&self) -> u64 {
        self.peak.load(Ordering::SeqCst)
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Sends `head`, then up to `total` body bytes from one shared buffer (`chunked` frames them),
/// until the server answers or closes; returns the status line.
async fn push(
    addr: &str,
    head: String,
    total: usize,
    chunked: bool,
    chunk: &'static [u8],
) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    let (mut r, mut w) = s.into_split();
    let writer = tokio::spawn(async move {
        let mut sent = 0;
        while sent < total {
            let n = chunk.len().min(total - sent);
            let ok = if chunked {
                let frame = format!("{n:x}\r\n");
                w.write_all(frame.as_bytes()).await.is_ok()
                    && w.write_all(&chunk[..n]).await.is_ok()
                    && w.write_all(b"\r\n").await.is_ok()
            } else {
                w.write_all(&chunk[..n]).await.is_ok()
            };
            if !ok {
                break;
            }
            sent += n;
        }
        if chunked {
            let _ = w.write_all(b"0\r\n\r\n").await;
        }
        sent
    });
    let mut buf = vec![0u8; 4096];
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match r.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    got.extend_from_slice(&buf[..n]);
                    if got.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no answer within 30 s");
    writer.abort();
    String::from_utf8_lossy(&got)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

async fn concurrently<F, Fut>(n: usize, f: F) -> Vec<String>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = String> + Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(f(i))).collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_stays_bounded_under_hostile_input() {
    let _serial = crate::serial().await;
    static CHUNK: [u8; 64 * 1024] = [b'a'; 64 * 1024];
    let t = TestServer::start_with(|c| {
        c.limits.header_timeout = Duration::from_secs(2);
        c.limits.body_timeout = Duration::from_secs(10);
    })
    .await;
    let addr = t.url.trim_start_matches("http://").to_owned();
    let key = t.key.clone();
    // Warm up (pools, first allocations), then measure from here.
    let (code, _) = t.send(&t.body(PSID, "speech-aac.m4a")).await;
    assert_eq!(code, 202);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let baseline = rss_kb();
    let sampler = Sampler::start();
    let mut report = Vec::new();
    let mut phase = |name: &str, before: u64, sampler: &Sampler| {
        let grew = sampler.peak().saturating_sub(before) / 1024;
        report.push(format!("{name}: peak +{grew} MB"));
        grew
    };

    // 1. 20 x 30 MB declared by Content-Length: 413 before the body is read.
    let answers = concurrently(20, |_| {
        let (addr, key) = (addr.clone(), key.clone());
        async move {
            let head = format!("POST /v1/send HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {THIRTY_MB}\r\n\r\n");
            push(&addr, head, THIRTY_MB, false, &CHUNK).await
        }
    })
    .await;
    assert!(
        answers.iter().all(|a| a.starts_with("HTTP/1.1 413")),
        "{answers:?}"
    );
    let g1 = phase(
        "20 x 30 MB by Content-Length to /v1/send",
        baseline,
        &sampler,
    );

    // 2. 20 x 30 MB chunked to /v1/send: 413 once 256 KiB have arrived.
    let answers = concurrently(20, |_| {
        let (addr, key) = (addr.clone(), key.clone());
        async move {
            let head = format!("POST /v1/send HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            push(&addr, head, THIRTY_MB, true, &CHUNK).await
        }
    })
    .await;
    assert!(
        answers.iter().all(|a| a.starts_with("HTTP/1.1 413")),
        "{answers:?}"
    );
    let g2 = phase("20 x 30 MB chunked to /v1/send", baseline, &sampler);

    // 3. 20 x 30 MB chunked multipart uploads: streamed to disk, 413 past 25 MB, files removed.
    let answers = concurrently(20, |_| {
        let (addr, key) = (addr.clone(), key.clone());
        async move {
            let boundary = "svaraboundary";
            let head = format!("POST /v1/audio HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nTransfer-Encoding: chunked\r\n\r\n");
            let mut s = TcpStream::connect(&addr).await.unwrap();
            s.write_all(head.as_bytes()).await.unwrap();
            let part = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.mp3\"\r\nContent-Type: audio/mpeg\r\n\r\n");
            let frame = format!("{:x}\r\n{part}\r\n", part.len());
            s.write_all(frame.as_bytes()).await.unwrap();
            let (mut r, mut w) = s.into_split();
            let writer = tokio::spawn(async move {
                let mut sent = 0;
                while sent < THIRTY_MB {
                    let f = format!("{:x}\r\n", CHUNK.len());
                    if w.write_all(f.as_bytes()).await.is_err()
                        || w.write_all(&CHUNK).await.is_err()
                        || w.write_all(b"\r\n").await.is_err()
                    {
                        break;
                    }
                    sent += CHUNK.len();
                }
            });
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            let _ = tokio::time::timeout(Duration::from_secs(60), async {
                while let Ok(n) = r.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                    if got.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            })
            .await;
            writer.abort();
            String::from_utf8_lossy(&got).lines().next().unwrap_or("").to_owned()
        }
    })
    .await;
    assert!(
        answers.iter().all(|a| a.starts_with("HTTP/1.1 413")),
        "{answers:?}"
    );
    let g3 = phase(
        "20 x 30 MB chunked multipart to /v1/audio",
        baseline,
        &sampler,
    );
    let uploads = t.dir.0.join("uploads");
    let left: Vec<_> = std::fs::read_dir(&uploads)
        .map(|d| d.filter_map(Result::ok).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "refused uploads leave no file: {left:?}");

    // 4. 500 idle connections, then 50 that drip their headers: all cut at the header timeout.
    let before_idle = rss_kb();
    let start = Instant::now();
    let mut idle = Vec::new();
    for _ in 0..500 {
        idle.push(TcpStream::connect(&addr).await.unwrap());
    }
    let drippers = concurrently(50, |i| {
        let addr = addr.clone();
        async move {
            let mut s = TcpStream::connect(&addr).await.unwrap();
            let line = format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Drip-{i}: ");
            let _ = s.write_all(line.as_bytes()).await;
            let started = Instant::now();
            loop {
                if s.write_all(b"a").await.is_err() {
                    break;
                }
                let mut b = [0u8; 1];
                match tokio::time::timeout(Duration::from_millis(200), s.read(&mut b)).await {
                    Ok(Ok(0)) | Ok(Err(_)) => break,
                    _ => {}
                }
                if started.elapsed() > Duration::from_secs(15) {
                    return "still open".to_owned();
                }
            }
            format!("closed after {:.1} s", started.elapsed().as_secs_f64())
        }
    })
    .await;
    assert!(
        drippers.iter().all(|d| d.starts_with("closed")),
        "{drippers:?}"
    );
    // While the idle ones were open, a real client was still served.
    let (code, _) = t.get("/healthz", None).await;
    assert_eq!(code, 200);
    let g4 = phase(
        "500 idle + 50 slow-header connections",
        before_idle,
        &sampler,
    );
    let mut closed = 0;
    for mut s in idle {
        let mut b = [0u8; 1];
        if let Ok(Ok(0)) = tokio::time::timeout(Duration::from_secs(10), s.read(&mut b)).await {
            closed += 1;
        }
    }
    assert_eq!(
        closed, 500,
        "every idle connection was closed by the server"
    );
    assert!(start.elapsed() < Duration::from_secs(20));

    // Nothing refused left state; the server still sends.
    let (_, usage) = t.get("/v1/usage", Some(&t.key)).await;
    assert_eq!(usage["all_time"]["total"], 1, "{usage}");
    let (code, v) = t.send(&t.body(&new_psid(), "speech-aac.m4a")).await;
    assert_eq!(code, 202);
    let s = t
        .wait_final(v["id"].as_str().unwrap(), Duration::from_secs(20))
        .await;
    assert_eq!(s["status"], "sent");
    let peak = sampler.peak();
    drop(sampler);
    println!(
        "hostile input: baseline RSS {} MB, peak {} MB; {}",
        baseline / 1024,
        peak / 1024,
        report.join("; ")
    );
    // 20 x 30 MB held in memory would be 600 MB; bounded handling stays far below.
    for (grew, what) in [
        (g1, "declared"),
        (g2, "chunked"),
        (g3, "uploads"),
        (g4, "connections"),
    ] {
        assert!(grew < 80, "{what}: +{grew} MB");
    }
    t.stop().await;
}
