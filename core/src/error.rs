//! One error type for the whole SDK, so that Rust, Python and Node report the same codes.
//!
//! Every failure, from a truncated MP3 to a Graph API `(#10) 2018278` or Telegram's "Forbidden:
//! bot was blocked by the user", becomes an [`Error`] carrying an [`ErrorCode`] whose string
//! form (`invalid_token`, `rate_limited`, ...) is public API shared verbatim by the bindings
//! (`tests/error_codes.json` lists them), plus a message that says what to do. The platform's
//! raw code and text are kept (`platform_code`, `platform_message`; Meta's `graph_*` fields and
//! `fbtrace_id`). Messages are built by Svara, never from the request, so a token cannot leak
//! through them.

use crate::platform::Platform;
use std::fmt;
use std::time::Duration;

/// The stable, documented reason a call failed. The string form is identical in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The platform's token is invalid, expired, revoked or malformed (Graph 190 and its
    /// subcodes, 102, 104; WhatsApp 190, 0; Telegram 401, 404).
    InvalidToken,
    /// No person matches the recipient for this sender (Graph 100/2018001, 100/33; Instagram
    /// 100/2534014; WhatsApp 131026; Telegram "chat not found").
    RecipientNotFound,
    /// The platform refused to deliver to this person: the 24-hour window closed, blocked,
    /// unavailable, thread owned by another app, retired message tag, the sender restricted
    /// (WhatsApp 131047; Telegram "bot was blocked by the user", "can't initiate conversation").
    MessageNotAllowed,
    /// The audio is over the platform's limit (Messenger and Instagram 25 MB, WhatsApp 16 MB,
    /// Telegram 50 MB; checked locally before any upload, and Graph 100/2018109, Telegram 413).
    AudioTooLarge,
    /// The audio could not be obtained: a URL that failed, timed out, redirected too often or
    /// served no audio, an unreadable path, or Meta failing to fetch it (100/2018008, 546).
    AudioFetchFailed,
    /// A rate limit of the platform's (or Svara's client-side limiter) was hit (Graph 4, 17,
    /// 32, 341, 613, 80001, 80002, 80006; WhatsApp 130429, 131056, 80007; Telegram 429).
    RateLimited,
    /// The input is not audio Svara can decode (random bytes, an image, video only, AMR, ...),
    /// or the platform refused the file as not playable (Graph 100/2018047, WhatsApp 131053).
    UnsupportedAudio,
    /// The call itself is malformed: a missing or conflicting argument, an unknown platform,
    /// an invalid option value, or a request Meta rejected as malformed.
    InvalidRequest,
    /// The app may not message this person: app not live, or `pages_messaging` not approved (200 family, 10).
    PermissionDenied,
    /// The platform reported a temporary failure (Graph 1200, 2, `is_transient`, HTTP 5xx) that
    /// outlived the retries, or one that may have delivered the note (then
    /// [`Error::may_have_been_delivered`] is true and it was not retried).
    TemporaryFailure,
    /// The platform's API could not be reached, or the connection failed or timed out.
    /// [`Error::may_have_been_delivered`] says whether the message might still have arrived.
    NetworkError,
    /// The platform returned an error Svara has no specific code for; its code and text are kept.
    ApiError,
}

impl ErrorCode {
    /// Every code, in documentation order.
    pub const ALL: [ErrorCode; 12] = [
        ErrorCode::InvalidToken,
        ErrorCode::RecipientNotFound,
        ErrorCode::MessageNotAllowed,
        ErrorCode::AudioTooLarge,
        ErrorCode::AudioFetchFailed,
        ErrorCode::RateLimited,
        ErrorCode::UnsupportedAudio,
        ErrorCode::InvalidRequest,
        ErrorCode::PermissionDenied,
        ErrorCode::TemporaryFailure,
        ErrorCode::NetworkError,
        ErrorCode::ApiError,
    ];

    /// The public string form, e.g. `"rate_limited"`. Shared verbatim by Python and Node.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::RecipientNotFound => "recipient_not_found",
            ErrorCode::MessageNotAllowed => "message_not_allowed",
            ErrorCode::AudioTooLarge => "audio_too_large",
            ErrorCode::AudioFetchFailed => "audio_fetch_failed",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::UnsupportedAudio => "unsupported_audio",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::PermissionDenied => "permission_denied",
            ErrorCode::TemporaryFailure => "temporary_failure",
            ErrorCode::NetworkError => "network_error",
            ErrorCode::ApiError => "api_error",
        }
    }

    /// Parses the public string form back into a code.
    pub fn from_str_code(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// What the caller should do about it: one sentence, the same in every language (each
    /// platform may say it in its own words: [`Platform::hint`]).
    pub const fn hint(self) -> &'static str {
        match self {
            ErrorCode::InvalidToken => "Generate a new Page access token in your Meta App's Messenger settings and pass it as session.page_access_token (or META_PAGE_TOKEN).",
            ErrorCode::RecipientNotFound => "Use the Page-Scoped ID (PSID) from a webhook event of this same Page; PSIDs differ per Page and app.",
            ErrorCode::MessageNotAllowed => "The person must message the Page first (24-hour window), or send with messaging_type MESSAGE_TAG and a valid tag such as HUMAN_AGENT; blocked people cannot be reached.",
            ErrorCode::AudioTooLarge => "Send a shorter recording or a lower bitrate: Messenger and Instagram accept at most 25 MB (26,214,400 bytes), WhatsApp 16 MB, Telegram 50 MB.",
            ErrorCode::AudioFetchFailed => "Check that the URL is reachable over http(s), answers 200 with audio within the timeout, or that the path exists and is readable.",
            ErrorCode::RateLimited => "Slow down: Meta allows about 10 audio sends per second per Page; wait retry_after seconds before trying again.",
            ErrorCode::UnsupportedAudio => "Send a real audio recording (MP3, M4A/AAC, OGG/Opus, WebM/Opus, WAV, FLAC, ...); run `svara probe FILE` to see what was detected.",
            ErrorCode::InvalidRequest => "Fix the call as the message says; see the README's request reference.",
            ErrorCode::PermissionDenied => "Make the Meta App live and get pages_messaging approved in App Review, or message only the app's admins, developers and testers.",
            ErrorCode::TemporaryFailure => "The platform had a temporary problem; try again in a few minutes (if may_have_been_delivered is true, check the chat first).",
            ErrorCode::NetworkError => "Check connectivity to the Graph API URL; if may_have_been_delivered is true, check the thread before resending to avoid a duplicate.",
            ErrorCode::ApiError => "See platform_code and platform_message (graph_code, graph_subcode and fbtrace_id for Meta) in the platform's error reference, or report them to the platform.",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The fields of Meta's error body (`{"error": {...}}`), kept as received.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct GraphError {
    /// `error.code`.
    pub code: i64,
    /// `error.error_subcode`, when present.
    #[serde(default, rename = "error_subcode")]
    pub subcode: Option<i64>,
    /// `error.type`, e.g. `OAuthException`.
    #[serde(default, rename = "type")]
    pub error_type: Option<String>,
    /// `error.message` as Meta wrote it.
    #[serde(default)]
    pub message: String,
    /// `error.fbtrace_id`, to quote when reporting a problem to Meta.
    #[serde(default)]
    pub fbtrace_id: Option<String>,
    /// `error.is_transient`, when Meta sent it.
    #[serde(default)]
    pub is_transient: Option<bool>,
}

/// An SDK failure: a stable [`ErrorCode`], a message that says what went wrong, and the Graph
/// API's details when Meta produced it.
#[derive(Clone, PartialEq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    http_status: Option<u16>,
    // Boxed: keeps `Result<T, Error>` small (clippy::result_large_err) on the hot audio paths.
    graph: Option<Box<GraphError>>,
    platform: Option<Platform>,
    // Boxed for the same reason as `graph`.
    detail: Option<Box<PlatformDetail>>,
    retry_after: Option<Duration>,
    may_have_been_delivered: bool,
}

/// The platform's own code and text of an error (Graph `error.code` and `error.message`,
/// Telegram `error_code` and `description`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct PlatformDetail {
    code: Option<i64>,
    message: Option<String>,
}

impl Error {
    /// A new error with a code and a message (the message must not contain secrets). The
    /// message is made a full sentence (see [`sentence`]), so that "message hint" reads right
    /// in every language.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: sentence(message.into()),
            http_status: None,
            graph: None,
            platform: None,
            detail: None,
            retry_after: None,
            may_have_been_delivered: false,
        }
    }

    /// Shorthand for an [`ErrorCode::InvalidRequest`] error.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidRequest, message)
    }

    /// Shorthand for an [`ErrorCode::UnsupportedAudio`] error.
    pub fn unsupported_audio(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::UnsupportedAudio, message)
    }

    /// Attaches the HTTP status of the response that produced this error.
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    /// Attaches Meta's error body (its code and message are also the platform's).
    pub fn with_graph(mut self, graph: GraphError) -> Self {
        self.detail = Some(Box::new(PlatformDetail {
            code: Some(graph.code),
            message: Some(graph.message.clone()),
        }));
        self.graph = Some(Box::new(graph));
        self
    }

    /// Attaches the platform's own code and text (already scrubbed of secrets).
    pub fn with_platform_detail(mut self, code: Option<i64>, message: Option<String>) -> Self {
        self.detail = Some(Box::new(PlatformDetail { code, message }));
        self
    }

    /// Says which platform's call produced this error (its hint then speaks of that platform).
    pub fn with_platform(mut self, platform: Platform) -> Self {
        self.platform = Some(platform);
        self
    }

    /// Attaches how long to wait before trying again.
    pub fn with_retry_after(mut self, retry_after: Duration) -> Self {
        self.retry_after = Some(retry_after);
        self
    }

    /// Marks a network failure that happened after the request was sent.
    pub fn with_may_have_been_delivered(mut self, may: bool) -> Self {
        self.may_have_been_delivered = may;
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// What went wrong, without the hint.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to do about it (see [`ErrorCode::hint`]; the platform's own words when the error
    /// came from a platform's call, [`Platform::hint`]).
    pub fn hint(&self) -> &'static str {
        match self.platform {
            Some(p) => p.hint(self.code),
            None => self.code.hint(),
        }
    }

    /// The platform whose call produced this error, when one did.
    pub fn platform(&self) -> Option<Platform> {
        self.platform
    }

    /// The platform's own error code (Graph `error.code`, WhatsApp's code, Telegram's
    /// `error_code`).
    pub fn platform_code(&self) -> Option<i64> {
        self.detail.as_ref().and_then(|d| d.code)
    }

    /// The platform's own error text (Graph `error.message`, Telegram's `description`),
    /// scrubbed of the token.
    pub fn platform_message(&self) -> Option<&str> {
        self.detail.as_ref().and_then(|d| d.message.as_deref())
    }

    /// HTTP status of the Graph response, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// Meta's error body, when Meta produced this error.
    pub fn graph(&self) -> Option<&GraphError> {
        self.graph.as_deref()
    }

    /// Meta's `error.code`.
    pub fn graph_code(&self) -> Option<i64> {
        self.graph.as_ref().map(|g| g.code)
    }

    /// Meta's `error.error_subcode`.
    pub fn graph_subcode(&self) -> Option<i64> {
        self.graph.as_ref().and_then(|g| g.subcode)
    }

    /// Meta's `error.fbtrace_id`.
    pub fn fbtrace_id(&self) -> Option<&str> {
        self.graph.as_ref().and_then(|g| g.fbtrace_id.as_deref())
    }

    /// Meta's `error.is_transient`.
    pub fn is_transient(&self) -> Option<bool> {
        self.graph.as_ref().and_then(|g| g.is_transient)
    }

    /// How long to wait before trying again, when known.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// For [`ErrorCode::NetworkError`]: true when the request had been sent, so the voice note
    /// may have been delivered and resending risks a duplicate.
    pub fn may_have_been_delivered(&self) -> bool {
        self.may_have_been_delivered
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("code", &self.code.as_str())
            .field("message", &self.message)
            .field("http_status", &self.http_status)
            .field("platform", &self.platform)
            .field("platform_code", &self.platform_code())
            .field("graph", &self.graph)
            .field("retry_after", &self.retry_after)
            .field("may_have_been_delivered", &self.may_have_been_delivered)
            .finish()
    }
}

impl std::error::Error for Error {}

/// The one wire shape of an error, used by every front end and the server:
/// `{"code", "message", "hint", "http_status", "platform", "platform_code",
/// "platform_message", "graph_code", "graph_subcode", "graph_type", "graph_message",
/// "fbtrace_id", "is_transient", "retry_after", "may_have_been_delivered"}`.
/// Absent values are `null`; `retry_after` is in seconds. Nothing in it comes from the
/// request, so it carries no secret (`platform_message` and `graph_message` are the platform's
/// text with the token removed).
/// The Python exceptions and the Node `SvaraError`s take their attributes from it.
impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let graph = self.graph.as_deref();
        let mut s = serializer.serialize_struct("Error", 15)?;
        s.serialize_field("code", self.code.as_str())?;
        s.serialize_field("message", &self.message)?;
        s.serialize_field("hint", self.hint())?;
        s.serialize_field("http_status", &self.http_status)?;
        s.serialize_field("platform", &self.platform.map(Platform::as_str))?;
        s.serialize_field("platform_code", &self.platform_code())?;
        s.serialize_field("platform_message", &self.platform_message())?;
        s.serialize_field("graph_code", &graph.map(|g| g.code))?;
        s.serialize_field("graph_subcode", &graph.and_then(|g| g.subcode))?;
        s.serialize_field("graph_type", &graph.and_then(|g| g.error_type.as_deref()))?;
        s.serialize_field("graph_message", &graph.map(|g| g.message.as_str()))?;
        s.serialize_field("fbtrace_id", &self.fbtrace_id())?;
        s.serialize_field("is_transient", &self.is_transient())?;
        s.serialize_field("retry_after", &self.retry_after.map(|d| d.as_secs_f64()))?;
        s.serialize_field("may_have_been_delivered", &self.may_have_been_delivered)?;
        s.end()
    }
}

/// `text` as a full sentence: a capital first letter unless it starts with a name from the
/// code (a field such as `recipient`, `snake_case`, `--flag`, a quoted value), and a full stop
/// unless it ends with one (or `?`, `!`).
pub fn sentence(text: String) -> String {
    let trimmed = text.trim();
    let mut out = String::with_capacity(trimmed.len() + 1);
    let first_word: &str = trimmed
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    let is_code_name = first_word.contains('_')
        || crate::request::fields::field_named(first_word).is_some()
        || first_word.chars().any(|c| c.is_ascii_digit());
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(c) if c.is_lowercase() && !is_code_name => {
            out.extend(c.to_uppercase());
            out.push_str(chars.as_str());
        }
        _ => out.push_str(trimmed),
    }
    if !out.is_empty() && !out.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

/// The SDK's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_shared_list() {
        let json = include_str!("../../tests/error_codes.json");
        let listed: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(json).expect("tests/error_codes.json parses");
        let ours: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        let theirs: Vec<&str> = listed.keys().map(String::as_str).collect();
        let mut a = ours.clone();
        let mut b = theirs.clone();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_str_code(code.as_str()), Some(code));
            assert!(code.hint().ends_with('.'), "{code} hint is a sentence");
        }
    }

    #[test]
    fn serializes_to_the_wire_shape() {
        let e = Error::new(ErrorCode::RateLimited, "Too fast.")
            .with_http_status(400)
            .with_retry_after(Duration::from_millis(1500))
            .with_graph(GraphError {
                code: 613,
                subcode: None,
                error_type: Some("OAuthException".into()),
                message: "Calls to this api have exceeded the rate limit.".into(),
                fbtrace_id: Some("AbCdEfGhIjK".into()),
                is_transient: Some(true),
            });
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "code": "rate_limited",
                "message": "Too fast.",
                "hint": ErrorCode::RateLimited.hint(),
                "http_status": 400,
                "platform": null,
                "platform_code": 613,
                "platform_message": "Calls to this api have exceeded the rate limit.",
                "graph_code": 613,
                "graph_subcode": null,
                "graph_type": "OAuthException",
                "graph_message": "Calls to this api have exceeded the rate limit.",
                "fbtrace_id": "AbCdEfGhIjK",
                "is_transient": true,
                "retry_after": 1.5,
                "may_have_been_delivered": false,
            })
        );
    }

    #[test]
    fn display_is_code_and_message() {
        let e = Error::new(ErrorCode::RateLimited, "too fast").with_http_status(400);
        assert_eq!(e.to_string(), "rate_limited: Too fast.");
        assert_eq!(e.http_status(), Some(400));
    }

    #[test]
    fn messages_are_sentences() {
        let s = |t: &str| sentence(t.to_owned());
        assert_eq!(
            s("the recording is 9 bytes; it was not decoded"),
            "The recording is 9 bytes; it was not decoded."
        );
        assert_eq!(
            s("recipient is empty: pass a PSID."),
            "recipient is empty: pass a PSID."
        );
        assert_eq!(
            s("max_retries 99 is too many"),
            "max_retries 99 is too many."
        );
        assert_eq!(
            s("--max-duration must be positive"),
            "--max-duration must be positive."
        );
        assert_eq!(s("Is it?"), "Is it?");
        assert_eq!(s(""), "");
    }
}
