//! Webhook URLs are user input, and the server makes requests to them on behalf of whoever
//! holds an API key, so they get the same guard as `audio_url`: http(s) only, no credentials in
//! the URL, private, link-local and other non-public addresses refused (address literals when
//! the URL is registered, names by the resolver where the connection is made), no redirects
//! followed, a 10 s timeout and a bounded read of the answer. `--allow-private-urls` lifts the
//! address rule; the webhooks of test keys may reach loopback (a receiver on the developer's
//! machine) but no other private range.

use crate::keys::Mode;
use crate::ssrf::UrlPolicy;

/// Longest webhook URL accepted.
pub const MAX_URL_LEN: usize = 2048;
/// Bytes of a receiver's answer kept in the attempt record.
pub const KEPT_RESPONSE_BYTES: usize = 4096;
/// Bytes of a receiver's answer read at most (the rest is not read: the connection is dropped).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// The address policy of webhooks of a key mode.
pub fn policy(mode: Mode, allow_private: bool) -> UrlPolicy {
    UrlPolicy {
        allow_private,
        allowed_origins: Vec::new(),
        allow_loopback: mode == Mode::Test,
    }
}

/// Checks a webhook URL as given by a caller; the error says how to fix it.
pub fn validate(raw: &str, policy: &UrlPolicy) -> Result<url::Url, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("the URL is empty; give the https:// address of your receiver".to_owned());
    }
    if raw.len() > MAX_URL_LEN {
        return Err(format!("the URL is longer than {MAX_URL_LEN} characters"));
    }
    let url = url::Url::parse(raw).map_err(|e| {
        format!("it is not a URL ({e}); give e.g. https://example.com/svara-webhook")
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "{:?} URLs are not called; only http and https",
            url.scheme()
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "credentials in the URL are not accepted; verify the Svara-Signature header instead (or put a token in the query)"
                .to_owned(),
        );
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".to_owned());
    }
    policy.check_url(&url)?;
    Ok(url)
}

/// A URL as it may be shown in a log line: scheme, host, port and path, never the query (it may
/// hold a token).
pub fn shown(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => "(a webhook URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_it_should() {
        let live = policy(Mode::Live, false);
        let test = policy(Mode::Test, false);
        assert!(validate("https://example.com/hook?token=x", &live).is_ok());
        for bad in [
            "ftp://example.com/hook",
            "file:///etc/passwd",
            "https://user:pass@example.com/hook",
            "http://127.0.0.1:8080/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://10.0.0.7/hook",
            "not a url",
            "",
        ] {
            assert!(validate(bad, &live).is_err(), "{bad}");
        }
        assert!(validate("http://127.0.0.1:8080/hook", &test).is_ok());
        assert!(validate("http://10.0.0.7/hook", &test).is_err());
        assert!(validate("http://10.0.0.7/hook", &policy(Mode::Live, true)).is_ok());
        assert_eq!(
            shown("https://example.com:8443/a/b?token=secret#x"),
            "https://example.com:8443/a/b"
        );
    }
}
