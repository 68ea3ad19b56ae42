//! `ClientBuilder::before_request`: awaited after the limiter and right before each Graph
//! request is written; an error from it aborts the call with nothing sent.

mod client_support;

use client_support::*;
use std::sync::{Arc, Mutex};
use svara::{AudioSource, Error, ErrorCode, RequestEvent, SendOptions};
use svara_emulator::{EmulatorConfig, DEFAULT_PAGE_TOKEN, DEFAULT_PSID};

#[tokio::test]
async fn runs_before_every_request_and_can_abort_it() {
    let emu = emulator(EmulatorConfig::default()).await;
    let seen: Arc<Mutex<Vec<RequestEvent>>> = Arc::default();
    let refuse = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (seen2, refuse2) = (seen.clone(), refuse.clone());
    let client = builder(&emu.base_url(), DEFAULT_PAGE_TOKEN)
        .before_request(move |event| {
            seen2.lock().unwrap().push(event);
            let refuse = refuse2.load(std::sync::atomic::Ordering::SeqCst);
            async move {
                if refuse {
                    Err(Error::new(ErrorCode::NetworkError, "stopped by the hook"))
                } else {
                    Ok(())
                }
            }
        })
        .build()
        .unwrap();
    let up = client
        .upload(AudioSource::Bytes(sample_m4a()), &SendOptions::default())
        .await
        .expect("uploaded");
    client
        .send(
            DEFAULT_PSID,
            AudioSource::AttachmentId(up.attachment_id.clone()),
            &SendOptions::default(),
        )
        .await
        .expect("sent");
    assert_eq!(
        *seen.lock().unwrap(),
        vec![
            RequestEvent {
                operation: "upload",
                attempt: 0
            },
            RequestEvent {
                operation: "send_by_id",
                attempt: 0
            }
        ]
    );

    refuse.store(true, std::sync::atomic::Ordering::SeqCst);
    let err = client
        .send(
            DEFAULT_PSID,
            AudioSource::AttachmentId(up.attachment_id),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NetworkError);
    assert_eq!(err.message(), "Stopped by the hook.");
    let snap = emu.snapshot();
    assert_eq!(
        snap.attempts_for(DEFAULT_PSID),
        1,
        "the refused send never left"
    );
    assert_eq!(snap.messages_for(DEFAULT_PSID).len(), 1);
}
