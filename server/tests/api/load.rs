//! A bounded load test: 2,000 requests from 50 concurrent clients, a tenth of them retries
//! with an `Idempotency-Key` already used. Every 202 is exactly one job (a retry is the same
//! job), none is lost, none is doubled.

use crate::support::*;
use serde_json::Value;
use sqlx::Row;
use std::collections::HashMap;
use std::time::{Duration, Instant};

async fn two_thousand_requests_from_fifty_clients_are_exactly_their_jobs(db: Db) {
    let t = TestServer::start_on(db, |c| c.worker.enabled = false).await;
    let clients = 50;
    let per_client = 40;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, url, key) = (t.http.clone(), t.url.clone(), t.key.clone());
        let body = t.body(PSID, "speech-aac.m4a");
        tasks.push(tokio::spawn(async move {
            let mut got: Vec<(String, String, bool)> = Vec::new();
            for i in 0..per_client {
                // Every tenth request repeats this client's previous idempotency key.
                let n = if i % 10 == 9 { i - 1 } else { i };
                let idem = format!("client-{c}-req-{n}");
                let mut b = body.clone();
                b["recipient"] = Value::String(format!("6128{c:04}{n:08}"));
                let r = http
                    .post(format!("{url}/v1/send"))
                    .bearer_auth(&key)
                    .header("Idempotency-Key", &idem)
                    .json(&b)
                    .send()
                    .await
                    .expect("request");
                assert_eq!(r.status().as_u16(), 202);
                let replayed = r.headers().contains_key("idempotent-replayed");
                let v: Value = r.json().await.unwrap();
                got.push((idem, v["id"].as_str().unwrap().to_owned(), replayed));
            }
            got
        }));
    }
    let mut by_idem: HashMap<String, String> = HashMap::new();
    let (mut accepted, mut replays) = (0, 0);
    for task in tasks {
        for (idem, id, replayed) in task.await.unwrap() {
            accepted += 1;
            if replayed {
                replays += 1;
                assert_eq!(by_idem.get(&idem), Some(&id), "a retry is the same job");
            } else {
                assert!(by_idem.insert(idem, id).is_none(), "a new key is a new job");
            }
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(accepted, clients * per_client);
    assert_eq!(replays, clients * (per_client / 10));
    let distinct = by_idem.len();
    assert_eq!(distinct, clients * per_client * 9 / 10);

    let (_, usage) = t.get("/v1/usage", Some(&t.key)).await;
    assert_eq!(usage["all_time"]["total"], distinct as i64);
    assert_eq!(usage["all_time"]["queued"], distinct as i64);
    // And in the database itself: exactly those ids, once each.
    let mut t = t;
    t.shutdown_server().await;
    let mut in_db: Vec<String> =
        query_db(&t.dir, "SELECT id FROM jobs", |r| r.get::<String, _>(0)).await;
    in_db.sort();
    let mut answered: Vec<String> = by_idem.into_values().collect();
    answered.sort();
    assert_eq!(in_db, answered);
    println!(
        "load test: {accepted} requests from {clients} clients in {:.2} s ({:.0}/s), {distinct} jobs, {replays} replays",
        elapsed.as_secs_f64(),
        accepted as f64 / elapsed.as_secs_f64()
    );
    assert!(elapsed < Duration::from_secs(120));
}
both_backends!(two_thousand_requests_from_fifty_clients_are_exactly_their_jobs);
