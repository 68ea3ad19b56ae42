//! The HTTP API: routes, and the layers every request passes (a concurrency limit answered 429,
//! panics turned into 500 `internal_error`, one log line without secrets, the error envelope for
//! unknown routes and methods).

pub mod audio;
pub mod extract;
pub mod health;
pub mod page;
pub mod send;
pub mod send_body;
pub mod status;
pub mod webhooks;

use crate::error::ApiError;
use crate::state::AppState;
use crate::webhooks_in::meta;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures::FutureExt;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;

/// The router of the whole API.
pub fn router(state: AppState) -> Router {
    let in_flight = Arc::new(Semaphore::new(state.config.limits.max_in_flight_requests));
    let upload_limit = svara::audio::MAX_AUDIO_BYTES as usize + 64 * 1024;
    let v1 = Router::new()
        .route("/v1/send", post(send::send))
        .route(
            "/v1/audio",
            post(audio::upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/v1/status/{id}", get(status::status))
        .route("/v1/messages/{id}", get(status::message))
        .route("/v1/messages", get(status::list))
        .route("/v1/usage", get(status::usage))
        .route("/v1/webhooks", post(webhooks::create).get(webhooks::list))
        .route("/v1/webhooks/request-secret", get(webhooks::request_secret))
        .route(
            "/v1/webhooks/{id}",
            get(webhooks::get).delete(webhooks::delete),
        )
        .route("/v1/webhooks/{id}/rotate", post(webhooks::rotate))
        .route("/v1/webhooks/{id}/deliveries", get(webhooks::deliveries))
        .route_layer(middleware::from_fn(extract::rate_headers))
        .route_layer(middleware::from_fn_with_state(
            in_flight.clone(),
            limit_in_flight,
        ));
    let inbound = Router::new()
        .route(
            "/webhooks/messenger",
            get(meta::messenger_verify).post(meta::messenger_receive),
        )
        .route(
            "/webhooks/whatsapp",
            get(meta::whatsapp_verify).post(meta::whatsapp_receive),
        )
        .route_layer(middleware::from_fn_with_state(in_flight, limit_in_flight));
    Router::new()
        .merge(v1)
        .merge(inbound)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/openapi.json", get(health::openapi))
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn(catch_panics))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn unknown_route(req: Request) -> ApiError {
    ApiError::not_found(format!(
        "There is no {} {} here; the API is described at GET /openapi.json.",
        req.method(),
        shown_path(req.uri().path())
    ))
}

async fn wrong_method(req: Request) -> ApiError {
    ApiError::bad_request(format!(
        "{} is not allowed on {}; see GET /openapi.json for the methods of each path.",
        req.method(),
        shown_path(req.uri().path())
    ))
}

/// A path as echoed in a message: bounded, printable.
fn shown_path(p: &str) -> String {
    let mut s: String = p
        .chars()
        .take(80)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect();
    if p.len() > 80 {
        s.push('…');
    }
    s
}

async fn limit_in_flight(State(sem): State<Arc<Semaphore>>, req: Request, next: Next) -> Response {
    match sem.try_acquire_owned() {
        Ok(_permit) => next.run(req).await,
        Err(_) => ApiError::rate_limited(
            "The server is handling as many requests as it allows at once; retry after a second.",
            1,
            json!({ "reason": "concurrency_limit", "retry_after": 1 }),
        )
        .into_response(),
    }
}

async fn catch_panics(req: Request, next: Next) -> Response {
    match std::panic::AssertUnwindSafe(next.run(req))
        .catch_unwind()
        .await
    {
        Ok(resp) => resp,
        Err(_) => {
            // The payload is not logged: it could hold request data.
            tracing::error!("a request handler panicked");
            ApiError::internal().into_response()
        }
    }
}

async fn log_request(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = shown_path(req.uri().path());
    let resp = next.run(req).await;
    tracing::info!(
        target: "svara_server::http",
        %method,
        path,
        status = resp.status().as_u16(),
        ms = start.elapsed().as_millis() as u64,
        "request"
    );
    resp
}
