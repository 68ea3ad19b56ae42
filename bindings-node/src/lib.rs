//! The native half of the `svara` npm package: napi-rs glue that converts arguments, runs the
//! core's futures on napi's tokio runtime and hands results back as plain data.
//!
//! Data flow: JS options (checked by `lib/options.js` by the kinds of the core's field table,
//! [`fields`]) -> a JSON request the core parses ([`svara::SendRequest`]) plus the audio bytes
//! -> `svara::send` / [`svara::Client`] -> an [`outcome::Outcome`] (`{ok, value}` or `{ok:
//! false, error}`, the error in the core's wire shape) -> `lib/errors.js` turns the error into
//! a `SvaraError` subclass. Expected failures therefore never travel as napi exceptions (which
//! carry only a message and a status); only a broken call does.
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

/// The core's field table, for `lib/options.js`: every field (`name`, `kind`, `scope`,
/// `description`, `choices`, `required`, `platforms`), the fields each operation takes, and
/// the session keys of every platform (`name`, `secret`, `env`, `description`).
#[napi(catch_unwind)]
pub fn fields() -> serde_json::Value {
    use svara::request::fields::{Operation, FIELDS};
    let fields: Vec<serde_json::Value> = FIELDS
        .iter()
        .map(|f| {
            serde_json::json!({
                "name": f.name,
                "kind": f.kind.as_str(),
                "scope": f.scope.as_str(),
                "description": f.description,
                "choices": f.kind.choices(),
                "required": f.required,
                "platforms": f.platforms,
            })
        })
        .collect();
    let operations: serde_json::Map<String, serde_json::Value> = Operation::ALL
        .iter()
        .map(|op| {
            let names: Vec<&str> = op.fields().map(|f| f.name).collect();
            (op.as_str().to_owned(), serde_json::json!(names))
        })
        .collect();
    // Every platform's session keys (`page_access_token`, `access_token`, `ig_user_id`,
    // `phone_number_id`, `bot_token`): which platform takes which is the core's rule.
    let session_keys: Vec<serde_json::Value> = svara::platform::session_keys()
        .into_iter()
        .map(|k| {
            serde_json::json!({
                "name": k.name,
                "secret": k.secret,
                "env": k.env,
                "description": k.description,
            })
        })
        .collect();
    serde_json::json!({ "fields": fields, "operations": operations, "session_keys": session_keys })
}

/// The keys of the core's error wire shape, in order (`lib/errors.js` makes one property of each).
#[napi(catch_unwind)]
pub fn error_shape() -> Vec<String> {
    match serde_json::to_value(svara::Error::new(svara::ErrorCode::ApiError, "")) {
        Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Every error code, in documentation order (`lib/errors.js` makes one class of each).
#[napi(catch_unwind)]
pub fn error_codes() -> Vec<&'static str> {
    svara::ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

/// What to do about an error code (the same sentence in Python, Node and Rust).
#[napi(catch_unwind)]
pub fn error_hint(code: String) -> Option<String> {
    svara::ErrorCode::from_str_code(&code).map(|c| c.hint().to_owned())
}

/// The field an unknown option most likely meant, among those of `operation` (the core's
/// "did you mean").
#[napi(catch_unwind)]
pub fn suggest(key: String, operation: String) -> Option<String> {
    let op = svara::Operation::from_name(&operation)?;
    svara::request::fields::suggest(&key, op.fields()).map(str::to_owned)
}

/// Hooks the test suite uses to prove that a Rust panic becomes a JS error instead of aborting
/// Node. Built only with the `testing-hooks` feature (scripts/lib/test-node.sh turns it on for
/// the suite and builds the packed addon without it).
#[cfg(feature = "testing-hooks")]
pub mod testing_hooks {
    use napi_derive::napi;

    /// Panics on purpose (synchronously).
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
}
