//! Successful sends: every request shape and every place Meta accepts the token, and what the
//! emulator records about each.

mod common;

use common::*;
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};
use svara_emulator::*;

#[tokio::test]
async fn multipart_send_is_delivered_and_recorded() {
    let emu = start_default().await;
    let mut s = Send::to(DEFAULT_PSID);
    s.notification_type = Some("SILENT_PUSH");
    let body = assert_sent(send(&emu, s).await, DEFAULT_PSID).await;
    assert!(body.get("attachment_id").is_none(), "not reusable: {body}");

    let snap = emu.snapshot();
    assert_eq!(snap.delivered, 1);
    assert_eq!(snap.attempts, 1);
    assert_eq!(snap.attempts_for(DEFAULT_PSID), 1);
    let d = &snap.messages_for(DEFAULT_PSID)[0];
    assert_eq!(d.message_id, body["message_id"].as_str().unwrap());
    assert_eq!(d.page_id, DEFAULT_PAGE_ID);
    assert_eq!(d.messaging_type, "RESPONSE");
    assert_eq!(d.notification_type.as_deref(), Some("SILENT_PUSH"));
    assert_eq!(d.tag, None);
    assert_eq!(d.kind, MessageKind::Audio);
    assert_eq!(d.origin, Some(AudioOrigin::Upload));
    assert!(d.voice_note, "AAC in M4A is a voice note");
    assert_eq!(d.filename.as_deref(), Some("voice.m4a"));
    assert_eq!(d.content_type.as_deref(), Some("audio/mp4"));
    assert_eq!(d.api_version, "v25.0");
    let audio = d.audio.as_ref().expect("audio info");
    assert_eq!(audio.container, "mp4");
    assert!(
        audio.codec.starts_with("aac") || audio.codec == "he-aac",
        "{}",
        audio.codec
    );
    assert_eq!(audio.size_bytes, m4a().len() as u64);
    assert!(audio.duration_ms > 500, "{audio:?}");
    let sha = d.sha256.as_deref().unwrap();
    assert_eq!(emu.audio(sha).as_deref(), Some(m4a().as_slice()));
    assert_eq!(emu.deliveries(), vec![d.clone()]);
}

#[tokio::test]
async fn token_is_accepted_in_every_place_meta_accepts_it() {
    let emu = start_default().await;
    let c = client();
    let url = format!("{}/v25.0/me/messages", emu.base_url());

    // Query string.
    assert_sent(send(&emu, Send::to(DEFAULT_PSID)).await, DEFAULT_PSID).await;

    // Multipart form field.
    let mut s = Send::to(DEFAULT_PSID);
    s.token_field = Some(DEFAULT_PAGE_TOKEN.into());
    let r = c.post(&url).multipart(s.form()).send().await.unwrap();
    assert_sent(r, DEFAULT_PSID).await;

    // Authorization: Bearer.
    let r = c
        .post(&url)
        .bearer_auth(DEFAULT_PAGE_TOKEN)
        .multipart(Send::to(DEFAULT_PSID).form())
        .send()
        .await
        .unwrap();
    assert_sent(r, DEFAULT_PSID).await;

    // JSON body field (with a reusable attachment id as the audio).
    let up = c
        .post(format!("{}/v25.0/me/message_attachments", emu.base_url()))
        .bearer_auth(DEFAULT_PAGE_TOKEN)
        .multipart(
            Form::new()
                .text(
                    "message",
                    json!({"attachment":{"type":"audio","payload":{"is_reusable":true}}})
                        .to_string(),
                )
                .part(
                    "filedata",
                    Part::bytes(m4a())
                        .file_name("v.m4a")
                        .mime_str("audio/mp4")
                        .unwrap(),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), 200);
    let id = up.json::<Value>().await.unwrap()["attachment_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = c
        .post(&url)
        .json(&json!({
            "access_token": DEFAULT_PAGE_TOKEN,
            "recipient": {"id": DEFAULT_PSID},
            "messaging_type": "UPDATE",
            "message": {"attachment": {"type": "audio", "payload": {"attachment_id": id}}}
        }))
        .send()
        .await
        .unwrap();
    assert_sent(r, DEFAULT_PSID).await;

    // URL-encoded form with JSON-valued fields.
    let r = c
        .post(&url)
        .form(&[
            ("access_token", DEFAULT_PAGE_TOKEN.to_owned()),
            ("recipient", json!({"id": DEFAULT_PSID}).to_string()),
            ("messaging_type", "RESPONSE".to_owned()),
            (
                "message",
                json!({"attachment":{"type":"audio","payload":{"attachment_id": id}}}).to_string(),
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_sent(r, DEFAULT_PSID).await;

    let snap = emu.snapshot();
    assert_eq!(snap.delivered, 5);
    assert_eq!(snap.attempts_for(DEFAULT_PSID), 5);
    assert_eq!(snap.upload_attempts, 1);
}

#[tokio::test]
async fn page_id_path_unversioned_path_and_foreign_page_id() {
    let emu = start_default().await;
    let r = send_to_path(
        &emu,
        &format!("/v24.0/{DEFAULT_PAGE_ID}/messages"),
        Send::to(DEFAULT_PSID),
        DEFAULT_PAGE_TOKEN,
    )
    .await;
    assert_sent(r, DEFAULT_PSID).await;
    let r = send_to_path(
        &emu,
        "/me/messages",
        Send::to(DEFAULT_PSID),
        DEFAULT_PAGE_TOKEN,
    )
    .await;
    assert_sent(r, DEFAULT_PSID).await;
    let versions: Vec<String> = emu
        .deliveries()
        .into_iter()
        .map(|d| d.api_version)
        .collect();
    assert_eq!(versions, vec!["v24.0".to_owned(), String::new()]);

    // The default token used on another Page's path.
    let r = send_to_path(
        &emu,
        &format!("/v25.0/{SECOND_PAGE_ID}/messages"),
        Send::to(DEFAULT_PSID),
        DEFAULT_PAGE_TOKEN,
    )
    .await;
    let body = assert_graph_error(r, 400, 100, Some(33)).await;
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains(SECOND_PAGE_ID));
    assert_eq!(emu.snapshot().delivered, 2);
}

#[tokio::test]
async fn reusable_upload_returns_attachment_id_and_it_can_be_reused() {
    let emu = start_default().await;
    let mut s = Send::to(DEFAULT_PSID);
    s.message = json!({"attachment": {"type": "audio", "payload": {"is_reusable": true}}});
    let body = assert_sent(send(&emu, s).await, DEFAULT_PSID).await;
    let id = body["attachment_id"]
        .as_str()
        .expect("attachment_id")
        .to_owned();
    assert_eq!(id.len(), 16);
    assert!(id.bytes().all(|b| b.is_ascii_digit()));

    let r = post_json(
        &emu,
        "/v25.0/me/messages",
        json!({
            "recipient": {"id": PSID_SECOND},
            "messaging_type": "RESPONSE",
            "message": {"attachment": {"type": "audio", "payload": {"attachment_id": id}}}
        }),
    )
    .await;
    let second = assert_sent(r, PSID_SECOND).await;
    assert!(second.get("attachment_id").is_none());

    let snap = emu.snapshot();
    assert_eq!(snap.attachments.len(), 1);
    assert_eq!(snap.attachments[0].attachment_id, id);
    assert_eq!(snap.attachments[0].page_id, DEFAULT_PAGE_ID);
    let reused = &snap.messages_for(PSID_SECOND)[0];
    assert_eq!(reused.origin, Some(AudioOrigin::AttachmentId));
    assert_eq!(reused.attachment_id.as_deref(), Some(id.as_str()));
    assert_eq!(reused.sha256, snap.messages_for(DEFAULT_PSID)[0].sha256);
    assert_eq!(reused.filename.as_deref(), Some("voice.m4a"));
}

#[tokio::test]
async fn human_agent_tag_reaches_a_person_outside_24_hours() {
    let emu = start_default().await;
    let mut s = Send::to(PSID_OUTSIDE_WINDOW);
    s.messaging_type = Some("MESSAGE_TAG");
    s.tag = Some("HUMAN_AGENT");
    assert_sent(send(&emu, s).await, PSID_OUTSIDE_WINDOW).await;
    let d = &emu.snapshot().messages_for(PSID_OUTSIDE_WINDOW)[0].clone();
    assert_eq!(d.messaging_type, "MESSAGE_TAG");
    assert_eq!(d.tag.as_deref(), Some("HUMAN_AGENT"));
}

#[tokio::test]
async fn dev_mode_app_may_message_its_testers_only() {
    let emu = start_default().await;
    let r = send_with_token(&emu, Send::to(PSID_APP_TESTER), DEV_MODE_PAGE_TOKEN).await;
    assert_sent(r, PSID_APP_TESTER).await;
    let r = send_with_token(&emu, Send::to(DEFAULT_PSID), DEV_MODE_PAGE_TOKEN).await;
    assert_graph_error(r, 400, 200, Some(2_018_028)).await;
}
