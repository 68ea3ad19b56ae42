//! `POST /{version}/{page-id|me}/messages`: records a send of any kind (voice note, text,
//! image, video, file, template, sender action) and answers like Meta.

use super::media::{resolve, save};
use super::pipeline::Call;
use crate::graph_error::GraphErrorReply;
use crate::message::{Content, MessageKind};
use crate::state::now_ms;
use crate::store::Delivery;
use crate::validate::Envelope;
use serde_json::{json, Value};

/// Obtains the media (if any), records the delivery and answers like Meta.
pub(crate) async fn work(call: Call<'_>, envelope: Envelope) -> Result<Value, GraphErrorReply> {
    let mut d = Delivery {
        platform: call.surface.name().to_owned(),
        kind: call.content.kind(),
        message_id: String::new(),
        recipient_id: envelope.recipient.clone(),
        page_id: call.page.id.clone(),
        seq: 0,
        messaging_type: envelope.messaging_type,
        tag: envelope.tag,
        notification_type: envelope.notification_type,
        text: None,
        quick_replies: None,
        sender_action: None,
        action_payload: None,
        template_type: call.content.template_type().map(str::to_owned),
        template: None,
        attachment_id: None,
        origin: None,
        url: None,
        url_public: None,
        audio: None,
        voice_note: false,
        fits_inline_player: None,
        caption: None,
        filename: None,
        content_type: None,
        size_bytes: None,
        sha256: None,
        api_version: call.api_version.to_owned(),
        served_version: crate::versions::format(call.served),
        received_at_ms: now_ms(),
    };
    let mut returned_attachment = None;
    match call.content {
        Content::SenderAction { action, payload } => {
            d.sender_action = Some(action.clone());
            d.action_payload = payload.clone();
            call.state.store.deliver(d);
            // Meta answers a sender action with the recipient only.
            return Ok(json!({ "recipient_id": envelope.recipient }));
        }
        Content::Message {
            text,
            quick_replies,
            media,
            template,
            ..
        } => {
            d.text = text.clone();
            d.quick_replies = quick_replies.clone();
            d.template = template.clone();
            if let Some(spec) = media {
                let m = resolve(&call, spec).await?;
                let attachment_id = match &m.attachment_id {
                    Some(id) => Some(id.clone()),
                    None if spec.is_reusable => {
                        let id = save(&call, &m, true);
                        returned_attachment = Some(id.clone());
                        Some(id)
                    }
                    None => None,
                };
                d.attachment_id = attachment_id;
                d.origin = Some(m.origin);
                d.url = m.url;
                d.url_public = m.url_public;
                d.voice_note = m.voice_note && m.kind == MessageKind::Audio;
                d.audio = m.audio;
                d.filename = m.filename;
                d.content_type = m.content_type;
                d.size_bytes = Some(m.size);
                d.sha256 = Some(m.sha256);
            }
        }
    }
    let message_id = crate::ids::message_id();
    d.message_id = message_id.clone();
    let (page, psid, platform) = (
        d.page_id.clone(),
        d.recipient_id.clone(),
        d.platform.clone(),
    );
    call.state.store.deliver(d);
    // Messenger reports deliveries; Instagram's messaging webhooks have no delivery event.
    if platform == "messenger" {
        call.state
            .webhooks
            .message_accepted(&page, &psid, &message_id);
    }
    let mut body = json!({ "recipient_id": envelope.recipient, "message_id": message_id });
    if let Some(id) = returned_attachment {
        body["attachment_id"] = json!(id);
    }
    Ok(body)
}
