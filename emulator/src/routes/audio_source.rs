//! Obtains the audio of a request from wherever it is (the `filedata` part, `payload.url` or
//! a saved attachment) and checks it the way Meta does.

use super::pipeline::Call;
use crate::audio_check::{inspect_audio, single_file};
use crate::graph_error::GraphErrorReply;
use crate::store::{Attachment, AudioOrigin};
use crate::validate::AudioRef;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use svara::AudioInfo;

/// Audio that passed the checks.
pub(crate) struct Resolved {
    pub bytes: Arc<[u8]>,
    pub info: AudioInfo,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub origin: AudioOrigin,
    pub url: Option<String>,
    pub sha256: String,
    /// Set when the audio came from a saved attachment.
    pub attachment_id: Option<String>,
}

/// Gets and checks the audio.
pub(crate) async fn resolve(
    call: &Call<'_>,
    source: &AudioRef,
) -> Result<Resolved, GraphErrorReply> {
    let rules = &call.state.config.audio;
    match source {
        AudioRef::File => {
            let file = single_file(&call.params.files, rules)?;
            let bytes: Arc<[u8]> = file.bytes.into();
            let info = inspect_audio(bytes.clone(), rules).await?;
            Ok(Resolved {
                sha256: sha256_hex(&bytes),
                bytes,
                info,
                filename: file.filename,
                content_type: file.content_type,
                origin: AudioOrigin::Upload,
                url: None,
                attachment_id: None,
            })
        }
        AudioRef::Url(url) => {
            let fetched = call.state.fetcher.fetch(url).await?;
            if fetched.bytes.len() as u64 > rules.max_bytes {
                return Err(GraphErrorReply::too_large(rules.max_bytes));
            }
            let bytes: Arc<[u8]> = fetched.bytes.into();
            let info = inspect_audio(bytes.clone(), rules).await?;
            Ok(Resolved {
                sha256: sha256_hex(&bytes),
                bytes,
                info,
                filename: None,
                content_type: Some(fetched.content_type),
                origin: AudioOrigin::Url,
                url: Some(url.clone()),
                attachment_id: None,
            })
        }
        AudioRef::AttachmentId(id) => {
            let (att, bytes) = call
                .state
                .store
                .attachment(id)
                .filter(|(a, _)| a.page_id == call.page.id)
                .ok_or_else(GraphErrorReply::attachment_unknown)?;
            Ok(Resolved {
                bytes,
                info: att.audio,
                filename: att.filename,
                content_type: att.content_type,
                origin: AudioOrigin::AttachmentId,
                url: None,
                sha256: att.sha256,
                attachment_id: Some(att.attachment_id),
            })
        }
    }
}

/// Saves `audio` as a reusable attachment of the calling Page and returns its id.
pub(crate) fn save(call: &Call<'_>, audio: &Resolved) -> String {
    let id = crate::ids::attachment_id();
    call.state.store.save_attachment(
        Attachment {
            attachment_id: id.clone(),
            page_id: call.page.id.clone(),
            origin: audio.origin,
            filename: audio.filename.clone(),
            content_type: audio.content_type.clone(),
            audio: audio.info.clone(),
            sha256: audio.sha256.clone(),
            created_at_ms: crate::state::now_ms(),
        },
        audio.bytes.clone(),
    );
    call.state
        .store
        .keep_audio(&audio.sha256, audio.bytes.clone());
    id
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
