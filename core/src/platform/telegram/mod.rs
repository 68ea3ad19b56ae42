//! Telegram through the Bot API's `sendVoice`: Opus in Ogg, mono ("an .OGG file encoded with
//! OPUS" plays as a voice message), 50 MB by upload (URL sends are limited to 1 MB, so Svara
//! always uploads the bytes), about 30 messages per second per bot and one per second per chat.
//! There is no upload-only call: the first send carries the bytes and its `voice.file_id` is
//! what later sends (and `send_many`) name. The session is `{bot_token}`
//! (`TELEGRAM_BOT_TOKEN`).
//!
//! The bot token is part of the URL path (`{base}/bot{token}/sendVoice`), as the Bot API
//! demands. It is therefore never printed: every URL shown in a message or a log line is
//! [`PlatformApi::shown_url`] (`bot123456:***`), and every text that came from the network is
//! scrubbed of it.
//!
//! Sources (`/work/coord/platforms-research.md` section 1): T-API (the Bot API page), T-FAQ
//! (limits), T-SRV (the Bot API server's source), L-GRAMMY and L-AIOGRAM (base-URL and logging
//! conventions).

pub(crate) mod errors;
pub(crate) mod request;

use super::{
    body_snippet, foreign_session_key, redact, string_field, Built, Call, Credentials, Failure,
    Media, Platform, PlatformApi, PlatformSpec, Retry, Reuse, SendContext, SessionKey,
};
use crate::audio::TargetFormat;
use crate::client::{AudioFile, ClientConfig, SendOptions, SendResult};
use crate::error::{Error, ErrorCode, Result};
use crate::request::Session;
use crate::secret::PageToken;
use reqwest::header::HeaderMap;
use std::time::Duration;

/// Environment variable holding the bot token.
pub const TOKEN_ENV: &str = "TELEGRAM_BOT_TOKEN";
/// Environment variable that overrides the Bot API base URL when the caller did not set one.
pub const URL_ENV: &str = "SVARA_TELEGRAM_URL";
/// The Bot API's base URL (T-API #making-requests).
pub const DEFAULT_TELEGRAM_URL: &str = "https://api.telegram.org";

/// Telegram's facts.
pub const SPEC: PlatformSpec = PlatformSpec {
    name: "telegram",
    title: "Telegram",
    // T-API #sendvoice: "an .OGG file encoded with OPUS" plays as a voice message.
    target: TargetFormat::OggOpus,
    // T-API #sendvoice: "Bots can currently send voice messages of up to 50 MB".
    max_bytes: 50 * 1024 * 1024,
    max_bytes_text: "50 MB",
    inline_player_bytes: None,
    // T-FAQ: "not ... more than about 30 messages per second" per bot, one per second per chat.
    sends_per_second: 30.0,
    per_recipient_interval: Some(Duration::from_secs(1)),
    reuse: Reuse::FirstSend,
    recipient: "the chat_id of a chat the bot is in (message.chat.id of an update)",
    recipient_example: "123456789",
    session: &[SessionKey {
        name: "bot_token",
        secret: true,
        required: true,
        env: Some(TOKEN_ENV),
        description: "the bot token from @BotFather (123456789:AA...)",
    }],
    session_forms: &["{bot_token}"],
    reusable_id: "file_id",
};

/// `{bot_token}`, else `TELEGRAM_BOT_TOKEN`; it must look like a bot token, because it becomes
/// part of the URL path.
pub(crate) fn credentials(
    session: &Session,
    client_token: Option<&PageToken>,
) -> Result<Credentials> {
    if let Some(key) = session.given().into_iter().find(|k| *k != "bot_token") {
        return Err(foreign_session_key(Platform::Telegram, key));
    }
    if client_token.is_some() {
        return Err(Error::invalid_request(
            "page_access_token is a Messenger option; a Telegram client takes session: {bot_token}.",
        ));
    }
    let token = session
        .bot_token
        .clone()
        .filter(|t| !t.is_blank())
        .or_else(|| super::env_token(TOKEN_ENV))
        .ok_or_else(|| {
            Error::invalid_request(format!(
                "The Telegram bot token is missing: pass session.bot_token (or set {TOKEN_ENV})."
            ))
        })?;
    check_token(&token)?;
    Ok(Credentials::token(token))
}

/// A bot token is `<bot id>:<secret>` (digits, a colon, then letters, digits, `_` and `-`);
/// anything else would change the URL path, so it is refused before any call, without being
/// echoed.
pub(crate) fn check_token(token: &PageToken) -> Result<()> {
    let t = token.expose().trim();
    let ok = match t.split_once(':') {
        Some((id, secret)) => {
            !id.is_empty()
                && id.len() <= 20
                && id.bytes().all(|b| b.is_ascii_digit())
                && !secret.is_empty()
                && secret.len() <= 128
                && secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidToken,
            "The Telegram bot token is malformed: a bot token is the bot's numeric id, a colon and the secret from @BotFather (123456789:AA...). It was not sent anywhere.",
        ))
    }
}

/// Telegram's sentences where the general hint would point at Messenger.
pub(crate) fn hint(code: ErrorCode) -> Option<&'static str> {
    Some(match code {
        ErrorCode::InvalidToken => "Pass the bot token from @BotFather (123456789:AA...) as session.bot_token or TELEGRAM_BOT_TOKEN; /revoke in @BotFather makes the old token invalid.",
        ErrorCode::RecipientNotFound => "Use the chat_id of a chat the bot is in (message.chat.id of an update); a person must have started the bot first.",
        ErrorCode::MessageNotAllowed => "The person must start the bot and not block it, and accept voice messages in their privacy settings; in a group the bot needs the right to send voice notes.",
        ErrorCode::AudioTooLarge => "Send a shorter recording or a lower bitrate: bots can upload voice notes of at most 50 MB.",
        ErrorCode::RateLimited => "Slow down: Telegram allows about 30 messages per second per bot and one per second per chat; wait retry_after seconds before trying again.",
        ErrorCode::NetworkError => "Check connectivity to the Bot API URL (telegram_url or SVARA_TELEGRAM_URL); if may_have_been_delivered is true, check the chat before resending to avoid a duplicate.",
        ErrorCode::ApiError => "See platform_code and platform_message (Telegram's error_code and description) in the Bot API documentation.",
        _ => return None,
    })
}

/// The Bot API calls of one bot.
pub(crate) struct Telegram {
    base: String,
    token: PageToken,
    /// The public part of the token (the bot's id), for shown URLs.
    bot_id: String,
}

impl Telegram {
    pub(crate) fn new(config: &ClientConfig) -> Result<Self> {
        check_token(&config.token)?;
        let bot_id = config
            .token
            .expose()
            .trim()
            .split(':')
            .next()
            .unwrap_or("")
            .to_owned();
        Ok(Telegram {
            base: config.telegram_url.clone(),
            token: PageToken::new(config.token.expose().trim()),
            bot_id,
        })
    }

    fn path(&self, token: &str) -> String {
        format!("{}/bot{token}/sendVoice", self.base)
    }
}

/// A Telegram answer's parts: `{"ok", "error_code", "description", "parameters"}`.
#[derive(serde::Deserialize)]
struct Answer {
    #[serde(default)]
    error_code: Option<i64>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    parameters: Option<Parameters>,
}

#[derive(serde::Deserialize)]
struct Parameters {
    #[serde(default)]
    retry_after: Option<u64>,
    #[serde(default)]
    migrate_to_chat_id: Option<i64>,
}

impl PlatformApi for Telegram {
    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    fn url(&self, _call: Call) -> Result<url::Url> {
        url::Url::parse(&self.path(self.token.expose()))
            .map_err(|e| Error::invalid_request(format!("telegram_url is not a valid URL ({e}).")))
    }

    fn shown_url(&self, _call: Call) -> String {
        self.path(&format!("{}:***", self.bot_id))
    }

    fn bearer(&self) -> Option<&PageToken> {
        None
    }

    fn secret(&self) -> &PageToken {
        &self.token
    }

    fn sends_files(&self) -> bool {
        true
    }

    fn upload_body(&self, _file: &AudioFile) -> Option<Built> {
        None
    }

    fn send_body(&self, recipient: &str, media: Media<'_>, options: &SendOptions) -> Built {
        let caption = options.caption.as_deref();
        match media {
            Media::File(file) => request::voice_form(recipient, file, caption),
            Media::Id(id) => request::voice_by_id(recipient, id, caption),
        }
    }

    fn read_upload(&self, _answer: &serde_json::Map<String, serde_json::Value>) -> Result<String> {
        Err(super::no_upload_id(Platform::Telegram))
    }

    fn read_send(
        &self,
        answer: &serde_json::Map<String, serde_json::Value>,
        _recipient: &str,
    ) -> Result<SendResult> {
        let result = answer.get("result").and_then(|r| r.as_object());
        let message_id = result
            .and_then(|r| string_field(r, "message_id"))
            .ok_or_else(|| super::no_message_id(Platform::Telegram))?;
        let mut sent = SendResult::new(Platform::Telegram, message_id);
        sent.recipient_id = result
            .and_then(|r| r.get("chat"))
            .and_then(|c| c.as_object())
            .and_then(|c| string_field(c, "id"));
        sent.attachment_id = result
            .and_then(|r| r.get("voice"))
            .and_then(|v| v.as_object())
            .and_then(|v| string_field(v, "file_id"));
        Ok(sent)
    }

    fn is_error_answer(&self, answer: &serde_json::Map<String, serde_json::Value>) -> bool {
        answer.get("ok").and_then(|v| v.as_bool()) != Some(true)
    }

    fn read_error(
        &self,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
        call: Call,
        _ctx: SendContext,
    ) -> Failure {
        let parsed = serde_json::from_slice::<Answer>(body)
            .ok()
            .filter(|a| a.error_code.is_some() || a.description.is_some());
        let header_wait = super::meta::retry_after_header(headers);
        let (err, retry) = match parsed {
            Some(a) => {
                let code = a.error_code.unwrap_or(i64::from(status));
                let description =
                    redact(a.description.as_deref().unwrap_or("").trim(), &self.token);
                let classified_status = u16::try_from(code).unwrap_or(status);
                let (svara_code, retry, what) = errors::classify(classified_status, &description);
                let params = a.parameters.as_ref();
                let migrated = params
                    .and_then(|p| p.migrate_to_chat_id)
                    .map(|id| format!("; its new chat_id is {id}: send there"))
                    .unwrap_or_default();
                let mut e = Error::new(
                    svara_code,
                    format!(
                        "{what}{migrated} (Telegram error {code}, HTTP {status}): {description}"
                    ),
                )
                .with_platform_detail(Some(code), Some(description));
                if let Some(wait) = params
                    .and_then(|p| p.retry_after)
                    .map(Duration::from_secs)
                    .or(header_wait)
                {
                    e = e.with_retry_after(wait);
                }
                (e, retry)
            }
            None => {
                // Gateways answer over-size uploads and outages with HTML (research 1.4).
                let snippet = body_snippet(body, &self.token);
                let (code, retry, what) = match status {
                    401 | 404 => (
                        ErrorCode::InvalidToken,
                        Retry::No,
                        "Telegram does not know this bot token",
                    ),
                    413 => (
                        ErrorCode::AudioTooLarge,
                        Retry::No,
                        "Telegram refused the upload as too large",
                    ),
                    429 => (
                        ErrorCode::RateLimited,
                        Retry::Yes,
                        "Telegram's flood control refused the message",
                    ),
                    500..=599 => (
                        ErrorCode::TemporaryFailure,
                        Retry::No,
                        "The Bot API had a server error; the message may or may not have been sent",
                    ),
                    _ => (
                        ErrorCode::ApiError,
                        Retry::No,
                        "The Bot API answered with an error Svara could not read",
                    ),
                };
                let mut e = Error::new(
                    code,
                    format!("{what} (HTTP {status}, not a Bot API error body){snippet}"),
                );
                if let Some(wait) = header_wait {
                    e = e.with_retry_after(wait);
                }
                (e, retry)
            }
        };
        let mut err = err.with_http_status(status);
        if (500..=599).contains(&status) && call == Call::Send {
            err = err.with_may_have_been_delivered(true);
        }
        Failure::new(err, retry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_must_look_like_bot_tokens() {
        assert!(check_token(&PageToken::new("123456:AAbb-cc_DD")).is_ok());
        for bad in [
            "", "abc", "9876543", ":secret", "12a:b", "1:a/b", "1:a b", "1:a?x", "1:a#x",
        ] {
            let e = check_token(&PageToken::new(bad)).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidToken, "{bad}");
            assert!(bad.len() < 3 || !e.message().contains(bad), "{e}");
        }
    }
}
