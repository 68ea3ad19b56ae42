//! The size and duration limits every prepared note must meet, and their error messages: the
//! output must fit the upload limit ([`PrepareOptions::max_bytes`], the platform's; 25 MB by
//! default) and the recording must not be longer than [`PrepareOptions::max_duration`].

use super::{PrepareOptions, TargetFormat};
use crate::error::{Error, ErrorCode, Result};

/// Refuses a note of `size` bytes (or a note that has already grown to `size` while encoding)
/// when it is over the upload limit.
pub(crate) fn check_output_size(size: u64, max: u64, format: TargetFormat) -> Result<()> {
    if size > max {
        return Err(Error::new(
            ErrorCode::AudioTooLarge,
            format!(
                "the converted voice note ({}) would be over the limit of {max} bytes ({} MB); send a shorter recording or a lower bitrate",
                format.as_str(),
                max / (1024 * 1024)
            ),
        ));
    }
    Ok(())
}

/// Refuses a recording of `duration_ms` when it is longer than `options.max_duration`.
pub(crate) fn check_duration(duration_ms: u64, options: &PrepareOptions) -> Result<()> {
    match options.max_duration {
        Some(max) if u128::from(duration_ms) > max.as_millis() => {
            Err(too_long(duration_ms, options))
        }
        _ => Ok(()),
    }
}

/// The error for a recording found to be at least `duration_ms` long, over `max_duration`.
pub(crate) fn too_long(duration_ms: u64, options: &PrepareOptions) -> Error {
    let max = options.max_duration.unwrap_or_default();
    Error::new(
        ErrorCode::AudioTooLarge,
        format!(
            "the recording is longer than the allowed {:.1} s (at least {:.1} s); trim it or raise max_duration",
            max.as_secs_f64(),
            duration_ms as f64 / 1000.0
        ),
    )
}
