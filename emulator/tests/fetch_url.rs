//! `payload.url`: the emulator downloads the URL itself with Meta's limits (audio Content-Type,
//! size, time), against a local file server on 127.0.0.1.

mod common;

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;
use svara_emulator::*;

const MAX: u64 = 200_000;

async fn file_server() -> String {
    let m4a_bytes = m4a();
    let app = Router::new()
        .route(
            "/voice.m4a",
            get(move || {
                let b = m4a_bytes.clone();
                async move { ([(header::CONTENT_TYPE, "audio/mp4")], b) }
            }),
        )
        .route("/missing.m4a", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/page.html",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    "<html>login</html>",
                )
            }),
        )
        .route(
            "/mp3-labelled-m4a",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "audio/mp4")],
                    fixture("speech-stereo.mp3"),
                )
            }),
        )
        .route(
            "/big.m4a",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "audio/mp4")],
                    vec![0u8; MAX as usize + 1],
                )
            }),
        )
        .route(
            "/endless.m4a",
            get(|| async {
                let chunks =
                    futures::stream::repeat_with(|| Ok::<_, std::io::Error>(vec![0u8; 16_384]));
                (
                    [(header::CONTENT_TYPE, "audio/mp4")],
                    Body::from_stream(chunks),
                )
            }),
        )
        .route(
            "/slow.m4a",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                ([(header::CONTENT_TYPE, "audio/mp4")], m4a()).into_response()
            }),
        )
        .route("/loop", get(|| async { Redirect::temporary("/loop") }))
        .route(
            "/redirect",
            get(|| async { Redirect::temporary("/voice.m4a") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn emulator() -> Emulator {
    let mut config = EmulatorConfig::default().with_rate_limit(0);
    config.fetch.max_bytes = MAX;
    config.fetch.timeout = HumanDuration::millis(800);
    start(config).await
}

fn url_send(url: &str) -> Value {
    json!({
        "recipient": {"id": DEFAULT_PSID},
        "messaging_type": "RESPONSE",
        "message": {"attachment": {"type": "audio", "payload": {"url": url, "is_reusable": false}}}
    })
}

async fn send_url(emu: &Emulator, url: &str) -> reqwest::Response {
    post_json(emu, "/v25.0/me/messages", url_send(url)).await
}

#[tokio::test]
async fn audio_url_is_fetched_and_delivered() {
    let files = file_server().await;
    let emu = emulator().await;
    for path in ["/voice.m4a", "/redirect"] {
        let url = format!("{files}{path}");
        assert_sent(send_url(&emu, &url).await, DEFAULT_PSID).await;
        let d = emu.deliveries().pop().unwrap();
        assert_eq!(d.origin, Some(AudioOrigin::Url));
        assert_eq!(
            d.url_public,
            Some(false),
            "127.0.0.1 is not a public address"
        );
        assert_eq!(d.url.as_deref(), Some(url.as_str()));
        assert_eq!(d.content_type.as_deref(), Some("audio/mp4"));
        assert_eq!(d.size_bytes, Some(m4a().len() as u64));
        assert_eq!(d.filename, None);
    }
    // The upload endpoint fetches URLs too.
    let r = post_json(
        &emu,
        "/v25.0/me/message_attachments",
        json!({"message": {"attachment": {"type": "audio", "payload": {"url": format!("{files}/voice.m4a"), "is_reusable": true}}}}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let id = r.json::<Value>().await.unwrap()["attachment_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(emu.snapshot().attachments[0].attachment_id, id);
    assert_eq!(emu.snapshot().attachments[0].origin, AudioOrigin::Url);
}

#[tokio::test]
async fn url_failures_answer_like_meta() {
    let files = file_server().await;
    let emu = emulator().await;
    let cases: [(&str, i64, Option<i64>); 6] = [
        ("/missing.m4a", 100, Some(2_018_008)),
        ("/page.html", 546, None),
        ("/big.m4a", 100, Some(2_018_109)),
        ("/endless.m4a", 100, Some(2_018_109)),
        ("/slow.m4a", 100, Some(2_018_008)),
        ("/loop", 100, Some(2_018_008)),
    ];
    for (path, code, sub) in cases {
        let t0 = std::time::Instant::now();
        let body = assert_graph_error(
            send_url(&emu, &format!("{files}{path}")).await,
            400,
            code,
            sub,
        )
        .await;
        assert!(
            t0.elapsed() < Duration::from_secs(3),
            "{path} took {:?}",
            t0.elapsed()
        );
        assert!(
            body["error"]["message"].as_str().unwrap().len() > 10,
            "{path}"
        );
    }
    let body = assert_graph_error(
        send_url(&emu, "ftp://127.0.0.1/x.m4a").await,
        400,
        100,
        Some(2_018_008),
    )
    .await;
    assert!(body["error"]["message"].as_str().unwrap().contains("http"));
    // Nothing listens on port 9 of 127.0.0.1.
    assert_graph_error(
        send_url(&emu, "http://127.0.0.1:9/x.m4a").await,
        400,
        100,
        Some(2_018_008),
    )
    .await;
    let snap = emu.snapshot();
    assert_eq!((snap.delivered, snap.attempts_for(DEFAULT_PSID)), (0, 8));
}

#[tokio::test]
async fn an_mp3_by_url_is_delivered_and_strict_mode_refuses_it_as_its_own_policy() {
    let files = file_server().await;
    let emu = emulator().await;
    // MP3 bytes served as audio/mp4: audio, it decodes, Meta takes it.
    let url = format!("{files}/mp3-labelled-m4a");
    assert_sent(send_url(&emu, &url).await, DEFAULT_PSID).await;
    let d = emu.deliveries().pop().unwrap();
    assert_eq!(d.audio.as_ref().unwrap().codec, "mp3");
    assert!(
        !d.voice_note,
        "MP3 is delivered as an audio file, not a voice bubble"
    );
    let mut config = EmulatorConfig::default()
        .with_rate_limit(0)
        .with_strict_voice_notes();
    config.fetch.max_bytes = MAX;
    let strict = start(config).await;
    let body = assert_graph_error(send_url(&strict, &url).await, 400, 100, Some(2_018_047)).await;
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("strict_voice_notes") && msg.contains("not Meta's"),
        "{msg}"
    );
}

#[tokio::test]
async fn url_and_attachment_id_together_or_with_a_file_are_refused() {
    let emu = emulator().await;
    let mut body = url_send("http://127.0.0.1:9/x.m4a");
    body["message"]["attachment"]["payload"]["attachment_id"] = json!("1");
    assert_graph_error(
        post_json(&emu, "/v25.0/me/messages", body).await,
        400,
        100,
        None,
    )
    .await;
    let mut s = Send::to(DEFAULT_PSID);
    s.message =
        json!({"attachment": {"type": "audio", "payload": {"url": "http://127.0.0.1:9/x.m4a"}}});
    let body = assert_graph_error(send(&emu, s).await, 400, 100, None).await;
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not both"));
}

#[tokio::test]
async fn public_urls_only_refuses_loopback_without_connecting() {
    let (files, hits) = serve_files_counted().await;
    let mut config = EmulatorConfig::default().with_rate_limit(0);
    config.fetch.public_urls_only = true;
    let emu = start(config).await;
    let port = files.rsplit(':').next().unwrap().to_owned();
    for url in [
        format!("{files}/voice.m4a"),
        format!("http://localhost:{port}/voice.m4a"),
        format!("http://[::1]:{port}/voice.m4a"),
    ] {
        let body = assert_graph_error(send_url(&emu, &url).await, 400, 100, Some(2_018_008)).await;
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("public_urls_only"),
            "{url}: {body}"
        );
    }
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the emulator never connected"
    );
    // By default the same URL is fetched, and the record says it is not public.
    let emu = emulator().await;
    assert_sent(
        send_url(&emu, &format!("{files}/voice.m4a")).await,
        DEFAULT_PSID,
    )
    .await;
    assert_eq!(emu.deliveries()[0].url_public, Some(false));
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_redirect_to_file_url_is_a_graph_shaped_fetch_failure() {
    let files = serve_files().await;
    let emu = emulator().await;
    let body = assert_graph_error(
        send_url(&emu, &format!("{files}/to-file")).await,
        400,
        100,
        Some(2_018_008),
    )
    .await;
    assert!(
        body["error"]["message"].as_str().unwrap().contains("file:"),
        "{body}"
    );
    assert_eq!(emu.snapshot().delivered, 0);
}
