//! Reading the body of `POST /v1/send` without the network: JSON object, server-only fields
//! (`dry_run`, `duration`, `audio_id`, `webhook_url`), the fields the server refuses over HTTP (`audio_path`
//! would read the server's own files, `graph_url` would choose the target the key's mode
//! decides, `audio` bytes belong in `POST /v1/audio`), then the core's own parser and validation
//! (`svara::SendRequest`: the same field names, ranges and messages as every Svara SDK). What is
//! stored splits into the request without secrets and the secrets to seal.

use crate::error::{ApiError, ApiErrorCode};
use crate::ssrf::UrlPolicy;
use serde_json::{json, Map, Value};

/// Where the audio of a send comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An http(s) URL the worker downloads.
    Url(String),
    /// An upload of `POST /v1/audio`.
    AudioId(String),
    /// A reusable Messenger attachment of the Page.
    AttachmentId(String),
}

/// A validated body.
#[derive(Debug, Clone)]
pub struct ParsedSend {
    /// `messenger`, `instagram`, `whatsapp` or `telegram`.
    pub platform: String,
    /// The recipient (PSID, IGSID, phone number or wa_id, chat id), trimmed.
    pub recipient: String,
    /// The audio.
    pub source: Source,
    /// Validate only.
    pub dry_run: bool,
    /// The core's fields without secrets (stored with the job).
    pub stored: Map<String, Value>,
    /// `duration` as given.
    pub duration: Option<f64>,
    /// Where this note's events are posted too (checked against the key's mode by the caller).
    pub webhook_url: Option<String>,
    /// Secrets to seal: the session (tokens and their account or number ids), app secret,
    /// audio URL.
    pub secrets: Map<String, Value>,
    /// What makes a distinct Page client (token, app secret and client options; the target is
    /// added by the caller): hashed into the job's `page_key`.
    pub client_material: Value,
    /// The body with its keys sorted, for the idempotency fingerprint.
    pub canonical: Vec<u8>,
}

/// Fields the core owns but the server refuses over HTTP, and why.
const REFUSED: [(&str, &str); 4] = [
    (
        "audio_path",
        "audio_path is not accepted over HTTP (it would read a file of the server); upload the file with POST /v1/audio and send its audio_id.",
    ),
    (
        "audio",
        "audio bytes are not accepted in the JSON body; upload the file with POST /v1/audio (multipart, field `file`) and send its audio_id.",
    ),
    (
        "graph_url",
        "graph_url is chosen by the server: sk_test_ keys deliver to the built-in emulator, sk_live_ keys to Meta (or SVARA_GRAPH_URL); remove it.",
    ),
    (
        "telegram_url",
        "telegram_url is chosen by the server: sk_test_ keys deliver to the built-in emulator, sk_live_ keys to Telegram's Bot API (or SVARA_TELEGRAM_URL); remove it.",
    ),
];

/// Client options of the core: together with the token and the target they make one Page
/// client (one connection pool and one send limiter).
const CLIENT_FIELDS: [&str; 6] = [
    "api_version",
    "page_id",
    "timeout",
    "timeout_ms",
    "max_retries",
    "app_secret",
];

/// The fields of the documented send request, from the core's field table (the one definition
/// every Svara SDK reads).
pub fn core_fields() -> Vec<String> {
    svara::Operation::Send
        .fields()
        .map(|f| f.name.to_owned())
        .collect()
}

/// Fields the server adds to the core's.
pub const SERVER_FIELDS: [&str; 4] = ["audio_id", "duration", "dry_run", "webhook_url"];

/// Sorted-key JSON, independent of how `serde_json` keeps maps.
pub fn canonical_json(v: &Value) -> Vec<u8> {
    fn write(v: &Value, out: &mut Vec<u8>) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push(b'{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(
                        serde_json::to_string(k)
                            .expect("a string serializes")
                            .as_bytes(),
                    );
                    out.push(b':');
                    write(&m[*k], out);
                }
                out.push(b'}');
            }
            Value::Array(a) => {
                out.push(b'[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write(x, out);
                }
                out.push(b']');
            }
            other => out.extend_from_slice(other.to_string().as_bytes()),
        }
    }
    let mut out = Vec::new();
    write(v, &mut out);
    out
}

/// The field a core validation message is about, when it names one.
fn param_of(message: &str) -> Option<String> {
    // "The send request has an unknown field \"audio_ulr\"; did you mean ...": the core only
    // quotes a key that looks like a field name (a secret in the wrong place is never echoed).
    if let Some(rest) = message.split("unknown field \"").nth(1) {
        return rest.split('"').next().map(str::to_owned);
    }
    let first = message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .next()
        .unwrap_or("");
    let known = core_fields();
    known
        .iter()
        .find(|f| first == f.as_str() || first.starts_with(&format!("{f}.")))
        .cloned()
}

fn invalid(message: String) -> ApiError {
    let param = param_of(&message);
    let mut e = ApiError::new(ApiErrorCode::InvalidParameter, message);
    e.details = Some(json!({ "param": param }));
    e
}

fn take_str(obj: &mut Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match obj.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::invalid_parameter(
            name,
            format!("{name} must be a string."),
        )),
    }
}

/// Parses and validates a body (no network, no database).
pub fn parse(body: &[u8], policy: &UrlPolicy) -> Result<ParsedSend, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "The body is not valid JSON ({e}); send the documented object {{\"platform\": \"messenger\", \"recipient\": PSID, \"audio_url\": URL, \"session\": {{\"page_access_token\": TOKEN}}}}."
        ))
    })?;
    let canonical = canonical_json(&value);
    let Value::Object(mut obj) = value else {
        return Err(ApiError::bad_request(
            "The body must be a JSON object such as {\"platform\": \"messenger\", \"recipient\": PSID, \"audio_url\": URL, \"session\": {\"page_access_token\": TOKEN}}.",
        ));
    };
    for (name, why) in REFUSED {
        if obj.contains_key(name) {
            return Err(ApiError::invalid_parameter(name, why));
        }
    }
    let dry_run = match obj.remove("dry_run") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => b,
        Some(_) => {
            return Err(ApiError::invalid_parameter(
                "dry_run",
                "dry_run must be true or false.",
            ))
        }
    };
    let duration = match obj.remove("duration") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_f64() {
            Some(d) if d > 0.0 && d <= 86_400.0 => Some(d),
            _ => {
                return Err(ApiError::invalid_parameter(
                    "duration",
                    "duration must be the recording's length in seconds, above 0 (leave it out to have it detected).",
                ))
            }
        },
        Some(_) => {
            return Err(ApiError::invalid_parameter(
                "duration",
                "duration must be a number of seconds.",
            ))
        }
    };
    let audio_id = take_str(&mut obj, "audio_id")?;
    let webhook_url = take_str(&mut obj, "webhook_url")?;

    let platform = match obj.get("platform") {
        None | Some(Value::Null) => "messenger".to_owned(),
        Some(Value::String(p)) => p.trim().to_ascii_lowercase(),
        Some(_) => {
            return Err(ApiError::invalid_parameter(
                "platform",
                "platform must be a string such as \"messenger\".",
            ))
        }
    };
    if !svara::SUPPORTED_PLATFORMS.contains(&platform.as_str()) {
        return Err(ApiError::new(
            ApiErrorCode::UnprocessableEntity,
            format!(
                "This server sends voice notes to {} only; other platforms are not supported yet.",
                svara::SUPPORTED_PLATFORMS.join(", ")
            ),
        )
        .with_details(json!({ "param": "platform", "supported": svara::SUPPORTED_PLATFORMS })));
    }

    let session = session_secrets(&platform, obj.get("session"))?;

    let sources = [
        obj.get("audio_url")
            .filter(|v| !v.is_null())
            .map(|_| "audio_url"),
        audio_id.as_ref().map(|_| "audio_id"),
        obj.get("attachment_id")
            .filter(|v| !v.is_null())
            .map(|_| "attachment_id"),
    ];
    let given: Vec<&str> = sources.into_iter().flatten().collect();
    if given.len() != 1 {
        let msg = if given.is_empty() {
            "No audio given: pass exactly one of audio_url (an http(s) URL), audio_id (from POST /v1/audio) or attachment_id.".to_owned()
        } else {
            format!(
                "Several audio sources given ({}): pass exactly one of audio_url, audio_id or attachment_id.",
                given.join(", ")
            )
        };
        return Err(ApiError::invalid_parameter(
            given.first().copied().unwrap_or("audio_url"),
            msg,
        ));
    }

    // The core checks everything else, with the same messages as every Svara SDK. An upload is
    // a reference to audio that exists, like an attachment id, for that check.
    let mut core = obj.clone();
    if let Some(id) = &audio_id {
        if !crate::ids::looks_like(id, "aud") {
            return Err(ApiError::invalid_parameter(
                "audio_id",
                "audio_id must be an id returned by POST /v1/audio (aud_…).",
            ));
        }
        core.insert("attachment_id".into(), Value::String(id.clone()));
    }
    let request = svara::SendRequest::from_json(&Value::Object(core).to_string())
        .map_err(|e| invalid(e.message().to_owned()))?;
    request
        .validate()
        .map_err(|e| invalid(e.message().to_owned()))?;

    let source = if let Some(id) = audio_id {
        Source::AudioId(id)
    } else if let Some(url) = &request.audio_url {
        let parsed = svara::parse_audio_url(url).map_err(|e| invalid(e.message().to_owned()))?;
        policy.check_url(&parsed).map_err(|why| {
            ApiError::new(
                ApiErrorCode::UnprocessableEntity,
                format!("audio_url is refused: {why}."),
            )
            .with_details(json!({ "param": "audio_url", "code": "audio_fetch_failed" }))
        })?;
        Source::Url(url.trim().to_owned())
    } else {
        Source::AttachmentId(request.attachment_id.clone().unwrap_or_default())
    };

    let mut secrets = Map::new();
    secrets.insert("session".into(), Value::Object(session));
    if let Some(Value::String(s)) = obj.remove("app_secret") {
        secrets.insert("app_secret".into(), Value::String(s));
    }
    if let Some(Value::String(u)) = obj.remove("audio_url") {
        secrets.insert("audio_url".into(), Value::String(u));
    }
    obj.remove("session");
    obj.remove("app_secret");
    obj.remove("audio_url");
    obj.insert("platform".into(), Value::String(platform.clone()));
    let recipient = request.recipient.trim().to_owned();
    obj.insert("recipient".into(), Value::String(recipient.clone()));

    let mut material = Map::new();
    // The sender's credentials (a Page token, an Instagram or WhatsApp token with its account
    // or number, a bot token): one client, one pool, one pace per distinct session.
    material.insert("token".into(), secrets["session"].clone());
    for f in CLIENT_FIELDS {
        let v = if f == "app_secret" {
            secrets.get(f).cloned()
        } else {
            obj.get(f).cloned()
        };
        material.insert(f.into(), v.unwrap_or(Value::Null));
    }

    Ok(ParsedSend {
        platform,
        recipient,
        source,
        dry_run,
        stored: obj,
        duration,
        webhook_url,
        secrets,
        client_material: Value::Object(material),
        canonical,
    })
}

/// `session` of a body for `platform`: an object of that platform's keys (the core's
/// [`svara::PlatformSpec::session`]) with at least one of its tokens, every value a string.
/// The server never falls back to a token of its own environment. Sealed as a whole.
fn session_secrets(
    platform: &str,
    session: Option<&Value>,
) -> Result<Map<String, Value>, ApiError> {
    let spec = svara::Platform::parse(platform).unwrap_or_default().spec();
    let forms = spec.session_forms.join(" or ");
    let tokens: Vec<&str> = spec
        .session
        .iter()
        .filter(|k| k.secret)
        .map(|k| k.name)
        .collect();
    let first = tokens.first().copied().unwrap_or("page_access_token");
    let s = match session {
        Some(Value::Object(s)) => s,
        None | Some(Value::Null) => {
            return Err(ApiError::invalid_parameter(
                "session",
                format!("session is required: a {platform} session is {forms}."),
            ))
        }
        Some(_) => {
            return Err(ApiError::invalid_parameter(
                "session",
                format!("session must be an object: a {platform} session is {forms}."),
            ))
        }
    };
    let mut out = Map::new();
    for (key, value) in s {
        match value {
            Value::Null => {}
            Value::String(v) => {
                out.insert(key.clone(), Value::String(v.clone()));
            }
            // A key no platform takes is the core's to refuse (it never echoes the value).
            _ if svara::platform::session_keys()
                .iter()
                .all(|k| k.name != key) => {}
            _ => {
                return Err(ApiError::invalid_parameter(
                    &format!("session.{key}"),
                    format!("session.{key} must be a string."),
                ))
            }
        }
    }
    let has_token = tokens.iter().any(|t| {
        out.get(*t)
            .and_then(Value::as_str)
            .is_some_and(|v| !v.trim().is_empty())
    });
    if !has_token {
        return Err(ApiError::invalid_parameter(
            &format!("session.{first}"),
            format!(
                "session.{first} is required: {}. A {platform} session is {forms}.",
                spec.session[0].description
            ),
        ));
    }
    Ok(out)
}

/// Rebuilds the core's request from what was stored and the opened secrets (in the worker).
/// Jobs queued before the server took every platform sealed only `page_access_token`.
pub fn core_request(
    stored: &Map<String, Value>,
    secrets: &Map<String, Value>,
) -> svara::Result<svara::SendRequest> {
    let mut obj = stored.clone();
    obj.remove("audio_id");
    let session = match secrets.get("session") {
        Some(s) => s.clone(),
        None => {
            json!({ "page_access_token": secrets.get("page_access_token").cloned().unwrap_or(Value::Null) })
        }
    };
    obj.insert("session".into(), session);
    if let Some(s) = secrets.get("app_secret") {
        obj.insert("app_secret".into(), s.clone());
    }
    svara::SendRequest::from_json(&Value::Object(obj).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> Vec<u8> {
        v.to_string().into_bytes()
    }

    fn documented() -> Value {
        json!({
            "platform": "messenger",
            "recipient": "6128493027184956",
            "audio_url": "https://cdn.example.com/notes/update.m4a",
            "session": {"page_access_token": "EAAsecret-token"},
        })
    }

    #[test]
    fn the_documented_body_splits_into_request_and_secrets() {
        let p = parse(&body(documented()), &UrlPolicy::default()).unwrap();
        assert_eq!(p.platform, "messenger");
        assert_eq!(p.recipient, "6128493027184956");
        assert_eq!(
            p.source,
            Source::Url("https://cdn.example.com/notes/update.m4a".into())
        );
        let stored = Value::Object(p.stored.clone()).to_string();
        assert!(!stored.contains("EAAsecret"), "{stored}");
        assert!(
            !stored.contains("cdn.example.com"),
            "signed URLs are sealed too"
        );
        assert_eq!(p.secrets["session"]["page_access_token"], "EAAsecret-token");
        let rebuilt = core_request(&p.stored, &p.secrets).unwrap();
        assert_eq!(rebuilt.recipient, "6128493027184956");
        assert_eq!(
            rebuilt.session.page_access_token.unwrap().expose(),
            "EAAsecret-token"
        );
        // A job sealed before the server took every platform held the Page token alone.
        let legacy: Map<String, Value> =
            serde_json::from_value(json!({"page_access_token": "EAAold"})).unwrap();
        let rebuilt = core_request(&p.stored, &legacy).unwrap();
        assert_eq!(
            rebuilt.session.page_access_token.unwrap().expose(),
            "EAAold"
        );
    }

    #[test]
    fn every_platforms_session_is_sealed_whole() {
        let mut v = documented();
        v["platform"] = json!("whatsapp");
        v["recipient"] = json!("16505550101");
        v["session"] =
            json!({"access_token": "EAAwa-secret", "phone_number_id": "106540352242922"});
        let p = parse(&body(v), &UrlPolicy::default()).unwrap();
        assert_eq!(p.platform, "whatsapp");
        let stored = Value::Object(p.stored.clone()).to_string();
        assert!(!stored.contains("EAAwa-secret"), "{stored}");
        assert_eq!(p.secrets["session"]["phone_number_id"], "106540352242922");
        let rebuilt = core_request(&p.stored, &p.secrets).unwrap();
        assert_eq!(rebuilt.platform, "whatsapp");
        assert_eq!(
            rebuilt.session.phone_number_id.as_deref(),
            Some("106540352242922")
        );
        // Two numbers of one token are two senders (two clients, two paces).
        let mut other = documented();
        other["platform"] = json!("whatsapp");
        other["recipient"] = json!("16505550101");
        other["session"] = json!({"access_token": "EAAwa-secret", "phone_number_id": "999"});
        let q = parse(&body(other), &UrlPolicy::default()).unwrap();
        assert_ne!(
            canonical_json(&p.client_material),
            canonical_json(&q.client_material)
        );
    }

    #[test]
    fn bad_bodies_get_their_documented_errors() {
        let policy = UrlPolicy::default();
        let code = |b: &[u8]| parse(b, &policy).unwrap_err();
        assert_eq!(code(b"{not json").code, ApiErrorCode::BadRequest);
        assert_eq!(code(b"[1,2]").code, ApiErrorCode::BadRequest);
        let mut v = documented();
        v["audio_ulr"] = json!("x");
        let e = code(&body(v));
        assert_eq!(e.code, ApiErrorCode::InvalidParameter);
        assert_eq!(e.details.unwrap()["param"], "audio_ulr");
        let mut v = documented();
        v["platform"] = json!("slack");
        assert_eq!(code(&body(v)).code, ApiErrorCode::UnprocessableEntity);
        let mut v = documented();
        v["platform"] = json!("telegram");
        let e = code(&body(v));
        assert_eq!(
            e.details.unwrap()["param"],
            "session.bot_token",
            "{}",
            e.message
        );
        let mut v = documented();
        v["session"] = json!({});
        let e = code(&body(v));
        assert_eq!(e.details.unwrap()["param"], "session.page_access_token");
        let mut v = documented();
        v["audio_path"] = json!("/etc/passwd");
        assert_eq!(code(&body(v)).details.unwrap()["param"], "audio_path");
        let mut v = documented();
        v["bitrate"] = json!(5);
        let e = code(&body(v));
        assert_eq!(e.details.unwrap()["param"], "bitrate");
        let mut v = documented();
        v["audio_url"] = json!("http://169.254.169.254/latest/meta-data/");
        assert_eq!(code(&body(v)).code, ApiErrorCode::UnprocessableEntity);
        let mut v = documented();
        v["attachment_id"] = json!("123");
        assert!(code(&body(v)).message.contains("Several audio sources"));
        let mut v = documented();
        v["recipient"] = json!("");
        assert_eq!(code(&body(v)).details.unwrap()["param"], "recipient");
        let mut v = documented();
        v["session"] = json!({"page_access_token": "EAAleak", "extra": "EAAleak2"});
        let e = code(&body(v));
        assert!(!e.message.contains("EAAleak"), "{}", e.message);
    }

    #[test]
    fn canonical_json_ignores_key_order() {
        let a: Value =
            serde_json::from_str(r#"{"b":1,"a":{"y":2,"x":[1,{"q":1,"p":2}]}}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"a":{"x":[1,{"p":2,"q":1}],"y":2},"b":1}"#).unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(
            String::from_utf8(canonical_json(&a)).unwrap(),
            r#"{"a":{"x":[1,{"p":2,"q":1}],"y":2},"b":1}"#
        );
    }

    #[test]
    fn core_fields_are_read_from_the_core() {
        let f = core_fields();
        for name in [
            "platform",
            "recipient",
            "audio_url",
            "session",
            "bitrate",
            "tag",
        ] {
            assert!(f.iter().any(|x| x == name), "{name} in {f:?}");
        }
    }
}
