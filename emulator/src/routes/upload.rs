//! `POST /{version}/{page-id|me}/message_attachments`: saves media for reuse, sends nothing.
//! The id can be sent again only when the upload said `is_reusable: true`.

use super::media::{resolve, save};
use super::pipeline::Call;
use crate::graph_error::GraphErrorReply;
use serde_json::{json, Value};

/// Obtains and checks the media, saves it, answers `{"attachment_id": ...}`.
pub(crate) async fn work(call: Call<'_>) -> Result<Value, GraphErrorReply> {
    let Some(spec) = call.content.media() else {
        return Err(GraphErrorReply::param_invalid(
            "message_attachments saves media: send message.attachment with type audio, image, video or file",
        ));
    };
    let media = resolve(&call, spec).await?;
    let id = save(&call, &media, spec.is_reusable);
    call.state.store.accept_upload();
    Ok(json!({ "attachment_id": id }))
}
