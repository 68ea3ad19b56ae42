//! `GET /metrics`: the Prometheus names the README documents, with values that follow what
//! happened (sends by outcome code and platform, latency histograms, queue depth from the
//! database), and `SVARA_METRICS_TOKEN` guarding it when set.

use crate::support::*;
use serde_json::json;
use std::time::Duration;

async fn scrape(t: &TestServer, token: Option<&str>) -> (u16, String) {
    let mut r = t.http.get(format!("{}/metrics", t.url));
    if let Some(tok) = token {
        r = r.bearer_auth(tok);
    }
    let resp = r.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn metrics_follow_what_happened(db: Db) {
    let t = TestServer::start_on(db, |_| {}).await;
    let (_, ok) = t.send(&t.body(&new_psid(), "speech.opus.ogg")).await;
    let mut bad = t.body(&new_psid(), "speech-aac.m4a");
    bad["session"]["page_access_token"] = json!(svara_emulator::EXPIRED_PAGE_TOKEN);
    let (_, failed) = t.send(&bad).await;
    for v in [&ok, &failed] {
        t.wait_final(v["id"].as_str().unwrap(), Duration::from_secs(30))
            .await;
    }
    let (code, text) = scrape(&t, None).await;
    assert_eq!(code, 200);
    for needle in [
        "# TYPE svara_sends counter",
        r#"svara_sends_total{platform="messenger",outcome="sent"} 1"#,
        r#"svara_sends_total{platform="messenger",outcome="invalid_token"} 1"#,
        r#"svara_queue_depth{status="queued"} 0"#,
        r#"svara_queue_depth{status="sending"} 0"#,
        r#"svara_conversion_seconds_count{platform="messenger"}"#,
        r#"svara_send_seconds_count{platform="messenger"}"#,
        r#"svara_pacing_wait_seconds_count{platform="messenger"}"#,
        r#"svara_lease_rescues_total{queue="jobs",outcome="failed"} 0"#,
        r#"svara_webhook_deliveries_total{outcome="failed"} 0"#,
        r#"svara_receipts_total{platform="messenger",kind="read"} 0"#,
        r#"svara_webhook_queue_depth{status="pending"} 0"#,
    ] {
        assert!(text.contains(needle), "{needle} in:\n{text}");
    }
    // Nothing secret in it.
    assert!(!text.contains(&t.key) && !text.contains(TOKEN));
    t.stop().await;

    let t = TestServer::start_on(db, |c| {
        c.metrics_token = Some(secret("scrape-token-123"));
        c.worker.enabled = false;
    })
    .await;
    assert_eq!(scrape(&t, None).await.0, 401);
    assert_eq!(scrape(&t, Some("wrong")).await.0, 401);
    // Three notes queued, none sent: the depth comes from the database.
    for _ in 0..3 {
        t.send(&t.body(&new_psid(), "speech-aac.m4a")).await;
    }
    let (code, text) = scrape(&t, Some("scrape-token-123")).await;
    assert_eq!(code, 200);
    assert!(
        text.contains(r#"svara_queue_depth{status="queued"} 3"#),
        "{text}"
    );
    t.stop().await;
}
both_backends!(metrics_follow_what_happened);
