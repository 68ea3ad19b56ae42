//! Messenger's webhook, the way Meta calls it: `GET /webhooks/messenger` answers the
//! subscription handshake (`hub.mode=subscribe`, `hub.verify_token` compared in constant time
//! with `SVARA_MESSENGER_VERIFY_TOKEN`, `hub.challenge` echoed as text); `POST
//! /webhooks/messenger` checks `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the app
//! secret, constant time) before anything else, refuses unsigned or mis-signed bodies with 401
//! and stores nothing for them, stores a verified body, and answers 200 at once (Meta retries
//! slow or failed deliveries); the receipts worker applies it ([`super`]).
//!
//! Two secrets verify: the Meta app's (`SVARA_MESSENGER_APP_SECRET`: receipts of live notes)
//! and the one the built-in emulator of test mode signs with (random per process: receipts of
//! test notes). A receipt only ever touches notes of the mode whose secret signed it.

use crate::config::Secret;
use crate::error::ApiError;
use crate::keys::Mode;
use crate::state::AppState;
use crate::store::receipts;
use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Limited};
use sha2::Sha256;
use std::collections::HashMap;
use subtle::ConstantTimeEq;

/// The header Meta signs its webhooks with.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";
/// Largest body read (Meta batches events; a few KiB is usual).
pub const MAX_BODY: usize = 1024 * 1024;
/// Longest `hub.challenge` echoed.
pub const MAX_CHALLENGE: usize = 256;

fn forbidden(message: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        axum::Json(serde_json::json!({"error": {"code": "forbidden", "message": message, "details": null}})),
    )
        .into_response()
}

/// `GET /webhooks/messenger`: Meta's verification handshake.
pub async fn verify(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(expected) = state.config.messenger.verify_token.as_ref() else {
        return forbidden("This server has no SVARA_MESSENGER_VERIFY_TOKEN: set it, and give the same value as the Verify Token of the Messenger webhook in Meta's App Dashboard.");
    };
    if q.get("hub.mode").map(String::as_str) != Some("subscribe") {
        return forbidden("hub.mode must be subscribe.");
    }
    let given = q.get("hub.verify_token").map(String::as_str).unwrap_or("");
    if !bool::from(given.as_bytes().ct_eq(expected.expose().as_bytes())) {
        tracing::warn!(target: "svara_server::messenger", "webhook verification refused: wrong hub.verify_token");
        return forbidden("hub.verify_token does not match SVARA_MESSENGER_VERIFY_TOKEN.");
    }
    let challenge = q.get("hub.challenge").map(String::as_str).unwrap_or("");
    if challenge.is_empty()
        || challenge.len() > MAX_CHALLENGE
        || !challenge.bytes().all(|b| b.is_ascii_graphic())
    {
        return forbidden("hub.challenge is missing or not a short token.");
    }
    tracing::info!(target: "svara_server::messenger", "webhook subscription verified");
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain")],
        challenge.to_owned(),
    )
        .into_response()
}

/// Whether `header` (`sha256=HEX`) is the HMAC-SHA256 of `body` with `secret`, compared in
/// constant time.
pub fn signed_by(body: &[u8], header: &str, secret: &Secret) -> bool {
    let Some(hex_sig) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(given) = hex::decode(hex_sig.trim()) else {
        return false;
    };
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes any key");
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

fn unauthorized(message: &str) -> Box<Response> {
    Box::new(ApiError::unauthorized(message).into_response())
}

/// Which mode's secret signed a body, if any.
fn signer(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Mode, Box<Response>> {
    let Some(sig) = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()) else {
        return Err(unauthorized(
            "Unsigned: Messenger webhooks must carry X-Hub-Signature-256 (Meta signs every call with the app secret).",
        ));
    };
    if let Some(secret) = &state.config.messenger.app_secret {
        if signed_by(body, sig, secret) {
            return Ok(Mode::Live);
        }
    }
    if signed_by(body, sig, &state.test_app_secret) {
        return Ok(Mode::Test);
    }
    Err(unauthorized(
        if state.config.messenger.app_secret.is_some() {
            "X-Hub-Signature-256 does not match the body: it was not signed with this app's secret (SVARA_MESSENGER_APP_SECRET), or the body was changed."
        } else {
            "X-Hub-Signature-256 cannot be checked: this server has no SVARA_MESSENGER_APP_SECRET (the Meta app's secret)."
        },
    ))
}

/// `POST /webhooks/messenger`: verify, store, 200.
pub async fn receive(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok())
        .is_some_and(|n| n > MAX_BODY)
    {
        return ApiError::payload_too_large(MAX_BODY as u64, "webhook body").into_response();
    }
    let body: Bytes = match tokio::time::timeout(
        state.config.limits.body_timeout,
        Limited::new(body, MAX_BODY).collect(),
    )
    .await
    {
        Ok(Ok(c)) => c.to_bytes(),
        Ok(Err(_)) => {
            return ApiError::payload_too_large(MAX_BODY as u64, "webhook body").into_response()
        }
        Err(_) => return ApiError::bad_request("The body did not arrive in time.").into_response(),
    };
    let mode = match signer(&state, &parts.headers, &body) {
        Ok(m) => m,
        Err(refused) => {
            tracing::warn!(target: "svara_server::messenger", "refused a Messenger webhook without a valid signature");
            return *refused;
        }
    };
    let Ok(text) = String::from_utf8(body.to_vec()) else {
        return ApiError::bad_request("The body is not UTF-8 JSON.").into_response();
    };
    let (id, now) = (
        crate::ids::new_id("in", state.store.now_ms()),
        state.store.now_ms(),
    );
    let stored = state
        .store
        .write(Box::new(move |c| {
            Box::pin(async move { receipts::insert(c, &id, mode.as_str(), &text, now).await })
        }))
        .await;
    match stored {
        Ok(()) => {
            state.receipts_wake.notify_one();
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/plain")],
                "EVENT_RECEIVED",
            )
                .into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_checked_over_the_raw_bytes() {
        let secret = Secret::new("app-secret");
        let body = br#"{"object":"page","entry":[]}"#;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"app-secret").unwrap();
        mac.update(body);
        let good = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert!(signed_by(body, &good, &secret));
        assert!(!signed_by(
            br#"{"object":"page","entry":[ ]}"#,
            &good,
            &secret
        ));
        assert!(!signed_by(body, &good, &Secret::new("other")));
        assert!(!signed_by(body, &good.replace("sha256=", "sha1="), &secret));
        assert!(!signed_by(body, "sha256=zz", &secret));
        assert!(!signed_by(body, "", &secret));
    }
}
