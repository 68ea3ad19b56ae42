//! A receiver for svara serve's webhooks in Rust: each event's `Svara-Signature` is checked with
//! `svara::webhooks::verify` (origin and freshness) before it is used, retries are
//! de-duplicated on the event id, and anything that does not verify is refused with 400.
//!
//! ```sh
//! SVARA_WEBHOOK_SECRET=whsec_... cargo run -p svara-server --example webhook_receiver -- 8000
//! ```

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

#[tokio::main]
async fn main() {
    let secret = std::env::var("SVARA_WEBHOOK_SECRET").expect("SVARA_WEBHOOK_SECRET");
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(8000);
    let seen: Arc<Mutex<HashSet<String>>> = Arc::default();
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (secret, seen) = (secret.clone(), seen.clone());
            async move {
                let header = headers
                    .get(svara::webhooks::SIGNATURE_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                // The raw body, exactly as received.
                if let Err(e) = svara::webhooks::verify(
                    &body,
                    header,
                    &secret,
                    svara::webhooks::DEFAULT_TOLERANCE,
                ) {
                    println!("refused: {}", e.code());
                    return StatusCode::BAD_REQUEST;
                }
                let event: serde_json::Value = match serde_json::from_slice(&body) {
                    Ok(v) => v,
                    Err(_) => return StatusCode::BAD_REQUEST,
                };
                let id = event["id"].as_str().unwrap_or("").to_owned();
                // Delivery is at least once: de-duplicate on the event id.
                if seen.lock().unwrap().insert(id) {
                    println!(
                        "verified {} {} {}",
                        event["event"].as_str().unwrap_or(""),
                        event["data"]["id"].as_str().unwrap_or(""),
                        event["data"]["status"].as_str().unwrap_or("")
                    );
                }
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("the port is free");
    axum::serve(listener, app).await.expect("serves");
}
