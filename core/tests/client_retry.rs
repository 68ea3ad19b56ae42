//! Retries without duplicates: only calls that certainly were not accepted are retried
//! (connect failures, a body that was never sent completely, rate_limited, temporary
//! failures), counted by the server; an ambiguous timeout or a connection dropped after the
//! request was sent is `network_error` with `may_have_been_delivered`, never retried.

mod client_support;

use client_support::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use svara::{AudioSource, ErrorCode, PreparedAudio, RetryEvent, SendOptions};
use svara_emulator::{EmulatorConfig, FaultKind, FaultRule, DEFAULT_PSID};
use tokio::io::AsyncReadExt;

fn recorder() -> (
    Arc<Mutex<Vec<RetryEvent>>>,
    impl Fn(&RetryEvent) + Send + Sync + 'static,
) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let e2 = events.clone();
    (events, move |e: &RetryEvent| {
        e2.lock().unwrap().push(e.clone())
    })
}

#[tokio::test]
async fn temporary_failures_are_retried_and_counted_by_the_emulator() {
    let emu = emulator(
        EmulatorConfig::default().with_fault(FaultRule::always(FaultKind::Error1200).times(2)),
    )
    .await;
    let (events, hook) = recorder();
    let client = builder(&emu.base_url(), svara_emulator::DEFAULT_PAGE_TOKEN)
        .on_retry(hook)
        .build()
        .unwrap();
    let res = client
        .send(
            DEFAULT_PSID,
            AudioSource::Bytes(sample_m4a()),
            &SendOptions::default(),
        )
        .await
        .expect("third attempt succeeds");
    let snap = emu.snapshot();
    assert_eq!(
        snap.attempts_for(DEFAULT_PSID),
        3,
        "two failures, then success"
    );
    assert_eq!(
        snap.messages_for(DEFAULT_PSID).len(),
        1,
        "delivered exactly once"
    );
    assert_eq!(snap.messages_for(DEFAULT_PSID)[0].message_id, res.id);
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].attempt, 1);
    assert_eq!(events[1].attempt, 2);
    assert!(events
        .iter()
        .all(|e| e.code == ErrorCode::TemporaryFailure && e.operation == "send"));
    assert!(events[0].message.contains("1200"), "{:?}", events[0]);
}

#[tokio::test]
async fn retries_stop_at_max_retries() {
    let emu =
        emulator(EmulatorConfig::default().with_fault(FaultRule::always(FaultKind::Http500))).await;
    let client = builder(&emu.base_url(), svara_emulator::DEFAULT_PAGE_TOKEN)
        .max_retries(1)
        .build()
        .unwrap();
    let e = client
        .send(
            DEFAULT_PSID,
            AudioSource::Bytes(sample_m4a()),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::TemporaryFailure, "{e}");
    assert_eq!(e.http_status(), Some(500));
    assert_eq!(e.is_transient(), Some(true));
    assert_eq!(
        emu.snapshot().attempts_for(DEFAULT_PSID),
        2,
        "1 try + 1 retry"
    );
    assert_eq!(emu.snapshot().deliveries().len(), 0);
}

#[tokio::test]
async fn rate_limited_is_retried_honouring_retry_after() {
    let limited = || {
        Reply::graph_error(
            400,
            613,
            None,
            "(#613) Calls to this api have exceeded the rate limit.",
        )
        .header("Retry-After", "1")
    };
    let mock = MockGraph::start(Reply::sent("m_after")).await;
    mock.script([limited()]);
    let (events, hook) = recorder();
    let client = builder(&mock.url(), "EAAtok")
        .on_retry(hook)
        .build()
        .unwrap();
    let t = Instant::now();
    let r = client
        .send(
            "61",
            AudioSource::AttachmentId("a".into()),
            &SendOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(r.id, "m_after");
    assert_eq!(mock.hits(), 2);
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "waited retry_after: {:?}",
        t.elapsed()
    );
    assert_eq!(events.lock().unwrap()[0].wait, Duration::from_secs(1));
    assert_eq!(events.lock().unwrap()[0].code, ErrorCode::RateLimited);

    // 613/2018338 (abusive tagged messages) is not burst-retried.
    mock.reset();
    mock.script([Reply::graph_error(
        400,
        613,
        Some(2018338),
        "(#613) Tagged messages may be abusive",
    )]);
    let client = builder(&mock.url(), "EAAtok").build().unwrap();
    let e = client
        .send(
            "61",
            AudioSource::AttachmentId("a".into()),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::RateLimited);
    assert_eq!(mock.hits(), 1);
}

#[tokio::test]
async fn ambiguous_timeout_is_not_retried() {
    let emu = emulator(
        EmulatorConfig::default()
            .with_fault(FaultRule::always(FaultKind::Slow).delay(Duration::from_millis(1500))),
    )
    .await;
    let (events, hook) = recorder();
    let client = builder(&emu.base_url(), svara_emulator::DEFAULT_PAGE_TOKEN)
        .timeout(Duration::from_millis(400))
        .on_retry(hook)
        .build()
        .unwrap();
    let e = client
        .send(
            DEFAULT_PSID,
            AudioSource::Bytes(sample_m4a()),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NetworkError, "{e}");
    assert!(e.may_have_been_delivered(), "{e:?}");
    assert!(e.message().contains("may have been delivered"), "{e}");
    assert!(events.lock().unwrap().is_empty(), "no retry");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let snap = emu.snapshot();
    assert_eq!(snap.attempts_for(DEFAULT_PSID), 1, "sent once");
    assert_eq!(
        snap.messages_for(DEFAULT_PSID).len(),
        1,
        "and it was delivered: a retry would have doubled it"
    );
}

#[tokio::test]
async fn connection_dropped_after_the_request_is_not_retried() {
    let emu =
        emulator(EmulatorConfig::default().with_fault(FaultRule::always(FaultKind::DropAfterBody)))
            .await;
    let client = emulator_client(&emu);
    let e = client
        .send(
            DEFAULT_PSID,
            AudioSource::Bytes(sample_m4a()),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NetworkError, "{e}");
    assert!(e.may_have_been_delivered());
    assert_eq!(e.http_status(), None);
    let snap = emu.snapshot();
    assert_eq!(snap.attempts_for(DEFAULT_PSID), 1);
    assert_eq!(
        snap.messages_for(DEFAULT_PSID).len(),
        1,
        "delivered once, not twice"
    );
}

#[tokio::test]
async fn connection_refused_is_retried_and_nothing_was_delivered() {
    let (events, hook) = recorder();
    let client = builder(&dead_address().await, "EAAtok")
        .max_retries(2)
        .on_retry(hook)
        .build()
        .unwrap();
    let e = client
        .send(
            "61",
            AudioSource::Bytes(sample_m4a()),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NetworkError, "{e}");
    assert!(!e.may_have_been_delivered(), "{e:?}");
    assert!(e.message().contains("Nothing was sent"), "{e}");
    assert_eq!(
        events.lock().unwrap().len(),
        2,
        "connect failures are retried"
    );
}

/// A server that reads a little of each request and then resets the connection, counting
/// connections: the client cannot have sent its (large) body completely.
async fn cut_off_server() -> (String, Arc<Mutex<usize>>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let count = Arc::new(Mutex::new(0));
    let c2 = count.clone();
    tokio::spawn(async move {
        loop {
            let (mut s, _) = l.accept().await.unwrap();
            *c2.lock().unwrap() += 1;
            let mut buf = vec![0u8; 4096];
            let _ = s.read(&mut buf).await;
            drop(s);
        }
    });
    (format!("http://{addr}"), count)
}

#[tokio::test]
async fn a_body_cut_off_mid_upload_is_retried() {
    let (url, connections) = cut_off_server().await;
    let info = svara::verify_m4a_aac(&sample_m4a()).unwrap();
    let prepared = PreparedAudio {
        data: vec![7u8; 8 * 1024 * 1024],
        mime: "audio/mp4",
        file_name: "voice.m4a".into(),
        input: info.clone(),
        output: info,
        converted: false,
    };
    let client = builder(&url, "EAAtok").max_retries(2).build().unwrap();
    let e = client
        .send_prepared("61", &prepared, &SendOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NetworkError, "{e}");
    assert!(
        !e.may_have_been_delivered(),
        "an incomplete body cannot have been accepted: {e:?}"
    );
    assert!(e.message().contains("not sent completely"), "{e}");
    assert_eq!(*connections.lock().unwrap(), 3, "1 try + 2 retries");
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_is_ambiguous() {
    // The emulator closes the connection before reading the body and delivers nothing, but
    // the client had already handed over its whole (small) request and cannot tell this apart
    // from a drop after processing: it must not resend, and says so.
    let emu = emulator(
        EmulatorConfig::default().with_fault(FaultRule::always(FaultKind::DropBeforeBody)),
    )
    .await;
    let (events, hook) = recorder();
    let client = builder(&emu.base_url(), svara_emulator::DEFAULT_PAGE_TOKEN)
        .on_retry(hook)
        .build()
        .unwrap();
    let e = client
        .send(
            DEFAULT_PSID,
            AudioSource::Bytes(sample_m4a()),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NetworkError, "{e}");
    assert!(e.may_have_been_delivered(), "{e:?}");
    assert!(events.lock().unwrap().is_empty());
    assert_eq!(emu.snapshot().deliveries().len(), 0);
}
