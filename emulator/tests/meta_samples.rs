//! Meta's own published curl samples (Send API, Quick Start, Send a Message, Sender Actions,
//! Saving Assets), run with the real `curl` exactly as the docs print them, except that the
//! placeholders a reader fills in are filled in: the host (our emulator), the token, the
//! PSID, the Page id, the version, the asset type, the local file path and the asset URL
//! (Meta's `messenger-rocks.com` becomes a file server on 127.0.0.1).
//!
//! Two samples on these pages cannot run anywhere and are not here: "Send a saved asset" and
//! "Upload and send in one step" mix `-d` with `-F`, which curl itself refuses ("You can only
//! select one HTTP request method"), and the Attachment Upload API's "Save from file" sample
//! is the Send API sample again.

mod common;
#[path = "meta_samples/samples.rs"]
mod samples;

use common::*;
use serde_json::Value;
use svara_emulator::*;

/// Fills the placeholders of `sample` and runs it with `sh`; returns curl's stdout as JSON.
async fn run(sample: &str, emu: &Emulator, files: &str, keep_token_typo: bool) -> Value {
    let fixture = root().join("tests/fixtures/image.png");
    let mut s = sample.replace("https://graph.facebook.com", &emu.base_url());
    if !keep_token_typo {
        // The Sender Actions sample ends its token placeholder with a stray ';'.
        s = s.replace("PAGE-ACCESS_TOKEN;", DEFAULT_PAGE_TOKEN);
    }
    for (from, to) in [
        ("{PAGE_ACCESS_TOKEN}", DEFAULT_PAGE_TOKEN),
        ("<PAGE_ACCESS_TOKEN>", DEFAULT_PAGE_TOKEN),
        ("{PAGE-ACCESS-TOKEN}", DEFAULT_PAGE_TOKEN),
        ("PAGE-ACCESS_TOKEN", DEFAULT_PAGE_TOKEN),
        ("{PSID}", DEFAULT_PSID),
        ("<PSID>", DEFAULT_PSID),
        // The PSID printed in the Send a Message samples.
        ("1254459154682919", DEFAULT_PSID),
        ("{PAGE_ID}", DEFAULT_PAGE_ID),
        ("<PAGE_ID>", DEFAULT_PAGE_ID),
        ("{PAGE-ID}", DEFAULT_PAGE_ID),
        ("/PAGE-ID/", &format!("/{DEFAULT_PAGE_ID}/")),
        ("<API_VERSION>", "v25.0"),
        ("/VERSION/", "/v25.0/"),
        ("<ASSET_TYPE>", "image"),
        ("/tmp/shirt.png", fixture.to_str().unwrap()),
        (
            "http://www.messenger-rocks.com/image.jpg",
            &format!("{files}/image.jpg"),
        ),
    ] {
        s = s.replace(from, to);
    }
    assert!(
        !s.contains("graph.facebook.com") && !s.contains("messenger-rocks"),
        "only 127.0.0.1 is ever called: {s}"
    );
    let script = s.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .output()
    })
    .await
    .unwrap()
    .expect("sh and curl run");
    assert!(out.status.success(), "curl failed: {out:?}\n{s}");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[tokio::test]
async fn text_samples_are_delivered() {
    let files = serve_files().await;
    let emu = start_default().await;
    for (sample, text) in [
        (samples::SEND_API_TEXT, "hello, world"),
        (samples::QUICK_START_TEXT, "You did it!"),
        (samples::SEND_A_MESSAGE_TEXT, "Hello, world!"),
    ] {
        let body = run(sample, &emu, &files, false).await;
        assert_eq!(body["recipient_id"], DEFAULT_PSID, "{body}");
        assert!(body["message_id"].as_str().unwrap().starts_with("m_"));
        let d = emu.deliveries().pop().unwrap();
        assert_eq!(d.kind, MessageKind::Text);
        assert_eq!(d.text.as_deref(), Some(text));
        assert_eq!(d.messaging_type, "RESPONSE");
        assert_eq!(d.page_id, DEFAULT_PAGE_ID);
    }
}

#[tokio::test]
async fn image_by_url_without_messaging_type_is_delivered_and_saved() {
    let files = serve_files().await;
    let emu = start_default().await;
    let body = run(samples::SEND_A_MESSAGE_IMAGE_URL, &emu, &files, false).await;
    assert_eq!(body["recipient_id"], DEFAULT_PSID, "{body}");
    let id = body["attachment_id"].as_str().expect("is_reusable: true");
    let d = emu.deliveries().pop().unwrap();
    assert_eq!(d.kind, MessageKind::Image);
    assert_eq!(d.messaging_type, "", "the sample sends no messaging_type");
    assert_eq!(d.attachment_id.as_deref(), Some(id));
    assert_eq!(d.url_public, Some(false));
}

#[tokio::test]
async fn sender_action_sample_answers_190_as_printed_and_works_without_its_typo() {
    let files = serve_files().await;
    let emu = start_default().await;
    // As printed, the URL ends `access_token=PAGE-ACCESS_TOKEN;`: the ';' becomes part of
    // the token, which Meta would refuse too.
    let body = run(samples::SENDER_ACTION_TYPING_ON, &emu, &files, true).await;
    assert_eq!(body["error"]["code"], 190, "{body}");
    assert_eq!(body["error"]["error_subcode"], 467);
    let body = run(samples::SENDER_ACTION_TYPING_ON, &emu, &files, false).await;
    assert_eq!(body, serde_json::json!({"recipient_id": DEFAULT_PSID}));
    let d = emu.deliveries().pop().unwrap();
    assert_eq!(d.kind, MessageKind::SenderAction);
    assert_eq!(d.sender_action.as_deref(), Some("typing_on"));
}

#[tokio::test]
async fn saving_assets_samples_save_reusable_attachments() {
    let files = serve_files().await;
    let emu = start_default().await;
    // Multipart upload-and-send, with the zero-width space the docs put in `message`.
    assert!(samples::SAVING_ASSETS_FROM_FILE.contains('\u{200b}'));
    let body = run(samples::SAVING_ASSETS_FROM_FILE, &emu, &files, false).await;
    assert_eq!(body["recipient_id"], DEFAULT_PSID, "{body}");
    let saved = body["attachment_id"].as_str().unwrap().to_owned();
    let d = emu.deliveries().pop().unwrap();
    assert_eq!(d.kind, MessageKind::Image);
    assert_eq!(d.filename.as_deref(), Some("image.png"));
    assert_eq!(d.content_type.as_deref(), Some("image/png"));
    // The Attachment Upload API from a URL, on v2.10 (retired: served by the oldest
    // available version).
    let body = run(samples::SAVING_ASSETS_UPLOAD_FROM_URL, &emu, &files, false).await;
    let id = body["attachment_id"].as_str().expect("attachment_id");
    assert_ne!(id, saved);
    let snap = emu.snapshot();
    let att = snap
        .attachments
        .iter()
        .find(|a| a.attachment_id == id)
        .unwrap();
    assert!(att.reusable);
    assert_eq!(att.kind, MessageKind::Image);
    assert_eq!(att.origin, AudioOrigin::Url);
    assert_eq!(snap.upload_attempts, 1);
}
