//! Svara: get any voice recording into a Messenger, Instagram, WhatsApp or Telegram chat as a
//! native voice note.
//!
//! The data flow, module by module:
//! - [`request`]: the documented request ([`SendRequest`]), its one table of fields
//!   ([`request::FIELDS`]) and ranges ([`request::limits`]), and what a valid request means;
//! - [`source`]: where the recording comes from ([`AudioSource`]) and the one reader of its bytes;
//! - [`audio`]: bytes -> [`audio::probe`] -> (pass through | decode -> encode -> mux) -> M4A/AAC
//!   or Ogg/Opus;
//! - [`platform`]: each platform's facts, request shapes and error table, behind one trait;
//! - [`client`]: prepare -> upload -> send -> [`SendResult`] or [`Error`], for any platform.
//!
//! The Python and Node packages are thin bindings over this crate: they convert their
//! arguments by [`request::FIELDS`], and every error they raise is an [`Error`] in its one wire
//! shape (`serde_json::to_value(&error)`).

pub mod audio;
pub mod client;
pub mod error;
pub mod platform;
pub mod request;
pub mod secret;
pub mod source;
pub mod webhooks;

pub use audio::{
    prepare, probe, verify_m4a_aac, verify_ogg_opus, AudioInfo, PrepareOptions, PreparedAudio,
    TargetFormat,
};
pub use client::*;
pub use error::{Error, ErrorCode, GraphError, Result};
pub use platform::{Platform, PlatformSpec, Reuse};
pub use request::{Operation, FIELDS};
pub use secret::{AppSecret, PageToken};
