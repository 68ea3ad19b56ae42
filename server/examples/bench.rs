//! The server benchmark (a benchmark, not a test): prints figures and ratios against peers
//! measured in the same run on the same machine.
//!
//! ```sh
//! cargo run --release -p svara-server --example bench             # all of it
//! cargo run --release -p svara-server --example bench -- accept   # only POST /v1/send
//! cargo run --release -p svara-server --example bench -- drain    # only the drain
//! cargo run --release -p svara-server --example bench -- scale    # several processes on PostgreSQL
//! SVARA_BENCH_RATE=10 cargo run --release -p svara-server --example bench -- scale-drain
//! ```
//!
//! 1. Accept: `POST /v1/send` (the documented body) from 50 keep-alive clients, accepted per
//!    second and p50/p99 latency, against a bare axum handler that parses the JSON and does
//!    the same SQLite insert (same schema, WAL, one transaction per request), both with commits
//!    flushed to disk (`synchronous = FULL`, what svara serve does) and both without
//!    (`NORMAL`), in alternating rounds (medians), because other work may share the machine.
//! 2. Drain: 1,000 queued notes to 100 Pages through the emulator (test mode): time to all
//!    `sent`, against the ideal at Meta's 10 calls per second per Page; conversions and
//!    uploads counted (one conversion in all, one upload per Page); each Page's busiest second.
//! 3. Scale (PostgreSQL, a throw-away cluster of `scripts/lib/test-postgres.sh` with fsync on):
//!    `POST /v1/send` accepted per second by 1, 2 and 3 `svara serve` processes on one database
//!    (this binary re-run as a server child process); then 3 processes draining 1,000 notes over
//!    20 Pages through one Meta emulator (live key), against the ideal of 20 Pages x 10 sends per
//!    second, with each Page's rate and busiest second as Meta counts them; and the webhook
//!    fan-out latency, from each note's status change to a local receiver's 2xx, p50/p99.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use svara_server::{KeySetup, ServerConfig, UrlPolicy};

#[path = "bench/scale.rs"]
mod scale;

const CLIENTS: usize = 50;
const REQUESTS: usize = 6_000;
pub(crate) const ROUNDS: usize = 3;

fn temp_dir(tag: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!(
        "svara-bench-{tag}-{}-{}",
        std::process::id(),
        svara_server::clock::now_ms()
    ));
    std::fs::create_dir_all(&p).unwrap();
    p
}

pub(crate) fn documented_body(i: usize) -> Value {
    json!({
        "platform": "messenger",
        "recipient": format!("{}", 6_128_493_027_184_956u64 + i as u64),
        "audio_url": "https://cdn.example.com/notes/update.m4a",
        "session": {"page_access_token": "EAAGm0PX4ZCpsBenchmarkToken"},
    })
}

/// `POST {url}/v1/send` with `body`; the answer must be 202.
pub(crate) async fn post_send(http: &reqwest::Client, url: &str, key: &str, body: &Value) {
    let r = http
        .post(format!("{url}/v1/send"))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let _ = r.bytes().await.unwrap();
}

/// Figures of one run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Figures {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// `REQUESTS` POSTs from `CLIENTS` concurrent keep-alive clients; every answer must be 202.
async fn load(url: &str, key: &str) -> Figures {
    load_spread(&[url.to_owned()], key).await
}

/// [`load`] with the clients spread over several servers (client `c` talks to `urls[c % n]`).
pub(crate) async fn load_spread(urls: &[String], key: &str) -> Figures {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    // Warm up connections and caches.
    for i in 0..CLIENTS * 2 {
        post_send(&http, &urls[i % urls.len()], key, &documented_body(i)).await;
    }
    let start = Instant::now();
    let per_client = REQUESTS / CLIENTS;
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (http, url, key) = (http.clone(), urls[c % urls.len()].clone(), key.to_owned());
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(per_client);
                for i in 0..per_client {
                    let body = documented_body(c * per_client + i);
                    let t = Instant::now();
                    post_send(&http, &url, &key, &body).await;
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    let mut lat = Vec::with_capacity(REQUESTS);
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed();
    lat.sort();
    let pct =
        |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)].as_secs_f64() * 1e3;
    Figures {
        per_second: lat.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    }
}

async fn svara_round(fsync: bool) -> Figures {
    let dir = temp_dir("svara");
    let mut config = ServerConfig {
        database_url: format!("sqlite://{}/svara.db", dir.display()),
        fsync_commits: fsync,
        ..ServerConfig::default()
    };
    config.worker.enabled = false;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = svara_server::start(config, listener).await.unwrap();
    let KeySetup::Generated(key) = server.key_setup().clone() else {
        panic!("a fresh database generates a key")
    };
    let f = load(&server.base_url(), key.expose()).await;
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
    f
}

/// The peer: axum, `Json<Value>`, one INSERT of the same row into the same table.
async fn bare_round(fsync: bool) -> Figures {
    let dir = temp_dir("bare");
    let options = SqliteConnectOptions::new()
        .filename(dir.join("bare.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(if fsync {
            SqliteSynchronous::Full
        } else {
            SqliteSynchronous::Normal
        })
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .unwrap();
    sqlx::raw_sql(include_str!("../migrations/sqlite/0001_queue.sql"))
        .execute(&pool)
        .await
        .unwrap();
    async fn handler(
        State(pool): State<sqlx::SqlitePool>,
        Json(body): Json<Value>,
    ) -> (StatusCode, Json<Value>) {
        let now = svara_server::clock::now_ms();
        let id = svara_server::ids::new_id("msg", now);
        let recipient = body["recipient"].as_str().unwrap_or("").to_owned();
        sqlx::query(
            "INSERT INTO jobs (id, key_id, mode, platform, recipient, page_key, status, attempts, \
             run_at, request, secrets, created_at, updated_at) \
             VALUES ($1, 'key', 'test', 'messenger', $2, 'pg', 'queued', 0, $3, $4, $5, $3, $3)",
        )
        .bind(&id)
        .bind(&recipient)
        .bind(now)
        .bind(body.to_string())
        .bind(body["session"].to_string().into_bytes())
        .execute(&pool)
        .await
        .unwrap();
        (
            StatusCode::ACCEPTED,
            Json(
                json!({"id": id, "status": "queued", "platform": "messenger", "recipient": recipient, "created_at": svara_server::clock::iso8601(now)}),
            ),
        )
    }
    let app = Router::new()
        .route("/v1/send", post(handler))
        .with_state(pool.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let f = load(&url, "unused").await;
    task.abort();
    pool.close().await;
    let _ = std::fs::remove_dir_all(dir);
    f
}

pub(crate) fn median(mut v: Vec<Figures>) -> Figures {
    let m = v.len() / 2;
    let by = |f: fn(&Figures) -> f64, v: &mut Vec<Figures>| {
        v.sort_by(|a, b| f(a).total_cmp(&f(b)));
        f(&v[m])
    };
    Figures {
        per_second: by(|f| f.per_second, &mut v),
        p50_ms: by(|f| f.p50_ms, &mut v),
        p99_ms: by(|f| f.p99_ms, &mut v),
    }
}

async fn accept() {
    println!("== POST /v1/send: {REQUESTS} requests from {CLIENTS} keep-alive clients, {ROUNDS} alternating rounds, medians");
    for fsync in [true, false] {
        let (mut ours, mut bare) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            ours.push(svara_round(fsync).await);
            bare.push(bare_round(fsync).await);
        }
        let (o, b) = (median(ours), median(bare));
        let mode = if fsync {
            "synchronous=FULL (fsync per commit; svara serve's setting)"
        } else {
            "synchronous=NORMAL (no fsync at commit)"
        };
        println!("-- {mode}");
        println!(
            "   svara serve      {:>7.0} accepted/s   p50 {:>6.2} ms   p99 {:>6.2} ms",
            o.per_second, o.p50_ms, o.p99_ms
        );
        println!(
            "   bare axum+sqlx   {:>7.0} accepted/s   p50 {:>6.2} ms   p99 {:>6.2} ms",
            b.per_second, b.p50_ms, b.p99_ms
        );
        println!("   ratio svara/bare {:.2}x", o.per_second / b.per_second);
    }
}

async fn drain() {
    const NOTES: usize = 1_000;
    const PAGES: usize = 100;
    println!("== Drain: {NOTES} queued notes to {PAGES} Pages through the test-mode emulator (10 calls/s per Page, like Meta)");
    let fixture =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/speech.opus.webm");
    let audio = std::fs::read(&fixture).unwrap();
    let app = Router::new().route(
        "/note.webm",
        axum::routing::get(move || {
            let audio = audio.clone();
            async move { ([("content-type", "audio/webm")], audio) }
        }),
    );
    let files = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let files_addr = files.local_addr().unwrap();
    let file_task = tokio::spawn(async move {
        let _ = axum::serve(files, app).await;
    });
    let dir = temp_dir("drain");
    let mut config = ServerConfig {
        database_url: format!("sqlite://{}/svara.db", dir.display()),
        url_policy: UrlPolicy {
            allow_private: false,
            allowed_origins: vec![files_addr],
            allow_loopback: false,
        },
        ..ServerConfig::default()
    };
    if let Some(rate) = std::env::var("SVARA_BENCH_RATE")
        .ok()
        .and_then(|r| r.parse().ok())
    {
        config.worker.sends_per_second = rate;
    }
    println!(
        "   pacing {} calls/s per Page",
        config.worker.sends_per_second
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = svara_server::start(config, listener).await.unwrap();
    let KeySetup::Generated(key) = server.key_setup().clone() else {
        panic!("a fresh database generates a key")
    };
    let (url, key) = (server.base_url(), key.expose().to_owned());
    let http = reqwest::Client::new();
    let start = Instant::now();
    let submit: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (http, url, key) = (http.clone(), url.clone(), key.clone());
            tokio::spawn(async move {
                for n in (c..NOTES).step_by(CLIENTS) {
                    let body = json!({
                        "platform": "messenger",
                        "recipient": format!("{}", 6_128_493_020_000_000u64 + n as u64),
                        "audio_url": format!("http://{files_addr}/note.webm"),
                        "session": {"page_access_token": format!("EAABenchPage{:03}", n % PAGES)},
                    });
                    post_send(&http, &url, &key, &body).await;
                }
            })
        })
        .collect();
    for t in submit {
        t.await.unwrap();
    }
    let accepted_in = start.elapsed();
    loop {
        let usage: Value = http
            .get(format!("{url}/v1/usage"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let done = usage["all_time"]["sent"].as_i64().unwrap()
            + usage["all_time"]["failed"].as_i64().unwrap();
        if done as usize == NOTES {
            assert_eq!(usage["all_time"]["failed"], 0, "{usage}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "drain stalled: {usage}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drained_in = start.elapsed();
    let stats = server.media_stats();
    let snap = server.test_emulator().unwrap().snapshot();
    let mut per_page: HashMap<String, Vec<u64>> = HashMap::new();
    for d in snap.deliveries() {
        per_page
            .entry(d.page_id.clone())
            .or_default()
            .push(d.received_at_ms);
    }
    let busiest = per_page
        .values_mut()
        .map(|t| {
            t.sort();
            (0..t.len())
                .map(|i| t[i..].iter().take_while(|x| **x < t[i] + 1000).count())
                .max()
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0);
    let refused = snap.attempts.saturating_sub(snap.delivered);
    // Ideal: each Page's 1 upload and 10 sends at 10 calls per second (the first at once, the
    // last 1 s later), all Pages at once.
    let calls_per_page = NOTES / PAGES + 1;
    let ideal = Duration::from_secs_f64((calls_per_page - 1) as f64 / 10.0);
    println!(
        "   accepted in {:.2} s; all {NOTES} sent after {:.2} s (ideal at 10 calls/s per Page: {:.2} s; {:.2}x the ideal)",
        accepted_in.as_secs_f64(),
        drained_in.as_secs_f64(),
        ideal.as_secs_f64(),
        drained_in.as_secs_f64() / ideal.as_secs_f64()
    );
    println!(
        "   fetches {}, conversions {}, uploads {} (one per Page), Pages {}, busiest second of a Page {} sends, sends refused by the rate limit {}",
        stats.fetches,
        stats.conversions,
        stats.uploads,
        per_page.len(),
        busiest,
        refused
    );
    server.shutdown().await;
    file_task.abort();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::main]
async fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    if which == scale::CHILD {
        return scale::child().await;
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "svara serve benchmark on {} cores; load average before: {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    if which.is_empty() || which == "accept" {
        accept().await;
    }
    if which.is_empty() || which == "drain" {
        drain().await;
    }
    if which.is_empty() || which == "scale" {
        scale::run().await;
    }
    if which == "scale-drain" {
        scale::drain_only().await;
    }
}
