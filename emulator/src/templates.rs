//! The structured templates (`message.attachment.type = template`) checked against Meta's
//! published limits: the button template (text up to 640 characters, 1 to 3 buttons), the
//! generic template (1 to 10 elements, titles and subtitles up to 80 characters, up to 3
//! buttons each), the media template (one image or video element), the receipt template (its
//! required fields) and the customer feedback template (title and feedback screens). Other
//! template types Meta lists are accepted as sent.

use crate::graph_error::GraphErrorReply;
use serde_json::Value;

const KNOWN: [&str; 12] = [
    "generic",
    "button",
    "media",
    "receipt",
    "customer_feedback",
    "product",
    "coupon",
    "one_time_notif_req",
    "notification_messages",
    "image_grid",
    "structured_information",
    "instant_form",
];

fn invalid(detail: String) -> GraphErrorReply {
    GraphErrorReply::param_invalid(detail)
}

fn chars(v: Option<&Value>) -> usize {
    v.and_then(Value::as_str).map_or(0, |s| s.chars().count())
}

fn at_most(v: Option<&Value>, max: usize, what: &str) -> Result<(), GraphErrorReply> {
    let n = chars(v);
    if n > max {
        return Err(invalid(format!(
            "param {what} must be at most {max} characters - got {n}"
        )));
    }
    Ok(())
}

fn buttons(v: Option<&Value>, min: usize, what: &str) -> Result<(), GraphErrorReply> {
    let list = match v {
        None if min == 0 => return Ok(()),
        None => return Err(invalid(format!("param {what} is required"))),
        Some(Value::Array(l)) => l,
        Some(_) => return Err(invalid(format!("param {what} must be an array"))),
    };
    if list.len() < min || list.len() > 3 {
        return Err(invalid(format!(
            "param {what} must have {min} to 3 buttons - got {}",
            list.len()
        )));
    }
    for b in list {
        let t = b.get("type").and_then(Value::as_str).unwrap_or("");
        if t.is_empty() {
            return Err(invalid(format!("every button of {what} needs a type")));
        }
        if t == "web_url" && b.get("url").and_then(Value::as_str).is_none() {
            return Err(invalid(format!("a web_url button of {what} needs a url")));
        }
        if matches!(t, "web_url" | "postback" | "phone_number") && chars(b.get("title")) == 0 {
            return Err(invalid(format!("a {t} button of {what} needs a title")));
        }
        at_most(b.get("title"), 20, &format!("{what}[title]"))?;
    }
    Ok(())
}

/// Checks a template `payload`.
pub(crate) fn check(payload: &Value) -> Result<(), GraphErrorReply> {
    let Some(t) = payload.get("template_type").and_then(Value::as_str) else {
        return Err(GraphErrorReply::param_required(
            "message[attachment][payload][template_type]",
        ));
    };
    if !KNOWN.contains(&t) {
        return Err(invalid(format!(
            "param message[attachment][payload][template_type] must be one of {{{}}} - got \"{t}\"",
            KNOWN.join(", ")
        )));
    }
    let elements = || payload.get("elements").and_then(Value::as_array);
    match t {
        "button" => {
            if chars(payload.get("text")) == 0 {
                return Err(GraphErrorReply::param_required(
                    "message[attachment][payload][text]",
                ));
            }
            at_most(
                payload.get("text"),
                640,
                "message[attachment][payload][text]",
            )?;
            buttons(
                payload.get("buttons"),
                1,
                "message[attachment][payload][buttons]",
            )?;
        }
        "generic" => {
            let Some(list) = elements().filter(|l| !l.is_empty()) else {
                return Err(GraphErrorReply::param_required(
                    "message[attachment][payload][elements]",
                ));
            };
            if list.len() > 10 {
                return Err(invalid(format!(
                    "param message[attachment][payload][elements] must have at most 10 elements - got {}",
                    list.len()
                )));
            }
            for e in list {
                if chars(e.get("title")) == 0 {
                    return Err(GraphErrorReply::param_required(
                        "message[attachment][payload][elements][title]",
                    ));
                }
                at_most(
                    e.get("title"),
                    80,
                    "message[attachment][payload][elements][title]",
                )?;
                at_most(
                    e.get("subtitle"),
                    80,
                    "message[attachment][payload][elements][subtitle]",
                )?;
                buttons(
                    e.get("buttons"),
                    0,
                    "message[attachment][payload][elements][buttons]",
                )?;
            }
        }
        "media" => {
            let Some([e]) = elements().map(Vec::as_slice) else {
                return Err(invalid(
                    "param message[attachment][payload][elements] must hold exactly one media element".into(),
                ));
            };
            let mt = e.get("media_type").and_then(Value::as_str).unwrap_or("");
            if mt != "image" && mt != "video" {
                return Err(invalid(format!(
                    "media_type must be image or video - got \"{mt}\""
                )));
            }
            if e.get("url").is_none() && e.get("attachment_id").is_none() {
                return Err(invalid(
                    "a media template element needs a url or an attachment_id".into(),
                ));
            }
            buttons(
                e.get("buttons"),
                0,
                "message[attachment][payload][elements][buttons]",
            )?;
        }
        "receipt" => {
            for f in [
                "recipient_name",
                "order_number",
                "currency",
                "payment_method",
            ] {
                if chars(payload.get(f)) == 0 {
                    return Err(GraphErrorReply::param_required(&format!(
                        "message[attachment][payload][{f}]"
                    )));
                }
            }
            if payload
                .get("summary")
                .and_then(|s| s.get("total_cost"))
                .is_none()
            {
                return Err(GraphErrorReply::param_required(
                    "message[attachment][payload][summary][total_cost]",
                ));
            }
        }
        "customer_feedback" => {
            if chars(payload.get("title")) == 0 {
                return Err(GraphErrorReply::param_required(
                    "message[attachment][payload][title]",
                ));
            }
            let screens = payload.get("feedback_screens").and_then(Value::as_array);
            if screens.is_none_or(|s| s.is_empty()) {
                return Err(GraphErrorReply::param_required(
                    "message[attachment][payload][feedback_screens]",
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn limits_are_enforced() {
        let ok = json!({"template_type":"button","text":"Pick","buttons":[{"type":"postback","title":"Yes","payload":"Y"}]});
        assert!(check(&ok).is_ok());
        let long = json!({"template_type":"button","text":"x".repeat(641),"buttons":[{"type":"postback","title":"Yes","payload":"Y"}]});
        assert!(check(&long).is_err());
        let no_buttons = json!({"template_type":"button","text":"Pick","buttons":[]});
        assert!(check(&no_buttons).is_err());
        let elements: Vec<_> = (0..11).map(|i| json!({"title": format!("t{i}")})).collect();
        assert!(check(&json!({"template_type":"generic","elements":elements})).is_err());
        assert!(check(&json!({"template_type":"generic","elements":[{"title":"a"}]})).is_ok());
        assert!(check(&json!({"template_type":"nope"})).is_err());
        assert!(check(&json!({})).is_err());
    }
}
