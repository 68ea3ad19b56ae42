//! The server fetches `audio_url` on behalf of whoever holds an API key, so it must not become
//! a way into its own network (server-side request forgery): by default it refuses loopback,
//! private, link-local (cloud metadata at 169.254.169.254), unspecified and other non-public
//! addresses. Names are checked where the connection is made: the HTTP client resolves through
//! [`GuardedResolver`], which drops refused addresses, so the address connected to is always
//! one that passed (DNS rebinding cannot slip past a check made earlier). Address literals,
//! which skip resolution, are checked before the request and on every redirect; proxies are
//! off. `--allow-private-urls` turns the guard off for local setups and tests.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Which addresses `audio_url` may reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    /// Allow every address (`--allow-private-urls`, `SVARA_ALLOW_PRIVATE_URLS=1`).
    pub allow_private: bool,
    /// Address-literal origins (`http://IP:PORT`) allowed although not public, e.g. one
    /// internal file server; a name is never allowed this way.
    pub allowed_origins: Vec<SocketAddr>,
    /// Allow loopback addresses (127.0.0.0/8, ::1) but no other private range: the webhooks of
    /// test keys, whose receiver is often on the developer's machine.
    pub allow_loopback: bool,
}

/// Why an address is not public, or `None` when it is.
pub fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    Some(if ip.is_loopback() {
        "loopback"
    } else if ip.is_unspecified() || o[0] == 0 {
        "unspecified (\"this network\")"
    } else if ip.is_private() {
        "private"
    } else if ip.is_link_local() {
        "link-local (cloud metadata services live here)"
    } else if o[0] == 100 && (o[1] & 0xC0) == 64 {
        "shared address space (carrier-grade NAT)"
    } else if o[0] == 192 && o[1] == 0 && o[2] == 0 {
        "IETF protocol assignments"
    } else if ip.is_documentation() {
        "documentation"
    } else if o[0] == 198 && (o[1] & 0xFE) == 18 {
        "benchmarking"
    } else if ip.is_multicast() {
        "multicast"
    } else if ip.is_broadcast() || o[0] >= 240 {
        "reserved"
    } else {
        return None;
    })
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_reason(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that may be private.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return v4_reason(Ipv4Addr::new(
            (s[6] >> 8) as u8,
            s[6] as u8,
            (s[7] >> 8) as u8,
            s[7] as u8,
        ));
    }
    if s[0] == 0x2002 {
        return v4_reason(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    Some(if ip.is_loopback() {
        "loopback"
    } else if ip.is_unspecified() {
        "unspecified"
    } else if (s[0] & 0xFFC0) == 0xFE80 {
        "link-local"
    } else if (s[0] & 0xFE00) == 0xFC00 {
        "unique local (private)"
    } else if ip.is_multicast() {
        "multicast"
    } else if s[0] == 0x2001 && s[1] == 0x0db8 {
        "documentation"
    } else if s[..6] == [0, 0, 0, 0, 0, 0] {
        "IPv4-compatible (deprecated)"
    } else {
        return None;
    })
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

fn refusal(what: &str, ip: IpAddr, reason: &str) -> String {
    format!(
        "{what} resolves to {ip}, a {reason} address, which this server does not fetch (it would let API key holders reach the server's own network); use a public URL, upload the file with POST /v1/audio, or start the server with --allow-private-urls for a local setup"
    )
}

impl UrlPolicy {
    /// Checks an address the client is about to connect to (`origin_port` when known).
    pub fn check_ip(&self, ip: IpAddr, port: Option<u16>) -> Result<(), &'static str> {
        if self.allow_private {
            return Ok(());
        }
        if let Some(port) = port {
            if self.allowed_origins.contains(&SocketAddr::new(ip, port)) {
                return Ok(());
            }
        }
        if self.allow_loopback && is_loopback(ip) {
            return Ok(());
        }
        match non_public_reason(ip) {
            Some(reason) => Err(reason),
            None => Ok(()),
        }
    }

    /// Checks a URL before it is requested or followed: http(s) only, and an address literal
    /// must pass [`UrlPolicy::check_ip`] (names are checked by the resolver).
    pub fn check_url(&self, url: &url::Url) -> Result<(), String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "{:?} URLs are not fetched; only http and https",
                url.scheme()
            ));
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(url::Host::Domain(_)) => return Ok(()),
            None => return Err("the URL has no host".to_owned()),
        };
        self.check_ip(ip, url.port_or_known_default())
            .map_err(|reason| refusal("the URL", ip, reason))
    }
}

/// The DNS resolver of the fetch client: resolves with the system resolver and keeps only the
/// addresses the policy allows, so a name that resolves only to refused addresses is never
/// connected to.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: Arc<UrlPolicy>,
}

#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> {
                    Box::new(Refused(format!("cannot resolve {host}: {e}")))
                })?
                .collect();
            let mut first_refused = None;
            let allowed: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|a| match policy.check_ip(a.ip(), None) {
                    Ok(()) => true,
                    Err(reason) => {
                        first_refused.get_or_insert((a.ip(), reason));
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let msg = match first_refused {
                    Some((ip, reason)) => refusal(&host, ip, reason),
                    None => format!("{host} has no address"),
                };
                return Err(Box::new(Refused(msg)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// A client whose every connection goes through the guarded resolver (no proxy, no redirects):
/// the webhook deliverer's.
pub fn guarded_client(policy: &UrlPolicy, timeout: Duration, user_agent: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .use_rustls_tls()
        .no_proxy()
        .connect_timeout(timeout)
        .timeout(timeout)
        .user_agent(user_agent)
        .dns_resolver(Arc::new(GuardedResolver {
            policy: Arc::new(policy.clone()),
        }))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a rustls client without proxies builds")
}

/// The HTTP client that fetches `audio_url`: guarded resolver, guarded redirects (at most
/// [`svara::MAX_REDIRECTS`], each re-checked), no proxy.
pub fn fetch_client(policy: &UrlPolicy) -> reqwest::Client {
    let policy = Arc::new(policy.clone());
    let redirect_policy = policy.clone();
    reqwest::Client::builder()
        .use_rustls_tls()
        .no_proxy()
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("svara-server/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(GuardedResolver { policy }))
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > svara::MAX_REDIRECTS {
                let msg = format!(
                    "it redirected more than {} times (a redirect loop?)",
                    svara::MAX_REDIRECTS
                );
                return attempt.error(Refused(msg));
            }
            match redirect_policy.check_url(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(why) => {
                    attempt.error(Refused(format!("it redirected to a refused URL: {why}")))
                }
            }
        }))
        .build()
        .expect("a rustls client without proxies builds")
}

/// Downloads `audio_url` under the policy (within Messenger's limits, by the core's fetcher).
pub async fn fetch(
    client: &reqwest::Client,
    policy: &UrlPolicy,
    raw: &str,
    timeout: Duration,
) -> svara::Result<Vec<u8>> {
    let url = svara::parse_audio_url(raw)?;
    policy.check_url(&url).map_err(|why| {
        svara::Error::new(
            svara::ErrorCode::AudioFetchFailed,
            format!(
                "Could not download the audio from {}: {why}.",
                svara::display_url(&url)
            ),
        )
    })?;
    svara::fetch_url(client, &url, timeout).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn refuses_non_public_addresses() {
        for (addr, reason) in [
            ("127.0.0.1", "loopback"),
            ("127.8.9.10", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "link-local"),
            ("0.0.0.0", "unspecified"),
            ("100.64.0.1", "shared"),
            ("224.0.0.1", "multicast"),
            ("255.255.255.255", "reserved"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fe80::1", "link-local"),
            ("fd00::1", "unique local"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:169.254.169.254", "link-local"),
            ("64:ff9b::a00:1", "private"),
            ("2002:c0a8:101::1", "private"),
        ] {
            let why = non_public_reason(ip(addr)).unwrap_or_else(|| panic!("{addr} allowed"));
            assert!(why.contains(reason), "{addr}: {why}");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "64:ff9b::808:808",
        ] {
            assert_eq!(non_public_reason(ip(public)), None, "{public}");
        }
    }

    #[test]
    fn checks_literals_and_allows_what_is_configured() {
        let p = UrlPolicy::default();
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(p
            .check_url(&u("http://169.254.169.254/latest/meta-data"))
            .is_err());
        assert!(p.check_url(&u("http://[::1]:8080/a.m4a")).is_err());
        // The URL parser normalises decimal and hex forms to the address they mean.
        assert!(p.check_url(&u("http://2130706433/a.m4a")).is_err());
        assert!(p.check_url(&u("http://0x7f.1/a.m4a")).is_err());
        assert!(p.check_url(&u("ftp://example.com/a.m4a")).is_err());
        assert!(p.check_url(&u("https://cdn.example.com/a.m4a")).is_ok());
        let open = UrlPolicy {
            allow_private: true,
            ..UrlPolicy::default()
        };
        assert!(open.check_url(&u("http://127.0.0.1:1/a.m4a")).is_ok());
        let one = UrlPolicy {
            allowed_origins: vec!["127.0.0.1:4000".parse().unwrap()],
            ..UrlPolicy::default()
        };
        let lo = UrlPolicy {
            allow_loopback: true,
            ..UrlPolicy::default()
        };
        assert!(lo.check_url(&u("http://127.0.0.1:9/hook")).is_ok());
        assert!(lo.check_url(&u("http://[::1]:9/hook")).is_ok());
        assert!(lo.check_url(&u("http://10.0.0.1/hook")).is_err());
        assert!(lo.check_url(&u("http://169.254.169.254/hook")).is_err());
        assert!(one.check_url(&u("http://127.0.0.1:4000/a.m4a")).is_ok());
        assert!(one.check_url(&u("http://127.0.0.1:4001/a.m4a")).is_err());
        let msg = p.check_url(&u("http://10.0.0.1/x")).unwrap_err();
        assert!(msg.contains("--allow-private-urls"), "{msg}");
    }
}
