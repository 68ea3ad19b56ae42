//! What Meta checks about the audio itself: exactly one file with a name, an `audio/*` type,
//! at most 25 MB, and (by default) bytes that really are a playable M4A with an AAC track —
//! decoded with `svara::audio`, never trusted from the header.

use crate::config::AudioRules;
use crate::graph_error::GraphErrorReply;
use crate::request::FilePart;
use svara::AudioInfo;

/// Picks the single `filedata` part, checking count, file name, size and declared type.
pub(crate) fn single_file(
    files: &[FilePart],
    rules: &AudioRules,
) -> Result<FilePart, GraphErrorReply> {
    let [file] = files else {
        return Err(GraphErrorReply::file_count());
    };
    if file.filename.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(GraphErrorReply::file_count());
    }
    if file.size > rules.max_bytes {
        return Err(GraphErrorReply::too_large(rules.max_bytes));
    }
    let ct = file.content_type.as_deref().unwrap_or("");
    if !is_audio_type(ct) {
        return Err(GraphErrorReply::upload_failed(&format!(
            "the filedata part's Content-Type is {ct:?}, which does not match the attachment type audio (send e.g. audio/mp4 for .m4a)"
        )));
    }
    Ok(file.clone())
}

/// True for `audio/...` media types (parameters ignored).
pub(crate) fn is_audio_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.len() > "audio/".len() && essence[..6].eq_ignore_ascii_case("audio/")
}

/// Decodes the bytes off the async threads: an M4A/AAC check, or any recognised audio when
/// the rules allow it.
pub(crate) async fn inspect_audio(
    bytes: std::sync::Arc<[u8]>,
    rules: &AudioRules,
) -> Result<AudioInfo, GraphErrorReply> {
    let require = rules.require_m4a_aac;
    let result = tokio::task::spawn_blocking(move || {
        let checked = if require {
            svara::audio::verify_m4a_aac(&bytes)
        } else {
            svara::audio::probe(&bytes)
        };
        checked.map_err(|e| e.message().to_owned())
    })
    .await;
    match result {
        Ok(Ok(info)) => Ok(info),
        Ok(Err(e)) => Err(GraphErrorReply::upload_failed(&format!(
            "the file is not a playable {}: {}",
            if require {
                "M4A with an AAC audio track"
            } else {
                "audio file"
            },
            e
        ))),
        Err(_) => Err(GraphErrorReply::upload_failed(
            "the file could not be decoded",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_types() {
        assert!(is_audio_type("audio/mp4"));
        assert!(is_audio_type("Audio/MPEG; charset=binary"));
        assert!(!is_audio_type("audio/"));
        assert!(!is_audio_type("video/mp4"));
        assert!(!is_audio_type("application/octet-stream"));
        assert!(!is_audio_type(""));
    }
}
