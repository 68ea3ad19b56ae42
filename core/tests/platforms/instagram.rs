//! Instagram's messaging API (Instagram Login on the `graph.instagram.com` shape, and Facebook
//! Login with the linked Page's token) against the emulator.

use super::support::*;
use std::time::Duration;
use svara::{AudioSource, Client, ErrorCode, Platform, SendOptions, SendRequest};
use svara_emulator::instagram::*;
use svara_emulator::EmulatorConfig;

/// Instagram Login: the user token (sent as `Authorization: Bearer`) and the account id.
fn ig_login(base: &str, token: &str) -> Client {
    Client::builder(token)
        .platform(Platform::Instagram)
        .ig_user_id(DEFAULT_IG_USER_ID)
        .graph_url(base)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

#[tokio::test]
async fn recordings_arrive_as_m4a_aac_on_both_logins() {
    let emu = emulator(EmulatorConfig::default()).await;
    let login = ig_login(&emu.base_url(), DEFAULT_INSTAGRAM_TOKEN);
    // Facebook Login through the documented request body.
    let fb = |name: &str| {
        SendRequest::from_json(
            &serde_json::json!({
                "platform": "instagram",
                "recipient": IGSID_SECOND,
                "audio_path": super::audio_support::fixtures().join(name),
                "session": {"page_access_token": INSTAGRAM_PAGE_TOKEN},
                "graph_url": emu.base_url(),
            })
            .to_string(),
        )
        .unwrap()
    };
    for name in [WEBM, MP3, WAV] {
        let input = fixture(name);
        let sent = login
            .send(
                DEFAULT_IGSID,
                AudioSource::Bytes(input.clone()),
                &SendOptions::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(sent.platform, "instagram");
        assert!(
            sent.attachment_id.is_some(),
            "uploaded, then sent by attachment_id"
        );
        let via_page = svara::send(fb(name))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(via_page.recipient_id.as_deref(), Some(IGSID_SECOND));
        let snap = emu.snapshot();
        for (igsid, id) in [
            (DEFAULT_IGSID, &sent.message_id),
            (IGSID_SECOND, &via_page.message_id),
        ] {
            let d = snap.messages_for(igsid).last().unwrap();
            assert_eq!(d.platform, "instagram");
            assert_eq!(d.page_id, DEFAULT_IG_USER_ID, "the account sent it");
            assert_eq!(&d.message_id, id);
            assert!(d.voice_note);
            assert_m4a_aac_like(name, &input, &received(&emu, d));
        }
    }
    let m4a = fixture("speech-aac.m4a");
    let sent = login
        .send(
            DEFAULT_IGSID,
            AudioSource::Bytes(m4a.clone()),
            &SendOptions::default(),
        )
        .await
        .unwrap();
    assert!(!sent.converted);
    let snap = emu.snapshot();
    assert_eq!(
        received(&emu, snap.messages_for(DEFAULT_IGSID).last().unwrap()),
        m4a
    );
}

#[tokio::test]
async fn errors_map_onto_the_documented_codes() {
    let emu = emulator(EmulatorConfig::default()).await;
    let c = ig_login(&emu.base_url(), DEFAULT_INSTAGRAM_TOKEN);
    let up = c
        .upload(
            AudioSource::Bytes(fixture("speech-aac.m4a")),
            &SendOptions::default(),
        )
        .await
        .unwrap();
    let id = || AudioSource::AttachmentId(up.attachment_id.clone());
    let o = SendOptions::default();
    for (igsid, code, raw) in [
        (IGSID_UNKNOWN, ErrorCode::RecipientNotFound, 100),
        (IGSID_OUTSIDE_WINDOW, ErrorCode::MessageNotAllowed, 10),
        (IGSID_BLOCKED, ErrorCode::MessageNotAllowed, 551),
        (IGSID_UNAVAILABLE, ErrorCode::MessageNotAllowed, 200),
    ] {
        let e = c.send(igsid, id(), &o).await.unwrap_err();
        assert_error(&e, code, Platform::Instagram, raw);
        assert!(e.fbtrace_id().is_some());
    }
    let e = c.send(IGSID_UNKNOWN, id(), &o).await.unwrap_err();
    assert_eq!(e.graph_subcode(), Some(2_534_014));
    // HUMAN_AGENT opens the 7-day window.
    let tagged = SendOptions {
        messaging_type: svara::MessagingType::MessageTag,
        tag: Some("HUMAN_AGENT".into()),
        ..SendOptions::default()
    };
    c.send(IGSID_OUTSIDE_WINDOW, id(), &tagged)
        .await
        .expect("HUMAN_AGENT within 7 days");
    let e = ig_login(&emu.base_url(), EXPIRED_INSTAGRAM_TOKEN)
        .send(DEFAULT_IGSID, id(), &o)
        .await
        .unwrap_err();
    assert_error(&e, ErrorCode::InvalidToken, Platform::Instagram, 190);
    assert_no_secret(EXPIRED_INSTAGRAM_TOKEN, &e);

    let mut tight = EmulatorConfig::default();
    tight.rate_limit.audio_sends_per_second = 1;
    let emu = emulator(tight).await;
    let c = Client::builder(DEFAULT_INSTAGRAM_TOKEN)
        .platform(Platform::Instagram)
        .ig_user_id(DEFAULT_IG_USER_ID)
        .graph_url(emu.base_url())
        .max_retries(0)
        .build()
        .unwrap();
    let up = c
        .upload(AudioSource::Bytes(fixture("speech-aac.m4a")), &o)
        .await
        .unwrap();
    let id = || AudioSource::AttachmentId(up.attachment_id.clone());
    c.send(DEFAULT_IGSID, id(), &o).await.unwrap();
    let e = c.send(IGSID_SECOND, id(), &o).await.unwrap_err();
    assert_error(&e, ErrorCode::RateLimited, Platform::Instagram, 613);
    assert_eq!(e.graph_subcode(), Some(2_534_040));
}

#[tokio::test]
async fn send_many_uploads_once() {
    let emu = emulator(EmulatorConfig::default()).await;
    let c = ig_login(&emu.base_url(), DEFAULT_INSTAGRAM_TOKEN);
    let recipients = vec![DEFAULT_IGSID.to_owned(), IGSID_SECOND.to_owned()];
    let outcomes = c
        .send_many(
            &recipients,
            AudioSource::Bytes(fixture(WAV)),
            &SendOptions::default(),
        )
        .await
        .unwrap();
    assert!(outcomes.iter().all(|o| o.result.is_ok()));
    let snap = emu.snapshot();
    assert_eq!(snap.upload_attempts, 1);
    assert_eq!(snap.attachments.len(), 1);
    assert_eq!(snap.attachments[0].platform, "instagram");
    assert_eq!(snap.delivered, 2);
}
