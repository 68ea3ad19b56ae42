//! The Messenger Send API client: obtain the audio -> prepare -> upload -> send -> result or error.
//!
//! - [`crate::source`] and `fetch`: the recording's bytes, within Messenger's limits;
//! - `send`: the orchestration of one send or upload (prepare on a blocking thread ->
//!   `multipart` bodies -> `http`);
//! - `http`: the pool, the token placement, the `limiter`, `retry`, and the answer read by
//!   `response` with the meaning of Meta's codes from `graph_codes` -> [`SendResult`] or
//!   [`crate::Error`];
//! - `broadcast`: upload once, send to many.

mod before_request;
mod broadcast;
mod config;
mod fetch;
mod graph_codes;
mod http;
mod limiter;
mod multipart;
mod proof;
mod response;
mod retry;
mod send;
mod types;

pub use before_request::{BeforeRequestFuture, BeforeRequestHook, RequestEvent};
pub use config::{
    ClientBuilder, ClientConfig, TokenPlacement, DEFAULT_API_VERSION, DEFAULT_GRAPH_URL,
    GRAPH_URL_ENV, TOKEN_ENV,
};
pub use fetch::{display_url, fetch_url, parse_audio_url, MAX_REDIRECTS};
pub use graph_codes::RETIRED_TAGS;
pub use proof::appsecret_proof;
pub use response::parse_buc_minutes;
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

/// A Send API client for one Page. Cheap to clone; clones share the connection pool and the
/// send limiter. The calls are in `send.rs`.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Transport>,
}

impl Client {
    /// Starts building a client for a Page access token.
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
