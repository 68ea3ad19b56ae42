//! What every platform's request bodies are made of: the audio file on the wire, the fields
//! that authenticate a call, and bodies that report whether they were handed over completely,
//! which is how the transport knows that a failed call certainly was not accepted (an
//! incomplete multipart body cannot be). The platforms' own shapes are in
//! `crate::platform::*::request`.

use crate::audio::TargetFormat;
use bytes::Bytes;
use futures::Stream;
use reqwest::multipart::{Form, Part};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

/// The file part's name: the prepared note's name when it is short, ASCII and ends with the
/// format's extension (Meta refuses non-ASCII names, WhatsApp classifies uploads by
/// extension), else `voice.m4a` / `voice.ogg`.
pub fn upload_file_name(name: &str, format: TargetFormat) -> String {
    let ext = match format {
        TargetFormat::M4aAac => ".m4a",
        TargetFormat::OggOpus => ".ogg",
    };
    let ok = !name.is_empty()
        && name.len() <= 100
        && name.ends_with(ext)
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if ok {
        name.to_owned()
    } else {
        format!("voice{ext}")
    }
}

/// A voice note ready to go on the wire.
#[derive(Clone)]
pub struct AudioFile {
    /// The bytes (cheap to clone for a retry).
    pub data: Bytes,
    /// A safe file name with the format's extension.
    pub file_name: String,
    /// `audio/mp4` or `audio/ogg`.
    pub mime: &'static str,
    /// How long it plays, in milliseconds (Telegram's `duration`).
    pub duration_ms: u64,
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

/// A body of `data` that reports its completion to `progress`.
pub fn tracked_body(data: Bytes, progress: &BodyProgress) -> reqwest::Body {
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

/// The file as a multipart part that reports its completion.
pub fn file_part(file: &AudioFile, progress: &BodyProgress) -> Part {
    let len = file.data.len() as u64;
    Part::stream_with_length(tracked_body(file.data.clone(), progress), len)
        .file_name(file.file_name.clone())
        .mime_str(file.mime)
        .expect("audio/mp4 and audio/ogg are valid MIME types")
}

/// `form` with the authentication fields added.
pub fn with_auth(mut form: Form, auth: &AuthFields) -> Form {
    for (k, v) in &auth.0 {
        form = form.text(*k, v.clone());
    }
    form
}

/// A JSON body (with the authentication fields added as top-level keys).
pub fn json_body(mut body: serde_json::Value, auth: &AuthFields) -> (RequestBody, BodyProgress) {
    for (k, v) in &auth.0 {
        body[*k] = serde_json::json!(v);
    }
    let progress = BodyProgress::default();
    let bytes = Bytes::from(body.to_string());
    (RequestBody::Json(tracked_body(bytes, &progress)), progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_names_of_the_format() {
        let m4a = TargetFormat::M4aAac;
        assert_eq!(upload_file_name("note-1.m4a", m4a), "note-1.m4a");
        assert_eq!(upload_file_name("nota ñ.m4a", m4a), "voice.m4a");
        assert_eq!(upload_file_name("x.mp3", m4a), "voice.m4a");
        let ogg = TargetFormat::OggOpus;
        assert_eq!(upload_file_name("voice-note.ogg", ogg), "voice-note.ogg");
        assert_eq!(upload_file_name("voice-note.m4a", ogg), "voice.ogg");
    }
}
