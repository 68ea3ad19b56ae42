//! The inspection endpoints: `GET /__emulator/messages` returns what `snapshot()` returns,
//! `POST /__emulator/reset` forgets it, `GET /__emulator/audio/{sha256}` returns the bytes.

mod common;

use common::*;
use serde_json::{json, Value};
use svara_emulator::*;

#[tokio::test]
async fn messages_endpoint_matches_snapshot_and_reset_clears_everything() {
    let emu = start_default().await;
    let sent = assert_sent(send(&emu, Send::to(DEFAULT_PSID)).await, DEFAULT_PSID).await;
    let r = send(&emu, Send::to(PSID_BLOCKED)).await;
    assert_graph_error(r, 400, 551, Some(1_545_041)).await;
    let mut s = Send::to(DEFAULT_PSID);
    s.message = json!({"attachment": {"type": "audio", "payload": {"is_reusable": true}}});
    assert_sent(send(&emu, s).await, DEFAULT_PSID).await;

    let c = client();
    let raw: Value = c
        .get(format!("{}/__emulator/messages", emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let over_http: Snapshot = serde_json::from_value(raw.clone()).expect("same structs");
    assert_eq!(over_http, emu.snapshot());
    assert_eq!(raw["attempts"], 3);
    assert_eq!(raw["delivered"], 2);
    assert_eq!(raw["recipients"][PSID_BLOCKED]["attempts"], 1);
    assert_eq!(raw["recipients"][PSID_BLOCKED]["messages"], json!([]));
    let m = &raw["recipients"][DEFAULT_PSID]["messages"][0];
    assert_eq!(m["message_id"], sent["message_id"]);
    for key in [
        "container",
        "codec",
        "sample_rate",
        "channels",
        "duration_ms",
        "size_bytes",
    ] {
        assert!(m["audio"].get(key).is_some(), "audio.{key} in {m}");
    }
    assert_eq!(m["filename"], "voice.m4a");
    assert_eq!(m["content_type"], "audio/mp4");
    assert_eq!(m["messaging_type"], "RESPONSE");
    assert_eq!(raw["attachments"].as_array().unwrap().len(), 1);

    let audio = c
        .get(format!(
            "{}/__emulator/audio/{}",
            emu.base_url(),
            m["sha256"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(audio.status(), 200);
    assert_eq!(audio.bytes().await.unwrap().as_ref(), m4a().as_slice());

    let r = c
        .post(format!("{}/__emulator/reset", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(emu.snapshot(), Snapshot::default());
    let gone = c
        .get(format!(
            "{}/__emulator/audio/{}",
            emu.base_url(),
            m["sha256"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    let health: Value = c
        .get(format!("{}/__emulator/health", emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
}

#[tokio::test]
async fn reset_from_rust_forgets_attachments_and_rate_windows() {
    let emu = start(EmulatorConfig::default().with_rate_limit(1)).await;
    let mut s = Send::to(DEFAULT_PSID);
    s.message = json!({"attachment": {"type": "audio", "payload": {"is_reusable": true}}});
    let body = assert_sent(send(&emu, s).await, DEFAULT_PSID).await;
    let id = body["attachment_id"].as_str().unwrap().to_owned();
    expect_send_error(&emu, DEFAULT_PSID, 613, None).await;
    emu.reset();
    let r = post_json(
        &emu,
        "/v25.0/me/messages",
        json!({
            "recipient": {"id": DEFAULT_PSID},
            "messaging_type": "RESPONSE",
            "message": {"attachment": {"type": "audio", "payload": {"attachment_id": id}}}
        }),
    )
    .await;
    // Not rate limited any more, and the attachment is forgotten.
    assert_graph_error(r, 400, 100, Some(2_018_074)).await;
}

#[tokio::test]
async fn upload_endpoint_saves_without_sending() {
    let emu = start_default().await;
    let form = reqwest::multipart::Form::new()
        .text(
            "message",
            json!({"attachment":{"type":"audio","payload":{"is_reusable":true}}}).to_string(),
        )
        .part(
            "filedata",
            reqwest::multipart::Part::bytes(m4a())
                .file_name("note.m4a")
                .mime_str("audio/mp4")
                .unwrap(),
        );
    let r = client()
        .post(format!(
            "{}/v25.0/{DEFAULT_PAGE_ID}/message_attachments",
            emu.base_url()
        ))
        .query(&[("access_token", DEFAULT_PAGE_TOKEN)])
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    let snap = emu.snapshot();
    assert_eq!(
        snap.attachments[0].attachment_id,
        body["attachment_id"].as_str().unwrap()
    );
    assert_eq!(snap.attachments[0].filename.as_deref(), Some("note.m4a"));
    assert_eq!(
        (snap.delivered, snap.attempts, snap.upload_attempts),
        (0, 0, 1)
    );
}

#[tokio::test]
async fn people_can_be_added_and_reopened_at_run_time() {
    let emu = start_unlimited().await;
    let c = client();
    expect_send_error(&emu, PSID_OUTSIDE_WINDOW, 10, Some(2_018_278)).await;
    expect_send_error(&emu, "777000", 100, Some(2_018_001)).await;

    // "The person just wrote to the Page": the window opens again.
    let r = c
        .post(format!("{}/__emulator/psids", emu.base_url()))
        .json(&json!({"id": PSID_OUTSIDE_WINDOW}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_sent(
        send(&emu, Send::to(PSID_OUTSIDE_WINDOW)).await,
        PSID_OUTSIDE_WINDOW,
    )
    .await;

    // A new person, from Rust; and one who blocks the Page later.
    emu.upsert_psid(PsidConfig::active("777000").last_message_ago(HumanDuration::hours(23)));
    assert_sent(send(&emu, Send::to("777000")).await, "777000").await;
    emu.upsert_psid(PsidConfig::active("777000").status(PsidStatus::Blocked));
    expect_send_error(&emu, "777000", 551, Some(1_545_041)).await;

    // Bad bodies are refused with a message.
    let r = c
        .post(format!("{}/__emulator/psids", emu.base_url()))
        .json(&json!({"id": "1", "page_id": "404"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("404"));

    // Reset returns to the configured people.
    emu.reset();
    expect_send_error(&emu, PSID_OUTSIDE_WINDOW, 10, Some(2_018_278)).await;
    expect_send_error(&emu, "777000", 100, Some(2_018_001)).await;
}
