//! The calls of a [`Client`]: obtain the audio ([`crate::source`]) -> prepare it with the audio
//! engine on a blocking thread -> one multipart upload-and-send (or a small JSON send by
//! attachment id, or an upload alone) -> [`SendResult`]. The `*_request` forms take a
//! [`SendRequest`], which is how the bindings and the server call the client.

use super::http::Edge;
use super::multipart::{self, AudioFile};
use super::{broadcast, fetch, graph_codes::RequestContext, Client, RETIRED_TAGS};
use super::{AudioSource, RecipientOutcome, SendOptions, SendResult, UploadResult};
use crate::audio::{self, PrepareOptions, PreparedAudio};
use crate::error::{Error, ErrorCode, Result};
use crate::request::{check_attachment_id, check_options, check_recipient, SendRequest};
use crate::source;

impl Client {
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

    /// Sends the voice note a request describes (its recipient, audio and message options;
    /// the connection options are the client's).
    pub async fn send_request(&self, mut request: SendRequest) -> Result<SendResult> {
        let options = request.send_options()?;
        let recipient = check_recipient(&request.recipient)?.to_owned();
        let audio = request.take_audio_source()?;
        self.send(&recipient, audio, &options).await
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

    /// Uploads the audio a request describes, converted by its conversion options.
    pub async fn upload_request(&self, mut request: SendRequest) -> Result<UploadResult> {
        let prepare = request.prepare_options()?;
        let audio = request.take_audio_source()?;
        let options = SendOptions {
            prepare,
            ..SendOptions::default()
        };
        self.upload(audio, &options).await
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

    /// [`Client::send_many`] of the audio and message options a request describes.
    pub async fn send_many_request(
        &self,
        recipients: &[String],
        mut request: SendRequest,
    ) -> Result<Vec<RecipientOutcome>> {
        let options = request.send_options()?;
        let audio = request.take_audio_source()?;
        self.send_many(recipients, audio, &options).await
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
            AudioSource::Path(path) => source::read_file_async(&path).await?,
            AudioSource::Bytes(b) => b,
            AudioSource::AttachmentId(_) => return Err(Error::invalid_request(
                "An attachment id is already uploaded audio and cannot be prepared; send it as is.",
            )),
        };
        source::check_bytes(&bytes)?;
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
    source::check_size(prepared.data.len() as u64, "The converted audio")?;
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
