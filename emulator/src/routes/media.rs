//! Obtains the media of a request from wherever it is (the `filedata` part, `payload.url` or
//! a saved attachment), checks it the way Meta does, keeps its bytes in the bounded cache and
//! saves it as an attachment when asked.

use super::pipeline::{Call, Surface};
use crate::graph_error::GraphErrorReply;
use crate::media_check::{check_file, inspect};
use crate::message::{MediaRef, MediaSpec, MessageKind};
use crate::store::{Attachment, AudioOrigin};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use svara::AudioInfo;

/// Media that passed the checks.
pub(crate) struct Resolved {
    pub kind: MessageKind,
    pub audio: Option<AudioInfo>,
    pub voice_note: bool,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub origin: AudioOrigin,
    pub url: Option<String>,
    pub url_public: Option<bool>,
    pub sha256: String,
    pub size: u64,
    /// Set when the media came from a saved attachment.
    pub attachment_id: Option<String>,
}

/// Gets and checks the media, and keeps its bytes (within `keep_audio_bytes`).
pub(crate) async fn resolve(
    call: &Call<'_>,
    spec: &MediaSpec,
) -> Result<Resolved, GraphErrorReply> {
    let state = call.state;
    let rules = &state.config.audio;
    let (bytes, filename, content_type, origin, url, url_public): (
        Bytes,
        Option<String>,
        Option<String>,
        AudioOrigin,
        Option<String>,
        Option<bool>,
    ) = match &spec.source {
        MediaRef::File => {
            let file = call
                .params
                .file
                .as_ref()
                .ok_or_else(GraphErrorReply::file_count)?;
            check_file(file, spec.kind, rules)?;
            (
                file.bytes.clone(),
                file.filename.clone(),
                file.content_type.clone(),
                AudioOrigin::Upload,
                None,
                None,
            )
        }
        MediaRef::Url(url) => {
            let fetched = state.fetcher.fetch(url, spec.kind).await?;
            if fetched.bytes.len() as u64 > rules.max_bytes {
                return Err(GraphErrorReply::too_large(rules.max_bytes));
            }
            (
                fetched.bytes,
                None,
                Some(fetched.content_type),
                AudioOrigin::Url,
                Some(url.clone()),
                Some(fetched.url_public),
            )
        }
        MediaRef::AttachmentId(id) => return saved(call, spec, id),
    };
    let inspected = inspect(spec.kind, bytes.clone(), rules).await?;
    if call.surface == Surface::Instagram {
        crate::instagram::check_audio(spec.kind, inspected.audio.as_ref(), filename.as_deref())?;
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    state.store.keep_media(
        &sha256,
        bytes.clone(),
        content_type
            .as_deref()
            .unwrap_or("application/octet-stream"),
    );
    Ok(Resolved {
        kind: spec.kind,
        audio: inspected.audio,
        voice_note: inspected.voice_note,
        filename,
        content_type,
        origin,
        url,
        url_public,
        sha256,
        size: bytes.len() as u64,
        attachment_id: None,
    })
}

/// A saved attachment: this Page's, saved with `is_reusable`, not expired, of the same type.
fn saved(call: &Call<'_>, spec: &MediaSpec, id: &str) -> Result<Resolved, GraphErrorReply> {
    let Some(att) = call.state.store.attachment(id) else {
        return Err(GraphErrorReply::attachment_unknown(
            "no attachment has this id; upload the media again to get one",
        ));
    };
    if att.platform != call.surface.name() {
        return Err(GraphErrorReply::attachment_unknown(
            "this attachment was saved for another platform",
        ));
    }
    if att.page_id != call.page.id {
        return Err(GraphErrorReply::attachment_unknown(
            "this attachment was saved by another Page; attachment ids are private to the Page that saved them",
        ));
    }
    if !att.reusable {
        return Err(GraphErrorReply::attachment_unknown(
            "this attachment was saved without is_reusable: true, so it cannot be sent again",
        ));
    }
    if att
        .expires_at_ms
        .is_some_and(|t| crate::state::now_ms() >= t)
    {
        return Err(GraphErrorReply::attachment_unknown(
            "this attachment id has expired (Meta: 90 days after it was saved); upload the media again",
        ));
    }
    if att.kind != spec.kind {
        return Err(GraphErrorReply::upload_failed(&format!(
            "attachment {id} is {}, not {}",
            att.kind.as_str(),
            spec.kind.as_str()
        )));
    }
    Ok(Resolved {
        kind: att.kind,
        audio: att.audio,
        voice_note: att.voice_note,
        filename: att.filename,
        content_type: att.content_type,
        origin: AudioOrigin::AttachmentId,
        url: None,
        url_public: None,
        sha256: att.sha256,
        size: att.size_bytes,
        attachment_id: Some(att.attachment_id),
    })
}

/// Saves `media` as an attachment of the calling Page (`reusable` as sent) and returns its id.
pub(crate) fn save(call: &Call<'_>, media: &Resolved, reusable: bool) -> String {
    let store = &call.state.store;
    let id = loop {
        let id = crate::ids::attachment_id();
        if !store.has_attachment(&id) {
            break id;
        }
    };
    let now = crate::state::now_ms();
    let expires_at_ms = call
        .state
        .config
        .attachments
        .expire_after
        .filter(|d| !d.0.is_zero())
        .map(|d| now + d.0.as_millis() as u64);
    store.save_attachment(Attachment {
        platform: call.surface.name().to_owned(),
        attachment_id: id.clone(),
        page_id: call.page.id.clone(),
        kind: media.kind,
        reusable,
        origin: media.origin,
        url: media.url.clone(),
        filename: media.filename.clone(),
        content_type: media.content_type.clone(),
        audio: media.audio.clone(),
        voice_note: media.voice_note,
        size_bytes: media.size,
        sha256: media.sha256.clone(),
        created_at_ms: now,
        expires_at_ms,
    });
    id
}
