//! `appsecret_proof`: lowercase hex HMAC-SHA256 of the token keyed with the app secret,
//! required and verified when the emulator has an app secret.

mod common;

use common::*;
use svara_emulator::*;

const SECRET: &str = "svara-test-app-secret";

async fn send_with_proof(
    emu: &Emulator,
    proof: Option<String>,
    in_form: bool,
) -> reqwest::Response {
    let mut s = Send::to(DEFAULT_PSID);
    let mut query = vec![("access_token", DEFAULT_PAGE_TOKEN.to_owned())];
    if let Some(p) = proof {
        if in_form {
            s.extra.push(("appsecret_proof", p));
        } else {
            query.push(("appsecret_proof", p));
        }
    }
    client()
        .post(format!("{}/v25.0/me/messages", emu.base_url()))
        .query(&query)
        .multipart(s.form())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn right_proof_passes_wrong_or_missing_proof_fails() {
    let emu = start(EmulatorConfig::default().with_app_secret(SECRET)).await;
    let proof = appsecret_proof(SECRET, DEFAULT_PAGE_TOKEN);
    assert_eq!(proof.len(), 64);
    assert_eq!(proof, proof.to_lowercase());
    assert_sent(
        send_with_proof(&emu, Some(proof.clone()), false).await,
        DEFAULT_PSID,
    )
    .await;
    assert_sent(
        send_with_proof(&emu, Some(proof.clone()), true).await,
        DEFAULT_PSID,
    )
    .await;

    let body = assert_graph_error(send_with_proof(&emu, None, false).await, 400, 100, None).await;
    assert_eq!(
        body["error"]["message"],
        "API calls from the server require an appsecret_proof argument"
    );
    let wrong = appsecret_proof("another-secret", DEFAULT_PAGE_TOKEN);
    let body = assert_graph_error(
        send_with_proof(&emu, Some(wrong), false).await,
        400,
        100,
        None,
    )
    .await;
    assert_eq!(
        body["error"]["message"],
        "Invalid appsecret_proof provided in the API argument"
    );
    assert_eq!(body["error"]["type"], "GraphMethodException");
    // Proof of another token.
    let other = appsecret_proof(SECRET, SECOND_PAGE_TOKEN);
    assert_graph_error(
        send_with_proof(&emu, Some(other), true).await,
        400,
        100,
        None,
    )
    .await;
    assert_graph_error(
        send_with_proof(&emu, Some("zz".into()), true).await,
        400,
        100,
        None,
    )
    .await;
    assert_eq!(emu.snapshot().delivered, 2);
}

#[tokio::test]
async fn without_an_app_secret_no_proof_is_needed() {
    let emu = start_default().await;
    assert_eq!(DEFAULT_APP_SECRET, None);
    assert_sent(send_with_proof(&emu, None, false).await, DEFAULT_PSID).await;
    let mut config = EmulatorConfig::default().with_app_secret(SECRET);
    config.require_appsecret_proof = false;
    let emu = start(config).await;
    assert_sent(send_with_proof(&emu, None, false).await, DEFAULT_PSID).await;
    let wrong = appsecret_proof("x", DEFAULT_PAGE_TOKEN);
    assert_graph_error(
        send_with_proof(&emu, Some(wrong), false).await,
        400,
        100,
        None,
    )
    .await;
}
