//! The main story with a test key: the documented body is accepted with 202, the worker sends
//! it through the built-in emulator, and status, list and usage show it; uploads, dry runs,
//! per-key isolation, and one fetch/conversion/upload per distinct audio per Page.

use crate::support::*;
use serde_json::{json, Value};
use sqlx::Row;
use std::time::Duration;

async fn documented_body_is_queued_then_sent_through_the_test_emulator(db: Db) {
    let t = TestServer::start_on(db, |_| {}).await;
    let (code, v) = t.send(&t.body(PSID, "speech.opus.webm")).await;
    assert_eq!(code, 202, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("msg_"), "{v}");
    assert_eq!(v["status"], "queued");
    assert_eq!(v["platform"], "messenger");
    assert_eq!(v["recipient"], PSID);
    assert!(v["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        v.as_object().unwrap().len(),
        5,
        "the documented answer and nothing else: {v}"
    );

    let s = t.wait_final(&id, Duration::from_secs(20)).await;
    assert_eq!(s["status"], "sent", "{s}");
    let mid = s["message_id"].as_str().unwrap();
    assert!(mid.starts_with("m_"), "{s}");
    assert_eq!(s["mode"], "test");
    assert_eq!(s["attempts"], 1);
    assert_eq!(s["error"], Value::Null);
    assert_eq!(s["audio"]["codec"], "aac-lc");
    assert_eq!(s["audio"]["converted"], true, "WebM/Opus was converted");
    let ms = s["audio"]["duration_ms"].as_u64().unwrap();
    assert!((2400..2700).contains(&ms), "{s}");
    assert!(s["sent_at"].is_string());
    assert!(s["attachment_id"].is_string());

    let delivered = t.emulator().snapshot();
    let notes = delivered.messages_for(PSID);
    assert_eq!(notes.len(), 1, "exactly one note reached the emulator");
    assert_eq!(notes[0].message_id, mid);
    assert_eq!(
        notes[0].audio.as_ref().expect("a voice note").codec,
        "aac-lc"
    );
    // The alias of the status route answers the same.
    let (code, alias) = t.get(&format!("/v1/messages/{id}"), Some(&t.key)).await;
    assert_eq!(code, 200);
    assert_eq!(alias["message_id"], s["message_id"]);
    t.stop().await;
}
both_backends!(documented_body_is_queued_then_sent_through_the_test_emulator);

async fn special_psids_and_tokens_fail_as_documented_in_test_mode(db: Db) {
    let t = TestServer::start_on(db, |_| {}).await;
    let cases = [
        (svara_emulator::PSID_BLOCKED, TOKEN, "message_not_allowed"),
        (
            svara_emulator::PSID_OUTSIDE_WINDOW,
            TOKEN,
            "message_not_allowed",
        ),
        (PSID, svara_emulator::EXPIRED_PAGE_TOKEN, "invalid_token"),
    ];
    let mut ids = Vec::new();
    for (psid, token, _) in cases {
        let mut b = t.body(psid, "speech-aac.m4a");
        b["session"]["page_access_token"] = json!(token);
        let (code, v) = t.send(&b).await;
        assert_eq!(code, 202, "{v}");
        ids.push(v["id"].as_str().unwrap().to_owned());
    }
    for ((_, _, code), id) in cases.iter().zip(&ids) {
        let s = t.wait_final(id, Duration::from_secs(20)).await;
        assert_eq!(s["status"], "failed", "{s}");
        assert_eq!(s["error"]["code"], *code, "{s}");
        assert!(s["error"]["hint"].as_str().unwrap().len() > 10);
        assert_eq!(s["error"]["may_have_been_delivered"], false);
        assert!(!s.to_string().contains(TOKEN), "no token in a status");
    }
    t.stop().await;
}
both_backends!(special_psids_and_tokens_fail_as_documented_in_test_mode);

async fn one_fetch_conversion_and_upload_per_audio_per_page(db: Db) {
    let t = TestServer::start_on(db, |_| {}).await;
    let mut ids = Vec::new();
    // 6 recipients of Page A and 3 of Page B, all the same recording.
    for (token, n) in [("EAAPageA-dedupe", 6), ("EAAPageB-dedupe", 3)] {
        for _ in 0..n {
            let mut b = t.body(&new_psid(), "speech-stereo.mp3");
            b["session"]["page_access_token"] = json!(token);
            let (code, v) = t.send(&b).await;
            assert_eq!(code, 202, "{v}");
            ids.push(v["id"].as_str().unwrap().to_owned());
        }
    }
    let mut attachments = std::collections::HashSet::new();
    for id in &ids {
        let s = t.wait_final(id, Duration::from_secs(30)).await;
        assert_eq!(s["status"], "sent", "{s}");
        attachments.insert(s["attachment_id"].as_str().unwrap().to_owned());
    }
    let stats = t.running().media_stats();
    assert_eq!(stats.fetches, 1, "{stats:?}");
    assert_eq!(t.files.hits("/f/speech-stereo.mp3"), 1);
    assert_eq!(stats.conversions, 1, "{stats:?}");
    assert_eq!(stats.uploads, 2, "one per Page: {stats:?}");
    assert_eq!(attachments.len(), 2);
    let snap = t.emulator().snapshot();
    assert_eq!(snap.upload_attempts, 2);
    assert_eq!(snap.delivered, 9);
    t.stop().await;
}
both_backends!(one_fetch_conversion_and_upload_per_audio_per_page);

async fn uploads_become_audio_ids_and_dry_runs_queue_nothing(db: Db) {
    let t = TestServer::start_on(db, |_| {}).await;
    let bytes = std::fs::read(fixture("speech.flac")).unwrap();
    let (code, up) = t.upload(bytes.clone()).await;
    assert_eq!(code, 201, "{up}");
    let audio_id = up["audio_id"].as_str().unwrap().to_owned();
    assert!(audio_id.starts_with("aud_"), "{up}");
    assert_eq!(up["size_bytes"], bytes.len());
    assert_eq!(up["probe"]["container"], "flac");
    assert!(up["expires_at"].as_str().unwrap().ends_with('Z'));

    // Not audio: refused with the core's code in the details.
    let (code, v) = t.upload(std::fs::read(fixture("image.png")).unwrap()).await;
    assert_eq!(code, 422);
    assert_eq!(v["error"]["code"], "unprocessable_entity");
    assert_eq!(v["error"]["details"]["code"], "unsupported_audio");

    // Dry runs: 200, the probe, nothing queued.
    let mut dry = json!({"recipient": PSID, "audio_id": audio_id, "session": {"page_access_token": TOKEN}, "dry_run": true});
    let (code, v) = t.send(&dry).await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["valid"], true);
    assert_eq!(v["audio"]["container"], "flac");
    let mut url_dry = t.body(PSID, "speech.opus.ogg");
    url_dry["dry_run"] = json!(true);
    let (code, v) = t.send(&url_dry).await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["audio"]["codec"], "opus");
    let mut bad_dry = t.body(PSID, "page.html");
    bad_dry["dry_run"] = json!(true);
    let (code, v) = t.send(&bad_dry).await;
    assert_eq!(code, 422, "{v}");
    assert_eq!(v["error"]["details"]["code"], "audio_fetch_failed", "{v}");
    let (_, usage) = t.get("/v1/usage", Some(&t.key)).await;
    assert_eq!(
        usage["all_time"]["total"], 0,
        "dry runs queue nothing: {usage}"
    );

    // The upload is sent.
    dry["dry_run"] = json!(false);
    let (code, v) = t.send(&dry).await;
    assert_eq!(code, 202, "{v}");
    let s = t
        .wait_final(v["id"].as_str().unwrap(), Duration::from_secs(20))
        .await;
    assert_eq!(s["status"], "sent", "{s}");
    assert_eq!(s["audio"]["converted"], true);
    // An unknown audio_id is refused at once.
    let (code, v) = t
        .send(&json!({"recipient": PSID, "audio_id": "aud_01m8se4hzz0p5481w69634g1yg", "session": {"page_access_token": TOKEN}}))
        .await;
    assert_eq!(code, 400);
    assert_eq!(v["error"]["details"]["param"], "audio_id");
    t.stop().await;
}
both_backends!(uploads_become_audio_ids_and_dry_runs_queue_nothing);

async fn list_usage_and_isolation_between_keys(db: Db) {
    let t = TestServer::start_on(db, |c| {
        c.worker.enabled = false;
        c.api_keys = vec![
            secret("sk_test_ownerAAAAAAAAAAAAAAAAAAAA"),
            secret("sk_test_otherBBBBBBBBBBBBBBBBBBBB"),
        ];
    })
    .await;
    let other = "sk_test_otherBBBBBBBBBBBBBBBBBBBB";
    let mut ids = Vec::new();
    for _ in 0..7 {
        let (code, v) = t.send(&t.body(&new_psid(), "speech-aac.m4a")).await;
        assert_eq!(code, 202);
        ids.push(v["id"].as_str().unwrap().to_owned());
    }
    // Newest first, 3 per page, cursor to the end.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("/v1/messages?limit=3&cursor={c}"),
            None => "/v1/messages?limit=3".to_owned(),
        };
        let (code, page) = t.get(&q, Some(&t.key)).await;
        assert_eq!(code, 200, "{page}");
        assert_eq!(page["object"], "list");
        for n in page["data"].as_array().unwrap() {
            seen.push(n["id"].as_str().unwrap().to_owned());
            assert_eq!(n["status"], "queued");
        }
        if page["has_more"] == true {
            cursor = Some(page["next_cursor"].as_str().unwrap().to_owned());
        } else {
            assert_eq!(page["next_cursor"], Value::Null);
            break;
        }
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);
    let (_, filtered) = t.get("/v1/messages?status=sent", Some(&t.key)).await;
    assert_eq!(filtered["data"].as_array().unwrap().len(), 0);
    for bad in [
        "/v1/messages?limit=0",
        "/v1/messages?limit=101",
        "/v1/messages?status=lost",
        "/v1/messages?cursor=zzz",
    ] {
        let (code, v) = t.get(bad, Some(&t.key)).await;
        assert_eq!(code, 400, "{bad}: {v}");
        assert_eq!(v["error"]["code"], "invalid_parameter");
    }

    let (code, usage) = t.get("/v1/usage", Some(&t.key)).await;
    assert_eq!(code, 200);
    assert_eq!(usage["mode"], "test");
    assert_eq!(usage["today"]["queued"], 7);
    assert_eq!(usage["all_time"]["total"], 7);
    assert_eq!(usage["today"]["sent"], 0);

    // The other key sees none of it: 404 for the ids, empty list, zero usage.
    let (code, v) = t.get(&format!("/v1/status/{}", ids[0]), Some(other)).await;
    assert_eq!(code, 404, "{v}");
    assert_eq!(v["error"]["code"], "not_found");
    let (_, list) = t.get("/v1/messages", Some(other)).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    let (_, usage) = t.get("/v1/usage", Some(other)).await;
    assert_eq!(usage["all_time"]["total"], 0);
    t.stop().await;
}
both_backends!(list_usage_and_isolation_between_keys);

async fn expired_uploads_are_deleted_unless_a_queued_note_needs_them(db: Db) {
    let ttl = |c: &mut svara_server::ServerConfig| c.upload_ttl = Duration::from_secs(1);
    let t = TestServer::start_on(db, |c| {
        ttl(c);
        c.worker.enabled = false;
    })
    .await;
    let bytes = std::fs::read(fixture("speech.opus.ogg")).unwrap();
    let (_, kept) = t.upload(bytes.clone()).await;
    let (_, dropped) = t.upload(bytes).await;
    let (kept, dropped) = (
        kept["audio_id"].as_str().unwrap().to_owned(),
        dropped["audio_id"].as_str().unwrap().to_owned(),
    );
    let body =
        json!({"recipient": PSID, "audio_id": kept, "session": {"page_access_token": TOKEN}});
    let (code, v) = t.send(&body).await;
    assert_eq!(code, 202, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // The worker's maintenance runs at its start: the unneeded upload goes, the needed one stays.
    let t = t.restart_with(ttl).await;
    let s = t.wait_final(&id, Duration::from_secs(20)).await;
    assert_eq!(s["status"], "sent", "{s}");
    assert!(
        !upload_kept(&t, &dropped).await,
        "expired and unneeded: deleted"
    );
    assert!(
        upload_kept(&t, &kept).await,
        "needed by a queued note when the sweep ran"
    );
    let (code, v) = t.send(&json!({"recipient": PSID, "audio_id": dropped, "session": {"page_access_token": TOKEN}})).await;
    assert_eq!(code, 400, "{v}");
    // Once its note ended, the next sweep deletes it too.
    let t = t.restart_with(ttl).await;
    let start = std::time::Instant::now();
    while upload_kept(&t, &kept).await {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the used upload was not deleted"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    t.stop().await;
}
both_backends!(expired_uploads_are_deleted_unless_a_queued_note_needs_them);

async fn uploads_count_against_a_per_key_quota(db: Db) {
    let t = TestServer::start_on(db, |c| c.limits.upload_bytes_per_key = 100_000).await;
    let bytes = std::fs::read(fixture("speech.flac")).unwrap();
    assert_eq!(bytes.len(), 52_143);
    let (code, v) = t.upload(bytes.clone()).await;
    assert_eq!(code, 201, "{v}");
    let (code, v) = t.upload(bytes).await;
    assert_eq!(code, 429, "{v}");
    assert_eq!(v["error"]["details"]["reason"], "upload_quota");
    let rows = query_db(&t.dir, "SELECT id FROM uploads", |r| r.get::<String, _>(0)).await;
    assert_eq!(rows.len(), 1, "the refused upload left no row");
    let files = std::fs::read_dir(t.dir.0.join("uploads"))
        .map(|d| d.count())
        .unwrap_or(0);
    let expected = if db == Db::Sqlite { 1 } else { 0 };
    assert_eq!(
        files, expected,
        "the refused upload left no file (PostgreSQL keeps the bytes in the row)"
    );
    t.stop().await;
}
both_backends!(uploads_count_against_a_per_key_quota);

/// Whether an upload is still kept: its row, and with SQLite its file beside the database.
async fn upload_kept(t: &TestServer, id: &str) -> bool {
    let row = !query_db(
        &t.dir,
        &format!("SELECT id FROM uploads WHERE id = '{id}'"),
        |r| r.get::<String, _>(0),
    )
    .await
    .is_empty();
    if t.dir.db() == Db::Sqlite {
        let file = t.dir.0.join("uploads").join(id).exists();
        assert_eq!(row, file, "the row and the file of {id} go together");
    }
    row
}
