//! Client configuration and its builder: which platform, where its API is (the Graph API for
//! Meta's platforms, the Bot API for Telegram), which version, which token and sender, and how
//! patient to be.

use crate::error::{Error, Result};
use crate::platform::{instagram, telegram, Platform};
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
    /// The platform this client sends to (one client is one sender on one platform).
    pub platform: Platform,
    /// The platform's token: the Page access token (Messenger, Instagram with Facebook Login),
    /// the Instagram user or WhatsApp access token, or the Telegram bot token.
    pub token: PageToken,
    /// Graph base URL without a trailing slash (Meta's platforms; `https://graph.instagram.com`
    /// for Instagram Login unless set).
    pub graph_url: String,
    /// Bot API base URL without a trailing slash (Telegram).
    pub telegram_url: String,
    /// Graph version, e.g. `v25.0`.
    pub api_version: String,
    /// App secret for `appsecret_proof`, when set.
    pub app_secret: Option<AppSecret>,
    /// Page id for `/{page-id}/messages`; `/me/messages` when unset (Messenger, Instagram with
    /// Facebook Login).
    pub page_id: Option<String>,
    /// Instagram: the token is an Instagram user token (Instagram Login,
    /// `graph.instagram.com`), not a Page token.
    pub instagram_login: bool,
    /// Instagram Login: the professional account's id (`/{ig_user_id}/...`; `/me` when unset).
    pub ig_user_id: Option<String>,
    /// WhatsApp: the business phone number's id (`/{phone_number_id}/...`).
    pub phone_number_id: Option<String>,
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
    /// Client-side limit of sends per second per sender (the platform's pace by default:
    /// [`crate::platform::PlatformSpec::sends_per_second`]).
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
    telegram_url_set: bool,
    sends_per_second_set: bool,
}

impl ClientBuilder {
    /// A builder with defaults for everything but the token.
    pub fn new(token: impl Into<PageToken>) -> Self {
        ClientBuilder {
            config: ClientConfig {
                platform: Platform::Messenger,
                token: token.into(),
                graph_url: DEFAULT_GRAPH_URL.to_owned(),
                telegram_url: telegram::DEFAULT_TELEGRAM_URL.to_owned(),
                api_version: DEFAULT_API_VERSION.to_owned(),
                app_secret: None,
                page_id: None,
                instagram_login: false,
                ig_user_id: None,
                phone_number_id: None,
                connect_timeout: Duration::from_secs(10),
                timeout: Duration::from_secs_f64(limits::TIMEOUT_SECONDS.default_value()),
                fetch_timeout: Duration::from_secs(30),
                max_retries: limits::MAX_RETRIES.default_value() as u32,
                user_agent: format!("svara/{}", env!("CARGO_PKG_VERSION")),
                sends_per_second: Platform::Messenger.spec().sends_per_second,
                concurrency: limits::CONCURRENCY.default_value() as usize,
                token_placement: TokenPlacement::FormField,
                max_retry_wait: Duration::from_secs(60),
                retry_hook: None,
                before_request: None,
            },
            graph_url_set: false,
            telegram_url_set: false,
            sends_per_second_set: false,
        }
    }

    /// The platform (default Messenger).
    pub fn platform(mut self, platform: Platform) -> Self {
        self.config.platform = platform;
        self
    }

    /// Bot API base URL (default `https://api.telegram.org`, or `SVARA_TELEGRAM_URL`).
    pub fn telegram_url(mut self, url: impl Into<String>) -> Self {
        self.config.telegram_url = url.into();
        self.telegram_url_set = true;
        self
    }

    /// Instagram: the token is an Instagram user token (Instagram Login on
    /// `graph.instagram.com`) rather than a Page token (Facebook Login).
    pub fn instagram_login(mut self, on: bool) -> Self {
        self.config.instagram_login = on;
        self
    }

    /// Instagram Login: the account that sends (`/{ig_user_id}/messages`); implies
    /// [`ClientBuilder::instagram_login`].
    pub fn ig_user_id(mut self, id: impl Into<String>) -> Self {
        self.config.ig_user_id = Some(id.into());
        self.config.instagram_login = true;
        self
    }

    /// WhatsApp: the business phone number's id (required there).
    pub fn phone_number_id(mut self, id: impl Into<String>) -> Self {
        self.config.phone_number_id = Some(id.into());
        self
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

    /// Client-side sends per second per sender (default: the platform's, 10 for Messenger
    /// and Instagram, 80 for WhatsApp, 30 for Telegram).
    pub fn sends_per_second(mut self, rate: f64) -> Self {
        self.config.sends_per_second = rate;
        self.sends_per_second_set = true;
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

    /// Validates the configuration (applying `SVARA_GRAPH_URL` / `SVARA_TELEGRAM_URL` when no
    /// URL was set, and the platform's defaults).
    pub fn build_config(mut self) -> Result<ClientConfig> {
        let env = |var: &str| std::env::var(var).ok().filter(|u| !u.trim().is_empty());
        let platform = self.config.platform;
        if !self.graph_url_set {
            if let Some(url) = env(GRAPH_URL_ENV) {
                self.config.graph_url = url;
            } else if platform == Platform::Instagram && self.config.instagram_login {
                self.config.graph_url = instagram::DEFAULT_INSTAGRAM_URL.to_owned();
            }
        }
        if !self.telegram_url_set {
            if let Some(url) = env(telegram::URL_ENV) {
                self.config.telegram_url = url;
            }
        }
        if !self.sends_per_second_set {
            self.config.sends_per_second = platform.spec().sends_per_second;
        }
        let c = &mut self.config;
        if c.token.is_blank() {
            let fix = match platform {
                Platform::Messenger => {
                    format!("pass session.page_access_token (or set {TOKEN_ENV})")
                }
                Platform::Instagram => format!(
                    "pass session.access_token (or set {})",
                    instagram::TOKEN_ENV
                ),
                Platform::Whatsapp => format!(
                    "pass session.access_token (or set {})",
                    crate::platform::whatsapp::TOKEN_ENV
                ),
                Platform::Telegram => {
                    format!("pass session.bot_token (or set {})", telegram::TOKEN_ENV)
                }
            };
            return Err(Error::invalid_request(format!(
                "The {} token is missing: {fix}.",
                platform.spec().title
            )));
        }
        c.graph_url = c.graph_url.trim_end_matches('/').to_owned();
        c.telegram_url = c.telegram_url.trim_end_matches('/').to_owned();
        let (name, base) = match platform {
            Platform::Telegram => ("telegram_url", &c.telegram_url),
            _ => ("graph_url", &c.graph_url),
        };
        let parsed = url::Url::parse(base).map_err(|e| {
            Error::invalid_request(format!(
                "{name} {base:?} is not a valid URL ({e}); use e.g. {}.",
                if platform == Platform::Telegram {
                    telegram::DEFAULT_TELEGRAM_URL
                } else {
                    DEFAULT_GRAPH_URL
                }
            ))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::invalid_request(format!(
                "{name} must be http or https, not {:?}.",
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
        let bad_id = |id: &Option<String>| {
            id.as_deref()
                .is_some_and(|p| p.trim().is_empty() || p.contains(['/', '?', '#']))
        };
        if bad_id(&c.page_id) {
            return Err(Error::invalid_request(
                "page_id must be the numeric id of the Page (or leave it unset to use /me/messages).",
            ));
        }
        if bad_id(&c.ig_user_id) || bad_id(&c.phone_number_id) {
            return Err(Error::invalid_request(
                "ig_user_id and phone_number_id must be numeric ids.",
            ));
        }
        match platform {
            Platform::Whatsapp if c.phone_number_id.is_none() => {
                return Err(Error::invalid_request(
                    "A WhatsApp client needs session.phone_number_id: the id of the business phone number that sends.",
                ))
            }
            Platform::Telegram => telegram::check_token(&c.token)?,
            _ => {}
        }
        limits::CONCURRENCY.check("concurrency", c.concurrency as f64, c.concurrency)?;
        Ok(self.config)
    }

    /// Builds the client.
    pub fn build(self) -> Result<crate::Client> {
        crate::Client::from_config(self.build_config()?)
    }
}
