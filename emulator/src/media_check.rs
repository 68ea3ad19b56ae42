//! What Meta checks about the media itself: exactly one file with a name, a declared type
//! that matches the attachment type (`audio/*` for audio, `image/*`, `video/*`; any for
//! `file`), at most 25 MB, and for audio bytes that really decode — read with
//! `svara::audio`, never trusted from the header. The record says whether the audio is a
//! voice note (AAC in MP4, what Messenger plays as a voice bubble); the emulator's own
//! `strict_voice_notes` policy refuses anything else.

use crate::config::AudioRules;
use crate::graph_error::GraphErrorReply;
use crate::message::MessageKind;
use crate::request::FilePart;
use bytes::Bytes;
use svara::AudioInfo;

/// What the bytes are.
pub(crate) struct Inspected {
    pub audio: Option<AudioInfo>,
    pub voice_note: bool,
}

/// Checks the `filedata` part: file name, size and declared type.
pub(crate) fn check_file(
    file: &FilePart,
    kind: MessageKind,
    rules: &AudioRules,
) -> Result<(), GraphErrorReply> {
    if file.filename.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(GraphErrorReply::file_count());
    }
    if file.size > rules.max_bytes {
        return Err(GraphErrorReply::too_large(rules.max_bytes));
    }
    let ct = file.content_type.as_deref().unwrap_or("");
    if !declared_type_matches(kind, ct) {
        return Err(GraphErrorReply::upload_failed(&format!(
            "the filedata part's Content-Type is {ct:?}, which does not match the attachment type {} (send e.g. {})",
            kind.as_str(),
            match kind {
                MessageKind::Image => "image/png",
                MessageKind::Video => "video/mp4",
                _ => "audio/mp4 for .m4a, audio/mpeg for .mp3",
            }
        )));
    }
    Ok(())
}

/// True when `content_type` (parameters ignored) fits the attachment type.
pub(crate) fn declared_type_matches(kind: MessageKind, content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let prefix = match kind {
        MessageKind::Audio => "audio/",
        MessageKind::Image => "image/",
        MessageKind::Video => "video/",
        _ => return true,
    };
    essence.len() > prefix.len() && essence[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Decodes audio off the async threads (other kinds are taken as they are).
pub(crate) async fn inspect(
    kind: MessageKind,
    bytes: Bytes,
    rules: &AudioRules,
) -> Result<Inspected, GraphErrorReply> {
    if kind != MessageKind::Audio {
        return Ok(Inspected {
            audio: None,
            voice_note: false,
        });
    }
    let strict = rules.strict_voice_notes;
    let result = tokio::task::spawn_blocking(move || {
        let probed = svara::audio::probe(&bytes).map_err(|e| e.message().to_owned())?;
        let aac_in_mp4 = probed.container == "mp4" && probed.codec.contains("aac");
        let verified = if aac_in_mp4 {
            svara::audio::verify_m4a_aac(&bytes).map_err(|e| e.message().to_owned())
        } else {
            Err(format!(
                "it is {} in {}, not AAC in an M4A/MP4 container",
                probed.codec, probed.container
            ))
        };
        Ok::<_, String>((probed, verified))
    })
    .await;
    let (probed, verified) = match result {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            return Err(GraphErrorReply::upload_failed(&format!(
                "the file is not a playable audio file: {e}"
            )))
        }
        Err(_) => {
            return Err(GraphErrorReply::upload_failed(
                "the file could not be decoded",
            ))
        }
    };
    match verified {
        Ok(info) => Ok(Inspected {
            audio: Some(info),
            voice_note: true,
        }),
        Err(why) if strict => Err(GraphErrorReply::upload_failed(&format!(
            "{why}. This refusal is svara-emulator's strict_voice_notes policy, not Meta's: Meta accepts any audio file, but only AAC in M4A plays as a voice bubble"
        ))),
        Err(_) => Ok(Inspected {
            audio: Some(probed),
            voice_note: false,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types() {
        use MessageKind::*;
        assert!(declared_type_matches(Audio, "audio/mp4"));
        assert!(declared_type_matches(Audio, "Audio/MPEG; charset=binary"));
        assert!(!declared_type_matches(Audio, "audio/"));
        assert!(!declared_type_matches(Audio, "video/mp4"));
        assert!(!declared_type_matches(Audio, ""));
        assert!(declared_type_matches(Image, "image/png"));
        assert!(!declared_type_matches(Image, "audio/mp4"));
        assert!(declared_type_matches(File, "application/pdf"));
        assert!(declared_type_matches(File, ""));
    }
}
