//! Graph's surface around the Send API: versions (2500 for one that never existed, retired
//! ones served, the `facebook-api-version` header), Graph-shaped JSON for unsupported
//! methods, routes and malformed paths, `GET /me`, the User Profile API, the order in which
//! errors are reported and what counts toward the send budget.

mod common;

use common::*;
use serde_json::{json, Value};
use svara_emulator::*;

fn version_header(r: &reqwest::Response) -> String {
    r.headers()
        .get(VERSION_HEADER)
        .expect("facebook-api-version header")
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn versions_like_meta() {
    let emu = start_unlimited().await;
    // A version that never existed: 2500, before anything else (no token needed).
    for path in ["/v99.0/me/messages", "/v2.13/me/messages"] {
        let r = client()
            .post(format!("{}{path}", emu.base_url()))
            .multipart(Send::to(DEFAULT_PSID).form())
            .send()
            .await
            .unwrap();
        assert_eq!(version_header(&r), NEWEST_GRAPH_VERSION);
        let body = assert_graph_error(r, 400, 2500, None).await;
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Unknown path components:"));
    }
    // A retired version (pymessenger's v2.6, messaging-api-messenger's v6.0) is served by the
    // oldest available one; a current one by itself; an unversioned call by the default.
    let r = send_to_path(
        &emu,
        "/v2.6/me/messages",
        Send::to(DEFAULT_PSID),
        DEFAULT_PAGE_TOKEN,
    )
    .await;
    let served = version_header(&r);
    assert_ne!(served, "v2.6");
    assert!(served.starts_with('v'));
    assert_sent(r, DEFAULT_PSID).await;
    let d = emu.deliveries().pop().unwrap();
    assert_eq!(
        (d.api_version.as_str(), d.served_version.as_str()),
        ("v2.6", served.as_str())
    );
    let r = send_to_path(
        &emu,
        "/v24.0/me/messages",
        Send::to(DEFAULT_PSID),
        DEFAULT_PAGE_TOKEN,
    )
    .await;
    assert_eq!(version_header(&r), "v24.0");
    let r = send_to_path(
        &emu,
        "/me/messages",
        Send::to(DEFAULT_PSID),
        DEFAULT_PAGE_TOKEN,
    )
    .await;
    assert_eq!(version_header(&r), NEWEST_GRAPH_VERSION);
    // Errors carry it too.
    let r = send_to_path(
        &emu,
        "/v25.0/me/messages",
        Send::to(PSID_UNKNOWN),
        DEFAULT_PAGE_TOKEN,
    )
    .await;
    assert_eq!(version_header(&r), "v25.0");
    // A scenario can pin the oldest available version and add a new one.
    let mut config = EmulatorConfig::default();
    config.versions.oldest_available = Some("v23.0".into());
    config.versions.extra = vec!["v26.0".into()];
    let emu = start(config).await;
    let r = send_to_path(
        &emu,
        "/v22.0/me/messages",
        Send::to(DEFAULT_PSID),
        DEFAULT_PAGE_TOKEN,
    )
    .await;
    assert_eq!(version_header(&r), "v23.0");
    let r = send_to_path(
        &emu,
        "/v26.0/me/messages",
        Send::to(DEFAULT_PSID),
        DEFAULT_PAGE_TOKEN,
    )
    .await;
    assert_eq!(version_header(&r), "v26.0");
    assert_sent(r, DEFAULT_PSID).await;
}

#[tokio::test]
async fn unsupported_methods_routes_and_malformed_paths_answer_graph_json() {
    let emu = start_unlimited().await;
    let c = client();
    let base = emu.base_url();
    for (method, path) in [
        (reqwest::Method::GET, "/v25.0/me/messages"),
        (reqwest::Method::DELETE, "/v25.0/me/messages"),
        (reqwest::Method::PUT, "/v25.0/me/message_attachments"),
        (reqwest::Method::PATCH, "/me"),
    ] {
        let r = c
            .request(method.clone(), format!("{base}{path}"))
            .query(&[("access_token", DEFAULT_PAGE_TOKEN)])
            .send()
            .await
            .unwrap();
        let body = assert_graph_error(r, 400, 100, Some(33)).await;
        let msg = body["error"]["message"].as_str().unwrap();
        assert!(
            msg.starts_with(&format!(
                "Unsupported {} request",
                method.as_str().to_lowercase()
            )),
            "{msg}"
        );
    }
    for path in [
        "/v25.0//messages",
        "/v25.0/me/messages/extra/parts",
        "/%FF%FE/x/y",
    ] {
        let r = c.post(format!("{base}{path}")).send().await.unwrap();
        assert_graph_error(r, 400, 2500, None).await;
    }
    // The inspection endpoints answer JSON for a wrong method as well.
    let r = c
        .get(format!("{base}/__emulator/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let body: Value = r.json().await.expect("JSON, not an empty 405");
    assert!(body["error"].as_str().unwrap().contains("GET"));
}

#[tokio::test]
async fn get_me_and_the_user_profile_api() {
    let mut config = EmulatorConfig::default();
    config.psids[0].profile.first_name = Some("Peter".into());
    config.psids[0].profile.last_name = Some("Chang".into());
    config.pages[1].user_info_permissions = false;
    let emu = start(config).await;
    let c = client();
    let get = |path: &str, token: &str| {
        c.get(format!("{}{path}", emu.base_url()))
            .query(&[("access_token", token)])
            .send()
    };
    let me: Value = get("/v25.0/me", DEFAULT_PAGE_TOKEN)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        me,
        json!({"name": DEFAULT_PAGE_NAME, "id": DEFAULT_PAGE_ID})
    );
    let r = get(
        &format!("/v25.0/{DEFAULT_PSID}?fields=first_name,last_name,profile_pic"),
        DEFAULT_PAGE_TOKEN,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let profile: Value = r.json().await.unwrap();
    assert_eq!(profile["first_name"], "Peter");
    assert_eq!(profile["last_name"], "Chang");
    assert_eq!(profile["id"], DEFAULT_PSID);
    assert!(profile["profile_pic"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    // fbmessenger's default fields, with and without the permissions.
    let fields = "first_name,last_name,profile_pic,locale,timezone,gender";
    let r = get(
        &format!("/v2.12/{PSID_SECOND}?fields={fields}"),
        DEFAULT_PAGE_TOKEN,
    )
    .await
    .unwrap();
    let p: Value = r.json().await.unwrap();
    assert_eq!(
        (p["locale"].as_str(), p["timezone"].as_i64()),
        (Some("en_US"), Some(0))
    );
    let r = get(
        &format!("/v25.0/{DEFAULT_PSID}?fields={fields}"),
        SECOND_PAGE_TOKEN,
    )
    .await
    .unwrap();
    assert_graph_error(r, 400, 100, Some(2_018_247)).await;
    // Unknown ids and fields, bad tokens.
    let r = get(
        &format!("/v25.0/{PSID_UNKNOWN}?fields=first_name"),
        DEFAULT_PAGE_TOKEN,
    )
    .await
    .unwrap();
    assert_graph_error(r, 400, 100, Some(33)).await;
    let r = get(
        &format!("/v25.0/{DEFAULT_PSID}?fields=shoe_size"),
        DEFAULT_PAGE_TOKEN,
    )
    .await
    .unwrap();
    let body = assert_graph_error(r, 400, 100, None).await;
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("nonexisting field (shoe_size)"));
    let r = get("/v25.0/me", "EAAnope").await.unwrap();
    assert_graph_error(r, 400, 190, Some(467)).await;
    // Reads are not sends.
    assert_eq!(emu.snapshot().attempts, 0);
}

#[tokio::test]
async fn errors_come_in_meta_order_and_only_sends_count_toward_the_budget() {
    let emu = start(EmulatorConfig::default().with_rate_limit(1)).await;
    // A bad token and a bad parameter: the token error wins.
    let mut s = Send::to(DEFAULT_PSID);
    s.messaging_type = Some("PROMOTION");
    assert_graph_error(
        send_with_token(&emu, s, "EAAnope").await,
        400,
        190,
        Some(467),
    )
    .await;
    // Parameter errors come before the rate limit and do not use it up.
    for _ in 0..3 {
        let mut s = Send::to(DEFAULT_PSID);
        s.messaging_type = Some("PROMOTION");
        assert_graph_error(send(&emu, s).await, 400, 100, None).await;
    }
    // Uploads and profile reads do not count either.
    let up = post_json(
        &emu,
        "/v25.0/me/message_attachments",
        json!({"message": {"attachment": {"type": "audio", "payload": {"url": "http://127.0.0.1:9/x.m4a", "is_reusable": true}}}}),
    )
    .await;
    assert_graph_error(up, 400, 100, Some(2_018_008)).await;
    // The one audio send of this second goes through; the next is 613.
    assert_sent(send(&emu, Send::to(DEFAULT_PSID)).await, DEFAULT_PSID).await;
    expect_send_error(&emu, DEFAULT_PSID, 613, None).await;
    // Text and sender actions have their own budget (300/s), so they still go through.
    let r = post_json(
        &emu,
        "/v25.0/me/messages",
        json!({"recipient": {"id": DEFAULT_PSID}, "sender_action": "typing_on"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    // A send that passed the parameters counts even if the person then refuses it.
    let emu = start(EmulatorConfig::default().with_rate_limit(1)).await;
    expect_send_error(&emu, PSID_BLOCKED, 551, Some(1_545_041)).await;
    expect_send_error(&emu, DEFAULT_PSID, 613, None).await;
}

#[tokio::test]
async fn attachment_ids_are_random_reusable_only_when_asked_per_page_and_expire() {
    let mut config = EmulatorConfig::default().with_rate_limit(0);
    config.attachments.expire_after = Some(HumanDuration::millis(1500));
    let emu = start(config).await;
    let upload = |reusable: bool, token: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text(
                "message",
                json!({"attachment": {"type": "audio", "payload": {"is_reusable": reusable}}})
                    .to_string(),
            )
            .part(
                "filedata",
                reqwest::multipart::Part::bytes(m4a())
                    .file_name("v.m4a")
                    .mime_str("audio/mp4")
                    .unwrap(),
            );
        client()
            .post(format!("{}/v25.0/me/message_attachments", emu.base_url()))
            .query(&[("access_token", token)])
            .multipart(form)
            .send()
    };
    let id_of = |v: Value| v["attachment_id"].as_str().unwrap().to_owned();
    let reusable = id_of(
        upload(true, DEFAULT_PAGE_TOKEN)
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );
    let once = id_of(
        upload(false, DEFAULT_PAGE_TOKEN)
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );
    let foreign = id_of(
        upload(true, SECOND_PAGE_TOKEN)
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );
    for id in [&reusable, &once, &foreign] {
        assert_eq!(id.len(), 16, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_digit()));
    }
    // Random: a fresh emulator does not hand out the same first id.
    let other = start_unlimited().await;
    let r = post_json(
        &other,
        "/v25.0/me/messages",
        json!({"recipient": {"id": DEFAULT_PSID}, "message": {"attachment": {"type": "audio", "payload": {"attachment_id": reusable}}}}),
    )
    .await;
    assert_graph_error(r, 400, 100, Some(2_018_074)).await;
    let by_id = |id: &str| json!({"recipient": {"id": DEFAULT_PSID}, "message": {"attachment": {"type": "audio", "payload": {"attachment_id": id}}}});
    assert_sent(
        post_json(&emu, "/v25.0/me/messages", by_id(&reusable)).await,
        DEFAULT_PSID,
    )
    .await;
    for (id, why) in [(&once, "is_reusable"), (&foreign, "another Page")] {
        let body = assert_graph_error(
            post_json(&emu, "/v25.0/me/messages", by_id(id)).await,
            400,
            100,
            Some(2_018_074),
        )
        .await;
        assert!(
            body["error"]["message"].as_str().unwrap().contains(why),
            "{body}"
        );
    }
    // Sent as another attachment type: refused.
    let image = json!({"recipient": {"id": DEFAULT_PSID}, "message": {"attachment": {"type": "image", "payload": {"attachment_id": reusable}}}});
    assert_graph_error(
        post_json(&emu, "/v25.0/me/messages", image).await,
        400,
        100,
        Some(2_018_047),
    )
    .await;
    // After expire_after, the id is stale.
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    let body = assert_graph_error(
        post_json(&emu, "/v25.0/me/messages", by_id(&reusable)).await,
        400,
        100,
        Some(2_018_074),
    )
    .await;
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("expired"));
    // The default expiry is Meta's 90 days.
    assert_eq!(
        EmulatorConfig::default().attachments.expire_after,
        Some(HumanDuration::days(90))
    );
}
