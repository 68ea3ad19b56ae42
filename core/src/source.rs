//! Where a recording comes from ([`AudioSource`]) and the one reader that obtains its bytes
//! within a limit (25 MB, [`MAX_AUDIO_BYTES`], unless the platform takes more: Telegram's 50 MB),
//! checking the size *before* reading: a file's size from its metadata, a download's from its
//! Content-Length and then as it streams (`client::fetch`), bytes in memory by their length.
//! The client, the bindings and the CLI all read through here.

use crate::audio::MAX_AUDIO_BYTES;
use crate::error::{Error, ErrorCode, Result};
use std::path::{Path, PathBuf};

/// Where the audio comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum AudioSource {
    /// An http(s) URL the SDK downloads (at most 25 MB, 5 redirects) before converting.
    Url(String),
    /// A local file.
    Path(PathBuf),
    /// Bytes already in memory.
    Bytes(Vec<u8>),
    /// An attachment id returned by an earlier reusable upload; sent as is.
    AttachmentId(String),
}

impl std::fmt::Debug for AudioSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AudioSource::Url(u) => f.debug_tuple("Url").field(u).finish(),
            AudioSource::Path(p) => f.debug_tuple("Path").field(p).finish(),
            AudioSource::Bytes(b) => write!(f, "Bytes(<{} bytes>)", b.len()),
            AudioSource::AttachmentId(id) => f.debug_tuple("AttachmentId").field(id).finish(),
        }
    }
}

/// The `audio_too_large` error for `what` (a sentence subject such as "The file note.wav (N
/// bytes)") over `max` bytes.
pub fn too_large_within(what: impl std::fmt::Display, max: u64) -> Error {
    Error::new(
        ErrorCode::AudioTooLarge,
        format!(
            "{what} is larger than the {} MB limit ({max} bytes).",
            max / (1024 * 1024)
        ),
    )
}

/// [`too_large_within`] the 25 MB limit.
pub fn too_large(what: impl std::fmt::Display) -> Error {
    too_large_within(what, MAX_AUDIO_BYTES)
}

/// Refuses `size` bytes over `max`, naming `what`.
pub fn check_size_within(size: u64, what: impl std::fmt::Display, max: u64) -> Result<()> {
    if size > max {
        Err(too_large_within(format_args!("{what} ({size} bytes)"), max))
    } else {
        Ok(())
    }
}

/// Refuses `size` bytes over 25 MB, naming `what`.
pub fn check_size(size: u64, what: impl std::fmt::Display) -> Result<()> {
    check_size_within(size, what, MAX_AUDIO_BYTES)
}

/// Refuses empty bytes in memory, or more than `max`.
pub fn check_bytes_within(bytes: &[u8], max: u64) -> Result<()> {
    if bytes.is_empty() {
        return Err(Error::unsupported_audio("The audio is empty (0 bytes)."));
    }
    check_size_within(bytes.len() as u64, "The audio", max)
}

/// Refuses empty or oversized (25 MB) bytes in memory.
pub fn check_bytes(bytes: &[u8]) -> Result<()> {
    check_bytes_within(bytes, MAX_AUDIO_BYTES)
}

fn unreadable(path: &Path, e: std::io::Error) -> Error {
    Error::new(
        ErrorCode::AudioFetchFailed,
        format!(
            "Could not read the audio file {}: {e}. Check the path and its permissions.",
            path.display()
        ),
    )
}

/// Reads a local recording, refusing a directory, a missing file or one over 25 MB before
/// reading it. Blocking: call it where blocking is fine (a CLI, a binding with the GIL
/// released), or use [`read_file_async`].
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    read_file_within(path, MAX_AUDIO_BYTES)
}

/// [`read_file`] with a limit of `max` bytes.
pub fn read_file_within(path: &Path, max: u64) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| unreadable(path, e))?;
    if !meta.is_file() {
        return Err(Error::new(
            ErrorCode::AudioFetchFailed,
            format!(
                "{} is not a file; pass the path of an audio file.",
                path.display()
            ),
        ));
    }
    check_size_within(meta.len(), format_args!("The file {}", path.display()), max)?;
    std::fs::read(path).map_err(|e| unreadable(path, e))
}

/// [`read_file`] on tokio's blocking pool.
pub async fn read_file_async(path: &Path) -> Result<Vec<u8>> {
    read_file_within_async(path, MAX_AUDIO_BYTES).await
}

/// [`read_file_within`] on tokio's blocking pool.
pub async fn read_file_within_async(path: &Path, max: u64) -> Result<Vec<u8>> {
    let owned = path.to_owned();
    tokio::task::spawn_blocking(move || read_file_within(&owned, max))
        .await
        .map_err(|e| {
            Error::new(
                ErrorCode::AudioFetchFailed,
                format!("Reading the audio file stopped unexpectedly ({e})."),
            )
        })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_before_reading() {
        let dir = std::env::temp_dir().join(format!("svara-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.wav");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_AUDIO_BYTES + 1).unwrap(); // sparse: nothing is written or read
        let e = read_file(&big).unwrap_err();
        assert_eq!(e.code(), ErrorCode::AudioTooLarge);
        assert!(e.message().contains("25 MB"), "{e}");
        assert_eq!(
            read_file(&dir).unwrap_err().code(),
            ErrorCode::AudioFetchFailed
        );
        let missing = read_file(&dir.join("none.mp3")).unwrap_err();
        assert!(missing.message().contains("none.mp3"), "{missing}");
        assert_eq!(
            check_bytes(&[]).unwrap_err().code(),
            ErrorCode::UnsupportedAudio
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
