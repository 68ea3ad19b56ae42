//! The Messenger Send API client: obtain the audio -> prepare -> upload -> send -> result or error.
//!
//! - `fetch`: URL and path sources, within Messenger's limits;
//! - `prepare` (the audio engine, on a blocking thread) -> `multipart` bodies;
//! - `http`: the pool, the token placement, the `limiter`, `retry` and `classify`
//!   (the one `(code, error_subcode)` table) -> [`SendResult`] or [`crate::Error`];
//! - `broadcast`: upload once, send to many; `request`: the documented request body.

mod before_request;
mod broadcast;
mod classify;
mod config;
mod fetch;
mod http;
mod limiter;
mod multipart;
mod proof;
mod request;
mod retry;
mod types;

pub use before_request::{BeforeRequestFuture, BeforeRequestHook, RequestEvent};
pub use classify::{parse_buc_minutes, RETIRED_TAGS};
pub use config::{
    ClientBuilder, ClientConfig, TokenPlacement, DEFAULT_API_VERSION, DEFAULT_GRAPH_URL,
    GRAPH_URL_ENV, TOKEN_ENV,
};
pub use fetch::{display_url, fetch_url, parse_audio_url, MAX_REDIRECTS};
pub use proof::appsecret_proof;
pub use request::{send, SendRequest, Session, SUPPORTED_PLATFORMS};
pub use retry::{RetryEvent, RetryHook};
pub use types::{
    AudioSource, MessagingType, NotificationType, RecipientOutcome, SendOptions, SendResult,
    UploadResult,
};

use crate::audio::{self, PrepareOptions, PreparedAudio, MAX_AUDIO_BYTES};
use crate::error::{Error, ErrorCode, Result};
use classify::RequestContext;
use http::{Edge, Transport};
use multipart::AudioFile;
use std::sync::Arc;

/// A Send API client for one Page. Cheap to clone; clones share the connection pool and the
/// send limiter.
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

    /// Sends `audio` to `recipient` (a PSID) as a voice note: one multipart upload-and-send, or
    /// a small JSON send for [`AudioSource::AttachmentId`].
    pub async fn send(
        &self,
        recipient: &str,
        audio: AudioSource,
        options: &SendOptions,
    ) -> Result<SendResult> {
        let recipient = check_recipient(recipient)?;
        check_options(options)?;
        match audio {
            AudioSource::AttachmentId(id) => {
                self.send_attachment(recipient, &check_attachment_id(&id)?, options)
                    .await
            }
            source => {
                let prepared = self.prepare(source, &options.prepare).await?;
                self.send_prepared(recipient, &prepared, options).await
            }
        }
    }

    /// Sends audio already prepared with [`Client::prepare`] (or [`audio::prepare`]).
    pub async fn send_prepared(
        &self,
        recipient: &str,
        prepared: &PreparedAudio,
        options: &SendOptions,
    ) -> Result<SendResult> {
        let recipient = check_recipient(recipient)?;
        check_options(options)?;
        let file = audio_file(prepared)?;
        let map = self
            .inner
            .post("send", Edge::Messages, context(options), |auth| {
                multipart::send_form(recipient, options, &file, auth)
            })
            .await?;
        let mut result = send_result(map)?;
        result.converted = prepared.converted;
        result.input = Some(prepared.input.clone());
        result.output = Some(prepared.output.clone());
        Ok(result)
    }

    /// Sends a saved attachment (from [`Client::upload`]) to `recipient`.
    pub async fn send_attachment(
        &self,
        recipient: &str,
        attachment_id: &str,
        options: &SendOptions,
    ) -> Result<SendResult> {
        let recipient = check_recipient(recipient)?;
        check_options(options)?;
        let map = self
            .inner
            .post("send_by_id", Edge::Messages, context(options), |auth| {
                multipart::attachment_json(recipient, options, attachment_id, auth)
            })
            .await?;
        let mut result = send_result(map)?;
        result.attachment_id = Some(attachment_id.to_owned());
        Ok(result)
    }

    /// Uploads `audio` once as a reusable attachment (the Attachment Upload API); send it with
    /// [`AudioSource::AttachmentId`] for 90 days from this Page.
    pub async fn upload(&self, audio: AudioSource, options: &SendOptions) -> Result<UploadResult> {
        if let AudioSource::AttachmentId(_) = audio {
            return Err(Error::invalid_request(
                "This audio is already an uploaded attachment; send it with AudioSource::AttachmentId instead of uploading it again.",
            ));
        }
        let prepared = self.prepare(audio, &options.prepare).await?;
        self.upload_prepared(&prepared).await
    }

    /// Uploads prepared audio as a reusable attachment.
    pub async fn upload_prepared(&self, prepared: &PreparedAudio) -> Result<UploadResult> {
        let file = audio_file(prepared)?;
        let map = self
            .inner
            .post(
                "upload",
                Edge::MessageAttachments,
                RequestContext::default(),
                |auth| multipart::upload_form(&file, auth),
            )
            .await?;
        let attachment_id = string_field(&map, "attachment_id").ok_or_else(|| {
            Error::new(
                ErrorCode::ApiError,
                "The Graph API accepted the upload but returned no attachment_id.",
            )
        })?;
        Ok(UploadResult {
            attachment_id,
            converted: prepared.converted,
            input: prepared.input.clone(),
            output: prepared.output.clone(),
        })
    }

    /// Uploads once, then sends by attachment id to every recipient with bounded concurrency
    /// and the client's send limiter. One outcome per recipient, in order; a partial failure
    /// is not an error (only a failure before anything was sent is).
    pub async fn send_many(
        &self,
        recipients: &[String],
        audio: AudioSource,
        options: &SendOptions,
    ) -> Result<Vec<RecipientOutcome>> {
        broadcast::send_many(self, recipients, audio, options).await
    }

    /// Obtains the audio of a URL, path or bytes source and prepares it with the audio engine
    /// (on a blocking thread): M4A/AAC passes through, everything else is converted.
    pub async fn prepare(
        &self,
        audio: AudioSource,
        options: &PrepareOptions,
    ) -> Result<PreparedAudio> {
        let bytes = match audio {
            AudioSource::Url(raw) => {
                let url = fetch::parse_audio_url(&raw)?;
                fetch::fetch_url(&self.inner.http, &url, self.inner.config.fetch_timeout).await?
            }
            AudioSource::Path(path) => fetch::read_path(&path).await?,
            AudioSource::Bytes(b) => b,
            AudioSource::AttachmentId(_) => return Err(Error::invalid_request(
                "An attachment id is already uploaded audio and cannot be prepared; send it as is.",
            )),
        };
        if bytes.is_empty() {
            return Err(Error::unsupported_audio("The audio is empty (0 bytes)."));
        }
        if bytes.len() as u64 > MAX_AUDIO_BYTES {
            return Err(Error::new(
                ErrorCode::AudioTooLarge,
                format!(
                    "The audio is {} bytes, over Messenger's 25 MB limit ({MAX_AUDIO_BYTES} bytes).",
                    bytes.len()
                ),
            ));
        }
        let options = options.clone();
        tokio::task::spawn_blocking(move || audio::prepare(&bytes, &options))
            .await
            .map_err(|e| {
                Error::unsupported_audio(format!(
                    "The audio engine stopped unexpectedly while preparing this file ({e})."
                ))
            })?
    }
}

fn audio_file(prepared: &PreparedAudio) -> Result<AudioFile> {
    if prepared.data.len() as u64 > MAX_AUDIO_BYTES {
        return Err(Error::new(
            ErrorCode::AudioTooLarge,
            format!(
                "The converted audio is {} bytes, over Messenger's 25 MB limit; lower the bitrate or send a shorter recording.",
                prepared.data.len()
            ),
        ));
    }
    Ok(AudioFile {
        data: bytes::Bytes::from(prepared.data.clone()),
        file_name: multipart::upload_file_name(&prepared.file_name),
        mime: audio::OUTPUT_MIME,
    })
}

fn context(options: &SendOptions) -> RequestContext {
    RequestContext {
        retired_tag: options
            .tag
            .as_deref()
            .is_some_and(|t| RETIRED_TAGS.iter().any(|r| r.eq_ignore_ascii_case(t))),
    }
}

fn string_field(map: &serde_json::Map<String, serde_json::Value>, key: &str) -> Option<String> {
    match map.get(key)? {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn send_result(map: serde_json::Map<String, serde_json::Value>) -> Result<SendResult> {
    let message_id = string_field(&map, "message_id").ok_or_else(|| {
        Error::new(
            ErrorCode::ApiError,
            "The Graph API answered success but without a message_id; the voice note was probably delivered, check the thread before resending.",
        )
        .with_may_have_been_delivered(true)
    })?;
    Ok(SendResult {
        id: message_id.clone(),
        message_id,
        recipient_id: string_field(&map, "recipient_id"),
        attachment_id: string_field(&map, "attachment_id"),
        converted: false,
        input: None,
        output: None,
    })
}

/// A PSID: non-empty, no surrounding whitespace. Returned trimmed.
pub(crate) fn check_recipient(recipient: &str) -> Result<&str> {
    let r = recipient.trim();
    if r.is_empty() {
        return Err(Error::invalid_request(
            "recipient is empty: pass the person's Page-Scoped ID (PSID) from a webhook event of this Page.",
        ));
    }
    if r.chars().any(|c| c.is_whitespace() || c.is_control()) || r.len() > 128 {
        return Err(Error::invalid_request(
            "recipient must be a Page-Scoped ID (PSID), a string of digits such as \"6128493027184956\".",
        ));
    }
    Ok(r)
}

fn check_attachment_id(id: &str) -> Result<String> {
    let id = id.trim();
    if id.is_empty() {
        return Err(Error::invalid_request(
            "attachment_id is empty: pass the id returned by upload().",
        ));
    }
    Ok(id.to_owned())
}

/// `MESSAGE_TAG` needs a tag, and a tag needs `MESSAGE_TAG`.
pub(crate) fn check_options(options: &SendOptions) -> Result<()> {
    let tag = options
        .tag
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    match (options.messaging_type, tag) {
        (MessagingType::MessageTag, None) => Err(Error::invalid_request(
            "messaging_type MESSAGE_TAG needs a tag: pass tag=\"HUMAN_AGENT\" (a human reply within 7 days), or use RESPONSE inside the 24-hour window.",
        )),
        (t, Some(tag)) if t != MessagingType::MessageTag => Err(Error::invalid_request(format!(
            "tag {tag:?} is only allowed with messaging_type MESSAGE_TAG; set messaging_type=\"MESSAGE_TAG\" or drop the tag."
        ))),
        _ => Ok(()),
    }
}
