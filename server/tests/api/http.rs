//! Bad input at the HTTP layer: each gets its documented error, and the server keeps serving.
//! Auth, body limits (refused when the limit is passed, not after reading), malformed JSON,
//! unknown fields, huge headers, slow and idle connections, the request concurrency limit and
//! the per-key rate limit.

use crate::support::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn still_serving(t: &TestServer) {
    let (code, v) = t.get("/healthz", None).await;
    assert_eq!((code, &v["status"]), (200, &json!("ok")));
    let (code, v) = t.send(&t.body(&new_psid(), "speech-aac.m4a")).await;
    assert_eq!(code, 202, "{v}");
}

/// Writes `raw` and reads the answer until the server closes the connection.
async fn raw(addr: &str, raw: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let _ = s.write_all(raw).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn addr(t: &TestServer) -> String {
    t.url.trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn auth_errors() {
    let t = TestServer::start().await;
    let body = t.body(PSID, "speech-aac.m4a");
    let (code, v) = t.post("/v1/send", None, &body).await;
    assert_eq!(code, 401);
    assert_eq!(v["error"]["code"], "unauthorized");
    assert!(v["error"]["message"].as_str().unwrap().contains("Bearer"));
    let (code, v) = t
        .post("/v1/send", Some("sk_test_notAKeyOfThisServer000000"), &body)
        .await;
    assert_eq!(code, 401, "{v}");
    let resp = t
        .http
        .get(format!("{}/v1/usage", t.url))
        .header("Authorization", format!("Basic {}", t.key))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert!(resp.headers().get("www-authenticate").is_some());
    let long = format!("Bearer {}", "k".repeat(10_000));
    let resp = t
        .http
        .get(format!("{}/v1/usage", t.url))
        .header("Authorization", long)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    still_serving(&t).await;
    t.stop().await;
}

#[tokio::test]
async fn bodies_json_and_fields() {
    let t = TestServer::start().await;
    let send_raw = |body: Vec<u8>, ct: &'static str| {
        let req = t
            .http
            .post(format!("{}/v1/send", t.url))
            .bearer_auth(&t.key)
            .header("Content-Type", ct)
            .body(body);
        async move {
            let r = req.send().await.unwrap();
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (c, v) = send_raw(
        b"{\"platform\": \"messenger\",".to_vec(),
        "application/json",
    )
    .await;
    assert_eq!(
        (c, &v["error"]["code"]),
        (400, &json!("bad_request")),
        "{v}"
    );
    let (c, v) = send_raw(b"\"just a string\"".to_vec(), "application/json").await;
    assert_eq!((c, &v["error"]["code"]), (400, &json!("bad_request")));
    let (c, v) = send_raw(
        b"platform=messenger".to_vec(),
        "application/x-www-form-urlencoded",
    )
    .await;
    assert_eq!((c, &v["error"]["code"]), (400, &json!("bad_request")));
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("application/json"));
    let mut unknown = t.body(PSID, "speech-aac.m4a");
    unknown["recipent"] = json!(PSID);
    let (c, v) = t.send(&unknown).await;
    assert_eq!(c, 400);
    assert_eq!(v["error"]["code"], "invalid_parameter");
    assert_eq!(v["error"]["details"]["param"], "recipent");
    // Over the limit by Content-Length: refused before the body is read.
    let big = vec![b' '; 300 * 1024];
    let (c, v) = send_raw(big, "application/json").await;
    assert_eq!((c, &v["error"]["code"]), (413, &json!("payload_too_large")));
    // Over the limit without Content-Length (chunked): refused once the limit is passed.
    let stream =
        futures::stream::iter((0..100).map(|_| Ok::<_, std::io::Error>(vec![b' '; 64 * 1024])));
    let r = t
        .http
        .post(format!("{}/v1/send", t.url))
        .bearer_auth(&t.key)
        .header("Content-Type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await;
    match r {
        Ok(r) => assert_eq!(r.status().as_u16(), 413),
        // The server may close the connection before the client finished writing.
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
    }
    // Unknown routes and methods get the envelope.
    let (c, v) = t.get("/v2/nothing", Some(&t.key)).await;
    assert_eq!((c, &v["error"]["code"]), (404, &json!("not_found")));
    let (c, v) = t.get("/v1/send", Some(&t.key)).await;
    assert_eq!(
        (c, &v["error"]["code"]),
        (400, &json!("bad_request")),
        "{v}"
    );
    still_serving(&t).await;
    t.stop().await;
}

#[tokio::test]
async fn huge_headers_slow_and_idle_connections() {
    let t = TestServer::start_with(|c| {
        c.limits.header_timeout = Duration::from_millis(800);
    })
    .await;
    let a = addr(&t);
    let huge = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    let answer = raw(&a, huge.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer:.80}");
    let mut many = String::from("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    for i in 0..200 {
        many.push_str(&format!("X-{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let answer = raw(&a, many.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer:.80}");

    // Slow headers: a client that never finishes them is cut off at the header timeout.
    let start = Instant::now();
    let mut slow = TcpStream::connect(&a).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server closed the slow connection");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );

    // Idle keep-alive connections are closed after the same timeout.
    let mut idle = TcpStream::connect(&a).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let start = Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), idle.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "idle connection closed");
    assert!(String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"));
    assert!(start.elapsed() < Duration::from_secs(3));
    still_serving(&t).await;
    t.stop().await;
}

#[tokio::test]
async fn concurrency_and_rate_limits_answer_429() {
    let t = TestServer::start_with(|c| {
        c.limits.max_in_flight_requests = 2;
        c.limits.body_timeout = Duration::from_secs(3);
    })
    .await;
    let a = addr(&t);
    // Two requests whose bodies never finish hold both slots.
    let mut holders = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(&a).await.unwrap();
        let head = format!(
            "POST /v1/send HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{",
            t.key
        );
        s.write_all(head.as_bytes()).await.unwrap();
        holders.push(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let resp = t.get_raw("/v1/usage").await;
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(resp.headers()["retry-after"], "1");
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["code"], "rate_limited");
    // The stalled bodies time out (400) and free their slots.
    for mut s in holders {
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(6), s.read_to_end(&mut buf)).await;
        assert!(
            String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 400"),
            "{}",
            String::from_utf8_lossy(&buf)
        );
    }
    still_serving(&t).await;
    t.stop().await;

    let t = TestServer::start_with(|c| c.limits.requests_per_second_per_key = 3).await;
    let mut codes = Vec::new();
    let mut retry_after = None;
    for _ in 0..5 {
        let resp = t.get_raw("/v1/usage").await;
        codes.push(resp.status().as_u16());
        assert_eq!(resp.headers()["x-ratelimit-limit"], "3");
        assert!(resp.headers().contains_key("x-ratelimit-remaining"));
        assert!(resp.headers().contains_key("x-ratelimit-reset"));
        if resp.status().as_u16() == 429 {
            retry_after = resp.headers().get("retry-after").cloned();
            let v: Value = resp.json().await.unwrap();
            assert_eq!(v["error"]["details"]["limit"], 3);
        }
    }
    assert_eq!(&codes[..3], &[200, 200, 200], "{codes:?}");
    assert_eq!(codes[4], 429, "{codes:?}");
    assert!(retry_after.is_some());
    t.stop().await;
}
