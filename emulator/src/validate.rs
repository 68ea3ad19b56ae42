//! The Send API's rules about who may be messaged and how, in two steps as Meta reports
//! them: the envelope's parameters (`recipient`, `messaging_type`, `tag`, `notification_type`,
//! tag policy) before the rate limit, then the person (known PSID, blocked, unavailable, app
//! not live, the 24-hour window or the tag's window) after it.

use crate::config::{EmulatorConfig, PageConfig, PsidStatus};
use crate::graph_error::GraphErrorReply;
use crate::message::Content;
use crate::people::People;
use crate::request::Params;
use serde_json::Value;
use std::time::Duration;

const MESSAGING_TYPES: [&str; 4] = ["RESPONSE", "UPDATE", "MESSAGE_TAG", "UTILITY"];
const NOTIFICATION_TYPES: [&str; 3] = ["REGULAR", "SILENT_PUSH", "NO_PUSH"];

/// The checked envelope of a send.
#[derive(Debug, Clone)]
pub(crate) struct Envelope {
    pub recipient: String,
    /// `""` when the request did not say.
    pub messaging_type: String,
    pub tag: Option<String>,
    pub notification_type: Option<String>,
    /// How long after the person's last message the send may go (the tag's window or the
    /// standard one).
    pub window: Duration,
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

/// Checks the envelope's parameters and the tag policy of `page` (before the rate limit).
pub(crate) fn check_envelope(
    config: &EmulatorConfig,
    page: &PageConfig,
    params: &Params,
    content: &Content,
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
    let is_action = matches!(content, Content::SenderAction { .. });
    let messaging_type = upper(params, "messaging_type").unwrap_or_default();
    if messaging_type.is_empty() && config.require_messaging_type && !is_action {
        return Err(GraphErrorReply::param_required("messaging_type"));
    }
    if !messaging_type.is_empty() && !MESSAGING_TYPES.contains(&messaging_type.as_str()) {
        return Err(GraphErrorReply::param_invalid(format!(
            "Param messaging_type must be one of {{RESPONSE, UPDATE, MESSAGE_TAG, UTILITY}} - got \"{messaging_type}\""
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
    // A tag counts with MESSAGE_TAG, or when messaging_type is left out (clients that only
    // set `tag` mean a tagged message).
    let tagged = messaging_type == "MESSAGE_TAG" || (messaging_type.is_empty() && tag.is_some());
    let mut window = config.window.standard.0;
    if tagged {
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
        if t == "CUSTOMER_FEEDBACK" && content.template_type() != Some("customer_feedback") {
            return Err(GraphErrorReply::customer_feedback_misuse());
        }
        if t == "HUMAN_AGENT" && !page.human_agent {
            return Err(GraphErrorReply::human_agent_not_granted());
        }
        window = w.0;
    }
    let notification_type = upper(params, "notification_type");
    if let Some(n) = &notification_type {
        if !NOTIFICATION_TYPES.contains(&n.as_str()) {
            return Err(GraphErrorReply::param_invalid(format!(
                "Param notification_type must be one of {{REGULAR, SILENT_PUSH, NO_PUSH}} - got \"{n}\""
            )));
        }
    }
    Ok(Envelope {
        recipient,
        messaging_type,
        tag,
        notification_type,
        window,
    })
}

/// Checks the person: known to this Page, reachable, the app may message them, and the
/// window (after the rate limit).
pub(crate) fn check_recipient(
    people: &People,
    page: &PageConfig,
    envelope: &Envelope,
) -> Result<(), GraphErrorReply> {
    let (person, age) = people
        .lookup(&page.id, &envelope.recipient)
        .ok_or_else(GraphErrorReply::recipient_unknown)?;
    match person.status {
        PsidStatus::Blocked => return Err(GraphErrorReply::blocked()),
        PsidStatus::Unavailable => return Err(GraphErrorReply::unavailable()),
        PsidStatus::Active => {}
    }
    if !page.app_live && !person.app_role {
        return Err(GraphErrorReply::app_not_live());
    }
    if age > envelope.window {
        return Err(GraphErrorReply::outside_window());
    }
    Ok(())
}
