//! The documented request as one Rust type, owned by the core: `{platform, recipient,
//! audio_url, session: {...}}` plus every option by its documented name. The session's keys
//! are each platform's ([`crate::platform::PlatformSpec::session`]): messenger
//! `{page_access_token}`, instagram `{access_token, ig_user_id}` or `{page_access_token}`,
//! whatsapp `{access_token, phone_number_id}`, telegram `{bot_token}`.
//!
//! - [`fields`]: the one table of fields ([`FIELDS`]) the bindings, their types and the README
//!   are built from;
//! - [`limits`]: the one table of ranges;
//! - `validate`: what a request means (one audio source, a known platform, ranges), with
//!   messages that say how to fix the call.
//!
//! Every front end ends here: the Python and Node packages hand over their arguments as JSON
//! ([`SendRequest::parse_json`]), the server reads HTTP bodies with [`SendRequest::from_json`].

pub mod fields;
pub mod limits;
mod validate;

pub use fields::{
    Field, Kind, Operation, Scope, FIELDS, FORMATS, MESSAGING_TYPES, NOTIFICATION_TYPES,
    SUPPORTED_PLATFORMS,
};
pub(crate) use validate::{check_attachment_id, check_options};
pub use validate::{check_key, check_recipient, check_recipient_on};

use crate::error::{Error, Result};
use crate::secret::{AppSecret, PageToken};
use crate::SendResult;
use serde::{Deserialize, Deserializer};
use std::path::PathBuf;

/// `session` of the documented body: the platform credentials of one send. Which keys a
/// platform takes (and which environment variables stand in for absent tokens) is the
/// platform's ([`crate::platform::PlatformSpec::session`]); a key of another platform is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Session {
    /// Messenger, and Instagram with Facebook Login: the Page access token
    /// (`META_PAGE_TOKEN` for Messenger when absent).
    pub page_access_token: Option<PageToken>,
    /// Instagram with Instagram Login (`INSTAGRAM_ACCESS_TOKEN`), WhatsApp
    /// (`WHATSAPP_ACCESS_TOKEN`): the access token.
    pub access_token: Option<PageToken>,
    /// Instagram with Instagram Login: the professional account's id (`/me` when absent).
    pub ig_user_id: Option<String>,
    /// WhatsApp: the business phone number's id.
    pub phone_number_id: Option<String>,
    /// Telegram: the bot token (`TELEGRAM_BOT_TOKEN` when absent).
    pub bot_token: Option<PageToken>,
}

impl Session {
    /// The keys that were given, in the order of the table.
    pub fn given(&self) -> Vec<&'static str> {
        let set = [
            ("page_access_token", self.page_access_token.is_some()),
            ("access_token", self.access_token.is_some()),
            ("ig_user_id", self.ig_user_id.is_some()),
            ("phone_number_id", self.phone_number_id.is_some()),
            ("bot_token", self.bot_token.is_some()),
        ];
        set.iter().filter(|(_, on)| *on).map(|(k, _)| *k).collect()
    }
}

/// The recording's bytes inside a request; `Debug` shows only their length.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct AudioBytes(pub Vec<u8>);

impl std::fmt::Debug for AudioBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

impl From<Vec<u8>> for AudioBytes {
    fn from(v: Vec<u8>) -> Self {
        AudioBytes(v)
    }
}

/// One voice note, as documented: exactly one of `audio_url`, `audio_path`, `audio` (bytes) or
/// `attachment_id`, and every option of [`FIELDS`] by its documented name. Unknown keys are
/// refused (a typo must not be ignored silently). `Debug` never shows a secret or the bytes.
///
/// The field docs are one line each; [`FIELDS`] says what each takes and where.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SendRequest {
    /// `"messenger"` (the default; empty means not given, i.e. the default, or a client's
    /// own platform), `"instagram"`, `"whatsapp"` or `"telegram"`.
    pub platform: String,
    /// Who gets the note: a PSID, an IGSID, a phone number, a chat id (a JSON number is taken
    /// too).
    #[serde(deserialize_with = "psid")]
    pub recipient: String,
    /// The platform's credentials.
    pub session: Session,
    /// An http(s) URL of the recording.
    pub audio_url: Option<String>,
    /// A local file.
    pub audio_path: Option<PathBuf>,
    /// The recording's bytes.
    pub audio: Option<AudioBytes>,
    /// AAC bitrate of converted audio.
    pub bitrate: Option<u32>,
    /// Keep stereo input stereo.
    pub keep_stereo: Option<bool>,
    /// Encode faster for a little less quality.
    pub fast_encode: Option<bool>,
    /// The voice-note format `transcode` makes (`m4a-aac` or `ogg-opus`).
    pub format: Option<String>,
    /// Refuse recordings longer than this many seconds.
    pub max_duration: Option<f64>,
    /// The same in milliseconds.
    pub max_duration_ms: Option<u64>,
    /// An attachment id from an earlier upload.
    pub attachment_id: Option<String>,
    /// `RESPONSE` (default), `UPDATE` or `MESSAGE_TAG`.
    pub messaging_type: Option<String>,
    /// Message tag, with `MESSAGE_TAG` (e.g. `HUMAN_AGENT`).
    pub tag: Option<String>,
    /// `REGULAR`, `SILENT_PUSH` or `NO_PUSH`.
    pub notification_type: Option<String>,
    /// A caption under the note (Telegram only).
    pub caption: Option<String>,
    /// Ask Meta for a reusable `attachment_id`.
    pub reusable: Option<bool>,
    /// Graph base URL (default `https://graph.facebook.com`, or `SVARA_GRAPH_URL`).
    pub graph_url: Option<String>,
    /// Bot API base URL (default `https://api.telegram.org`, or `SVARA_TELEGRAM_URL`).
    pub telegram_url: Option<String>,
    /// Graph version (default `v25.0`).
    pub api_version: Option<String>,
    /// App secret, for `appsecret_proof`.
    pub app_secret: Option<AppSecret>,
    /// Page id (`/{page-id}/messages` instead of `/me/messages`).
    pub page_id: Option<String>,
    /// Whole-request timeout of Graph calls, in seconds.
    pub timeout: Option<f64>,
    /// The same in milliseconds.
    pub timeout_ms: Option<u64>,
    /// Automatic retries.
    pub max_retries: Option<u32>,
    /// A client's token (the same as `session.page_access_token`).
    pub page_access_token: Option<PageToken>,
    /// A client's pace of audio sends per second.
    pub sends_per_second: Option<f64>,
    /// A client's sends in flight during `send_many`.
    pub concurrency: Option<u32>,
    /// A client's User-Agent header.
    pub user_agent: Option<String>,
}

/// A recipient given as a string or as a JSON number (kept exact: serde reads it as an
/// integer; Telegram's group chat ids are negative).
fn psid<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Psid {
        Text(String),
        Number(u64),
        Negative(i64),
    }
    Ok(match Psid::deserialize(d)? {
        Psid::Text(s) => s,
        Psid::Number(n) => n.to_string(),
        Psid::Negative(n) => n.to_string(),
    })
}

const EXPECTED: &str = "Expected {\"platform\": \"messenger\", \"recipient\": PSID, \"audio_url\": URL, \"session\": {\"page_access_token\": TOKEN}} (instagram: session {\"access_token\", \"ig_user_id\"}; whatsapp: {\"access_token\", \"phone_number_id\"}; telegram: {\"bot_token\"}).";

impl SendRequest {
    /// Reads a request from its JSON form (the documented body of `POST /v1/send`).
    pub fn from_json(json: &str) -> Result<SendRequest> {
        SendRequest::parse_json(Operation::Send, json)
    }

    /// Reads the JSON arguments of `operation`: keys the operation does not take are refused
    /// with a message naming where they belong.
    pub fn parse_json(operation: Operation, json: &str) -> Result<SendRequest> {
        let value = serde_json::from_str(json).map_err(|e| {
            Error::invalid_request(format!(
                "The request is not valid JSON ({}). {EXPECTED}",
                validate::scrub_quoted(&e.to_string())
            ))
        })?;
        SendRequest::from_value(operation, value)
    }

    /// Reads the arguments of `operation` from a JSON value.
    pub fn from_value(operation: Operation, value: serde_json::Value) -> Result<SendRequest> {
        let serde_json::Value::Object(map) = &value else {
            return Err(Error::invalid_request(format!(
                "The request must be a JSON object. {EXPECTED}"
            )));
        };
        for key in map.keys() {
            check_key(operation, key)?;
        }
        serde_json::from_value(value).map_err(|e| {
            Error::invalid_request(format!(
                "The request is not a valid {}: {}. {EXPECTED}",
                operation.describe(),
                validate::scrub_quoted(&e.to_string())
            ))
        })
    }
}

/// Sends one voice note as described by the documented request body.
///
/// ```no_run
/// # async fn demo() -> svara::Result<()> {
/// let request = svara::SendRequest::from_json(r#"{
///     "platform": "messenger",
///     "recipient": "6128493027184956",
///     "audio_url": "https://cdn.example.com/notes/update.m4a",
///     "session": {"page_access_token": "EAAB..."}
/// }"#)?;
/// let result = svara::send(request).await?;
/// println!("Voice note sent: {}", result.id);
/// # Ok(()) }
/// ```
pub async fn send(request: SendRequest) -> Result<SendResult> {
    request.validate()?;
    let client = request.client_builder()?.build()?;
    client.send_request(request).await
}

/// A valid request for the unit tests to vary.
#[cfg(test)]
pub(crate) fn example() -> SendRequest {
    SendRequest {
        recipient: "61".into(),
        audio_url: Some("https://x/y.m4a".into()),
        session: Session {
            page_access_token: Some(PageToken::new("EAAtok")),
            ..Session::default()
        },
        ..SendRequest::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::AudioSource;

    fn base() -> SendRequest {
        example()
    }

    #[test]
    fn documented_body_parses_and_validates() {
        let r = SendRequest::from_json(
            r#"{"platform":"messenger","recipient":"61","audio_url":"https://x/y.m4a","session":{"page_access_token":"EAAtok"}}"#,
        )
        .unwrap();
        assert!(matches!(r.audio_source().unwrap(), AudioSource::Url(_)));
        assert!(!format!("{r:?}").contains("EAAtok"));
        r.validate().unwrap();
        let numeric = SendRequest::from_json(r#"{"recipient":6128493027184956}"#).unwrap();
        assert_eq!(numeric.recipient, "6128493027184956");
        assert_eq!(numeric.platform().unwrap(), crate::Platform::Messenger);
    }

    #[test]
    fn bad_requests_say_how_to_fix_them() {
        let slack = SendRequest {
            platform: "slack".into(),
            ..base()
        };
        let e = slack.validate().unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRequest);
        assert!(
            e.message()
                .contains("messenger, instagram, whatsapp, telegram"),
            "{e}"
        );
        let whatsapp = SendRequest {
            platform: "whatsapp".into(),
            ..base()
        };
        let e = whatsapp.validate().unwrap_err();
        assert!(
            e.message()
                .contains("session.page_access_token is not used on whatsapp"),
            "{e}"
        );
        let two = SendRequest {
            audio: Some(vec![1].into()),
            ..base()
        };
        assert!(two
            .validate()
            .unwrap_err()
            .message()
            .contains("audio_url, audio"));
        let none = SendRequest {
            audio_url: None,
            ..base()
        };
        assert!(none
            .validate()
            .unwrap_err()
            .message()
            .contains("exactly one"));
        let blank = SendRequest {
            recipient: " ".into(),
            ..base()
        };
        assert!(blank.validate().unwrap_err().message().contains("PSID"));
        let tag = SendRequest {
            messaging_type: Some("MESSAGE_TAG".into()),
            ..base()
        };
        assert!(tag
            .validate()
            .unwrap_err()
            .message()
            .contains("HUMAN_AGENT"));
        let leaked = SendRequest::from_json(r#"{"session":"EAAsecretvalue"}"#).unwrap_err();
        assert!(!leaked.message().contains("EAAsecretvalue"), "{leaked}");
        let typo = SendRequest::from_json(r#"{"audio_ulr":"x"}"#).unwrap_err();
        assert!(typo.message().contains("audio_ulr"), "{typo}");
        assert!(
            typo.message().contains("did you mean \"audio_url\""),
            "{typo}"
        );
        let secret_key = SendRequest::from_json(r#"{"EAAsecretKEY": 1}"#).unwrap_err();
        assert!(
            !secret_key.message().contains("EAAsecretKEY"),
            "{secret_key}"
        );
        let misplaced = SendRequest::from_json(r#"{"sends_per_second": 3}"#).unwrap_err();
        assert!(misplaced.message().contains("client"), "{misplaced}");
    }

    #[test]
    fn debug_names_every_field_of_the_table_and_no_other() {
        // `SendRequest`'s derived Debug lists its fields; they must be exactly FIELDS.
        let debug = format!("{:?}", SendRequest::default());
        let inner = debug
            .trim_start_matches("SendRequest { ")
            .trim_end_matches(" }");
        let mut names: Vec<&str> = Vec::new();
        let mut depth = 0i32;
        let mut start = 0usize;
        for (i, c) in inner.char_indices() {
            match c {
                '{' | '(' | '[' => depth += 1,
                '}' | ')' | ']' => depth -= 1,
                ':' if depth == 0
                    && inner[start..i]
                        .trim()
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_') =>
                {
                    names.push(inner[start..i].trim());
                }
                ',' if depth == 0 => start = i + 1,
                _ => {}
            }
        }
        let mut ours: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
        names.sort_unstable();
        ours.sort_unstable();
        assert_eq!(names, ours);
    }

    #[test]
    fn every_field_parses_where_its_operation_takes_it() {
        for op in Operation::ALL {
            for f in op.fields() {
                let sample = match f.kind {
                    Kind::Text | Kind::Secret | Kind::Url | Kind::Path | Kind::Psid => {
                        serde_json::json!("x")
                    }
                    Kind::Choice(c) => serde_json::json!(c[0]),
                    Kind::Session => serde_json::json!({"page_access_token": "t"}),
                    Kind::Bytes => serde_json::json!([1, 2]),
                    Kind::Integer => serde_json::json!(1),
                    Kind::Seconds | Kind::Number => serde_json::json!(1.5),
                    Kind::Flag => serde_json::json!(true),
                };
                let body = serde_json::json!({ f.name: sample });
                SendRequest::from_value(op, body)
                    .unwrap_or_else(|e| panic!("{} for {}: {e}", f.name, op.as_str()));
            }
        }
    }
}
