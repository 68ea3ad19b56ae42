//! Meta's webhooks, the way Meta calls them, for the two products whose receipts the server
//! applies: Messenger (`/webhooks/messenger`: `message_deliveries`, `message_reads`) and
//! WhatsApp (`/webhooks/whatsapp`: message `statuses`). `GET` answers the subscription
//! handshake (`hub.mode=subscribe`, `hub.verify_token` compared in constant time with the
//! product's verify token, `hub.challenge` echoed as text); `POST` checks `X-Hub-Signature-256`
//! (HMAC-SHA256 of the raw body with the app secret, constant time) before anything else,
//! refuses unsigned or mis-signed bodies with 401 and stores nothing for them, stores a verified
//! body, and answers 200 at once (Meta retries slow or failed deliveries); the receipts worker
//! applies it ([`super`]).
//!
//! Two secrets verify: the Meta app's (`SVARA_MESSENGER_APP_SECRET` or
//! `SVARA_WHATSAPP_APP_SECRET`: receipts of live notes) and the one the built-in emulator of
//! test mode signs with (random per process: receipts of test notes). A receipt only ever
//! touches notes of the mode whose secret signed it.

use crate::config::{MetaWebhookSettings, Secret};
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

/// Which of Meta's products a webhook is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    /// `/webhooks/messenger`.
    Messenger,
    /// `/webhooks/whatsapp`.
    Whatsapp,
}

impl Product {
    /// The stored `source` and log name: `messenger`, `whatsapp`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Product::Messenger => "messenger",
            Product::Whatsapp => "whatsapp",
        }
    }

    /// How people call it.
    const fn title(self) -> &'static str {
        match self {
            Product::Messenger => "Messenger",
            Product::Whatsapp => "WhatsApp",
        }
    }

    /// The variables its settings come from (app secret, verify token).
    const fn variables(self) -> (&'static str, &'static str) {
        match self {
            Product::Messenger => ("SVARA_MESSENGER_APP_SECRET", "SVARA_MESSENGER_VERIFY_TOKEN"),
            Product::Whatsapp => ("SVARA_WHATSAPP_APP_SECRET", "SVARA_WHATSAPP_VERIFY_TOKEN"),
        }
    }

    fn settings(self, state: &AppState) -> &MetaWebhookSettings {
        match self {
            Product::Messenger => &state.config.messenger,
            Product::Whatsapp => &state.config.whatsapp,
        }
    }
}

/// `GET /webhooks/messenger`.
pub async fn messenger_verify(
    state: State<AppState>,
    q: Query<HashMap<String, String>>,
) -> Response {
    verify(Product::Messenger, state, q).await
}

/// `POST /webhooks/messenger`.
pub async fn messenger_receive(state: State<AppState>, req: Request) -> Response {
    receive(Product::Messenger, state, req).await
}

/// `GET /webhooks/whatsapp`.
pub async fn whatsapp_verify(
    state: State<AppState>,
    q: Query<HashMap<String, String>>,
) -> Response {
    verify(Product::Whatsapp, state, q).await
}

/// `POST /webhooks/whatsapp`.
pub async fn whatsapp_receive(state: State<AppState>, req: Request) -> Response {
    receive(Product::Whatsapp, state, req).await
}

fn forbidden(message: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        axum::Json(serde_json::json!({"error": {"code": "forbidden", "message": message, "details": null}})),
    )
        .into_response()
}

/// `GET`: Meta's verification handshake.
async fn verify(
    product: Product,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (_, token_var) = product.variables();
    let Some(expected) = product.settings(&state).verify_token.as_ref() else {
        return forbidden(&format!("This server has no {token_var}: set it, and give the same value as the Verify Token of the {} webhook in Meta's App Dashboard.", product.title()));
    };
    if q.get("hub.mode").map(String::as_str) != Some("subscribe") {
        return forbidden("hub.mode must be subscribe.");
    }
    let given = q.get("hub.verify_token").map(String::as_str).unwrap_or("");
    if !bool::from(given.as_bytes().ct_eq(expected.expose().as_bytes())) {
        tracing::warn!(target: "svara_server::meta_webhooks", product = product.as_str(), "webhook verification refused: wrong hub.verify_token");
        return forbidden(&format!("hub.verify_token does not match {token_var}."));
    }
    let challenge = q.get("hub.challenge").map(String::as_str).unwrap_or("");
    if challenge.is_empty()
        || challenge.len() > MAX_CHALLENGE
        || !challenge.bytes().all(|b| b.is_ascii_graphic())
    {
        return forbidden("hub.challenge is missing or not a short token.");
    }
    tracing::info!(target: "svara_server::meta_webhooks", product = product.as_str(), "webhook subscription verified");
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
fn signer(
    product: Product,
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Mode, Box<Response>> {
    let (title, (secret_var, _)) = (product.title(), product.variables());
    let Some(sig) = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()) else {
        return Err(unauthorized(&format!(
            "Unsigned: {title} webhooks must carry X-Hub-Signature-256 (Meta signs every call with the app secret)."
        )));
    };
    let app_secret = &product.settings(state).app_secret;
    if let Some(secret) = app_secret {
        if signed_by(body, sig, secret) {
            return Ok(Mode::Live);
        }
    }
    if signed_by(body, sig, &state.test_app_secret) {
        return Ok(Mode::Test);
    }
    Err(unauthorized(&if app_secret.is_some() {
        format!("X-Hub-Signature-256 does not match the body: it was not signed with this app's secret ({secret_var}), or the body was changed.")
    } else {
        format!("X-Hub-Signature-256 cannot be checked: this server has no {secret_var} (the Meta app's secret).")
    }))
}

/// `POST`: verify, store, 200.
async fn receive(product: Product, State(state): State<AppState>, req: Request) -> Response {
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
    let mode = match signer(product, &state, &parts.headers, &body) {
        Ok(m) => m,
        Err(refused) => {
            tracing::warn!(target: "svara_server::meta_webhooks", product = product.as_str(), "refused a webhook without a valid signature");
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
            Box::pin(async move {
                receipts::insert(c, &id, product.as_str(), mode.as_str(), &text, now).await
            })
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
