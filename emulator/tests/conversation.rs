//! A bot's whole Send API traffic, not only voice notes: sender actions, text, images, video,
//! files, templates, quick replies, any decodable audio — each accepted with Meta's
//! validation and recorded in `/__emulator/messages` with its kind, in order.

mod common;

use common::*;
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};
use svara_emulator::*;

fn text(psid: &str, t: &str) -> Value {
    json!({"recipient": {"id": psid}, "messaging_type": "RESPONSE", "message": {"text": t}})
}

#[tokio::test]
async fn a_bot_conversation_is_recorded_in_order_with_its_kinds() {
    let emu = start_default().await;
    let p = DEFAULT_PSID;
    // Sender actions carry no messaging_type and get no message id.
    for action in ["mark_seen", "typing_on"] {
        let r = post_json(
            &emu,
            "/v25.0/me/messages",
            json!({"recipient": {"id": p}, "sender_action": action}),
        )
        .await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body, json!({"recipient_id": p}), "{action}");
    }
    let r = post_json(&emu, "/v25.0/me/messages", text(p, "Here is your note")).await;
    let hello = assert_sent(r, p).await;
    assert_sent(send(&emu, Send::to(p)).await, p).await;
    let r = post_json(
        &emu,
        "/v25.0/me/messages",
        json!({"recipient": {"id": p}, "sender_action": "typing_off"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let button = json!({"recipient": {"id": p}, "message": {"attachment": {"type": "template", "payload": {
        "template_type": "button", "text": "Did it play?",
        "buttons": [{"type": "postback", "title": "Yes", "payload": "YES"}]}}}});
    assert_sent(post_json(&emu, "/v25.0/me/messages", button).await, p).await;
    let quick = json!({"recipient": {"id": p}, "message": {"text": "Rate it",
        "quick_replies": [{"content_type": "text", "title": "Good", "payload": "G"}]}});
    assert_sent(post_json(&emu, "/v25.0/me/messages", quick).await, p).await;

    let (raw, _) = messages_json(&emu.base_url()).await;
    let log = raw["recipients"][p]["messages"].as_array().unwrap();
    let kinds: Vec<&str> = log.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "sender_action",
            "sender_action",
            "text",
            "audio",
            "sender_action",
            "template",
            "text"
        ]
    );
    let seqs: Vec<u64> = log.iter().map(|m| m["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=7).collect::<Vec<_>>(), "in order");
    assert_eq!(log[0]["sender_action"], "mark_seen");
    assert_eq!(log[0]["message_id"], "");
    assert_eq!(log[0]["messaging_type"], "", "no messaging_type sent");
    assert_eq!(log[2]["text"], "Here is your note");
    assert_eq!(log[2]["message_id"], hello["message_id"]);
    assert_eq!(log[3]["voice_note"], true);
    assert_eq!(log[5]["template_type"], "button");
    assert_eq!(log[6]["quick_replies"][0]["payload"], "G");
    assert_eq!(raw["delivered"], 7);
    let snap = emu.snapshot();
    assert_eq!(snap.deliveries().len(), 7);
    assert_eq!(snap.attempts_for(p), 7);
}

#[tokio::test]
async fn any_decodable_audio_is_accepted_and_the_record_says_what_it_is() {
    let emu = start_unlimited().await;
    for (name, ct, codec, voice) in [
        ("speech-stereo.mp3", "audio/mpeg", "mp3", false),
        ("speech-s16-16k.wav", "audio/wav", "pcm_s16le", false),
        ("speech.opus.ogg", "audio/ogg", "opus", false),
        ("speech-aac.m4a", "audio/mp4", "aac-lc", true),
    ] {
        let mut s = Send::to(DEFAULT_PSID);
        s.files[0].bytes = fixture(name);
        s.files[0].content_type = ct;
        assert_sent(send(&emu, s).await, DEFAULT_PSID).await;
        let d = emu.deliveries().pop().unwrap();
        let audio = d.audio.as_ref().unwrap();
        assert_eq!(audio.codec, codec, "{name}");
        assert_eq!(d.voice_note, voice, "{name}");
        assert_eq!(d.kind, MessageKind::Audio);
    }
    // The strict policy is the emulator's, and says so.
    let strict = start(
        EmulatorConfig::default()
            .with_rate_limit(0)
            .with_strict_voice_notes(),
    )
    .await;
    let mut s = Send::to(DEFAULT_PSID);
    s.files[0].bytes = fixture("speech-stereo.mp3");
    s.files[0].content_type = "audio/mpeg";
    let body = assert_graph_error(send(&strict, s).await, 400, 100, Some(2_018_047)).await;
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("strict_voice_notes") && msg.contains("not Meta's"),
        "{msg}"
    );
    assert_sent(send(&strict, Send::to(DEFAULT_PSID)).await, DEFAULT_PSID).await;
    // The old key still means strict.
    let old = EmulatorConfig::from_toml_str("[audio]\nrequire_m4a_aac = true").unwrap();
    assert!(old.audio.strict_voice_notes);
}

#[tokio::test]
async fn images_video_and_files_by_upload_and_by_url() {
    let files = serve_files().await;
    let emu = start_unlimited().await;
    let upload = |kind: &str, bytes: Vec<u8>, name: &'static str, ct: &'static str| {
        Form::new()
            .text("recipient", json!({"id": DEFAULT_PSID}).to_string())
            .text(
                "message",
                json!({"attachment": {"type": kind, "payload": {}}}).to_string(),
            )
            .part(
                "filedata",
                Part::bytes(bytes).file_name(name).mime_str(ct).unwrap(),
            )
    };
    let url = format!("{}/v25.0/me/messages", emu.base_url());
    let c = client();
    for (kind, bytes, name, ct) in [
        ("image", fixture("image.png"), "cat.png", "image/png"),
        ("video", fixture("video-only.mp4"), "clip.mp4", "video/mp4"),
        ("file", fixture("page.html"), "terms.html", "text/html"),
    ] {
        let r = c
            .post(&url)
            .query(&[("access_token", DEFAULT_PAGE_TOKEN)])
            .multipart(upload(kind, bytes.clone(), name, ct))
            .send()
            .await
            .unwrap();
        assert_sent(r, DEFAULT_PSID).await;
        let d = emu.deliveries().pop().unwrap();
        assert_eq!(d.kind.as_str(), kind);
        assert_eq!(d.size_bytes, Some(bytes.len() as u64));
        assert_eq!(d.filename.as_deref(), Some(name));
        assert!(d.audio.is_none() && !d.voice_note);
        assert_eq!(emu.audio(d.sha256.as_deref().unwrap()), Some(bytes));
    }
    // An image by URL; a URL that serves the wrong type is refused with 546.
    let body = json!({"recipient": {"id": DEFAULT_PSID},
        "message": {"attachment": {"type": "image", "payload": {"url": format!("{files}/image.png")}}}});
    assert_sent(
        post_json(&emu, "/v25.0/me/messages", body).await,
        DEFAULT_PSID,
    )
    .await;
    assert_eq!(emu.deliveries().pop().unwrap().kind, MessageKind::Image);
    let body = json!({"recipient": {"id": DEFAULT_PSID},
        "message": {"attachment": {"type": "image", "payload": {"url": format!("{files}/voice.m4a")}}}});
    assert_graph_error(
        post_json(&emu, "/v25.0/me/messages", body).await,
        400,
        546,
        None,
    )
    .await;
    // An image file declared as audio is a type mismatch.
    let r = c
        .post(&url)
        .query(&[("access_token", DEFAULT_PAGE_TOKEN)])
        .multipart(upload(
            "image",
            fixture("image.png"),
            "cat.png",
            "audio/mp4",
        ))
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 400, 100, Some(2_018_047)).await;
}

#[tokio::test]
async fn meta_validation_of_messages() {
    let emu = start_unlimited().await;
    let p = DEFAULT_PSID;
    let post = |body: Value| post_json(&emu, "/v25.0/me/messages", body);
    // 2,000 characters are fine, 2,001 are not (characters, not bytes).
    assert_sent(post(text(p, &"é".repeat(2000))).await, p).await;
    let body = assert_graph_error(post(text(p, &"a".repeat(2001))).await, 400, 100, None).await;
    assert!(body["error"]["message"].as_str().unwrap().contains("2000"));
    // Exactly one of text and attachment.
    let both = json!({"recipient": {"id": p}, "message": {"text": "hi",
        "attachment": {"type": "audio", "payload": {"url": "http://127.0.0.1:9/a.mp3"}}}});
    assert_graph_error(post(both).await, 400, 100, None).await;
    let none = json!({"recipient": {"id": p}, "message": {}});
    assert_graph_error(post(none).await, 400, 100, None).await;
    // message must be valid JSON (here a form field that is not).
    let r = client()
        .post(format!("{}/v25.0/me/messages", emu.base_url()))
        .form(&[
            ("access_token", DEFAULT_PAGE_TOKEN),
            ("recipient", "{\"id\":\"6128493027184956\"}"),
            ("message", "{\"text\": \"unterminated"),
        ])
        .send()
        .await
        .unwrap();
    assert_graph_error(r, 400, 100, None).await;
    // A sender action and a message together: 2018014.
    let r = post(
        json!({"recipient": {"id": p}, "sender_action": "typing_on", "message": {"text": "x"}}),
    )
    .await;
    assert_graph_error(r, 400, 100, Some(2_018_014)).await;
    let r = post(json!({"recipient": {"id": p}, "sender_action": "dance"})).await;
    assert_graph_error(r, 400, 100, None).await;
    // Quick replies: at most 13.
    let many: Vec<Value> = (0..14)
        .map(|i| json!({"content_type": "text", "title": format!("q{i}"), "payload": "P"}))
        .collect();
    let r =
        post(json!({"recipient": {"id": p}, "message": {"text": "pick", "quick_replies": many}}))
            .await;
    assert_graph_error(r, 400, 100, None).await;
    // Templates: a generic template of 11 elements, a button template without buttons.
    let elements: Vec<Value> = (0..11).map(|i| json!({"title": format!("t{i}")})).collect();
    let r = post(
        json!({"recipient": {"id": p}, "message": {"attachment": {"type": "template",
        "payload": {"template_type": "generic", "elements": elements}}}}),
    )
    .await;
    assert_graph_error(r, 400, 100, None).await;
    let r = post(
        json!({"recipient": {"id": p}, "message": {"attachment": {"type": "template",
        "payload": {"template_type": "button", "text": "x", "buttons": []}}}}),
    )
    .await;
    assert_graph_error(r, 400, 100, None).await;
    let snap = emu.snapshot();
    assert_eq!(snap.delivered, 1);
    assert_eq!(snap.rejected, 9);
}

#[tokio::test]
async fn messaging_type_is_optional_by_default_and_can_be_required() {
    let emu = start_unlimited().await;
    let mut s = Send::to(DEFAULT_PSID);
    s.messaging_type = None;
    assert_sent(send(&emu, s).await, DEFAULT_PSID).await;
    assert_eq!(
        emu.deliveries()[0].messaging_type,
        "",
        "its absence is recorded"
    );

    let mut config = EmulatorConfig::default().with_rate_limit(0);
    config.require_messaging_type = true;
    let strict = start(config).await;
    let mut s = Send::to(DEFAULT_PSID);
    s.messaging_type = None;
    let body = assert_graph_error(send(&strict, s).await, 400, 100, None).await;
    assert_eq!(
        body["error"]["message"],
        "(#100) The parameter messaging_type is required"
    );
    // Sender actions never need it.
    let r = post_json(
        &strict,
        "/v25.0/me/messages",
        json!({"recipient": {"id": DEFAULT_PSID}, "sender_action": "typing_on"}),
    )
    .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn single_quoted_form_values_are_read_as_graph_reads_them() {
    let emu = start_default().await;
    let r = client()
        .post(format!(
            "{}/v25.0/{DEFAULT_PAGE_ID}/messages",
            emu.base_url()
        ))
        .form(&[
            ("recipient", format!("{{'id':'{DEFAULT_PSID}'}}")),
            ("messaging_type", "RESPONSE".to_owned()),
            ("message", "{'text':'it\\'s here'}".to_owned()),
            ("access_token", DEFAULT_PAGE_TOKEN.to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_sent(r, DEFAULT_PSID).await;
    assert_eq!(emu.deliveries()[0].text.as_deref(), Some("it's here"));
}

#[tokio::test]
async fn tag_policy_human_agent_needs_the_feature_and_customer_feedback_its_template() {
    let mut config = EmulatorConfig::default().with_rate_limit(0);
    config.pages[1].human_agent = false; // the second Page lacks the Human Agent feature
    let emu = start(config).await;
    let mut s = Send::to(PSID_OUTSIDE_WINDOW);
    s.messaging_type = Some("MESSAGE_TAG");
    s.tag = Some("HUMAN_AGENT");
    let r = send_with_token(&emu, s, SECOND_PAGE_TOKEN).await;
    let body = assert_graph_error(r, 400, 10, None).await;
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Human Agent"));
    let feedback = |psid: &str, message: Value| json!({"recipient": {"id": psid}, "messaging_type": "MESSAGE_TAG", "tag": "CUSTOMER_FEEDBACK", "message": message});
    // CUSTOMER_FEEDBACK on a text: refused, even inside the window.
    let r = post_json(
        &emu,
        "/v25.0/me/messages",
        feedback(DEFAULT_PSID, json!({"text": "How did we do?"})),
    )
    .await;
    assert_graph_error(r, 400, 100, None).await;
    let template = json!({"attachment": {"type": "template", "payload": {
        "template_type": "customer_feedback", "title": "Rate us", "subtitle": "Two questions",
        "button_title": "Rate", "feedback_screens": [{"questions": [{"id": "q1", "type": "csat"}]}]}}});
    // With its template: 26 h after the last message is inside its 7 days, 8 days is not.
    let r = post_json(
        &emu,
        "/v25.0/me/messages",
        feedback(PSID_OUTSIDE_WINDOW, template.clone()),
    )
    .await;
    assert_sent(r, PSID_OUTSIDE_WINDOW).await;
    let r = post_json(
        &emu,
        "/v25.0/me/messages",
        feedback(PSID_OUTSIDE_HUMAN_AGENT_WINDOW, template),
    )
    .await;
    assert_graph_error(r, 400, 10, Some(2_018_278)).await;
    let d = emu.deliveries().pop().unwrap();
    assert_eq!(d.tag.as_deref(), Some("CUSTOMER_FEEDBACK"));
    assert_eq!(d.template_type.as_deref(), Some("customer_feedback"));
}

#[tokio::test]
async fn sender_action_reactions_windows_tags_and_image_limits() {
    let files = serve_files().await;
    let mut config = EmulatorConfig::default().with_rate_limit(0);
    config.fetch.max_image_bytes = 100;
    let emu = start(config).await;
    let post = |body: Value| post_json(&emu, "/v25.0/me/messages", body);
    // react needs the message and the emoji; unreact only the message.
    let r = post(json!({"recipient": {"id": DEFAULT_PSID}, "sender_action": "react"})).await;
    assert_graph_error(r, 400, 100, None).await;
    let r = post(
        json!({"recipient": {"id": DEFAULT_PSID}, "sender_action": "react",
        "payload": {"message_id": "m_1", "reaction": "\u{1f60a}"}}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = post(
        json!({"recipient": {"id": DEFAULT_PSID}, "sender_action": "unreact",
        "payload": {"message_id": "m_1"}}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        emu.deliveries()[0].action_payload.as_ref().unwrap()["reaction"],
        "\u{1f60a}"
    );
    // Sender actions obey the window too.
    let r =
        post(json!({"recipient": {"id": PSID_OUTSIDE_WINDOW}, "sender_action": "typing_on"})).await;
    assert_graph_error(r, 400, 10, Some(2_018_278)).await;
    // A tag without messaging_type is a tagged message.
    let r = post(
        json!({"recipient": {"id": PSID_OUTSIDE_WINDOW}, "tag": "HUMAN_AGENT",
        "message": {"text": "Sorry for the wait"}}),
    )
    .await;
    assert_sent(r, PSID_OUTSIDE_WINDOW).await;
    // Several images in one message are not emulated, and say so.
    let r = post(
        json!({"recipient": {"id": DEFAULT_PSID}, "message": {"attachments": [
        {"type": "image", "payload": {"url": format!("{files}/image.png")}}]}}),
    )
    .await;
    let body = assert_graph_error(r, 400, 100, None).await;
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not emulated"));
    // Images by URL have their own (8 MB) limit; audio of the same size is fine.
    let image = json!({"recipient": {"id": DEFAULT_PSID},
        "message": {"attachment": {"type": "image", "payload": {"url": format!("{files}/image.png")}}}});
    assert_graph_error(post(image).await, 400, 100, Some(2_018_109)).await;
    let audio = json!({"recipient": {"id": DEFAULT_PSID},
        "message": {"attachment": {"type": "audio", "payload": {"url": format!("{files}/voice.m4a")}}}});
    assert_sent(post(audio).await, DEFAULT_PSID).await;
}
