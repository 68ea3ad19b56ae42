//! The client of every platform: obtain the audio -> prepare it in the platform's format ->
//! check the platform's limit -> upload -> send -> result or error.
//!
//! - [`crate::source`] and `fetch`: the recording's bytes, within the limits;
//! - `send`: the orchestration of one send or upload (prepare on a blocking thread ->
//!   the platform's bodies (`crate::platform`, built of `multipart`'s parts) -> `http`);
//! - `http`: the pool, the `limiter`s, `retry`, and the answer read by the platform's table
//!   -> [`SendResult`] or [`crate::Error`];
//! - `broadcast`: upload once, send to many.

mod before_request;
mod broadcast;
mod config;
pub(crate) mod fetch;
mod http;
mod limiter;
mod multipart;
mod proof;
mod retry;
mod send;
mod types;

pub use crate::platform::messenger::RETIRED_TAGS;
pub use crate::platform::meta::parse_buc_minutes;
pub use before_request::{BeforeRequestFuture, BeforeRequestHook, RequestEvent};
pub use config::{
    ClientBuilder, ClientConfig, TokenPlacement, DEFAULT_API_VERSION, DEFAULT_GRAPH_URL,
    GRAPH_URL_ENV, TOKEN_ENV,
};
pub use fetch::{display_url, fetch_url, fetch_url_within, parse_audio_url, MAX_REDIRECTS};
pub(crate) use multipart::{
    file_part, json_body, with_auth, AudioFile, AuthFields, BodyProgress, RequestBody,
};
pub use proof::appsecret_proof;
pub use retry::{RetryEvent, RetryHook};
pub use types::{
    MessagingType, NotificationType, RecipientOutcome, SendOptions, SendResult, UploadResult,
};
// Their homes moved out of `client`; the old paths keep working.
pub use crate::request::{send, SendRequest, Session, SUPPORTED_PLATFORMS};
pub use crate::source::AudioSource;

use crate::error::Result;
use http::Transport;
use std::sync::Arc;

/// A client for one sender on one platform (a Messenger Page, an Instagram account, a WhatsApp
/// phone number, a Telegram bot). Cheap to clone; clones share the connection pool and the
/// send limiters. The calls are in `send.rs`.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Transport>,
}

impl Client {
    /// Starts building a client for a token (a Messenger Page access token unless
    /// [`ClientBuilder::platform`] says otherwise).
    pub fn builder(token: impl Into<crate::PageToken>) -> ClientBuilder {
        ClientBuilder::new(token)
    }

    /// Builds a client from a validated configuration.
    pub fn from_config(config: ClientConfig) -> Result<Client> {
        Ok(Client {
            inner: Arc::new(Transport::new(config)?),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }
}
