//! Many clients at once: every request is counted exactly once, every accepted voice note is
//! recorded exactly once, and ids never repeat.

mod common;

use common::*;
use std::collections::HashSet;
use svara_emulator::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_concurrent_clients_lose_and_duplicate_nothing() {
    const PSIDS: u64 = 25;
    const PER_PSID: u64 = 8;
    let mut config = EmulatorConfig::default().with_rate_limit(0);
    for p in 0..PSIDS {
        config = config.with_psid(PsidConfig::active(&format!("9000000000{p:06}")));
    }
    let emu = start(config).await;
    let mut tasks = Vec::new();
    for p in 0..PSIDS {
        for n in 0..PER_PSID {
            let url = emu.base_url();
            // Every fourth request is invalid (a messaging_type Meta does not know): an
            // attempt, not a delivery.
            let valid = n % 4 != 3;
            tasks.push(tokio::spawn(async move {
                let psid = format!("9000000000{p:06}");
                let mut s = Send::to(&psid);
                if !valid {
                    s.messaging_type = Some("PROMOTION");
                }
                // A fresh client per request: separate connections, truly concurrent.
                let r = client()
                    .post(format!("{url}/v25.0/me/messages"))
                    .query(&[("access_token", DEFAULT_PAGE_TOKEN)])
                    .multipart(s.form())
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let body: serde_json::Value = r.json().await.unwrap();
                (psid, valid, status, body)
            }));
        }
    }
    let mut ids = HashSet::new();
    for t in tasks {
        let (psid, valid, status, body) = t.await.unwrap();
        if valid {
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["recipient_id"], psid.as_str());
            assert!(ids.insert(body["message_id"].as_str().unwrap().to_owned()));
        } else {
            assert_eq!(body["error"]["code"], 100, "{body}");
        }
    }
    let snap = emu.snapshot();
    let valid_per_psid = (0..PER_PSID).filter(|n| n % 4 != 3).count() as u64;
    assert_eq!(snap.attempts, PSIDS * PER_PSID);
    assert_eq!(snap.delivered, PSIDS * valid_per_psid);
    assert_eq!(snap.recipients.len() as u64, PSIDS);
    for (psid, log) in &snap.recipients {
        assert_eq!(log.attempts, PER_PSID, "{psid}");
        assert_eq!(log.messages.len() as u64, valid_per_psid, "{psid}");
        assert!(log.messages.iter().all(|d| &d.recipient_id == psid));
    }
    let recorded: HashSet<String> = snap
        .deliveries()
        .into_iter()
        .map(|d| d.message_id)
        .collect();
    assert_eq!(recorded, ids, "recorded ids are exactly the returned ids");
}
