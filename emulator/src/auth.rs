//! Who is calling: the Page access token (query `access_token`, a form or JSON field, or
//! `Authorization: Bearer`), the Page it belongs to, and `appsecret_proof` when an app secret is
//! configured. The token is compared and hashed here and never logged or echoed.

use crate::config::{EmulatorConfig, PageConfig};
use crate::graph_error::GraphErrorReply;
use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::borrow::Cow;

/// The token found in the request, from the first place that has one: the `access_token`
/// parameter (query, form or JSON field; `oauth_token` also works), then `Authorization:
/// Bearer` (or `OAuth`).
pub(crate) fn find_token(param: Option<&str>, headers: &HeaderMap) -> Option<String> {
    if let Some(t) = param.filter(|t| !t.trim().is_empty()) {
        return Some(t.trim().to_owned());
    }
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// `appsecret_proof` for `token`: lowercase hex HMAC-SHA256 keyed with the app secret, by the
/// client's own [`svara::appsecret_proof`] (same argument order).
pub fn appsecret_proof(app_secret: &str, token: &str) -> String {
    svara::appsecret_proof(
        &svara::AppSecret::new(app_secret),
        &svara::PageToken::new(token),
    )
}

/// Resolves the calling Page and checks the proof.
pub(crate) fn authenticate<'c>(
    config: &'c EmulatorConfig,
    token: Option<&str>,
    proof: Option<&str>,
) -> Result<Cow<'c, PageConfig>, GraphErrorReply> {
    let token = token.ok_or_else(GraphErrorReply::token_missing)?;
    let (page, expired) = config
        .page_for_token(token)
        .ok_or_else(GraphErrorReply::token_invalid)?;
    if expired {
        return Err(GraphErrorReply::token_expired());
    }
    if let Some(secret) = &config.app_secret {
        match proof.map(str::trim).filter(|p| !p.is_empty()) {
            None if config.require_appsecret_proof => return Err(GraphErrorReply::proof_missing()),
            None => {}
            Some(p) => {
                let Ok(raw) = hex::decode(p) else {
                    return Err(GraphErrorReply::proof_invalid());
                };
                let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
                    .expect("HMAC takes any key");
                mac.update(token.as_bytes());
                if mac.verify_slice(&raw).is_err() {
                    return Err(GraphErrorReply::proof_invalid());
                }
            }
        }
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn proof_is_lowercase_hex_hmac() {
        // RFC 4231 test case 2.
        assert_eq!(
            appsecret_proof("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn token_from_param_then_header() {
        let mut h = HeaderMap::new();
        assert_eq!(find_token(None, &h), None);
        h.insert("authorization", HeaderValue::from_static("Bearer abc"));
        assert_eq!(find_token(None, &h).as_deref(), Some("abc"));
        assert_eq!(find_token(Some("xyz"), &h).as_deref(), Some("xyz"));
        assert_eq!(find_token(Some(" "), &h).as_deref(), Some("abc"));
    }
}
