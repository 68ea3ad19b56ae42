//! Downloading a URL source within the limits, before the audio engine sees it: http(s) only,
//! at most 5 redirects, connect and total timeouts, and a download that stops as soon as it
//! passes the limit (25 MB; Telegram's 50 MB) whether or not a Content-Length was sent (part of
//! `crate::source`).

use crate::audio::MAX_AUDIO_BYTES;
use crate::error::{Error, ErrorCode, Result};
use crate::source::too_large_within;
use reqwest::header::CONTENT_TYPE;
use std::time::Duration;

/// Most redirects a URL source may take.
pub const MAX_REDIRECTS: usize = 5;

/// Why a redirect was refused; surfaces in the `audio_fetch_failed` message.
#[derive(Debug)]
struct RedirectRefused(String);

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedirectRefused {}

/// The redirect policy of the client's HTTP pool: at most [`MAX_REDIRECTS`], http(s) only.
pub fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            let msg = format!("it redirected more than {MAX_REDIRECTS} times (a redirect loop?)");
            attempt.error(RedirectRefused(msg))
        } else if !matches!(attempt.url().scheme(), "http" | "https") {
            let msg = format!(
                "it redirected to a {:?} URL; only http and https are followed",
                attempt.url().scheme()
            );
            attempt.error(RedirectRefused(msg))
        } else {
            attempt.follow()
        }
    })
}

/// A URL as shown in messages: scheme, host and path, without the query (signed URLs carry
/// credentials there) or user info.
pub fn display_url(url: &url::Url) -> String {
    format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port().map(|p| format!(":{p}")).unwrap_or_default()
    ) + url.path()
}

fn fetch_failed(url: &str, why: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::AudioFetchFailed,
        format!("Could not download the audio from {url}: {why}."),
    )
}

/// The deepest readable cause of a reqwest error, without its URL.
pub fn describe_reqwest_error(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<RedirectRefused>() {
            return r.0.clone();
        }
        parts.push(s.to_string());
        source = s.source();
    }
    if parts.is_empty() {
        parts.push(if e.is_timeout() {
            "timed out".to_owned()
        } else {
            "request failed".to_owned()
        });
    }
    parts.dedup();
    parts.join(": ")
}

/// Downloads `url` (already checked to be http or https) into memory, at most 25 MB.
pub async fn fetch_url(
    http: &reqwest::Client,
    url: &url::Url,
    timeout: Duration,
) -> Result<Vec<u8>> {
    fetch_url_within(http, url, timeout, MAX_AUDIO_BYTES).await
}

/// [`fetch_url`] with a limit of `max` bytes.
pub async fn fetch_url_within(
    http: &reqwest::Client,
    url: &url::Url,
    timeout: Duration,
    max: u64,
) -> Result<Vec<u8>> {
    let shown = display_url(url);
    let work = async {
        let resp = http
            .get(url.clone())
            .timeout(timeout)
            .header(reqwest::header::ACCEPT, "audio/*, */*;q=0.5")
            .send()
            .await
            .map_err(|e| fetch_failed(&shown, cause(&e, timeout)))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(
                fetch_failed(&shown, format_args!("the server answered HTTP {status}"))
                    .with_http_status(status.as_u16()),
            );
        }
        let content_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if is_web_page_type(&content_type) {
            return Err(fetch_failed(
                &shown,
                format_args!(
                    "it served a web page ({content_type}) instead of audio; use a direct link to the audio file"
                ),
            ));
        }
        if resp.content_length().is_some_and(|n| n > max) {
            return Err(too_large_within(
                format_args!(
                    "The audio at {shown} ({} bytes by its Content-Length)",
                    resp.content_length().unwrap_or_default()
                ),
                max,
            ));
        }
        let mut resp = resp;
        let mut data = Vec::with_capacity(resp.content_length().unwrap_or(0) as usize);
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| fetch_failed(&shown, cause(&e, timeout)))?
        {
            if data.len() as u64 + chunk.len() as u64 > max {
                return Err(too_large_within(
                    format_args!(
                        "The audio at {shown} (the download passed {max} bytes and was stopped)"
                    ),
                    max,
                ));
            }
            data.extend_from_slice(&chunk);
        }
        if looks_like_html(&data) {
            return Err(fetch_failed(
                &shown,
                "it served an HTML page instead of audio; use a direct link to the audio file",
            ));
        }
        if data.is_empty() {
            return Err(fetch_failed(&shown, "the server sent an empty body"));
        }
        Ok(data)
    };
    // reqwest's own timeout covers the body too; this is the backstop for a dripping server.
    match tokio::time::timeout(timeout + Duration::from_millis(50), work).await {
        Ok(r) => r,
        Err(_) => Err(fetch_failed(
            &shown,
            format_args!("it did not finish within {:.1} s", timeout.as_secs_f64()),
        )),
    }
}

fn cause(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        format!("it did not finish within {:.1} s", timeout.as_secs_f64())
    } else {
        describe_reqwest_error(e)
    }
}

fn is_web_page_type(content_type: &str) -> bool {
    content_type.starts_with("text/html") || content_type.starts_with("application/xhtml")
}

fn looks_like_html(data: &[u8]) -> bool {
    let head: Vec<u8> = data
        .iter()
        .skip_while(|b| b.is_ascii_whitespace() || **b == 0xEF || **b == 0xBB || **b == 0xBF)
        .take(15)
        .map(u8::to_ascii_lowercase)
        .collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

/// Parses an audio URL given by the caller: only http and https are accepted.
pub fn parse_audio_url(raw: &str) -> Result<url::Url> {
    let url = url::Url::parse(raw.trim()).map_err(|e| {
        Error::invalid_request(format!(
            "audio_url is not a valid URL ({e}); pass an absolute http(s) URL such as https://cdn.example.com/note.m4a."
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid_request(format!(
            "audio_url must be an http or https URL, not {:?}; for a local file use audio_path.",
            url.scheme()
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_sniffing_and_url_display() {
        assert!(looks_like_html(b"  <!DOCTYPE html><html>"));
        assert!(looks_like_html(b"<HTML><body>"));
        assert!(!looks_like_html(b"\0\0\0\x20ftypM4A "));
        let u = url::Url::parse("https://user:pw@cdn.example.com:8443/a/b.m4a?sig=secret").unwrap();
        assert_eq!(display_url(&u), "https://cdn.example.com:8443/a/b.m4a");
        assert_eq!(
            parse_audio_url("ftp://x/y").unwrap_err().code(),
            ErrorCode::InvalidRequest
        );
    }
}
