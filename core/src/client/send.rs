//! The calls of a [`Client`]: obtain the audio ([`crate::source`]) -> prepare it in the
//! platform's format on a blocking thread -> check the platform's limit -> upload and send
//! (one call where the platform takes the bytes with the send: Messenger, Telegram; an upload
//! then a send by its id: Instagram, WhatsApp) -> [`SendResult`]. The `*_request` forms take a
//! [`SendRequest`], which is how the bindings and the server call the client.

use super::http::Request;
use super::multipart::{upload_file_name, AudioFile};
use super::{broadcast, fetch, Client, RETIRED_TAGS};
use super::{AudioSource, RecipientOutcome, SendOptions, SendResult, UploadResult};
use crate::audio::{self, PrepareOptions, PreparedAudio, MAX_AUDIO_BYTES};
use crate::error::{Error, Result};
use crate::platform::{Call, Media, Platform, Reuse, SendContext};
use crate::request::{check_attachment_id, check_options, check_recipient_on, SendRequest};
use crate::source;

impl Client {
    /// The platform this client sends to.
    pub fn platform(&self) -> Platform {
        self.inner.config.platform
    }

    /// Sends `audio` to `recipient` as a voice note in the platform's format: the bytes (one
    /// call on Messenger and Telegram, an upload then a send on Instagram and WhatsApp), or a
    /// small send of an earlier upload's id ([`AudioSource::AttachmentId`]).
    pub async fn send(
        &self,
        recipient: &str,
        audio: AudioSource,
        options: &SendOptions,
    ) -> Result<SendResult> {
        let recipient = check_recipient_on(self.platform(), recipient)?;
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
        self.check_platform_of(&request)?;
        let options = request.send_options()?;
        let recipient = check_recipient_on(self.platform(), &request.recipient)?.to_owned();
        let audio = request.take_audio_source()?;
        self.send(&recipient, audio, &options).await
    }

    /// Sends audio already prepared with [`Client::prepare`] (or [`audio::prepare`] in the
    /// platform's format). Its size is checked against the platform's limit before anything
    /// is uploaded.
    pub async fn send_prepared(
        &self,
        recipient: &str,
        prepared: &PreparedAudio,
        options: &SendOptions,
    ) -> Result<SendResult> {
        let recipient = check_recipient_on(self.platform(), recipient)?;
        check_options(options)?;
        let file = self.audio_file(prepared)?;
        let mut result = if self.inner.api.sends_files() {
            self.send_media(recipient, Media::File(&file), options, "send")
                .await?
        } else {
            let id = self.upload_file(&file).await?;
            let mut r = self
                .send_media(recipient, Media::Id(&id), options, "send_by_id")
                .await?;
            r.attachment_id.get_or_insert(id);
            r
        };
        result.converted = prepared.converted;
        result.input = Some(prepared.input.clone());
        result.output = Some(prepared.output.clone());
        result.fits_inline_player = self
            .platform()
            .spec()
            .fits_inline_player(file.data.len() as u64);
        Ok(result)
    }

    /// Sends audio uploaded earlier by its reusable id (a Messenger or Instagram
    /// `attachment_id`, a WhatsApp media id, a Telegram `file_id`) to `recipient`.
    pub async fn send_attachment(
        &self,
        recipient: &str,
        attachment_id: &str,
        options: &SendOptions,
    ) -> Result<SendResult> {
        let recipient = check_recipient_on(self.platform(), recipient)?;
        check_options(options)?;
        let mut result = self
            .send_media(recipient, Media::Id(attachment_id), options, "send_by_id")
            .await?;
        result.attachment_id = Some(attachment_id.to_owned());
        Ok(result)
    }

    /// Uploads `audio` once for reuse, sending nothing (Messenger and Instagram: a reusable
    /// attachment for 90 days; WhatsApp: a media id for 30 days); send it with
    /// [`AudioSource::AttachmentId`]. Telegram has no such call: send once and reuse the
    /// result's `attachment_id` (its `file_id`), or use [`Client::send_many`].
    pub async fn upload(&self, audio: AudioSource, options: &SendOptions) -> Result<UploadResult> {
        if let AudioSource::AttachmentId(_) = audio {
            return Err(Error::invalid_request(
                "This audio is already an uploaded attachment; send it with AudioSource::AttachmentId instead of uploading it again.",
            ));
        }
        self.check_upload_call()?;
        let prepared = self.prepare(audio, &options.prepare).await?;
        self.upload_prepared(&prepared).await
    }

    /// Uploads the audio a request describes, converted by its conversion options.
    pub async fn upload_request(&self, mut request: SendRequest) -> Result<UploadResult> {
        let prepare = request.prepare_options_for(self.platform().target())?;
        let audio = request.take_audio_source()?;
        let options = SendOptions {
            prepare,
            ..SendOptions::default()
        };
        self.upload(audio, &options).await
    }

    /// Uploads prepared audio for reuse.
    pub async fn upload_prepared(&self, prepared: &PreparedAudio) -> Result<UploadResult> {
        self.check_upload_call()?;
        let file = self.audio_file(prepared)?;
        let attachment_id = self.upload_file(&file).await?;
        Ok(UploadResult {
            attachment_id,
            converted: prepared.converted,
            input: prepared.input.clone(),
            output: prepared.output.clone(),
            platform: self.platform().as_str(),
            fits_inline_player: self
                .platform()
                .spec()
                .fits_inline_player(file.data.len() as u64),
        })
    }

    /// Prepares and uploads once (or, on Telegram, sends the bytes once and reuses the
    /// `file_id`), then sends by the reusable id to every recipient with bounded concurrency
    /// and the client's limiters. One outcome per recipient, in order; a partial failure is
    /// not an error (only a failure before anything was sent is).
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
        self.check_platform_of(&request)?;
        let options = request.send_options()?;
        let audio = request.take_audio_source()?;
        self.send_many(recipients, audio, &options).await
    }

    /// Obtains the audio of a URL, path or bytes source and prepares it with the audio engine
    /// (on a blocking thread) in this platform's format, within its limit: a recording
    /// already in that format passes through, everything else is converted. `options.format`
    /// is set to the platform's (its bitrate too, when it was the other format's default).
    pub async fn prepare(
        &self,
        audio: AudioSource,
        options: &PrepareOptions,
    ) -> Result<PreparedAudio> {
        let options = self.prepare_options(options);
        // Recordings up to the platform's limit (at least 25 MB) are read: a long WAV may
        // still make a small note.
        let input_limit = options.max_bytes.max(MAX_AUDIO_BYTES);
        let bytes = match audio {
            AudioSource::Url(raw) => {
                let url = fetch::parse_audio_url(&raw)?;
                fetch::fetch_url_within(
                    &self.inner.http,
                    &url,
                    self.inner.config.fetch_timeout,
                    input_limit,
                )
                .await?
            }
            AudioSource::Path(path) => source::read_file_within_async(&path, input_limit).await?,
            AudioSource::Bytes(b) => b,
            AudioSource::AttachmentId(_) => return Err(Error::invalid_request(
                "An attachment id is already uploaded audio and cannot be prepared; send it as is.",
            )),
        };
        source::check_bytes_within(&bytes, input_limit)?;
        tokio::task::spawn_blocking(move || audio::prepare(&bytes, &options))
            .await
            .map_err(|e| {
                Error::unsupported_audio(format!(
                    "The audio engine stopped unexpectedly while preparing this file ({e})."
                ))
            })?
    }

    /// `options` for this platform: its format (and that format's default bitrate when the
    /// caller left the other format's default), at most its upload limit.
    fn prepare_options(&self, options: &PrepareOptions) -> PrepareOptions {
        let spec = self.platform().spec();
        let mut o = options.clone();
        if o.format != spec.target {
            if o.bitrate == o.format.default_bitrate() {
                o.bitrate = spec.target.default_bitrate();
            }
            o.format = spec.target;
        }
        o.max_bytes = o.max_bytes.min(spec.max_bytes);
        o
    }

    /// The prepared note as a file for the wire, if it is in the platform's format and within
    /// its limit (checked before anything is uploaded).
    fn audio_file(&self, prepared: &PreparedAudio) -> Result<AudioFile> {
        let spec = self.platform().spec();
        let format = prepared.format();
        if format != spec.target {
            return Err(Error::invalid_request(format!(
                "This {} client sends {} voice notes, and this audio was prepared as {format}; prepare it with client.prepare() or PrepareOptions::for_format(TargetFormat::{:?}).",
                spec.name, spec.target, spec.target
            )));
        }
        let size = prepared.data.len() as u64;
        if size > spec.max_bytes {
            return Err(spec.too_large("The voice note", size));
        }
        Ok(AudioFile {
            data: bytes::Bytes::from(prepared.data.clone()),
            file_name: upload_file_name(&prepared.file_name, format),
            mime: format.mime(),
            duration_ms: prepared.output.duration_ms,
        })
    }

    /// One upload-only call; its reusable id.
    async fn upload_file(&self, file: &AudioFile) -> Result<String> {
        let api = &self.inner.api;
        self.check_upload_call()?;
        let map = self
            .inner
            .post(
                Request {
                    operation: "upload",
                    call: Call::Upload,
                    recipient: None,
                    ctx: SendContext::default(),
                },
                || {
                    api.upload_body(file)
                        .expect("checked: the platform has an upload call")
                },
            )
            .await?;
        api.read_upload(&map)
            .map_err(|e| e.with_platform(self.platform()))
    }

    /// One send of `media` to `recipient`.
    async fn send_media(
        &self,
        recipient: &str,
        media: Media<'_>,
        options: &SendOptions,
        operation: &'static str,
    ) -> Result<SendResult> {
        let api = &self.inner.api;
        let map = self
            .inner
            .post(
                Request {
                    operation,
                    call: Call::Send,
                    recipient: Some(recipient),
                    ctx: context(options),
                },
                || api.send_body(recipient, media, options),
            )
            .await?;
        api.read_send(&map, recipient)
            .map_err(|e| e.with_platform(self.platform()))
    }

    fn check_upload_call(&self) -> Result<()> {
        match self.platform().spec().reuse {
            Reuse::UploadCall => Ok(()),
            Reuse::FirstSend => Err(Error::invalid_request(format!(
                "{} has no upload-only call: send the note once and reuse the result's attachment_id (its {}), or use send_many, which uploads once for every recipient.",
                self.platform().spec().title,
                self.platform().spec().reusable_id
            ))),
        }
    }

    /// A request's `platform`, when given, must be this client's.
    fn check_platform_of(&self, request: &SendRequest) -> Result<()> {
        let wanted = request.platform()?;
        if request.platform.trim().is_empty() || wanted == self.platform() {
            Ok(())
        } else {
            Err(Error::invalid_request(format!(
                "This client sends to {}, not {wanted}: create a client with platform {wanted:?} and its session.",
                self.platform()
            )))
        }
    }
}

fn context(options: &SendOptions) -> SendContext {
    SendContext {
        retired_tag: options
            .tag
            .as_deref()
            .is_some_and(|t| RETIRED_TAGS.iter().any(|r| r.eq_ignore_ascii_case(t))),
    }
}
