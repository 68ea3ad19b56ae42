//! What the emulator received: delivered voice notes per PSID, attempts per PSID (every request
//! that reached a send endpoint, rejected ones included) and uploaded attachments. One lock, so
//! concurrent requests are never lost or counted twice. Exposed as `GET /__emulator/messages`.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use svara::AudioInfo;

/// How the audio of a message arrived.
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

/// One voice note the emulator accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// The `message_id` returned (`m_...`).
    pub message_id: String,
    /// The PSID.
    pub recipient_id: String,
    /// The Page that sent it.
    pub page_id: String,
    /// Attachment id, when the audio was saved (`is_reusable`) or reused.
    pub attachment_id: Option<String>,
    /// `messaging_type` as sent.
    pub messaging_type: String,
    /// `tag`, when sent.
    pub tag: Option<String>,
    /// `notification_type`, when sent.
    pub notification_type: Option<String>,
    /// How the audio arrived.
    pub origin: AudioOrigin,
    /// `payload.url`, for [`AudioOrigin::Url`].
    pub url: Option<String>,
    /// What the received audio is (`svara::audio` probe of the bytes).
    pub audio: AudioInfo,
    /// File name of the `filedata` part (or of the original upload).
    pub filename: Option<String>,
    /// Content-Type of the `filedata` part (or served by the URL).
    pub content_type: Option<String>,
    /// SHA-256 of the audio bytes, lowercase hex (fetch them at `/__emulator/audio/{sha256}`).
    pub sha256: String,
    /// Graph version in the path (`v25.0`), empty for unversioned calls.
    pub api_version: String,
    /// Milliseconds since the Unix epoch.
    pub received_at_ms: u64,
}

/// One saved (reusable) attachment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// Numeric id.
    pub attachment_id: String,
    /// Owning Page (other Pages get 100/2018074).
    pub page_id: String,
    /// How the audio arrived.
    pub origin: AudioOrigin,
    /// File name of the upload.
    pub filename: Option<String>,
    /// Content-Type of the upload.
    pub content_type: Option<String>,
    /// Probe of the audio.
    pub audio: AudioInfo,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// Milliseconds since the Unix epoch.
    pub created_at_ms: u64,
}

/// Everything one PSID received.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecipientLog {
    /// Requests to a send endpoint for this PSID, accepted or not.
    pub attempts: u64,
    /// Accepted voice notes, oldest first.
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
    /// Accepted messages in total.
    pub delivered: u64,
}

impl Snapshot {
    /// Every delivery, in the order they were accepted.
    pub fn deliveries(&self) -> Vec<Delivery> {
        let mut all: Vec<Delivery> = self
            .recipients
            .values()
            .flat_map(|r| r.messages.iter().cloned())
            .collect();
        all.sort_by_key(|d| (d.received_at_ms, d.message_id.clone()));
        all
    }

    /// The deliveries to one PSID.
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

/// A saved attachment and its bytes.
type SavedAttachment = (Attachment, Arc<[u8]>);

#[derive(Default)]
struct AudioCache {
    bytes: HashMap<String, Arc<[u8]>>,
    order: VecDeque<String>,
    total: u64,
}

/// The emulator's memory.
pub(crate) struct Store {
    snapshot: Mutex<Snapshot>,
    attachments: Mutex<HashMap<String, SavedAttachment>>,
    audio: Mutex<AudioCache>,
    keep_audio_bytes: u64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Store {
    pub(crate) fn new(keep_audio_bytes: u64) -> Self {
        Store {
            snapshot: Mutex::new(Snapshot::default()),
            attachments: Mutex::new(HashMap::new()),
            audio: Mutex::new(AudioCache::default()),
            keep_audio_bytes,
        }
    }

    pub(crate) fn reset(&self) {
        *lock(&self.snapshot) = Snapshot::default();
        lock(&self.attachments).clear();
        *lock(&self.audio) = AudioCache::default();
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        lock(&self.snapshot).clone()
    }

    /// Counts a request to a send endpoint (and to its PSID when known).
    pub(crate) fn count_attempt(&self, psid: Option<&str>) {
        let mut s = lock(&self.snapshot);
        s.attempts += 1;
        if let Some(p) = psid {
            s.recipients.entry(p.to_owned()).or_default().attempts += 1;
        }
    }

    /// Counts a request to an upload endpoint.
    pub(crate) fn count_upload_attempt(&self) {
        lock(&self.snapshot).upload_attempts += 1;
    }

    pub(crate) fn deliver(&self, d: Delivery) {
        let mut s = lock(&self.snapshot);
        s.delivered += 1;
        s.recipients
            .entry(d.recipient_id.clone())
            .or_default()
            .messages
            .push(d);
    }

    pub(crate) fn save_attachment(&self, a: Attachment, bytes: Arc<[u8]>) {
        lock(&self.snapshot).attachments.push(a.clone());
        lock(&self.attachments).insert(a.attachment_id.clone(), (a, bytes));
    }

    pub(crate) fn attachment(&self, id: &str) -> Option<SavedAttachment> {
        lock(&self.attachments).get(id).cloned()
    }

    /// Keeps `bytes` under their hash, forgetting the oldest beyond the budget.
    pub(crate) fn keep_audio(&self, sha256: &str, bytes: Arc<[u8]>) {
        let len = bytes.len() as u64;
        if len > self.keep_audio_bytes {
            return;
        }
        let mut c = lock(&self.audio);
        if c.bytes.contains_key(sha256) {
            return;
        }
        while c.total + len > self.keep_audio_bytes {
            let Some(old) = c.order.pop_front() else {
                break;
            };
            if let Some(b) = c.bytes.remove(&old) {
                c.total -= b.len() as u64;
            }
        }
        c.total += len;
        c.order.push_back(sha256.to_owned());
        c.bytes.insert(sha256.to_owned(), bytes);
    }

    pub(crate) fn audio(&self, sha256: &str) -> Option<Arc<[u8]>> {
        lock(&self.audio).bytes.get(sha256).cloned()
    }
}
