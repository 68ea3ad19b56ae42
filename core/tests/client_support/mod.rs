//! Shared by the `client_*` integration tests: the sample recording, the Graph API emulator,
//! and a tiny scripted local "Graph" server for answers the emulator does not produce.
#![allow(dead_code)]

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, State};
use axum::http::{HeaderMap, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use svara::{Client, ClientBuilder};
use svara_emulator::{Emulator, EmulatorConfig, DEFAULT_PAGE_TOKEN};

/// An AAC M4A voice note of the repository's fixtures (passes through the audio engine
/// untouched).
pub const SAMPLE_M4A: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/speech-aac.m4a"
);

pub fn sample_m4a() -> Vec<u8> {
    std::fs::read(SAMPLE_M4A).expect("tests/fixtures/speech-aac.m4a")
}

/// A client for `base_url` with a fast limiter (tests that check the limiter set their own).
pub fn builder(base_url: &str, token: &str) -> ClientBuilder {
    Client::builder(token)
        .graph_url(base_url)
        .sends_per_second(1000.0)
        .timeout(Duration::from_secs(20))
}

pub async fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start(config).await.expect("emulator starts")
}

pub fn emulator_client(emu: &Emulator) -> Client {
    builder(&emu.base_url(), DEFAULT_PAGE_TOKEN)
        .build()
        .unwrap()
}

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn raw(status: u16, content_type: &str, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// Meta's error shape.
    pub fn graph_error(status: u16, code: i64, subcode: Option<i64>, message: &str) -> Reply {
        let mut error = serde_json::json!({
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AbCdEfGhIjK",
        });
        if let Some(s) = subcode {
            error["error_subcode"] = s.into();
        }
        Reply::json(status, serde_json::json!({ "error": error }))
    }

    pub fn sent(message_id: &str) -> Reply {
        Reply::json(
            200,
            serde_json::json!({"recipient_id": "6128493027184956", "message_id": message_id}),
        )
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A request as the scripted server received it.
#[derive(Clone, Debug)]
pub struct Captured {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// One multipart part.
#[derive(Clone, Debug)]
pub struct PartSeen {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub data: Bytes,
}

impl Captured {
    pub async fn parts(&self) -> Vec<PartSeen> {
        let ct = self.headers.get("content-type").unwrap().clone();
        let req = Request::builder()
            .header("content-type", ct)
            .body(Body::from(self.body.clone()))
            .unwrap();
        let mut mp = Multipart::from_request(req, &())
            .await
            .expect("multipart body");
        let mut out = Vec::new();
        while let Some(f) = mp.next_field().await.expect("well-formed multipart") {
            out.push(PartSeen {
                name: f.name().unwrap_or_default().to_owned(),
                file_name: f.file_name().map(str::to_owned),
                content_type: f.content_type().map(str::to_owned),
                data: f.bytes().await.unwrap(),
            });
        }
        out
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

#[derive(Default)]
struct MockState {
    script: Mutex<VecDeque<Reply>>,
    fallback: Mutex<Option<Reply>>,
    hits: AtomicUsize,
    captured: Mutex<Vec<Captured>>,
}

/// A local server that answers every POST from a script (then a fallback), recording requests.
pub struct MockGraph {
    pub addr: SocketAddr,
    state: Arc<MockState>,
}

impl MockGraph {
    pub async fn start(fallback: Reply) -> MockGraph {
        let state = Arc::new(MockState::default());
        *state.fallback.lock().unwrap() = Some(fallback);
        let app = Router::new().fallback(answer).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        MockGraph { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers the next requests with these, in order, before the fallback.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.state.script.lock().unwrap().extend(replies);
    }

    pub fn set_fallback(&self, reply: Reply) {
        *self.state.fallback.lock().unwrap() = Some(reply);
    }

    pub fn hits(&self) -> usize {
        self.state.hits.load(Ordering::SeqCst)
    }

    pub fn captured(&self) -> Vec<Captured> {
        self.state.captured.lock().unwrap().clone()
    }

    pub fn reset(&self) {
        self.state.hits.store(0, Ordering::SeqCst);
        self.state.captured.lock().unwrap().clear();
        self.state.script.lock().unwrap().clear();
    }
}

async fn answer(
    State(state): State<Arc<MockState>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.hits.fetch_add(1, Ordering::SeqCst);
    state.captured.lock().unwrap().push(Captured {
        path: uri.path().to_owned(),
        headers,
        body,
    });
    let reply = state
        .script
        .lock()
        .unwrap()
        .pop_front()
        .or_else(|| state.fallback.lock().unwrap().clone())
        .expect("a reply");
    tokio::time::sleep(reply.delay).await;
    let mut resp = Response::builder().status(StatusCode::from_u16(reply.status).unwrap());
    for (k, v) in &reply.headers {
        resp = resp.header(k, v);
    }
    resp.body(Body::from(reply.body)).unwrap().into_response()
}

/// An address nothing listens on (connection refused).
pub async fn dead_address() -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}")
}
