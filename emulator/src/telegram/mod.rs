//! The Telegram Bot API on the emulator's port: `POST /bot{token}/sendVoice` (multipart with a
//! `voice` file part, or JSON / form / query with a `voice` file_id) and `getMe`, answered
//! `{"ok": true, "result": Message}` or, on failure, `{"ok": false, "error_code", "description",
//! "parameters"}` with the HTTP status equal to `error_code` (T-SRV Query.h) and a `Retry-After`
//! header on 429.
//!
//! What it checks, as the Bot API server does (research section 1.9; T-API, T-SRV, T-TD): the
//! path (`/bot{token}/{method}`, an optional `/test/`, methods case-insensitive; 404 "Not Found:
//! method not found"), the token (malformed: 401 "Unauthorized: invalid token specified";
//! unknown or revoked: 401 "Unauthorized"), the upload's size (over 50 MB: 413 "Request Entity
//! Too Large"), `chat_id` (empty: 400; unknown: 400 "Bad Request: chat not found"), the chat
//! (blocked, never started, voice messages forbidden, deactivated, migrated: Telegram's own
//! descriptions), `voice` (a file part or a file_id this bot received, else 400), `caption` (at
//! most 1024 characters), and the flood limits (30 messages per second per bot, a short burst
//! per chat: 429 "Too Many Requests: retry after N"). Like Telegram, it does not refuse audio
//! that is not Opus: it decodes the bytes and records what they are (`voice_note` is true for
//! mono Ogg/Opus).

mod config;

pub use config::*;

use crate::graph_error::GraphErrorReply;
use crate::message::MessageKind;
use crate::request::read_params;
use crate::routes::pipeline::log_line;
use crate::state::{now_ms, AppState};
use crate::store::{Attachment, AudioOrigin, Delivery};
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Telegram's run-time state: flood windows and per-chat message numbers.
pub(crate) struct TelegramState {
    bot_window: crate::rate_limit::RateLimiter,
    chat_window: crate::rate_limit::RateLimiter,
    message_ids: Mutex<HashMap<(String, String), u64>>,
}

impl TelegramState {
    pub(crate) fn new(config: &crate::config::EmulatorConfig) -> Self {
        let limiter = |n: u32| {
            crate::rate_limit::RateLimiter::new(crate::config::RateLimitConfig {
                audio_sends_per_second: n,
                other_sends_per_second: n,
                ..crate::config::RateLimitConfig::default()
            })
        };
        TelegramState {
            bot_window: limiter(config.telegram.messages_per_second),
            chat_window: limiter(config.telegram.chat_messages_per_second),
            message_ids: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn reset(&self) {
        self.bot_window.reset();
        self.chat_window.reset();
        self.message_ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn next_message_id(&self, bot: &str, chat: &str) -> u64 {
        let mut ids = self.message_ids.lock().unwrap_or_else(|e| e.into_inner());
        let n = ids.entry((bot.to_owned(), chat.to_owned())).or_insert(0);
        *n += 1;
        *n
    }
}

/// A Telegram error answer.
struct TgError {
    code: u16,
    description: String,
    retry_after: Option<u64>,
    migrate_to_chat_id: Option<String>,
}

impl TgError {
    fn new(code: u16, description: impl Into<String>) -> Self {
        TgError {
            code,
            description: description.into(),
            retry_after: None,
            migrate_to_chat_id: None,
        }
    }

    fn bad(description: &str) -> Self {
        TgError::new(400, format!("Bad Request: {description}"))
    }

    fn forbidden(description: &str) -> Self {
        TgError::new(403, format!("Forbidden: {description}"))
    }

    fn flood(seconds: u64) -> Self {
        TgError {
            retry_after: Some(seconds),
            ..TgError::new(429, format!("Too Many Requests: retry after {seconds}"))
        }
    }

    fn key(&self) -> String {
        format!("telegram:{}", self.code)
    }

    fn into_response(self) -> Response {
        let mut body = json!({
            "ok": false,
            "error_code": self.code,
            "description": self.description,
        });
        let mut parameters = serde_json::Map::new();
        if let Some(s) = self.retry_after {
            parameters.insert("retry_after".into(), json!(s));
        }
        if let Some(id) = &self.migrate_to_chat_id {
            let n: Value = id.parse::<i64>().map(Value::from).unwrap_or(json!(id));
            parameters.insert("migrate_to_chat_id".into(), n);
        }
        if !parameters.is_empty() {
            body["parameters"] = Value::Object(parameters);
        }
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = (status, Json(body)).into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                response.headers_mut().insert("retry-after", v);
            }
        }
        response
    }
}

/// A well-formed bot token: digits, a colon, letters, digits, `_` and `-` (T-SRV
/// ClientManager.cpp refuses others with "invalid token specified").
fn well_formed(token: &str) -> bool {
    match token.split_once(':') {
        Some((id, secret)) => {
            !id.is_empty()
                && !id.starts_with('0')
                && id.bytes().all(|b| b.is_ascii_digit())
                && !secret.is_empty()
                && token.len() <= 80
                && secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        }
        None => false,
    }
}

/// The bot a token belongs to.
fn bot_for(state: &AppState, token: &str) -> Result<TelegramBotConfig, TgError> {
    if !well_formed(token) {
        return Err(TgError::new(401, "Unauthorized: invalid token specified"));
    }
    let config = &state.config.telegram;
    if let Some(bot) = config
        .bots
        .iter()
        .find(|b| b.tokens.iter().any(|t| t.expose() == token))
    {
        return Ok(bot.clone());
    }
    if config
        .bots
        .iter()
        .any(|b| b.revoked_tokens.iter().any(|t| t.expose() == token))
    {
        return Err(TgError::new(401, "Unauthorized"));
    }
    if state.config.accept_any_token {
        return Ok(TelegramBotConfig {
            username: "svara_test_mode_bot".to_owned(),
            tokens: vec![token.into()],
            ..TelegramBotConfig::default()
        });
    }
    Err(TgError::new(401, "Unauthorized"))
}

/// Serves `/bot{token}/...`: `segments` are the path's segments after the token.
pub(crate) async fn route(
    state: &AppState,
    token: &str,
    segments: &[&str],
    req: Request<Body>,
) -> Response {
    let shown_path = format!(
        "/bot{}:***/{}",
        token.split(':').next().unwrap_or(""),
        segments.join("/")
    );
    let method = match segments {
        ["test", m] | [m] => m.to_ascii_lowercase(),
        _ => String::new(),
    };
    let outcome = match method.as_str() {
        "sendvoice" => send_voice(state, token, req).await,
        "getme" => bot_for(state, token).map_err(|e| (None, e)).map(|bot| {
            (
                None,
                json!({"ok": true, "result": {"id": bot.id().parse::<u64>().unwrap_or(0), "is_bot": true, "first_name": "Svara Test Bot", "username": bot.username}}),
            )
        }),
        _ => Err((None, TgError::new(404, "Not Found: method not found"))),
    };
    match outcome {
        Ok((chat, body)) => {
            let id = body
                .pointer("/result/message_id")
                .map(Value::to_string)
                .unwrap_or_default();
            log_line("POST", &shown_path, chat.as_deref(), &format!("200 {id}"));
            Json(body).into_response()
        }
        Err((chat, e)) => {
            let known = chat.as_deref().is_some_and(|c| chat_known(state, c));
            state.store.refuse(false, chat.as_deref(), known, &e.key());
            log_line(
                "POST",
                &shown_path,
                chat.as_deref(),
                &format!("{} {}", e.code, e.description),
            );
            e.into_response()
        }
    }
}

/// An answer or an error, with the chat when it is known (for the record and the log).
type Outcome = Result<(Option<String>, Value), (Option<String>, TgError)>;

impl From<TgError> for (Option<String>, TgError) {
    fn from(e: TgError) -> Self {
        (None, e)
    }
}

fn chat_known(state: &AppState, chat: &str) -> bool {
    state
        .config
        .telegram
        .bots
        .iter()
        .any(|b| b.chats.iter().any(|c| c.id == chat))
}

fn from_graph(e: GraphErrorReply) -> TgError {
    if e.subcode == Some(2_018_109) {
        return TgError::new(413, "Request Entity Too Large");
    }
    TgError::bad(&e.message)
}

async fn send_voice(state: &AppState, token: &str, req: Request<Body>) -> Outcome {
    let bot = bot_for(state, token)?;
    let bot_id = bot.id();
    let tg = &state.config.telegram;
    let limits = &state.config.limits;
    let read = read_params(req, tg.max_upload_bytes, limits);
    let params = match tokio::time::timeout(limits.body_timeout.0, read).await {
        Ok(Ok(p)) => p,
        Ok(Err((e, _))) => return Err(from_graph(e).into()),
        Err(_) => return Err(TgError::bad("request body was not received in time").into()),
    };
    if let Some(file) = &params.file {
        if file.size > tg.max_upload_bytes {
            return Err(TgError::new(413, "Request Entity Too Large").into());
        }
    }
    let chat_id = params
        .text("chat_id")
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| TgError::bad("chat_id is empty"))?;
    let fail = |e: TgError| (Some(chat_id.clone()), e);
    let chat = bot
        .chats
        .iter()
        .find(|c| c.id == chat_id)
        .cloned()
        .or_else(|| {
            (state.config.accept_any_psid && chat_id.parse::<i64>().is_ok())
                .then(|| TelegramChatConfig::private(&chat_id))
        })
        .ok_or_else(|| fail(TgError::bad("chat not found")))?;
    match chat.status {
        ChatStatus::Active => {}
        ChatStatus::Blocked => return Err(fail(TgError::forbidden("bot was blocked by the user"))),
        ChatStatus::NotStarted => {
            return Err(fail(TgError::forbidden(
                "bot can't initiate conversation with a user",
            )))
        }
        ChatStatus::VoiceForbidden => return Err(fail(TgError::bad("VOICE_MESSAGES_FORBIDDEN"))),
        ChatStatus::Deactivated => return Err(fail(TgError::forbidden("user is deactivated"))),
        ChatStatus::Migrated => {
            let mut e = TgError::bad("group chat was upgraded to a supergroup chat");
            e.migrate_to_chat_id = chat.migrate_to_chat_id.clone();
            return Err(fail(e));
        }
    }
    // The voice: a file_id (or attach://name) string, else the file part named `voice`.
    let voice_text = params.text("voice").filter(|v| !v.trim().is_empty());
    let attached = voice_text
        .as_deref()
        .and_then(|v| v.strip_prefix("attach://"));
    let file = params
        .file
        .as_ref()
        .filter(|f| f.name == attached.unwrap_or("voice"));
    let reused =
        match (&voice_text, file) {
            (Some(v), None) if attached.is_none() => {
                let known = state
                    .store
                    .attachment(v.trim())
                    .filter(|a| a.platform == "telegram" && a.page_id == bot_id);
                Some(known.ok_or_else(|| {
                    fail(TgError::bad("wrong file identifier/HTTP URL specified"))
                })?)
            }
            (_, Some(_)) => None,
            _ => return Err(fail(TgError::bad("there is no voice in the request"))),
        };
    if let Some(f) = file {
        if f.size == 0 {
            return Err(fail(TgError::bad("file must be non-empty")));
        }
    }
    let caption = params.text("caption").filter(|c| !c.is_empty());
    if caption.as_ref().is_some_and(|c| c.chars().count() > 1024) {
        return Err(fail(TgError::bad("message caption is too long")));
    }
    let now = Instant::now();
    if !state
        .telegram
        .bot_window
        .acquire(&bot_id, true, now)
        .admitted
    {
        return Err(fail(TgError::flood(1)));
    }
    let chat_key = format!("{bot_id}/{chat_id}");
    if !state
        .telegram
        .chat_window
        .acquire(&chat_key, true, now)
        .admitted
    {
        return Err(fail(TgError::flood(1)));
    }
    let saved = match (reused, file) {
        (Some(a), _) => a,
        (None, Some(f)) => {
            let bytes = f.bytes.clone();
            let probed = tokio::task::spawn_blocking(move || {
                let probe = svara::audio::probe(&bytes).ok();
                let voice = svara::audio::verify_ogg_opus(&bytes).is_ok_and(|v| v.channels == 1);
                (probe, voice)
            })
            .await
            .unwrap_or((None, false));
            let sha256 = hex::encode(Sha256::digest(&f.bytes));
            let content_type = f
                .content_type
                .clone()
                .unwrap_or_else(|| "audio/ogg".to_owned());
            state
                .store
                .keep_media(&sha256, f.bytes.clone(), &content_type);
            let attachment = Attachment {
                platform: "telegram".to_owned(),
                attachment_id: file_id(),
                page_id: bot_id.clone(),
                kind: MessageKind::Audio,
                reusable: true,
                origin: AudioOrigin::Upload,
                url: None,
                filename: f.filename.clone(),
                content_type: Some(content_type),
                audio: probed.0,
                voice_note: probed.1,
                size_bytes: f.size,
                sha256,
                created_at_ms: now_ms(),
                expires_at_ms: None,
            };
            state.store.save_attachment(attachment.clone());
            attachment
        }
        (None, None) => return Err(fail(TgError::bad("there is no voice in the request"))),
    };
    let reused_id = params.file.is_none();
    let duration = params
        .text("duration")
        .and_then(|d| d.trim().parse::<i64>().ok())
        .map(|d| d.clamp(0, 86_400))
        .unwrap_or_else(|| {
            saved
                .audio
                .as_ref()
                .map_or(0, |a| (a.duration_ms / 1000) as i64)
        });
    let message_id = state.telegram.next_message_id(&bot_id, &chat_id);
    state.store.deliver(Delivery {
        platform: "telegram".to_owned(),
        kind: MessageKind::Audio,
        message_id: message_id.to_string(),
        recipient_id: chat_id.clone(),
        page_id: bot_id.clone(),
        seq: 0,
        messaging_type: String::new(),
        tag: None,
        notification_type: None,
        text: None,
        quick_replies: None,
        sender_action: None,
        action_payload: None,
        template_type: None,
        template: None,
        attachment_id: Some(saved.attachment_id.clone()),
        origin: Some(if reused_id {
            AudioOrigin::AttachmentId
        } else {
            AudioOrigin::Upload
        }),
        url: None,
        url_public: None,
        audio: saved.audio.clone(),
        voice_note: saved.voice_note,
        fits_inline_player: None,
        caption: caption.clone(),
        filename: saved.filename.clone(),
        content_type: saved.content_type.clone(),
        size_bytes: Some(saved.size_bytes),
        sha256: Some(saved.sha256.clone()),
        api_version: String::new(),
        served_version: String::new(),
        received_at_ms: now_ms(),
    });
    let chat_json: Value = chat_id
        .parse::<i64>()
        .map(Value::from)
        .unwrap_or(json!(chat_id));
    let mut result = json!({
        "message_id": message_id,
        "from": {"id": bot_id.parse::<u64>().unwrap_or(0), "is_bot": true, "first_name": "Svara Test Bot", "username": bot.username},
        "chat": {"id": chat_json, "type": chat.kind},
        "date": now_ms() / 1000,
        "voice": {
            "duration": duration,
            "mime_type": saved.content_type.clone().unwrap_or_else(|| "audio/ogg".to_owned()),
            "file_id": saved.attachment_id,
            "file_unique_id": unique_id(&saved.sha256),
            "file_size": saved.size_bytes,
        },
    });
    if let Some(c) = caption {
        result["caption"] = json!(c);
    }
    Ok((Some(chat_id), json!({"ok": true, "result": result})))
}

/// A file id like Telegram's (`AwACAgIAAxkBAAI...`): opaque, unique.
fn file_id() -> String {
    let id = crate::ids::message_id();
    format!("AwACAgIAAxkB{}", &id[2..60])
}

/// A `file_unique_id`: stable for the same bytes, not usable to send.
fn unique_id(sha256: &str) -> String {
    format!("AgAD{}", &sha256[..16])
}
