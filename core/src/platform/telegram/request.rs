//! The Bot API's `sendVoice` bodies (T-API #sendvoice, #sending-files):
//! - with the bytes: multipart `chat_id`, `voice` (the file part, `voice.ogg`, `audio/ogg`),
//!   `duration` (seconds) and `caption` (0 to 1024 characters);
//! - with an earlier upload: JSON `{"chat_id", "voice": FILE_ID, "caption"}` ("a file_id works
//!   across chats for the same bot"; JSON is fine when nothing is uploaded).
//!
//! Both are answered `{"ok": true, "result": Message}` with `result.voice.file_id`.

use crate::client::{file_part, json_body, AudioFile, AuthFields, BodyProgress, RequestBody};
use reqwest::multipart::Form;
use serde_json::json;

/// The note's length in whole seconds, as Telegram's `duration` (at least 1).
pub(crate) fn duration_seconds(duration_ms: u64) -> u64 {
    ((duration_ms + 500) / 1000).max(1)
}

/// `sendVoice` with the bytes.
pub(crate) fn voice_form(
    chat_id: &str,
    file: &AudioFile,
    caption: Option<&str>,
) -> (RequestBody, BodyProgress) {
    let progress = BodyProgress::default();
    let mut form = Form::new()
        .text("chat_id", chat_id.to_owned())
        .text("duration", duration_seconds(file.duration_ms).to_string());
    if let Some(c) = caption {
        form = form.text("caption", c.to_owned());
    }
    let form = form.part("voice", file_part(file, &progress));
    (RequestBody::Form(form), progress)
}

/// `sendVoice` of a `file_id`.
pub(crate) fn voice_by_id(
    chat_id: &str,
    file_id: &str,
    caption: Option<&str>,
) -> (RequestBody, BodyProgress) {
    let mut body = json!({ "chat_id": chat_id, "voice": file_id });
    if let Some(c) = caption {
        body["caption"] = json!(c);
    }
    json_body(body, &AuthFields::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_to_whole_seconds() {
        assert_eq!(duration_seconds(0), 1);
        assert_eq!(duration_seconds(2_499), 2);
        assert_eq!(duration_seconds(2_500), 3);
    }
}
