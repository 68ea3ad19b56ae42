//! What Meta's three APIs (Messenger, Instagram, WhatsApp Cloud) share: the Graph API URL
//! (`{base}/{version}/{node}/{edge}`), the token and `appsecret_proof` fields, the error
//! envelope `{"error": {"message", "type", "code", "error_subcode", "error_data",
//! "fbtrace_id", "is_transient"}}`, and Meta's pause hints (`Retry-After`,
//! `X-Business-Use-Case-Usage`). What a code means is each platform's own table.

use super::{body_snippet, redact, Call, Failure, Retry};
use crate::client::{appsecret_proof, AuthFields, ClientConfig, TokenPlacement};
use crate::error::{Error, ErrorCode, GraphError, Result};
use crate::secret::PageToken;
use reqwest::header::HeaderMap;
use std::time::Duration;

/// How long Meta asks us to wait: `X-Business-Use-Case-Usage`'s largest
/// `estimated_time_to_regain_access` (minutes), else a `Retry-After` header (seconds).
pub(crate) fn retry_after_from_headers(headers: &HeaderMap) -> Option<Duration> {
    let buc = headers
        .get("x-business-use-case-usage")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_buc_minutes)
        .filter(|m| *m > 0.0)
        .map(|m| Duration::from_secs_f64(m * 60.0));
    buc.or_else(|| retry_after_header(headers))
}

/// An HTTP `Retry-After` header in seconds.
pub(crate) fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map(Duration::from_secs)
}

/// The largest `estimated_time_to_regain_access` in an `X-Business-Use-Case-Usage` value:
/// `{"<business-object-id>": [{"type": "messenger", "call_count": 100, ...,
/// "estimated_time_to_regain_access": 5}], ...}`.
pub fn parse_buc_minutes(header: &str) -> Option<f64> {
    let v: serde_json::Value = serde_json::from_str(header).ok()?;
    v.as_object()?
        .values()
        .filter_map(|entries| entries.as_array())
        .flatten()
        .filter_map(|e| e.get("estimated_time_to_regain_access"))
        .filter_map(|m| m.as_f64().or_else(|| m.as_str()?.parse().ok()))
        .reduce(f64::max)
}

/// `{base}/{version}/{node}/{edge}`, never with a token in it.
pub(crate) fn graph_url(base: &str, version: &str, node: &str, edge: &str) -> Result<url::Url> {
    let mut url = url::Url::parse(base)
        .map_err(|e| Error::invalid_request(format!("graph_url is not a valid URL ({e}).")))?;
    url.path_segments_mut()
        .map_err(|_| {
            Error::invalid_request("graph_url cannot be a base URL (use http(s)://host).")
        })?
        .pop_if_empty()
        .push(version)
        .push(node)
        .push(edge);
    Ok(url)
}

/// The fields that authenticate a Graph call in its body: `access_token` (unless the token
/// travels in the `Authorization` header) and `appsecret_proof` (with an app secret).
pub(crate) fn auth_fields(config: &ClientConfig, placement: TokenPlacement) -> AuthFields {
    let mut auth = Vec::new();
    if placement == TokenPlacement::FormField {
        auth.push(("access_token", config.token.expose().to_owned()));
    }
    if let Some(secret) = &config.app_secret {
        auth.push(("appsecret_proof", appsecret_proof(secret, &config.token)));
    }
    AuthFields(auth)
}

/// What a platform's table says about one Graph error: the Svara code, whether to retry, and
/// what it means in a sentence.
pub(crate) type Meaning = (ErrorCode, Retry, &'static str);

/// How a platform reads the Graph answers of its calls.
pub(crate) struct GraphReader<'a> {
    /// Who answered, in sentences ("The Graph API", "WhatsApp").
    pub who: &'static str,
    /// How the error's numbers are introduced ("Graph error", "WhatsApp error").
    pub label: &'static str,
    /// The token, scrubbed from everything echoed.
    pub token: &'a PageToken,
    /// Which call failed.
    pub call: Call,
    /// Whether a server error (HTTP 5xx without a Graph error body) to a send is retried:
    /// Messenger's long-standing choice; Instagram and WhatsApp treat it as "may have been
    /// delivered" (research section 3.8 and 2.9), uploads are always retried.
    pub retry_server_errors_on_send: bool,
}

impl GraphReader<'_> {
    /// Turns an error answer (any status, any body) into a [`Failure`] by `classify`.
    pub(crate) fn read(
        &self,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
        classify: impl Fn(&GraphError) -> Meaning,
    ) -> Failure {
        let retry_after = retry_after_from_headers(headers);
        let parsed = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("error").cloned())
            .and_then(|e| {
                let details = e
                    .pointer("/error_data/details")
                    .and_then(|d| d.as_str())
                    .map(str::to_owned);
                serde_json::from_value::<GraphError>(e)
                    .ok()
                    .map(|g| (g, details))
            });
        let (err, retry) = match parsed {
            Some((mut g, details)) => {
                g.message = redact(&g.message, self.token);
                let (code, retry, what) = classify(&g);
                let pair = match g.subcode {
                    Some(s) => format!("{}/{}", g.code, s),
                    None => g.code.to_string(),
                };
                let trace = g
                    .fbtrace_id
                    .as_deref()
                    .map(|t| format!(", fbtrace_id {t}"))
                    .unwrap_or_default();
                let details = details
                    .map(|d| format!(" ({})", redact(d.trim(), self.token)))
                    .unwrap_or_default();
                let msg = format!(
                    "{what} ({} {pair}, HTTP {status}{trace}): {}{details}",
                    self.label,
                    g.message.trim()
                );
                (Error::new(code, msg).with_graph(g), retry)
            }
            None => {
                // 5xx and proxy errors are often HTML or empty: never assume JSON.
                let snippet = body_snippet(body, self.token);
                let server = (500..=599).contains(&status);
                let (code, retry, what) = match status {
                    429 => (
                        ErrorCode::RateLimited,
                        Retry::Yes,
                        "answered 429 Too Many Requests",
                    ),
                    _ if server => (
                        ErrorCode::TemporaryFailure,
                        if self.call == Call::Upload || self.retry_server_errors_on_send {
                            Retry::Yes
                        } else {
                            Retry::No
                        },
                        "had a server error",
                    ),
                    _ => (
                        ErrorCode::ApiError,
                        Retry::No,
                        "answered with an error Svara could not read",
                    ),
                };
                let mut e = Error::new(
                    code,
                    format!(
                        "{} {what} (HTTP {status}, not a Graph error body){snippet}",
                        self.who
                    ),
                );
                if server && retry == Retry::No && self.call == Call::Send {
                    e = e.with_may_have_been_delivered(true);
                }
                (e, retry)
            }
        };
        let mut err = err.with_http_status(status);
        if let Some(wait) = retry_after {
            err = err.with_retry_after(wait);
        }
        Failure::new(err, retry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buc_header_minutes() {
        let h = r#"{"112233":[{"type":"messenger","call_count":100,"total_cputime":20,"total_time":30,"estimated_time_to_regain_access":3},{"type":"pages","estimated_time_to_regain_access":1}]}"#;
        assert_eq!(parse_buc_minutes(h), Some(3.0));
        assert_eq!(parse_buc_minutes("not json"), None);
    }

    #[test]
    fn redacts_echoed_tokens() {
        let t = PageToken::new("EAAsecret123");
        assert_eq!(
            redact("bad token EAAsecret123!", &t),
            "bad token <redacted>!"
        );
        assert!(!body_snippet(b"<html>EAAsecret123</html>", &t).contains("EAAsecret123"));
    }

    #[test]
    fn details_are_kept_and_scrubbed() {
        let t = PageToken::new("EAAsecret123");
        let reader = GraphReader {
            who: "WhatsApp",
            label: "WhatsApp error",
            token: &t,
            call: Call::Send,
            retry_server_errors_on_send: false,
        };
        let body = br#"{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_data":{"messaging_product":"whatsapp","details":"More than 24 hours EAAsecret123"},"fbtrace_id":"Ab1"}}"#;
        let f = reader.read(400, &HeaderMap::new(), body, |_| {
            (ErrorCode::MessageNotAllowed, Retry::No, "Closed")
        });
        assert_eq!(f.error.code(), ErrorCode::MessageNotAllowed);
        assert_eq!(f.error.graph_code(), Some(131047));
        assert!(
            f.error.message().contains("More than 24 hours"),
            "{}",
            f.error
        );
        assert!(!f.error.message().contains("EAAsecret123"));
        let f = reader.read(
            502,
            &HeaderMap::new(),
            b"<html>bad gateway</html>",
            |_| unreachable!(),
        );
        assert_eq!(f.retry, Retry::No);
        assert!(f.error.may_have_been_delivered());
    }
}
