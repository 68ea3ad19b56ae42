//! What a request means, checked before any network or audio work: the keys an operation
//! takes, one known platform, exactly one audio source, a recipient, the message options that
//! go together, the platform of platform-specific fields, and the ranges of [`super::limits`].
//! Every refusal is an `invalid_request` that says how to fix the call.

use super::fields::{self, field_named, Field, Operation, SUPPORTED_PLATFORMS};
use super::limits::Limit;
use super::SendRequest;
use crate::client::{
    AudioSource, Client, ClientBuilder, MessagingType, NotificationType, SendOptions,
};
use crate::error::{Error, Result};
use crate::platform::Platform;
use crate::{PrepareOptions, TargetFormat};
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

/// A Messenger PSID: non-empty, no surrounding whitespace. Returned trimmed.
pub fn check_recipient(recipient: &str) -> Result<&str> {
    check_recipient_on(Platform::Messenger, recipient)
}

/// A recipient of `platform`: non-empty, no whitespace inside, at most 128 characters.
/// Returned trimmed.
pub fn check_recipient_on(platform: Platform, recipient: &str) -> Result<&str> {
    let spec = platform.spec();
    let r = recipient.trim();
    if r.is_empty() {
        let what = if platform == Platform::Messenger {
            "the person's Page-Scoped ID (PSID) from a webhook event of this Page".to_owned()
        } else {
            spec.recipient.to_owned()
        };
        return Err(Error::invalid_request(format!(
            "recipient is empty: pass {what}."
        )));
    }
    if r.chars().any(|c| c.is_whitespace() || c.is_control()) || r.len() > 128 {
        let what = if platform == Platform::Messenger {
            "a Page-Scoped ID (PSID), a string of digits".to_owned()
        } else {
            spec.recipient.to_owned()
        };
        return Err(Error::invalid_request(format!(
            "recipient must be {what} such as {:?}.",
            spec.recipient_example
        )));
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
fn platform_field(platform: Platform, name: &str, given: bool) -> Result<()> {
    let f: &Field = field_named(name).unwrap_or_else(|| panic!("{name} is in FIELDS"));
    let platform = platform.as_str();
    if !given || f.platforms.is_empty() || f.platforms.contains(&platform) {
        return Ok(());
    }
    let extra = if name == "caption" {
        " Drop caption, or send the text as a message of its own."
    } else {
        ""
    };
    Err(Error::invalid_request(format!(
        "{name} works on {} only, not on {platform}: a {platform} voice note has no {name}. Drop {name}.{extra}",
        f.platforms.join(", ")
    )))
}

impl SendRequest {
    /// The platform (`messenger` when none was given), if Svara supports it.
    pub fn platform(&self) -> Result<Platform> {
        Platform::parse(&self.platform).ok_or_else(|| {
            Error::invalid_request(format!(
                "platform {:?} is not supported; supported platforms: {}.",
                self.platform,
                SUPPORTED_PLATFORMS.join(", ")
            ))
        })
    }

    /// Checks the request without sending anything.
    pub fn validate(&self) -> Result<()> {
        let platform = self.platform()?;
        self.audio_source()?;
        self.send_options()?;
        self.client_builder()?.build_config()?;
        check_recipient_on(platform, &self.recipient)?;
        Ok(())
    }

    /// Refuses every field given that does not apply to the platform (one list of which
    /// fields are set; which platforms each takes is [`super::FIELDS`]').
    fn check_platform_fields(&self, platform: Platform) -> Result<()> {
        let given = [
            ("keep_stereo", self.keep_stereo.is_some()),
            ("messaging_type", self.messaging_type.is_some()),
            ("tag", self.tag.is_some()),
            ("notification_type", self.notification_type.is_some()),
            ("caption", self.caption.is_some()),
            ("graph_url", self.graph_url.is_some()),
            ("telegram_url", self.telegram_url.is_some()),
            ("api_version", self.api_version.is_some()),
            ("app_secret", self.app_secret.is_some()),
            ("page_id", self.page_id.is_some()),
            ("page_access_token", self.page_access_token.is_some()),
        ];
        for (name, set) in given {
            platform_field(platform, name, set)?;
        }
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

    /// How to convert the audio for `transcode`: in `format` (`m4a-aac` by default).
    pub fn prepare_options(&self) -> Result<PrepareOptions> {
        let format = match &self.format {
            Some(f) => f.parse::<TargetFormat>()?,
            None => TargetFormat::M4aAac,
        };
        self.prepare_options_for(format)
    }

    /// How to convert the audio into `format`: the format's own default bitrate unless one
    /// was given, checked against the format's range.
    pub fn prepare_options_for(&self, format: TargetFormat) -> Result<PrepareOptions> {
        let mut options = PrepareOptions::for_format(format);
        if let Some(b) = self.bitrate {
            in_range("bitrate", f64::from(b), b)?;
            let (low, high) = format.bitrate_range();
            if b < low || b > high {
                return Err(Error::invalid_request(format!(
                    "bitrate {b} is out of range for {format}; give bits per second between {low} and {high} (default {}).",
                    format.default_bitrate()
                )));
            }
            options.bitrate = b;
        }
        options.max_duration = match either(
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
        options.keep_stereo = self.keep_stereo.unwrap_or(false);
        options.fast_encode = self.fast_encode.unwrap_or(false);
        Ok(options)
    }

    /// The per-send options, the audio prepared in the platform's format within its limit.
    pub fn send_options(&self) -> Result<SendOptions> {
        let platform = self.platform()?;
        self.check_platform_fields(platform)?;
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
        if let Some(c) = &self.caption {
            let chars = c.chars().count();
            in_range(
                "caption",
                chars as f64,
                format_args!("of {chars} characters"),
            )?;
            o.caption = Some(c.clone());
        }
        o.prepare = self.prepare_options_for(platform.target())?;
        o.prepare.max_bytes = platform.spec().max_bytes;
        o.reusable = self.reusable.unwrap_or(false);
        check_options(&o)?;
        Ok(o)
    }

    /// A client builder configured from this request: the platform, its credentials from
    /// `session` (or the environment), and the connection options.
    pub fn client_builder(&self) -> Result<ClientBuilder> {
        let platform = self.platform()?;
        self.check_platform_fields(platform)?;
        let credentials = platform.credentials(&self.session, self.page_access_token.as_ref())?;
        let mut b = Client::builder(credentials.token.clone()).platform(platform);
        if credentials.instagram_login {
            b = b.instagram_login(true);
        }
        if let Some(id) = &credentials.ig_user_id {
            b = b.ig_user_id(id.clone());
        }
        if let Some(id) = &credentials.phone_number_id {
            b = b.phone_number_id(id.clone());
        }
        if let Some(u) = &self.graph_url {
            b = b.graph_url(u.clone());
        }
        if let Some(u) = &self.telegram_url {
            b = b.telegram_url(u.clone());
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
            "bitrate 1 is out of range; give bits per second between 6000 and 320000."
        );
        let m = err(SendRequest {
            bitrate: Some(7_000),
            ..base()
        });
        assert_eq!(
            m,
            "bitrate 7000 is out of range for m4a-aac; give bits per second between 8000 and 320000 (default 64000)."
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
        let m = err(SendRequest {
            platform: "telegram".into(),
            session: super::super::Session {
                bot_token: Some("123:abc".into()),
                ..Default::default()
            },
            messaging_type: Some("RESPONSE".into()),
            ..base()
        });
        assert!(
            m.starts_with("messaging_type works on messenger, instagram only, not on telegram"),
            "{m}"
        );
    }

    #[test]
    fn each_platform_takes_its_own_session() {
        use super::super::Session;
        let on = |platform: &str, session: Session| SendRequest {
            platform: platform.into(),
            session,
            ..base()
        };
        let telegram = on(
            "telegram",
            Session {
                bot_token: Some("123:abc".into()),
                ..Default::default()
            },
        );
        telegram.validate().unwrap();
        let opts = telegram.send_options().unwrap();
        assert_eq!(opts.prepare.format, TargetFormat::OggOpus);
        assert_eq!(opts.prepare.bitrate, 32_000);
        assert_eq!(opts.prepare.max_bytes, 50 * 1024 * 1024);
        let config = telegram.client_builder().unwrap().build_config().unwrap();
        assert_eq!(config.platform, Platform::Telegram);
        assert_eq!(config.telegram_url, "https://api.telegram.org");
        assert!((config.sends_per_second - 30.0).abs() < f64::EPSILON);
        let whatsapp = on(
            "whatsapp",
            Session {
                access_token: Some("EAAw".into()),
                phone_number_id: Some("1065".into()),
                ..Default::default()
            },
        );
        let c = whatsapp.client_builder().unwrap().build_config().unwrap();
        assert_eq!(c.phone_number_id.as_deref(), Some("1065"));
        assert_eq!(
            whatsapp.send_options().unwrap().prepare.max_bytes,
            16 * 1024 * 1024
        );
        let m = err(on(
            "whatsapp",
            Session {
                access_token: Some("EAAw".into()),
                ..Default::default()
            },
        ));
        assert!(m.contains("phone_number_id is missing"), "{m}");
        let ig = on(
            "instagram",
            Session {
                access_token: Some("IGAAt".into()),
                ig_user_id: Some("1784".into()),
                ..Default::default()
            },
        );
        let c = ig.client_builder().unwrap().build_config().unwrap();
        assert!(c.instagram_login);
        assert_eq!(c.graph_url, "https://graph.instagram.com");
        let fb = on(
            "instagram",
            Session {
                page_access_token: Some("EAAp".into()),
                ..Default::default()
            },
        );
        let c = fb.client_builder().unwrap().build_config().unwrap();
        assert!(!c.instagram_login);
        assert_eq!(c.graph_url, "https://graph.facebook.com");
        let m = err(on(
            "telegram",
            Session {
                bot_token: Some("123:abc".into()),
                access_token: Some("x".into()),
                ..Default::default()
            },
        ));
        assert!(
            m.contains(
                "session.access_token is not used on telegram (it belongs to instagram, whatsapp)"
            ),
            "{m}"
        );
        let bad = on(
            "telegram",
            Session {
                bot_token: Some("not a token".into()),
                ..Default::default()
            },
        );
        let e = bad.validate().unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidToken);
        assert!(!e.message().contains("not a token"));
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
