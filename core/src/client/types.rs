//! What a caller hands the client (send options) and what it gets back.

use crate::audio::{AudioInfo, PrepareOptions};
use crate::error::Error;
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
    /// Ask Meta to keep the attachment and return its `attachment_id`.
    pub reusable: bool,
    /// How to convert the audio.
    pub prepare: PrepareOptions,
}

/// A delivered voice note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendResult {
    /// The message id (same as `message_id`; the documented `result.id`).
    pub id: String,
    /// Meta's `message_id`.
    pub message_id: String,
    /// Meta's `recipient_id`.
    pub recipient_id: Option<String>,
    /// The reusable attachment id, when one was asked for or used.
    pub attachment_id: Option<String>,
    /// True when the audio was converted to M4A/AAC; false when passed through or sent by id.
    pub converted: bool,
    /// The audio as received, when the SDK saw it.
    pub input: Option<AudioInfo>,
    /// The audio as uploaded, when the SDK uploaded it.
    pub output: Option<AudioInfo>,
}

/// A reusable attachment stored at Meta.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadResult {
    /// Meta's `attachment_id`, usable with [`AudioSource::AttachmentId`] for 90 days by this Page.
    pub attachment_id: String,
    /// True when the audio was converted.
    pub converted: bool,
    /// The audio as received.
    pub input: AudioInfo,
    /// The audio as uploaded.
    pub output: AudioInfo,
}

/// The outcome for one recipient of [`crate::Client::send_many`].
#[derive(Debug, Clone, PartialEq)]
pub struct RecipientOutcome {
    /// The PSID.
    pub recipient: String,
    /// The result, or the error for this recipient alone.
    pub result: Result<SendResult, Error>,
}
