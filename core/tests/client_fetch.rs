//! URL and path sources against a local file server: the audio is downloaded by the SDK within
//! Messenger's limits, and every way of failing to get it is a typed error that names the cause.

mod client_support;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use client_support::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use svara::{AudioSource, Client, ErrorCode, SendOptions};
use svara_emulator::{EmulatorConfig, DEFAULT_PAGE_TOKEN, DEFAULT_PSID};

const LIMIT: u64 = 26_214_400;

/// Bytes each endless route has produced.
#[derive(Default)]
struct Served {
    chunked: AtomicU64,
    with_length: AtomicU64,
}

fn endless(served: Arc<Served>, with_length: bool) -> Body {
    let chunk = bytes::Bytes::from(vec![0x55u8; 64 * 1024]);
    Body::from_stream(futures::stream::unfold((), move |()| {
        let chunk = chunk.clone();
        let served = served.clone();
        async move {
            let counter = if with_length {
                &served.with_length
            } else {
                &served.chunked
            };
            counter.fetch_add(chunk.len() as u64, Ordering::SeqCst);
            Some((Ok::<_, std::io::Error>(chunk), ()))
        }
    }))
}

async fn file_server() -> (String, Arc<Served>) {
    let served = Arc::new(Served::default());
    let app = Router::new()
        .route(
            "/voice.m4a",
            get(|| async { ([(header::CONTENT_TYPE, "audio/mp4")], sample_m4a()) }),
        )
        .route(
            "/untyped",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/octet-stream")],
                    sample_m4a(),
                )
            }),
        )
        .route(
            "/moved.m4a",
            get(|| async { Redirect::permanent("/voice.m4a") }),
        )
        .route(
            "/missing.m4a",
            get(|| async { (StatusCode::NOT_FOUND, "not here") }),
        )
        .route(
            "/forbidden.m4a",
            get(|| async { (StatusCode::FORBIDDEN, "no") }),
        )
        .route(
            "/slow.m4a",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                sample_m4a()
            }),
        )
        .route(
            "/stall.m4a",
            get(|| async {
                let body = Body::from_stream(futures::stream::unfold(0u32, |i| async move {
                    if i > 0 {
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                    Some((
                        Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"\0\0\0\x20ftypM4A ")),
                        i + 1,
                    ))
                }));
                ([(header::CONTENT_TYPE, "audio/mp4")], body)
            }),
        )
        .route(
            "/endless",
            get(|State(s): State<Arc<Served>>| async move {
                ([(header::CONTENT_TYPE, "audio/mpeg")], endless(s, false)).into_response()
            }),
        )
        .route(
            "/endless-with-length",
            get(|State(s): State<Arc<Served>>| async move {
                Response::builder()
                    .header(header::CONTENT_TYPE, "audio/mpeg")
                    .header(header::CONTENT_LENGTH, (LIMIT * 40).to_string())
                    .body(endless(s, true))
                    .unwrap()
            }),
        )
        .route("/loop-a", get(|| async { Redirect::temporary("/loop-b") }))
        .route("/loop-b", get(|| async { Redirect::temporary("/loop-a") }))
        .route(
            "/to-ftp",
            get(|| async { Redirect::temporary("ftp://127.0.0.1/voice.m4a") }),
        )
        .route(
            "/page.html",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    "<!doctype html><html><body>Sign in</body></html>",
                )
            }),
        )
        .route(
            "/html-disguised.mp3",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "audio/mpeg")],
                    "\n<!DOCTYPE html>\n<html><head><title>404</title></head></html>",
                )
            }),
        )
        .route(
            "/noise.bin",
            get(|| async { ([(header::CONTENT_TYPE, "audio/mpeg")], vec![0x42u8; 4096]) }),
        )
        .route(
            "/empty.m4a",
            get(|| async { ([(header::CONTENT_TYPE, "audio/mp4")], "") }),
        )
        .with_state(served.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), served)
}

async fn client_for(graph: &str) -> Client {
    builder(graph, DEFAULT_PAGE_TOKEN)
        .fetch_timeout(Duration::from_millis(800))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_url_source_is_downloaded_and_sent() {
    let emu = emulator(EmulatorConfig::default()).await;
    let (files, _) = file_server().await;
    let client = client_for(&emu.base_url()).await;
    for path in ["/voice.m4a", "/moved.m4a", "/untyped"] {
        let r = client
            .send(
                DEFAULT_PSID,
                AudioSource::Url(format!("{files}{path}")),
                &SendOptions::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(r.input.unwrap().size_bytes, sample_m4a().len() as u64);
    }
    let snap = emu.snapshot();
    assert_eq!(snap.messages_for(DEFAULT_PSID).len(), 3);
    // Uploaded by the SDK as a file, not handed to Meta as a URL.
    assert!(snap.deliveries().iter().all(|d| d.url.is_none()));
}

#[tokio::test]
async fn every_failure_to_get_the_audio_is_typed_and_explained() {
    let mock = MockGraph::start(Reply::sent("m_never")).await;
    let (files, served) = file_server().await;
    let client = client_for(&mock.url()).await;
    let cases: &[(&str, ErrorCode, &str)] = &[
        ("/missing.m4a", ErrorCode::AudioFetchFailed, "404"),
        ("/forbidden.m4a", ErrorCode::AudioFetchFailed, "403"),
        ("/slow.m4a", ErrorCode::AudioFetchFailed, "within 0.8 s"),
        ("/stall.m4a", ErrorCode::AudioFetchFailed, "within 0.8 s"),
        (
            "/loop-a",
            ErrorCode::AudioFetchFailed,
            "redirected more than 5 times",
        ),
        (
            "/to-ftp",
            ErrorCode::AudioFetchFailed,
            "only http and https",
        ),
        (
            "/page.html",
            ErrorCode::AudioFetchFailed,
            "web page (text/html",
        ),
        (
            "/html-disguised.mp3",
            ErrorCode::AudioFetchFailed,
            "HTML page",
        ),
        ("/empty.m4a", ErrorCode::AudioFetchFailed, "empty"),
        ("/noise.bin", ErrorCode::UnsupportedAudio, ""),
        (
            "/endless-with-length",
            ErrorCode::AudioTooLarge,
            "Content-Length",
        ),
        ("/endless", ErrorCode::AudioTooLarge, "was stopped"),
    ];
    for (path, want, words) in cases {
        let e = client
            .send(
                DEFAULT_PSID,
                AudioSource::Url(format!("{files}{path}?sig=SECRETSIG")),
                &SendOptions::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), *want, "{path}: {e}");
        assert!(e.message().contains(words), "{path}: {e}");
        assert!(
            !e.message().contains("SECRETSIG"),
            "query strings are not printed: {e}"
        );
        if *want == ErrorCode::AudioFetchFailed {
            assert!(
                e.message().contains(path.trim_end_matches(".m4a")),
                "names the URL: {e}"
            );
        }
        if *path == "/endless-with-length" {
            let n = served.with_length.load(Ordering::SeqCst);
            assert!(n < 8 * 1024 * 1024, "refused before downloading: {n}");
        }
        if *path == "/endless" {
            let n = served.chunked.load(Ordering::SeqCst);
            // The server runs ahead of the client by what loopback socket buffers hold (several
            // MB each way), so this bounds the download rather than measuring it exactly.
            assert!(
                n > LIMIT && n < 2 * LIMIT,
                "cut off after 25 MB, not read on: {n}"
            );
        }
    }
    let e = client
        .send(
            DEFAULT_PSID,
            AudioSource::Url("ftp://x/y.m4a".into()),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidRequest);
    assert!(e.message().contains("audio_path"), "{e}");
    let e = client
        .send(
            DEFAULT_PSID,
            AudioSource::Url("not a url".into()),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidRequest);
    let e = client
        .send(
            DEFAULT_PSID,
            AudioSource::Url(format!("{}/voice.m4a", dead_address().await)),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AudioFetchFailed);
    assert!(
        e.message().to_lowercase().contains("connect") || e.message().contains("refused"),
        "{e}"
    );
    assert_eq!(mock.hits(), 0, "nothing was sent to the Graph API");
}

#[tokio::test]
async fn path_sources() {
    let mock = MockGraph::start(Reply::sent("m_path")).await;
    let client = client_for(&mock.url()).await;
    let dir = std::env::temp_dir().join(format!("svara-client-fetch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (dir.join("does-not-exist.m4a"), ErrorCode::AudioFetchFailed),
        (dir.clone(), ErrorCode::AudioFetchFailed),
    ];
    for (path, want) in cases {
        let e = client
            .send(
                DEFAULT_PSID,
                AudioSource::Path(path.clone()),
                &SendOptions::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), want, "{}: {e}", path.display());
        assert!(e.message().contains(&*path.display().to_string()), "{e}");
    }
    let big = dir.join("big.m4a");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(LIMIT + 1).unwrap();
    let e = client
        .send(
            DEFAULT_PSID,
            AudioSource::Path(big),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AudioTooLarge, "{e}");
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(mock.hits(), 0);
    client
        .send(
            DEFAULT_PSID,
            AudioSource::Path(SAMPLE_M4A.into()),
            &SendOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(mock.hits(), 1);
}
