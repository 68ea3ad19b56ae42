//! What a request means, checked before any network or audio work: the keys an operation
//! takes, one known platform, exactly one audio source, a recipient, the message options that
//! go together, the platform of platform-specific fields, and the ranges of [`super::limits`].
//! Every refusal is an `invalid_request` that says how to fix the call.

use super::fields::{self, field_named, Field, Operation, SUPPORTED_PLATFORMS};
use super::limits::Limit;
use super::SendRequest;
use crate::client::{
    AudioSource, Client, ClientBuilder, MessagingType, NotificationType, SendOptions, TOKEN_ENV,
};
use crate::error::{Error, Result};
use crate::secret::PageToken;
use crate::PrepareOptions;
use std::time::Duration;

/// Refuses a key that `operation` does not take: an unknown one (with a suggestion when it
/// looks like a typo; a key that does not look like a field name is not echoed, it may be a
/// secret put in the wrong place), or a field that belongs to another call.
pub fn check_key(operation: Operation, key: &str) -> Result<()> {
    match field_named(key) {
        Some(f) if operation.takes(f) => Ok(()),
        Some(f) => {
            let takers: Vec<&str> = Operation::ALL
                .iter()
                .filter(|o| o.takes(f))
                .map(|o| o.describe())
                .collect();
            Err(Error::invalid_request(format!(
                "{key} does not belong in a {}: it is an option of a {}.",
                operation.describe(),
                takers.join(" or a ")
            )))
        }
        None => {
            let shown = if looks_like_a_name(key) {
                format!("{key:?}")
            } else {
                "a key that is not a field name".to_owned()
            };
            let hint = fields::suggest(key, operation.fields())
                .map(|s| format!("; did you mean {s:?}?"))
                .unwrap_or_else(|| ".".to_owned());
            let valid: Vec<&str> = operation.fields().map(|f| f.name).collect();
            Err(Error::invalid_request(format!(
                "The {} has an unknown field {shown}{hint} Valid fields: {}.",
                operation.describe(),
                valid.join(", ")
            )))
        }
    }
}

fn looks_like_a_name(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 40
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Replaces every double-quoted value in a serde message, and every backquoted name that does
/// not look like a field name, so a token put in the wrong place cannot come back in the error.
pub(super) fn scrub_quoted(msg: &str) -> String {
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
        if q == '`' && looks_like_a_name(inner) {
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

/// A PSID: non-empty, no surrounding whitespace. Returned trimmed.
pub fn check_recipient(recipient: &str) -> Result<&str> {
    let r = recipient.trim();
    if r.is_empty() {
        return Err(Error::invalid_request(
            "recipient is empty: pass the person's Page-Scoped ID (PSID) from a webhook event of this Page.",
        ));
    }
    if r.chars().any(|c| c.is_whitespace() || c.is_control()) || r.len() > 128 {
        return Err(Error::invalid_request(
            "recipient must be a Page-Scoped ID (PSID), a string of digits such as \"6128493027184956\".",
        ));
    }
    Ok(r)
}

/// `MESSAGE_TAG` needs a tag, and a tag needs `MESSAGE_TAG`.
pub(crate) fn check_options(options: &SendOptions) -> Result<()> {
    let tag = options
        .tag
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    match (options.messaging_type, tag) {
        (MessagingType::MessageTag, None) => Err(Error::invalid_request(
            "messaging_type MESSAGE_TAG needs a tag: pass tag=\"HUMAN_AGENT\" (a human reply within 7 days), or use RESPONSE inside the 24-hour window.",
        )),
        (t, Some(tag)) if t != MessagingType::MessageTag => Err(Error::invalid_request(format!(
            "tag {tag:?} is only allowed with messaging_type MESSAGE_TAG; set messaging_type=\"MESSAGE_TAG\" or drop the tag."
        ))),
        _ => Ok(()),
    }
}

/// An attachment id as given: non-empty, trimmed.
pub(crate) fn check_attachment_id(id: &str) -> Result<String> {
    let id = id.trim();
    if id.is_empty() {
        return Err(Error::invalid_request(
            "attachment_id is empty: pass the id returned by upload().",
        ));
    }
    Ok(id.to_owned())
}

/// Checks a number against its field's range.
fn in_range(name: &str, value: f64, shown: impl std::fmt::Display) -> Result<()> {
    let limit: &Limit = field_named(name)
        .and_then(|f| f.limit)
        .unwrap_or_else(|| panic!("{name} has a limit in FIELDS"));
    limit.check(name, value, shown)
}

/// One of two fields that say the same thing in different units.
fn either<T: Copy>(a: (&str, Option<T>), b: (&str, Option<T>)) -> Result<Option<(bool, T)>> {
    match (a.1, b.1) {
        (Some(_), Some(_)) => Err(Error::invalid_request(format!(
            "Give either {} or {}, not both.",
            a.0, b.0
        ))),
        (Some(v), None) => Ok(Some((true, v))),
        (None, Some(v)) => Ok(Some((false, v))),
        (None, None) => Ok(None),
    }
}

/// Refuses a platform-specific field on another platform, naming where it works.
fn platform_field(platform: &str, name: &str, given: bool) -> Result<()> {
    let f: &Field = field_named(name).unwrap_or_else(|| panic!("{name} is in FIELDS"));
    if !given || f.platforms.is_empty() || f.platforms.contains(&platform) {
        return Ok(());
    }
    let supported_there = f.platforms.iter().any(|p| SUPPORTED_PLATFORMS.contains(p));
    let later = if supported_there {
        String::new()
    } else {
        " (Svara does not send there yet)".to_owned()
    };
    Err(Error::invalid_request(format!(
        "{name} works on {} only{later}, not on {platform}: a {platform} voice note carries no {name}. Drop {name}, or send the text as a message of its own.",
        f.platforms.join(", ")
    )))
}

impl SendRequest {
    /// The platform, lowercase (`messenger` when none was given), if Svara supports it.
    pub fn platform(&self) -> Result<&'static str> {
        let given = self.platform.trim().to_ascii_lowercase();
        let wanted = if given.is_empty() {
            "messenger"
        } else {
            &given
        };
        SUPPORTED_PLATFORMS
            .iter()
            .copied()
            .find(|p| *p == wanted)
            .ok_or_else(|| {
                Error::invalid_request(format!(
                    "platform {:?} is not supported; supported platforms: {}.",
                    self.platform,
                    SUPPORTED_PLATFORMS.join(", ")
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

    /// Which audio source fields are set.
    fn audio_given(&self) -> Vec<&'static str> {
        let set = [
            ("audio_url", self.audio_url.is_some()),
            ("audio_path", self.audio_path.is_some()),
            ("audio", self.audio.is_some()),
            ("attachment_id", self.attachment_id.is_some()),
        ];
        set.iter().filter(|(_, on)| *on).map(|(n, _)| *n).collect()
    }

    fn check_audio(&self) -> Result<()> {
        self.platform()?;
        match self.audio_given().as_slice() {
            [] => Err(Error::invalid_request(
                "No audio given: pass exactly one of audio_url (an http(s) URL), audio_path (a local file), audio (bytes) or attachment_id.",
            )),
            [_] => Ok(()),
            many => Err(Error::invalid_request(format!(
                "Several audio sources given ({}): pass exactly one of audio_url, audio_path, audio or attachment_id.",
                many.join(", ")
            ))),
        }
    }

    /// The single audio source (the bytes are copied; see [`SendRequest::take_audio_source`]).
    pub fn audio_source(&self) -> Result<AudioSource> {
        self.clone().take_audio_source()
    }

    /// The single audio source, moved out of the request (no copy of the bytes).
    pub fn take_audio_source(&mut self) -> Result<AudioSource> {
        self.check_audio()?;
        Ok(if let Some(u) = self.audio_url.take() {
            AudioSource::Url(u)
        } else if let Some(p) = self.audio_path.take() {
            AudioSource::Path(p)
        } else if let Some(b) = self.audio.take() {
            AudioSource::Bytes(b.0)
        } else {
            AudioSource::AttachmentId(self.attachment_id.take().unwrap_or_default())
        })
    }

    /// How to convert the audio.
    // `..PrepareOptions::default()` stays although every field is set today: the audio engine
    // adds options (a target format) that a request does not set.
    #[allow(clippy::needless_update)]
    pub fn prepare_options(&self) -> Result<PrepareOptions> {
        let mut bitrate = PrepareOptions::default().bitrate;
        if let Some(b) = self.bitrate {
            in_range("bitrate", f64::from(b), b)?;
            bitrate = b;
        }
        let max_duration = match either(
            ("max_duration", self.max_duration),
            ("max_duration_ms", self.max_duration_ms.map(|ms| ms as f64)),
        )? {
            Some((true, s)) => {
                in_range("max_duration", s, s)?;
                Some(Duration::from_secs_f64(s))
            }
            Some((false, ms)) => {
                in_range("max_duration_ms", ms, ms)?;
                Some(Duration::from_millis(ms as u64))
            }
            None => None,
        };
        Ok(PrepareOptions {
            bitrate,
            keep_stereo: self.keep_stereo.unwrap_or(false),
            fast_encode: self.fast_encode.unwrap_or(false),
            max_duration,
            ..PrepareOptions::default()
        })
    }

    /// The per-send options.
    pub fn send_options(&self) -> Result<SendOptions> {
        let platform = self.platform()?;
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
        platform_field(platform, "caption", self.caption.is_some())?;
        if let Some(c) = &self.caption {
            let chars = c.chars().count();
            in_range(
                "caption",
                chars as f64,
                format_args!("of {chars} characters"),
            )?;
        }
        o.prepare = self.prepare_options()?;
        o.reusable = self.reusable.unwrap_or(false);
        check_options(&o)?;
        Ok(o)
    }

    /// The token: `session.page_access_token` or `page_access_token` (not both), else
    /// `META_PAGE_TOKEN`.
    fn token(&self) -> Result<PageToken> {
        let given =
            match (
                self.session.page_access_token.as_ref(),
                self.page_access_token.as_ref(),
            ) {
                (Some(_), Some(_)) => return Err(Error::invalid_request(
                    "Give the token once: either page_access_token or session.page_access_token.",
                )),
                (a, b) => a.or(b).cloned(),
            };
        let token = given.filter(|t| !t.is_blank()).or_else(|| {
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
        match either(
            ("timeout", self.timeout),
            ("timeout_ms", self.timeout_ms.map(|ms| ms as f64)),
        )? {
            Some((true, s)) => {
                in_range("timeout", s, s)?;
                b = b.timeout(Duration::from_secs_f64(s));
            }
            Some((false, ms)) => {
                in_range("timeout_ms", ms, ms)?;
                b = b.timeout(Duration::from_millis(ms as u64));
            }
            None => {}
        }
        if let Some(r) = self.max_retries {
            in_range("max_retries", f64::from(r), r)?;
            b = b.max_retries(r);
        }
        if let Some(rate) = self.sends_per_second {
            in_range("sends_per_second", rate, rate)?;
            b = b.sends_per_second(rate);
        }
        if let Some(n) = self.concurrency {
            in_range("concurrency", f64::from(n), n)?;
            b = b.concurrency(n as usize);
        }
        if let Some(ua) = &self.user_agent {
            b = b.user_agent(ua.clone());
        }
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn base() -> SendRequest {
        super::super::example()
    }

    fn err(r: SendRequest) -> String {
        let e = r.validate().unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRequest);
        e.message().to_owned()
    }

    #[test]
    fn ranges_come_from_the_limits() {
        let m = err(SendRequest {
            bitrate: Some(1),
            ..base()
        });
        assert_eq!(
            m,
            "bitrate 1 is out of range; give bits per second between 8000 and 320000 (default 64000)."
        );
        let m = err(SendRequest {
            max_retries: Some(99),
            ..base()
        });
        assert!(
            m.starts_with("max_retries 99 is too many; give 0 to 10 retries"),
            "{m}"
        );
        let m = err(SendRequest {
            timeout: Some(1.0),
            timeout_ms: Some(1000),
            ..base()
        });
        assert!(m.contains("either timeout or timeout_ms"), "{m}");
        let m = err(SendRequest {
            sends_per_second: Some(0.0),
            ..base()
        });
        assert!(m.starts_with("sends_per_second 0 is out of range"), "{m}");
    }

    #[test]
    fn conversion_options_reach_prepare() {
        let r = SendRequest {
            fast_encode: Some(true),
            max_duration_ms: Some(1500),
            keep_stereo: Some(true),
            bitrate: Some(32_000),
            ..base()
        };
        let p = r.send_options().unwrap().prepare;
        assert!(p.fast_encode && p.keep_stereo);
        assert_eq!(p.bitrate, 32_000);
        assert_eq!(p.max_duration, Some(Duration::from_millis(1500)));
    }

    #[test]
    fn caption_is_refused_on_messenger_with_where_it_works() {
        let m = err(SendRequest {
            caption: Some("hi".into()),
            ..base()
        });
        assert!(m.starts_with("caption works on telegram only"), "{m}");
        assert!(m.contains("not on messenger"), "{m}");
    }

    #[test]
    fn keys_outside_the_operation_name_their_place() {
        let e = check_key(Operation::ClientSend, "graph_url").unwrap_err();
        assert!(
            e.message()
                .contains("it is an option of a send request or a set of client options"),
            "{e}"
        );
        assert!(check_key(Operation::Upload, "attachment_id").is_err());
        assert!(check_key(Operation::SendMany, "attachment_id").is_ok());
    }

    #[test]
    fn token_is_given_once() {
        let m = err(SendRequest {
            page_access_token: Some("a".into()),
            ..base()
        });
        assert!(m.contains("Give the token once"), "{m}");
    }
}
