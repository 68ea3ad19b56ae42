//! The Page token never leaks: a recognisable token is sent through every failure path, and
//! every error's Display and Debug, every Debug of the client's types, and all `tracing` output
//! (TRACE level, every crate, the HTTP stack included) are searched for it.

mod client_support;

use client_support::*;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use svara::{
    AudioSource, Client, MessagingType, SendOptions, SendRequest, Session, TokenPlacement,
};
use svara_emulator::{
    EmulatorConfig, FaultKind, FaultRule, PageConfig, DEFAULT_PSID, PSID_BLOCKED, PSID_UNKNOWN,
};

const CANARY: &str = "EAACanaryTokenQ7xZ9SvaraMustNeverPrint";
const SECRET: &str = "CanaryAppSecretK3mW8";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn check(what: &str, text: &str) {
    assert!(
        !text.contains(CANARY),
        "token leaked through {what}: {text}"
    );
    assert!(
        !text.contains(SECRET),
        "app secret leaked through {what}: {text}"
    );
}

fn check_err(what: &str, e: &svara::Error, seen: &mut Vec<String>) {
    check(what, &e.to_string());
    check(what, &format!("{e:?}"));
    check(what, &format!("{e:#?}"));
    seen.push(format!("{what}: {}", e.code()));
}

#[tokio::test(flavor = "current_thread")]
async fn the_token_appears_in_no_error_debug_or_log() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut seen = Vec::new();
    let audio = || AudioSource::Bytes(sample_m4a());
    let o = SendOptions::default();

    // Meta-shaped refusals, including servers that echo the token back.
    let mock = MockGraph::start(Reply::sent("m")).await;
    let echoing = [
        Reply::graph_error(
            400,
            190,
            Some(463),
            &format!("Error validating access token {CANARY}: Session has expired"),
        ),
        Reply::graph_error(400, 100, Some(2018001), "(#100) No matching user found"),
        Reply::graph_error(400, 613, None, &format!("(#613) rate limit for {CANARY}")),
        Reply::graph_error(500, 1200, None, "(#1200) Temporary send message failure"),
        Reply::raw(
            502,
            "text/html",
            &format!("<html>bad gateway for access_token={CANARY}</html>"),
        ),
        Reply::raw(429, "text/plain", &format!("slow down {CANARY}")),
        Reply::raw(200, "text/plain", &format!("ok {CANARY}")),
        Reply::json(
            400,
            serde_json::json!({"error": format!("access_token={CANARY}")}),
        ),
    ];
    for (i, reply) in echoing.into_iter().enumerate() {
        mock.set_fallback(reply);
        for placement in [TokenPlacement::FormField, TokenPlacement::BearerHeader] {
            let client = builder(&mock.url(), CANARY)
                .app_secret(SECRET)
                .token_placement(placement)
                .max_retries(1)
                .max_retry_wait(Duration::from_millis(100))
                .build()
                .unwrap();
            check("Client Debug", &format!("{client:?} {:?}", client.config()));
            let e = client.send(DEFAULT_PSID, audio(), &o).await.unwrap_err();
            check_err(&format!("mock reply {i}"), &e, &mut seen);
            let e = client.upload(audio(), &o).await.unwrap_err();
            check_err(&format!("mock upload {i}"), &e, &mut seen);
            let out = client
                .send_many(
                    &[DEFAULT_PSID.to_string()],
                    AudioSource::AttachmentId("1".into()),
                    &o,
                )
                .await
                .unwrap();
            check("RecipientOutcome Debug", &format!("{out:?}"));
        }
    }

    // The emulator, knowing the canary as a Page token, with faults.
    let mut config = EmulatorConfig::default().with_app_secret(SECRET);
    config
        .pages
        .push(PageConfig::new("104857600777777", "Canary Page", CANARY));
    let faults = [
        FaultRule::always(FaultKind::Http500),
        FaultRule::always(FaultKind::Error2),
        FaultRule::always(FaultKind::Slow).delay(Duration::from_millis(600)),
        FaultRule::always(FaultKind::DropBeforeBody),
        FaultRule::always(FaultKind::DropAfterBody),
    ];
    for fault in faults {
        let emu = emulator(config.clone().with_fault(fault.clone())).await;
        let client = builder(&emu.base_url(), CANARY)
            .app_secret(SECRET)
            .timeout(Duration::from_millis(300))
            .on_retry(|e| check("RetryEvent", &format!("{e:?}")))
            .build()
            .unwrap();
        let e = client.send(DEFAULT_PSID, audio(), &o).await.unwrap_err();
        check_err(&format!("{:?}", fault.kind), &e, &mut seen);
    }
    let emu = emulator(config.clone()).await;
    let client = builder(&emu.base_url(), CANARY)
        .app_secret(SECRET)
        .build()
        .unwrap();
    for psid in [PSID_UNKNOWN, PSID_BLOCKED] {
        let e = client.send(psid, audio(), &o).await.unwrap_err();
        check_err(psid, &e, &mut seen);
    }
    let tagged = SendOptions {
        messaging_type: MessagingType::MessageTag,
        tag: Some("ACCOUNT_UPDATE".into()),
        ..SendOptions::default()
    };
    let e = client
        .send(DEFAULT_PSID, audio(), &tagged)
        .await
        .unwrap_err();
    check_err("retired tag", &e, &mut seen);
    let wrong_secret = builder(&emu.base_url(), CANARY)
        .app_secret("nope")
        .build()
        .unwrap();
    let e = wrong_secret
        .send(DEFAULT_PSID, audio(), &o)
        .await
        .unwrap_err();
    check_err("wrong proof", &e, &mut seen);
    client
        .send(DEFAULT_PSID, audio(), &o)
        .await
        .expect("the canary works when all is well");

    // Transport failures.
    let dead = builder(&dead_address().await, CANARY)
        .max_retries(1)
        .build()
        .unwrap();
    let e = dead.send(DEFAULT_PSID, audio(), &o).await.unwrap_err();
    check_err("connection refused", &e, &mut seen);
    let e = dead
        .send(
            DEFAULT_PSID,
            AudioSource::Url(format!("{}/x.m4a", dead_address().await)),
            &o,
        )
        .await
        .unwrap_err();
    check_err("fetch refused", &e, &mut seen);
    let e = dead
        .send(
            DEFAULT_PSID,
            AudioSource::Url(format!("{}/x.m4a?access_token={CANARY}", mock.url())),
            &o,
        )
        .await
        .unwrap_err();
    check_err("fetch of a URL carrying the token", &e, &mut seen);
    let e = dead
        .send(
            DEFAULT_PSID,
            AudioSource::Path("/nonexistent/x.m4a".into()),
            &o,
        )
        .await
        .unwrap_err();
    check_err("missing path", &e, &mut seen);
    let e = dead
        .send(DEFAULT_PSID, AudioSource::Bytes(b"noise".to_vec()), &o)
        .await
        .unwrap_err();
    check_err("unsupported audio", &e, &mut seen);

    // Bad requests.
    let request = SendRequest {
        platform: "whatsapp".into(),
        recipient: DEFAULT_PSID.into(),
        audio_url: Some("https://x/y.m4a".into()),
        session: Session {
            page_access_token: Some(CANARY.into()),
            ..Session::default()
        },
        app_secret: Some(SECRET.into()),
        ..SendRequest::default()
    };
    check("SendRequest Debug", &format!("{request:?}"));
    let e = svara::send(request.clone()).await.unwrap_err();
    check_err("platform", &e, &mut seen);
    let e = svara::send(SendRequest {
        recipient: String::new(),
        platform: "messenger".into(),
        ..request.clone()
    })
    .await
    .unwrap_err();
    check_err("empty recipient", &e, &mut seen);
    for json in [
        format!(r#"{{"session": "{CANARY}"}}"#),
        format!(r#"{{"session": {{"page_access_token": 5, "x": "{CANARY}"}}}}"#),
        format!(r#"{{"recipient": ["{CANARY}"]}}"#),
        format!(r#"{{"{CANARY}": 1}}"#),
    ] {
        let e = SendRequest::from_json(&json).unwrap_err();
        check_err("JSON request", &e, &mut seen);
    }
    let b = Client::builder(CANARY)
        .app_secret(SECRET)
        .graph_url("not a url");
    check("ClientBuilder Debug", &format!("{b:?}"));
    let e = b.build().unwrap_err();
    check_err("bad graph_url", &e, &mut seen);

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("retrying platform call"),
        "tracing output was captured"
    );
    assert!(
        text.len() > 10_000,
        "TRACE output of the whole stack was captured ({} bytes)",
        text.len()
    );
    check("tracing output", &text);
    assert!(seen.len() > 50, "{seen:?}");
}
