//! The native half of the `svara` npm package: napi-rs glue that converts arguments, runs the
//! core's futures on napi's tokio runtime and hands results back as plain data.
//!
//! Data flow: JS options (checked by the hand-written `index.js`) -> a JSON request the core
//! parses ([`svara::SendRequest`]) plus the audio bytes -> `svara::send` / [`svara::Client`] ->
//! an [`outcome::Outcome`] (`{ok, value}` or `{ok: false, error}`) -> `errors.js` turns the
//! error into a `SvaraError` subclass. Expected failures therefore never travel as napi
//! exceptions (which carry only a message and a status); only a broken call does.
//!
//! Modules: [`outcome`] (results and errors as data), [`request`] (JSON in), [`send`]
//! (`send` and `NativeClient`), [`audio`] (`transcode`, `probe`), [`emulator`] (`svara/testing`).
#![deny(clippy::all)]

// The modules are public so that the `cfg(test)` build of the lib (made by `cargo clippy
// --all-targets`), where napi-derive registers nothing, does not see the exports as dead code.

pub mod audio;
pub mod emulator;
pub mod outcome;
pub mod request;
pub mod send;

use napi_derive::napi;

/// Constants the JS layer needs to resolve options the way the core does.
#[napi(object)]
pub struct NativeDefaults {
    /// `https://graph.facebook.com`.
    pub graph_url: String,
    /// The Graph version the core targets, e.g. `v25.0`.
    pub api_version: String,
    /// `META_PAGE_TOKEN`.
    pub token_env: String,
    /// `SVARA_GRAPH_URL`.
    pub graph_url_env: String,
    /// Messenger's attachment limit in bytes (25 MB).
    pub max_audio_bytes: f64,
    /// The version of the Rust core inside this addon.
    pub core_version: String,
}

/// The core's defaults (read once by `index.js`).
#[napi(catch_unwind)]
pub fn defaults() -> NativeDefaults {
    NativeDefaults {
        graph_url: svara::DEFAULT_GRAPH_URL.to_owned(),
        api_version: svara::DEFAULT_API_VERSION.to_owned(),
        token_env: svara::TOKEN_ENV.to_owned(),
        graph_url_env: svara::GRAPH_URL_ENV.to_owned(),
        max_audio_bytes: svara::audio::MAX_AUDIO_BYTES as f64,
        core_version: env!("CARGO_PKG_VERSION").to_owned(),
    }
}

/// Panics on purpose so the test suite can prove that a Rust panic becomes a thrown error
/// instead of aborting Node. Not exported by `index.js`.
#[napi(catch_unwind, js_name = "__panicForTesting")]
pub fn panic_for_testing() -> napi::Result<()> {
    panic!("svara-node: deliberate panic (synchronous) for the test suite");
}

/// The same inside a future on the tokio runtime: the promise must reject.
#[napi(catch_unwind, js_name = "__panicInFutureForTesting")]
pub async fn panic_in_future_for_testing() -> napi::Result<()> {
    tokio::task::yield_now().await;
    panic!("svara-node: deliberate panic (inside a future) for the test suite");
}
