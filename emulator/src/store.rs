//! What the emulator received: every accepted send in order (voice notes, text, images,
//! video, files, templates, sender actions) per PSID, attempts per known PSID, refusals as
//! bounded counters, and saved attachments. One lock, so concurrent requests are never lost
//! or counted twice. Exposed as `GET /__emulator/messages`.
//!
//! Memory stays bounded under abuse: a refused request leaves nothing but counters (totals
//! and one per error code, a finite set); media bytes live in one cache capped by
//! `keep_audio_bytes`, whatever brought them (uploads, URLs, saved attachments).

use crate::message::MessageKind;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use svara::AudioInfo;

/// How the media of a message arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AudioOrigin {
    /// A multipart `filedata` part.
    Upload,
    /// `payload.url`, downloaded by the emulator.
    Url,
    /// `payload.attachment_id` of an earlier reusable upload.
    AttachmentId,
}

fn messenger() -> String {
    "messenger".to_owned()
}

/// One send the emulator accepted: a message of any kind or a sender action, on any platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// The API that received it: `messenger`, `instagram`, `whatsapp` or `telegram`.
    #[serde(default = "messenger")]
    pub platform: String,
    /// What was sent.
    pub kind: MessageKind,
    /// The `message_id` returned (`m_...`; WhatsApp `wamid....`; Telegram's per-chat number);
    /// empty for sender actions, which get none.
    pub message_id: String,
    /// The recipient: a PSID, an IGSID, a WhatsApp `wa_id`, a Telegram `chat_id`.
    pub recipient_id: String,
    /// The sender: the Page, the Instagram account, the WhatsApp phone number id, the Telegram
    /// bot's id.
    pub page_id: String,
    /// Order of acceptance across the whole emulator (1, 2, ...): the conversation's order.
    pub seq: u64,
    /// `messaging_type` as sent; empty when the request left it out.
    pub messaging_type: String,
    /// `tag`, when sent.
    pub tag: Option<String>,
    /// `notification_type`, when sent.
    pub notification_type: Option<String>,
    /// `message.text` (kind `text`).
    pub text: Option<String>,
    /// `message.quick_replies`, when sent.
    pub quick_replies: Option<serde_json::Value>,
    /// `sender_action` (kind `sender_action`): `typing_on`, `typing_off`, `mark_seen`, ...
    pub sender_action: Option<String>,
    /// The sender action's `payload` (`react` / `unreact`).
    pub action_payload: Option<serde_json::Value>,
    /// `payload.template_type` (kind `template`).
    pub template_type: Option<String>,
    /// The template's `payload` as sent (kind `template`).
    pub template: Option<serde_json::Value>,
    /// Attachment id, when the media was saved (`is_reusable`) or reused.
    pub attachment_id: Option<String>,
    /// How the media arrived (media kinds).
    pub origin: Option<AudioOrigin>,
    /// `payload.url`, for [`AudioOrigin::Url`].
    pub url: Option<String>,
    /// For URLs: whether every address the URL led to is a public one Meta could reach
    /// (`false` for loopback and private addresses, which the emulator fetches anyway unless
    /// `fetch.public_urls_only` is set).
    pub url_public: Option<bool>,
    /// What the received audio is (`svara::audio` probe of the bytes; kind `audio`).
    pub audio: Option<AudioInfo>,
    /// True when the audio is what the platform plays as a voice note: AAC in an MP4/M4A
    /// container that decodes (Messenger, Instagram), mono Opus in Ogg (WhatsApp with
    /// `voice: true`, Telegram). Other audio is delivered as an audio file.
    pub voice_note: bool,
    /// WhatsApp: whether the note is small enough (512 KB) to show its play button.
    #[serde(default)]
    pub fits_inline_player: Option<bool>,
    /// Telegram: the caption under the note.
    #[serde(default)]
    pub caption: Option<String>,
    /// File name of the `filedata` part (or of the original upload).
    pub filename: Option<String>,
    /// Content-Type of the `filedata` part (or served by the URL).
    pub content_type: Option<String>,
    /// Size of the media in bytes.
    pub size_bytes: Option<u64>,
    /// SHA-256 of the media bytes, lowercase hex (fetch them at `/__emulator/audio/{sha256}`).
    pub sha256: Option<String>,
    /// Graph version in the path (`v25.0`), empty for unversioned calls.
    pub api_version: String,
    /// The version that served the call (the `facebook-api-version` header).
    pub served_version: String,
    /// Milliseconds since the Unix epoch.
    pub received_at_ms: u64,
}

/// One saved attachment (uploaded through `/message_attachments`, or sent with
/// `is_reusable`; WhatsApp `/media` uploads; Telegram `file_id`s).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// The API that stored it.
    #[serde(default = "messenger")]
    pub platform: String,
    /// Numeric id, random like Meta's (unique across runs).
    pub attachment_id: String,
    /// Owning Page, Instagram account, phone number id or bot id (others get 100/2018074, or the
    /// platform's own refusal).
    pub page_id: String,
    /// `audio`, `image`, `video` or `file`.
    pub kind: MessageKind,
    /// Whether it was saved with `is_reusable: true` (only then can it be sent again).
    pub reusable: bool,
    /// How the media arrived.
    pub origin: AudioOrigin,
    /// The URL it was fetched from.
    pub url: Option<String>,
    /// File name of the upload.
    pub filename: Option<String>,
    /// Content-Type of the upload.
    pub content_type: Option<String>,
    /// Probe of the audio (kind `audio`).
    pub audio: Option<AudioInfo>,
    /// See [`Delivery::voice_note`].
    pub voice_note: bool,
    /// Size in bytes.
    pub size_bytes: u64,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// Milliseconds since the Unix epoch.
    pub created_at_ms: u64,
    /// When the id stops working (`attachments.expire_after`), ms since the Unix epoch.
    pub expires_at_ms: Option<u64>,
}

/// Everything one PSID received.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecipientLog {
    /// Requests to a send endpoint for this PSID, accepted or not. Counted for people the
    /// emulator knows (configured or added at run time) and for anyone who received a
    /// message; refused requests to other PSIDs only count in the totals.
    pub attempts: u64,
    /// Accepted sends of every kind, oldest first.
    pub messages: Vec<Delivery>,
}

/// The inspection endpoint's body: `GET /__emulator/messages`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Per PSID.
    pub recipients: BTreeMap<String, RecipientLog>,
    /// Saved attachments, oldest first.
    pub attachments: Vec<Attachment>,
    /// Requests to the send endpoints (`/messages`), whether a recipient was readable or not.
    pub attempts: u64,
    /// Requests to the upload endpoints (`/message_attachments`).
    pub upload_attempts: u64,
    /// Accepted sends in total (every kind).
    pub delivered: u64,
    /// Refused requests to the send and upload endpoints.
    pub rejected: u64,
    /// Refused requests by error, keyed `code` or `code/subcode` (`"100/2018001"`).
    pub rejected_by_error: BTreeMap<String, u64>,
}

impl Snapshot {
    /// Every accepted send, in the order it was accepted.
    pub fn deliveries(&self) -> Vec<Delivery> {
        let mut all: Vec<Delivery> = self
            .recipients
            .values()
            .flat_map(|r| r.messages.iter().cloned())
            .collect();
        all.sort_by_key(|d| d.seq);
        all
    }

    /// The sends accepted for one PSID, in order.
    pub fn messages_for(&self, psid: &str) -> &[Delivery] {
        self.recipients
            .get(psid)
            .map(|r| r.messages.as_slice())
            .unwrap_or(&[])
    }

    /// The attempts for one PSID.
    pub fn attempts_for(&self, psid: &str) -> u64 {
        self.recipients.get(psid).map(|r| r.attempts).unwrap_or(0)
    }
}

#[derive(Default)]
struct MediaCache {
    bytes: HashMap<String, (Bytes, String)>,
    order: VecDeque<String>,
    total: u64,
}

/// The emulator's memory.
pub(crate) struct Store {
    snapshot: Mutex<Snapshot>,
    attachments: Mutex<HashMap<String, Attachment>>,
    media: Mutex<MediaCache>,
    keep_bytes: u64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Store {
    pub(crate) fn new(keep_bytes: u64) -> Self {
        Store {
            snapshot: Mutex::new(Snapshot::default()),
            attachments: Mutex::new(HashMap::new()),
            media: Mutex::new(MediaCache::default()),
            keep_bytes,
        }
    }

    pub(crate) fn reset(&self) {
        *lock(&self.snapshot) = Snapshot::default();
        lock(&self.attachments).clear();
        *lock(&self.media) = MediaCache::default();
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        lock(&self.snapshot).clone()
    }

    /// Counts a refused request to a send endpoint (`upload` false) or an upload endpoint.
    /// `psid` is counted per PSID only when `known` (a configured or added person) or when
    /// the PSID already has a log, so refusals for made-up PSIDs leave only counters.
    pub(crate) fn refuse(&self, upload: bool, psid: Option<&str>, known: bool, key: &str) {
        let mut s = lock(&self.snapshot);
        if upload {
            s.upload_attempts += 1;
        } else {
            s.attempts += 1;
        }
        s.rejected += 1;
        if let Some(n) = s.rejected_by_error.get_mut(key) {
            *n += 1;
        } else {
            s.rejected_by_error.insert(key.to_owned(), 1);
        }
        if let Some(p) = psid.filter(|_| !upload) {
            if let Some(log) = s.recipients.get_mut(p) {
                log.attempts += 1;
            } else if known {
                s.recipients.entry(p.to_owned()).or_default().attempts += 1;
            }
        }
    }

    /// Counts an accepted upload (`/message_attachments`).
    pub(crate) fn accept_upload(&self) {
        lock(&self.snapshot).upload_attempts += 1;
    }

    /// Counts an accepted send, records it and gives it its place in the order.
    pub(crate) fn deliver(&self, mut d: Delivery) {
        let mut s = lock(&self.snapshot);
        s.attempts += 1;
        s.delivered += 1;
        d.seq = s.delivered;
        let log = s.recipients.entry(d.recipient_id.clone()).or_default();
        log.attempts += 1;
        log.messages.push(d);
    }

    /// Whether an attachment id is taken.
    pub(crate) fn has_attachment(&self, id: &str) -> bool {
        lock(&self.attachments).contains_key(id)
    }

    pub(crate) fn save_attachment(&self, a: Attachment) {
        lock(&self.snapshot).attachments.push(a.clone());
        lock(&self.attachments).insert(a.attachment_id.clone(), a);
    }

    pub(crate) fn attachment(&self, id: &str) -> Option<Attachment> {
        lock(&self.attachments).get(id).cloned()
    }

    /// Keeps `bytes` under their hash, forgetting the oldest beyond the budget.
    pub(crate) fn keep_media(&self, sha256: &str, bytes: Bytes, content_type: &str) {
        let len = bytes.len() as u64;
        if len > self.keep_bytes {
            return;
        }
        let mut c = lock(&self.media);
        if c.bytes.contains_key(sha256) {
            return;
        }
        while c.total + len > self.keep_bytes {
            let Some(old) = c.order.pop_front() else {
                break;
            };
            if let Some((b, _)) = c.bytes.remove(&old) {
                c.total -= b.len() as u64;
            }
        }
        c.total += len;
        c.order.push_back(sha256.to_owned());
        c.bytes
            .insert(sha256.to_owned(), (bytes, content_type.to_owned()));
    }

    /// The kept bytes and Content-Type of a hash.
    pub(crate) fn media(&self, sha256: &str) -> Option<(Bytes, String)> {
        lock(&self.media).bytes.get(sha256).cloned()
    }
}
