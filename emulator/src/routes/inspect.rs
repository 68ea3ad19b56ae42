//! `/__emulator/*`: what the emulator received (`GET messages`), forgetting it (`POST reset`),
//! people added at run time (`POST psids`), the received media bytes by hash, a person reading
//! their messages (`POST read`, posting `message_reads` to the bot's webhook), the webhook
//! events posted (`GET webhooks`), and a health check. Not part of Meta's API.

use crate::config::PsidConfig;
use crate::state::AppState;
use crate::store::Snapshot;
use axum::extract::{Path, State};
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;

pub(super) async fn messages(State(state): State<Arc<AppState>>) -> Json<Snapshot> {
    Json(state.store.snapshot())
}

pub(super) async fn reset(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    state.reset();
    Json(json!({ "success": true }))
}

pub(super) async fn health() -> Json<serde_json::Value> {
    Json(
        json!({ "status": "ok", "emulator": "svara-emulator", "version": env!("CARGO_PKG_VERSION") }),
    )
}

pub(super) async fn audio(
    State(state): State<Arc<AppState>>,
    Path(sha256): Path<String>,
) -> Response {
    match state.store.media(&sha256.to_ascii_lowercase()) {
        Some((bytes, content_type)) => {
            ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "no media with this sha256 is kept (reset, or over keep_audio_bytes)" })),
        )
            .into_response(),
    }
}

/// Adds or updates a person: `{"id":"123"}` means "123 just wrote to the Page" (window open);
/// every `PsidConfig` field is accepted (`last_message_ago`, `status`, `page_id`, `app_role`).
pub(super) async fn upsert_psid(
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Response {
    let person: PsidConfig = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => {
            return bad_request(format!(
                "expected a PSID like {{\"id\":\"123\",\"last_message_ago\":\"2h\"}}: {e}"
            ))
        }
    };
    if person.id.trim().is_empty() {
        return bad_request("the PSID needs an id".to_owned());
    }
    if let Some(page) = &person.page_id {
        if !state.config.pages.iter().any(|p| &p.id == page) {
            return bad_request(format!("page {page} is not configured"));
        }
    }
    let id = person.id.clone();
    state.people.upsert(person);
    Json(json!({ "success": true, "psid": id })).into_response()
}

/// `POST /__emulator/read {"psid": "…", "page_id": "…"?}`: the person read everything the Page
/// (or every Page) sent them; `message_reads` events go to the bot's webhook.
pub(super) async fn read(State(state): State<Arc<AppState>>, body: axum::body::Bytes) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct ReadBody {
        psid: String,
        page_id: Option<String>,
    }
    let req: ReadBody = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad_request(format!("expected {{\"psid\":\"…\"}}: {e}")),
    };
    if !state.webhooks.active() {
        return bad_request(
            "no webhook is configured: set `webhooks.url` (and a secret) in the scenario".into(),
        );
    }
    state.mark_read(&req.psid, req.page_id.as_deref());
    Json(json!({ "success": true, "psid": req.psid })).into_response()
}

/// `GET /__emulator/webhooks`: every webhook event posted to the bot, oldest first.
pub(super) async fn webhooks(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(json!({ "posts": state.webhooks.log() }))
}

/// A known inspection path with the wrong method: JSON, never an empty 405.
pub(super) async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        Json(json!({ "error": format!("{method} is not supported on {}; see the emulator's README for the inspection endpoints", uri.path()) })),
    )
        .into_response()
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}
