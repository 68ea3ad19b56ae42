//! The emulator's Messenger webhook: with `webhooks.url` set it posts signed `message_deliveries`
//! shortly after accepting a message and `message_reads` when asked (`POST /__emulator/read`,
//! `Emulator::mark_read`) or after `read_delay`, in Meta's shape, `X-Hub-Signature-256` over
//! the exact bytes; an endpoint answering 500 is retried; every post is listed at
//! `GET /__emulator/webhooks`.

mod common;

use common::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use svara_emulator::{hub_signature, EmulatorConfig, HumanDuration, WebhookConfig, DEFAULT_PSID};

const APP_SECRET: &str = "emulator-webhook-app-secret";

/// What the bot received: the signature header and the raw body of each post.
type Posts = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

#[derive(Clone, Default)]
struct Bot {
    got: Posts,
    fail_first: Arc<Mutex<u32>>,
}

async fn bot(fail_first: u32) -> (String, Bot) {
    let b = Bot::default();
    *b.fail_first.lock().unwrap() = fail_first;
    let state = b.clone();
    let app = axum::Router::new().route(
        "/webhook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let state = state.clone();
                async move {
                    let sig = headers
                        .get("x-hub-signature-256")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    let mut left = state.fail_first.lock().unwrap();
                    if *left > 0 {
                        *left -= 1;
                        return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    state.got.lock().unwrap().push((sig, body.to_vec()));
                    axum::http::StatusCode::OK
                }
            },
        ),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", l.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    (url, b)
}

async fn wait_for(b: &Bot, n: usize) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let got = b.got.lock().unwrap().clone();
        if got.len() >= n {
            return got
                .into_iter()
                .map(|(sig, body)| {
                    assert_eq!(
                        sig,
                        hub_signature(APP_SECRET, &body),
                        "signed over the bytes sent"
                    );
                    serde_json::from_slice(&body).unwrap()
                })
                .collect();
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{} of {n} events",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn item(event: &Value) -> &Value {
    assert_eq!(event["object"], "page");
    &event["entry"][0]["messaging"][0]
}

async fn send_one(emu: &svara_emulator::Emulator) -> String {
    let r = send(emu, Send::to(DEFAULT_PSID)).await;
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    v["message_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn deliveries_then_reads_signed_like_meta() {
    let (url, b) = bot(0).await;
    let emu = start(EmulatorConfig::default().with_webhooks(&url, APP_SECRET)).await;
    let mid = send_one(&emu).await;
    let events = wait_for(&b, 1).await;
    let d = item(&events[0]);
    assert_eq!(d["sender"]["id"], DEFAULT_PSID, "the person is the sender");
    assert_eq!(d["recipient"]["id"], svara_emulator::DEFAULT_PAGE_ID);
    assert_eq!(d["delivery"]["mids"], json!([mid]));
    assert!(d["delivery"]["watermark"].as_u64().unwrap() > 0);
    assert_eq!(events[0]["entry"][0]["id"], svara_emulator::DEFAULT_PAGE_ID);
    // Reads only when asked: over HTTP, like a test of a bot in another language would.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(b.got.lock().unwrap().len(), 1);
    let r = client()
        .post(format!("{}/__emulator/read", emu.base_url()))
        .json(&json!({"psid": DEFAULT_PSID}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let events = wait_for(&b, 2).await;
    let r = item(&events[1]);
    assert!(
        r["read"]["watermark"].as_u64().unwrap() >= d["delivery"]["watermark"].as_u64().unwrap()
    );
    let log: Value = client()
        .get(format!("{}/__emulator/webhooks", emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fields: Vec<&str> = log["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["message_deliveries", "message_reads"]);
    assert!(log["posts"][0]["delivered"].as_bool().unwrap());
    emu.shutdown().await;
}

#[tokio::test]
async fn watermark_only_automatic_reads_and_retries() {
    let (url, b) = bot(2).await;
    let emu = start(EmulatorConfig {
        webhooks: Some(WebhookConfig {
            url,
            app_secret: Some(APP_SECRET.into()),
            delivery_delay: Some(HumanDuration::millis(50)),
            read_delay: Some(HumanDuration::millis(100)),
            include_mids: false,
            ..WebhookConfig::default()
        }),
        ..EmulatorConfig::default()
    })
    .await;
    send_one(&emu).await;
    // The first two posts get 500: Meta retries, and so does the emulator.
    let events = wait_for(&b, 2).await;
    let d = item(&events[0]);
    assert!(d["delivery"].get("mids").is_none(), "watermark only: {d}");
    assert!(item(&events[1])["read"]["watermark"].is_u64());
    let posts = emu.webhook_posts();
    assert_eq!(posts[0].attempts, 3, "{posts:?}");
    assert!(posts.iter().all(|p| p.delivered));
    emu.shutdown().await;
}

#[tokio::test]
async fn configuration_is_checked() {
    let bad = EmulatorConfig {
        webhooks: Some(WebhookConfig {
            url: "ftp://x".into(),
            app_secret: Some("s".into()),
            ..WebhookConfig::default()
        }),
        ..EmulatorConfig::default()
    };
    assert!(bad
        .validate()
        .unwrap_err()
        .to_string()
        .contains("webhooks.url"));
    let unsigned = EmulatorConfig {
        webhooks: Some(WebhookConfig {
            url: "http://127.0.0.1:1/hook".into(),
            ..WebhookConfig::default()
        }),
        ..EmulatorConfig::default()
    };
    assert!(unsigned
        .validate()
        .unwrap_err()
        .to_string()
        .contains("secret"));
    let toml = r#"
        [webhooks]
        url = "http://127.0.0.1:9/webhook"
        app_secret = "s"
        delivery_delay = "250ms"
        read_delay = "2s"
    "#;
    let c = EmulatorConfig::from_toml_str(toml).unwrap();
    let w = c.webhooks.unwrap();
    assert_eq!(w.delivery_delay, Some(HumanDuration::millis(250)));
    assert_eq!(w.read_delay, Some(HumanDuration::secs(2)));
    // Without a webhook, asking for a read is a clear 400.
    let emu = start_default().await;
    let r = client()
        .post(format!("{}/__emulator/read", emu.base_url()))
        .json(&json!({"psid": DEFAULT_PSID}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(!emu.mark_read(DEFAULT_PSID));
    emu.shutdown().await;
}
