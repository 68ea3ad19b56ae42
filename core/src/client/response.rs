//! Reading a Graph API answer: an error body (or a body that is not one: HTML, empty, a proxy's
//! page) becomes an [`Error`] with its retry class, Meta's pause hints (`Retry-After`,
//! `X-Business-Use-Case-Usage`) become `retry_after`, and anything echoed back is scrubbed of
//! the token. What a `(code, subcode)` pair means is [`super::graph_codes`]' business.

use super::graph_codes::{classify_graph_error, RequestContext, Retry};
use crate::error::ErrorCode as E;
use crate::error::{Error, GraphError};
use crate::secret::PageToken;
use reqwest::header::HeaderMap;
use std::time::Duration;
use Retry::{No, Yes};

/// Replaces every occurrence of the token in text that came from the network.
pub fn redact(text: &str, token: &PageToken) -> String {
    let t = token.expose();
    if t.len() >= 4 && text.contains(t) {
        text.replace(t, "<redacted>")
    } else {
        text.to_owned()
    }
}

/// How long Meta asks us to wait: `X-Business-Use-Case-Usage`'s largest
/// `estimated_time_to_regain_access` (minutes), else a `Retry-After` header (seconds).
pub fn retry_after_from_headers(headers: &HeaderMap) -> Option<Duration> {
    let buc = headers
        .get("x-business-use-case-usage")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_buc_minutes)
        .filter(|m| *m > 0.0)
        .map(|m| Duration::from_secs_f64(m * 60.0));
    buc.or_else(|| {
        headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| s.trim().parse::<u64>().ok())
            .filter(|s| *s > 0)
            .map(Duration::from_secs)
    })
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

/// Turns an error response (any status, any body) into an [`Error`], with its retry class.
pub fn error_from_response(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    token: &PageToken,
    ctx: RequestContext,
) -> (Error, Retry) {
    let retry_after = retry_after_from_headers(headers);
    #[derive(serde::Deserialize)]
    struct Envelope {
        error: GraphError,
    }
    let (err, retry) = match serde_json::from_slice::<Envelope>(body) {
        Ok(Envelope { error: mut g }) => {
            g.message = redact(&g.message, token);
            let (code, retry, what) = classify_graph_error(&g, ctx);
            let pair = match g.subcode {
                Some(s) => format!("{}/{}", g.code, s),
                None => g.code.to_string(),
            };
            let trace = g
                .fbtrace_id
                .as_deref()
                .map(|t| format!(", fbtrace_id {t}"))
                .unwrap_or_default();
            let msg = format!(
                "{what} (Graph error {pair}, HTTP {status}{trace}): {}",
                g.message.trim()
            );
            (Error::new(code, msg).with_graph(g), retry)
        }
        Err(_) => {
            // 5xx and proxy errors are often HTML or empty: never assume JSON.
            let snippet = body_snippet(body, token);
            let (code, retry, what) = match status {
                429 => (
                    E::RateLimited,
                    Yes,
                    "The Graph API answered 429 Too Many Requests",
                ),
                500..=599 => (E::TemporaryFailure, Yes, "The Graph API had a server error"),
                _ => (
                    E::ApiError,
                    No,
                    "The Graph API answered with an error Svara could not read",
                ),
            };
            (
                Error::new(
                    code,
                    format!("{what} (HTTP {status}, not a Graph error body){snippet}"),
                ),
                retry,
            )
        }
    };
    let mut err = err.with_http_status(status);
    if let Some(wait) = retry_after {
        err = err.with_retry_after(wait);
    }
    (err, retry)
}

/// The start of a response body, for an error message: one line, at most 200 characters,
/// token removed.
pub fn body_snippet(body: &[u8], token: &PageToken) -> String {
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
}
