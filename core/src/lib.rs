//! Svara: get any voice recording into a Facebook Messenger thread as a native voice note.
//!
//! The crate has two halves that meet in [`Client::send`]:
//! - [`audio`]: source bytes -> [`audio::probe`] -> (pass through | decode -> encode -> mux) -> M4A/AAC;
//! - [`client`]: obtain the audio ([`AudioSource`]) -> prepare -> upload -> send -> [`SendResult`] or [`Error`].
//!
//! The Python and Node packages are thin bindings over this crate; every error code they raise
//! comes from [`ErrorCode`].

pub mod audio;
pub mod client;
pub mod error;
pub mod secret;
pub mod webhooks;

pub use audio::{prepare, probe, verify_m4a_aac, AudioInfo, PrepareOptions, PreparedAudio};
pub use client::*;
pub use error::{Error, ErrorCode, GraphError, Result};
pub use secret::PageToken;
