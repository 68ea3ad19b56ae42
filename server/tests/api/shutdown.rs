//! Graceful shutdown: the server stops taking work, lets what is in flight finish, and puts the
//! notes it had not started sending back in the queue (not failed), so the next start sends
//! each of them exactly once.

use crate::support::*;
use serde_json::json;
use sqlx::Row;
use std::time::{Duration, Instant};

const LIVE: &str = "sk_live_shutdownTestKeyGGGGGGGGGGGGG";

async fn statuses(dir: &TempDir) -> Vec<(String, String)> {
    query_db(dir, "SELECT id, status FROM jobs ORDER BY id", |r| {
        (r.get(0), r.get(1))
    })
    .await
}

async fn graceful_shutdown_finishes_in_flight_and_requeues_the_rest(db: Db) {
    let meta = meta_any().await;
    let graph = meta.base_url();
    // One Page paced at 2 calls a second: 8 notes take about 4 s.
    let mut t = TestServer::start_on(db, |c| {
        c.api_keys = vec![secret(LIVE)];
        c.live_graph_url = graph.clone();
        c.worker.sends_per_second = 2.0;
    })
    .await;
    let mut ids = Vec::new();
    for _ in 0..8 {
        let mut b = t.body(&new_psid(), "speech-aac.m4a");
        b["session"]["page_access_token"] = json!("EAAshutdownPage");
        let (code, v) = t.post("/v1/send", Some(LIVE), &b).await;
        assert_eq!(code, 202);
        ids.push((v["id"].as_str().unwrap().to_owned(), b["recipient"].clone()));
    }
    let start = Instant::now();
    while meta.snapshot().delivered < 2 {
        assert!(start.elapsed() < Duration::from_secs(20));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    t.shutdown_server().await;
    let after = statuses(&t.dir).await;
    let delivered = meta.snapshot().delivered as usize;
    let sent = after.iter().filter(|(_, s)| s == "sent").count();
    let queued = after.iter().filter(|(_, s)| s == "queued").count();
    assert_eq!(
        sent, delivered,
        "every delivered note is recorded sent: {after:?}"
    );
    assert_eq!(
        sent + queued,
        8,
        "nothing failed or left sending: {after:?}"
    );
    assert!(
        queued >= 3,
        "the notes not started went back to the queue: {after:?}"
    );

    let t = t
        .restart_with(|c| {
            c.api_keys = vec![secret(LIVE)];
            c.live_graph_url = graph.clone();
        })
        .await;
    for (id, psid) in &ids {
        let s = wait_final(&t.http, &t.url, LIVE, id, Duration::from_secs(30)).await;
        assert_eq!(s["status"], "sent", "{s}");
        let got = meta.snapshot();
        assert_eq!(
            got.messages_for(psid.as_str().unwrap()).len(),
            1,
            "exactly once"
        );
    }
    t.stop().await;
}
both_backends!(graceful_shutdown_finishes_in_flight_and_requeues_the_rest);
