//! Client configuration and its builder: where the Graph API is, which version, which token,
//! and how patient to be.

use crate::error::{Error, Result};
use crate::request::limits;
use crate::secret::{AppSecret, PageToken};
use std::time::Duration;

use super::before_request::BeforeRequestHook;
pub use super::retry::RetryHook;

/// Where the Page token travels. Never the URL: reqwest's errors print URLs.
///
/// Meta's samples for `/messages` use the query string or a form field; the
/// `Authorization: Bearer` header is documented only for other Messenger/Instagram endpoints
/// (reference section 9), so the form field is the default and the header is one switch away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenPlacement {
    /// `access_token` as a multipart form field or JSON body field (the default).
    #[default]
    FormField,
    /// `Authorization: Bearer <token>`.
    BearerHeader,
}

/// Default Graph API base URL.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com";
/// Default Graph API version (latest confirmed, see the reference's section 9).
pub const DEFAULT_API_VERSION: &str = "v25.0";
/// Environment variable that overrides the Graph base URL when the caller did not set one.
pub const GRAPH_URL_ENV: &str = "SVARA_GRAPH_URL";
/// Environment variable holding the Page token, read by the bindings and the CLI.
pub const TOKEN_ENV: &str = "META_PAGE_TOKEN";

/// Everything a [`crate::Client`] needs; built with [`ClientBuilder`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The Page access token.
    pub token: PageToken,
    /// Graph base URL without a trailing slash.
    pub graph_url: String,
    /// Graph version, e.g. `v25.0`.
    pub api_version: String,
    /// App secret for `appsecret_proof`, when set.
    pub app_secret: Option<AppSecret>,
    /// Page id for `/{page-id}/messages`; `/me/messages` when unset.
    pub page_id: Option<String>,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout for Graph calls.
    pub timeout: Duration,
    /// Timeout for downloading a URL source.
    pub fetch_timeout: Duration,
    /// Automatic retries of calls that certainly were not accepted (default 2).
    pub max_retries: u32,
    /// User-Agent header.
    pub user_agent: String,
    /// Client-side limit of audio sends per second per Page (Meta allows 10).
    pub sends_per_second: f64,
    /// Concurrent sends in [`crate::Client::send_many`].
    pub concurrency: usize,
    /// Where the token travels (default: a form/body field).
    pub token_placement: TokenPlacement,
    /// Longest wait before an automatic retry; a longer `retry_after` is handed to the caller.
    pub max_retry_wait: Duration,
    /// Called before each automatic retry.
    pub retry_hook: Option<RetryHook>,
    /// Awaited right before each Graph request is written (after the limiter's wait); an
    /// error aborts the call with nothing sent.
    pub before_request: Option<BeforeRequestHook>,
}

/// Builds a [`crate::Client`]: `Client::builder(token).graph_url(..).build()`.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    config: ClientConfig,
    graph_url_set: bool,
}

impl ClientBuilder {
    /// A builder with defaults for everything but the token.
    pub fn new(token: impl Into<PageToken>) -> Self {
        ClientBuilder {
            config: ClientConfig {
                token: token.into(),
                graph_url: DEFAULT_GRAPH_URL.to_owned(),
                api_version: DEFAULT_API_VERSION.to_owned(),
                app_secret: None,
                page_id: None,
                connect_timeout: Duration::from_secs(10),
                timeout: Duration::from_secs_f64(limits::TIMEOUT_SECONDS.default_value()),
                fetch_timeout: Duration::from_secs(30),
                max_retries: limits::MAX_RETRIES.default_value() as u32,
                user_agent: format!("svara/{}", env!("CARGO_PKG_VERSION")),
                sends_per_second: limits::SENDS_PER_SECOND.default_value(),
                concurrency: limits::CONCURRENCY.default_value() as usize,
                token_placement: TokenPlacement::FormField,
                max_retry_wait: Duration::from_secs(60),
                retry_hook: None,
                before_request: None,
            },
            graph_url_set: false,
        }
    }

    /// Graph base URL (default `https://graph.facebook.com`, or `SVARA_GRAPH_URL`).
    pub fn graph_url(mut self, url: impl Into<String>) -> Self {
        self.config.graph_url = url.into();
        self.graph_url_set = true;
        self
    }

    /// Graph version (default `v25.0`).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.config.api_version = version.into();
        self
    }

    /// App secret: every call then carries `appsecret_proof`.
    pub fn app_secret(mut self, secret: impl Into<AppSecret>) -> Self {
        self.config.app_secret = Some(secret.into());
        self
    }

    /// Page id, to call `/{page-id}/messages` instead of `/me/messages`.
    pub fn page_id(mut self, page_id: impl Into<String>) -> Self {
        self.config.page_id = Some(page_id.into());
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// Whole-request timeout of Graph calls (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// Timeout of downloading a URL source (default 30 s).
    pub fn fetch_timeout(mut self, timeout: Duration) -> Self {
        self.config.fetch_timeout = timeout;
        self
    }

    /// Automatic retries (default 2).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.config.max_retries = retries;
        self
    }

    /// User-Agent header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.config.user_agent = ua.into();
        self
    }

    /// Client-side audio sends per second per Page (default 10).
    pub fn sends_per_second(mut self, rate: f64) -> Self {
        self.config.sends_per_second = rate;
        self
    }

    /// Concurrent sends in `send_many` (default 8).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.config.concurrency = n;
        self
    }

    /// Where the token travels (default [`TokenPlacement::FormField`]).
    pub fn token_placement(mut self, placement: TokenPlacement) -> Self {
        self.config.token_placement = placement;
        self
    }

    /// Longest wait before an automatic retry (default 60 s): when Meta asks for a longer
    /// pause (`retry_after`), the error is returned at once instead.
    pub fn max_retry_wait(mut self, wait: Duration) -> Self {
        self.config.max_retry_wait = wait;
        self
    }

    /// A callback run before each automatic retry, e.g. for metrics (a `tracing` event
    /// `svara::retry` is emitted either way).
    pub fn on_retry(
        mut self,
        hook: impl Fn(&super::retry::RetryEvent) + Send + Sync + 'static,
    ) -> Self {
        self.config.retry_hook = Some(RetryHook::new(hook));
        self
    }

    /// An async callback awaited right before each Graph request is written, after the send
    /// limiter's wait: a durable queue records its point of no return there. Returning an
    /// error aborts the call with nothing sent (the error is returned as is, never retried).
    pub fn before_request<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(super::before_request::RequestEvent) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<()>> + Send + 'static,
    {
        self.config.before_request = Some(BeforeRequestHook::new(hook));
        self
    }

    /// Validates the configuration (applying `SVARA_GRAPH_URL` when no URL was set).
    pub fn build_config(mut self) -> Result<ClientConfig> {
        if !self.graph_url_set {
            if let Ok(url) = std::env::var(GRAPH_URL_ENV) {
                if !url.trim().is_empty() {
                    self.config.graph_url = url;
                }
            }
        }
        let c = &mut self.config;
        if c.token.is_blank() {
            return Err(Error::invalid_request(format!(
                "The Page access token is missing: pass session.page_access_token (or set {TOKEN_ENV})."
            )));
        }
        c.graph_url = c.graph_url.trim_end_matches('/').to_owned();
        let parsed = url::Url::parse(&c.graph_url).map_err(|e| {
            Error::invalid_request(format!(
                "graph_url {:?} is not a valid URL ({e}); use e.g. https://graph.facebook.com.",
                c.graph_url
            ))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::invalid_request(format!(
                "graph_url must be http or https, not {:?}.",
                parsed.scheme()
            )));
        }
        if !c.api_version.starts_with('v') {
            return Err(Error::invalid_request(format!(
                "api_version must look like \"v25.0\", not {:?}.",
                c.api_version
            )));
        }
        limits::SENDS_PER_SECOND.check(
            "sends_per_second",
            c.sends_per_second,
            c.sends_per_second,
        )?;
        if c.timeout.is_zero() || c.connect_timeout.is_zero() || c.fetch_timeout.is_zero() {
            return Err(Error::invalid_request(
                "timeouts must be longer than zero (defaults: connect 10 s, request 60 s, fetch 30 s).",
            ));
        }
        if c.page_id
            .as_deref()
            .is_some_and(|p| p.trim().is_empty() || p.contains('/'))
        {
            return Err(Error::invalid_request(
                "page_id must be the numeric id of the Page (or leave it unset to use /me/messages).",
            ));
        }
        limits::CONCURRENCY.check("concurrency", c.concurrency as f64, c.concurrency)?;
        Ok(self.config)
    }

    /// Builds the client.
    pub fn build(self) -> Result<crate::Client> {
        crate::Client::from_config(self.build_config()?)
    }
}
