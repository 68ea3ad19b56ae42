//! Messenger receipts, with our emulator standing in for Meta (live key, `SVARA_GRAPH_URL`) and
//! posting signed `message_deliveries` / `message_reads` to the server's `/webhooks/messenger`
//! exactly as Meta would: statuses move sent -> delivered -> read (by `mids`, and by watermark
//! alone), `delivered_at`/`read_at` appear on `/v1/status`, and the events reach a webhook; a
//! forged or unsigned event is refused with 401 and changes nothing; the verification
//! handshake answers the challenge only for the right token. WhatsApp's message statuses take
//! the same path through `/webhooks/whatsapp`, by `wamid`.

use crate::support::*;
use serde_json::{json, Value};
use std::time::Duration;
use svara_emulator::{hub_signature, instagram, whatsapp, EmulatorConfig, WebhookConfig};

const LIVE: &str = "sk_live_receiptsTestKeyNNNNNNNNNNNNN";
const APP_SECRET: &str = "meta-app-secret-for-receipts";
const VERIFY_TOKEN: &str = "verify-token-of-the-dashboard";

const MESSENGER_HOOK: &str = "/webhooks/messenger";
const WHATSAPP_HOOK: &str = "/webhooks/whatsapp";

/// Posts `body` to the server's `path` as Meta does, with `signature` as X-Hub-Signature-256.
async fn post_webhook(
    t: &TestServer,
    path: &str,
    body: String,
    signature: Option<String>,
) -> reqwest::Response {
    let mut r = t
        .http
        .post(format!("{}{path}", t.url))
        .header("content-type", "application/json")
        .body(body);
    if let Some(s) = signature {
        r = r.header("x-hub-signature-256", s);
    }
    r.send().await.unwrap()
}

/// Posts `body` signed with the app secret twice (Meta retries): both are taken.
async fn post_signed_twice(t: &TestServer, path: &str, body: &str) {
    for _ in 0..2 {
        let sig = hub_signature(APP_SECRET, body.as_bytes());
        let r = post_webhook(t, path, body.to_owned(), Some(sig)).await;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.text().await.unwrap(), "EVENT_RECEIVED");
    }
}

/// `GET /metrics` (open: no token configured).
async fn metrics_text(t: &TestServer) -> String {
    let r = t.http.get(format!("{}/metrics", t.url)).send().await;
    r.unwrap().text().await.unwrap()
}

/// A webhook receiver subscribed to the live key's events, and its signing secret.
async fn subscribed(t: &TestServer) -> (Receiver, String) {
    let rx = Receiver::start().await;
    let (code, made) = t
        .post("/v1/webhooks", Some(LIVE), &json!({"url": rx.url}))
        .await;
    assert_eq!(code, 201, "{made}");
    let secret = made["secret"].as_str().unwrap().to_owned();
    (rx, secret)
}

struct Setup {
    t: TestServer,
    meta: svara_emulator::Emulator,
}

async fn setup(db: Db, include_mids: bool) -> Setup {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let own = listener.local_addr().unwrap();
    let meta = meta(EmulatorConfig {
        accept_any_psid: true,
        accept_any_token: true,
        webhooks: Some(WebhookConfig {
            url: format!("http://{own}/webhooks/messenger"),
            whatsapp_url: Some(format!("http://{own}/webhooks/whatsapp")),
            app_secret: Some(APP_SECRET.into()),
            delivery_delay: Some(svara_emulator::HumanDuration::millis(100)),
            include_mids,
            ..WebhookConfig::default()
        }),
        ..EmulatorConfig::default()
    })
    .await;
    let graph = meta.base_url();
    let t = TestServer::start_listening(db, listener, |c| {
        c.api_keys = vec![secret(LIVE)];
        c.live_graph_url = graph.clone();
        c.messenger.app_secret = Some(secret(APP_SECRET));
        c.messenger.verify_token = Some(secret(VERIFY_TOKEN));
        c.whatsapp.app_secret = Some(secret(APP_SECRET));
        c.whatsapp.verify_token = Some(secret(VERIFY_TOKEN));
        c.webhooks.poll_interval = Duration::from_millis(50);
        // The receiver of these tests is on loopback (--allow-private-urls).
        c.webhooks.allow_private = true;
    })
    .await;
    Setup { t, meta }
}

async fn status(t: &TestServer, id: &str) -> Value {
    t.get(&format!("/v1/status/{id}"), Some(LIVE)).await.1
}

async fn wait(t: &TestServer, id: &str, want: &str) -> Value {
    let start = std::time::Instant::now();
    loop {
        let v = status(t, id).await;
        if v["status"] == want {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{id}: {} (want {want})",
            v["status"]
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn send(t: &TestServer, psid: &str) -> String {
    let mut b = t.body(psid, "speech-aac.m4a");
    b["session"]["page_access_token"] = json!("EAAreceiptsTestPage");
    let (code, v) = t.post("/v1/send", Some(LIVE), &b).await;
    assert_eq!(code, 202, "{v}");
    v["id"].as_str().unwrap().to_owned()
}

async fn receipts_from_meta_move_notes_to_delivered_then_read(db: Db) {
    let Setup { t, meta } = setup(db, true).await;
    let (rx, secret) = subscribed(&t).await;
    let psid = new_psid();
    let first = send(&t, &psid).await;
    let d = wait(&t, &first, "delivered").await;
    assert!(
        d["delivered_at"].is_string() && d["read_at"].is_null(),
        "{d}"
    );
    let second = send(&t, &psid).await;
    wait(&t, &second, "delivered").await;
    // Meta's delivery named the note by its mid.
    let posts = meta.webhook_posts();
    assert!(posts.iter().all(|p| p.delivered), "{posts:?}");
    assert_eq!(
        posts[0].mids,
        [status(&t, &first).await["message_id"].as_str().unwrap()]
    );
    // The person reads: both notes (every one before the watermark) are read.
    assert!(meta.mark_read(&psid));
    let r1 = wait(&t, &first, "read").await;
    let r2 = wait(&t, &second, "read").await;
    assert!(r1["read_at"].is_string() && r2["read_at"].is_string());
    assert!(r1["delivered_at"].is_string());
    // The whole loop: send -> delivered -> read -> the key's webhook, per note in order.
    rx.wait_ok(6, Duration::from_secs(20)).await;
    let events = rx.verified(&secret);
    for note in [&first, &second] {
        let life: Vec<&str> = events
            .iter()
            .filter(|(_, b)| b["data"]["id"] == note.as_str())
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(
            life,
            ["voice_note.sent", "voice_note.delivered", "voice_note.read"]
        );
    }
    // Another person's note is untouched by this person's read.
    let other = new_psid();
    let third = send(&t, &other).await;
    wait(&t, &third, "delivered").await;
    meta.mark_read(&psid);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(status(&t, &third).await["status"], "delivered");
    let metrics = metrics_text(&t).await;
    assert!(
        metrics.contains(r#"svara_receipts_total{platform="messenger",kind="delivered"} 3"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"svara_receipts_total{platform="messenger",kind="read"} 2"#),
        "{metrics}"
    );
    t.stop().await;
}
both_backends!(receipts_from_meta_move_notes_to_delivered_then_read);

async fn watermark_only_deliveries_match_by_page_and_person(db: Db) {
    let Setup { t, meta } = setup(db, false).await;
    let psid = new_psid();
    let id = send(&t, &psid).await;
    let v = wait(&t, &id, "delivered").await;
    assert!(v["delivered_at"].is_string());
    let posts = meta.webhook_posts();
    assert!(posts[0].mids.is_empty(), "watermark only: {posts:?}");
    t.stop().await;
}
both_backends!(watermark_only_deliveries_match_by_page_and_person);

async fn forged_or_unsigned_events_are_refused_and_change_nothing(db: Db) {
    let Setup { t, meta } = setup(db, true).await;
    let psid = new_psid();
    let id = send(&t, &psid).await;
    wait(&t, &id, "delivered").await;
    let mid = status(&t, &id).await["message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = meta.deliveries()[0].page_id.clone();
    let read = json!({"object": "page", "entry": [{"id": page, "time": 1, "messaging": [
        {"sender": {"id": psid}, "recipient": {"id": page}, "timestamp": 1,
         "read": {"watermark": 99_999_999_999_999i64}}]}]})
    .to_string();
    let post = |body: String, sig: Option<String>| post_webhook(&t, MESSENGER_HOOK, body, sig);
    let forged = [
        (read.clone(), None),
        (
            read.clone(),
            Some(hub_signature("not-the-app-secret", read.as_bytes())),
        ),
        (
            read.replace("\"time\":1", "\"time\":2"),
            Some(hub_signature(APP_SECRET, read.as_bytes())),
        ),
        (read.clone(), Some("sha256=00".to_owned())),
        (read.clone(), Some(format!("sha1={}", "0".repeat(40)))),
    ];
    for (body, sig) in forged {
        let r = post(body, sig.clone()).await;
        assert_eq!(r.status().as_u16(), 401, "{sig:?}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "unauthorized");
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        status(&t, &id).await["status"],
        "delivered",
        "nothing changed"
    );
    let stored = query_db(
        &t.dir,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM inbound_events WHERE body LIKE '%99999999999999%'",
        |r| sqlx::Row::get::<i64, _>(r, 0),
    )
    .await;
    assert_eq!(stored, [0], "a refused body is not stored");
    // Signed with the app secret, the same body is taken (twice: a retry of Meta is harmless).
    post_signed_twice(&t, MESSENGER_HOOK, &read).await;
    let v = wait(&t, &id, "read").await;
    assert_eq!(v["message_id"], mid.as_str());
    t.stop().await;
}
both_backends!(forged_or_unsigned_events_are_refused_and_change_nothing);

async fn the_verification_handshake(db: Db) {
    let Setup { t, .. } = setup(db, true).await;
    let get = |q: &str| {
        t.http
            .get(format!("{}/webhooks/messenger?{q}", t.url))
            .send()
    };
    let ok = get(&format!(
        "hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
    ))
    .await
    .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(ok.headers()["content-type"], "text/plain");
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    for q in [
        "hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
        "hub.mode=subscribe&hub.challenge=1",
        &format!("hub.mode=unsubscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1"),
    ] {
        assert_eq!(get(q).await.unwrap().status().as_u16(), 403, "{q}");
    }
    t.stop().await;
    // Without a configured token, nobody passes.
    let t = TestServer::start_on(db, |_| {}).await;
    let r = t
        .http
        .get(format!(
            "{}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=&hub.challenge=1",
            t.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    t.stop().await;
}
both_backends!(the_verification_handshake);

async fn test_mode_receipts_come_from_the_built_in_emulator(db: Db) {
    let t = TestServer::start_on(db, |c| {
        c.test_receipts.delivery_delay = Some(Duration::from_millis(100));
        c.test_receipts.read_delay = Some(Duration::from_millis(200));
    })
    .await;
    let (_, v) = t.send(&t.body(&new_psid(), "speech-aac.m4a")).await;
    let id = v["id"].as_str().unwrap();
    let read = wait_status(&t, id, "read", Duration::from_secs(20)).await;
    assert!(read["delivered_at"].is_string() && read["read_at"].is_string());
    // A test-mode receipt never touches a live note, nor the reverse: a receipt signed with
    // the live app secret is refused here (none is configured).
    let body = json!({"object": "page", "entry": []}).to_string();
    let r = t
        .http
        .post(format!("{}/webhooks/messenger", t.url))
        .header(
            "x-hub-signature-256",
            hub_signature(APP_SECRET, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    t.stop().await;
}
both_backends!(test_mode_receipts_come_from_the_built_in_emulator);

fn whatsapp_body(t: &TestServer, wa_id: &str) -> Value {
    json!({
        "platform": "whatsapp",
        "recipient": wa_id,
        "audio_url": t.files.url("/f/speech.opus.webm"),
        "session": {
            "access_token": whatsapp::DEFAULT_WHATSAPP_TOKEN,
            "phone_number_id": whatsapp::DEFAULT_PHONE_NUMBER_ID,
        },
    })
}

async fn send_whatsapp(t: &TestServer, key: &str, wa_id: &str) -> String {
    let (code, v) = t
        .post("/v1/send", Some(key), &whatsapp_body(t, wa_id))
        .await;
    assert_eq!(code, 202, "{v}");
    v["id"].as_str().unwrap().to_owned()
}

/// A WhatsApp status body as Meta posts it.
fn statuses(wamid: &str, wa_id: &str, status: &str) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [
        {"field": "messages", "value": {"messaging_product": "whatsapp",
         "metadata": {"display_phone_number": "15550100000", "phone_number_id": whatsapp::DEFAULT_PHONE_NUMBER_ID},
         "statuses": [{"id": wamid, "status": status, "timestamp": "1700000000", "recipient_id": wa_id}]}}]}]})
    .to_string()
}

async fn whatsapp_statuses_from_meta_move_notes_to_delivered_then_read(db: Db) {
    let Setup { t, meta } = setup(db, true).await;
    let (rx, secret) = subscribed(&t).await;
    let first = send_whatsapp(&t, LIVE, whatsapp::DEFAULT_WA_ID).await;
    let d = wait(&t, &first, "delivered").await;
    assert!(
        d["delivered_at"].is_string() && d["read_at"].is_null(),
        "{d}"
    );
    let wamid = d["message_id"].as_str().unwrap().to_owned();
    assert!(wamid.starts_with("wamid."), "{d}");
    // Meta's status named the note by its wamid, through /webhooks/whatsapp.
    let posts = meta.webhook_posts();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].field, "statuses.delivered");
    assert_eq!(posts[0].page_id, whatsapp::DEFAULT_PHONE_NUMBER_ID);
    assert_eq!(posts[0].mids, [wamid.as_str()]);
    assert!(posts[0].delivered, "{posts:?}");
    // Another person's note: the first person's read does not touch it.
    let other = send_whatsapp(&t, LIVE, whatsapp::WA_ID_SECOND).await;
    wait(&t, &other, "delivered").await;
    assert!(meta.mark_read(whatsapp::DEFAULT_WA_ID));
    let r = wait(&t, &first, "read").await;
    assert!(
        r["read_at"].is_string() && r["delivered_at"].is_string(),
        "{r}"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(status(&t, &other).await["status"], "delivered");
    // The key's webhook saw the whole life of the note, once each.
    rx.wait_ok(5, Duration::from_secs(20)).await;
    let life: Vec<String> = rx
        .verified(&secret)
        .into_iter()
        .filter(|(_, b)| b["data"]["id"] == first.as_str())
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        life,
        ["voice_note.sent", "voice_note.delivered", "voice_note.read"]
    );

    // Forged or unsigned statuses are refused with 401 and stored nowhere; a signed `read` of
    // a note that skipped `delivered` records both, and a replay changes nothing.
    let post = |body: String, sig: Option<String>| post_webhook(&t, WHATSAPP_HOOK, body, sig);
    let other_wamid = status(&t, &other).await["message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = statuses(&other_wamid, whatsapp::WA_ID_SECOND, "read");
    for sig in [
        None,
        Some(hub_signature("not-the-app-secret", read.as_bytes())),
        Some(hub_signature(APP_SECRET, b"another body")),
    ] {
        let r = post(read.clone(), sig.clone()).await;
        assert_eq!(r.status().as_u16(), 401, "{sig:?}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "unauthorized");
        // The message names this webhook's product or its variable, never Messenger's.
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("WhatsApp webhooks") || message.contains("SVARA_WHATSAPP_APP_SECRET"),
            "{v}"
        );
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(status(&t, &other).await["status"], "delivered");
    post_signed_twice(&t, WHATSAPP_HOOK, &read).await;
    let r = wait(&t, &other, "read").await;
    assert_eq!(r["message_id"], other_wamid.as_str());
    // A `sent` status, a status of an unknown wamid and a `delivered` after `read` change
    // nothing (statuses only move forward).
    for body in [
        statuses(&other_wamid, whatsapp::WA_ID_SECOND, "delivered"),
        statuses(&other_wamid, whatsapp::WA_ID_SECOND, "sent"),
        statuses("wamid.unknown", whatsapp::WA_ID_SECOND, "read"),
    ] {
        let sig = hub_signature(APP_SECRET, body.as_bytes());
        assert_eq!(post(body, Some(sig)).await.status().as_u16(), 200);
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(status(&t, &other).await["status"], "read");
    let metrics = metrics_text(&t).await;
    for line in [
        r#"svara_receipts_total{platform="whatsapp",kind="delivered"} 2"#,
        r#"svara_receipts_total{platform="whatsapp",kind="read"} 2"#,
        r#"svara_receipts_total{platform="messenger",kind="delivered"} 0"#,
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }
    // The handshake of the WhatsApp webhook.
    let ok = t
        .http
        .get(format!(
            "{}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=42",
            t.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(ok.text().await.unwrap(), "42");
    t.stop().await;
}
both_backends!(whatsapp_statuses_from_meta_move_notes_to_delivered_then_read);

async fn test_mode_whatsapp_statuses_come_from_the_built_in_emulator(db: Db) {
    let t = TestServer::start_on(db, |c| {
        c.test_receipts.delivery_delay = Some(Duration::from_millis(100));
    })
    .await;
    let key = t.key.clone();
    let id = send_whatsapp(&t, &key, whatsapp::DEFAULT_WA_ID).await;
    let d = wait_status(&t, &id, "delivered", Duration::from_secs(20)).await;
    assert!(d["read_at"].is_null(), "{d}");
    assert!(t.emulator().mark_read(whatsapp::DEFAULT_WA_ID));
    let r = wait_status(&t, &id, "read", Duration::from_secs(20)).await;
    assert!(
        r["delivered_at"].is_string() && r["read_at"].is_string(),
        "{r}"
    );
    let posts = t.emulator().webhook_posts();
    let fields: Vec<&str> = posts.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["statuses.delivered", "statuses.read"], "{posts:?}");
    t.stop().await;
}
both_backends!(test_mode_whatsapp_statuses_come_from_the_built_in_emulator);

async fn test_mode_instagram_notes_get_no_receipts(db: Db) {
    // Instagram's messaging webhooks have no delivery event (and `messaging_seen` is not
    // consumed yet): its notes end at `sent`, in test mode as live, while a Messenger note sent
    // beside it is reported delivered.
    let t = TestServer::start_on(db, |c| {
        c.test_receipts.delivery_delay = Some(Duration::from_millis(100));
    })
    .await;
    let (code, v) = t
        .send(&json!({
            "platform": "instagram",
            "recipient": instagram::DEFAULT_IGSID,
            "audio_url": t.files.url("/f/speech-aac.m4a"),
            "session": {
                "access_token": instagram::DEFAULT_INSTAGRAM_TOKEN,
                "ig_user_id": instagram::DEFAULT_IG_USER_ID,
            },
        }))
        .await;
    assert_eq!(code, 202, "{v}");
    let ig = v["id"].as_str().unwrap().to_owned();
    assert_eq!(
        t.wait_final(&ig, Duration::from_secs(20)).await["status"],
        "sent"
    );
    let (_, v) = t.send(&t.body(&new_psid(), "speech-aac.m4a")).await;
    let messenger = v["id"].as_str().unwrap().to_owned();
    wait_status(&t, &messenger, "delivered", Duration::from_secs(20)).await;
    t.emulator().mark_read(instagram::DEFAULT_IGSID);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, s) = t.get(&format!("/v1/status/{ig}"), Some(&t.key)).await;
    assert_eq!(s["status"], "sent", "{s}");
    assert!(s["delivered_at"].is_null(), "{s}");
    let posts = t.emulator().webhook_posts();
    assert_eq!(posts.len(), 1, "only the Messenger delivery: {posts:?}");
    assert_eq!(posts[0].field, "message_deliveries");
    t.stop().await;
}
both_backends!(test_mode_instagram_notes_get_no_receipts);
