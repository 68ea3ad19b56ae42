//! Downloads `payload.url` the way Meta does: within a time limit (10 s; 75 s for video), a
//! size limit (25 MB; 8 MB for images, checked against Content-Length and while streaming),
//! only http(s) (a redirect elsewhere, `file://` included, is a failed fetch) and only when
//! the server says the body is of the attachment's type. It notes whether the URL led only to
//! public addresses (`url_public`); with `public_urls_only` it refuses loopback and private
//! addresses before connecting, as Meta's servers could not reach them.

use crate::config::FetchConfig;
use crate::graph_error::GraphErrorReply;
use crate::media_check::declared_type_matches;
use crate::message::MessageKind;
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// What a successful download gives.
pub(crate) struct Fetched {
    pub bytes: Bytes,
    pub content_type: String,
    /// Every address the URL (and its last redirect) resolved to is public.
    pub url_public: bool,
}

/// An HTTP client with Meta's fetch limits.
pub(crate) struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
}

/// True for addresses Meta's servers could reach: not loopback, private, link-local,
/// unique-local, shared (CGNAT), documentation, multicast, broadcast or unspecified.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || s[0] == 0x2001 && s[1] == 0x0db8)
        }
    }
}

/// A resolver that only hands out public addresses (for `public_urls_only`).
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Whether a URL's host is public: literal addresses directly, names by resolving them.
async fn host_is_public(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => match tokio::net::lookup_host((d, 0)).await {
            Ok(addrs) => {
                let addrs: Vec<SocketAddr> = addrs.collect();
                !addrs.is_empty() && addrs.iter().all(|a| is_public(a.ip()))
            }
            Err(_) => false,
        },
        None => false,
    }
}

fn literal_ip(url: &url::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    }
}

impl Fetcher {
    pub(crate) fn new(config: FetchConfig) -> Self {
        let max = config.max_redirects;
        let public_only = config.public_urls_only;
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            let url = attempt.url();
            if !matches!(url.scheme(), "http" | "https") {
                let scheme = url.scheme().to_owned();
                return attempt.error(format!(
                    "a redirect to a {scheme}: URL (only http and https are fetched)"
                ));
            }
            if public_only && literal_ip(url).is_some_and(|ip| !is_public(ip)) {
                return attempt.error("a redirect to a loopback or private address");
            }
            if attempt.previous().len() > max {
                return attempt.error("too many redirects");
            }
            attempt.follow()
        });
        let mut builder = reqwest::Client::builder()
            .redirect(policy)
            .no_proxy()
            .user_agent("facebookexternalhit/1.1 (svara-emulator)");
        if public_only {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        let client = builder.build().unwrap_or_default();
        Fetcher { client, config }
    }

    /// Downloads `url` for an attachment of `kind`, or says why Meta would refuse it.
    pub(crate) async fn fetch(
        &self,
        url: &str,
        kind: MessageKind,
    ) -> Result<Fetched, GraphErrorReply> {
        let parsed = url::Url::parse(url)
            .map_err(|_| GraphErrorReply::fetch_failed("the url is not a valid absolute URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(GraphErrorReply::fetch_failed(
                "only http and https URLs can be fetched",
            ));
        }
        if self.config.public_urls_only && literal_ip(&parsed).is_some_and(|ip| !is_public(ip)) {
            return Err(GraphErrorReply::fetch_failed(
                "the URL points to a loopback or private address Meta's servers cannot reach (svara-emulator fetch.public_urls_only)",
            ));
        }
        let timeout = if kind == MessageKind::Video {
            self.config.video_timeout
        } else {
            self.config.timeout
        };
        match tokio::time::timeout(timeout.0, self.download(parsed, kind)).await {
            Ok(r) => r,
            Err(_) => Err(GraphErrorReply::fetch_failed(&format!(
                "the server did not deliver the file within {timeout}"
            ))),
        }
    }

    async fn download(&self, url: url::Url, kind: MessageKind) -> Result<Fetched, GraphErrorReply> {
        let first_public = host_is_public(&url).await;
        let resp = self.client.get(url.clone()).send().await.map_err(|e| {
            let detail = if e.is_redirect() {
                let mut cause = std::error::Error::source(&e);
                let mut text = String::from("a redirect could not be followed");
                while let Some(c) = cause {
                    text = c.to_string();
                    cause = c.source();
                }
                text
            } else if e.is_connect() {
                if self.config.public_urls_only {
                    "could not connect (svara-emulator fetch.public_urls_only refuses loopback and private addresses)".to_owned()
                } else {
                    "could not connect to the server".to_owned()
                }
            } else {
                "the request failed".to_owned()
            };
            GraphErrorReply::fetch_failed(&detail)
        })?;
        let last_public = if resp.url() == &url {
            first_public
        } else {
            host_is_public(resp.url()).await
        };
        let status = resp.status();
        if status.is_redirection() {
            // reqwest hands back a redirect it will not follow (`file:`, `ftp:`, ...).
            let target = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let scheme = target.split_once(':').map_or("an unknown", |(s, _)| s);
            return Err(GraphErrorReply::fetch_failed(&format!(
                "the server redirected to a {scheme}: URL (only http and https are fetched)"
            )));
        }
        if !status.is_success() {
            return Err(GraphErrorReply::fetch_failed(&format!(
                "the server answered HTTP {}",
                status.as_u16()
            )));
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        if !declared_type_matches(kind, &content_type) {
            return Err(GraphErrorReply::fetch_wrong_type(
                kind.as_str(),
                &content_type,
            ));
        }
        let max = if kind == MessageKind::Image {
            self.config.max_image_bytes.min(self.config.max_bytes)
        } else {
            self.config.max_bytes
        };
        if resp.content_length().is_some_and(|n| n > max) {
            return Err(GraphErrorReply::too_large(max));
        }
        let mut bytes =
            BytesMut::with_capacity(resp.content_length().unwrap_or(0).min(max) as usize);
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| {
                GraphErrorReply::fetch_failed("the connection failed while downloading the file")
            })?;
            if bytes.len() as u64 + chunk.len() as u64 > max {
                return Err(GraphErrorReply::too_large(max));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            bytes: bytes.freeze(),
            content_type,
            url_public: first_public && last_public,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_addresses() {
        for p in ["8.8.8.8", "1.1.1.1", "2606:4700::1111"] {
            assert!(is_public(p.parse().unwrap()), "{p}");
        }
        for p in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(p.parse().unwrap()), "{p}");
        }
    }
}
