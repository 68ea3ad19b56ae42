//! `Idempotency-Key` with Stripe's semantics: the same key and body replay the first answer and
//! never queue a second note (also when the retries race); a different body is 409; requests
//! refused by validation store nothing; keys are per API key.

use crate::support::*;
use serde_json::{json, Value};
use std::time::Duration;

async fn send_with_key(
    t: &TestServer,
    api_key: &str,
    idem: &str,
    body: &Value,
) -> (u16, Value, bool) {
    let resp = t
        .http
        .post(format!("{}/v1/send", t.url))
        .bearer_auth(api_key)
        .header("Idempotency-Key", idem)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let replayed = resp.headers().get("idempotent-replayed").is_some();
    (status, resp.json().await.unwrap(), replayed)
}

async fn same_key_same_body_is_one_note(db: Db) {
    let t = TestServer::start_on(db, |_| {}).await;
    let body = t.body(PSID, "speech-aac.m4a");
    let (c1, first, r1) = send_with_key(&t, &t.key, "order-1234", &body).await;
    assert_eq!((c1, r1), (202, false), "{first}");
    // The same body with its keys in another order is the same request.
    let reordered: Value = serde_json::from_str(&format!(
        r#"{{"session":{{"page_access_token":"{TOKEN}"}},"audio_url":"{}","recipient":"{PSID}","platform":"messenger"}}"#,
        t.files.url("/f/speech-aac.m4a")
    ))
    .unwrap();
    for b in [&body, &reordered] {
        let (c, again, replayed) = send_with_key(&t, &t.key, "order-1234", b).await;
        assert_eq!((c, replayed), (202, true));
        assert_eq!(again, first, "the first answer, byte for byte");
    }
    let s = t
        .wait_final(first["id"].as_str().unwrap(), Duration::from_secs(20))
        .await;
    assert_eq!(s["status"], "sent");
    let (c, again, _) = send_with_key(&t, &t.key, "order-1234", &body).await;
    assert_eq!(
        (c, &again["status"]),
        (202, &json!("queued")),
        "the first answer, not today's status"
    );
    assert_eq!(t.emulator().snapshot().messages_for(PSID).len(), 1);

    // A different body under the same key is a conflict; nothing is queued.
    let mut other = body.clone();
    other["recipient"] = json!(svara_emulator::PSID_SECOND);
    let (c, v, _) = send_with_key(&t, &t.key, "order-1234", &other).await;
    assert_eq!(c, 409, "{v}");
    assert_eq!(v["error"]["code"], "idempotency_conflict");
    let (_, usage) = t.get("/v1/usage", Some(&t.key)).await;
    assert_eq!(usage["all_time"]["total"], 1);
    t.stop().await;
}
both_backends!(same_key_same_body_is_one_note);

async fn racing_retries_make_one_job(db: Db) {
    let t = TestServer::start_on(db, |c| c.worker.enabled = false).await;
    let body = t.body(PSID, "speech-aac.m4a");
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (http, url, key, body) = (t.http.clone(), t.url.clone(), t.key.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(format!("{url}/v1/send"))
                .bearer_auth(key)
                .header("Idempotency-Key", "race-1")
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 202);
            r.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap());
    }
    assert_eq!(ids.len(), 1, "every retry got the same id");
    let (_, usage) = t.get("/v1/usage", Some(&t.key)).await;
    assert_eq!(usage["all_time"]["total"], 1);
    t.stop().await;
}
both_backends!(racing_retries_make_one_job);

async fn refused_requests_store_nothing_and_keys_are_per_api_key(db: Db) {
    let a = "sk_test_idemAAAAAAAAAAAAAAAAAAAAAA";
    let b = "sk_test_idemBBBBBBBBBBBBBBBBBBBBBB";
    let t = TestServer::start_on(db, |c| {
        c.worker.enabled = false;
        c.api_keys = vec![secret(a), secret(b)];
    })
    .await;
    let mut invalid = t.body(PSID, "speech-aac.m4a");
    invalid["bitrate"] = json!(1);
    let (c, v, _) = send_with_key(&t, a, "k-1", &invalid).await;
    assert_eq!(c, 400, "{v}");
    // The key was not used up by the refused request.
    let valid = t.body(PSID, "speech-aac.m4a");
    let (c, first, replayed) = send_with_key(&t, a, "k-1", &valid).await;
    assert_eq!((c, replayed), (202, false));
    // Another API key with the same Idempotency-Key is another request.
    let (c, other, replayed) = send_with_key(&t, b, "k-1", &valid).await;
    assert_eq!((c, replayed), (202, false));
    assert_ne!(first["id"], other["id"]);
    for bad in ["", &"x".repeat(256), "has space"] {
        let (c, v, _) = send_with_key(&t, a, bad, &valid).await;
        assert_eq!(c, 400, "{bad:?}: {v}");
        assert_eq!(v["error"]["details"]["param"], "Idempotency-Key");
    }
    t.stop().await;
}
both_backends!(refused_requests_store_nothing_and_keys_are_per_api_key);
