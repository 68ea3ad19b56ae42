//! The WhatsApp Cloud API's media and messages on the emulator's port:
//! `POST /{v}/{phone_number_id}/media` (multipart `messaging_product=whatsapp`, `type`, `file`)
//! answers `{"id": MEDIA_ID}`, and `POST /{v}/{phone_number_id}/messages` (JSON, `type:
//! "audio"` with `audio: {id, voice}`, or `type: "text"`) answers `{"messaging_product",
//! "contacts": [{"input", "wa_id"}], "messages": [{"id": "wamid..."}]}`, both with the token in
//! `Authorization: Bearer`. Errors come in WhatsApp's shape: `{"error": {"message": "(#CODE)
//! Title", "type": "OAuthException", "code", "error_data": {"messaging_product", "details"},
//! "fbtrace_id"}}`.
//!
//! What it checks, in order (research section 2.10; W-MEDIA, W-AUDIO, W-ERR, W-TP, W-ABOUT):
//! the token (190; missing: 104), the phone number id (100/33), `messaging_product` (100), the
//! upload's file, declared type and size (100 "Param file must be a file with one of the
//! following types", 131053 over 16 MB or when the bytes are not the declared type, e.g. Ogg
//! that is not Opus), the send's `to` and media id (131008, 100), `voice: true` on media that is
//! not mono Ogg/Opus (131053: the real API accepts it and fails later by webhook; the emulator
//! answers at once, our choice), the throughput (80 per second per number: 130429) and the pair
//! rate (45 in a burst, then one every 6 s to the same person: 131056), then the person: the
//! sender itself (131021), unknown (131026), blocked by the business (130403), more than 24 hours
//! since they wrote (131047). The record says whether the note is a voice note and whether it
//! fits the inline player (512 KB).

mod config;

pub use config::*;

use crate::auth::find_token;
use crate::config::PsidStatus;
use crate::graph_error::GraphErrorReply;
use crate::message::MessageKind;
use crate::people::People;
use crate::request::{read_params, Params};
use crate::routes::pipeline::log_line;
use crate::state::{now_ms, AppState};
use crate::store::{Attachment, AudioOrigin, Delivery};
use crate::webhooks::WhatsappNumber;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use svara::AudioInfo;

/// The media types the upload takes (W-AUDIO's audio table).
const AUDIO_TYPES: [&str; 5] = [
    "audio/aac",
    "audio/amr",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
];
/// Inline play button up to this size (W-AUDIO).
const INLINE_PLAYER_BYTES: u64 = 512 * 1024;
/// Media ids expire after 30 days (W-MEDIA).
const MEDIA_LIFETIME_MS: u64 = 30 * 24 * 3600 * 1000;

/// WhatsApp's run-time state: its people and its throughput windows.
pub(crate) struct WhatsappState {
    people: People,
    throughput: crate::rate_limit::RateLimiter,
    pairs: Mutex<HashMap<(String, String), (f64, Instant)>>,
}

impl WhatsappState {
    pub(crate) fn new(config: &crate::config::EmulatorConfig, started: Instant) -> Self {
        let list = config
            .whatsapp
            .numbers
            .iter()
            .flat_map(|n| {
                n.contacts.iter().map(|p| {
                    let mut p = p.clone();
                    p.page_id = Some(n.phone_number_id.clone());
                    p
                })
            })
            .collect();
        let per_second = config.whatsapp.messages_per_second;
        WhatsappState {
            people: People::from_list(list, config.accept_any_psid, started),
            throughput: crate::rate_limit::RateLimiter::new(crate::config::RateLimitConfig {
                audio_sends_per_second: per_second,
                other_sends_per_second: per_second,
                ..crate::config::RateLimitConfig::default()
            }),
            pairs: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn reset(&self) {
        self.people.reset();
        self.throughput.reset();
        self.pairs.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Takes one message of the pair budget (a token bucket of `burst`, refilled one per
    /// `interval`); false when it is empty.
    fn pair_admits(&self, key: (String, String), burst: u32, interval: Duration) -> bool {
        if burst == 0 || interval.is_zero() {
            return true;
        }
        let mut pairs = self.pairs.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let (tokens, at) = pairs.entry(key).or_insert((f64::from(burst), now));
        let refill = now.duration_since(*at).as_secs_f64() / interval.as_secs_f64();
        *tokens = (*tokens + refill).min(f64::from(burst));
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Which of the two endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Edge {
    /// `/media`.
    Media,
    /// `/messages`.
    Messages,
}

/// Whether `node` is a configured business phone number id.
pub(crate) fn serves(state: &AppState, node: &str) -> bool {
    state.config.whatsapp.number(node).is_some()
}

/// A WhatsApp error: `(#code) title` with `error_data.details`.
fn error(code: i64, title: &str, details: impl Into<String>) -> GraphErrorReply {
    let status = if matches!(code, 190 | 0) {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    GraphErrorReply::custom(code, None, format!("(#{code}) {title}"))
        .with_status(status)
        .whatsapp(details)
}

fn param_required(name: &str) -> GraphErrorReply {
    error(
        100,
        &format!("The parameter {name} is required."),
        format!("The parameter {name} is required."),
    )
}

fn media_error(details: impl Into<String>) -> GraphErrorReply {
    error(131053, "Media upload error", details)
}

/// Serves one call.
pub(crate) async fn route(
    state: &AppState,
    edge: Edge,
    node: &str,
    req: Request<Body>,
) -> Response {
    let headers = req.headers().clone();
    let path = req.uri().path().to_owned();
    let upload = edge == Edge::Media;
    let limits = &state.config.limits;
    let read = read_params(req, state.config.whatsapp.max_media_bytes, limits);
    let params = match tokio::time::timeout(limits.body_timeout.0, read).await {
        Ok(Ok(p)) => p,
        Ok(Err((e, _))) => return refused(state, upload, None, &path, e),
        Err(_) => {
            let e = GraphErrorReply::body_timeout(&limits.body_timeout);
            return refused(state, upload, None, &path, e);
        }
    };
    let to = params.text("to").map(|t| wa_id(&t));
    let result = match answer(state, edge, node, &params, &headers).await {
        Ok(body) => body,
        Err(e) => return refused(state, upload, to.as_deref(), &path, e),
    };
    let id = result
        .pointer("/messages/0/id")
        .or_else(|| result.get("id"))
        .and_then(Value::as_str)
        .unwrap_or("");
    log_line("POST", &path, to.as_deref(), &format!("200 {id}"));
    Json(result).into_response()
}

fn refused(
    state: &AppState,
    upload: bool,
    to: Option<&str>,
    path: &str,
    e: GraphErrorReply,
) -> Response {
    let known = to.is_some_and(|t| state.whatsapp.people.is_known(t));
    state.store.refuse(upload, to, known, &e.key());
    log_line("POST", path, to, &e.describe());
    e.into_response()
}

/// The digits of a phone number (`+1 650-555-0101` -> `16505550101`).
fn wa_id(to: &str) -> String {
    to.chars().filter(char::is_ascii_digit).collect()
}

async fn answer(
    state: &AppState,
    edge: Edge,
    node: &str,
    params: &Params,
    headers: &axum::http::HeaderMap,
) -> Result<Value, GraphErrorReply> {
    let token = find_token(params.text("access_token").as_deref(), headers)
        .ok_or_else(GraphErrorReply::token_missing)?;
    let config = &state.config.whatsapp;
    let owner = config.numbers.iter().find_map(|n| {
        if n.tokens.iter().any(|t| t.expose() == token) {
            Some((n.clone(), false))
        } else if n.expired_tokens.iter().any(|t| t.expose() == token) {
            Some((n.clone(), true))
        } else {
            None
        }
    });
    let number = match owner {
        Some((_, true)) => {
            return Err(error(
                190,
                "Error validating access token: Session has expired.",
                "The access token has expired; generate a new one.",
            ))
        }
        Some((n, false)) if n.phone_number_id == node => n,
        Some(_) => return Err(GraphErrorReply::unsupported("POST", node)),
        None if state.config.accept_any_token && node.bytes().all(|b| b.is_ascii_digit()) => {
            WhatsappNumberConfig {
                phone_number_id: node.to_owned(),
                display_phone_number: "+1 555-010-9999".to_owned(),
                tokens: vec![token.as_str().into()],
                ..WhatsappNumberConfig::default()
            }
        }
        None => {
            return Err(error(
                190,
                "Invalid OAuth access token - Cannot parse access token",
                "The access token is not valid for any business phone number.",
            ))
        }
    };
    if params.text("messaging_product").as_deref() != Some("whatsapp") {
        return Err(param_required("messaging_product"));
    }
    match edge {
        Edge::Media => upload(state, &number, params).await,
        Edge::Messages => send(state, &number, params),
    }
}

/// What the uploaded bytes are, judged by decoding them.
struct Judged {
    audio: AudioInfo,
    voice: bool,
}

async fn judge(bytes: bytes::Bytes, declared: &str) -> Result<Judged, GraphErrorReply> {
    let declared = declared.to_owned();
    let wanted = declared.clone();
    let result = tokio::task::spawn_blocking(move || {
        let probed = svara::audio::probe(&bytes).map_err(|e| e.message().to_owned())?;
        let is_ogg = probed.container == "ogg";
        match wanted.as_str() {
            "audio/ogg" if !(is_ogg && probed.codec == "opus") => {
                return Err(format!(
                    "Ogg audio must be encoded with the Opus codec; this file is {} in {}",
                    probed.codec, probed.container
                ))
            }
            "audio/mp4" if probed.container != "mp4" => {
                return Err(format!("the file is {}, not MP4 audio", probed.container))
            }
            "audio/mpeg" if probed.codec != "mp3" => {
                return Err(format!("the file is {}, not MP3", probed.codec))
            }
            "audio/aac" if probed.container != "adts" => {
                return Err(format!("the file is {}, not AAC (ADTS)", probed.container))
            }
            _ => {}
        }
        let voice = is_ogg
            && probed.codec == "opus"
            && svara::audio::verify_ogg_opus(&bytes).is_ok_and(|v| v.channels == 1);
        Ok(Judged {
            audio: probed,
            voice,
        })
    })
    .await;
    match result {
        Ok(Ok(j)) => Ok(j),
        Ok(Err(why)) => Err(media_error(format!(
            "The uploaded file does not match its type {declared}: {why}."
        ))),
        Err(_) => Err(media_error("The uploaded file could not be decoded.")),
    }
}

async fn upload(
    state: &AppState,
    number: &WhatsappNumberConfig,
    params: &Params,
) -> Result<Value, GraphErrorReply> {
    let file = params.file.as_ref().ok_or_else(|| param_required("file"))?;
    let declared = params
        .text("type")
        .or_else(|| file.content_type.clone())
        .ok_or_else(|| param_required("type"))?;
    let essence = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !AUDIO_TYPES.contains(&essence.as_str()) {
        return Err(error(
            100,
            &format!(
                "Param file must be a file with one of the following types: {}. Received file of type '{declared}'.",
                AUDIO_TYPES.join(", ")
            ),
            "svara-emulator takes the audio types of WhatsApp's audio messages.",
        ));
    }
    let max = state.config.whatsapp.max_media_bytes;
    if file.size > max {
        return Err(media_error(format!(
            "Audio files must be at most {} MB ({max} bytes); this one is {} bytes.",
            max / (1024 * 1024),
            file.size
        )));
    }
    if file.size == 0 {
        return Err(media_error("The uploaded file is empty."));
    }
    let judged = judge(file.bytes.clone(), &essence).await?;
    let sha256 = hex::encode(Sha256::digest(&file.bytes));
    state
        .store
        .keep_media(&sha256, file.bytes.clone(), &essence);
    let id = loop {
        let id = crate::ids::attachment_id();
        if !state.store.has_attachment(&id) {
            break id;
        }
    };
    let now = now_ms();
    state.store.save_attachment(Attachment {
        platform: "whatsapp".to_owned(),
        attachment_id: id.clone(),
        page_id: number.phone_number_id.clone(),
        kind: MessageKind::Audio,
        reusable: true,
        origin: AudioOrigin::Upload,
        url: None,
        filename: file.filename.clone(),
        content_type: Some(essence),
        audio: Some(judged.audio),
        voice_note: judged.voice,
        size_bytes: file.size,
        sha256,
        created_at_ms: now,
        expires_at_ms: Some(now + MEDIA_LIFETIME_MS),
    });
    state.store.accept_upload();
    Ok(json!({ "id": id }))
}

fn send(
    state: &AppState,
    number: &WhatsappNumberConfig,
    params: &Params,
) -> Result<Value, GraphErrorReply> {
    let given = params
        .text("to")
        .or_else(|| params.text("recipient"))
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            error(
                131008,
                "Required parameter is missing",
                "Parameter 'to' is required.",
            )
        })?;
    let to = wa_id(&given);
    let kind = params.text("type").unwrap_or_else(|| "text".to_owned());
    let (kind, media, text) = match kind.as_str() {
        "audio" => {
            let audio = params.json("audio").unwrap_or(Value::Null);
            let id = audio.get("id").and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
            let Some(id) = id else {
                if audio.get("link").is_some() {
                    return Err(error(
                        100,
                        "Invalid parameter",
                        "svara-emulator takes audio by media id only: upload the file to /{phone_number_id}/media first.",
                    ));
                }
                return Err(GraphErrorReply::custom(
                    100,
                    Some(2_494_009),
                    "(#100) Either one of media ID or link must be present",
                )
                .whatsapp("Either audio.id or audio.link is required."));
            };
            let media = state
                .store
                .attachment(&id)
                .filter(|a| a.platform == "whatsapp" && a.page_id == number.phone_number_id)
                .filter(|a| a.expires_at_ms.is_none_or(|t| now_ms() < t))
                .ok_or_else(|| {
                    error(
                        100,
                        "Invalid parameter",
                        format!("audio.id {id} is not a media id uploaded by this phone number (or it expired after 30 days)."),
                    )
                })?;
            let voice = audio.get("voice").and_then(Value::as_bool).unwrap_or(false);
            if voice && !media.voice_note {
                let what = media
                    .audio
                    .as_ref()
                    .map(|a| format!("{} in {}, {} channel(s)", a.codec, a.container, a.channels))
                    .unwrap_or_default();
                return Err(media_error(format!(
                    "Voice messages must be mono Ogg files encoded with the Opus codec; this media is {what}. (The Cloud API accepts the request and fails later by webhook; svara-emulator answers at once.)"
                )));
            }
            (MessageKind::Audio, Some((media, voice)), None)
        }
        "text" => {
            let body = params
                .json("text")
                .and_then(|t| t.get("body").and_then(Value::as_str).map(str::to_owned))
                .ok_or_else(|| {
                    error(
                        131008,
                        "Required parameter is missing",
                        "Parameter 'text.body' is required.",
                    )
                })?;
            (MessageKind::Text, None, Some(body))
        }
        other => {
            return Err(error(
                131051,
                "Unsupported message type",
                format!("svara-emulator sends type audio or text, not {other:?}."),
            ))
        }
    };
    let wa = &state.config.whatsapp;
    if !state
        .whatsapp
        .throughput
        .acquire(&number.phone_number_id, true, Instant::now())
        .admitted
    {
        return Err(error(
            130429,
            "Rate limit hit",
            "Cloud API message throughput has been reached.",
        ));
    }
    let pair = (number.phone_number_id.clone(), to.clone());
    if !state
        .whatsapp
        .pair_admits(pair, wa.pair_burst, wa.pair_interval.0)
    {
        return Err(error(
            131056,
            "(Business Account, Consumer Account) pair rate limit hit",
            "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.",
        ));
    }
    if to == number.own_wa_id() {
        return Err(error(
            131021,
            "Recipient cannot be sender",
            "Sender and recipient phone number is the same.",
        ));
    }
    let Some((person, age)) = state.whatsapp.people.lookup(&number.phone_number_id, &to) else {
        return Err(error(
            131026,
            "Message Undeliverable",
            "Unable to deliver message: the recipient phone number is not a WhatsApp phone number.",
        ));
    };
    match person.status {
        PsidStatus::Blocked => {
            return Err(error(
                130403,
                "The business has blocked this user",
                "This business has blocked the end user on WhatsApp.",
            ))
        }
        PsidStatus::Unavailable => {
            return Err(error(
                131026,
                "Message Undeliverable",
                "Unable to deliver message: the recipient cannot receive messages.",
            ))
        }
        PsidStatus::Active => {}
    }
    if age > state.config.window.standard.0 {
        return Err(error(
            131047,
            "Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        ));
    }
    let message_id = wamid();
    let (voice_note, fits, attachment) = match &media {
        Some((m, voice)) => (
            *voice && m.voice_note,
            Some(m.size_bytes <= INLINE_PLAYER_BYTES),
            Some(m.clone()),
        ),
        None => (false, None, None),
    };
    state.store.deliver(Delivery {
        platform: "whatsapp".to_owned(),
        kind,
        message_id: message_id.clone(),
        recipient_id: to.clone(),
        page_id: number.phone_number_id.clone(),
        seq: 0,
        messaging_type: String::new(),
        tag: None,
        notification_type: None,
        text,
        quick_replies: None,
        sender_action: None,
        action_payload: None,
        template_type: None,
        template: None,
        attachment_id: attachment.as_ref().map(|a| a.attachment_id.clone()),
        origin: attachment.as_ref().map(|_| AudioOrigin::AttachmentId),
        url: None,
        url_public: None,
        audio: attachment.as_ref().and_then(|a| a.audio.clone()),
        voice_note,
        fits_inline_player: fits,
        caption: None,
        filename: attachment.as_ref().and_then(|a| a.filename.clone()),
        content_type: attachment.as_ref().and_then(|a| a.content_type.clone()),
        size_bytes: attachment.as_ref().map(|a| a.size_bytes),
        sha256: attachment.as_ref().map(|a| a.sha256.clone()),
        api_version: String::new(),
        served_version: String::new(),
        received_at_ms: now_ms(),
    });
    state.webhooks.whatsapp_accepted(
        &WhatsappNumber {
            phone_number_id: number.phone_number_id.clone(),
            display_phone_number: number.display_phone_number.clone(),
        },
        &to,
        &message_id,
    );
    Ok(json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": given, "wa_id": to }],
        "messages": [{ "id": message_id }],
    }))
}

/// A message id like WhatsApp's: `wamid.` and 48 base64 characters.
fn wamid() -> String {
    let id = crate::ids::message_id();
    format!("wamid.HBgL{}", &id[2..46])
}
