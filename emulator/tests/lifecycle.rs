//! Starting and stopping: inside a runtime, from a plain thread (what the Python and Node
//! bindings do), on a chosen port; dropping or shutting down frees the port; the token never
//! reaches a log line.

mod common;

use common::*;
use std::io::Write;
use std::sync::{Arc, Mutex};
use svara_emulator::*;

fn refused(addr: std::net::SocketAddr) -> bool {
    std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(500)).is_err()
}

#[test]
fn emulator_can_be_shared_across_threads() {
    // The Python and Node bindings keep it in objects that move between threads.
    fn assert_send_sync<T: std::marker::Send + Sync + 'static>() {}
    assert_send_sync::<Emulator>();
    assert_send_sync::<EmulatorConfig>();
    assert_send_sync::<Snapshot>();
}

#[test]
fn start_blocking_works_from_a_thread_without_a_runtime_and_drop_stops_it() {
    let emu = std::thread::spawn(|| Emulator::start_blocking(EmulatorConfig::default()).unwrap())
        .join()
        .unwrap();
    let base = emu.base_url();
    assert!(
        base.starts_with("http://127.0.0.1:") && !base.ends_with('/'),
        "{base}"
    );
    // A blocking client from this (non-async) thread.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = rt.block_on(async {
        let r = send(&emu, Send::to(DEFAULT_PSID)).await;
        assert_sent(r, DEFAULT_PSID).await
    });
    assert_eq!(
        emu.deliveries()[0].message_id,
        body["message_id"].as_str().unwrap()
    );
    let addr = emu.addr();
    drop(emu);
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(refused(addr), "port still open after drop");
}

#[tokio::test]
async fn shutdown_frees_the_port_and_a_fixed_port_can_be_reused() {
    let emu = start_default().await;
    let addr = emu.addr();
    assert_sent(send(&emu, Send::to(DEFAULT_PSID)).await, DEFAULT_PSID).await;
    emu.shutdown().await;
    assert!(refused(addr));
    let config = EmulatorConfig {
        port: addr.port(),
        ..EmulatorConfig::default()
    };
    let again = start(config.clone()).await;
    assert_eq!(again.addr().port(), addr.port());
    // The port is taken now: a second emulator on it fails with a Bind error.
    let err = Emulator::start(config).await.unwrap_err();
    assert!(matches!(err, EmulatorError::Bind { .. }), "{err}");
    again.shutdown().await;
}

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

#[tokio::test]
async fn the_token_never_reaches_a_log_line() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let secret_token = "EAA-recognisable-secret-token-4242";
    let emu = start(EmulatorConfig::default().with_app_secret("app-secret-4242")).await;
    let c = client();
    // Every failure path a token travels: query, form field, header; invalid, then valid
    // without proof, then valid with a wrong proof.
    for token in [secret_token, DEFAULT_PAGE_TOKEN] {
        let _ = send_with_token(&emu, Send::to(DEFAULT_PSID), token)
            .await
            .text()
            .await;
        let mut s = Send::to(DEFAULT_PSID);
        s.token_field = Some(token.to_owned());
        s.extra.push(("appsecret_proof", "00".into()));
        let _ = c
            .post(format!("{}/v25.0/me/messages", emu.base_url()))
            .multipart(s.form())
            .send()
            .await
            .unwrap()
            .text()
            .await;
        let _ = c
            .post(format!("{}/v25.0/me/messages", emu.base_url()))
            .bearer_auth(token)
            .multipart(Send::to(DEFAULT_PSID).form())
            .send()
            .await
            .unwrap()
            .text()
            .await;
    }
    emu.shutdown().await;
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("svara-emulator"),
        "logging was captured: {logs}"
    );
    for secret in [secret_token, DEFAULT_PAGE_TOKEN, "app-secret-4242"] {
        assert!(!logs.contains(secret), "{secret} leaked into logs:\n{logs}");
    }
    assert!(!format!("{:?}", EmulatorConfig::default()).contains(DEFAULT_PAGE_TOKEN));
}
