//! The request bodies of the Send API: the one-call multipart upload-and-send, the
//! upload-only multipart for `message_attachments`, and the small JSON send by attachment id.
//!
//! Every body reports whether it was handed over completely, which is how the transport knows
//! that a failed call certainly was not accepted (an incomplete multipart body cannot be).

use super::types::SendOptions;
use bytes::Bytes;
use futures::Stream;
use reqwest::multipart::{Form, Part};
use serde_json::json;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

/// The file part's name: a `.m4a` file name, ASCII only (Meta refuses other names).
pub fn upload_file_name(name: &str) -> String {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name.ends_with(".m4a")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if ok {
        name.to_owned()
    } else {
        "voice.m4a".to_owned()
    }
}

/// An M4A file ready to go on the wire.
#[derive(Clone)]
pub struct AudioFile {
    /// The bytes (cheap to clone for a retry).
    pub data: Bytes,
    /// File name ending in `.m4a`.
    pub file_name: String,
    /// Always `audio/mp4`.
    pub mime: &'static str,
}

/// Form fields that authenticate a call: `access_token` (unless sent as a header) and
/// `appsecret_proof` (when an app secret is set).
#[derive(Clone, Default)]
pub struct AuthFields(pub Vec<(&'static str, String)>);

/// Set once the body has been handed to the connection completely.
#[derive(Clone, Default)]
pub struct BodyProgress(Arc<AtomicBool>);

impl BodyProgress {
    /// True when every byte of the body was handed to the connection.
    pub fn complete(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Hands the bytes over in one piece (hyper writes them out itself) and flags completion
/// when the body is polled past its end.
struct Tracked {
    data: Bytes,
    progress: BodyProgress,
}

impl Stream for Tracked {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.data.is_empty() {
            self.progress.0.store(true, Ordering::SeqCst);
            return Poll::Ready(None);
        }
        Poll::Ready(Some(Ok(std::mem::take(&mut self.data))))
    }
}

fn tracked_body(data: Bytes, progress: &BodyProgress) -> reqwest::Body {
    reqwest::Body::wrap_stream(Tracked {
        data,
        progress: progress.clone(),
    })
}

/// A body ready for one attempt.
pub enum RequestBody {
    /// `multipart/form-data`.
    Form(Form),
    /// `application/json`.
    Json(reqwest::Body),
}

fn file_part(file: &AudioFile, progress: &BodyProgress) -> Part {
    let len = file.data.len() as u64;
    Part::stream_with_length(tracked_body(file.data.clone(), progress), len)
        .file_name(file.file_name.clone())
        .mime_str(file.mime)
        .expect("audio/mp4 is a valid MIME type")
}

fn with_auth(mut form: Form, auth: &AuthFields) -> Form {
    for (k, v) in &auth.0 {
        form = form.text(*k, v.clone());
    }
    form
}

fn message_json(payload: serde_json::Value) -> String {
    json!({"attachment": {"type": "audio", "payload": payload}}).to_string()
}

fn send_fields(mut form: Form, recipient: &str, options: &SendOptions) -> Form {
    form = form
        .text("recipient", json!({ "id": recipient }).to_string())
        .text("messaging_type", options.messaging_type.as_str());
    if let Some(tag) = &options.tag {
        form = form.text("tag", tag.clone());
    }
    if let Some(n) = options.notification_type {
        form = form.text("notification_type", n.as_str());
    }
    form
}

/// Upload and send in one call: `recipient`, `messaging_type`, [`tag`], [`notification_type`],
/// `message` (`payload: {}`, or `{"is_reusable": true}` when asked) and `filedata`.
pub fn send_form(
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
    let form = send_fields(with_auth(Form::new(), auth), recipient, options)
        .text("message", message_json(payload))
        .part("filedata", file_part(file, &progress));
    (RequestBody::Form(form), progress)
}

/// Upload without sending (`message_attachments`): `message` with `is_reusable` and `filedata`.
pub fn upload_form(file: &AudioFile, auth: &AuthFields) -> (RequestBody, BodyProgress) {
    let progress = BodyProgress::default();
    let form = with_auth(Form::new(), auth)
        .text("message", message_json(json!({"is_reusable": true})))
        .part("filedata", file_part(file, &progress));
    (RequestBody::Form(form), progress)
}

/// Send a saved attachment: a JSON body with `payload.attachment_id`.
pub fn attachment_json(
    recipient: &str,
    options: &SendOptions,
    attachment_id: &str,
    auth: &AuthFields,
) -> (RequestBody, BodyProgress) {
    let progress = BodyProgress::default();
    let mut body = json!({
        "recipient": {"id": recipient},
        "messaging_type": options.messaging_type.as_str(),
        "message": {"attachment": {"type": "audio", "payload": {"attachment_id": attachment_id}}},
    });
    if let Some(tag) = &options.tag {
        body["tag"] = json!(tag);
    }
    if let Some(n) = options.notification_type {
        body["notification_type"] = json!(n.as_str());
    }
    for (k, v) in &auth.0 {
        body[*k] = json!(v);
    }
    let bytes = Bytes::from(body.to_string());
    (RequestBody::Json(tracked_body(bytes, &progress)), progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_m4a_names() {
        assert_eq!(upload_file_name("note-1.m4a"), "note-1.m4a");
        assert_eq!(upload_file_name("nota ñ.m4a"), "voice.m4a");
        assert_eq!(upload_file_name("x.mp3"), "voice.m4a");
    }
}
