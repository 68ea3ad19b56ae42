//! Pass-through: an M4A/MP4 whose only media is AAC that decodes cleanly is already what
//! Messenger plays, so it is sent byte for byte instead of being re-encoded (no quality loss).

use super::probe::Probed;
use super::{verify, AudioInfo, PreparedAudio, OUTPUT_MIME};

/// The upload file name of every prepared note.
pub(crate) const FILE_NAME: &str = "voice-note.m4a";

/// Returns the input unchanged when it can be sent as is, or `None` when it must be converted.
pub(crate) fn try_pass_through(bytes: &[u8], probed: &Probed) -> Option<PreparedAudio> {
    let is_aac = probed.info.codec.starts_with("aac") || probed.info.codec.contains("he-aac");
    if probed.info.container != "mp4" || !is_aac || probed.has_video {
        return None;
    }
    // Meta decodes the upload; so do we, and convert what we can if any packet is damaged.
    let verified: AudioInfo = verify::verify(bytes).ok()?;
    Some(PreparedAudio {
        data: bytes.to_vec(),
        mime: OUTPUT_MIME,
        file_name: FILE_NAME.to_owned(),
        input: probed.info.clone(),
        output: verified,
        converted: false,
    })
}
