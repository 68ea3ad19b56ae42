//! What the emulated Graph API knows: Pages and their tokens, people (PSIDs) and when they last
//! wrote, limits, rules and injected faults. Loaded from JSON or TOML, or built in code; the
//! [`Default`] is a working Page with a token and one PSID for every common case.

mod sections;

pub use sections::*;

use crate::duration::HumanDuration;
use crate::faults::FaultRule;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

/// Id of the default Page.
pub const DEFAULT_PAGE_ID: &str = "104857600123456";
/// Name of the default Page.
pub const DEFAULT_PAGE_NAME: &str = "Svara Test Page";
/// A valid Page access token of the default Page.
pub const DEFAULT_PAGE_TOKEN: &str = "EAASvaraEmulatorPageToken0DefaultPage";
/// An expired token of the default Page (answers 190/463).
pub const EXPIRED_PAGE_TOKEN: &str = "EAASvaraEmulatorPageToken0Expired";
/// A second Page (its attachments are foreign to the default Page).
pub const SECOND_PAGE_ID: &str = "104857600654321";
/// A valid token of [`SECOND_PAGE_ID`].
pub const SECOND_PAGE_TOKEN: &str = "EAASvaraEmulatorPageToken0SecondPage";
/// A Page whose app is in development mode (not live): only app testers can be messaged.
pub const DEV_MODE_PAGE_ID: &str = "104857600999999";
/// A valid token of [`DEV_MODE_PAGE_ID`].
pub const DEV_MODE_PAGE_TOKEN: &str = "EAASvaraEmulatorPageToken0DevModeApp";
/// The PSID used in the README examples: wrote 5 minutes before start, inside the 24 h window.
pub const DEFAULT_PSID: &str = "6128493027184956";
/// A second person inside the window.
pub const PSID_SECOND: &str = "6128493027184957";
/// Last wrote 26 hours before start: RESPONSE/UPDATE fail with 10/2018278, HUMAN_AGENT works.
pub const PSID_OUTSIDE_WINDOW: &str = "6128493027184958";
/// Last wrote 8 days before start: outside even the 7-day HUMAN_AGENT window.
pub const PSID_OUTSIDE_HUMAN_AGENT_WINDOW: &str = "6128493027184959";
/// Blocked the Page: 551/1545041.
pub const PSID_BLOCKED: &str = "6128493027184960";
/// Cannot receive messages right now: 10/2018108.
pub const PSID_UNAVAILABLE: &str = "6128493027184961";
/// An app tester inside the window: the only default person a dev-mode app may message.
pub const PSID_APP_TESTER: &str = "6128493027184962";
/// Not configured anywhere: 100/2018001.
pub const PSID_UNKNOWN: &str = "6128493027180000";
/// The default app secret: none, so `appsecret_proof` is not checked.
pub const DEFAULT_APP_SECRET: Option<&str> = None;

/// A string that never shows in `Debug` output (tokens and the app secret).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    /// The value, to compare or hash.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// A Facebook Page the emulator knows, with its tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PageConfig {
    /// Numeric Page id (what `/{page-id}/messages` takes; `me` resolves to it).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Valid Page access tokens.
    pub tokens: Vec<Secret>,
    /// Expired tokens (answered with 190/463).
    pub expired_tokens: Vec<Secret>,
    /// Whether the app is live with `pages_messaging` approved. When false only PSIDs with
    /// `app_role = true` can be messaged (others get 200/2018028).
    pub app_live: bool,
    /// Whether the app has the Human Agent feature (App Review) for this Page. Without it the
    /// `HUMAN_AGENT` tag is refused with 10 ("Application does not have permission for this
    /// action"). Default true.
    pub human_agent: bool,
    /// Whether the app holds `pages_user_locale`, `pages_user_timezone` and
    /// `pages_user_gender`, so the User Profile API returns `locale`, `timezone` and `gender`
    /// (without them: 2018247). Default true.
    pub user_info_permissions: bool,
}

impl Default for PageConfig {
    fn default() -> Self {
        PageConfig {
            id: String::new(),
            name: String::new(),
            tokens: Vec::new(),
            expired_tokens: Vec::new(),
            app_live: true,
            human_agent: true,
            user_info_permissions: true,
        }
    }
}

impl PageConfig {
    /// A live Page with one valid token.
    pub fn new(id: &str, name: &str, token: &str) -> Self {
        PageConfig {
            id: id.to_owned(),
            name: name.to_owned(),
            tokens: vec![token.into()],
            ..PageConfig::default()
        }
    }
}

/// Whether a person can receive messages at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PsidStatus {
    /// Receives messages (subject to the window).
    #[default]
    Active,
    /// Blocked the Page: 551/1545041.
    Blocked,
    /// Cannot receive messages right now: 10/2018108.
    Unavailable,
}

/// A person (Page-Scoped ID) and when they last wrote to the Page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PsidConfig {
    /// The PSID.
    pub id: String,
    /// The Page this PSID belongs to; `None` means every configured Page knows it.
    pub page_id: Option<String>,
    /// How long before the emulator started (or, when added with `Emulator::upsert_psid` /
    /// `POST /__emulator/psids`, before that call) the person last wrote. The window counts
    /// from then, so it keeps closing while the emulator runs. Default 5 minutes.
    pub last_message_ago: HumanDuration,
    /// Active, blocked or unavailable.
    pub status: PsidStatus,
    /// Admin, developer or tester of the app (may be messaged while the app is not live).
    pub app_role: bool,
    /// What the User Profile API (`GET /{psid}?fields=...`) returns; every field has a stable
    /// made-up default derived from the id.
    pub profile: ProfileConfig,
}

impl Default for PsidConfig {
    fn default() -> Self {
        PsidConfig {
            id: String::new(),
            page_id: None,
            last_message_ago: HumanDuration::secs(300),
            status: PsidStatus::Active,
            app_role: false,
            profile: ProfileConfig::default(),
        }
    }
}

/// A person's public profile as the User Profile API shows it. Unset fields get defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProfileConfig {
    /// `first_name` (default "Test").
    pub first_name: Option<String>,
    /// `last_name` (default "User" and the last four digits of the PSID).
    pub last_name: Option<String>,
    /// `profile_pic` (default a made-up `https://platform-lookaside.fbsbx.com/...` URL).
    pub profile_pic: Option<String>,
    /// `locale` (default `en_US`).
    pub locale: Option<String>,
    /// `timezone`, hours relative to GMT (default 0).
    pub timezone: Option<i32>,
    /// `gender` (default not returned).
    pub gender: Option<String>,
}

impl PsidConfig {
    /// An active person who wrote 5 minutes before start, known to every Page.
    pub fn active(id: &str) -> Self {
        PsidConfig {
            id: id.to_owned(),
            ..PsidConfig::default()
        }
    }

    /// Sets when they last wrote (relative to the emulator's start).
    pub fn last_message_ago(mut self, ago: impl Into<HumanDuration>) -> Self {
        self.last_message_ago = ago.into();
        self
    }

    /// Sets the status.
    pub fn status(mut self, status: PsidStatus) -> Self {
        self.status = status;
        self
    }
}

/// Everything the emulator knows and does. `EmulatorConfig::default()` is a working setup:
/// see the `DEFAULT_*` and `PSID_*` constants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmulatorConfig {
    /// Address to bind (127.0.0.1; use 0.0.0.0 only inside a container).
    pub host: IpAddr,
    /// Port (0 picks a free one; read it back with `Emulator::base_url`).
    pub port: u16,
    /// Pages and their tokens.
    pub pages: Vec<PageConfig>,
    /// People and their windows.
    pub psids: Vec<PsidConfig>,
    /// Treat any all-digit PSID that is not configured as an active person inside the window
    /// (for broadcasts to thousands of made-up recipients). Default false: 100/2018001.
    pub accept_any_psid: bool,
    /// Treat any token that no configured Page lists as a valid token of a live Page of its own
    /// (the Page id is derived from the token, so the same token always means the same Page).
    /// The configured tokens, expired ones included, keep their documented behaviour: this is
    /// the "test mode" of `svara serve`'s `sk_test_` keys, where every real-looking token works
    /// and the emulator's special tokens still fail on purpose. Default false: 190/467.
    pub accept_any_token: bool,
    /// Refuse sends without `messaging_type` (100, "The parameter messaging_type is
    /// required"). Meta's docs say it is mandatory since 2018-05-07, but Meta's own multipart,
    /// URL and Quick Start samples omit it; default false: accepted, and recorded as `""`.
    /// Sender actions never need it.
    pub require_messaging_type: bool,
    /// App secret: when set, `appsecret_proof` is verified.
    pub app_secret: Option<Secret>,
    /// With an app secret, refuse calls that carry no proof ("Require App Secret"; default true).
    pub require_appsecret_proof: bool,
    /// Per-Page rate limit.
    pub rate_limit: RateLimitConfig,
    /// Injected faults, tried in order; the first that fires wins.
    pub faults: Vec<FaultRule>,
    /// Seed for the fault dice (random when unset).
    pub fault_seed: Option<u64>,
    /// `payload.url` download limits.
    pub fetch: FetchConfig,
    /// Upload rules.
    pub audio: AudioRules,
    /// Window and tags.
    pub window: WindowConfig,
    /// Saved attachments (expiry).
    pub attachments: AttachmentConfig,
    /// Graph API versions.
    pub versions: VersionConfig,
    /// Connection and request limits (timeouts, sizes, connection count).
    pub limits: ServerLimits,
    /// Keep the bytes of received media (audio, images, video, files; uploads, URLs and saved
    /// attachments alike) for `GET /__emulator/audio/{sha256}` up to this many bytes in total
    /// (older ones are forgotten first). Default 64 MiB.
    pub keep_audio_bytes: u64,
    /// When a scenario lists `[[pages]]` or `[[psids]]`, keep the built-in ones too (entries
    /// with the same id are replaced by the scenario's). Default false: a scenario's lists
    /// replace the built-in Pages and PSIDs entirely.
    pub extend_defaults: bool,
    /// Instagram accounts (the Instagram messaging API).
    pub instagram: crate::instagram::InstagramConfig,
    /// WhatsApp business phone numbers (the WhatsApp Cloud API).
    pub whatsapp: crate::whatsapp::WhatsappConfig,
    /// Telegram bots (the Bot API).
    pub telegram: crate::telegram::TelegramConfig,
    /// Messenger webhook events to post to the bot (delivery and read receipts, signed with the
    /// app secret); unset: none, like an app without a webhook subscription.
    pub webhooks: Option<crate::webhooks::WebhookConfig>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        let mut default_page =
            PageConfig::new(DEFAULT_PAGE_ID, DEFAULT_PAGE_NAME, DEFAULT_PAGE_TOKEN);
        default_page.expired_tokens.push(EXPIRED_PAGE_TOKEN.into());
        let mut dev_page =
            PageConfig::new(DEV_MODE_PAGE_ID, "Svara Dev-Mode Page", DEV_MODE_PAGE_TOKEN);
        dev_page.app_live = false;
        EmulatorConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            pages: vec![
                default_page,
                PageConfig::new(SECOND_PAGE_ID, "Svara Second Page", SECOND_PAGE_TOKEN),
                dev_page,
                PageConfig::new(
                    crate::instagram::INSTAGRAM_PAGE_ID,
                    "Svara Instagram Page",
                    crate::instagram::INSTAGRAM_PAGE_TOKEN,
                ),
            ],
            psids: vec![
                PsidConfig::active(DEFAULT_PSID),
                PsidConfig::active(PSID_SECOND),
                PsidConfig::active(PSID_OUTSIDE_WINDOW).last_message_ago(HumanDuration::hours(26)),
                PsidConfig::active(PSID_OUTSIDE_HUMAN_AGENT_WINDOW)
                    .last_message_ago(HumanDuration::days(8)),
                PsidConfig::active(PSID_BLOCKED).status(PsidStatus::Blocked),
                PsidConfig::active(PSID_UNAVAILABLE).status(PsidStatus::Unavailable),
                PsidConfig {
                    app_role: true,
                    ..PsidConfig::active(PSID_APP_TESTER)
                },
            ],
            accept_any_psid: false,
            accept_any_token: false,
            app_secret: DEFAULT_APP_SECRET.map(Secret::from),
            require_appsecret_proof: true,
            rate_limit: RateLimitConfig::default(),
            faults: Vec::new(),
            fault_seed: None,
            require_messaging_type: false,
            fetch: FetchConfig::default(),
            audio: AudioRules::default(),
            window: WindowConfig::default(),
            attachments: AttachmentConfig::default(),
            versions: VersionConfig::default(),
            limits: ServerLimits::default(),
            keep_audio_bytes: 64 * 1024 * 1024,
            extend_defaults: false,
            instagram: crate::instagram::InstagramConfig::default(),
            whatsapp: crate::whatsapp::WhatsappConfig::default(),
            telegram: crate::telegram::TelegramConfig::default(),
            webhooks: None,
        }
    }
}

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read emulator config {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The JSON did not match the schema (unknown keys are refused, to catch typos).
    #[error("invalid emulator config (JSON): {0}")]
    Json(#[from] serde_json::Error),
    /// The TOML did not match the schema (unknown keys are refused, to catch typos).
    #[error("invalid emulator config (TOML): {0}")]
    Toml(#[from] toml::de::Error),
    /// The values contradict each other.
    #[error("invalid emulator config: {0}")]
    Invalid(String),
}

impl EmulatorConfig {
    /// Parses a JSON scenario (every key optional; missing ones take the defaults).
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        let c: EmulatorConfig = serde_json::from_str(text)?;
        let c = c.with_defaults_merged();
        c.validate()?;
        Ok(c)
    }

    /// Parses a TOML scenario (every key optional; missing ones take the defaults).
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let c: EmulatorConfig = toml::from_str(text)?;
        let c = c.with_defaults_merged();
        c.validate()?;
        Ok(c)
    }

    /// With [`EmulatorConfig::extend_defaults`], puts the built-in Pages and PSIDs back in
    /// front of the listed ones (a listed id replaces the built-in one). Idempotent.
    fn with_defaults_merged(mut self) -> Self {
        if !self.extend_defaults {
            // A scenario that lists its own Pages and no Instagram section keeps the built-in
            // Instagram account, without the link to a built-in Page it no longer has.
            if self.instagram == crate::instagram::InstagramConfig::default() {
                for a in &mut self.instagram.accounts {
                    let linked = a.page_id.as_deref();
                    if !self.pages.iter().any(|p| Some(p.id.as_str()) == linked) {
                        a.page_id = None;
                    }
                }
            }
            return self;
        }
        let defaults = EmulatorConfig::default();
        let mut pages: Vec<PageConfig> = defaults
            .pages
            .into_iter()
            .filter(|d| !self.pages.iter().any(|p| p.id == d.id))
            .collect();
        pages.append(&mut self.pages);
        self.pages = pages;
        let mut psids: Vec<PsidConfig> = defaults
            .psids
            .into_iter()
            .filter(|d| !self.psids.iter().any(|p| p.id == d.id))
            .collect();
        psids.append(&mut self.psids);
        self.psids = psids;
        self
    }

    /// Reads a `.json` or `.toml` file (by extension; other names are tried as TOML, then JSON).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Self::from_json_str(&text),
            Some(e) if e.eq_ignore_ascii_case("toml") => Self::from_toml_str(&text),
            _ => Self::from_toml_str(&text).or_else(|_| Self::from_json_str(&text)),
        }
    }

    /// Checks what serde cannot: ids present, tokens not shared between Pages, shares in 0..=1.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut seen_tokens = std::collections::HashSet::new();
        for page in &self.pages {
            if page.id.trim().is_empty() {
                return Err(ConfigError::Invalid("every page needs an `id`".into()));
            }
            for t in page.tokens.iter().chain(&page.expired_tokens) {
                if !seen_tokens.insert(t.expose()) {
                    return Err(ConfigError::Invalid(format!(
                        "a token of page {} is listed twice (each token belongs to one page)",
                        page.id
                    )));
                }
            }
        }
        for p in &self.psids {
            if p.id.trim().is_empty() {
                return Err(ConfigError::Invalid("every psid needs an `id`".into()));
            }
            if let Some(page) = &p.page_id {
                if !self.pages.iter().any(|pg| &pg.id == page) {
                    return Err(ConfigError::Invalid(format!(
                        "psid {} names page {page}, which is not in `pages`",
                        p.id
                    )));
                }
            }
        }
        crate::versions::parse(&self.versions.default)
            .filter(|v| crate::versions::exists(self, *v))
            .ok_or_else(|| {
                ConfigError::Invalid(format!(
                    "versions.default {:?} is not a Graph API version (use e.g. \"{}\")",
                    self.versions.default,
                    crate::versions::NEWEST
                ))
            })?;
        for v in self
            .versions
            .extra
            .iter()
            .chain(&self.versions.oldest_available)
        {
            if crate::versions::parse(v).is_none() {
                return Err(ConfigError::Invalid(format!(
                    "{v:?} is not a version like \"v25.0\" (versions.extra / versions.oldest_available)"
                )));
            }
        }
        if let Some(w) = &self.webhooks {
            let url = url::Url::parse(&w.url).ok();
            if !url.is_some_and(|u| matches!(u.scheme(), "http" | "https")) {
                return Err(ConfigError::Invalid(format!(
                    "webhooks.url {:?} is not an http(s) URL (the bot's webhook endpoint)",
                    w.url
                )));
            }
            if let Some(wa) = &w.whatsapp_url {
                let parsed = url::Url::parse(wa).ok();
                if !parsed.is_some_and(|u| matches!(u.scheme(), "http" | "https")) {
                    return Err(ConfigError::Invalid(format!(
                        "webhooks.whatsapp_url {wa:?} is not an http(s) URL (the WhatsApp Business Account's webhook endpoint; remove it to use webhooks.url)"
                    )));
                }
            }
            if w.app_secret.is_none() && self.app_secret.is_none() {
                return Err(ConfigError::Invalid(
                    "webhooks need a secret to sign with: set webhooks.app_secret (or app_secret)"
                        .into(),
                ));
            }
        }
        if self.limits.max_connections == 0 {
            return Err(ConfigError::Invalid(
                "limits.max_connections must be at least 1".into(),
            ));
        }
        for a in &self.instagram.accounts {
            if a.id.trim().is_empty() {
                return Err(ConfigError::Invalid(
                    "every instagram account needs an `id`".into(),
                ));
            }
            if let Some(page) = &a.page_id {
                if !self.pages.iter().any(|p| &p.id == page) {
                    return Err(ConfigError::Invalid(format!(
                        "instagram account {} names page {page}, which is not in `pages`",
                        a.id
                    )));
                }
            }
        }
        for n in &self.whatsapp.numbers {
            if n.phone_number_id.is_empty()
                || !n.phone_number_id.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(ConfigError::Invalid(format!(
                    "whatsapp number {:?} needs a numeric phone_number_id",
                    n.phone_number_id
                )));
            }
        }
        for b in &self.telegram.bots {
            if b.tokens.is_empty() || b.id().is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "telegram bot {:?} needs a token like 123456:ABC...",
                    b.username
                )));
            }
        }
        for f in &self.faults {
            if !(0.0..=1.0).contains(&f.share) {
                return Err(ConfigError::Invalid(format!(
                    "fault share {} must be between 0 and 1",
                    f.share
                )));
            }
        }
        Ok(())
    }

    /// The Page a token belongs to, and whether the token is expired. With
    /// [`EmulatorConfig::accept_any_token`], an unknown non-blank token gets a live Page of its
    /// own ([`EmulatorConfig::page_for_unknown_token`]).
    pub fn page_for_token(&self, token: &str) -> Option<(Cow<'_, PageConfig>, bool)> {
        let configured = self.pages.iter().find_map(|p| {
            if p.tokens.iter().any(|t| t.expose() == token) {
                Some((Cow::Borrowed(p), false))
            } else if p.expired_tokens.iter().any(|t| t.expose() == token) {
                Some((Cow::Borrowed(p), true))
            } else {
                None
            }
        });
        configured.or_else(|| {
            (self.accept_any_token && !token.trim().is_empty())
                .then(|| (Cow::Owned(Self::page_for_unknown_token(token)), false))
        })
    }

    /// The live Page an unknown token stands for under [`EmulatorConfig::accept_any_token`]:
    /// id `1048576` followed by 8 digits derived from the token's SHA-256, so it is stable for a
    /// token and distinct between tokens (in practice), and never one of the configured ids.
    pub fn page_for_unknown_token(token: &str) -> PageConfig {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(token.as_bytes());
        let n = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes")) % 100_000_000;
        let id = format!("1048576{n:08}");
        PageConfig {
            id,
            name: "Svara Test-Mode Page".to_owned(),
            tokens: vec![Secret(token.to_owned())],
            ..PageConfig::default()
        }
    }

    /// Adds a person.
    pub fn with_psid(mut self, psid: PsidConfig) -> Self {
        self.psids.push(psid);
        self
    }

    /// Adds a fault rule.
    pub fn with_fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// Sets the app secret (then `appsecret_proof` is verified).
    pub fn with_app_secret(mut self, secret: &str) -> Self {
        self.app_secret = Some(secret.into());
        self
    }

    /// Sets the per-Page audio sends per second (0 disables the limit); 0 also disables the
    /// budget of other sends, so that `with_rate_limit(0)` means "no rate limit at all".
    pub fn with_rate_limit(mut self, per_second: u32) -> Self {
        self.rate_limit.audio_sends_per_second = per_second;
        if per_second == 0 {
            self.rate_limit.other_sends_per_second = 0;
        }
        self
    }

    /// Posts Messenger webhook events (delivery receipts 200 ms after each accepted message,
    /// read receipts on request) and WhatsApp's `delivered`/`read` statuses to `url`, signed
    /// with `app_secret`.
    pub fn with_webhooks(mut self, url: &str, app_secret: &str) -> Self {
        self.webhooks = Some(crate::webhooks::WebhookConfig {
            url: url.to_owned(),
            app_secret: Some(app_secret.into()),
            ..crate::webhooks::WebhookConfig::default()
        });
        self
    }

    /// Turns on the emulator's strict voice-note policy ([`AudioRules::strict_voice_notes`]).
    pub fn with_strict_voice_notes(mut self) -> Self {
        self.audio.strict_voice_notes = true;
        self
    }
}
