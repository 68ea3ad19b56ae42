//! The documented request body as a Rust type: `{platform, recipient, audio_url,
//! session: {page_access_token}}` plus the client options, readable from JSON, validated with
//! messages that say how to fix the call. The Python and Node packages map onto it.

use super::{
    check_options, check_recipient, AudioSource, Client, ClientBuilder, MessagingType,
    NotificationType, SendOptions, SendResult, TOKEN_ENV,
};
use crate::error::{Error, Result};
use crate::secret::PageToken;
use serde::{Deserialize, Deserializer};
use std::path::PathBuf;
use std::time::Duration;

/// Platforms Svara can send to today.
pub const SUPPORTED_PLATFORMS: &[&str] = &["messenger"];

/// `session` of the documented body.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// The Page access token; `META_PAGE_TOKEN` is used when absent.
    #[serde(default, deserialize_with = "token_opt")]
    pub page_access_token: Option<PageToken>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("page_access_token", &self.page_access_token)
            .finish()
    }
}

fn token_opt<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<PageToken>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(PageToken::new))
}

fn default_platform() -> String {
    "messenger".to_owned()
}

/// One voice note, as documented: exactly one of `audio_url`, `audio_path`, `audio` (bytes) or
/// `attachment_id`, and the options of [`ClientBuilder`] and [`SendOptions`] by their
/// documented names. Unknown keys are refused (a typo must not be ignored silently).
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    /// Only `"messenger"` today (the default).
    #[serde(default = "default_platform")]
    pub platform: String,
    /// The person's Page-Scoped ID.
    #[serde(default)]
    pub recipient: String,
    /// An http(s) URL of the recording.
    #[serde(default)]
    pub audio_url: Option<String>,
    /// A local file.
    #[serde(default)]
    pub audio_path: Option<PathBuf>,
    /// The recording's bytes.
    #[serde(default)]
    pub audio: Option<Vec<u8>>,
    /// An attachment id from an earlier upload.
    #[serde(default)]
    pub attachment_id: Option<String>,
    /// `{page_access_token}`.
    #[serde(default)]
    pub session: Session,
    /// Graph base URL (default `https://graph.facebook.com`, or `SVARA_GRAPH_URL`).
    #[serde(default)]
    pub graph_url: Option<String>,
    /// Graph version (default `v25.0`).
    #[serde(default)]
    pub api_version: Option<String>,
    /// App secret, for `appsecret_proof`.
    #[serde(default, deserialize_with = "token_opt")]
    pub app_secret: Option<PageToken>,
    /// Page id (`/{page-id}/messages` instead of `/me/messages`).
    #[serde(default)]
    pub page_id: Option<String>,
    /// `RESPONSE` (default), `UPDATE` or `MESSAGE_TAG`.
    #[serde(default)]
    pub messaging_type: Option<String>,
    /// Message tag, with `MESSAGE_TAG` (e.g. `HUMAN_AGENT`).
    #[serde(default)]
    pub tag: Option<String>,
    /// `REGULAR`, `SILENT_PUSH` or `NO_PUSH`.
    #[serde(default)]
    pub notification_type: Option<String>,
    /// Whole-request timeout of Graph calls, in seconds.
    #[serde(default)]
    pub timeout: Option<f64>,
    /// The same in milliseconds (Node's spelling); give one or the other.
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// Automatic retries (default 2).
    #[serde(default)]
    pub max_retries: Option<u32>,
    /// AAC bitrate in bits per second for converted audio (default 64000).
    #[serde(default)]
    pub bitrate: Option<u32>,
    /// Keep stereo input stereo.
    #[serde(default)]
    pub keep_stereo: Option<bool>,
    /// Ask Meta for a reusable `attachment_id`.
    #[serde(default)]
    pub reusable: Option<bool>,
}

impl Default for SendRequest {
    fn default() -> Self {
        SendRequest {
            platform: default_platform(),
            recipient: String::new(),
            audio_url: None,
            audio_path: None,
            audio: None,
            attachment_id: None,
            session: Session::default(),
            graph_url: None,
            api_version: None,
            app_secret: None,
            page_id: None,
            messaging_type: None,
            tag: None,
            notification_type: None,
            timeout: None,
            timeout_ms: None,
            max_retries: None,
            bitrate: None,
            keep_stereo: None,
            reusable: None,
        }
    }
}

impl std::fmt::Debug for SendRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendRequest")
            .field("platform", &self.platform)
            .field("recipient", &self.recipient)
            .field("audio_url", &self.audio_url)
            .field("audio_path", &self.audio_path)
            .field(
                "audio",
                &self.audio.as_ref().map(|a| format!("<{} bytes>", a.len())),
            )
            .field("attachment_id", &self.attachment_id)
            .field("session", &self.session)
            .field("graph_url", &self.graph_url)
            .field("api_version", &self.api_version)
            .field("app_secret", &self.app_secret)
            .field("page_id", &self.page_id)
            .field("messaging_type", &self.messaging_type)
            .field("tag", &self.tag)
            .field("notification_type", &self.notification_type)
            .field("timeout", &self.timeout)
            .field("timeout_ms", &self.timeout_ms)
            .field("max_retries", &self.max_retries)
            .field("bitrate", &self.bitrate)
            .field("keep_stereo", &self.keep_stereo)
            .field("reusable", &self.reusable)
            .finish()
    }
}

/// Replaces every double-quoted value in a serde message, and every backquoted name that does
/// not look like a field name, so a token put in the wrong place cannot come back in the error.
fn scrub_quoted(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find(['"', '`']) {
        out.push_str(&rest[..i]);
        let q = rest.as_bytes()[i] as char;
        let after = &rest[i + 1..];
        let Some(j) = after.find(q) else {
            rest = "";
            break;
        };
        let inner = &after[..j];
        let field_like = q == '`'
            && !inner.is_empty()
            && inner.len() <= 32
            && inner.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if field_like {
            out.push('`');
            out.push_str(inner);
            out.push('`');
        } else {
            out.push_str(&format!("{q}...{q}"));
        }
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    out
}

impl SendRequest {
    /// Reads a request from its JSON form (the documented body).
    pub fn from_json(json: &str) -> Result<SendRequest> {
        serde_json::from_str(json).map_err(|e| {
            Error::invalid_request(format!(
                "The request is not a valid send request: {}. Expected {{\"platform\": \"messenger\", \"recipient\": PSID, \"audio_url\": URL, \"session\": {{\"page_access_token\": TOKEN}}}}.",
                scrub_quoted(&e.to_string())
            ))
        })
    }

    /// Checks the request without sending anything.
    pub fn validate(&self) -> Result<()> {
        self.audio_source()?;
        self.send_options()?;
        self.client_builder()?.build_config()?;
        check_recipient(&self.recipient)?;
        Ok(())
    }

    /// The single audio source.
    pub fn audio_source(&self) -> Result<AudioSource> {
        let platform = self.platform.trim().to_ascii_lowercase();
        if !SUPPORTED_PLATFORMS.contains(&platform.as_str()) {
            return Err(Error::invalid_request(format!(
                "platform {:?} is not supported; supported platforms: {}.",
                self.platform,
                SUPPORTED_PLATFORMS.join(", ")
            )));
        }
        let mut given = Vec::new();
        if self.audio_url.is_some() {
            given.push("audio_url");
        }
        if self.audio_path.is_some() {
            given.push("audio_path");
        }
        if self.audio.is_some() {
            given.push("audio");
        }
        if self.attachment_id.is_some() {
            given.push("attachment_id");
        }
        match given.as_slice() {
            [] => Err(Error::invalid_request(
                "No audio given: pass exactly one of audio_url (an http(s) URL), audio_path (a local file), audio (bytes) or attachment_id.",
            )),
            [_] => Ok(if let Some(u) = &self.audio_url {
                AudioSource::Url(u.clone())
            } else if let Some(p) = &self.audio_path {
                AudioSource::Path(p.clone())
            } else if let Some(b) = &self.audio {
                AudioSource::Bytes(b.clone())
            } else {
                AudioSource::AttachmentId(self.attachment_id.clone().unwrap_or_default())
            }),
            many => Err(Error::invalid_request(format!(
                "Several audio sources given ({}): pass exactly one of audio_url, audio_path, audio or attachment_id.",
                many.join(", ")
            ))),
        }
    }

    /// The per-send options.
    pub fn send_options(&self) -> Result<SendOptions> {
        let mut o = SendOptions::default();
        if let Some(t) = &self.messaging_type {
            o.messaging_type = MessagingType::parse(t.trim()).ok_or_else(|| {
                Error::invalid_request(format!(
                    "messaging_type {t:?} is not valid; use RESPONSE, UPDATE or MESSAGE_TAG (with a tag)."
                ))
            })?;
        }
        o.tag = self.tag.clone();
        if let Some(n) = &self.notification_type {
            o.notification_type = Some(NotificationType::parse(n.trim()).ok_or_else(|| {
                Error::invalid_request(format!(
                    "notification_type {n:?} is not valid; use REGULAR, SILENT_PUSH or NO_PUSH."
                ))
            })?);
        }
        if let Some(b) = self.bitrate {
            if !(8_000..=320_000).contains(&b) {
                return Err(Error::invalid_request(format!(
                    "bitrate {b} is out of range; give bits per second between 8000 and 320000 (default 64000)."
                )));
            }
            o.prepare.bitrate = b;
        }
        o.prepare.keep_stereo = self.keep_stereo.unwrap_or(false);
        o.reusable = self.reusable.unwrap_or(false);
        check_options(&o)?;
        Ok(o)
    }

    /// The token: `session.page_access_token`, else `META_PAGE_TOKEN`.
    fn token(&self) -> Result<PageToken> {
        let token = self
            .session
            .page_access_token
            .clone()
            .filter(|t| !t.is_blank())
            .or_else(|| {
                std::env::var(TOKEN_ENV)
                    .ok()
                    .map(PageToken::new)
                    .filter(|t| !t.is_blank())
            });
        token.ok_or_else(|| {
            Error::invalid_request(format!(
                "The Page access token is missing: pass session.page_access_token (or set {TOKEN_ENV})."
            ))
        })
    }

    /// A client builder configured from this request.
    pub fn client_builder(&self) -> Result<ClientBuilder> {
        let mut b = Client::builder(self.token()?);
        if let Some(u) = &self.graph_url {
            b = b.graph_url(u.clone());
        }
        if let Some(v) = &self.api_version {
            b = b.api_version(v.clone());
        }
        if let Some(s) = &self.app_secret {
            b = b.app_secret(s.clone());
        }
        if let Some(p) = &self.page_id {
            b = b.page_id(p.clone());
        }
        match (self.timeout, self.timeout_ms) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_request(
                    "Give either timeout (seconds) or timeout_ms (milliseconds), not both.",
                ))
            }
            (Some(s), None) => {
                if !(s.is_finite() && s > 0.0 && s <= 3600.0) {
                    return Err(Error::invalid_request(format!(
                        "timeout {s} is not valid; give seconds between 0 and 3600 (default 60)."
                    )));
                }
                b = b.timeout(Duration::from_secs_f64(s));
            }
            (None, Some(ms)) => {
                if ms == 0 || ms > 3_600_000 {
                    return Err(Error::invalid_request(format!(
                        "timeout_ms {ms} is not valid; give milliseconds between 1 and 3600000 (default 60000)."
                    )));
                }
                b = b.timeout(Duration::from_millis(ms));
            }
            (None, None) => {}
        }
        if let Some(r) = self.max_retries {
            if r > 10 {
                return Err(Error::invalid_request(format!(
                    "max_retries {r} is too many; give 0 to 10 (default 2)."
                )));
            }
            b = b.max_retries(r);
        }
        Ok(b)
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
    let audio = request.audio_source()?;
    let options = request.send_options()?;
    let recipient = check_recipient(&request.recipient)?.to_owned();
    let client = request.client_builder()?.build()?;
    client.send(&recipient, audio, &options).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn documented_body_parses_and_validates() {
        let r = SendRequest::from_json(
            r#"{"platform":"messenger","recipient":"61","audio_url":"https://x/y.m4a","session":{"page_access_token":"EAAtok"}}"#,
        )
        .unwrap();
        assert!(matches!(r.audio_source().unwrap(), AudioSource::Url(_)));
        assert!(!format!("{r:?}").contains("EAAtok"));
        r.validate().unwrap();
    }

    #[test]
    fn bad_requests_say_how_to_fix_them() {
        let base = SendRequest {
            recipient: "61".into(),
            audio_url: Some("https://x/y.m4a".into()),
            session: Session {
                page_access_token: Some(PageToken::new("EAAtok")),
            },
            ..SendRequest::default()
        };
        let whatsapp = SendRequest {
            platform: "whatsapp".into(),
            ..base.clone()
        };
        let e = whatsapp.validate().unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRequest);
        assert!(e.message().contains("messenger"), "{e}");
        let two = SendRequest {
            audio: Some(vec![1]),
            ..base.clone()
        };
        assert!(two
            .validate()
            .unwrap_err()
            .message()
            .contains("audio_url, audio"));
        let none = SendRequest {
            audio_url: None,
            ..base.clone()
        };
        assert!(none
            .validate()
            .unwrap_err()
            .message()
            .contains("exactly one"));
        let blank = SendRequest {
            recipient: " ".into(),
            ..base.clone()
        };
        assert!(blank.validate().unwrap_err().message().contains("PSID"));
        let tag = SendRequest {
            messaging_type: Some("MESSAGE_TAG".into()),
            ..base.clone()
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
    }
}
