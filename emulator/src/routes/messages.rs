//! `POST /{version}/{page-id|me}/messages`: send a voice note to a PSID.

use super::audio_source::{resolve, save};
use super::pipeline::{run, Call, Endpoint};
use crate::graph_error::GraphErrorReply;
use crate::state::{now_ms, AppState};
use crate::store::Delivery;
use crate::validate::{check_attachment, check_envelope};
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
    run(state, Endpoint::Messages, version, node, req).await
}

pub(super) async fn unversioned(
    State(state): State<Arc<AppState>>,
    Path(node): Path<String>,
    req: Request<Body>,
) -> Response {
    run(state, Endpoint::Messages, String::new(), node, req).await
}

/// Validates, obtains the audio, records the delivery and answers like Meta.
pub(super) async fn work(call: Call<'_>) -> Result<Value, GraphErrorReply> {
    let state = call.state;
    let envelope = check_envelope(&state.config, &state.people, call.page, call.params)?;
    let spec = check_attachment(call.params)?;
    let audio = resolve(&call, &spec.source).await?;
    let attachment_id = match &audio.attachment_id {
        Some(id) => Some(id.clone()),
        None if spec.is_reusable => Some(save(&call, &audio)),
        None => None,
    };
    state.store.keep_audio(&audio.sha256, audio.bytes.clone());
    let message_id = crate::ids::message_id();
    state.store.deliver(Delivery {
        message_id: message_id.clone(),
        recipient_id: envelope.recipient.clone(),
        page_id: call.page.id.clone(),
        attachment_id: attachment_id.clone(),
        messaging_type: envelope.messaging_type,
        tag: envelope.tag,
        notification_type: envelope.notification_type,
        origin: audio.origin,
        url: audio.url,
        audio: audio.info,
        filename: audio.filename,
        content_type: audio.content_type,
        sha256: audio.sha256,
        api_version: call.api_version.to_owned(),
        received_at_ms: now_ms(),
    });
    let mut body = json!({ "recipient_id": envelope.recipient, "message_id": message_id });
    if spec.is_reusable {
        if let Some(id) = attachment_id {
            body["attachment_id"] = json!(id);
        }
    }
    Ok(body)
}
