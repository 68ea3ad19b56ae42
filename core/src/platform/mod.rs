//! The platforms Svara delivers voice notes to, one folder each, behind one small trait.
//!
//! Every platform folder holds what is true of that platform and nothing else: its facts
//! ([`PlatformSpec`]: the native voice-note format, the upload limit, the pace, the session
//! keys), its request shapes (`request.rs`), its error table with the sources of every row
//! (`errors.rs`), and the [`PlatformApi`] implementation that ties them together. The client
//! (`crate::client`) is the one place that does I/O: it prepares the audio in the platform's
//! format, checks the platform's limit before any upload, and runs the platform's calls through
//! one transport (pool, pacing, retries of what certainly was not accepted, redaction).
//!
//! - [`messenger`]: Meta's Send API (`graph.facebook.com`), AAC in M4A, 25 MB;
//! - [`instagram`]: the Instagram messaging API (Instagram Login on `graph.instagram.com`, or
//!   Facebook Login on `graph.facebook.com`), AAC in M4A, 25 MB;
//! - [`whatsapp`]: the WhatsApp Cloud API, Opus in Ogg (mono), 16 MB;
//! - [`telegram`]: the Telegram Bot API's `sendVoice`, Opus in Ogg (mono), 50 MB by upload.
//!
//! Adding a platform is a folder here, one arm in [`Platform`] and its session keys.

pub mod instagram;
pub mod messenger;
pub(crate) mod meta;
pub mod telegram;
pub mod whatsapp;

use crate::audio::TargetFormat;
use crate::client::{AudioFile, BodyProgress, ClientConfig, RequestBody, SendOptions, SendResult};
use crate::error::{Error, ErrorCode, Result};
use crate::request::Session;
use crate::secret::PageToken;
use reqwest::header::HeaderMap;
use std::fmt;
use std::time::Duration;

/// A platform Svara sends to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Platform {
    /// Facebook Messenger (the default).
    #[default]
    Messenger,
    /// Instagram Direct, through Meta's Instagram messaging API.
    Instagram,
    /// WhatsApp, through Meta's WhatsApp Cloud API.
    Whatsapp,
    /// Telegram, through the Bot API.
    Telegram,
}

/// The names of every platform, in documentation order (the `platform` field's choices).
pub const PLATFORM_NAMES: &[&str] = &["messenger", "instagram", "whatsapp", "telegram"];

impl Platform {
    /// Every platform, in documentation order.
    pub const ALL: [Platform; 4] = [
        Platform::Messenger,
        Platform::Instagram,
        Platform::Whatsapp,
        Platform::Telegram,
    ];

    /// The name in requests: `messenger`, `instagram`, `whatsapp`, `telegram`.
    pub const fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// Parses a name (case-insensitive, surrounding whitespace ignored; empty means Messenger).
    pub fn parse(name: &str) -> Option<Platform> {
        let name = name.trim();
        if name.is_empty() {
            return Some(Platform::Messenger);
        }
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name))
    }

    /// What is true of this platform.
    pub const fn spec(self) -> &'static PlatformSpec {
        match self {
            Platform::Messenger => &messenger::SPEC,
            Platform::Instagram => &instagram::SPEC,
            Platform::Whatsapp => &whatsapp::SPEC,
            Platform::Telegram => &telegram::SPEC,
        }
    }

    /// The voice-note format this platform plays natively.
    pub const fn target(self) -> TargetFormat {
        self.spec().target
    }

    /// The platform's credentials from a request's `session` (and a client's own token, the
    /// `page_access_token` option), with the environment's fallbacks.
    pub(crate) fn credentials(
        self,
        session: &Session,
        client_token: Option<&PageToken>,
    ) -> Result<Credentials> {
        match self {
            Platform::Messenger => messenger::credentials(session, client_token),
            Platform::Instagram => instagram::credentials(session, client_token),
            Platform::Whatsapp => whatsapp::credentials(session, client_token),
            Platform::Telegram => telegram::credentials(session, client_token),
        }
    }

    /// The platform's calls for a validated configuration.
    pub(crate) fn api(self, config: &ClientConfig) -> Result<Box<dyn PlatformApi>> {
        Ok(match self {
            Platform::Messenger => Box::new(messenger::Messenger::new(config)?),
            Platform::Instagram => Box::new(instagram::Instagram::new(config)?),
            Platform::Whatsapp => Box::new(whatsapp::Whatsapp::new(config)?),
            Platform::Telegram => Box::new(telegram::Telegram::new(config)?),
        })
    }

    /// What to do about `code` on this platform: the platform's own sentence where it has one
    /// (its tokens, its ids, its limits), else the code's general one.
    pub fn hint(self, code: ErrorCode) -> &'static str {
        let own = match self {
            Platform::Messenger => None,
            Platform::Instagram => instagram::hint(code),
            Platform::Whatsapp => whatsapp::hint(code),
            Platform::Telegram => telegram::hint(code),
        };
        own.unwrap_or_else(|| code.hint())
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a platform lets one uploaded voice note be sent again (what `send_many` and the
/// server's media cache rely on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// An upload-only call returns an id that later sends name (Messenger and Instagram
    /// `attachment_id`, WhatsApp media id).
    UploadCall,
    /// There is no upload-only call: the first send carries the bytes and its answer holds the
    /// id that later sends name (Telegram's `file_id`).
    FirstSend,
}

/// One key of `session`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionKey {
    /// The key, e.g. `bot_token`.
    pub name: &'static str,
    /// A secret (never echoed, sealed by the server).
    pub secret: bool,
    /// Needed on this platform (when no environment variable provides it).
    pub required: bool,
    /// The environment variable read when the key is absent.
    pub env: Option<&'static str>,
    /// What it is, as a phrase.
    pub description: &'static str,
}

/// What is true of one platform: the facts the client, `send_many`, the server, the bindings'
/// types and the README read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlatformSpec {
    /// The name in requests.
    pub name: &'static str,
    /// The name in sentences: "WhatsApp".
    pub title: &'static str,
    /// The native voice-note format.
    pub target: TargetFormat,
    /// The largest voice note the platform takes, in bytes (checked before any upload).
    pub max_bytes: u64,
    /// How that limit reads: "16 MB".
    pub max_bytes_text: &'static str,
    /// Notes up to this size show an inline play button (WhatsApp: 512 KB), when the
    /// platform has such a threshold; results then carry `fits_inline_player`.
    pub inline_player_bytes: Option<u64>,
    /// The client-side pace per sender (Page, Instagram account, phone number, bot).
    pub sends_per_second: f64,
    /// The least time between two sends to the same recipient, when the platform asks for
    /// one (Telegram: one message per second per chat).
    pub per_recipient_interval: Option<Duration>,
    /// How an upload is reused.
    pub reuse: Reuse,
    /// What a recipient is, as a phrase: "a Page-Scoped ID (PSID)".
    pub recipient: &'static str,
    /// An example recipient.
    pub recipient_example: &'static str,
    /// The keys of `session` on this platform (alternatives are described by
    /// [`PlatformSpec::session_forms`]).
    pub session: &'static [SessionKey],
    /// The accepted shapes of `session`, as written in the docs: `{bot_token}`.
    pub session_forms: &'static [&'static str],
    /// What the reusable id of an upload is called on this platform.
    pub reusable_id: &'static str,
}

impl PlatformSpec {
    /// The `audio_too_large` error for a note of `size` bytes over this platform's limit.
    pub fn too_large(&self, what: impl fmt::Display, size: u64) -> Error {
        Error::new(
            ErrorCode::AudioTooLarge,
            format!(
                "{what} ({size} bytes) is larger than {}'s {} limit ({} bytes); send a shorter recording or a lower bitrate. Nothing was uploaded.",
                self.title, self.max_bytes_text, self.max_bytes
            ),
        )
    }

    /// Whether a note of `size` bytes plays inline, when the platform has such a threshold.
    pub fn fits_inline_player(&self, size: u64) -> Option<bool> {
        self.inline_player_bytes.map(|limit| size <= limit)
    }
}

/// Every session key of every platform, each once, in documentation order (what the bindings
/// accept inside `session` and what their types list).
pub fn session_keys() -> Vec<&'static SessionKey> {
    let mut out: Vec<&'static SessionKey> = Vec::new();
    for p in Platform::ALL {
        for k in p.spec().session {
            if !out.iter().any(|o| o.name == k.name) {
                out.push(k);
            }
        }
    }
    out
}

/// The platforms whose session takes `key`.
pub fn platforms_with_session_key(key: &str) -> Vec<Platform> {
    Platform::ALL
        .into_iter()
        .filter(|p| p.spec().session.iter().any(|k| k.name == key))
        .collect()
}

/// The credentials of one sender, resolved from a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credentials {
    /// The token the platform's calls carry.
    pub token: PageToken,
    /// Instagram: the Instagram Login host and token (`graph.instagram.com`), not a Page token.
    pub instagram_login: bool,
    /// Instagram Login: the account id (`/{ig_user_id}/messages`), `me` when absent.
    pub ig_user_id: Option<String>,
    /// WhatsApp: the business phone number id.
    pub phone_number_id: Option<String>,
}

impl Credentials {
    pub(crate) fn token(token: PageToken) -> Self {
        Credentials {
            token,
            instagram_login: false,
            ig_user_id: None,
            phone_number_id: None,
        }
    }
}

/// A session key given on a platform that does not take it.
pub(crate) fn foreign_session_key(platform: Platform, key: &str) -> Error {
    let takers: Vec<&str> = platforms_with_session_key(key)
        .into_iter()
        .map(|p| p.as_str())
        .collect();
    let forms = platform.spec().session_forms.join(" or ");
    Error::invalid_request(format!(
        "session.{key} is not used on {platform} (it belongs to {}); a {platform} session is {forms}.",
        takers.join(", ")
    ))
}

/// Reads an environment variable holding a token: `None` when unset or blank.
pub(crate) fn env_token(var: &str) -> Option<PageToken> {
    std::env::var(var)
        .ok()
        .map(PageToken::new)
        .filter(|t| !t.is_blank())
}

/// Which call of a platform a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// Store the audio for reuse, sending nothing (Messenger and Instagram
    /// `message_attachments`, WhatsApp `/media`). Always safe to repeat.
    Upload,
    /// Send a message (with the audio's bytes, or a reusable id).
    Send,
}

/// Whether a failed call may be repeated automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Never: retrying cannot help, or the platform may have accepted it.
    No,
    /// Yes, after a backoff: the platform certainly did not accept it (rate limits, a
    /// temporary refusal before anything was created).
    Yes,
}

/// How one attempt failed, as the platform's table reads the answer.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    pub retry: Retry,
    /// For a `rate_limited` error: whether the whole sender must pause (false when the limit is
    /// one recipient's, like WhatsApp's pair rate: other people can still be messaged).
    pub pause_sender: bool,
}

impl Failure {
    pub(crate) fn new(error: Error, retry: Retry) -> Self {
        Failure {
            error,
            retry,
            pause_sender: true,
        }
    }
}

/// What a send carries: the audio's bytes, or the id of an earlier upload.
#[derive(Clone, Copy)]
pub(crate) enum Media<'a> {
    /// The file, uploaded with this send.
    File(&'a AudioFile),
    /// An id the platform issued for earlier uploaded audio.
    Id(&'a str),
}

/// The part of a request the platform's rules depend on.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SendContext {
    /// Messenger: the request carried a message tag Meta retired.
    pub retired_tag: bool,
}

/// A request body built fresh for one attempt, and its progress.
pub(crate) type Built = (RequestBody, BodyProgress);

/// One platform's calls, without I/O: where each call goes (and how it is shown with its
/// secrets redacted), how it authenticates, its bodies, and how its answers read. The client's
/// transport runs them; `send_many` and the server reach them through the client.
pub(crate) trait PlatformApi: Send + Sync {
    /// Which platform this is.
    fn platform(&self) -> Platform;

    /// The URL of `call`. It may hold a secret (Telegram's bot token is part of the path), so
    /// it is never printed: use [`PlatformApi::shown_url`].
    fn url(&self, call: Call) -> Result<url::Url>;

    /// The URL of `call` as it may appear in a message or a log line (Meta's URLs hold no
    /// secret; Telegram's shows only the bot id).
    fn shown_url(&self, call: Call) -> String {
        self.url(call)
            .map(|u| crate::client::fetch::display_url(&u))
            .unwrap_or_else(|e| format!("(no valid URL: {})", e.message()))
    }

    /// The token for an `Authorization: Bearer` header, when the platform takes it there.
    fn bearer(&self) -> Option<&PageToken>;

    /// The secret to scrub from anything the network sends back.
    fn secret(&self) -> &PageToken;

    /// True when one send can carry the audio's bytes (Messenger, Telegram); false when the
    /// audio must be uploaded first and sent by its id (Instagram, WhatsApp).
    fn sends_files(&self) -> bool;

    /// The upload-only call's body, when the platform has one.
    fn upload_body(&self, file: &AudioFile) -> Option<Built>;

    /// A send's body. `Media::File` is only asked for when [`PlatformApi::sends_files`].
    fn send_body(&self, recipient: &str, media: Media<'_>, options: &SendOptions) -> Built;

    /// The id in a successful upload's answer.
    fn read_upload(&self, answer: &serde_json::Map<String, serde_json::Value>) -> Result<String>;

    /// The result in a successful send's answer (`converted`, `input`, `output` are filled by
    /// the client).
    fn read_send(
        &self,
        answer: &serde_json::Map<String, serde_json::Value>,
        recipient: &str,
    ) -> Result<SendResult>;

    /// An answer that is an error (any status, any body), by the platform's table.
    fn read_error(
        &self,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
        call: Call,
        ctx: SendContext,
    ) -> Failure;

    /// Whether a 2xx JSON object is an error after all (Graph's `{"error": ...}`, Telegram's
    /// `{"ok": false}`).
    fn is_error_answer(&self, answer: &serde_json::Map<String, serde_json::Value>) -> bool {
        answer.contains_key("error")
    }
}

/// Replaces every occurrence of `token` in text that came from the network.
pub(crate) fn redact(text: &str, token: &PageToken) -> String {
    let t = token.expose();
    if t.len() >= 4 && text.contains(t) {
        text.replace(t, "<redacted>")
    } else {
        text.to_owned()
    }
}

/// The start of a response body, for an error message: one line, at most 200 characters,
/// token removed.
pub(crate) fn body_snippet(body: &[u8], token: &PageToken) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return String::new();
    }
    let cut: String = one_line.chars().take(200).collect();
    let more = if one_line.chars().count() > 200 {
        "..."
    } else {
        ""
    };
    format!(": {}{more}", redact(&cut, token))
}

/// A string field of an answer (numbers are taken as their decimal text).
pub(crate) fn string_field(
    map: &serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Option<String> {
    match map.get(key)? {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The error for a successful answer that lacks what a send returns: the note was probably
/// delivered.
pub(crate) fn no_message_id(platform: Platform) -> Error {
    Error::new(
        ErrorCode::ApiError,
        format!(
            "{} answered success but without a message id; the voice note was probably delivered, check the chat before resending.",
            platform.spec().title
        ),
    )
    .with_may_have_been_delivered(true)
}

/// The error for a successful upload answer without an id.
pub(crate) fn no_upload_id(platform: Platform) -> Error {
    Error::new(
        ErrorCode::ApiError,
        format!(
            "{} accepted the upload but returned no {}.",
            platform.spec().title,
            platform.spec().reusable_id
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_facts_agree_with_the_issue() {
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.as_str()), Some(p));
            assert_eq!(Platform::parse(&p.as_str().to_uppercase()), Some(p));
        }
        assert_eq!(Platform::parse(""), Some(Platform::Messenger));
        assert_eq!(Platform::parse("slack"), None);
        assert_eq!(
            PLATFORM_NAMES,
            Platform::ALL.map(Platform::as_str).as_slice()
        );
        let mb = |n: u64| n * 1024 * 1024;
        assert_eq!(Platform::Messenger.spec().max_bytes, mb(25));
        assert_eq!(Platform::Instagram.spec().max_bytes, mb(25));
        assert_eq!(Platform::Whatsapp.spec().max_bytes, mb(16));
        assert_eq!(Platform::Telegram.spec().max_bytes, mb(50));
        assert_eq!(Platform::Messenger.target(), TargetFormat::M4aAac);
        assert_eq!(Platform::Instagram.target(), TargetFormat::M4aAac);
        assert_eq!(Platform::Whatsapp.target(), TargetFormat::OggOpus);
        assert_eq!(Platform::Telegram.target(), TargetFormat::OggOpus);
        let wa = Platform::Whatsapp.spec();
        assert_eq!(wa.fits_inline_player(512 * 1024), Some(true));
        assert_eq!(wa.fits_inline_player(512 * 1024 + 1), Some(false));
        assert_eq!(Platform::Telegram.spec().fits_inline_player(1), None);
        assert_eq!(Platform::Telegram.spec().reuse, Reuse::FirstSend);
        let names: Vec<&str> = session_keys().iter().map(|k| k.name).collect();
        assert_eq!(
            names,
            [
                "page_access_token",
                "access_token",
                "ig_user_id",
                "phone_number_id",
                "bot_token"
            ]
        );
    }
}
