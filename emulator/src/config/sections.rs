//! The sections of a scenario that tune one behaviour each: the rate limit, `payload.url`
//! downloads, uploaded media, the messaging window and tags, saved attachments, Graph versions
//! and the server's own limits under abuse. Every default is Meta's documented value or, where
//! Meta documents none, our stated choice (see the README's emulator section).

use crate::duration::HumanDuration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Meta's per-Page Send API budgets: 10 calls per second for messages carrying audio or video,
/// 300 for everything else. Only sends (`POST /messages` that passed the token and parameter
/// checks) count; uploads, profile reads and refused requests do not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Sends with an audio or video attachment allowed per window per Page (Meta: 10 per
    /// second); 0 disables the limit.
    pub audio_sends_per_second: u32,
    /// Every other send (text, images, files, templates, sender actions) per window per Page
    /// (Meta: 300 per second); 0 disables the limit.
    pub other_sends_per_second: u32,
    /// The sliding window (default 1 s).
    pub window: HumanDuration,
    /// Forces `estimated_time_to_regain_access` (minutes) in the `X-Business-Use-Case-Usage`
    /// header; by default it is the time until the window frees a slot, in whole minutes
    /// rounded down (0 for the 1-second window).
    pub regain_access_minutes: Option<u32>,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            audio_sends_per_second: 10,
            other_sends_per_second: 300,
            window: HumanDuration::secs(1),
            regain_access_minutes: None,
        }
    }
}

/// How the emulator downloads `payload.url` (Meta's limits by default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchConfig {
    /// Whole-download timeout (Meta: 10 s; 75 s for video).
    pub timeout: HumanDuration,
    /// Whole-download timeout for `video` attachments (Meta: 75 s).
    pub video_timeout: HumanDuration,
    /// Largest body accepted (25 MB; images: [`FetchConfig::max_image_bytes`]).
    pub max_bytes: u64,
    /// Largest image fetched from a URL (Meta: 8 MB).
    pub max_image_bytes: u64,
    /// Redirects followed.
    pub max_redirects: usize,
    /// Refuse URLs whose host is (or resolves to, or redirects to) a loopback, private,
    /// link-local or otherwise non-public address with 100/2018008, as Meta's servers cannot
    /// reach them. Default false: loopback URLs are fetched (tests serve files from
    /// 127.0.0.1) and the record says `url_public: false`.
    pub public_urls_only: bool,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            timeout: HumanDuration::secs(10),
            video_timeout: HumanDuration::secs(75),
            max_bytes: svara::audio::MAX_AUDIO_BYTES,
            max_image_bytes: 8 * 1024 * 1024,
            max_redirects: 5,
            public_urls_only: false,
        }
    }
}

/// What an uploaded or fetched attachment must be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioRules {
    /// Largest attachment (25 MB, 26,214,400 bytes): above it 100/2018109.
    pub max_bytes: u64,
    /// The emulator's own strict policy, not Meta's: refuse audio that is not an M4A/MP4 with
    /// an AAC track (what Messenger plays as a voice bubble) with 100/2018047. Default false:
    /// any `audio/*` file that decodes is accepted, as Meta does, and the record says what
    /// arrived (`audio.codec`, `voice_note`). `require_m4a_aac` is the old name of this key.
    #[serde(alias = "require_m4a_aac")]
    pub strict_voice_notes: bool,
}

impl Default for AudioRules {
    fn default() -> Self {
        AudioRules {
            max_bytes: svara::audio::MAX_AUDIO_BYTES,
            strict_voice_notes: false,
        }
    }
}

/// The messaging window and message tags (Meta changes these; see the reference's section 9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WindowConfig {
    /// The standard window for RESPONSE and UPDATE (24 h).
    pub standard: HumanDuration,
    /// Valid tags for MESSAGE_TAG and how long after the person's last message each allows.
    pub tags: BTreeMap<String, HumanDuration>,
    /// Tags that now fail with error 100 (retired on 2026-04-27).
    pub retired_tags: Vec<String>,
}

impl Default for WindowConfig {
    fn default() -> Self {
        WindowConfig {
            standard: HumanDuration::hours(24),
            tags: BTreeMap::from([
                ("HUMAN_AGENT".to_owned(), HumanDuration::days(7)),
                ("CUSTOMER_FEEDBACK".to_owned(), HumanDuration::days(7)),
            ]),
            retired_tags: vec![
                "CONFIRMED_EVENT_UPDATE".to_owned(),
                "ACCOUNT_UPDATE".to_owned(),
                "POST_PURCHASE_UPDATE".to_owned(),
            ],
        }
    }
}

/// Saved (reusable) attachments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttachmentConfig {
    /// An attachment id stops working this long after it was saved (Meta: 90 days); `"0s"`
    /// (or `None`) keeps ids forever. Set e.g. `"2s"` to test how a bot handles a stale id.
    pub expire_after: Option<HumanDuration>,
}

impl Default for AttachmentConfig {
    fn default() -> Self {
        AttachmentConfig {
            expire_after: Some(HumanDuration::days(90)),
        }
    }
}

/// Graph API versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VersionConfig {
    /// The version an unversioned call (`/me/messages`) is served with: the app's default
    /// version in Meta's dashboard.
    pub default: String,
    /// The version that serves calls to a retired version (Meta: the oldest version still
    /// available). Default: computed from Meta's published table and today's date.
    pub oldest_available: Option<String>,
    /// Versions to treat as existing beyond the built-in table (e.g. `"v26.0"` once Meta
    /// releases it).
    pub extra: Vec<String>,
}

impl Default for VersionConfig {
    fn default() -> Self {
        VersionConfig {
            default: crate::versions::NEWEST.to_owned(),
            oldest_available: None,
            extra: Vec::new(),
        }
    }
}

/// How much one request and one connection may take: the emulator stays bounded in memory,
/// time and file descriptors whatever a client sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerLimits {
    /// Open connections at once; the next one is answered HTTP 503 with a Graph error and
    /// closed. Default 512.
    pub max_connections: usize,
    /// A connection that has not delivered a complete request head this long after it opened
    /// or finished its previous request is closed: this covers idle keep-alive connections and
    /// half-sent headers (one timer in hyper). Default 30 s.
    pub idle_timeout: HumanDuration,
    /// The whole body of a request must arrive within this; otherwise the request is refused
    /// (or the connection closed, when the body stalls). Default 60 s.
    pub body_timeout: HumanDuration,
    /// Largest non-file form field, JSON body or query string (bytes). Default 256 KiB: a
    /// full generic template fits many times over.
    pub max_field_bytes: usize,
    /// All non-file fields of one request together (bytes). Default 1 MiB.
    pub max_fields_bytes: usize,
    /// Non-file fields per request. Default 64.
    pub max_fields: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: 512,
            idle_timeout: HumanDuration::secs(30),
            body_timeout: HumanDuration::secs(60),
            max_field_bytes: 256 * 1024,
            max_fields_bytes: 1024 * 1024,
            max_fields: 64,
        }
    }
}
