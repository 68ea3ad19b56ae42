//! What a send asks for, checked the way Meta checks it before anything is sent: a sender
//! action (`typing_on`, `typing_off`, `mark_seen`, `react`, `unreact`) alone, or a `message`
//! that is valid JSON with exactly one of `text` (at most 2,000 characters) and `attachment`
//! (`audio`, `image`, `video`, `file` from an upload, a URL or a saved id; or a `template`),
//! plus optional `quick_replies` (at most 13).

use crate::graph_error::GraphErrorReply;
use crate::request::Params;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Meta's limit on `message.text`, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;
/// Meta's limit on quick replies per message.
pub const MAX_QUICK_REPLIES: usize = 13;
const SENDER_ACTIONS: [&str; 5] = ["typing_on", "typing_off", "mark_seen", "react", "unreact"];

/// What kind of thing was sent: the `kind` of every record in `/__emulator/messages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// `message.text`.
    Text,
    /// `message.attachment.type = audio`.
    Audio,
    /// `message.attachment.type = image`.
    Image,
    /// `message.attachment.type = video`.
    Video,
    /// `message.attachment.type = file`.
    File,
    /// `message.attachment.type = template`.
    Template,
    /// `sender_action` (no message id).
    SenderAction,
}

impl MessageKind {
    /// The attachment type name (`audio`, ...), for media kinds.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Audio => "audio",
            MessageKind::Image => "image",
            MessageKind::Video => "video",
            MessageKind::File => "file",
            MessageKind::Template => "template",
            MessageKind::SenderAction => "sender_action",
        }
    }

    /// Audio and video share Meta's 10-per-second budget.
    pub fn is_heavy(self) -> bool {
        matches!(self, MessageKind::Audio | MessageKind::Video)
    }
}

/// Where the bytes of a media attachment come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MediaRef {
    /// The multipart `filedata` part.
    File,
    /// `payload.url`.
    Url(String),
    /// `payload.attachment_id`.
    AttachmentId(String),
}

/// A checked media attachment.
#[derive(Debug, Clone)]
pub(crate) struct MediaSpec {
    pub kind: MessageKind,
    pub source: MediaRef,
    pub is_reusable: bool,
}

/// A checked send.
#[derive(Debug, Clone)]
pub(crate) enum Content {
    /// A sender action, with its `payload` for `react` / `unreact`.
    SenderAction {
        action: String,
        payload: Option<Value>,
    },
    /// A message.
    Message {
        kind: MessageKind,
        text: Option<String>,
        quick_replies: Option<Value>,
        media: Option<MediaSpec>,
        /// `payload` of a template.
        template: Option<Value>,
    },
}

impl Content {
    /// The kind of the record it makes.
    pub fn kind(&self) -> MessageKind {
        match self {
            Content::SenderAction { .. } => MessageKind::SenderAction,
            Content::Message { kind, .. } => *kind,
        }
    }

    /// The media attachment, when there is one.
    pub fn media(&self) -> Option<&MediaSpec> {
        match self {
            Content::Message { media, .. } => media.as_ref(),
            Content::SenderAction { .. } => None,
        }
    }

    /// `template_type` of a template.
    pub fn template_type(&self) -> Option<&str> {
        match self {
            Content::Message { template, .. } => template
                .as_ref()
                .and_then(|t| t.get("template_type"))
                .and_then(Value::as_str),
            Content::SenderAction { .. } => None,
        }
    }
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true") || s == "1",
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    }
}

fn invalid(detail: impl Into<String>) -> GraphErrorReply {
    GraphErrorReply::param_invalid(detail)
}

/// Reads `sender_action` or `message`. `upload_only` is the `/message_attachments` endpoint,
/// which takes a media attachment and nothing else.
pub(crate) fn read_content(params: &Params, upload_only: bool) -> Result<Content, GraphErrorReply> {
    let action = params.text("sender_action").map(|a| a.trim().to_owned());
    if let Some(action) = action.filter(|_| !upload_only) {
        if params.has("message") {
            return Err(GraphErrorReply::message_and_action());
        }
        let lower = action.to_ascii_lowercase();
        if !SENDER_ACTIONS.contains(&lower.as_str()) {
            return Err(invalid(format!(
                "Param sender_action must be one of {{typing_on, typing_off, mark_seen, react, unreact}} - got \"{action}\""
            )));
        }
        let payload = params.json("payload");
        if lower == "react" || lower == "unreact" {
            let mid = payload
                .as_ref()
                .and_then(|p| p.get("message_id"))
                .and_then(Value::as_str)
                .filter(|m| !m.is_empty());
            if mid.is_none() {
                return Err(invalid(format!(
                    "sender_action {lower} needs payload.message_id (the message to react to)"
                )));
            }
            let reaction = payload.as_ref().and_then(|p| p.get("reaction"));
            if lower == "react" && reaction.and_then(Value::as_str).is_none_or(str::is_empty) {
                return Err(invalid(
                    "sender_action react needs payload.reaction (an emoji)",
                ));
            }
        }
        return Ok(Content::SenderAction {
            action: lower,
            payload,
        });
    }
    let Some(message) = params.json("message") else {
        return Err(GraphErrorReply::param_required("message"));
    };
    let Value::Object(message) = message else {
        return Err(invalid(
            "param message must be a JSON object, e.g. {\"text\":\"hello\"} or {\"attachment\":{\"type\":\"audio\",\"payload\":{}}}",
        ));
    };
    if message.contains_key("attachments") {
        return Err(invalid(
            "message.attachments (several images in one message) is not emulated by svara-emulator; send the images one per message",
        ));
    }
    let text = message.get("text");
    let attachment = message.get("attachment");
    let quick_replies = message.get("quick_replies").cloned();
    if let Some(q) = &quick_replies {
        check_quick_replies(q)?;
    }
    if upload_only && text.is_some() {
        return Err(invalid(
            "message_attachments saves an attachment: send message.attachment, not text",
        ));
    }
    match (text, attachment) {
        (Some(_), Some(_)) => Err(invalid("message takes either text or attachment, not both")),
        (None, None) => Err(invalid("message must contain text or attachment")),
        (Some(t), None) => {
            let Some(t) = t.as_str() else {
                return Err(invalid("message.text must be a string"));
            };
            if t.trim().is_empty() {
                return Err(invalid("message.text must not be empty"));
            }
            if params.file.is_some() {
                return Err(invalid(
                    "a text message takes no filedata part; send media as message.attachment",
                ));
            }
            let chars = t.chars().count();
            if chars > MAX_TEXT_CHARS {
                return Err(GraphErrorReply::text_too_long(chars));
            }
            Ok(Content::Message {
                kind: MessageKind::Text,
                text: Some(t.to_owned()),
                quick_replies,
                media: None,
                template: None,
            })
        }
        (None, Some(a)) => read_attachment(a, params, upload_only, quick_replies),
    }
}

fn read_attachment(
    attachment: &Value,
    params: &Params,
    upload_only: bool,
    quick_replies: Option<Value>,
) -> Result<Content, GraphErrorReply> {
    let kind = match attachment.get("type").and_then(Value::as_str).unwrap_or("") {
        "audio" => MessageKind::Audio,
        "image" => MessageKind::Image,
        "video" => MessageKind::Video,
        "file" => MessageKind::File,
        "template" if !upload_only => MessageKind::Template,
        other => {
            return Err(invalid(format!(
                "message.attachment.type must be one of {{audio, image, video, file{}}} - got \"{other}\"",
                if upload_only { "" } else { ", template" }
            )))
        }
    };
    let payload = attachment.get("payload").cloned().unwrap_or(Value::Null);
    if kind == MessageKind::Template {
        if params.file.is_some() {
            return Err(invalid("a template takes no filedata part"));
        }
        crate::templates::check(&payload)?;
        return Ok(Content::Message {
            kind,
            text: None,
            quick_replies,
            media: None,
            template: Some(payload),
        });
    }
    let url = payload
        .get("url")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let id = match payload.get("attachment_id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let source = match (url, id) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "payload takes either url or attachment_id, not both",
            ))
        }
        (Some(u), None) => MediaRef::Url(u),
        (None, Some(i)) => MediaRef::AttachmentId(i),
        (None, None) => MediaRef::File,
    };
    if source != MediaRef::File && params.file.is_some() {
        return Err(invalid(
            "send either a filedata part or payload.url / payload.attachment_id, not both",
        ));
    }
    if upload_only && matches!(source, MediaRef::AttachmentId(_)) {
        return Err(invalid(
            "message_attachments saves new media: send a filedata part or payload.url, not an attachment_id",
        ));
    }
    if source == MediaRef::File && params.file.is_none() {
        return Err(GraphErrorReply::file_count());
    }
    Ok(Content::Message {
        kind,
        text: None,
        quick_replies,
        media: Some(MediaSpec {
            kind,
            source,
            is_reusable: truthy(payload.get("is_reusable")),
        }),
        template: None,
    })
}

fn check_quick_replies(q: &Value) -> Result<(), GraphErrorReply> {
    let Some(list) = q.as_array() else {
        return Err(invalid("message.quick_replies must be an array"));
    };
    if list.len() > MAX_QUICK_REPLIES {
        return Err(invalid(format!(
            "param message[quick_replies] must have at most {MAX_QUICK_REPLIES} elements - got {}",
            list.len()
        )));
    }
    for r in list {
        let ct = r.get("content_type").and_then(Value::as_str).unwrap_or("");
        match ct {
            "text" => {
                let title = r.get("title").and_then(Value::as_str).unwrap_or("");
                if title.is_empty() && r.get("image_url").is_none() {
                    return Err(invalid("a text quick reply needs a title (or an image_url)"));
                }
                if title.chars().count() > 20 {
                    return Err(invalid(format!(
                        "quick reply title \"{title}\" is longer than 20 characters"
                    )));
                }
                let payload = r.get("payload").map(|p| match p {
                    Value::String(s) => s.chars().count(),
                    other => other.to_string().len(),
                });
                if payload.is_none() {
                    return Err(invalid("a text quick reply needs a payload"));
                }
                if payload.unwrap_or(0) > 1000 {
                    return Err(invalid("quick reply payload is longer than 1000 characters"));
                }
            }
            "user_phone_number" | "user_email" => {}
            other => {
                return Err(invalid(format!(
                    "quick reply content_type must be one of {{text, user_phone_number, user_email}} - got \"{other}\""
                )))
            }
        }
    }
    Ok(())
}
