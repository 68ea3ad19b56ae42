//! Signed webhooks of the Svara API server (`svara serve`): the signature scheme, so that a
//! receiver written in Rust can check that an event came from its server and is fresh, and so
//! that the server signs with the very same code. The Python (`svara.webhooks.verify`) and Node
//! (`verifyWebhook`) helpers implement the same scheme; `tests/webhook_vectors.json` holds the
//! vectors all three check, so they cannot drift.
//!
//! The scheme is Stripe's: the header `Svara-Signature: t=UNIX_SECONDS,v1=HEX[,v1=HEX…]` where
//! each `v1` is the lowercase hex HMAC-SHA256, keyed with the endpoint's secret (the whole
//! `whsec_…` string), of `"{t}.{raw_body}"`. During a secret rotation the server sends one `v1`
//! per live secret; a receiver accepts the event when any of them matches its secret. The
//! timestamp guards against replays: it must be within `tolerance` of the receiver's clock, in
//! either direction.
//!
//! ```
//! use std::time::Duration;
//! let secret = "whsec_test_secret";
//! let body = br#"{"id":"evt_1","event":"voice_note.sent"}"#;
//! let header = svara::webhooks::signature_header(body, &[secret], svara::webhooks::unix_now());
//! svara::webhooks::verify(body, &header, secret, Duration::from_secs(300)).unwrap();
//! let tampered = br#"{"id":"evt_1","event":"voice_note.read"}"#;
//! let err = svara::webhooks::verify(tampered, &header, secret, Duration::from_secs(300)).unwrap_err();
//! assert_eq!(err.code(), "invalid_signature");
//! ```

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Svara-Signature";
/// The header carrying the event id (the same for every retry of one event: de-duplicate on it).
pub const EVENT_ID_HEADER: &str = "Svara-Event-Id";
/// The tolerance the helpers use by default: five minutes, as Stripe's.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);
/// The prefix of webhook signing secrets.
pub const SECRET_PREFIX: &str = "whsec_";

/// Why a webhook did not verify. [`WebhookError::code`] is the same string in every Svara
/// package.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The `Svara-Signature` header is absent or empty.
    #[error("No Svara-Signature header: pass the header of the request exactly as received.")]
    MissingHeader,
    /// The header has no `t=` timestamp, a timestamp that is not a whole number, or no `v1=`.
    #[error("The Svara-Signature header is malformed (expected t=UNIX_SECONDS,v1=HEX): pass the header exactly as received.")]
    InvalidHeader,
    /// The timestamp is further than the tolerance from now (a replay, or a skewed clock).
    #[error("The webhook's timestamp is {skew_seconds} s away from this machine's clock, beyond the tolerance of {tolerance_seconds} s: it may be a replay (or this clock is wrong).")]
    TimestampOutOfTolerance {
        /// |now - t| in seconds.
        skew_seconds: u64,
        /// The tolerance in seconds.
        tolerance_seconds: u64,
    },
    /// No `v1` matches: a wrong secret, or a body that is not the raw body as received.
    #[error("No signature matches: check the endpoint's secret (whsec_…), and verify the raw request body, not a re-serialized copy of the parsed JSON.")]
    InvalidSignature,
}

impl WebhookError {
    /// The documented code: `missing_header`, `invalid_header`, `timestamp_out_of_tolerance`
    /// or `invalid_signature`.
    pub fn code(&self) -> &'static str {
        match self {
            WebhookError::MissingHeader => "missing_header",
            WebhookError::InvalidHeader => "invalid_header",
            WebhookError::TimestampOutOfTolerance { .. } => "timestamp_out_of_tolerance",
            WebhookError::InvalidSignature => "invalid_signature",
        }
    }
}

/// Seconds since the Unix epoch on this machine's clock.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn mac(secret: &str, timestamp: i64, payload: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// The `v1` signature: lowercase hex HMAC-SHA256 of `"{timestamp}.{payload}"` keyed with
/// `secret`.
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    hex::encode(mac(secret, timestamp, payload).finalize().into_bytes())
}

/// The `Svara-Signature` value for `payload` at `timestamp`: one `v1` per secret (the current
/// one first, then those still valid during a rotation). Also a test signer for receivers.
pub fn signature_header(payload: &[u8], secrets: &[&str], timestamp: i64) -> String {
    let mut h = format!("t={timestamp}");
    for s in secrets {
        h.push_str(",v1=");
        h.push_str(&sign(payload, s, timestamp));
    }
    h
}

/// A parsed `Svara-Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// `t`.
    pub timestamp: i64,
    /// Every `v1` value, as given.
    pub signatures: Vec<String>,
}

/// Parses a header: comma-separated `key=value` pairs, exactly one `t` (a whole number) and at
/// least one `v1`; other schemes are ignored.
pub fn parse_header(header: &str) -> Result<SignatureHeader, WebhookError> {
    if header.trim().is_empty() {
        return Err(WebhookError::MissingHeader);
    }
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        match k.trim() {
            "t" => {
                let t = v.trim();
                if timestamp.is_some() || t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(WebhookError::InvalidHeader);
                }
                timestamp = Some(t.parse::<i64>().map_err(|_| WebhookError::InvalidHeader)?);
            }
            "v1" => signatures.push(v.trim().to_owned()),
            _ => {}
        }
    }
    match timestamp {
        Some(timestamp) if !signatures.is_empty() => Ok(SignatureHeader {
            timestamp,
            signatures,
        }),
        _ => Err(WebhookError::InvalidHeader),
    }
}

/// Verifies a webhook: `payload` is the raw request body, `header` the `Svara-Signature` value,
/// `secret` the endpoint's `whsec_…` secret, `tolerance` how far the timestamp may be from now
/// (use [`DEFAULT_TOLERANCE`]). Signatures are compared in constant time.
pub fn verify(
    payload: &[u8],
    header: &str,
    secret: &str,
    tolerance: Duration,
) -> Result<(), WebhookError> {
    verify_at(payload, header, secret, tolerance, unix_now())
}

/// [`verify`] against a given clock (Unix seconds), for tests.
pub fn verify_at(
    payload: &[u8],
    header: &str,
    secret: &str,
    tolerance: Duration,
    now: i64,
) -> Result<(), WebhookError> {
    let parsed = parse_header(header)?;
    let skew = now.abs_diff(parsed.timestamp);
    if skew > tolerance.as_secs() {
        return Err(WebhookError::TimestampOutOfTolerance {
            skew_seconds: skew,
            tolerance_seconds: tolerance.as_secs(),
        });
    }
    let expected = mac(secret, parsed.timestamp, payload);
    let matched = parsed.signatures.iter().any(|s| {
        hex::decode(s)
            .map(|given| expected.clone().verify_slice(&given).is_ok())
            .unwrap_or(false)
    });
    if matched {
        Ok(())
    } else {
        Err(WebhookError::InvalidSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn vectors() -> Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/webhook_vectors.json");
        serde_json::from_str(&std::fs::read_to_string(path).expect("the shared vectors"))
            .expect("JSON")
    }

    #[test]
    fn signs_like_the_shared_vectors() {
        let v = vectors();
        let signing = v["signing"].as_array().unwrap();
        assert!(!signing.is_empty());
        for case in signing {
            let secret = case["secret"].as_str().unwrap();
            let t = case["timestamp"].as_i64().unwrap();
            let payload = case["payload"].as_str().unwrap().as_bytes();
            assert_eq!(
                sign(payload, secret, t),
                case["signature"].as_str().unwrap(),
                "{case}"
            );
            if let Some(h) = case["header"].as_str() {
                let secrets: Vec<&str> = case["header_secrets"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap())
                    .collect();
                assert_eq!(signature_header(payload, &secrets, t), h);
            }
        }
    }

    #[test]
    fn verifies_like_the_shared_vectors() {
        let v = vectors();
        let cases = v["verify"].as_array().unwrap();
        assert!(cases.len() >= 8);
        for case in cases {
            let r = verify_at(
                case["payload"].as_str().unwrap().as_bytes(),
                case["header"].as_str().unwrap(),
                case["secret"].as_str().unwrap(),
                Duration::from_secs(case["tolerance"].as_u64().unwrap()),
                case["now"].as_i64().unwrap(),
            );
            match case["error"].as_str() {
                None => assert!(r.is_ok(), "{}: {r:?}", case["name"]),
                Some(code) => {
                    assert_eq!(r.unwrap_err().code(), code, "{}", case["name"])
                }
            }
        }
    }

    #[test]
    fn messages_say_what_to_do_and_hold_no_secret() {
        let e = verify_at(b"{}", "t=1,v1=00", "whsec_abc", DEFAULT_TOLERANCE, 1).unwrap_err();
        assert!(e.to_string().contains("raw request body"), "{e}");
        assert!(!e.to_string().contains("whsec_abc"));
        let stale = verify_at(b"{}", "t=1,v1=00", "whsec_abc", DEFAULT_TOLERANCE, 1000);
        assert_eq!(stale.unwrap_err().code(), "timestamp_out_of_tolerance");
    }
}
