//! The Messenger Send API client: obtain the audio -> prepare -> upload -> send -> result or error.

mod config;
mod types;

pub use config::{
    ClientBuilder, ClientConfig, DEFAULT_API_VERSION, DEFAULT_GRAPH_URL, GRAPH_URL_ENV, TOKEN_ENV,
};
pub use types::{
    AudioSource, MessagingType, NotificationType, RecipientOutcome, SendOptions, SendResult,
    UploadResult,
};

use crate::error::{Error, Result};
use std::sync::Arc;

/// A Send API client for one Page. Cheap to clone; clones share the connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<ClientConfig>,
}

impl Client {
    /// Starts building a client for a Page access token.
    pub fn builder(token: impl Into<crate::PageToken>) -> ClientBuilder {
        ClientBuilder::new(token)
    }

    /// Builds a client from a validated configuration.
    pub fn from_config(config: ClientConfig) -> Result<Client> {
        Ok(Client {
            inner: Arc::new(config),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &ClientConfig {
        &self.inner
    }

    /// Sends `audio` to `recipient` (a PSID) as a voice note.
    pub async fn send(
        &self,
        recipient: &str,
        audio: AudioSource,
        options: &SendOptions,
    ) -> Result<SendResult> {
        let _ = (recipient, audio, options);
        Err(Error::invalid_request("client not built yet"))
    }

    /// Uploads `audio` once as a reusable attachment.
    pub async fn upload(&self, audio: AudioSource, options: &SendOptions) -> Result<UploadResult> {
        let _ = (audio, options);
        Err(Error::invalid_request("client not built yet"))
    }

    /// Uploads once, then sends by attachment id to every recipient.
    pub async fn send_many(
        &self,
        recipients: &[String],
        audio: AudioSource,
        options: &SendOptions,
    ) -> Result<Vec<RecipientOutcome>> {
        let _ = (recipients, audio, options);
        Err(Error::invalid_request("client not built yet"))
    }
}
