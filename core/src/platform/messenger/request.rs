//! The Send API's request bodies (Meta's "Send API" and "Attachment Upload API" references,
//! `../shared/reference/messenger-send-api.md` sections 2 and 3): the one-call multipart
//! upload-and-send, the upload-only multipart for `message_attachments`, and the small JSON send
//! by attachment id. Instagram's messaging API takes the same shapes (its upload adds
//! `platform=instagram`).

use crate::client::{
    file_part, json_body, with_auth, AudioFile, AuthFields, BodyProgress, RequestBody, SendOptions,
};
use reqwest::multipart::Form;
use serde_json::json;

fn message_json(payload: serde_json::Value) -> String {
    json!({"attachment": {"type": "audio", "payload": payload}}).to_string()
}

/// `recipient`, `messaging_type`, `tag` and `notification_type` as form fields.
fn send_fields(mut form: Form, recipient: &str, options: &SendOptions, notify: bool) -> Form {
    form = form
        .text("recipient", json!({ "id": recipient }).to_string())
        .text("messaging_type", options.messaging_type.as_str());
    if let Some(tag) = &options.tag {
        form = form.text("tag", tag.clone());
    }
    if let (true, Some(n)) = (notify, options.notification_type) {
        form = form.text("notification_type", n.as_str());
    }
    form
}

/// Upload and send in one call: `recipient`, `messaging_type`, [`tag`], [`notification_type`],
/// `message` (`payload: {}`, or `{"is_reusable": true}` when asked) and `filedata`.
pub(crate) fn send_form(
    recipient: &str,
    options: &SendOptions,
    file: &AudioFile,
    auth: &AuthFields,
) -> (RequestBody, BodyProgress) {
    let progress = BodyProgress::default();
    let payload = if options.reusable {
        json!({"is_reusable": true})
    } else {
        json!({})
    };
    let form = send_fields(with_auth(Form::new(), auth), recipient, options, true)
        .text("message", message_json(payload))
        .part("filedata", file_part(file, &progress));
    (RequestBody::Form(form), progress)
}

/// Upload without sending (`message_attachments`): `message` with `is_reusable` and
/// `filedata`; `platform` (`instagram`) when the upload is for another surface than Messenger.
pub(crate) fn upload_form(
    file: &AudioFile,
    auth: &AuthFields,
    platform: Option<&str>,
) -> (RequestBody, BodyProgress) {
    let progress = BodyProgress::default();
    let mut form = with_auth(Form::new(), auth);
    if let Some(p) = platform {
        form = form.text("platform", p.to_owned());
    }
    let form = form
        .text("message", message_json(json!({"is_reusable": true})))
        .part("filedata", file_part(file, &progress));
    (RequestBody::Form(form), progress)
}

/// Send a saved attachment: a JSON body with `payload.attachment_id`. `notify` says whether the
/// surface takes `notification_type` (Messenger does, Instagram documents none).
pub(crate) fn attachment_json(
    recipient: &str,
    options: &SendOptions,
    attachment_id: &str,
    auth: &AuthFields,
    notify: bool,
) -> (RequestBody, BodyProgress) {
    let mut body = json!({
        "recipient": {"id": recipient},
        "messaging_type": options.messaging_type.as_str(),
        "message": {"attachment": {"type": "audio", "payload": {"attachment_id": attachment_id}}},
    });
    if let Some(tag) = &options.tag {
        body["tag"] = json!(tag);
    }
    if let (true, Some(n)) = (notify, options.notification_type) {
        body["notification_type"] = json!(n.as_str());
    }
    json_body(body, auth)
}
