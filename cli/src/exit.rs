//! How the CLI reports an SDK error: `error[CODE]: message`, the hint, and a distinct exit code.

use std::process::ExitCode;
use svara::{Error, ErrorCode};

/// The process exit status for an error code (2 is clap's usage error; ours start at 10).
pub fn code_for(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::InvalidRequest => 10,
        ErrorCode::InvalidToken => 11,
        ErrorCode::RecipientNotFound => 12,
        ErrorCode::MessageNotAllowed => 13,
        ErrorCode::AudioTooLarge => 14,
        ErrorCode::AudioFetchFailed => 15,
        ErrorCode::RateLimited => 16,
        ErrorCode::UnsupportedAudio => 17,
        ErrorCode::PermissionDenied => 18,
        ErrorCode::TemporaryFailure => 19,
        ErrorCode::NetworkError => 20,
        _ => 21,
    }
}

/// Prints the error to stderr and returns its exit code.
pub fn report(err: &Error) -> ExitCode {
    eprintln!("error[{}]: {}", err.code(), err.message());
    eprintln!("  hint: {}", err.hint());
    if let Some(trace) = err.fbtrace_id() {
        eprintln!("  fbtrace_id: {trace}");
    }
    ExitCode::from(code_for(err.code()))
}
