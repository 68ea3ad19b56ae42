//! `POST /{version}/{page-id|me}/message_attachments`: save audio for reuse, send nothing.

use super::audio_source::{resolve, save};
use super::pipeline::{run, Call, Endpoint};
use crate::graph_error::GraphErrorReply;
use crate::state::AppState;
use crate::validate::{check_attachment, AudioRef};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::Request;
use axum::response::Response;
use serde_json::{json, Value};
use std::sync::Arc;

pub(super) async fn versioned(
    State(state): State<Arc<AppState>>,
    Path((version, node)): Path<(String, String)>,
    req: Request<Body>,
) -> Response {
    run(state, Endpoint::Attachments, version, node, req).await
}

pub(super) async fn unversioned(
    State(state): State<Arc<AppState>>,
    Path(node): Path<String>,
    req: Request<Body>,
) -> Response {
    run(state, Endpoint::Attachments, String::new(), node, req).await
}

/// Obtains and checks the audio, saves it, answers `{"attachment_id": ...}`.
pub(super) async fn work(call: Call<'_>) -> Result<Value, GraphErrorReply> {
    let spec = check_attachment(call.params)?;
    if matches!(spec.source, AudioRef::AttachmentId(_)) {
        return Err(GraphErrorReply::param_invalid(
            "message_attachments saves new audio: send a filedata part or payload.url, not an attachment_id",
        ));
    }
    let audio = resolve(&call, &spec.source).await?;
    let id = save(&call, &audio);
    Ok(json!({ "attachment_id": id }))
}
