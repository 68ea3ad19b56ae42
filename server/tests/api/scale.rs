//! Several servers on one PostgreSQL database, in this process (the real multi-process and
//! `kill -9` stories spawn `svara serve`: cli/tests/serve_processes.rs): claims never overlap,
//! the sweeper re-checks the state it read (River #1302), idempotency keys, API keys and usage
//! are shared, every note is sent exactly once, and a Page's pace holds across servers (no 613,
//! at most 10 sends in any second as Meta counts them). SQLite refuses a second process.

use crate::support::*;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use svara_server::store::jobs::{self, ClaimRequest, NewJob};
use svara_server::store::Store;
use svara_server::worker::pacing::Pacer;

const LIVE: &str = "sk_live_scaleTestKeyPPPPPPPPPPPPPPPPP";
const SECRET_KEY: &str = "scale-test-sealing-key-0123456789abcdef";

/// A second server on `first`'s database, with a data folder (and no key file) of its own.
async fn join(
    first: &TestServer,
    edit: impl FnOnce(&mut svara_server::ServerConfig),
) -> Result<svara_server::RunningServer, svara_server::StartError> {
    let own = TempDir::new("joined");
    let mut c = base_config(&first.dir, &first.files);
    c.data_dir = Some(own.0.clone());
    edit(&mut c);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let r = svara_server::start(c, listener).await;
    std::mem::forget(own); // the folder outlives the server; the OS temp dir cleans it
    r
}

/// Most sends of one Page within any window of `window` ms.
pub fn max_in_window(times: &[u64], window: u64) -> usize {
    let mut t = times.to_vec();
    t.sort_unstable();
    let mut best = 0;
    let mut lo = 0;
    for hi in 0..t.len() {
        while t[hi] - t[lo] >= window {
            lo += 1;
        }
        best = best.max(hi - lo + 1);
    }
    best
}

#[tokio::test]
async fn sqlite_refuses_a_second_process() {
    let t = TestServer::start().await;
    let r = join(&t, |_| {}).await;
    let err = r
        .err()
        .expect("a second server on one SQLite file is refused");
    assert!(
        err.to_string().contains("one process per SQLite file"),
        "{err}"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_one_postgres_queue_and_pace_pages_together() {
    let meta = meta_any().await;
    let graph = meta.base_url();
    let setup = |c: &mut svara_server::ServerConfig| {
        c.api_keys = vec![secret(LIVE)];
        c.live_graph_url = graph.clone();
        c.secret_key = Some(secret(SECRET_KEY));
    };
    let a = TestServer::start_on(Db::Postgres, setup).await;
    // Another sealing key would make the queued tokens unreadable: refused at start.
    let refused = join(&a, |c| {
        setup(c);
        c.secret_key = Some(secret("another-sealing-key-0123456789abcdefgh"));
    })
    .await;
    assert!(matches!(
        refused,
        Err(svara_server::StartError::KeyMismatch)
    ));
    let b = join(&a, setup).await.expect("a second server starts");
    let b_url = b.base_url();

    // 90 notes over 3 Pages, accepted alternately by the two servers.
    let mut ids = Vec::new();
    for i in 0..90 {
        let url = if i % 2 == 0 { &a.url } else { &b_url };
        let mut body = a.body(&format!("61284930300{i:05}"), "speech-aac.m4a");
        body["session"]["page_access_token"] = json!(format!("EAAscalePage{}", i % 3));
        let r = a
            .http
            .post(format!("{url}/v1/send"))
            .bearer_auth(LIVE)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 202);
        let v: serde_json::Value = r.json().await.unwrap();
        ids.push(v["id"].as_str().unwrap().to_owned());
    }
    for id in &ids {
        let s = wait_final(&a.http, &b_url, LIVE, id, Duration::from_secs(60)).await;
        assert_eq!(s["status"], "sent", "{s}");
    }
    let snap = meta.snapshot();
    assert_eq!(snap.delivered, 90, "each note sent exactly once");
    assert_eq!(
        snap.rejected_by_error.get("613"),
        None,
        "{:?}",
        snap.rejected_by_error
    );
    let mut per_page: HashMap<String, Vec<u64>> = HashMap::new();
    for d in snap.deliveries() {
        per_page
            .entry(d.page_id.clone())
            .or_default()
            .push(d.received_at_ms);
    }
    assert_eq!(per_page.len(), 3);
    for (page, times) in &per_page {
        let most = max_in_window(times, 1000);
        assert!(most <= 10, "{page}: {most} sends within one second");
        let span = (times.iter().max().unwrap() - times.iter().min().unwrap()) as f64 / 1000.0;
        let rate = (times.len() - 1) as f64 / span;
        assert!(rate < 10.0, "{page}: {rate:.2}/s over both servers");
    }
    // Usage is the database's: the same from either server.
    let (_, ua) = a.get("/v1/usage", Some(LIVE)).await;
    let ub: serde_json::Value = a
        .http
        .get(format!("{b_url}/v1/usage"))
        .bearer_auth(LIVE)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ua["all_time"]["sent"], 90);
    assert_eq!(ua["all_time"], ub["all_time"]);

    // One Idempotency-Key raced through both servers: one note, one answer.
    let body = a.body("6128493030099999", "speech-aac.m4a");
    let mut tasks = Vec::new();
    for i in 0..10 {
        let url = if i % 2 == 0 {
            a.url.clone()
        } else {
            b_url.clone()
        };
        let (http, body) = (a.http.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(format!("{url}/v1/send"))
                .bearer_auth(LIVE)
                .header("Idempotency-Key", "scale-race-1")
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }));
    }
    let mut answers = HashSet::new();
    for task in tasks {
        let (code, text) = task.await.unwrap();
        assert_eq!(code, 202, "{text}");
        answers.insert(text);
    }
    assert_eq!(
        answers.len(),
        1,
        "every retry got the first answer: {answers:?}"
    );
    let n = query_db(
        &a.dir,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM jobs WHERE recipient = '6128493030099999'",
        |r| sqlx::Row::get::<i64, _>(r, 0),
    )
    .await;
    assert_eq!(n, [1]);
    b.shutdown().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_started_at_once_share_one_generated_test_key() {
    // Three first starts on one empty database at the same moment: one test key results.
    let dir = TempDir::on(Db::Postgres, "keys").await;
    let files = FileServer::start().await;
    let mut starts = Vec::new();
    for _ in 0..3 {
        let own = TempDir::new("joined");
        let mut c = base_config(&dir, &files);
        c.data_dir = Some(own.0.clone());
        c.secret_key = Some(secret(SECRET_KEY));
        c.worker.enabled = false;
        std::mem::forget(own);
        starts.push(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            svara_server::start(c, l).await.unwrap()
        });
    }
    // Concurrent in one task: each start's migrations and key setup interleave on the database.
    let servers = futures::future::join_all(starts).await;
    let generated: Vec<String> = servers
        .iter()
        .filter_map(|s| match s.key_setup() {
            svara_server::KeySetup::Generated(k) => Some(k.expose().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(generated.len(), 1, "exactly one process generated the key");
    let http = reqwest::Client::new();
    for s in servers {
        let r = http
            .get(format!("{}/v1/usage", s.base_url()))
            .bearer_auth(&generated[0])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status().as_u16(),
            200,
            "the generated key works on every process"
        );
        s.shutdown().await;
    }
}

async fn open(dir: &TempDir) -> Store {
    let data = svara_server::config::parse_database_url(&dir.db_url(), Some(&dir.0)).unwrap();
    Store::open(&data, false).await.unwrap()
}

fn job(id: &str, page: &str) -> NewJob {
    NewJob {
        id: id.to_owned(),
        key_id: "key_test".into(),
        mode: "live",
        platform: "messenger".into(),
        recipient: "6128493027184956".into(),
        page_key: page.to_owned(),
        audio_id: None,
        request: "{}".into(),
        secrets: vec![1, 2, 3],
        webhook_url: None,
        created_at: 1,
    }
}

async fn insert(store: &Store, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let j = job(
            &svara_server::ids::new_id("msg", 1 + i as i64),
            &format!("pg_{}", i % 7),
        );
        ids.push(j.id.clone());
        store
            .write(Box::new(move |c| {
                Box::pin(async move { jobs::accept(c, j, None, String::new()).await })
            }))
            .await
            .unwrap();
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_of_four_processes_never_overlap() {
    let dir = TempDir::on(Db::Postgres, "claims").await;
    let stores = [
        open(&dir).await,
        open(&dir).await,
        open(&dir).await,
        open(&dir).await,
    ];
    let all = insert(&stores[0], 300).await;
    let mut tasks = Vec::new();
    for (i, store) in stores.iter().cloned().enumerate() {
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let req = ClaimRequest {
                    owner: format!("wkr_{i}"),
                    now: store.now_ms(),
                    lease_until: store.now_ms() + 60_000,
                    limit: 7,
                    per_page: 100,
                    busy: HashMap::new(),
                    skip_locked: store.skip_locked(),
                };
                let got = store
                    .write_now(Box::new(move |c| Box::pin(jobs::claim(c, req))))
                    .await
                    .unwrap();
                if got.is_empty() {
                    break;
                }
                mine.extend(got.into_iter().map(|j| j.id));
            }
            mine
        }));
    }
    let mut seen = HashSet::new();
    let mut per_process = Vec::new();
    for t in tasks {
        let mine = t.await.unwrap();
        per_process.push(mine.len());
        for id in mine {
            assert!(seen.insert(id), "a job was claimed twice");
        }
    }
    assert_eq!(
        seen.len(),
        all.len(),
        "every job was claimed: {per_process:?}"
    );
    assert!(
        per_process.iter().filter(|n| **n > 0).count() >= 2,
        "{per_process:?}"
    );
    for s in stores {
        s.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweeper_rechecks_the_state_it_read() {
    use sqlx::Connection;
    let dir = TempDir::on(Db::Postgres, "sweep").await;
    let store = open(&dir).await;
    let ids = insert(&store, 3).await;
    // Claim all three with a lease that has already expired, past their point of no return.
    let req = ClaimRequest {
        owner: "wkr_dead".into(),
        now: store.now_ms(),
        lease_until: store.now_ms() - 1,
        limit: 3,
        per_page: 10,
        busy: HashMap::new(),
        skip_locked: store.skip_locked(),
    };
    let claimed = store
        .write(Box::new(move |c| Box::pin(jobs::claim(c, req))))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    for j in &claimed {
        let (id, attempt) = (j.id.clone(), j.attempt);
        assert!(store
            .write(Box::new(move |c| Box::pin(async move {
                jobs::mark_request_written(c, &id, "wkr_dead", attempt, 5, None).await
            })))
            .await
            .unwrap());
    }
    // The slow worker's answer for ids[0] is being recorded (uncommitted) when a sweep runs.
    let mut late = sqlx::PgConnection::connect(&dir.db_url()).await.unwrap();
    let mut tx = late.begin().await.unwrap();
    sqlx::query(
        "UPDATE jobs SET status = 'sent', phase = NULL, message_id = 'm_late', lease_owner = NULL \
         WHERE id = $1 AND status = 'sending'",
    )
    .bind(&ids[0])
    .execute(&mut *tx)
    .await
    .unwrap();
    let sweeper = store.clone();
    let sweep = tokio::spawn(async move {
        let now = sweeper.now_ms();
        sweeper
            .write_now(Box::new(move |c| {
                Box::pin(async move { jobs::sweep(c, now, true, "{}").await })
            }))
            .await
            .unwrap()
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !sweep.is_finished(),
        "the sweep waits for the row the answer holds"
    );
    tx.commit().await.unwrap();
    let swept = sweep.await.unwrap();
    let failed: HashSet<String> = swept.failed.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(failed, ids[1..].iter().cloned().collect::<HashSet<_>>());
    assert!(swept.requeued.is_empty(), "written jobs are never requeued");
    let rows = query_db(&dir, "SELECT id, status FROM jobs ORDER BY id", |r| {
        (
            sqlx::Row::get::<String, _>(r, 0),
            sqlx::Row::get::<String, _>(r, 1),
        )
    })
    .await;
    let status: HashMap<String, String> = rows.into_iter().collect();
    assert_eq!(
        status[&ids[0]], "sent",
        "the late answer was not overwritten"
    );
    assert_eq!(status[&ids[1]], "failed");
    store.close().await;
}

async fn crash_rule_of_the_sweep(db: Db) {
    let dir = TempDir::on(db, "rule").await;
    let store = open(&dir).await;
    let ids = insert(&store, 4).await;
    let now = store.now_ms();
    let claim = |owner: &str, until: i64, limit: usize| ClaimRequest {
        owner: owner.to_owned(),
        now,
        lease_until: until,
        limit,
        per_page: 10,
        busy: HashMap::new(),
        skip_locked: store.skip_locked(),
    };
    // Two expired leases (one claimed, one written) and two live ones (one claimed, one written).
    let mut held = Vec::new();
    for (owner, until) in [("wkr_dead", now - 10), ("wkr_live", now + 60_000)] {
        let req = claim(owner, until, 2);
        let got = store
            .write(Box::new(move |c| Box::pin(jobs::claim(c, req))))
            .await
            .unwrap();
        assert_eq!(got.len(), 2);
        let (id, attempt, o) = (got[1].id.clone(), got[1].attempt, owner.to_owned());
        store
            .write(Box::new(move |c| {
                Box::pin(
                    async move { jobs::mark_request_written(c, &id, &o, attempt, now, None).await },
                )
            }))
            .await
            .unwrap();
        held.push(got);
    }
    let swept = store
        .write(Box::new(move |c| {
            Box::pin(async move { jobs::sweep(c, now, true, "{\"code\":\"network_error\"}").await })
        }))
        .await
        .unwrap();
    assert_eq!(
        swept.requeued,
        [held[0][0].id.clone()],
        "claimed, expired: back to the queue"
    );
    assert_eq!(
        swept.failed,
        [(held[0][1].id.clone(), "messenger".to_owned())],
        "written, expired: failed, never sent again"
    );
    let rows = query_db(&dir, "SELECT id, status, phase FROM jobs", |r| {
        (
            sqlx::Row::get::<String, _>(r, 0),
            sqlx::Row::get::<String, _>(r, 1),
            sqlx::Row::get::<Option<String>, _>(r, 2),
        )
    })
    .await;
    let by_id: HashMap<String, (String, Option<String>)> =
        rows.into_iter().map(|(i, s, p)| (i, (s, p))).collect();
    assert_eq!(
        by_id[&held[1][0].id].0, "sending",
        "a live lease is left alone"
    );
    assert_eq!(by_id[&held[1][1].id].1.as_deref(), Some("request_written"));
    assert_eq!(ids.len(), 4);
    // The failure's event is recorded with it.
    let events = query_db(&dir, "SELECT job_id, type FROM events", |r| {
        (
            sqlx::Row::get::<String, _>(r, 0),
            sqlx::Row::get::<String, _>(r, 1),
        )
    })
    .await;
    assert_eq!(
        events,
        [(held[0][1].id.clone(), "voice_note.failed".to_owned())]
    );
    store.close().await;
}
both_backends!(crash_rule_of_the_sweep);

async fn pacing_slots_and_pauses_hold_across_processes(db: Db) {
    let dir = TempDir::on(db, "pace").await;
    let one = open(&dir).await;
    // Two pacers over one database (SQLite: one store; PostgreSQL: two, like two processes).
    let two = if db == Db::Postgres {
        open(&dir).await
    } else {
        one.clone()
    };
    let (p1, p2) = (Pacer::new(one.clone(), 10.0), Pacer::new(two.clone(), 10.0));
    let page = "messenger:live:page:104857600123456";
    let mut slots = Vec::new();
    for i in 0..20 {
        let p = if i % 2 == 0 { &p1 } else { &p2 };
        slots.push(p.reserve(page).await.unwrap());
    }
    for w in slots.windows(2) {
        assert_eq!(
            w[1] - w[0],
            100,
            "one slot every 100 ms over both: {slots:?}"
        );
    }
    // A 613 seen by one process pauses the Page for the other.
    p1.pause(page, Duration::from_millis(1500)).await.unwrap();
    let after = p2.reserve(page).await.unwrap();
    assert!(after >= one.now_ms() + 1400, "{after}");
    // Another Page is not held back.
    let other = p2.reserve("messenger:live:page:2").await.unwrap();
    assert!(other <= two.now_ms() + 5);
    one.close().await;
    two.close().await;
}
both_backends!(pacing_slots_and_pauses_hold_across_processes);
