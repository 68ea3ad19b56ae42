//! The Send API's rules about who may be messaged and how: recipient, `messaging_type`, message
//! tags, the 24-hour (and 7-day HUMAN_AGENT) window, blocked people and apps that are not live,
//! and the shape of `message.attachment`. Checked in the order Meta reports them.

use crate::config::{EmulatorConfig, PageConfig, PsidStatus};
use crate::graph_error::GraphErrorReply;
use crate::people::People;
use crate::request::Params;
use serde_json::Value;

const MESSAGING_TYPES: [&str; 3] = ["RESPONSE", "UPDATE", "MESSAGE_TAG"];
const NOTIFICATION_TYPES: [&str; 3] = ["REGULAR", "SILENT_PUSH", "NO_PUSH"];

/// The checked envelope of a send.
#[derive(Debug, Clone)]
pub(crate) struct Envelope {
    pub recipient: String,
    pub messaging_type: String,
    pub tag: Option<String>,
    pub notification_type: Option<String>,
}

/// Where the audio of a message comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AudioRef {
    /// The multipart `filedata` part.
    File,
    /// `payload.url`.
    Url(String),
    /// `payload.attachment_id`.
    AttachmentId(String),
}

/// The checked `message.attachment`.
#[derive(Debug, Clone)]
pub(crate) struct AttachmentSpec {
    pub source: AudioRef,
    pub is_reusable: bool,
}

/// The recipient's PSID from `recipient` (`{"id":"..."}`), when readable.
pub(crate) fn recipient_psid(params: &Params) -> Option<String> {
    match params.json("recipient")? {
        Value::Object(map) => match map.get("id")? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        },
        _ => None,
    }
}

fn upper(params: &Params, name: &str) -> Option<String> {
    params
        .text(name)
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty())
}

/// Checks recipient, messaging type, tag and window for `page`.
pub(crate) fn check_envelope(
    config: &EmulatorConfig,
    people: &People,
    page: &PageConfig,
    params: &Params,
) -> Result<Envelope, GraphErrorReply> {
    if params.text("recipient").is_none() {
        return Err(GraphErrorReply::param_required("recipient"));
    }
    let Some(recipient) = recipient_psid(params) else {
        let other = params.json("recipient").and_then(|v| {
            v.as_object()
                .and_then(|m| m.keys().find(|k| k.as_str() != "id").cloned())
        });
        return Err(GraphErrorReply::param_invalid(match other {
            Some(k) => format!("recipient.{k} is not supported by svara-emulator; address the person by PSID: {{\"id\":\"<PSID>\"}}"),
            None => "param recipient must be a JSON object like {\"id\":\"<PSID>\"}".to_owned(),
        }));
    };
    let Some(messaging_type) = upper(params, "messaging_type") else {
        return Err(GraphErrorReply::param_required("messaging_type"));
    };
    if !MESSAGING_TYPES.contains(&messaging_type.as_str()) {
        return Err(GraphErrorReply::param_invalid(format!(
            "Param messaging_type must be one of {{RESPONSE, UPDATE, MESSAGE_TAG}} - got \"{messaging_type}\""
        )));
    }
    let tag = upper(params, "tag");
    if let Some(t) = &tag {
        if config
            .window
            .retired_tags
            .iter()
            .any(|r| r.eq_ignore_ascii_case(t))
        {
            return Err(GraphErrorReply::tag_retired(t));
        }
    }
    let tag_window = if messaging_type == "MESSAGE_TAG" {
        let Some(t) = &tag else {
            return Err(GraphErrorReply::param_invalid(
                "Param tag is required when messaging_type is MESSAGE_TAG (e.g. HUMAN_AGENT)",
            ));
        };
        let Some(w) = config.window.tags.get(t.as_str()) else {
            let valid: Vec<&str> = config.window.tags.keys().map(String::as_str).collect();
            return Err(GraphErrorReply::param_invalid(format!(
                "Param tag must be one of {{{}}} - got \"{t}\"",
                valid.join(", ")
            )));
        };
        Some(w.0)
    } else {
        None
    };
    let notification_type = upper(params, "notification_type");
    if let Some(n) = &notification_type {
        if !NOTIFICATION_TYPES.contains(&n.as_str()) {
            return Err(GraphErrorReply::param_invalid(format!(
                "Param notification_type must be one of {{REGULAR, SILENT_PUSH, NO_PUSH}} - got \"{n}\""
            )));
        }
    }
    let (person, age) = people
        .lookup(&page.id, &recipient)
        .ok_or_else(GraphErrorReply::recipient_unknown)?;
    match person.status {
        PsidStatus::Blocked => return Err(GraphErrorReply::blocked()),
        PsidStatus::Unavailable => return Err(GraphErrorReply::unavailable()),
        PsidStatus::Active => {}
    }
    if !page.app_live && !person.app_role {
        return Err(GraphErrorReply::app_not_live());
    }
    let allowed = tag_window.unwrap_or(config.window.standard.0);
    if age > allowed {
        return Err(GraphErrorReply::outside_window());
    }
    Ok(Envelope {
        recipient,
        messaging_type,
        tag,
        notification_type,
    })
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true") || s == "1",
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    }
}

/// Checks `message.attachment` (an audio attachment with at most one of `url` and
/// `attachment_id`; neither means the multipart `filedata`).
pub(crate) fn check_attachment(params: &Params) -> Result<AttachmentSpec, GraphErrorReply> {
    let Some(message) = params.json("message") else {
        return Err(GraphErrorReply::param_required("message"));
    };
    let Some(attachment) = message.get("attachment") else {
        return Err(GraphErrorReply::param_invalid(
            "message must contain an attachment: {\"attachment\":{\"type\":\"audio\",\"payload\":{}}} (svara-emulator emulates audio voice notes)",
        ));
    };
    let kind = attachment.get("type").and_then(Value::as_str).unwrap_or("");
    if kind != "audio" {
        return Err(GraphErrorReply::param_invalid(format!(
            "message.attachment.type must be \"audio\" for a voice note - got \"{kind}\""
        )));
    }
    let payload = attachment.get("payload").cloned().unwrap_or(Value::Null);
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
            return Err(GraphErrorReply::param_invalid(
                "payload takes either url or attachment_id, not both",
            ))
        }
        (Some(u), None) => AudioRef::Url(u),
        (None, Some(i)) => AudioRef::AttachmentId(i),
        (None, None) => AudioRef::File,
    };
    if source != AudioRef::File && !params.files.is_empty() {
        return Err(GraphErrorReply::param_invalid(
            "send either a filedata part or payload.url / payload.attachment_id, not both",
        ));
    }
    Ok(AttachmentSpec {
        source,
        is_reusable: truthy(payload.get("is_reusable")),
    })
}
