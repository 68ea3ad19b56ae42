//! The SSRF guard of `audio_url`: loopback, private, link-local and unspecified addresses are
//! refused by default, for names (at resolution, where the connection is made) and literals
//! (before the request), on every redirect too. Each refusal is checked against a listener that
//! must see no connection at all: nothing is sent to a refused address.

use crate::support::*;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A listener on 127.0.0.1 that only counts connections.
async fn trap() -> (u16, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let n = Arc::new(AtomicUsize::new(0));
    let seen = n.clone();
    let task = tokio::spawn(async move {
        while let Ok((_s, _)) = l.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
        }
    });
    (port, n, task)
}

fn with_url(t: &TestServer, url: &str) -> serde_json::Value {
    let mut b = t.body(PSID, "x");
    b["audio_url"] = json!(url);
    b
}

#[tokio::test]
async fn private_addresses_are_refused_before_any_connection() {
    let (port, connections, trap_task) = trap().await;
    let t = TestServer::start().await;
    // Literals: refused synchronously, 422.
    for url in [
        format!("http://127.0.0.1:{port}/a.m4a"),
        format!("http://[::1]:{port}/a.m4a"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://10.0.0.1/a.m4a".to_owned(),
        "http://0.0.0.0/a.m4a".to_owned(),
        format!("http://[::ffff:127.0.0.1]:{port}/a.m4a"),
        format!("http://2130706433:{port}/a.m4a"),
    ] {
        let (code, v) = t.send(&with_url(&t, &url)).await;
        assert_eq!(code, 422, "{url}: {v}");
        assert_eq!(v["error"]["details"]["param"], "audio_url");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("--allow-private-urls"),
            "{v}"
        );
    }
    // A name is resolved when the connection is made: the resolver refuses, the job fails.
    let (code, v) = t
        .send(&with_url(&t, &format!("http://localhost:{port}/a.m4a")))
        .await;
    assert_eq!(code, 202, "{v}");
    let s = t
        .wait_final(v["id"].as_str().unwrap(), Duration::from_secs(20))
        .await;
    assert_eq!(s["status"], "failed");
    assert_eq!(s["error"]["code"], "audio_fetch_failed", "{s}");
    assert!(
        s["error"]["message"].as_str().unwrap().contains("loopback"),
        "{s}"
    );
    // A dry run says so at once.
    let mut dry = with_url(&t, &format!("http://localhost:{port}/a.m4a"));
    dry["dry_run"] = json!(true);
    let (code, v) = t.send(&dry).await;
    assert_eq!(code, 422, "{v}");
    // Redirects from an allowed origin are re-checked: to a literal and to a name.
    for to in [
        format!("http://127.0.0.1:{port}/a.m4a"),
        format!("http://localhost:{port}/a.m4a"),
        "http://169.254.169.254/latest/meta-data/iam".to_owned(),
    ] {
        let url = format!("{}?to={to}", t.files.url("/redirect"));
        let (code, v) = t.send(&with_url(&t, &url)).await;
        assert_eq!(code, 202, "{v}");
        let s = t
            .wait_final(v["id"].as_str().unwrap(), Duration::from_secs(20))
            .await;
        assert_eq!(s["error"]["code"], "audio_fetch_failed", "{to}: {s}");
        assert!(
            s["error"]["message"].as_str().unwrap().contains("refused")
                || s["error"]["message"].as_str().unwrap().contains("loopback"),
            "{s}"
        );
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "nothing reached the refused address"
    );
    t.stop().await;
    trap_task.abort();
}

#[tokio::test]
async fn allow_private_urls_opens_the_guard() {
    let t = TestServer::start_with(|c| {
        c.url_policy.allow_private = true;
        c.url_policy.allowed_origins.clear();
    })
    .await;
    let url = format!("http://localhost:{}/f/speech-aac.m4a", t.files.addr.port());
    let (code, v) = t.send(&with_url(&t, &url)).await;
    assert_eq!(code, 202, "{v}");
    let s = t
        .wait_final(v["id"].as_str().unwrap(), Duration::from_secs(20))
        .await;
    assert_eq!(s["status"], "sent", "{s}");
    assert_eq!(s["audio"]["converted"], false, "AAC M4A passes through");
    t.stop().await;
}
