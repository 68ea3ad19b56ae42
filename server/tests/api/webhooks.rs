//! Outbound webhooks: endpoints through the API (secret shown once, per key), events of a
//! note's life reaching a local receiver signed (checked with `svara::webhooks::verify`) and in
//! order; a receiver failing 3 times then succeeding gets each event once per attempt series,
//! with every attempt recorded on the schedule; the per-request `webhook_url`; rotation;
//! outbound safety (no redirects, a bounded read, a timeout, private addresses refused).

use crate::support::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn quick_schedule(c: &mut svara_server::ServerConfig) {
    c.webhooks.schedule = vec![
        Duration::from_millis(300),
        Duration::from_millis(600),
        Duration::from_millis(900),
    ];
    c.webhooks.poll_interval = Duration::from_millis(50);
}

async fn create(t: &TestServer, key: &str, body: Value) -> (u16, Value) {
    t.post("/v1/webhooks", Some(key), &body).await
}

async fn endpoints_are_managed_per_key_and_validated(db: Db) {
    let other = "sk_test_otherWebhookKeyHHHHHHHHHHHHH";
    let live = "sk_live_webhookLiveKeyJJJJJJJJJJJJJJ";
    let t = TestServer::start_on(db, |c| {
        c.api_keys = vec![
            secret("sk_test_webhookTestKeyKKKKKKKKKKKKKK"),
            secret(other),
            secret(live),
        ];
        c.webhooks.max_endpoints_per_key = 2;
    })
    .await;
    let key = t.key.clone();
    let (code, made) = create(
        &t,
        &key,
        json!({"url": "https://example.com/hook?token=abc", "events": ["voice_note.sent", "voice_note.read"], "description": "crm"}),
    )
    .await;
    assert_eq!(code, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    let secret = made["secret"].as_str().unwrap().to_owned();
    assert!(
        id.starts_with("we_") && secret.starts_with("whsec_"),
        "{made}"
    );
    assert_eq!(
        made["events"],
        json!(["voice_note.sent", "voice_note.read"])
    );
    // Shown once: never in a listing or a read.
    let (_, list) = t.get("/v1/webhooks", Some(&key)).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains(&secret));
    let (code, one) = t.get(&format!("/v1/webhooks/{id}"), Some(&key)).await;
    assert_eq!(code, 200);
    assert!(one.get("secret").is_none(), "{one}");
    // Another key sees nothing of it.
    let (code, _) = t.get(&format!("/v1/webhooks/{id}"), Some(other)).await;
    assert_eq!(code, 404);
    let (_, list) = t.get("/v1/webhooks", Some(other)).await;
    assert_eq!(list["data"], json!([]));
    let r = t
        .http
        .delete(format!("{}/v1/webhooks/{id}", t.url))
        .bearer_auth(other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // Refused URLs and events, each naming what to fix.
    for (body, param) in [
        (json!({"url": "ftp://example.com/hook"}), "url"),
        (json!({"url": "https://user:pw@example.com/hook"}), "url"),
        (json!({"url": "http://169.254.169.254/latest"}), "url"),
        (json!({"url": "http://10.1.2.3/hook"}), "url"),
        (
            json!({"url": "https://example.com/h", "events": ["voice_note.heard"]}),
            "events",
        ),
        (
            json!({"url": "https://example.com/h", "events": []}),
            "events",
        ),
    ] {
        let (code, v) = create(&t, &key, body.clone()).await;
        assert_eq!(code, 400, "{body} -> {v}");
        assert_eq!(v["error"]["details"]["param"], param, "{v}");
    }
    let (code, v) = create(
        &t,
        &key,
        json!({"url": "https://example.com/h", "extra": 1}),
    )
    .await;
    assert_eq!(code, 400, "{v}");
    // Test keys may reach loopback (a receiver on the developer's machine); live keys may not.
    let (code, v) = create(&t, &key, json!({"url": "http://127.0.0.1:9/hook"})).await;
    assert_eq!(code, 201, "{v}");
    let (code, v) = create(&t, live, json!({"url": "http://127.0.0.1:9/hook"})).await;
    assert_eq!(code, 400, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("loopback"),
        "{v}"
    );
    // At most 2 per key here.
    let (code, v) = create(&t, &key, json!({"url": "https://example.com/3"})).await;
    assert_eq!(code, 422, "{v}");

    let r = t
        .http
        .delete(format!("{}/v1/webhooks/{id}", t.url))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["deleted"], true);
    let (_, list) = t.get("/v1/webhooks", Some(&key)).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    t.stop().await;
}
both_backends!(endpoints_are_managed_per_key_and_validated);

async fn a_notes_life_reaches_the_receiver_signed_and_in_order(db: Db) {
    let rx = Receiver::start().await;
    let t = TestServer::start_on(db, |c| {
        quick_schedule(c);
        c.test_receipts.delivery_delay = Some(Duration::from_millis(100));
    })
    .await;
    let (code, made) = create(&t, &t.key, json!({"url": rx.url})).await;
    assert_eq!(code, 201, "{made}");
    let secret = made["secret"].as_str().unwrap().to_owned();
    let psid = new_psid();
    let (code, v) = t.send(&t.body(&psid, "speech-aac.m4a")).await;
    assert_eq!(code, 202, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    let delivered = wait_status(&t, &id, "delivered", Duration::from_secs(20)).await;
    assert!(delivered["delivered_at"].is_string(), "{delivered}");
    assert!(delivered["read_at"].is_null());
    // The person reads it: the emulator posts message_reads, like Meta.
    assert!(t.emulator().mark_read(&psid));
    let read = wait_status(&t, &id, "read", Duration::from_secs(20)).await;
    assert!(
        read["read_at"].is_string() && read["delivered_at"].is_string(),
        "{read}"
    );
    rx.wait_ok(3, Duration::from_secs(20)).await;
    let events = rx.verified(&secret);
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        ["voice_note.sent", "voice_note.delivered", "voice_note.read"],
        "in the order of the note's life"
    );
    for (kind, body) in &events {
        assert!(body["id"].as_str().unwrap().starts_with("evt_"));
        assert!(body["created_at"].as_str().unwrap().ends_with('Z'));
        assert_eq!(body["data"]["id"], id.as_str());
        assert_eq!(
            body["data"]["status"],
            kind.trim_start_matches("voice_note."),
            "data is the status object at that moment: {body}"
        );
    }
    assert_eq!(events[0].1["data"]["message_id"], read["message_id"]);
    // Each event went exactly once (the receiver answered 200 every time).
    assert_eq!(rx.received().len(), 3);
    let r = &rx.received()[0];
    assert_eq!(r.headers["content-type"], "application/json");
    assert!(r.headers["user-agent"]
        .to_str()
        .unwrap()
        .starts_with("Svara-Webhooks/"));
    t.stop().await;
}
both_backends!(a_notes_life_reaches_the_receiver_signed_and_in_order);

async fn a_receiver_failing_three_times_gets_each_event_once_per_series(db: Db) {
    let rx = Receiver::start().await;
    rx.answer([Reply::Status(500), Reply::Status(503), Reply::Status(404)]);
    let t = TestServer::start_on(db, |c| {
        quick_schedule(c);
        c.test_receipts.delivery_delay = Some(Duration::from_millis(50));
    })
    .await;
    let (_, made) = create(&t, &t.key, json!({"url": rx.url})).await;
    let (eid, secret) = (
        made["id"].as_str().unwrap().to_owned(),
        made["secret"].as_str().unwrap().to_owned(),
    );
    let (_, v) = t.send(&t.body(&new_psid(), "speech-aac.m4a")).await;
    let id = v["id"].as_str().unwrap().to_owned();
    wait_status(&t, &id, "delivered", Duration::from_secs(20)).await;
    rx.wait_ok(2, Duration::from_secs(20)).await;
    let got = rx.received();
    let statuses: Vec<u16> = got.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [500, 503, 404, 200, 200], "{statuses:?}");
    let ids: Vec<String> = got
        .iter()
        .map(|r| r.headers["svara-event-id"].to_str().unwrap().to_owned())
        .collect();
    assert!(
        ids[..4].iter().all(|i| i == &ids[0]),
        "one event retried: {ids:?}"
    );
    assert_ne!(ids[4], ids[0]);
    // The delivered event waited for the sent one: order of the note's life, each verified once.
    let events = rx.verified(&secret);
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["voice_note.sent", "voice_note.delivered"]);
    // The gaps follow the schedule (300, 600, 900 ms, ±20 %).
    for (i, want) in [300u64, 600, 900].iter().enumerate() {
        let gap = got[i + 1].at.duration_since(got[i].at);
        assert!(
            gap >= Duration::from_millis(want * 8 / 10)
                && gap < Duration::from_millis(want * 12 / 10 + 700),
            "gap {i}: {gap:?} for {want} ms"
        );
    }
    // Every attempt is recorded.
    let (code, list) = t
        .get(&format!("/v1/webhooks/{eid}/deliveries"), Some(&t.key))
        .await;
    assert_eq!(code, 200, "{list}");
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "{list}");
    let sent = data
        .iter()
        .find(|d| d["event"] == "voice_note.sent")
        .unwrap();
    assert_eq!(sent["status"], "delivered");
    assert_eq!(sent["message_id"], id.as_str());
    let codes: Vec<i64> = sent["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 503, 404, 200]);
    assert_eq!(sent["attempts"][0]["error"], "HTTP 500");
    assert!(sent["attempts"][3]["error"].is_null());
    // Paging.
    let (_, page) = t
        .get(
            &format!("/v1/webhooks/{eid}/deliveries?limit=1"),
            Some(&t.key),
        )
        .await;
    assert_eq!(page["has_more"], true);
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, next) = t
        .get(
            &format!("/v1/webhooks/{eid}/deliveries?limit=1&cursor={cursor}"),
            Some(&t.key),
        )
        .await;
    assert_eq!(next["data"].as_array().unwrap().len(), 1);
    assert_ne!(next["data"][0]["id"], page["data"][0]["id"]);
    let metrics = t
        .http
        .get(format!("{}/metrics", t.url))
        .send()
        .await
        .unwrap();
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains(r#"svara_webhook_deliveries_total{outcome="retry"} 3"#),
        "{text}"
    );
    t.stop().await;
}
both_backends!(a_receiver_failing_three_times_gets_each_event_once_per_series);

async fn per_request_webhook_url_and_rotation(db: Db) {
    let rx = Receiver::start().await;
    let hook = Receiver::start().await;
    let t = TestServer::start_on(db, quick_schedule).await;
    // The note's own webhook_url, signed with the key's request secret.
    let (code, rs) = t.get("/v1/webhooks/request-secret", Some(&t.key)).await;
    assert_eq!(code, 200);
    let request_secret = rs["secret"].as_str().unwrap().to_owned();
    let mut body = t.body(&new_psid(), "speech-aac.m4a");
    body["webhook_url"] = json!(format!("{}?token=receiver-token", hook.url));
    let (code, v) = t.send(&body).await;
    assert_eq!(code, 202, "{v}");
    hook.wait_ok(1, Duration::from_secs(20)).await;
    let events = hook.verified(&request_secret);
    assert_eq!(events[0].0, "voice_note.sent");
    assert_eq!(events[0].1["data"]["id"], v["id"]);
    let status = t.status(v["id"].as_str().unwrap()).await;
    assert!(!status.to_string().contains("receiver-token"), "{status}");
    // A refused webhook_url is a 400 of the send itself.
    let mut bad = t.body(&new_psid(), "speech-aac.m4a");
    bad["webhook_url"] = json!("http://10.9.9.9/hook");
    let (code, e) = t.send(&bad).await;
    assert_eq!(code, 400, "{e}");
    assert_eq!(e["error"]["details"]["param"], "webhook_url");

    // Rotation: the new secret is shown once, and during the grace both sign (two v1=).
    let (_, made) = create(
        &t,
        &t.key,
        json!({"url": rx.url, "events": ["voice_note.sent"]}),
    )
    .await;
    let (eid, old) = (
        made["id"].as_str().unwrap().to_owned(),
        made["secret"].as_str().unwrap().to_owned(),
    );
    let (code, rotated) = t
        .post(
            &format!("/v1/webhooks/{eid}/rotate"),
            Some(&t.key),
            &json!({}),
        )
        .await;
    assert_eq!(code, 200, "{rotated}");
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(rotated["previous_secret_expires_at"].is_string());
    let (_, v) = t.send(&t.body(&new_psid(), "speech-aac.m4a")).await;
    rx.wait_ok(1, Duration::from_secs(20)).await;
    assert_eq!(rx.verified(&new)[0].1["data"]["id"], v["id"]);
    assert_eq!(rx.verified(&old)[0].1["data"]["id"], v["id"]);
    let header = rx.received()[0].headers["svara-signature"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(header.matches("v1=").count(), 2, "{header}");
    t.stop().await;
}
both_backends!(per_request_webhook_url_and_rotation);

async fn outbound_requests_are_bounded_and_guarded(db: Db) {
    let rx = Receiver::start().await;
    rx.answer([
        Reply::Redirect("http://127.0.0.1:9/elsewhere".into()),
        Reply::Big(200_000),
    ]);
    let live = "sk_live_webhookGuardKeyLLLLLLLLLLLLL";
    let meta = meta_any().await;
    let graph = meta.base_url();
    // A trap on loopback: a live key's webhook named `localhost` must never connect to it.
    let trap = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let trap_port = trap.local_addr().unwrap().port();
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = connections.clone();
    let trap_task = tokio::spawn(async move {
        while trap.accept().await.is_ok() {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let t = TestServer::start_on(db, |c| {
        quick_schedule(c);
        c.webhooks.timeout = Duration::from_millis(700);
        c.api_keys = vec![secret("sk_test_webhookGuardTestMMMMMMMMMMMM"), secret(live)];
        c.live_graph_url = graph.clone();
    })
    .await;
    let (_, made) = create(
        &t,
        &t.key,
        json!({"url": rx.url, "events": ["voice_note.sent"]}),
    )
    .await;
    let eid = made["id"].as_str().unwrap().to_owned();
    let (code, guarded) = create(
        &t,
        live,
        json!({"url": format!("http://localhost:{trap_port}/hook")}),
    )
    .await;
    assert_eq!(
        code, 201,
        "a name is checked where the connection is made: {guarded}"
    );
    let gid = guarded["id"].as_str().unwrap().to_owned();
    let (_, v) = t.send(&t.body(&new_psid(), "speech-aac.m4a")).await;
    let mut lb = t.body(&new_psid(), "speech-aac.m4a");
    lb["session"]["page_access_token"] = json!("EAAwebhookGuardLivePage");
    let (code, lv) = t.post("/v1/send", Some(live), &lb).await;
    assert_eq!(code, 202, "{lv}");
    rx.wait_ok(1, Duration::from_secs(20)).await;
    let start = Instant::now();
    let attempts = loop {
        let (_, list) = t
            .get(&format!("/v1/webhooks/{eid}/deliveries"), Some(&t.key))
            .await;
        if list["data"][0]["status"] == "delivered" {
            assert_eq!(list["data"][0]["message_id"], v["id"]);
            break list["data"][0]["attempts"].clone();
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // The redirect was not followed (nothing listens at its target anyway) but recorded...
    assert_eq!(attempts[0]["status_code"], 302);
    let e0 = attempts[0]["error"].as_str().unwrap();
    assert!(e0.contains("redirects are not followed"), "{attempts}");
    // ...and a 200 with a huge body delivered the event, only 4 KiB of the answer kept.
    assert_eq!(attempts[1]["status_code"], 200, "{attempts}");
    assert_eq!(attempts[1]["response"].as_str().unwrap().len(), 4096);
    assert_eq!(rx.received().len(), 2);
    let (_, gl) = t
        .get(&format!("/v1/webhooks/{gid}/deliveries"), Some(live))
        .await;
    let start = Instant::now();
    let gl = loop {
        let (_, gl2) = t
            .get(&format!("/v1/webhooks/{gid}/deliveries"), Some(live))
            .await;
        if gl2["data"][0]["attempts"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            break gl2;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{gl}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let gerr = gl["data"][0]["attempts"][0]["error"].as_str().unwrap();
    assert!(gerr.contains("loopback"), "{gerr}");
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no connection was made to the refused address"
    );
    trap_task.abort();
    t.stop().await;
}
both_backends!(outbound_requests_are_bounded_and_guarded);

async fn a_timeout_is_retried(db: Db) {
    let rx = Receiver::start().await;
    rx.answer([Reply::Sleep(Duration::from_millis(1500))]);
    let t = TestServer::start_on(db, |c| {
        quick_schedule(c);
        c.webhooks.timeout = Duration::from_millis(500);
    })
    .await;
    let (_, made) = create(&t, &t.key, json!({"url": rx.url})).await;
    let (eid, secret) = (
        made["id"].as_str().unwrap().to_owned(),
        made["secret"].as_str().unwrap().to_owned(),
    );
    t.send(&t.body(&new_psid(), "speech-aac.m4a")).await;
    // The first answer comes too late (recorded by the receiver as 200 after its sleep), the
    // second in time: at least once, and the receiver de-duplicates on Svara-Event-Id.
    let start = Instant::now();
    loop {
        let (_, list) = t
            .get(&format!("/v1/webhooks/{eid}/deliveries"), Some(&t.key))
            .await;
        if list["data"][0]["status"] == "delivered" {
            let a = &list["data"][0]["attempts"];
            assert!(a[0]["error"].as_str().unwrap().contains("timed out"), "{a}");
            assert_eq!(a[1]["status_code"], 200);
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let events = rx.verified(&secret);
    assert!(events.iter().all(|(k, _)| k == "voice_note.sent"));
    t.stop().await;
}
both_backends!(a_timeout_is_retried);
