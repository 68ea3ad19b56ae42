//! What a caller hands the client (send options) and what it gets back.

use crate::audio::{AudioInfo, PrepareOptions};
use crate::error::Error;
use crate::platform::Platform;
use serde::Serialize;

/// The Send API's `messaging_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessagingType {
    /// A reply inside the 24-hour window (the default).
    #[default]
    Response,
    /// A proactive message inside the window.
    Update,
    /// Outside the window, with a `tag` (e.g. `HUMAN_AGENT`).
    MessageTag,
}

impl MessagingType {
    /// The wire form: `RESPONSE`, `UPDATE` or `MESSAGE_TAG`.
    pub const fn as_str(self) -> &'static str {
        match self {
            MessagingType::Response => "RESPONSE",
            MessagingType::Update => "UPDATE",
            MessagingType::MessageTag => "MESSAGE_TAG",
        }
    }

    /// Parses the wire form (case-insensitive); `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "RESPONSE" => Some(MessagingType::Response),
            "UPDATE" => Some(MessagingType::Update),
            "MESSAGE_TAG" => Some(MessagingType::MessageTag),
            _ => None,
        }
    }
}

/// The Send API's `notification_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationType {
    /// Sound and vibration (Meta's default).
    Regular,
    /// On-screen notification only.
    SilentPush,
    /// No notification.
    NoPush,
}

impl NotificationType {
    /// The wire form: `REGULAR`, `SILENT_PUSH` or `NO_PUSH`.
    pub const fn as_str(self) -> &'static str {
        match self {
            NotificationType::Regular => "REGULAR",
            NotificationType::SilentPush => "SILENT_PUSH",
            NotificationType::NoPush => "NO_PUSH",
        }
    }

    /// Parses the wire form (case-insensitive); `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "REGULAR" => Some(NotificationType::Regular),
            "SILENT_PUSH" => Some(NotificationType::SilentPush),
            "NO_PUSH" => Some(NotificationType::NoPush),
            _ => None,
        }
    }
}

/// Options of one send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendOptions {
    /// `messaging_type` (default `RESPONSE`).
    pub messaging_type: MessagingType,
    /// Message tag, required with [`MessagingType::MessageTag`].
    pub tag: Option<String>,
    /// `notification_type`, when set.
    pub notification_type: Option<NotificationType>,
    /// Ask Meta to keep the attachment and return its `attachment_id` (Messenger; the other
    /// platforms always return their reusable id).
    pub reusable: bool,
    /// Telegram: a caption under the note (0 to 1024 characters).
    pub caption: Option<String>,
    /// How to convert the audio (a client makes its platform's format within its limit).
    pub prepare: PrepareOptions,
}

/// A delivered voice note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendResult {
    /// The message id (same as `message_id`; the documented `result.id`).
    pub id: String,
    /// The platform's message id: Messenger and Instagram `message_id`, WhatsApp `wamid.…`,
    /// Telegram's `message_id` (per chat).
    pub message_id: String,
    /// The recipient as the platform names it: `recipient_id` (Meta), `wa_id` (WhatsApp),
    /// `chat.id` (Telegram).
    pub recipient_id: Option<String>,
    /// The reusable id of the audio, when one was asked for, returned or used: a Messenger or
    /// Instagram `attachment_id`, a WhatsApp media id, a Telegram `file_id`.
    pub attachment_id: Option<String>,
    /// True when the audio was converted; false when passed through or sent by id.
    pub converted: bool,
    /// The audio as received, when the SDK saw it.
    pub input: Option<AudioInfo>,
    /// The audio as uploaded, when the SDK uploaded it.
    pub output: Option<AudioInfo>,
    /// The platform it went to: `messenger`, `instagram`, `whatsapp`, `telegram`.
    pub platform: &'static str,
    /// WhatsApp: whether the note is small enough (512 KB) for the inline play button;
    /// `null` elsewhere, or when the size is not known (sent by id).
    pub fits_inline_player: Option<bool>,
}

impl SendResult {
    /// A result with only the message id (the platform's answer fills the rest).
    pub fn new(platform: Platform, message_id: String) -> Self {
        SendResult {
            id: message_id.clone(),
            message_id,
            recipient_id: None,
            attachment_id: None,
            converted: false,
            input: None,
            output: None,
            platform: platform.as_str(),
            fits_inline_player: None,
        }
    }
}

/// Audio stored at the platform for reuse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadResult {
    /// The reusable id, usable with [`crate::AudioSource::AttachmentId`]: a Messenger or Instagram
    /// `attachment_id` (90 days, this Page or account), a WhatsApp media id (30 days, this
    /// phone number).
    pub attachment_id: String,
    /// True when the audio was converted.
    pub converted: bool,
    /// The audio as received.
    pub input: AudioInfo,
    /// The audio as uploaded.
    pub output: AudioInfo,
    /// The platform it was uploaded to.
    pub platform: &'static str,
    /// WhatsApp: whether the note is small enough (512 KB) for the inline play button.
    pub fits_inline_player: Option<bool>,
}

/// The outcome for one recipient of [`crate::Client::send_many`].
#[derive(Debug, Clone, PartialEq)]
pub struct RecipientOutcome {
    /// The recipient as given.
    pub recipient: String,
    /// The result, or the error for this recipient alone.
    pub result: Result<SendResult, Error>,
}
