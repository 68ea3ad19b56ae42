//! Every validation rule, answered with Meta's error body and HTTP status, and counted as an
//! attempt without a delivery.

mod common;

use common::*;
use serde_json::json;
use svara_emulator::*;

async fn expect(
    emu: &Emulator,
    s: Send,
    status: u16,
    code: i64,
    subcode: Option<i64>,
) -> serde_json::Value {
    assert_graph_error(send(emu, s).await, status, code, subcode).await
}

#[tokio::test]
async fn token_errors() {
    let emu = start_unlimited().await;
    let c = client();
    let r = c
        .post(format!("{}/v25.0/me/messages", emu.base_url()))
        .multipart(Send::to(DEFAULT_PSID).form())
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 400, 104, None).await;
    let r = send_with_token(&emu, Send::to(DEFAULT_PSID), "EAAnot-a-token").await;
    let body = assert_graph_error(r, 400, 190, Some(467)).await;
    assert!(
        !body.to_string().contains("EAAnot-a-token"),
        "token echoed: {body}"
    );
    let r = send_with_token(&emu, Send::to(DEFAULT_PSID), EXPIRED_PAGE_TOKEN).await;
    let body = assert_graph_error(r, 400, 190, Some(463)).await;
    assert!(!body.to_string().contains(EXPIRED_PAGE_TOKEN));
    // A bad Bearer header is not rescued by anything else.
    let r = c
        .post(format!("{}/v25.0/me/messages", emu.base_url()))
        .bearer_auth("EAAnope")
        .multipart(Send::to(DEFAULT_PSID).form())
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 400, 190, Some(467)).await;
    let snap = emu.snapshot();
    assert_eq!(snap.delivered, 0);
    assert_eq!(snap.attempts_for(DEFAULT_PSID), 4);
}

#[tokio::test]
async fn recipient_errors() {
    let emu = start_unlimited().await;
    let body = expect(&emu, Send::to(PSID_UNKNOWN), 400, 100, Some(2_018_001)).await;
    assert_eq!(body["error"]["message"], "(#100) No matching user found");
    expect(
        &emu,
        Send::to(PSID_OUTSIDE_WINDOW),
        400,
        10,
        Some(2_018_278),
    )
    .await;
    let mut s = Send::to(PSID_OUTSIDE_WINDOW);
    s.messaging_type = Some("UPDATE");
    expect(&emu, s, 400, 10, Some(2_018_278)).await;
    let mut s = Send::to(PSID_OUTSIDE_HUMAN_AGENT_WINDOW);
    s.messaging_type = Some("MESSAGE_TAG");
    s.tag = Some("HUMAN_AGENT");
    expect(&emu, s, 400, 10, Some(2_018_278)).await;
    expect(&emu, Send::to(PSID_BLOCKED), 400, 551, Some(1_545_041)).await;
    expect(&emu, Send::to(PSID_UNAVAILABLE), 400, 10, Some(2_018_108)).await;
    let mut s = Send::to(DEFAULT_PSID);
    s.psid = None;
    let body = expect(&emu, s, 400, 100, None).await;
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("recipient"));
    let mut s = Send::to(DEFAULT_PSID);
    s.psid = None;
    s.extra.push((
        "recipient",
        json!({"phone_number": "+15550100"}).to_string(),
    ));
    expect(&emu, s, 400, 100, None).await;
    // PSIDs are Page-scoped: a PSID of one Page is unknown to another.
    let emu2 = start(EmulatorConfig::default().with_psid(PsidConfig {
        page_id: Some(SECOND_PAGE_ID.into()),
        ..PsidConfig::active("555")
    }))
    .await;
    expect(&emu2, Send::to("555"), 400, 100, Some(2_018_001)).await;
    assert_sent(
        send_with_token(&emu2, Send::to("555"), SECOND_PAGE_TOKEN).await,
        "555",
    )
    .await;
    assert_eq!(emu.snapshot().delivered, 0);
}

#[tokio::test]
async fn messaging_type_and_tag_errors() {
    let emu = start_unlimited().await;
    let mut s = Send::to(DEFAULT_PSID);
    s.messaging_type = Some("PROMOTION");
    expect(&emu, s, 400, 100, None).await;
    let mut s = Send::to(DEFAULT_PSID);
    s.messaging_type = Some("MESSAGE_TAG");
    expect(&emu, s, 400, 100, None).await;
    let mut s = Send::to(DEFAULT_PSID);
    s.messaging_type = Some("MESSAGE_TAG");
    s.tag = Some("SHIPPING_UPDATE");
    expect(&emu, s, 400, 100, None).await;
    for tag in [
        "CONFIRMED_EVENT_UPDATE",
        "ACCOUNT_UPDATE",
        "POST_PURCHASE_UPDATE",
    ] {
        // Retired tags fail even inside the window and even with RESPONSE.
        for mt in ["MESSAGE_TAG", "RESPONSE"] {
            let mut s = Send::to(DEFAULT_PSID);
            s.messaging_type = Some(mt);
            s.tag = Some(tag);
            let body = expect(&emu, s, 400, 100, None).await;
            assert!(body["error"]["message"].as_str().unwrap().contains(tag));
        }
    }
    let mut s = Send::to(DEFAULT_PSID);
    s.notification_type = Some("LOUD");
    expect(&emu, s, 400, 100, None).await;
    assert_eq!(emu.snapshot().delivered, 0);
}

#[tokio::test]
async fn file_part_errors() {
    let emu = start_unlimited().await;
    // No filename.
    let mut s = Send::to(DEFAULT_PSID);
    s.files[0].filename = None;
    expect(&emu, s, 400, 100, Some(2_018_005)).await;
    // No file at all.
    let mut s = Send::to(DEFAULT_PSID);
    s.files.clear();
    expect(&emu, s, 400, 100, Some(2_018_005)).await;
    // Two files.
    let mut s = Send::to(DEFAULT_PSID);
    s.files.push(FilePart::m4a());
    expect(&emu, s, 400, 100, Some(2_018_005)).await;
    // Declared type not audio.
    for ct in ["application/octet-stream", "video/mp4", "text/plain"] {
        let mut s = Send::to(DEFAULT_PSID);
        s.files[0].content_type = ct;
        expect(&emu, s, 400, 100, Some(2_018_047)).await;
    }
    // Declared audio/mp4 but the bytes are not audio: decoded, not trusted.
    for name in ["image.png", "page.html", "video-only.mp4", "random.bin"] {
        let mut s = Send::to(DEFAULT_PSID);
        s.files[0].bytes = fixture(name);
        let body = expect(&emu, s, 400, 100, Some(2_018_047)).await;
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Upload attachment failure"),
            "{name}: {body}"
        );
    }
    // An image attachment whose file is declared audio/mp4: the types do not match.
    let mut s = Send::to(DEFAULT_PSID);
    s.message = json!({"attachment": {"type": "image", "payload": {}}});
    expect(&emu, s, 400, 100, Some(2_018_047)).await;
    // A text message with a file part.
    let mut s = Send::to(DEFAULT_PSID);
    s.message = json!({"text": "hello"});
    expect(&emu, s, 400, 100, None).await;
    let snap = emu.snapshot();
    assert_eq!(snap.delivered, 0);
    assert_eq!(snap.attempts_for(DEFAULT_PSID), 12);
    assert_eq!(snap.rejected, 12);
    assert_eq!(snap.rejected_by_error["100/2018047"], 8);
}

#[tokio::test]
async fn over_25_mb_is_refused_with_2018109() {
    let emu = start_unlimited().await;
    let mut s = Send::to(DEFAULT_PSID);
    s.files[0].bytes = vec![0u8; 26_214_401];
    let body = expect(&emu, s, 400, 100, Some(2_018_109)).await;
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("26214400"));
    // Exactly at the limit is not "too large" (it fails later, as not audio).
    let mut s = Send::to(DEFAULT_PSID);
    s.files[0].bytes = vec![0u8; 26_214_400];
    expect(&emu, s, 400, 100, Some(2_018_047)).await;
}

#[tokio::test]
async fn unknown_and_foreign_attachment_ids() {
    let emu = start_unlimited().await;
    let msg = |id: &str| {
        json!({
            "recipient": {"id": DEFAULT_PSID},
            "messaging_type": "RESPONSE",
            "message": {"attachment": {"type": "audio", "payload": {"attachment_id": id}}}
        })
    };
    let r = post_json(&emu, "/v25.0/me/messages", msg("1234567890123456")).await;
    assert_graph_error(r, 400, 100, Some(2_018_074)).await;

    // An attachment saved by the second Page is foreign to the default Page.
    let mut s = Send::to(DEFAULT_PSID);
    s.message = json!({"attachment": {"type": "audio", "payload": {"is_reusable": true}}});
    let body = assert_sent(
        send_with_token(&emu, s, SECOND_PAGE_TOKEN).await,
        DEFAULT_PSID,
    )
    .await;
    let foreign = body["attachment_id"].as_str().unwrap();
    let r = post_json(&emu, "/v25.0/me/messages", msg(foreign)).await;
    assert_graph_error(r, 400, 100, Some(2_018_074)).await;
}

#[tokio::test]
async fn malformed_requests_and_unknown_paths() {
    let emu = start_unlimited().await;
    let c = client();
    let r = c
        .post(format!("{}/v25.0/me/messages", emu.base_url()))
        .query(&[("access_token", DEFAULT_PAGE_TOKEN)])
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 400, 100, None).await;
    let r = send_to_path(
        &emu,
        "/latest/me/messages",
        Send::to(DEFAULT_PSID),
        DEFAULT_PAGE_TOKEN,
    )
    .await;
    assert_graph_error(r, 400, 2500, None).await;
    let r = c
        .get(format!("{}/v25.0/me/feed", emu.base_url()))
        .send()
        .await
        .unwrap();
    let body = assert_graph_error(r, 400, 100, Some(33)).await;
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Unsupported get request"));
}

#[tokio::test]
async fn test_mode_accepts_any_token_and_psid_but_special_ones_still_fail() {
    let config = EmulatorConfig {
        accept_any_token: true,
        accept_any_psid: true,
        ..EmulatorConfig::default()
    }
    .with_rate_limit(0);
    let emu = start(config).await;
    // A made-up token and a made-up PSID: delivered, to a Page of that token's own.
    let r = send_with_token(&emu, Send::to("777000111"), "EAAmade-up-token-1").await;
    assert_sent(r, "777000111").await;
    let r = send_with_token(&emu, Send::to("777000111"), "EAAmade-up-token-2").await;
    assert_sent(r, "777000111").await;
    let snap = emu.snapshot();
    let pages: std::collections::BTreeSet<_> = snap
        .messages_for("777000111")
        .iter()
        .map(|m| m.page_id.clone())
        .collect();
    assert_eq!(pages.len(), 2, "two tokens, two Pages: {pages:?}");
    assert_eq!(
        EmulatorConfig::page_for_unknown_token("EAAmade-up-token-1").id,
        EmulatorConfig::page_for_unknown_token("EAAmade-up-token-1").id
    );
    // The documented special token and PSIDs keep failing as documented.
    let r = send_with_token(&emu, Send::to(DEFAULT_PSID), EXPIRED_PAGE_TOKEN).await;
    assert_graph_error(r, 400, 190, Some(463)).await;
    let r = send_with_token(&emu, Send::to(PSID_BLOCKED), "EAAmade-up-token-1").await;
    assert_graph_error(r, 400, 551, Some(1545041)).await;
    let r = send_with_token(&emu, Send::to(PSID_OUTSIDE_WINDOW), "EAAmade-up-token-1").await;
    assert_graph_error(r, 400, 10, Some(2018278)).await;
    // No token at all is still 104.
    let r = client()
        .post(format!("{}/v25.0/me/messages", emu.base_url()))
        .multipart(Send::to(DEFAULT_PSID).form())
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 400, 104, None).await;
}
