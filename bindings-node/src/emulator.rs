//! `svara/testing`: the core's Graph API emulator, started inside the Node process so a bot's
//! tests can send real HTTP requests to `127.0.0.1` without a Meta account.
//!
//! The server runs as tasks of napi's tokio runtime; it holds no libuv handle, so a test that
//! forgets `stop()` does not keep Node alive.

use crate::outcome::{to_value, Outcome};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use serde_json::Value;
use std::sync::Mutex;
use svara::Error;
use svara_emulator::{Emulator, EmulatorConfig};

/// The emulator's well-known Pages, tokens and PSIDs by role (the emulator crate's
/// `well_known()`).
#[napi(catch_unwind)]
pub fn emulator_defaults() -> Value {
    serde_json::to_value(svara_emulator::well_known()).unwrap_or(Value::Null)
}

/// A running emulator.
#[napi]
pub struct NativeEmulator {
    inner: Mutex<Option<Emulator>>,
    url: String,
    token: String,
    psid: String,
}

/// Starts an emulator from a scenario (the `EmulatorConfig` JSON: `pages`, `psids`,
/// `rate_limit`, `faults`, ...; every key optional) or a `.json`/`.toml` file. Resolves to
/// `{ok, value: NativeEmulator}`-like data: the emulator, or an `invalid_request` error.
#[napi(catch_unwind)]
pub async fn start_emulator(
    config_json: Option<String>,
    config_file: Option<String>,
) -> napi::Result<NativeEmulator> {
    let file = config_file.map(std::path::PathBuf::from);
    let config =
        EmulatorConfig::from_scenario(config_json.as_deref(), file.as_deref()).map_err(|e| {
            to_napi(Error::invalid_request(format!(
                "{e}; see the emulator's scenario format in the README."
            )))
        })?;
    let token = config.default_token().unwrap_or_default().to_owned();
    let psid = config.default_psid().unwrap_or_default().to_owned();
    let emulator = Emulator::start(config).await.map_err(|e| {
        to_napi(Error::invalid_request(format!(
            "The emulator could not start: {e}."
        )))
    })?;
    Ok(NativeEmulator {
        url: emulator.base_url(),
        inner: Mutex::new(Some(emulator)),
        token,
        psid,
    })
}

/// A napi error whose `code` is the Svara code (read by `errors.js`).
fn to_napi(e: Error) -> napi::Error {
    napi::Error::new(
        napi::Status::InvalidArg,
        format!("{}: {}", e.code(), e.message()),
    )
}

#[napi]
impl NativeEmulator {
    /// `http://127.0.0.1:PORT`: pass it as `graph_url` (or `SVARA_GRAPH_URL`).
    #[napi(getter, catch_unwind)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The scenario's default token (the emulator crate's `default_token`).
    #[napi(getter, catch_unwind)]
    pub fn token(&self) -> String {
        self.token.clone()
    }

    /// The scenario's default PSID (the emulator crate's `default_psid`).
    #[napi(getter, catch_unwind)]
    pub fn psid(&self) -> String {
        self.psid.clone()
    }

    /// Everything received (like `GET /__emulator/messages`); `null` once stopped.
    #[napi(catch_unwind)]
    pub fn snapshot(&self) -> Outcome {
        match self.lock().as_ref() {
            Some(e) => Outcome::from_result(to_value(&e.snapshot())),
            None => Outcome::error(&stopped()),
        }
    }

    /// The accepted voice notes, oldest first (only those to `psid` when given).
    #[napi(catch_unwind)]
    pub fn deliveries(&self, psid: Option<String>) -> Outcome {
        match self.lock().as_ref() {
            Some(e) => Outcome::from_result(to_value(&e.snapshot().deliveries_to(psid.as_deref()))),
            None => Outcome::error(&stopped()),
        }
    }

    /// The bytes of a received voice note by its `sha256`, while kept.
    #[napi(catch_unwind)]
    pub fn audio(&self, sha256: String) -> Option<Buffer> {
        self.lock()
            .as_ref()
            .and_then(|e| e.audio(&sha256))
            .map(Buffer::from)
    }

    /// Forgets deliveries, attempts, attachments, rate-limit windows and fault counters.
    #[napi(catch_unwind)]
    pub fn reset(&self) -> bool {
        self.lock().as_ref().map(Emulator::reset).is_some()
    }

    /// Stops the server (open requests get a moment to finish). Idempotent.
    #[napi(catch_unwind)]
    pub async fn stop(&self) -> bool {
        let running = self.lock().take();
        match running {
            Some(e) => {
                e.shutdown().await;
                true
            }
            None => false,
        }
    }
}

impl NativeEmulator {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Emulator>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn stopped() -> Error {
    Error::invalid_request("This emulator was stopped; start a new one with startEmulator().")
}
