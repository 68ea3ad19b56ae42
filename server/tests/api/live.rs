//! Live keys against a Graph server on 127.0.0.1 (the emulator standing in for Meta, as
//! `SVARA_GRAPH_URL` would point at it): each documented error code arrives as `status: failed`
//! with that `error.code`, nothing is sent twice, and test and live keys never cross.

use crate::support::*;
use serde_json::json;
use std::time::Duration;
use svara_emulator::{
    EmulatorConfig, FaultKind, FaultRule, DEFAULT_PAGE_TOKEN, DEFAULT_PSID, DEV_MODE_PAGE_TOKEN,
    EXPIRED_PAGE_TOKEN, PSID_BLOCKED, PSID_OUTSIDE_WINDOW, PSID_SECOND, PSID_UNAVAILABLE,
    PSID_UNKNOWN,
};

const LIVE: &str = "sk_live_standInForMetaCCCCCCCCCCCC";
const TEST: &str = "sk_test_neverReachesMetaDDDDDDDDDD";
const FLAKY_PSID: &str = "6128493027189001";
const DROPPED_PSID: &str = "6128493027189002";

async fn every_documented_error_code_arrives_as_failed(db: Db) {
    let meta = meta(
        EmulatorConfig::default()
            .with_psid(svara_emulator::PsidConfig::active(FLAKY_PSID))
            .with_psid(svara_emulator::PsidConfig::active(DROPPED_PSID))
            .with_fault(FaultRule {
                psids: vec![FLAKY_PSID.into()],
                ..FaultRule::always(FaultKind::Error1200)
            })
            .with_fault(FaultRule {
                psids: vec![DROPPED_PSID.into()],
                ..FaultRule::always(FaultKind::DropAfterBody)
            }),
    )
    .await;
    let t = TestServer::start_on(db, |c| {
        c.api_keys = vec![secret(LIVE), secret(TEST)];
        c.live_graph_url = meta.base_url();
    })
    .await;
    let body = |psid: &str, token: &str, fixture: &str| {
        let mut b = t.body(psid, fixture);
        b["session"]["page_access_token"] = json!(token);
        b["max_retries"] = json!(0);
        b
    };
    let cases = vec![
        (
            "sent",
            body(DEFAULT_PSID, DEFAULT_PAGE_TOKEN, "speech.opus.webm"),
        ),
        (
            "invalid_token",
            body(DEFAULT_PSID, EXPIRED_PAGE_TOKEN, "speech-aac.m4a"),
        ),
        (
            "invalid_token",
            body(DEFAULT_PSID, "EAAnot-a-token-of-any-page", "speech-aac.m4a"),
        ),
        (
            "recipient_not_found",
            body(PSID_UNKNOWN, DEFAULT_PAGE_TOKEN, "speech-aac.m4a"),
        ),
        (
            "message_not_allowed",
            body(PSID_OUTSIDE_WINDOW, DEFAULT_PAGE_TOKEN, "speech-aac.m4a"),
        ),
        (
            "message_not_allowed",
            body(PSID_BLOCKED, DEFAULT_PAGE_TOKEN, "speech-aac.m4a"),
        ),
        (
            "message_not_allowed",
            body(PSID_UNAVAILABLE, DEFAULT_PAGE_TOKEN, "speech-aac.m4a"),
        ),
        (
            "permission_denied",
            body(DEFAULT_PSID, DEV_MODE_PAGE_TOKEN, "speech-aac.m4a"),
        ),
        (
            "unsupported_audio",
            body(DEFAULT_PSID, DEFAULT_PAGE_TOKEN, "random.bin"),
        ),
        ("audio_fetch_failed", {
            let mut b = body(DEFAULT_PSID, DEFAULT_PAGE_TOKEN, "x");
            b["audio_url"] = json!(t.files.url("/missing"));
            b
        }),
        ("audio_too_large", {
            let mut b = body(DEFAULT_PSID, DEFAULT_PAGE_TOKEN, "x");
            b["audio_url"] = json!(t.files.url("/big"));
            b
        }),
        (
            "temporary_failure",
            body(FLAKY_PSID, DEFAULT_PAGE_TOKEN, "speech-aac.m4a"),
        ),
        (
            "network_error",
            body(DROPPED_PSID, DEFAULT_PAGE_TOKEN, "speech-aac.m4a"),
        ),
        ("invalid_request", {
            let mut b = body(PSID_SECOND, DEFAULT_PAGE_TOKEN, "x");
            b.as_object_mut().unwrap().remove("audio_url");
            b["attachment_id"] = json!("999999999999");
            b
        }),
    ];
    let mut ids = Vec::new();
    for (expected, b) in &cases {
        let (code, v) = t.post("/v1/send", Some(LIVE), b).await;
        assert_eq!(code, 202, "{expected}: {v}");
        ids.push(v["id"].as_str().unwrap().to_owned());
    }
    for ((expected, _), id) in cases.iter().zip(&ids) {
        let s = wait_final(&t.http, &t.url, LIVE, id, Duration::from_secs(30)).await;
        assert_eq!(s["mode"], "live");
        if *expected == "sent" {
            assert_eq!(s["status"], "sent", "{s}");
            continue;
        }
        assert_eq!(s["status"], "failed", "{expected}: {s}");
        assert_eq!(s["error"]["code"], *expected, "{s}");
        let maybe = s["error"]["may_have_been_delivered"].as_bool().unwrap();
        assert_eq!(maybe, *expected == "network_error", "{s}");
    }
    // The dropped connection delivered (Meta got it) and was never sent again.
    let snap = meta.snapshot();
    assert_eq!(snap.messages_for(DROPPED_PSID).len(), 1);
    assert_eq!(snap.attempts_for(DROPPED_PSID), 1, "never retried");
    assert_eq!(snap.messages_for(DEFAULT_PSID).len(), 1);
    let s = wait_final(&t.http, &t.url, LIVE, &ids[0], Duration::from_secs(1)).await;
    assert_eq!(
        snap.messages_for(DEFAULT_PSID)[0].message_id,
        s["message_id"].as_str().unwrap()
    );
    // Meta's details survive: the expired token's (190, 463).
    let s = wait_final(&t.http, &t.url, LIVE, &ids[1], Duration::from_secs(1)).await;
    assert_eq!(s["error"]["graph_code"], 190);
    assert_eq!(s["error"]["graph_subcode"], 463);
    assert!(s["error"]["fbtrace_id"].is_string());
    // Nothing of this went to the test emulator.
    assert_eq!(t.emulator().snapshot().attempts, 0);
    t.stop().await;
}
both_backends!(every_documented_error_code_arrives_as_failed);

async fn rate_limited_after_meta_answers_613(db: Db) {
    // Meta allows one send a second here (uploads do not count): of two notes to two people
    // of one Page, the first send takes the second's budget, the other gets 613.
    let meta = meta(EmulatorConfig::default().with_rate_limit(1)).await;
    let t = TestServer::start_on(db, |c| {
        c.api_keys = vec![secret(LIVE)];
        c.live_graph_url = meta.base_url();
    })
    .await;
    let mut ids = Vec::new();
    for psid in [DEFAULT_PSID, PSID_SECOND] {
        let mut b = t.body(psid, "speech-aac.m4a");
        b["session"]["page_access_token"] = json!(DEFAULT_PAGE_TOKEN);
        b["max_retries"] = json!(0);
        let (code, v) = t.send(&b).await;
        assert_eq!(code, 202);
        ids.push(v["id"].as_str().unwrap().to_owned());
    }
    let mut statuses = Vec::new();
    for id in &ids {
        statuses.push(t.wait_final(id, Duration::from_secs(20)).await);
    }
    let sent: Vec<_> = statuses.iter().filter(|s| s["status"] == "sent").collect();
    let failed: Vec<_> = statuses
        .iter()
        .filter(|s| s["status"] == "failed")
        .collect();
    assert_eq!((sent.len(), failed.len()), (1, 1), "{statuses:?}");
    let s = failed[0];
    assert_eq!(s["error"]["code"], "rate_limited", "{s}");
    assert_eq!(s["error"]["graph_code"], 613);
    assert!(s["error"]["retry_after"].as_f64().unwrap() > 0.0);
    assert_eq!(meta.snapshot().delivered, 1);
    t.stop().await;
}
both_backends!(rate_limited_after_meta_answers_613);

async fn test_keys_never_reach_meta_and_live_keys_never_the_emulator(db: Db) {
    let meta = meta(EmulatorConfig::default()).await;
    let t = TestServer::start_on(db, |c| {
        c.api_keys = vec![secret(LIVE), secret(TEST)];
        c.live_graph_url = meta.base_url();
    })
    .await;
    let mut live_ids = Vec::new();
    let mut test_ids = Vec::new();
    for i in 0..4 {
        let mut b = t.body(DEFAULT_PSID, "speech-aac.m4a");
        b["session"]["page_access_token"] = json!(DEFAULT_PAGE_TOKEN);
        b["recipient"] = json!(if i % 2 == 0 {
            DEFAULT_PSID
        } else {
            PSID_SECOND
        });
        let (code, v) = t.post("/v1/send", Some(LIVE), &b).await;
        assert_eq!(code, 202);
        live_ids.push(v["id"].as_str().unwrap().to_owned());
        let (code, v) = t.post("/v1/send", Some(TEST), &b).await;
        assert_eq!(code, 202);
        test_ids.push(v["id"].as_str().unwrap().to_owned());
    }
    let mut live_mids = Vec::new();
    for id in &live_ids {
        let s = wait_final(&t.http, &t.url, LIVE, id, Duration::from_secs(20)).await;
        assert_eq!(
            (s["status"].as_str(), s["mode"].as_str()),
            (Some("sent"), Some("live"))
        );
        live_mids.push(s["message_id"].as_str().unwrap().to_owned());
    }
    let mut test_mids = Vec::new();
    for id in &test_ids {
        let s = wait_final(&t.http, &t.url, TEST, id, Duration::from_secs(20)).await;
        assert_eq!(
            (s["status"].as_str(), s["mode"].as_str()),
            (Some("sent"), Some("test"))
        );
        test_mids.push(s["message_id"].as_str().unwrap().to_owned());
    }
    let at_meta: Vec<String> = meta
        .deliveries()
        .into_iter()
        .map(|d| d.message_id)
        .collect();
    let at_emulator: Vec<String> = t
        .emulator()
        .deliveries()
        .into_iter()
        .map(|d| d.message_id)
        .collect();
    assert_eq!(at_meta.len(), 4);
    assert_eq!(at_emulator.len(), 4);
    for m in &live_mids {
        assert!(at_meta.contains(m) && !at_emulator.contains(m));
    }
    for m in &test_mids {
        assert!(at_emulator.contains(m) && !at_meta.contains(m));
    }
    // Each key sees only its own notes.
    let (code, _) = t
        .get(&format!("/v1/status/{}", live_ids[0]), Some(TEST))
        .await;
    assert_eq!(code, 404);
    t.stop().await;
}
both_backends!(test_keys_never_reach_meta_and_live_keys_never_the_emulator);
