//! Secrets: Page tokens, app secrets and signed audio URLs are sealed at rest and erased when the
//! job ends; API keys are stored as hashes; none of them appears in the database files, a log
//! line (every level of every crate, captured by the process-wide subscriber), a status or an
//! error.

use crate::support::*;
use serde_json::json;
use sqlx::Row;
use std::time::Duration;
use svara_emulator::{EmulatorConfig, DEFAULT_PAGE_TOKEN, DEFAULT_PSID, EXPIRED_PAGE_TOKEN};

const LIVE: &str = "sk_live_secretsTestKeyEEEEEEEEEEEEE";
const APP_SECRET: &str = "app-secret-value-that-must-not-leak";
const URL_SIG: &str = "SIGNATUREthatMustNotLeak";
const HOOK_TOKEN: &str = "receiverTokenThatMustNotLeak";
/// What must appear nowhere: both Page tokens, the app secret, the URL's signature, the key.
const NEEDLES: [&str; 5] = [
    DEFAULT_PAGE_TOKEN,
    EXPIRED_PAGE_TOKEN,
    APP_SECRET,
    URL_SIG,
    LIVE,
];

/// What the database holds at rest: the SQLite files' bytes, or every row of every table of the
/// PostgreSQL database as JSON (BYTEA columns as hex, so the needles are looked for in hex too).
async fn database_bytes(dir: &TempDir) -> Vec<u8> {
    if dir.db() == Db::Sqlite {
        let mut all = Vec::new();
        for entry in std::fs::read_dir(&dir.0).unwrap() {
            let p = entry.unwrap().path();
            if p.is_file() {
                all.extend(std::fs::read(&p).unwrap());
            }
        }
        return all;
    }
    let tables = query_db(
        dir,
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
        |r| r.get::<String, _>(0),
    )
    .await;
    assert!(tables.len() >= 10, "{tables:?}");
    let mut all = Vec::new();
    for t in tables {
        for row in query_db(
            dir,
            &format!("SELECT CAST(row_to_json(x) AS TEXT) FROM {t} x"),
            |r| r.get::<String, _>(0),
        )
        .await
        {
            all.extend(row.into_bytes());
        }
    }
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    let hexed = hex::encode(needle);
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
        || hay.windows(hexed.len()).any(|w| w == hexed.as_bytes())
}

async fn secrets_column(dir: &TempDir) -> Vec<Option<Vec<u8>>> {
    query_db(dir, "SELECT secrets FROM jobs ORDER BY id", |r| {
        r.get::<Option<Vec<u8>>, _>(0)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_rest_in_clear_nor_reach_logs_or_statuses_sqlite() {
    secrets_never_rest_in_clear_nor_reach_logs_or_statuses(Db::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_rest_in_clear_nor_reach_logs_or_statuses_postgres() {
    secrets_never_rest_in_clear_nor_reach_logs_or_statuses(Db::Postgres).await
}

async fn secrets_never_rest_in_clear_nor_reach_logs_or_statuses(db: Db) {
    let _serial = crate::serial().await;
    let capture = crate::capture_logs();

    let meta = meta(EmulatorConfig::default().with_app_secret(APP_SECRET)).await;
    let graph = meta.base_url();
    let t = TestServer::start_on(db, |c| {
        c.worker.enabled = false;
        c.api_keys = vec![secret(LIVE)];
        c.live_graph_url = graph.clone();
        c.webhooks.allow_private = true;
    })
    .await;
    // A webhook endpoint (its secret and the token in its URL's query) and a note's own
    // webhook_url are secrets too.
    let (code, made) = t
        .post(
            "/v1/webhooks",
            Some(LIVE),
            &json!({"url": format!("http://127.0.0.1:9/hook?token={HOOK_TOKEN}")}),
        )
        .await;
    assert_eq!(code, 201, "{made}");
    let hook_secret = made["secret"].as_str().unwrap().to_owned();
    let mut ids = Vec::new();
    for token in [DEFAULT_PAGE_TOKEN, EXPIRED_PAGE_TOKEN] {
        let mut b = t.body(DEFAULT_PSID, "speech-aac.m4a");
        b["audio_url"] = json!(format!(
            "{}?sig={URL_SIG}",
            t.files.url("/f/speech-aac.m4a")
        ));
        b["session"]["page_access_token"] = json!(token);
        b["app_secret"] = json!(APP_SECRET);
        b["webhook_url"] = json!(format!("http://127.0.0.1:9/own?token={HOOK_TOKEN}"));
        let (code, v) = t.send(&b).await;
        assert_eq!(code, 202, "{v}");
        ids.push(v["id"].as_str().unwrap().to_owned());
    }
    let (_, queued) = t.get(&format!("/v1/status/{}", ids[0]), Some(LIVE)).await;
    let before = secrets_column(&t.dir).await;
    assert!(before.iter().all(|s| s.is_some()), "sealed while queued");
    let on_disk = database_bytes(&t.dir).await;
    for needle in NEEDLES
        .iter()
        .copied()
        .chain([hook_secret.as_str(), HOOK_TOKEN])
    {
        assert!(
            !contains(&on_disk, needle),
            "{needle} found in the database at rest"
        );
    }
    let t = t
        .restart_with(|c| {
            c.api_keys = vec![secret(LIVE)];
            c.live_graph_url = graph.clone();
        })
        .await;

    let sent = wait_final(&t.http, &t.url, LIVE, &ids[0], Duration::from_secs(20)).await;
    assert_eq!(sent["status"], "sent", "{sent}");
    let failed = wait_final(&t.http, &t.url, LIVE, &ids[1], Duration::from_secs(20)).await;
    assert_eq!(failed["error"]["code"], "invalid_token", "{failed}");
    // appsecret_proof was computed from the sealed app secret: Meta verified it.
    assert_eq!(meta.snapshot().messages_for(DEFAULT_PSID).len(), 1);
    assert!(
        secrets_column(&t.dir).await.iter().all(|s| s.is_none()),
        "erased when the jobs ended"
    );
    let dir = t.dir.0.clone();
    t.stop().await;

    let logs = capture.finish();
    assert!(
        logs.contains("queued") && logs.contains("sent"),
        "logs were captured: {}",
        logs.lines()
            .filter(|l| l.contains("svara_server"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let shown = format!("{queued}{sent}{failed}");
    for needle in NEEDLES
        .iter()
        .copied()
        .chain([hook_secret.as_str(), HOOK_TOKEN])
    {
        assert!(!logs.contains(needle), "{needle} in the logs");
        assert!(!shown.contains(needle), "{needle} in a status");
    }
    let _ = dir;
}

#[tokio::test]
async fn generated_test_key_is_kept_only_as_a_hash() {
    let _serial = crate::serial().await;
    let t = TestServer::start().await;
    assert!(
        t.key.starts_with("sk_test_") && t.key.len() == 40,
        "{}",
        t.key
    );
    let (code, _) = t.get("/v1/usage", Some(&t.key)).await;
    assert_eq!(code, 200);
    let key = t.key.clone();
    let t = t.restart_with(|_| {}).await;
    match t.running().key_setup() {
        svara_server::KeySetup::Existing(shown) => {
            assert!(key.starts_with(shown.trim_end_matches('…')), "{shown}");
            assert!(shown.len() < key.len());
        }
        other => panic!("the key is not generated again: {other:?}"),
    }
    let (code, _) = t.get("/v1/usage", Some(&key)).await;
    assert_eq!(code, 200, "the key still works after a restart");
    assert!(!contains(&database_bytes(&t.dir).await, &key[8..]));
    t.stop().await;
}
