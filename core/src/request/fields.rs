//! The one table of request fields. Every front end reads it instead of spelling the fields
//! again: the Python and Node packages convert and check their arguments by a field's
//! [`Kind`] and accept a key only where its [`Scope`] belongs to the call ([`Operation`]); the
//! Python and TypeScript types and the README's request reference are generated from it
//! (`core/tests/generated_from_fields.rs` checks that they are current).
//!
//! Adding a field is a row here, the struct field in [`super::SendRequest`], and the code that
//! uses it.

use super::limits::{self, Limit};

/// What kind of value a field takes; the bindings convert their language's values by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text.
    Text,
    /// One of a few words (case-insensitive), e.g. `RESPONSE`.
    Choice(&'static [&'static str]),
    /// A recipient id: a PSID, an IGSID, a phone number or a chat id, as a string (Python also
    /// takes an `int`).
    Psid,
    /// A secret string: never echoed in a message.
    Secret,
    /// The platform's credentials: an object of the session keys of
    /// [`crate::platform::session_keys`] (`{"page_access_token": TOKEN}`, `{"bot_token": ...}`).
    Session,
    /// An http(s) URL (Node also takes a `URL`).
    Url,
    /// A local file path (Python also takes `os.PathLike`, Node a `file:` URL).
    Path,
    /// The recording's bytes (they travel beside the JSON body, never in it).
    Bytes,
    /// A whole number, 0 or more.
    Integer,
    /// A number of seconds (Python also takes a `timedelta`).
    Seconds,
    /// A positive number.
    Number,
    /// `true` or `false`.
    Flag,
}

impl Kind {
    /// The kind's name as the bindings see it: `text`, `choice`, `psid`, `secret`, `session`,
    /// `url`, `path`, `bytes`, `integer`, `seconds`, `number`, `flag`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Choice(_) => "choice",
            Kind::Psid => "psid",
            Kind::Secret => "secret",
            Kind::Session => "session",
            Kind::Url => "url",
            Kind::Path => "path",
            Kind::Bytes => "bytes",
            Kind::Integer => "integer",
            Kind::Seconds => "seconds",
            Kind::Number => "number",
            Kind::Flag => "flag",
        }
    }

    /// The words of a [`Kind::Choice`], empty otherwise.
    pub const fn choices(self) -> &'static [&'static str] {
        match self {
            Kind::Choice(c) => c,
            _ => &[],
        }
    }
}

/// Which part of a call a field belongs to. A call ([`Operation`]) takes the fields of its scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Which platform: `platform` (a client is for one platform).
    Platform,
    /// Who gets the note: `recipient`.
    Recipient,
    /// `session`, the platform credentials of a one-off send.
    Session,
    /// Where the recording comes from: `audio_url`, `audio_path`, `audio`.
    Audio,
    /// How a recording that is not already in the platform's format is converted.
    Conversion,
    /// Which voice-note format the audio engine alone (`transcode`) makes; a send makes the
    /// platform's.
    Target,
    /// How each message is sent (also for every recipient of a broadcast).
    Message,
    /// Options only a single send has (a broadcast always uses one reusable upload).
    SingleSend,
    /// Where and how patiently the Graph API is called.
    Connection,
    /// Options of a long-lived client: its token, pool and pace.
    Client,
}

impl Scope {
    /// Every scope, in the order the documentation lists them.
    pub const ALL: [Scope; 10] = [
        Scope::Platform,
        Scope::Recipient,
        Scope::Session,
        Scope::Audio,
        Scope::Conversion,
        Scope::Target,
        Scope::Message,
        Scope::SingleSend,
        Scope::Connection,
        Scope::Client,
    ];

    /// The scope's name as the bindings see it, e.g. `single_send`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::Platform => "platform",
            Scope::Recipient => "recipient",
            Scope::Session => "session",
            Scope::Audio => "audio",
            Scope::Conversion => "conversion",
            Scope::Target => "target",
            Scope::Message => "message",
            Scope::SingleSend => "single_send",
            Scope::Connection => "connection",
            Scope::Client => "client",
        }
    }
}

/// A call of the public API, and the scopes whose fields it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `send(...)`: one voice note, the whole documented body.
    Send,
    /// `Client(...)`: a configured client.
    ClientNew,
    /// `client.send(...)`.
    ClientSend,
    /// `client.upload(...)`: a reusable attachment.
    Upload,
    /// `client.send_many(recipients, ...)`.
    SendMany,
    /// `transcode(...)`: the audio engine alone.
    Transcode,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 6] = [
        Operation::Send,
        Operation::ClientNew,
        Operation::ClientSend,
        Operation::Upload,
        Operation::SendMany,
        Operation::Transcode,
    ];

    /// The operation's name as the bindings see it: `send`, `client`, `client_send`, `upload`,
    /// `send_many`, `transcode`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Operation::Send => "send",
            Operation::ClientNew => "client",
            Operation::ClientSend => "client_send",
            Operation::Upload => "upload",
            Operation::SendMany => "send_many",
            Operation::Transcode => "transcode",
        }
    }

    /// What a message calls the operation's arguments: "send request", "client.send() call", ...
    pub const fn describe(self) -> &'static str {
        match self {
            Operation::Send => "send request",
            Operation::ClientNew => "set of client options",
            Operation::ClientSend => "client.send() call",
            Operation::Upload => "client.upload() call",
            Operation::SendMany => "client.send_many() call",
            Operation::Transcode => "transcode() call",
        }
    }

    /// Parses [`Operation::as_str`].
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|o| o.as_str() == name)
    }

    /// The scopes whose fields this operation takes.
    pub const fn scopes(self) -> &'static [Scope] {
        use Scope::*;
        match self {
            Operation::Send => &[
                Platform, Recipient, Session, Audio, Conversion, Message, SingleSend, Connection,
            ],
            Operation::ClientNew => &[Platform, Session, Connection, Client],
            Operation::ClientSend => &[Platform, Recipient, Audio, Conversion, Message, SingleSend],
            Operation::Upload => &[Audio, Conversion],
            Operation::SendMany => &[Audio, Conversion, Message],
            Operation::Transcode => &[Conversion, Target],
        }
    }

    /// True when this operation takes `field`.
    pub fn takes(self, field: &Field) -> bool {
        self.scopes().contains(&field.scope)
    }

    /// The fields this operation takes, in table order.
    pub fn fields(self) -> impl Iterator<Item = &'static Field> {
        FIELDS.iter().filter(move |f| self.takes(f))
    }
}

/// One request field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    /// The documented snake_case name, the same in every language and in the HTTP API.
    pub name: &'static str,
    /// What it takes.
    pub kind: Kind,
    /// Which part of a call it belongs to.
    pub scope: Scope,
    /// What it is, as a phrase that completes "`name` must be ..." in a fix-it message.
    pub description: &'static str,
    /// The allowed range of a number, when it has one.
    pub limit: Option<&'static Limit>,
    /// The platforms it applies to; empty: every platform.
    pub platforms: &'static [&'static str],
    /// Required where its scope is taken (the recipient).
    pub required: bool,
}

const fn field(name: &'static str, kind: Kind, scope: Scope, description: &'static str) -> Field {
    Field {
        name,
        kind,
        scope,
        description,
        limit: None,
        platforms: &[],
        required: false,
    }
}

const fn ranged(
    name: &'static str,
    kind: Kind,
    scope: Scope,
    description: &'static str,
    limit: &'static Limit,
) -> Field {
    Field {
        limit: Some(limit),
        ..field(name, kind, scope, description)
    }
}

/// Platforms Svara can send to.
pub const SUPPORTED_PLATFORMS: &[&str] = crate::platform::PLATFORM_NAMES;

/// `format`'s words: the audio engine's targets.
pub const FORMATS: &[&str] = &["m4a-aac", "ogg-opus"];

/// The Meta platforms (the Graph API's options).
const META: &[&str] = &["messenger", "instagram", "whatsapp"];
/// The platforms of Meta's Send API shapes (`messaging_type`, tags, Page ids).
const SEND_API: &[&str] = &["messenger", "instagram"];

/// `messaging_type`'s words.
pub const MESSAGING_TYPES: &[&str] = &["RESPONSE", "UPDATE", "MESSAGE_TAG"];

/// `notification_type`'s words.
pub const NOTIFICATION_TYPES: &[&str] = &["REGULAR", "SILENT_PUSH", "NO_PUSH"];

use Kind::*;
use Scope as S;

/// Every field of the documented request and of the client options.
#[rustfmt::skip]
pub const FIELDS: &[Field] = &[
    field("platform", Choice(SUPPORTED_PLATFORMS), S::Platform, "the platform to send to: \"messenger\" (the default), \"instagram\", \"whatsapp\" or \"telegram\""),
    Field { required: true, ..field("recipient", Psid, S::Recipient, "who gets the note: a Messenger PSID (e.g. \"6128493027184956\"), an Instagram IGSID, a WhatsApp phone number or wa_id, or a Telegram chat_id") },
    field("session", Session, S::Session, "the platform credentials: messenger { page_access_token } (META_PAGE_TOKEN), instagram { access_token, ig_user_id } (INSTAGRAM_ACCESS_TOKEN) or { page_access_token }, whatsapp { access_token, phone_number_id } (WHATSAPP_ACCESS_TOKEN), telegram { bot_token } (TELEGRAM_BOT_TOKEN)"),
    field("audio_url", Url, S::Audio, "an http(s) URL of the recording (downloaded by the SDK, at most 25 MB; 50 MB for telegram)"),
    field("audio_path", Path, S::Audio, "a local file path of the recording"),
    field("audio", Bytes, S::Audio, "the recording's bytes"),
    ranged("bitrate", Integer, S::Conversion, "the bitrate of converted audio in bits per second (AAC: 8000 to 320000, default 64000; Opus: 6000 to 256000, default 32000)", &limits::BITRATE),
    Field { platforms: SEND_API, ..field("keep_stereo", Flag, S::Conversion, "true to keep stereo recordings stereo in M4A/AAC (voice notes are mono by default; Opus notes are always mono)") },
    field("fast_encode", Flag, S::Conversion, "true to encode faster at slightly lower quality where that pays (AAC below 2 bits per sample, Opus)"),
    ranged("max_duration", Seconds, S::Conversion, "the longest recording to accept, in seconds", &limits::MAX_DURATION_SECONDS),
    ranged("max_duration_ms", Integer, S::Conversion, "the longest recording to accept, in milliseconds", &limits::MAX_DURATION_MS),
    field("format", Choice(FORMATS), S::Target, "the voice-note format to make: m4a-aac (Messenger, Instagram; the default) or ogg-opus (WhatsApp, Telegram)"),
    field("attachment_id", Text, S::Message, "the reusable id of an earlier upload (a Messenger or Instagram attachment_id, a WhatsApp media id, a Telegram file_id), sent instead of audio"),
    Field { platforms: SEND_API, ..field("messaging_type", Choice(MESSAGING_TYPES), S::Message, "RESPONSE, UPDATE or MESSAGE_TAG (with a tag)") },
    Field { platforms: SEND_API, ..field("tag", Text, S::Message, "a message tag such as \"HUMAN_AGENT\" (with messaging_type MESSAGE_TAG)") },
    Field { platforms: &["messenger"], ..field("notification_type", Choice(NOTIFICATION_TYPES), S::Message, "REGULAR, SILENT_PUSH or NO_PUSH") },
    Field { platforms: &["telegram"], ..ranged("caption", Text, S::Message, "a text shown under the voice note", &limits::CAPTION_CHARS) },
    field("reusable", Flag, S::SingleSend, "true to ask for a reusable attachment_id (Instagram, WhatsApp and Telegram always return one)"),
    Field { platforms: META, ..field("graph_url", Url, S::Connection, "the Graph API base URL, e.g. \"https://graph.facebook.com\" (SVARA_GRAPH_URL when absent; Instagram Login defaults to https://graph.instagram.com)") },
    Field { platforms: &["telegram"], ..field("telegram_url", Url, S::Connection, "the Bot API base URL, e.g. \"https://api.telegram.org\" (SVARA_TELEGRAM_URL when absent)") },
    Field { platforms: META, ..field("api_version", Text, S::Connection, "a Graph API version such as \"v25.0\"") },
    Field { platforms: META, ..field("app_secret", Secret, S::Connection, "your Meta App secret, to sign every call with appsecret_proof") },
    Field { platforms: SEND_API, ..field("page_id", Text, S::Connection, "the Page's numeric id, to call /{page-id}/messages instead of /me/messages") },
    ranged("timeout", Seconds, S::Connection, "the whole-request timeout of the platform's calls in seconds", &limits::TIMEOUT_SECONDS),
    ranged("timeout_ms", Integer, S::Connection, "the whole-request timeout of the platform's calls in milliseconds", &limits::TIMEOUT_MS),
    ranged("max_retries", Integer, S::Connection, "the number of automatic retries of calls that certainly were not accepted", &limits::MAX_RETRIES),
    Field { platforms: SEND_API, ..field("page_access_token", Secret, S::Client, "your Page access token (the same as session.page_access_token)") },
    ranged("sends_per_second", Number, S::Client, "the client-side pace of sends per sender (default 10 per Page or Instagram account, 80 per WhatsApp number, 30 per Telegram bot)", &limits::SENDS_PER_SECOND),
    ranged("concurrency", Integer, S::Client, "the number of sends in flight during send_many", &limits::CONCURRENCY),
    field("user_agent", Text, S::Client, "the User-Agent header of the platform's calls"),
];

/// The field of this name.
pub fn field_named(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// A `snake_case` key for a `camelCase` or mistyped one: the field it most likely meant
/// (same name once snake-cased, or at most two edits away), for "did you mean" messages.
pub fn suggest(key: &str, among: impl IntoIterator<Item = &'static Field>) -> Option<&'static str> {
    let mut snake = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            snake.push('_');
            snake.push(c.to_ascii_lowercase());
        } else {
            snake.push(c);
        }
    }
    let mut best: Option<(&'static str, usize)> = None;
    for f in among {
        let d = edit_distance(&snake, f.name);
        if d <= 2 && best.is_none_or(|(_, b)| d < b) {
            best = Some((f.name, d));
        }
    }
    best.map(|(name, _)| name)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (row[j] + 1).min(cur + 1).min(prev + usize::from(ca != *cb));
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case_and_described() {
        let mut names: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FIELDS.len(), "a field is listed twice");
        for f in FIELDS {
            assert!(
                f.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{}",
                f.name
            );
            assert!(
                !f.description.ends_with('.'),
                "{}: a phrase, not a sentence",
                f.name
            );
            assert!(
                Operation::ALL.iter().any(|o| o.takes(f)),
                "{} is taken by no operation",
                f.name
            );
        }
    }

    #[test]
    fn operations_take_their_scopes() {
        let names = |op: Operation| op.fields().map(|f| f.name).collect::<Vec<_>>();
        assert_eq!(
            names(Operation::Upload),
            [
                "audio_url",
                "audio_path",
                "audio",
                "bitrate",
                "keep_stereo",
                "fast_encode",
                "max_duration",
                "max_duration_ms"
            ]
        );
        assert!(!names(Operation::SendMany).contains(&"reusable"));
        assert!(!names(Operation::ClientSend).contains(&"graph_url"));
        assert!(names(Operation::ClientNew).contains(&"page_access_token"));
        assert!(!names(Operation::Send).contains(&"page_access_token"));
        assert_eq!(Operation::from_name("send_many"), Some(Operation::SendMany));
        assert_eq!(names(Operation::Transcode).last(), Some(&"format"));
        assert!(!names(Operation::Send).contains(&"format"));
        assert!(names(Operation::ClientNew).contains(&"platform"));
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("audio_ulr", FIELDS), Some("audio_url"));
        assert_eq!(suggest("audioPath", FIELDS), Some("audio_path"));
        assert_eq!(suggest("bitrat", FIELDS), Some("bitrate"));
        assert_eq!(suggest("zzzzzzzz", FIELDS), None);
    }
}
