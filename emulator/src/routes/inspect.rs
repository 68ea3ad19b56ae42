//! `/__emulator/*`: what the emulator received (`GET messages`), forgetting it (`POST reset`),
//! the received audio bytes by hash, and a health check. Not part of Meta's API.

use crate::state::AppState;
use crate::store::Snapshot;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
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
    match state.store.audio(&sha256.to_ascii_lowercase()) {
        Some(bytes) => ([(header::CONTENT_TYPE, "audio/mp4")], bytes.to_vec()).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "no audio with this sha256 is kept (reset, or over keep_audio_bytes)" })),
        )
            .into_response(),
    }
}
