//! Meta's 10 audio sends per second per Page: error 613 with `X-Business-Use-Case-Usage`,
//! a sliding window, counted per Page.

mod common;

use common::*;
use serde_json::Value;
use std::time::{Duration, Instant};
use svara_emulator::*;

fn usage(resp: &reqwest::Response, page: &str) -> Value {
    let h = resp
        .headers()
        .get(BUC_HEADER)
        .expect("X-Business-Use-Case-Usage header")
        .to_str()
        .unwrap();
    let v: Value = serde_json::from_str(h).expect("header is JSON");
    v[page][0].clone()
}

#[tokio::test]
async fn eleventh_send_in_the_window_gets_613_with_the_usage_header() {
    // The default limit (10 per Page) over a 3-second window, so that a slow machine still
    // sends the first eleven inside it.
    let mut config = EmulatorConfig::default();
    assert_eq!(config.rate_limit.audio_sends_per_second, 10);
    assert_eq!(config.rate_limit.window, HumanDuration::secs(1));
    config.rate_limit.window = HumanDuration::secs(3);
    let emu = start(config).await;
    let t0 = Instant::now();
    for i in 1..=10u64 {
        let r = send(&emu, Send::to(DEFAULT_PSID)).await;
        assert_eq!(usage(&r, DEFAULT_PAGE_ID)["call_count"], i * 10);
        assert_sent(r, DEFAULT_PSID).await;
    }
    let r = send(&emu, Send::to(DEFAULT_PSID)).await;
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "eleven sends took {:?}",
        t0.elapsed()
    );
    let u = usage(&r, DEFAULT_PAGE_ID);
    assert_eq!(u["call_count"], 100);
    assert_eq!(u["type"], "messenger");
    assert_eq!(
        u["estimated_time_to_regain_access"], 0,
        "minutes, under one"
    );
    let body = assert_graph_error(r, 400, 613, None).await;
    assert_eq!(body["error"]["is_transient"], true);
    // Another Page has its own budget.
    let r = send_with_token(&emu, Send::to(DEFAULT_PSID), SECOND_PAGE_TOKEN).await;
    assert_sent(r, DEFAULT_PSID).await;
    // Once the window has slid past the first sends, sends are accepted again.
    tokio::time::sleep(
        Duration::from_secs(3).saturating_sub(t0.elapsed()) + Duration::from_millis(100),
    )
    .await;
    assert_sent(send(&emu, Send::to(DEFAULT_PSID)).await, DEFAULT_PSID).await;
    let snap = emu.snapshot();
    assert_eq!(snap.delivered, 12);
    assert_eq!(
        snap.attempts_for(DEFAULT_PSID),
        13,
        "10 + refused + other Page + after the slide"
    );
}

#[tokio::test]
async fn concurrent_burst_admits_exactly_the_limit() {
    // A 60-second window makes the count independent of machine speed.
    let mut config = EmulatorConfig::default().with_rate_limit(10);
    config.rate_limit.window = HumanDuration::secs(60);
    config.rate_limit.regain_access_minutes = None;
    let emu = start(config).await;
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let url = emu.base_url();
            tokio::spawn(async move {
                let r = client()
                    .post(format!("{url}/v25.0/me/messages"))
                    .query(&[("access_token", DEFAULT_PAGE_TOKEN)])
                    .multipart(Send::to(DEFAULT_PSID).form())
                    .send()
                    .await
                    .unwrap();
                let regain = usage(&r, DEFAULT_PAGE_ID)["estimated_time_to_regain_access"].clone();
                (
                    r.status().as_u16(),
                    r.json::<Value>().await.unwrap(),
                    regain,
                )
            })
        })
        .collect();
    let mut ok = 0;
    let mut limited = 0;
    for t in tasks {
        let (status, body, regain) = t.await.unwrap();
        if status == 200 {
            ok += 1;
        } else {
            assert_eq!(body["error"]["code"], 613, "{body}");
            assert!(regain.as_u64().unwrap() <= 1, "{regain}");
            limited += 1;
        }
    }
    assert_eq!((ok, limited), (10, 30));
    let snap = emu.snapshot();
    assert_eq!(snap.delivered, 10);
    assert_eq!(snap.attempts_for(DEFAULT_PSID), 40);
}

#[tokio::test]
async fn forced_regain_minutes_and_disabled_limit() {
    let mut config = EmulatorConfig::default().with_rate_limit(1);
    config.rate_limit.regain_access_minutes = Some(5);
    let emu = start(config).await;
    assert_sent(send(&emu, Send::to(DEFAULT_PSID)).await, DEFAULT_PSID).await;
    let r = send(&emu, Send::to(DEFAULT_PSID)).await;
    assert_eq!(
        usage(&r, DEFAULT_PAGE_ID)["estimated_time_to_regain_access"],
        5
    );
    assert_graph_error(r, 400, 613, None).await;

    let emu = start_unlimited().await;
    for _ in 0..25 {
        assert_sent(send(&emu, Send::to(DEFAULT_PSID)).await, DEFAULT_PSID).await;
    }
}
