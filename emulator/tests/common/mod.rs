//! Helpers shared by the emulator's integration tests: start an emulator, build Send API
//! requests by hand with reqwest (never the svara client), and check Graph error bodies.
#![allow(dead_code)]

use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};
use std::path::PathBuf;
use svara_emulator::{Emulator, EmulatorConfig, DEFAULT_PAGE_TOKEN};

/// The repository root (/work/main).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A real M4A/AAC voice recording (the repository's fixture).
pub fn m4a() -> Vec<u8> {
    fixture("speech-aac.m4a")
}

/// A file from tests/fixtures.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(root().join("tests/fixtures").join(name)).expect("fixture exists")
}

pub async fn start(config: EmulatorConfig) -> Emulator {
    Emulator::start(config).await.expect("emulator starts")
}

pub async fn start_default() -> Emulator {
    start(EmulatorConfig::default()).await
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

/// How the file part looks.
pub struct FilePart {
    pub bytes: Vec<u8>,
    pub filename: Option<&'static str>,
    pub content_type: &'static str,
}

impl FilePart {
    pub fn m4a() -> Self {
        FilePart {
            bytes: m4a(),
            filename: Some("voice.m4a"),
            content_type: "audio/mp4",
        }
    }
}

/// A multipart send as Meta documents it.
pub struct Send {
    pub psid: Option<String>,
    pub messaging_type: Option<&'static str>,
    pub tag: Option<&'static str>,
    pub notification_type: Option<&'static str>,
    pub message: Value,
    pub files: Vec<FilePart>,
    pub token_field: Option<String>,
    pub extra: Vec<(&'static str, String)>,
}

impl Send {
    pub fn to(psid: &str) -> Self {
        Send {
            psid: Some(psid.to_owned()),
            messaging_type: Some("RESPONSE"),
            tag: None,
            notification_type: None,
            message: json!({"attachment": {"type": "audio", "payload": {}}}),
            files: vec![FilePart::m4a()],
            token_field: None,
            extra: Vec::new(),
        }
    }

    pub fn form(self) -> Form {
        let mut form = Form::new();
        if let Some(p) = self.psid {
            form = form.text("recipient", json!({ "id": p }).to_string());
        }
        if let Some(m) = self.messaging_type {
            form = form.text("messaging_type", m);
        }
        if let Some(t) = self.tag {
            form = form.text("tag", t);
        }
        if let Some(n) = self.notification_type {
            form = form.text("notification_type", n);
        }
        form = form.text("message", self.message.to_string());
        if let Some(t) = self.token_field {
            form = form.text("access_token", t);
        }
        for (k, v) in self.extra {
            form = form.text(k, v);
        }
        for f in self.files {
            let mut part = Part::bytes(f.bytes).mime_str(f.content_type).expect("mime");
            if let Some(name) = f.filename {
                part = part.file_name(name);
            }
            form = form.part("filedata", part);
        }
        form
    }
}

/// POSTs a multipart send to `/v25.0/me/messages` with the default token in the query.
pub async fn send(emu: &Emulator, s: Send) -> reqwest::Response {
    send_with_token(emu, s, DEFAULT_PAGE_TOKEN).await
}

pub async fn send_with_token(emu: &Emulator, s: Send, token: &str) -> reqwest::Response {
    send_to_path(emu, "/v25.0/me/messages", s, token).await
}

/// POSTs a multipart send to any path, with `token` in the query.
pub async fn send_to_path(emu: &Emulator, path: &str, s: Send, token: &str) -> reqwest::Response {
    client()
        .post(format!("{}{path}", emu.base_url()))
        .query(&[("access_token", token)])
        .multipart(s.form())
        .send()
        .await
        .expect("request completes")
}

/// Sends the default multipart voice note to `psid` and asserts the Graph error.
pub async fn expect_send_error(emu: &Emulator, psid: &str, code: i64, subcode: Option<i64>) {
    assert_graph_error(send(emu, Send::to(psid)).await, 400, code, subcode).await;
}

/// POSTs a JSON body to `path` with the default token in the query.
pub async fn post_json(emu: &Emulator, path: &str, body: Value) -> reqwest::Response {
    client()
        .post(format!("{}{path}", emu.base_url()))
        .query(&[("access_token", DEFAULT_PAGE_TOKEN)])
        .json(&body)
        .send()
        .await
        .expect("request completes")
}

/// Asserts a Graph error: HTTP status, code, subcode, type and the other fields Meta sends.
pub async fn assert_graph_error(
    resp: reqwest::Response,
    status: u16,
    code: i64,
    subcode: Option<i64>,
) -> Value {
    let got_status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("JSON error body");
    assert_eq!(got_status, status, "HTTP status for {body}");
    let e = &body["error"];
    assert_eq!(e["code"], json!(code), "code in {body}");
    match subcode {
        Some(s) => assert_eq!(e["error_subcode"], json!(s), "subcode in {body}"),
        None => assert!(
            e.get("error_subcode").is_none(),
            "no subcode expected in {body}"
        ),
    }
    let t = e["type"].as_str().expect("type");
    assert!(
        t == "OAuthException" || t == "GraphMethodException",
        "type {t}"
    );
    assert!(!e["message"].as_str().expect("message").is_empty());
    let trace = e["fbtrace_id"].as_str().expect("fbtrace_id");
    assert_eq!(trace.len(), 11);
    assert!(e["is_transient"].is_boolean());
    body
}

/// Asserts a successful send and returns its body.
pub async fn assert_sent(resp: reqwest::Response, psid: &str) -> Value {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("JSON body");
    assert_eq!(status, 200, "send failed: {body}");
    assert_eq!(body["recipient_id"], json!(psid));
    let mid = body["message_id"].as_str().expect("message_id");
    assert!(mid.starts_with("m_") && mid.len() > 40, "{mid}");
    body
}

/// The default setup without the rate limit (for tests that send many requests quickly).
pub async fn start_unlimited() -> Emulator {
    start(EmulatorConfig::default().with_rate_limit(0)).await
}

/// A local file server on 127.0.0.1 for `payload.url` tests: `/voice.m4a` (audio/mp4),
/// `/speech.mp3` (audio/mpeg), `/image.png` (image/png), `/image.jpg` (image/jpeg),
/// `/to-file` (a redirect to `file:///etc/passwd`). Returns its base URL.
pub async fn serve_files() -> String {
    serve_files_counted().await.0
}

/// [`serve_files`] and the number of requests it has answered.
pub async fn serve_files_counted() -> (String, std::sync::Arc<std::sync::atomic::AtomicU64>) {
    use axum::http::header;
    use axum::response::IntoResponse;
    use axum::routing::get;
    use std::sync::atomic::{AtomicU64, Ordering};
    let hits = std::sync::Arc::new(AtomicU64::new(0));
    let counter = hits.clone();
    let file = |ct: &'static str, bytes: Vec<u8>| {
        get(move || {
            let b = bytes.clone();
            async move { ([(header::CONTENT_TYPE, ct)], b).into_response() }
        })
    };
    let app = axum::Router::new()
        .route("/voice.m4a", file("audio/mp4", m4a()))
        .route(
            "/speech.mp3",
            file("audio/mpeg", fixture("speech-stereo.mp3")),
        )
        .route("/image.png", file("image/png", fixture("image.png")))
        .route("/image.jpg", file("image/jpeg", fixture("image.png")))
        .route(
            "/to-file",
            get(|| async {
                (
                    axum::http::StatusCode::FOUND,
                    [(header::LOCATION, "file:///etc/passwd")],
                )
            }),
        )
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                counter.fetch_add(1, Ordering::SeqCst);
                next.run(req)
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), hits)
}

/// A multipart file part.
pub fn part(bytes: Vec<u8>, name: impl Into<String>, content_type: &str) -> Part {
    Part::bytes(bytes)
        .file_name(name.into())
        .mime_str(content_type)
        .expect("mime")
}

/// POSTs a multipart form to `{base}{path}` with the default token in the query.
pub async fn post_form(base: &str, path: &str, form: Form) -> reqwest::Result<reqwest::Response> {
    client()
        .post(format!("{base}{path}"))
        .query(&[("access_token", DEFAULT_PAGE_TOKEN)])
        .multipart(form)
        .send()
        .await
}

/// `GET {base}/__emulator/messages` as JSON, and its size in bytes.
pub async fn messages_json(base: &str) -> (Value, usize) {
    let text = client()
        .get(format!("{base}/__emulator/messages"))
        .send()
        .await
        .expect("inspection answers")
        .text()
        .await
        .expect("body");
    (serde_json::from_str(&text).expect("JSON"), text.len())
}
