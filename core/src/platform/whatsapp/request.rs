//! The WhatsApp Cloud API's request bodies (research section 2, W-MEDIA, W-UPREF, W-AUDIO):
//! - upload: `POST /{version}/{phone_number_id}/media`, multipart `messaging_product=whatsapp`,
//!   `type=audio/ogg` and the `file` part (named `.ogg`: Meta classifies uploads by extension),
//!   answered `{"id": MEDIA_ID}`;
//! - send: `POST /{version}/{phone_number_id}/messages`, JSON `{"messaging_product":
//!   "whatsapp", "recipient_type": "individual", "to", "type": "audio", "audio": {"id",
//!   "voice": true}}`, answered `{"contacts": [{"input", "wa_id"}], "messages": [{"id":
//!   "wamid..."}]}`. `voice: true` makes it a voice message (Ogg/Opus only).

use crate::client::{
    file_part, json_body, with_auth, AudioFile, AuthFields, BodyProgress, RequestBody,
};
use reqwest::multipart::Form;
use serde_json::json;

/// The upload-only multipart body.
pub(crate) fn upload_form(file: &AudioFile, auth: &AuthFields) -> (RequestBody, BodyProgress) {
    let progress = BodyProgress::default();
    let form = with_auth(Form::new(), auth)
        .text("messaging_product", "whatsapp")
        .text("type", file.mime)
        .part("file", file_part(file, &progress));
    (RequestBody::Form(form), progress)
}

/// A voice message of an uploaded media id.
pub(crate) fn voice_json(
    to: &str,
    media_id: &str,
    auth: &AuthFields,
) -> (RequestBody, BodyProgress) {
    json_body(
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "audio",
            "audio": {"id": media_id, "voice": true},
        }),
        auth,
    )
}
