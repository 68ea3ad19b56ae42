//! The scale part of the benchmark: `svara serve` processes (this binary re-run as
//! `bench child-serve …`, each a real process with its own runtime and connections) on one
//! PostgreSQL database of a throw-away cluster with fsync on.

use super::{load_spread, median, post_send, Figures, CLIENTS, ROUNDS};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The first argument that makes this binary a server child.
pub const CHILD: &str = "child-serve";
const LIVE: &str = "sk_live_benchScaleKeyRRRRRRRRRRRRRRR";
const TEST: &str = "sk_test_benchScaleKeySSSSSSSSSSSSSSS";
const SEALING: &str = "bench-scale-sealing-key-0123456789abcdef";

fn now_ms() -> u64 {
    svara_server::clock::now_ms() as u64
}

/// `bench child-serve DATABASE DATA_DIR GRAPH_URL WORKER(0|1)`: one server process; prints its
/// URL, serves until SIGTERM.
pub async fn child() {
    let a: Vec<String> = std::env::args().collect();
    let mut c = svara_server::ServerConfig {
        database_url: a[2].clone(),
        data_dir: Some(PathBuf::from(&a[3])),
        live_graph_url: a[4].clone(),
        api_keys: vec![
            svara_server::Secret::new(LIVE),
            svara_server::Secret::new(TEST),
        ],
        secret_key: Some(svara_server::Secret::new(SEALING)),
        ..svara_server::ServerConfig::default()
    };
    c.worker.enabled = a[5] == "1";
    if let Some(rate) = std::env::var("SVARA_BENCH_RATE")
        .ok()
        .and_then(|r| r.parse().ok())
    {
        c.worker.sends_per_second = rate;
    }
    c.url_policy.allow_private = true;
    c.webhooks.allow_private = true;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = svara_server::start(c, listener).await.unwrap();
    println!("{}", server.base_url());
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let mut term =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).unwrap();
    term.recv().await;
    server.shutdown().await;
}

struct Proc {
    child: Child,
    url: String,
}

impl Proc {
    fn spawn(db: &str, data: &std::path::Path, graph: &str, worker: bool) -> Proc {
        std::fs::create_dir_all(data).unwrap();
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([CHILD, db, data.to_str().unwrap(), graph])
            .arg(if worker { "1" } else { "0" })
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut url = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut url)
            .unwrap();
        assert!(url.starts_with("http://"), "a server child did not start");
        Proc {
            child,
            url: url.trim().to_owned(),
        }
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn cluster() -> String {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scripts/lib/test-postgres.sh"
    );
    let out = Command::new("bash")
        .arg(script)
        .args([
            "start",
            "--durable",
            "--watch",
            &std::process::id().to_string(),
        ])
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "no PostgreSQL cluster: {text}");
    text.lines().next().unwrap().to_owned()
}

async fn fresh_db(admin: &str, n: usize) -> String {
    use sqlx::{Connection, Executor};
    let mut c = sqlx::PgConnection::connect(admin).await.unwrap();
    let name = format!("bench_{}_{n}", std::process::id());
    c.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let _ = c.close().await;
    let mut u = url::Url::parse(admin).unwrap();
    u.set_path(&format!("/{name}"));
    u.to_string()
}

fn data_dir(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("svara-bench-scale-{}-{tag}", std::process::id()))
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 * p) as usize).min(v.len() - 1)]
}

/// Runs the scale benchmark.
pub async fn run() {
    let admin = cluster();
    let mut dbs = 0;
    println!(
        "== Scale: svara serve processes on one PostgreSQL database (a local cluster, fsync on)"
    );
    let mut one = 0.0;
    for n in 1..=3 {
        let mut rounds: Vec<Figures> = Vec::new();
        for _ in 0..ROUNDS {
            dbs += 1;
            let db = fresh_db(&admin, dbs).await;
            let procs: Vec<Proc> = (0..n)
                .map(|i| {
                    Proc::spawn(
                        &db,
                        &data_dir(&format!("a{dbs}-{i}")),
                        "http://127.0.0.1:9",
                        false,
                    )
                })
                .collect();
            let urls: Vec<String> = procs.iter().map(|p| p.url.clone()).collect();
            rounds.push(load_spread(&urls, TEST).await);
            for p in procs {
                p.stop();
            }
        }
        let f = median(rounds);
        if n == 1 {
            one = f.per_second;
        }
        println!(
            "   {n} process{}  {:>7.0} accepted/s   p50 {:>6.2} ms   p99 {:>6.2} ms   ({:.2}x one process; {CLIENTS} clients spread over them)",
            if n == 1 { " " } else { "es" },
            f.per_second,
            f.p50_ms,
            f.p99_ms,
            f.per_second / one
        );
    }
    drain(&admin, dbs + 1).await;
}

/// Only the drain (`bench scale-drain`; `SVARA_BENCH_RATE` sets the pace of the processes).
pub async fn drain_only() {
    drain(&cluster(), 1).await;
}

async fn drain(admin: &str, n: usize) {
    const NOTES: usize = 1_000;
    const PAGES: usize = 20;
    let meta = svara_emulator::Emulator::start(svara_emulator::EmulatorConfig {
        accept_any_psid: true,
        accept_any_token: true,
        ..svara_emulator::EmulatorConfig::default()
    })
    .await
    .unwrap();
    let fixture =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/speech.opus.webm");
    let audio = std::fs::read(&fixture).unwrap();
    let files = axum::Router::new().route(
        "/note.webm",
        axum::routing::get(move || {
            let audio = audio.clone();
            async move { ([("content-type", "audio/webm")], audio) }
        }),
    );
    let fl = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let audio_url = format!("http://{}/note.webm", fl.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(fl, files).await;
    });
    // The receiver notes when each event arrives.
    let arrivals: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
    let store = arrivals.clone();
    let rx = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let store = store.clone();
            async move {
                let at = now_ms();
                if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                    if let Some(id) = v["id"].as_str() {
                        store.lock().unwrap().entry(id.to_owned()).or_insert(at);
                    }
                }
                "ok"
            }
        }),
    );
    let rl = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", rl.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(rl, rx).await;
    });

    let db = fresh_db(admin, n).await;
    let procs: Vec<Proc> = (0..3)
        .map(|i| Proc::spawn(&db, &data_dir(&format!("d-{i}")), &meta.base_url(), true))
        .collect();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    let r = http
        .post(format!("{}/v1/webhooks", procs[0].url))
        .bearer_auth(LIVE)
        .json(&json!({"url": hook, "events": ["voice_note.sent"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let urls: Vec<String> = procs.iter().map(|p| p.url.clone()).collect();
    let start = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (http, urls, audio_url) = (http.clone(), urls.clone(), audio_url.clone());
            tokio::spawn(async move {
                for i in (c..NOTES).step_by(CLIENTS) {
                    let body = json!({
                        "platform": "messenger",
                        "recipient": format!("{}", 6_128_493_050_000_000u64 + i as u64),
                        "audio_url": audio_url,
                        "session": {"page_access_token": format!("EAABenchScalePage{:02}", i % PAGES)},
                    });
                    post_send(&http, &urls[i % urls.len()], LIVE, &body).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let accepted = start.elapsed();
    loop {
        let u: Value = http
            .get(format!("{}/v1/usage", urls[0]))
            .bearer_auth(LIVE)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let done =
            u["all_time"]["sent"].as_i64().unwrap() + u["all_time"]["failed"].as_i64().unwrap();
        if done as usize >= NOTES {
            assert_eq!(u["all_time"]["failed"], 0, "{u}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(300), "stalled: {u}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drained = start.elapsed();
    let snap = meta.snapshot();
    let mut per_page: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for d in snap.deliveries() {
        per_page
            .entry(d.page_id.clone())
            .or_default()
            .push(d.received_at_ms);
    }
    let (mut busiest, mut rates, mut gaps) = (0, Vec::new(), Vec::new());
    for t in per_page.values_mut() {
        t.sort_unstable();
        gaps.extend(t.windows(2).map(|w| (w[1] - w[0]) as f64));
        let in_second = (0..t.len())
            .map(|i| t[i..].iter().take_while(|x| **x - t[i] < 1000).count())
            .max()
            .unwrap_or(0);
        busiest = busiest.max(in_second);
        let span = (t[t.len() - 1] - t[0]) as f64 / 1000.0;
        rates.push((t.len() - 1) as f64 / span);
    }
    let mean = rates.iter().sum::<f64>() / rates.len() as f64;
    let max_rate = rates.iter().cloned().fold(0.0, f64::max);
    let ideal = (NOTES / PAGES - 1) as f64 / 10.0;
    let rate = std::env::var("SVARA_BENCH_RATE")
        .unwrap_or_else(|_| svara_server::DEFAULT_SENDS_PER_SECOND.to_string());
    println!(
        "== Drain: {NOTES} notes over {PAGES} Pages, 3 processes pacing {rate} sends/s per Page, one Meta emulator (10 sends/s per Page, sliding second)"
    );
    println!(
        "   accepted in {:.2} s; all sent {:.2} s after the first request; ideal {ideal:.2} s (20 Pages x 10 sends/s = 200/s): {:.2}x; {:.0} notes/s",
        accepted.as_secs_f64(),
        drained.as_secs_f64(),
        drained.as_secs_f64() / ideal,
        NOTES as f64 / drained.as_secs_f64()
    );
    println!(
        "   per Page as Meta counts: mean {mean:.2} sends/s, highest {max_rate:.2}/s, busiest second {busiest} sends; refused by the rate limit (613): {}",
        snap.rejected_by_error.get("613").copied().unwrap_or(0)
    );
    println!(
        "   gaps between a Page's consecutive sends at Meta: min {:.0} ms, p1 {:.0} ms, median {:.0} ms (slots {:.0} ms apart)",
        pct(&mut gaps, 0.0),
        pct(&mut gaps, 0.01),
        pct(&mut gaps, 0.5),
        (1000.0 / rate.parse::<f64>().unwrap_or(9.5)).ceil()
    );
    // Webhook fan-out: from each note's status change (its event's created_at) to the receiver.
    let wait = Instant::now();
    while arrivals.lock().unwrap().len() < NOTES && wait.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    use sqlx::{Connection, Row};
    let mut c = sqlx::PgConnection::connect(&db).await.unwrap();
    let created: HashMap<String, i64> = sqlx::query("SELECT id, created_at FROM events")
        .fetch_all(&mut c)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
        .collect();
    let mut lat: Vec<f64> = arrivals
        .lock()
        .unwrap()
        .iter()
        .filter_map(|(id, at)| created.get(id).map(|c| *at as f64 - *c as f64))
        .collect();
    println!(
        "   webhook fan-out (status change -> receiver), {} events: p50 {:.0} ms, p99 {:.0} ms",
        lat.len(),
        pct(&mut lat, 0.5),
        pct(&mut lat, 0.99)
    );
    for p in procs {
        p.stop();
    }
}
