//! The core send path over real HTTP: builder -> multipart send -> result, against the Graph
//! API emulator, and the multipart body exactly as a server receives it.

mod client_support;

use client_support::*;
use svara::{
    AudioSource, Client, ErrorCode, MessagingType, NotificationType, SendOptions, SendRequest,
    Session, TokenPlacement,
};
use svara_emulator::{
    AudioOrigin, EmulatorConfig, DEFAULT_PAGE_ID, DEFAULT_PAGE_TOKEN, DEFAULT_PSID,
    DEV_MODE_PAGE_TOKEN, EXPIRED_PAGE_TOKEN, PSID_APP_TESTER, PSID_BLOCKED, PSID_OUTSIDE_WINDOW,
    PSID_SECOND, PSID_UNAVAILABLE, PSID_UNKNOWN, SECOND_PAGE_TOKEN,
};

#[tokio::test]
async fn sends_an_m4a_voice_note_to_the_emulator() {
    let emu = emulator(EmulatorConfig::default()).await;
    let client = emulator_client(&emu);
    let res = client
        .send(
            DEFAULT_PSID,
            AudioSource::Bytes(sample_m4a()),
            &SendOptions::default(),
        )
        .await
        .expect("sent");
    assert!(res.id.starts_with("m_"), "{res:?}");
    assert_eq!(res.id, res.message_id);
    assert_eq!(res.recipient_id.as_deref(), Some(DEFAULT_PSID));
    assert!(!res.converted, "an AAC M4A passes through");
    assert_eq!(res.attachment_id, None);
    let output = res.output.expect("output info");
    assert_eq!(output.codec, "aac-lc");
    let delivered = emu.snapshot();
    let msgs = delivered.messages_for(DEFAULT_PSID);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].message_id, res.id);
    assert_eq!(msgs[0].origin, Some(AudioOrigin::Upload));
    assert_eq!(msgs[0].messaging_type, "RESPONSE");
    assert_eq!(msgs[0].content_type.as_deref(), Some("audio/mp4"));
    assert!(msgs[0].filename.as_deref().unwrap().ends_with(".m4a"));
    assert_eq!(msgs[0].api_version, "v25.0");
    // The emulator decoded what it received: the same recording, byte for byte.
    assert_eq!(msgs[0].size_bytes, Some(sample_m4a().len() as u64));
}

#[tokio::test]
async fn path_source_page_id_and_options_reach_the_emulator() {
    let emu = emulator(EmulatorConfig::default()).await;
    let client = builder(&emu.base_url(), DEFAULT_PAGE_TOKEN)
        .page_id(DEFAULT_PAGE_ID)
        .api_version("v24.0")
        .build()
        .unwrap();
    let opts = SendOptions {
        messaging_type: MessagingType::MessageTag,
        tag: Some("HUMAN_AGENT".into()),
        notification_type: Some(NotificationType::SilentPush),
        ..SendOptions::default()
    };
    let res = client
        .send(
            PSID_OUTSIDE_WINDOW,
            AudioSource::Path(SAMPLE_M4A.into()),
            &opts,
        )
        .await
        .expect("HUMAN_AGENT works outside the 24 h window");
    let snap = emu.snapshot();
    let m = &snap.messages_for(PSID_OUTSIDE_WINDOW)[0];
    assert_eq!(m.message_id, res.id);
    assert_eq!(m.page_id, DEFAULT_PAGE_ID);
    assert_eq!(m.api_version, "v24.0");
    assert_eq!(m.messaging_type, "MESSAGE_TAG");
    assert_eq!(m.tag.as_deref(), Some("HUMAN_AGENT"));
    assert_eq!(m.notification_type.as_deref(), Some("SILENT_PUSH"));
}

#[tokio::test]
async fn bearer_header_placement_works_too() {
    let emu = emulator(EmulatorConfig::default()).await;
    let client = builder(&emu.base_url(), DEFAULT_PAGE_TOKEN)
        .token_placement(TokenPlacement::BearerHeader)
        .build()
        .unwrap();
    client
        .send(
            DEFAULT_PSID,
            AudioSource::Bytes(sample_m4a()),
            &SendOptions::default(),
        )
        .await
        .expect("sent with the Authorization header");
    assert_eq!(emu.snapshot().messages_for(DEFAULT_PSID).len(), 1);
}

#[tokio::test]
async fn upload_once_then_send_by_attachment_id() {
    let emu = emulator(EmulatorConfig::default()).await;
    let client = emulator_client(&emu);
    let up = client
        .upload(AudioSource::Bytes(sample_m4a()), &SendOptions::default())
        .await
        .expect("uploaded");
    assert!(!up.attachment_id.is_empty());
    assert!(!up.converted);
    for psid in [DEFAULT_PSID, PSID_SECOND] {
        let r = client
            .send(
                psid,
                AudioSource::AttachmentId(up.attachment_id.clone()),
                &SendOptions::default(),
            )
            .await
            .expect("sent by id");
        assert_eq!(r.attachment_id.as_deref(), Some(up.attachment_id.as_str()));
    }
    let snap = emu.snapshot();
    assert_eq!(snap.attachments.len(), 1);
    let m = &snap.messages_for(PSID_SECOND)[0];
    assert_eq!(m.origin, Some(AudioOrigin::AttachmentId));
    assert_eq!(m.attachment_id.as_deref(), Some(up.attachment_id.as_str()));

    // An attachment of another Page is refused (100/2018074).
    let other = builder(&emu.base_url(), SECOND_PAGE_TOKEN).build().unwrap();
    let e = other
        .send(
            DEFAULT_PSID,
            AudioSource::AttachmentId(up.attachment_id),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidRequest, "{e}");
    assert_eq!(
        (e.graph_code(), e.graph_subcode()),
        (Some(100), Some(2018074))
    );
}

#[tokio::test]
async fn reusable_send_returns_the_attachment_id() {
    let emu = emulator(EmulatorConfig::default()).await;
    let client = emulator_client(&emu);
    let opts = SendOptions {
        reusable: true,
        ..SendOptions::default()
    };
    let r = client
        .send(DEFAULT_PSID, AudioSource::Bytes(sample_m4a()), &opts)
        .await
        .unwrap();
    let id = r.attachment_id.expect("is_reusable gives an attachment_id");
    client
        .send(
            PSID_SECOND,
            AudioSource::AttachmentId(id),
            &SendOptions::default(),
        )
        .await
        .expect("the saved attachment is reusable");
}

#[tokio::test]
async fn emulator_refusals_arrive_as_documented_codes() {
    let emu = emulator(EmulatorConfig::default()).await;
    let base = emu.base_url();
    let audio = || AudioSource::Bytes(sample_m4a());
    let o = SendOptions::default();
    let ok = emulator_client(&emu);

    let cases: Vec<(Client, &str, SendOptions, ErrorCode)> = vec![
        (
            builder(&base, EXPIRED_PAGE_TOKEN).build().unwrap(),
            DEFAULT_PSID,
            o.clone(),
            ErrorCode::InvalidToken,
        ),
        (
            builder(&base, "EAAnotAtokenAtAll").build().unwrap(),
            DEFAULT_PSID,
            o.clone(),
            ErrorCode::InvalidToken,
        ),
        (
            ok.clone(),
            PSID_UNKNOWN,
            o.clone(),
            ErrorCode::RecipientNotFound,
        ),
        (
            ok.clone(),
            PSID_OUTSIDE_WINDOW,
            o.clone(),
            ErrorCode::MessageNotAllowed,
        ),
        (
            ok.clone(),
            PSID_BLOCKED,
            o.clone(),
            ErrorCode::MessageNotAllowed,
        ),
        (
            ok.clone(),
            PSID_UNAVAILABLE,
            o.clone(),
            ErrorCode::MessageNotAllowed,
        ),
        (
            ok.clone(),
            DEFAULT_PSID,
            SendOptions {
                messaging_type: MessagingType::MessageTag,
                tag: Some("ACCOUNT_UPDATE".into()),
                ..SendOptions::default()
            },
            ErrorCode::MessageNotAllowed,
        ),
        (
            builder(&base, DEV_MODE_PAGE_TOKEN).build().unwrap(),
            DEFAULT_PSID,
            o.clone(),
            ErrorCode::PermissionDenied,
        ),
    ];
    for (client, psid, opts, want) in cases {
        let e = client.send(psid, audio(), &opts).await.unwrap_err();
        assert_eq!(e.code(), want, "{psid}: {e}");
        assert!(e.graph_code().is_some(), "{e:?}");
        assert!(e.fbtrace_id().is_some(), "{e:?}");
        assert!(e.http_status().is_some_and(|s| s >= 400), "{e:?}");
        assert!(!e.may_have_been_delivered());
    }
    // The dev-mode app may message its tester.
    builder(&base, DEV_MODE_PAGE_TOKEN)
        .build()
        .unwrap()
        .send(PSID_APP_TESTER, audio(), &o)
        .await
        .expect("testers can be messaged");
    assert_eq!(
        emu.snapshot().deliveries().len(),
        1,
        "nothing else was delivered"
    );
}

#[tokio::test]
async fn appsecret_proof_is_sent_and_verified() {
    let emu = emulator(EmulatorConfig::default().with_app_secret("s3cr3t-app")).await;
    let audio = || AudioSource::Bytes(sample_m4a());
    let o = SendOptions::default();
    let good = builder(&emu.base_url(), DEFAULT_PAGE_TOKEN)
        .app_secret("s3cr3t-app")
        .build()
        .unwrap();
    good.send(DEFAULT_PSID, audio(), &o)
        .await
        .expect("valid proof");
    let wrong = builder(&emu.base_url(), DEFAULT_PAGE_TOKEN)
        .app_secret("another-secret")
        .build()
        .unwrap();
    let e = wrong.send(DEFAULT_PSID, audio(), &o).await.unwrap_err();
    assert!(e.graph_code().is_some(), "Meta-shaped refusal: {e:?}");
    let none = emulator_client(&emu);
    let e2 = none.send(DEFAULT_PSID, audio(), &o).await.unwrap_err();
    assert!(e2.graph_code().is_some(), "{e2:?}");
    assert_eq!(emu.snapshot().deliveries().len(), 1);

    // The exact proof on the wire: lowercase hex HMAC-SHA256(app_secret, token).
    let mock = MockGraph::start(Reply::sent("m_1")).await;
    builder(&mock.url(), "EAAtokenForProof")
        .app_secret("key")
        .build()
        .unwrap()
        .send(DEFAULT_PSID, audio(), &o)
        .await
        .unwrap();
    let parts = mock.captured()[0].parts().await;
    let proof = parts
        .iter()
        .find(|p| p.name == "appsecret_proof")
        .expect("proof part");
    assert_eq!(
        proof.data,
        svara_emulator::appsecret_proof("key", "EAAtokenForProof").as_bytes()
    );
    assert_eq!(
        std::str::from_utf8(&proof.data).unwrap(),
        svara::appsecret_proof(&"key".into(), &"EAAtokenForProof".into())
    );
}

#[tokio::test]
async fn multipart_body_as_received() {
    let mock = MockGraph::start(Reply::sent("m_abc")).await;
    let client = builder(&mock.url(), "EAAmultipartToken").build().unwrap();
    let res = client
        .send(
            DEFAULT_PSID,
            AudioSource::Bytes(sample_m4a()),
            &SendOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(res.id, "m_abc");
    let reqs = mock.captured();
    assert_eq!(reqs.len(), 1);
    let req = &reqs[0];
    assert_eq!(req.path, "/v25.0/me/messages");
    assert!(!req.path.contains("EAAmultipartToken"));
    assert!(req.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("multipart/form-data; boundary="));
    assert!(req.headers["user-agent"]
        .to_str()
        .unwrap()
        .starts_with("svara/"));
    let parts = req.parts().await;
    let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "access_token",
            "recipient",
            "messaging_type",
            "message",
            "filedata"
        ]
    );
    let get = |n: &str| parts.iter().find(|p| p.name == n).unwrap();
    assert_eq!(get("access_token").data, "EAAmultipartToken");
    let recipient: serde_json::Value = serde_json::from_slice(&get("recipient").data).unwrap();
    assert_eq!(recipient, serde_json::json!({ "id": DEFAULT_PSID }));
    assert_eq!(get("messaging_type").data, "RESPONSE");
    let message: serde_json::Value = serde_json::from_slice(&get("message").data).unwrap();
    assert_eq!(
        message,
        serde_json::json!({"attachment": {"type": "audio", "payload": {}}})
    );
    let file = get("filedata");
    assert!(file.file_name.as_deref().unwrap().ends_with(".m4a"));
    assert_eq!(file.content_type.as_deref(), Some("audio/mp4"));
    assert_eq!(file.data, sample_m4a(), "passed through byte for byte");
    let info = svara::verify_m4a_aac(&file.data).expect("a playable M4A with an AAC track");
    assert_eq!(info.codec, "aac-lc");
    for p in &parts {
        if p.name != "filedata" {
            assert_eq!(p.file_name, None, "{} is a plain field", p.name);
        }
    }

    // Options appear as their own parts; is_reusable only when asked; no token with Bearer.
    mock.reset();
    let opts = SendOptions {
        messaging_type: MessagingType::MessageTag,
        tag: Some("HUMAN_AGENT".into()),
        notification_type: Some(NotificationType::NoPush),
        reusable: true,
        ..SendOptions::default()
    };
    builder(&mock.url(), "EAAmultipartToken")
        .token_placement(TokenPlacement::BearerHeader)
        .build()
        .unwrap()
        .send(DEFAULT_PSID, AudioSource::Bytes(sample_m4a()), &opts)
        .await
        .unwrap();
    let req = &mock.captured()[0];
    assert_eq!(req.headers["authorization"], "Bearer EAAmultipartToken");
    let parts = req.parts().await;
    let get = |n: &str| parts.iter().find(|p| p.name == n).map(|p| p.data.clone());
    assert_eq!(get("access_token"), None);
    assert_eq!(get("messaging_type").unwrap(), "MESSAGE_TAG");
    assert_eq!(get("tag").unwrap(), "HUMAN_AGENT");
    assert_eq!(get("notification_type").unwrap(), "NO_PUSH");
    let message: serde_json::Value = serde_json::from_slice(&get("message").unwrap()).unwrap();
    assert_eq!(
        message["attachment"]["payload"],
        serde_json::json!({"is_reusable": true})
    );
}

#[tokio::test]
async fn send_by_attachment_id_is_a_small_json_body() {
    let mock = MockGraph::start(Reply::sent("m_json")).await;
    builder(&mock.url(), "EAAjsonToken")
        .page_id("12345")
        .build()
        .unwrap()
        .send(
            DEFAULT_PSID,
            AudioSource::AttachmentId("att_9".into()),
            &SendOptions::default(),
        )
        .await
        .unwrap();
    let req = &mock.captured()[0];
    assert_eq!(req.path, "/v25.0/12345/messages");
    assert_eq!(req.headers["content-type"], "application/json");
    assert_eq!(
        req.json(),
        serde_json::json!({
            "recipient": {"id": DEFAULT_PSID},
            "messaging_type": "RESPONSE",
            "message": {"attachment": {"type": "audio", "payload": {"attachment_id": "att_9"}}},
            "access_token": "EAAjsonToken",
        })
    );
}

#[tokio::test]
async fn bad_calls_fail_locally_with_fix_it_messages() {
    let mock = MockGraph::start(Reply::sent("m_never")).await;
    let client = builder(&mock.url(), "EAAtoken").build().unwrap();
    let audio = || AudioSource::Bytes(sample_m4a());
    let e = client
        .send("  ", audio(), &SendOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidRequest);
    assert!(e.message().contains("PSID"), "{e}");
    let tagless = SendOptions {
        messaging_type: MessagingType::MessageTag,
        ..SendOptions::default()
    };
    let e = client
        .send(DEFAULT_PSID, audio(), &tagless)
        .await
        .unwrap_err();
    assert!(e.message().contains("HUMAN_AGENT"), "{e}");
    let stray_tag = SendOptions {
        tag: Some("HUMAN_AGENT".into()),
        ..SendOptions::default()
    };
    let e = client
        .send(DEFAULT_PSID, audio(), &stray_tag)
        .await
        .unwrap_err();
    assert!(e.message().contains("MESSAGE_TAG"), "{e}");
    let e = client
        .send(
            DEFAULT_PSID,
            AudioSource::Bytes(b"definitely not audio".to_vec()),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnsupportedAudio, "{e}");
    let e = client
        .send(
            DEFAULT_PSID,
            AudioSource::Bytes(vec![0; 26_214_401]),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AudioTooLarge, "{e}");
    let e = Client::builder("")
        .graph_url(mock.url())
        .build()
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidRequest);
    assert_eq!(mock.hits(), 0, "nothing reached the network");
}

#[tokio::test]
async fn the_documented_request_body_sends() {
    let emu = emulator(EmulatorConfig::default()).await;
    let json = serde_json::json!({
        "platform": "messenger",
        "recipient": DEFAULT_PSID,
        "audio_path": SAMPLE_M4A,
        "session": {"page_access_token": DEFAULT_PAGE_TOKEN},
        "graph_url": emu.base_url(),
        "messaging_type": "UPDATE",
        "timeout_ms": 20000,
        "max_retries": 1,
    })
    .to_string();
    let request = SendRequest::from_json(&json).unwrap();
    let result = svara::send(request).await.expect("sent");
    assert_eq!(
        emu.snapshot().messages_for(DEFAULT_PSID)[0].message_id,
        result.id
    );
    assert_eq!(
        emu.snapshot().messages_for(DEFAULT_PSID)[0].messaging_type,
        "UPDATE"
    );

    let bytes_request = SendRequest {
        recipient: PSID_SECOND.into(),
        audio: Some(sample_m4a().into()),
        session: Session {
            page_access_token: Some(DEFAULT_PAGE_TOKEN.into()),
            ..Session::default()
        },
        graph_url: Some(emu.base_url()),
        ..SendRequest::default()
    };
    svara::send(bytes_request).await.expect("bytes source");
    assert_eq!(emu.snapshot().messages_for(PSID_SECOND).len(), 1);

    let telegram = SendRequest::from_json(
        r#"{"platform":"telegram","recipient":"1","audio_url":"https://x/y.m4a","session":{"page_access_token":"t"}}"#,
    )
    .unwrap();
    let e = svara::send(telegram).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidRequest);
    assert!(
        e.message()
            .contains("session.page_access_token is not used on telegram"),
        "{e}"
    );
}
