//! The wire types of the HTTP API, from which the OpenAPI document is generated. Shapes that
//! the core owns (the send error, the audio probe) are passed through as the core serializes
//! them; their schemas here are checked against the core's output by tests.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// `session` of the documented body: the platform's credentials. One of its tokens is
/// required (the server never falls back to a token of its own environment): messenger
/// `{page_access_token}`; instagram `{access_token, ig_user_id}` (Instagram Login) or
/// `{page_access_token}` (Facebook Login); whatsapp `{access_token, phone_number_id}`;
/// telegram `{bot_token}`. A key of another platform is refused.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct SessionBody {
    /// Messenger, Instagram with Facebook Login: a Page access token with `pages_messaging`.
    pub page_access_token: Option<String>,
    /// Instagram Login: the Instagram user access token; WhatsApp: the Cloud API access token.
    pub access_token: Option<String>,
    /// Instagram Login: the professional account's id (`me` when absent).
    pub ig_user_id: Option<String>,
    /// WhatsApp: the id of the business phone number that sends.
    pub phone_number_id: Option<String>,
    /// Telegram: the bot token from @BotFather.
    pub bot_token: Option<String>,
}

/// `messaging_type` of the Send API.
#[derive(Debug, ToSchema)]
#[allow(dead_code, clippy::upper_case_acronyms, non_camel_case_types)]
pub enum MessagingTypeBody {
    /// A reply inside the 24-hour window (default).
    RESPONSE,
    /// A proactive message inside the window.
    UPDATE,
    /// Outside the window, with `tag`.
    MESSAGE_TAG,
}

/// `notification_type` of the Send API.
#[derive(Debug, ToSchema)]
#[allow(dead_code, clippy::upper_case_acronyms, non_camel_case_types)]
pub enum NotificationTypeBody {
    /// Sound and vibration.
    REGULAR,
    /// On-screen notification only.
    SILENT_PUSH,
    /// No notification.
    NO_PUSH,
}

/// The body of `POST /v1/send`: the documented `{platform, recipient, audio_url, session}`,
/// the optional `duration` and `dry_run`, `audio_id` (an upload of `POST /v1/audio`) as an
/// alternative audio source, and the options of `svara.send` by their documented names.
/// Exactly one of `audio_url`, `audio_id` and `attachment_id`. Unknown fields are refused.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct SendBody {
    /// `messenger` (the default), `instagram`, `whatsapp` or `telegram` (others are answered
    /// 422).
    #[schema(example = "messenger")]
    pub platform: Option<String>,
    /// Who gets the note: a PSID (messenger), an IGSID (instagram), a phone number or `wa_id`
    /// (whatsapp), a `chat_id` (telegram).
    #[schema(example = "6128493027184956")]
    pub recipient: String,
    /// An http(s) URL of the recording; the server downloads it (public addresses only unless
    /// started with `--allow-private-urls`).
    #[schema(example = "https://cdn.example.com/notes/update.m4a")]
    pub audio_url: Option<String>,
    /// An upload of `POST /v1/audio` by the same key.
    #[schema(example = "aud_01j0000000000000000000000")]
    pub audio_id: Option<String>,
    /// A reusable id of this sender's earlier upload (a Messenger or Instagram attachment id,
    /// a WhatsApp media id, a Telegram `file_id`), sent as is.
    pub attachment_id: Option<String>,
    /// The sender's credentials.
    pub session: SessionBody,
    /// The recording's length in seconds (informational; the server probes the audio).
    pub duration: Option<f64>,
    /// Validate (and download and probe the audio) without queueing: answered 200.
    pub dry_run: Option<bool>,
    /// Where this note's events (`voice_note.sent`, `.delivered`, `.read`, `.failed`) are posted,
    /// besides the key's webhook endpoints; signed with the secret of
    /// `GET /v1/webhooks/request-secret`.
    #[schema(example = "https://example.com/svara-webhook")]
    pub webhook_url: Option<String>,
    /// Graph version (default `v25.0`).
    pub api_version: Option<String>,
    /// The Meta app's secret: every call then carries `appsecret_proof`.
    pub app_secret: Option<String>,
    /// The Page id, to call `/{page-id}/messages` instead of `/me/messages`.
    pub page_id: Option<String>,
    /// `RESPONSE` (default), `UPDATE` or `MESSAGE_TAG`.
    pub messaging_type: Option<MessagingTypeBody>,
    /// Message tag with `MESSAGE_TAG`, e.g. `HUMAN_AGENT`.
    pub tag: Option<String>,
    /// Notification of the recipient.
    pub notification_type: Option<NotificationTypeBody>,
    /// Timeout of each platform call in seconds (default 60).
    pub timeout: Option<f64>,
    /// The same in milliseconds; give one or the other.
    pub timeout_ms: Option<u64>,
    /// Automatic retries of calls the platform certainly did not accept (default 2, at most 10).
    pub max_retries: Option<u32>,
    /// Bitrate of converted audio in bits per second (AAC for messenger and instagram:
    /// 8000-320000, default 64000; Opus for whatsapp and telegram: 6000-256000, default 32000).
    pub bitrate: Option<u32>,
    /// Keep stereo recordings stereo in M4A/AAC (default: mono, as voice notes are; Opus notes
    /// are always mono).
    pub keep_stereo: Option<bool>,
    /// Encode faster at slightly lower quality where that pays (AAC below 2 bits per sample, Opus).
    pub fast_encode: Option<bool>,
    /// The longest recording to accept, in seconds (longer ones fail as `audio_too_large`).
    pub max_duration: Option<f64>,
    /// The same in milliseconds; give one or the other.
    pub max_duration_ms: Option<u64>,
    /// Telegram: a text shown under the voice note (0 to 1024 characters); refused on the
    /// other platforms (their voice notes have no caption) with `invalid_request`.
    pub caption: Option<String>,
    /// Accepted for compatibility with `svara.send`; the server always uploads audio as a
    /// reusable attachment (that is how one audio reaches many recipients with one upload).
    pub reusable: Option<bool>,
}

/// The status of a voice note.
#[derive(Debug, ToSchema)]
#[allow(dead_code, non_camel_case_types)]
pub enum StatusValue {
    /// Accepted and committed; waiting for the worker.
    queued,
    /// A worker holds it (converting, uploading or sending).
    sending,
    /// The platform accepted it: `message_id` is set.
    sent,
    /// Messenger or WhatsApp reported it delivered to the person's device (`delivered_at`).
    delivered,
    /// Messenger or WhatsApp reported it read (`read_at`; `delivered_at` is set too).
    read,
    /// It was not sent, or may have been (see `error.may_have_been_delivered`).
    failed,
}

/// `202 Accepted`: the job is durably queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// `msg_…`.
    pub id: String,
    /// Always `queued`.
    #[schema(value_type = StatusValue)]
    pub status: &'static str,
    /// `messenger`.
    pub platform: String,
    /// The PSID.
    pub recipient: String,
    /// ISO 8601 UTC.
    #[schema(example = "2026-03-14T12:00:00Z")]
    pub created_at: String,
}

/// What the audio engine reports about a recording (the core's `AudioInfo`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct AudioProbe {
    /// Container: `mp4`, `ogg`, `webm`, `mp3`, `wav`, ...
    pub container: String,
    /// Codec: `aac-lc`, `opus`, `mp3`, ...
    pub codec: String,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channels.
    pub channels: u16,
    /// Duration in milliseconds.
    pub duration_ms: u64,
    /// Size in bytes.
    pub size_bytes: u64,
}

/// `200` of a dry run: the request is valid and its audio usable.
#[derive(Debug, Serialize, ToSchema)]
pub struct DryRun {
    /// Always true.
    pub dry_run: bool,
    /// Always true (an invalid request is an error instead).
    pub valid: bool,
    /// `messenger`.
    pub platform: String,
    /// The PSID.
    pub recipient: String,
    /// `test` or `live`: where a real send with this key would go.
    pub mode: &'static str,
    /// The probe of the audio, when the server could see it (not for `attachment_id`).
    #[schema(value_type = Option<AudioProbe>)]
    pub audio: Option<Value>,
}

/// The audio a note carried, as uploaded to Messenger.
#[derive(Debug, Serialize, ToSchema)]
pub struct AudioSummary {
    /// Codec sent (`aac-lc`).
    pub codec: String,
    /// Duration in milliseconds.
    pub duration_ms: u64,
    /// Bytes sent.
    pub size_bytes: u64,
    /// False when the recording was already M4A/AAC and went byte for byte.
    pub converted: bool,
}

/// Why a note failed: the core's error, identical in every Svara front end.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct SendError {
    /// `invalid_token`, `recipient_not_found`, `message_not_allowed`, `audio_too_large`,
    /// `audio_fetch_failed`, `rate_limited`, `unsupported_audio`, `invalid_request`,
    /// `permission_denied`, `temporary_failure`, `network_error` or `api_error`.
    pub code: String,
    /// What went wrong.
    pub message: String,
    /// What to do about it.
    pub hint: String,
    /// HTTP status of Meta's answer.
    pub http_status: Option<u16>,
    /// The platform whose call failed: `messenger`, `instagram`, `whatsapp` or `telegram`.
    pub platform: Option<String>,
    /// The platform's own error code (Graph `error.code`, Telegram's `error_code`).
    pub platform_code: Option<i64>,
    /// The platform's own error text (Graph `error.message`, Telegram's `description`),
    /// token removed.
    pub platform_message: Option<String>,
    /// Meta's `error.code`.
    pub graph_code: Option<i64>,
    /// Meta's `error.error_subcode`.
    pub graph_subcode: Option<i64>,
    /// Meta's `error.type`.
    pub graph_type: Option<String>,
    /// Meta's `error.message`, with any token removed.
    pub graph_message: Option<String>,
    /// Meta's `fbtrace_id`.
    pub fbtrace_id: Option<String>,
    /// Meta's `is_transient`.
    pub is_transient: Option<bool>,
    /// Seconds to wait before trying again.
    pub retry_after: Option<f64>,
    /// True when the request may have reached Meta: check the thread before resending.
    pub may_have_been_delivered: bool,
}

/// A voice note: `GET /v1/status/{id}`, `GET /v1/messages/{id}`, an item of `GET /v1/messages`.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoiceNote {
    /// `msg_…`.
    pub id: String,
    /// `queued`, `sending`, `sent`, `delivered`, `read` or `failed`.
    #[schema(value_type = StatusValue)]
    pub status: String,
    /// `messenger`.
    pub platform: String,
    /// The PSID.
    pub recipient: String,
    /// `test` (the built-in emulator) or `live` (Meta).
    pub mode: String,
    /// ISO 8601 UTC.
    pub created_at: String,
    /// ISO 8601 UTC.
    pub updated_at: String,
    /// ISO 8601 UTC, once sent.
    pub sent_at: Option<String>,
    /// ISO 8601 UTC, once Messenger or WhatsApp reported it delivered (a receipt or status).
    pub delivered_at: Option<String>,
    /// ISO 8601 UTC, once Messenger or WhatsApp reported it read.
    pub read_at: Option<String>,
    /// How many times a worker took the job.
    pub attempts: i64,
    /// Messenger's message id (`m_…`), once sent.
    pub message_id: Option<String>,
    /// The reusable attachment id the note was sent with.
    pub attachment_id: Option<String>,
    /// The audio sent.
    #[schema(value_type = Option<AudioSummary>)]
    pub audio: Option<Value>,
    /// Why it failed.
    #[schema(value_type = Option<SendError>)]
    pub error: Option<Value>,
}

impl From<crate::store::jobs::JobView> for VoiceNote {
    fn from(j: crate::store::jobs::JobView) -> Self {
        use crate::clock::iso8601;
        let json = |s: Option<String>| s.and_then(|s| serde_json::from_str::<Value>(&s).ok());
        VoiceNote {
            id: j.id,
            status: j.status,
            platform: j.platform,
            recipient: j.recipient,
            mode: j.mode,
            created_at: iso8601(j.created_at),
            updated_at: iso8601(j.updated_at),
            sent_at: j.sent_at.map(iso8601),
            delivered_at: j.delivered_at.map(iso8601),
            read_at: j.read_at.map(iso8601),
            attempts: j.attempts,
            message_id: j.message_id,
            attachment_id: j.attachment_id,
            audio: json(j.audio),
            error: json(j.error),
        }
    }
}

/// A page of `GET /v1/messages`, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    /// Always `list`.
    pub object: &'static str,
    /// The notes.
    pub data: Vec<VoiceNote>,
    /// True when another page follows.
    pub has_more: bool,
    /// Pass as `cursor` for the next page.
    pub next_cursor: Option<String>,
}

/// Counts of voice notes per status.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct UsageCounts {
    /// Waiting.
    pub queued: i64,
    /// Being sent.
    pub sending: i64,
    /// Sent (not yet reported delivered).
    pub sent: i64,
    /// Reported delivered (not yet read).
    pub delivered: i64,
    /// Reported read.
    pub read: i64,
    /// Failed.
    pub failed: i64,
    /// All of them.
    pub total: i64,
}

/// `GET /v1/usage`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Usage {
    /// Always `usage`.
    pub object: &'static str,
    /// `test` or `live`.
    pub mode: &'static str,
    /// The UTC day `today` covers (`2026-03-14`).
    pub date: String,
    /// Notes created today (UTC).
    pub today: UsageCounts,
    /// Every note of this key.
    pub all_time: UsageCounts,
}

/// `201` of `POST /v1/audio`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AudioUpload {
    /// Pass as `audio_id` to `POST /v1/send`.
    pub audio_id: String,
    /// Bytes stored.
    pub size_bytes: u64,
    /// What the audio engine found.
    #[schema(value_type = AudioProbe)]
    pub probe: Value,
    /// ISO 8601 UTC; after it the upload may be deleted (not while a queued note needs it).
    pub expires_at: String,
}

/// `GET /healthz`, `GET /readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    pub status: &'static str,
}

/// The error envelope of every non-2xx answer.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

/// The codes of [`crate::error::ApiErrorCode`].
#[derive(Debug, ToSchema)]
#[allow(dead_code, non_camel_case_types)]
pub enum ApiErrorCodeValue {
    /// 400.
    bad_request,
    /// 400.
    invalid_parameter,
    /// 401.
    unauthorized,
    /// 404.
    not_found,
    /// 409.
    idempotency_conflict,
    /// 413.
    payload_too_large,
    /// 422.
    unprocessable_entity,
    /// 429, with `Retry-After`.
    rate_limited,
    /// 500.
    internal_error,
    /// 503, with `Retry-After`.
    service_unavailable,
}

/// `error` of the envelope.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    /// The code.
    pub code: ApiErrorCodeValue,
    /// What went wrong and how to fix it.
    pub message: String,
    /// Structured details: `param` for a bad parameter; the send error for a dry run whose
    /// audio is unusable; `limit`, `window` and `retry_after` for a rate limit.
    #[schema(value_type = Option<Object>)]
    pub details: Option<Value>,
}

/// `POST /v1/webhooks`: an endpoint for this API key's events.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookCreate {
    /// The receiver, `https://…` (http is accepted; private and loopback addresses are refused
    /// unless the server runs with `--allow-private-urls`, except loopback for test keys).
    #[schema(example = "https://example.com/svara-webhook")]
    pub url: String,
    /// Event types, default every one: `voice_note.sent`, `voice_note.delivered`,
    /// `voice_note.read`, `voice_note.failed` (or `"*"`).
    pub events: Option<Vec<String>>,
    /// A note for yourself.
    pub description: Option<String>,
}

/// A webhook endpoint (its secret is only shown when it is created or rotated).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpoint {
    /// `we_…`.
    pub id: String,
    /// Always `webhook_endpoint`.
    pub object: &'static str,
    /// The receiver.
    pub url: String,
    /// Subscribed event types.
    pub events: Vec<String>,
    /// The note given at creation.
    pub description: Option<String>,
    /// ISO 8601 UTC.
    pub created_at: String,
    /// `whsec_…`: the signing secret, only in the answer of `POST /v1/webhooks` and of a
    /// rotation. Keep it: it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// After a rotation: until when (ISO 8601) the previous secret still signs too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_secret_expires_at: Option<String>,
}

/// `GET /v1/webhooks`.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    /// Always `list`.
    pub object: &'static str,
    /// The endpoints, oldest first.
    pub data: Vec<WebhookEndpoint>,
    /// Always false (every endpoint is listed).
    pub has_more: bool,
}

/// `DELETE /v1/webhooks/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeleted {
    /// `we_…`.
    pub id: String,
    /// Always `webhook_endpoint`.
    pub object: &'static str,
    /// Always true.
    pub deleted: bool,
}

/// One HTTP attempt of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAttempt {
    /// 1, 2, ...
    pub attempt: i64,
    /// ISO 8601 UTC (milliseconds).
    pub started_at: String,
    /// How long it took.
    pub duration_ms: i64,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<i64>,
    /// Why it did not succeed (`HTTP 500`, `timed out after 10 s`, a refused address, ...).
    pub error: Option<String>,
    /// The first 4 KiB of the answer's body.
    pub response: Option<String>,
}

/// The delivery of one event to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDelivery {
    /// `whd_…`.
    pub id: String,
    /// `evt_…` (also the `Svara-Event-Id` header).
    pub event_id: String,
    /// `voice_note.sent`, ...
    pub event: String,
    /// The voice note (`msg_…`).
    pub message_id: String,
    /// `pending` (waiting for its next attempt), `sending`, `delivered` (a 2xx) or `failed`
    /// (given up a day after the event, or the endpoint was deleted).
    pub status: String,
    /// ISO 8601 UTC.
    pub created_at: String,
    /// ISO 8601 UTC (milliseconds) of the next attempt, while pending.
    pub next_attempt_at: Option<String>,
    /// Every attempt, oldest first.
    pub attempts: Vec<WebhookAttempt>,
}

/// `GET /v1/webhooks/{id}/deliveries`, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryList {
    /// Always `list`.
    pub object: &'static str,
    /// The deliveries.
    pub data: Vec<WebhookDelivery>,
    /// True when another page follows.
    pub has_more: bool,
    /// Pass as `cursor` for the next page.
    pub next_cursor: Option<String>,
}

/// `GET /v1/webhooks/request-secret`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestSecret {
    /// Always `webhook_request_secret`.
    pub object: &'static str,
    /// `whsec_…`: signs the events posted to the `webhook_url` of this key's `POST /v1/send`
    /// calls (the same for every process of the server, until the key or SVARA_SECRET_KEY
    /// changes).
    pub secret: String,
}

/// What a receiver gets: `POST` with `Svara-Signature: t=…,v1=…` and `Svara-Event-Id`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct WebhookEvent {
    /// `evt_…`, the same for every retry of the event.
    pub id: String,
    /// `voice_note.sent`, `voice_note.delivered`, `voice_note.read` or `voice_note.failed`.
    pub event: String,
    /// ISO 8601 UTC.
    pub created_at: String,
    /// The note as `GET /v1/status/{id}` showed it at that moment.
    pub data: VoiceNote,
}
