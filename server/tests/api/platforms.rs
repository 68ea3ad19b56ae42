//! `POST /v1/send` for every platform with a test key: the documented body with the platform's
//! session is queued, the worker sends it through the built-in emulator (one port serves the
//! four APIs) in the platform's native format, failures carry the documented code and the
//! platform's raw code, and no status or error shows a token.

use crate::support::*;
use serde_json::{json, Value};
use std::time::Duration;
use svara_emulator::{instagram, telegram, whatsapp};

fn body(t: &TestServer, platform: &str, recipient: &str, fixture: &str, session: Value) -> Value {
    json!({
        "platform": platform,
        "recipient": recipient,
        "audio_url": t.files.url(&format!("/f/{fixture}")),
        "session": session,
    })
}

async fn sent(t: &TestServer, b: &Value) -> Value {
    let (code, v) = t.send(b).await;
    assert_eq!(code, 202, "{v}");
    assert_eq!(v["platform"], b["platform"], "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    t.wait_final(&id, Duration::from_secs(30)).await
}

async fn every_platform_is_sent_in_its_native_format(db: Db) {
    let t = TestServer::start_on(db, |_| {}).await;

    let tg = sent(
        &t,
        &body(
            &t,
            "telegram",
            telegram::DEFAULT_CHAT_ID,
            "speech-stereo.mp3",
            json!({"bot_token": telegram::DEFAULT_BOT_TOKEN}),
        ),
    )
    .await;
    assert_eq!(tg["status"], "sent", "{tg}");
    assert_eq!(tg["audio"]["codec"], "opus", "{tg}");
    assert!(tg["attachment_id"].is_string(), "the file_id: {tg}");

    let wa = sent(
        &t,
        &body(
            &t,
            "whatsapp",
            whatsapp::DEFAULT_WA_ID,
            "speech.opus.webm",
            json!({"access_token": whatsapp::DEFAULT_WHATSAPP_TOKEN, "phone_number_id": whatsapp::DEFAULT_PHONE_NUMBER_ID}),
        ),
    )
    .await;
    assert_eq!(wa["status"], "sent", "{wa}");
    assert!(
        wa["message_id"].as_str().unwrap().starts_with("wamid."),
        "{wa}"
    );
    assert_eq!(wa["audio"]["codec"], "opus", "{wa}");

    let ig = sent(
        &t,
        &body(
            &t,
            "instagram",
            instagram::DEFAULT_IGSID,
            "speech-s16-16k.wav",
            json!({"access_token": instagram::DEFAULT_INSTAGRAM_TOKEN, "ig_user_id": instagram::DEFAULT_IG_USER_ID}),
        ),
    )
    .await;
    assert_eq!(ig["status"], "sent", "{ig}");
    assert_eq!(ig["audio"]["codec"], "aac-lc", "{ig}");

    let snap = t.emulator().snapshot();
    for (recipient, platform, status) in [
        (telegram::DEFAULT_CHAT_ID, "telegram", &tg),
        (whatsapp::DEFAULT_WA_ID, "whatsapp", &wa),
        (instagram::DEFAULT_IGSID, "instagram", &ig),
    ] {
        let notes = snap.messages_for(recipient);
        assert_eq!(notes.len(), 1, "exactly one note to {recipient}");
        assert_eq!(notes[0].platform, platform);
        assert!(notes[0].voice_note, "{platform}: a native voice note");
        assert_eq!(
            notes[0].message_id,
            status["message_id"].as_str().unwrap(),
            "{platform}"
        );
    }
    for s in [&tg, &wa, &ig] {
        let text = s.to_string();
        for secret in [
            telegram::DEFAULT_BOT_TOKEN,
            whatsapp::DEFAULT_WHATSAPP_TOKEN,
            instagram::DEFAULT_INSTAGRAM_TOKEN,
        ] {
            assert!(!text.contains(secret), "a token in a status: {text}");
        }
    }
    t.stop().await;
}
both_backends!(every_platform_is_sent_in_its_native_format);

async fn platform_failures_carry_the_code_and_the_platform_code(db: Db) {
    let t = TestServer::start_on(db, |_| {}).await;
    let tg = json!({"bot_token": telegram::DEFAULT_BOT_TOKEN});
    let wa = json!({"access_token": whatsapp::DEFAULT_WHATSAPP_TOKEN, "phone_number_id": whatsapp::DEFAULT_PHONE_NUMBER_ID});
    let cases = [
        (
            "telegram",
            telegram::CHAT_BLOCKED,
            tg.clone(),
            "message_not_allowed",
            403,
        ),
        (
            "telegram",
            // Test mode accepts any other chat id (like any other PSID): a chat that never
            // started the bot is refused.
            telegram::CHAT_NOT_STARTED,
            tg,
            "message_not_allowed",
            403,
        ),
        (
            "whatsapp",
            whatsapp::WA_ID_OUTSIDE_WINDOW,
            wa,
            "message_not_allowed",
            131047,
        ),
        (
            "whatsapp",
            whatsapp::DEFAULT_WA_ID,
            json!({"access_token": whatsapp::EXPIRED_WHATSAPP_TOKEN, "phone_number_id": whatsapp::DEFAULT_PHONE_NUMBER_ID}),
            "invalid_token",
            190,
        ),
    ];
    for (platform, recipient, session, code, raw) in cases {
        let s = sent(
            &t,
            &body(&t, platform, recipient, "speech-stereo.mp3", session),
        )
        .await;
        assert_eq!(s["status"], "failed", "{s}");
        assert_eq!(s["error"]["code"], code, "{platform} {recipient}: {s}");
        assert_eq!(s["error"]["platform"], platform, "{s}");
        assert_eq!(s["error"]["platform_code"], raw, "{s}");
        assert_eq!(s["error"]["may_have_been_delivered"], false, "{s}");
        let text = s.to_string();
        assert!(!text.contains("AAESvaraEmulatorBotToken"), "{text}");
        assert!(!text.contains("SvaraEmulatorWhatsAppToken"), "{text}");
    }
    t.stop().await;
}
both_backends!(platform_failures_carry_the_code_and_the_platform_code);

#[tokio::test]
async fn each_platform_session_is_checked_before_anything_is_queued() {
    let t = TestServer::start().await;
    // A WhatsApp session without its token names the key to add.
    let (code, v) = t
        .send(&body(
            &t,
            "whatsapp",
            whatsapp::DEFAULT_WA_ID,
            "speech-stereo.mp3",
            json!({"phone_number_id": whatsapp::DEFAULT_PHONE_NUMBER_ID}),
        ))
        .await;
    assert_eq!(code, 400, "{v}");
    assert_eq!(
        v["error"]["details"]["param"], "session.access_token",
        "{v}"
    );
    // Without phone_number_id the core says what is missing.
    let (code, v) = t
        .send(&body(
            &t,
            "whatsapp",
            whatsapp::DEFAULT_WA_ID,
            "speech-stereo.mp3",
            json!({"access_token": whatsapp::DEFAULT_WHATSAPP_TOKEN}),
        ))
        .await;
    assert_eq!(code, 400, "{v}");
    assert!(v.to_string().contains("phone_number_id"), "{v}");
    assert!(
        !v.to_string().contains(whatsapp::DEFAULT_WHATSAPP_TOKEN),
        "{v}"
    );
    // Another platform's key is refused, its value never echoed.
    let (code, v) = t
        .send(&body(
            &t,
            "telegram",
            telegram::DEFAULT_CHAT_ID,
            "speech-stereo.mp3",
            json!({"bot_token": telegram::DEFAULT_BOT_TOKEN, "page_access_token": "EAAleak-me"}),
        ))
        .await;
    assert_eq!(code, 400, "{v}");
    assert!(!v.to_string().contains("EAAleak-me"), "{v}");
    assert!(!v.to_string().contains(telegram::DEFAULT_BOT_TOKEN), "{v}");
    // The server chooses the Bot API's URL, like graph_url.
    let mut b = body(
        &t,
        "telegram",
        telegram::DEFAULT_CHAT_ID,
        "speech-stereo.mp3",
        json!({"bot_token": telegram::DEFAULT_BOT_TOKEN}),
    );
    b["telegram_url"] = json!("http://127.0.0.1:9");
    let (code, v) = t.send(&b).await;
    assert_eq!(code, 400, "{v}");
    assert_eq!(v["error"]["details"]["param"], "telegram_url", "{v}");
    // An unknown platform is still answered 422.
    let mut b = t.body(PSID, "speech-stereo.mp3");
    b["platform"] = json!("slack");
    let (code, v) = t.send(&b).await;
    assert_eq!(code, 422, "{v}");
    assert_eq!(t.emulator().snapshot().delivered, 0);
    t.stop().await;
}
