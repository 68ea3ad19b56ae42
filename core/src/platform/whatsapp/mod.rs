//! WhatsApp through Meta's WhatsApp Cloud API: Opus in Ogg, mono (what plays as a voice
//! message), 16 MB (the play button only up to 512 KB), about 80 messages per second per
//! business phone number. The audio is uploaded once to `/{phone_number_id}/media` and sent by
//! its media id with `voice: true`; media ids last 30 days and belong to the phone number, so
//! `send_many` uploads once. The session is `{access_token, phone_number_id}`
//! (`WHATSAPP_ACCESS_TOKEN`); the token travels in the `Authorization: Bearer` header.
//!
//! Sources (`/work/coord/platforms-research.md` section 2): W-AUDIO ("Audio messages"),
//! W-MEDIA ("Media"), W-UPREF (the upload reference), W-ERR ("Error codes"), W-TP
//! ("Throughput"), W-ABOUT (pair rate limit).

pub(crate) mod errors;
pub(crate) mod request;

use super::meta::{self, GraphReader};
use super::{
    foreign_session_key, string_field, Built, Call, Credentials, Failure, Media, Platform,
    PlatformApi, PlatformSpec, Reuse, SendContext, SessionKey,
};
use crate::audio::TargetFormat;
use crate::client::{AudioFile, AuthFields, ClientConfig, SendOptions, SendResult, TokenPlacement};
use crate::error::{Error, ErrorCode, Result};
use crate::request::Session;
use crate::secret::PageToken;
use reqwest::header::HeaderMap;
use std::time::Duration;

/// Environment variable holding the WhatsApp Cloud API access token.
pub const TOKEN_ENV: &str = "WHATSAPP_ACCESS_TOKEN";

/// WhatsApp's facts.
pub const SPEC: PlatformSpec = PlatformSpec {
    name: "whatsapp",
    title: "WhatsApp",
    // W-AUDIO: "Voice messages must be Ogg files encoded with the OPUS codec"; W-MEDIA: "mono
    // input only".
    target: TargetFormat::OggOpus,
    // W-AUDIO / W-MEDIA: 16 MB for every audio type.
    max_bytes: 16 * 1024 * 1024,
    max_bytes_text: "16 MB",
    // W-AUDIO: "The play icon will only appear if the file is 512KB or smaller".
    inline_player_bytes: Some(512 * 1024),
    // W-TP: 80 messages per second per business phone number by default.
    sends_per_second: 80.0,
    per_recipient_interval: None,
    reuse: Reuse::UploadCall,
    recipient: "the person's phone number in international format (or their wa_id)",
    recipient_example: "+16505551234",
    session: &[
        SessionKey {
            name: "access_token",
            secret: true,
            required: true,
            env: Some(TOKEN_ENV),
            description: "the WhatsApp Cloud API access token (a system user token with whatsapp_business_messaging)",
        },
        SessionKey {
            name: "phone_number_id",
            secret: false,
            required: true,
            env: None,
            description: "the id of the business phone number that sends (not the number itself)",
        },
    ],
    session_forms: &["{access_token, phone_number_id}"],
    reusable_id: "media id",
};

/// The wait WhatsApp documents after a pair rate limit (131056): one message every 6 seconds
/// to the same person (W-ABOUT).
const PAIR_INTERVAL: Duration = Duration::from_secs(6);

/// `{access_token, phone_number_id}`, the token from `WHATSAPP_ACCESS_TOKEN` when absent.
pub(crate) fn credentials(
    session: &Session,
    client_token: Option<&PageToken>,
) -> Result<Credentials> {
    if let Some(key) = session
        .given()
        .into_iter()
        .find(|k| !matches!(*k, "access_token" | "phone_number_id"))
    {
        return Err(foreign_session_key(Platform::Whatsapp, key));
    }
    if client_token.is_some() {
        return Err(Error::invalid_request(
            "page_access_token is a Messenger option; a WhatsApp client takes session: {access_token, phone_number_id}.",
        ));
    }
    let token = session
        .access_token
        .clone()
        .filter(|t| !t.is_blank())
        .or_else(|| super::env_token(TOKEN_ENV))
        .ok_or_else(|| {
            Error::invalid_request(format!(
                "The WhatsApp access token is missing: pass session.access_token (or set {TOKEN_ENV})."
            ))
        })?;
    let phone_number_id = match session.phone_number_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => id.to_owned(),
        Some(_) => {
            return Err(Error::invalid_request(
                "session.phone_number_id must be the numeric id of the business phone number (WhatsApp Manager > API Setup), not the phone number itself.",
            ))
        }
        None => {
            return Err(Error::invalid_request(
                "session.phone_number_id is missing: pass the id of the business phone number that sends (WhatsApp Manager > API Setup).",
            ))
        }
    };
    Ok(Credentials {
        phone_number_id: Some(phone_number_id),
        ..Credentials::token(token)
    })
}

/// WhatsApp's sentences where the general hint would point at Messenger.
pub(crate) fn hint(code: ErrorCode) -> Option<&'static str> {
    Some(match code {
        ErrorCode::InvalidToken => "Pass a valid WhatsApp Cloud API access token (a system user token with whatsapp_business_messaging) as session.access_token or WHATSAPP_ACCESS_TOKEN; temporary tokens expire after 24 hours.",
        ErrorCode::RecipientNotFound => "Send to the person's WhatsApp number in international format (e.g. +16505551234) or their wa_id; the number must have a WhatsApp account.",
        ErrorCode::MessageNotAllowed => "More than 24 hours have passed since the person last wrote, or they cannot be messaged: send an approved template first, or wait until they write again.",
        ErrorCode::AudioTooLarge => "Send a shorter recording or a lower bitrate: WhatsApp accepts at most 16 MB, and shows the play button only up to 512 KB.",
        ErrorCode::RateLimited => "Slow down: about 80 messages per second per phone number and one every 6 seconds to the same person; wait retry_after seconds before trying again.",
        ErrorCode::PermissionDenied => "Check the WhatsApp Business Account: the number registered with the Cloud API, whatsapp_business_messaging granted, a payment method, and with a test number the recipient on its allowed list.",
        _ => return None,
    })
}

/// The Cloud API calls of one business phone number.
pub(crate) struct Whatsapp {
    base: String,
    version: String,
    phone_number_id: String,
    token: PageToken,
    auth: AuthFields,
}

impl Whatsapp {
    pub(crate) fn new(config: &ClientConfig) -> Result<Self> {
        let phone_number_id = config.phone_number_id.clone().ok_or_else(|| {
            Error::invalid_request(
                "A WhatsApp client needs phone_number_id: the id of the business phone number that sends.",
            )
        })?;
        Ok(Whatsapp {
            base: config.graph_url.clone(),
            version: config.api_version.clone(),
            phone_number_id,
            token: config.token.clone(),
            // W-UPREF lists only bearerAuth: the token never travels in the body.
            auth: meta::auth_fields(config, TokenPlacement::BearerHeader),
        })
    }
}

impl PlatformApi for Whatsapp {
    fn platform(&self) -> Platform {
        Platform::Whatsapp
    }

    fn url(&self, call: Call) -> Result<url::Url> {
        let edge = match call {
            Call::Upload => "media",
            Call::Send => "messages",
        };
        meta::graph_url(&self.base, &self.version, &self.phone_number_id, edge)
    }

    fn bearer(&self) -> Option<&PageToken> {
        Some(&self.token)
    }

    fn secret(&self) -> &PageToken {
        &self.token
    }

    fn sends_files(&self) -> bool {
        false
    }

    fn upload_body(&self, file: &AudioFile) -> Option<Built> {
        Some(request::upload_form(file, &self.auth))
    }

    fn send_body(&self, recipient: &str, media: Media<'_>, _options: &SendOptions) -> Built {
        match media {
            Media::Id(id) => request::voice_json(recipient, id, &self.auth),
            // Not asked for (`sends_files` is false): a media id is always uploaded first.
            Media::File(_) => request::voice_json(recipient, "", &self.auth),
        }
    }

    fn read_upload(&self, answer: &serde_json::Map<String, serde_json::Value>) -> Result<String> {
        string_field(answer, "id").ok_or_else(|| super::no_upload_id(Platform::Whatsapp))
    }

    fn read_send(
        &self,
        answer: &serde_json::Map<String, serde_json::Value>,
        _recipient: &str,
    ) -> Result<SendResult> {
        let first = |key: &str| {
            answer
                .get(key)
                .and_then(|v| v.as_array())
                .and_then(|a| a.first())
                .and_then(|v| v.as_object())
                .cloned()
        };
        let message_id = first("messages")
            .and_then(|m| string_field(&m, "id"))
            .ok_or_else(|| super::no_message_id(Platform::Whatsapp))?;
        let mut result = SendResult::new(Platform::Whatsapp, message_id);
        result.recipient_id = first("contacts")
            .and_then(|c| string_field(&c, "wa_id").or_else(|| string_field(&c, "user_id")));
        Ok(result)
    }

    fn read_error(
        &self,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
        call: Call,
        _ctx: SendContext,
    ) -> Failure {
        let mut failure = GraphReader {
            who: "WhatsApp",
            label: "WhatsApp error",
            token: &self.token,
            call,
            retry_server_errors_on_send: false,
        }
        .read(status, headers, body, |g| errors::classify(g, call));
        if failure.error.graph_code() == Some(131056) {
            // The pair limit is one person's: other people can be messaged without waiting.
            failure.pause_sender = false;
            if failure.error.retry_after().is_none() {
                failure.error = failure.error.clone().with_retry_after(PAIR_INTERVAL);
            }
        }
        failure
    }
}
