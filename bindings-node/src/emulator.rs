//! `svara/testing`: the core's Graph API emulator, started inside the Node process so a bot's
//! tests can send real HTTP requests to `127.0.0.1` without a Meta account.
//!
//! The server runs as tasks of napi's tokio runtime; it holds no libuv handle, so a test that
//! forgets `stop()` does not keep Node alive.

use crate::outcome::{to_value, Outcome};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use serde_json::{json, Value};
use std::sync::Mutex;
use svara::Error;
use svara_emulator::{Emulator, EmulatorConfig};

/// The emulator's well-known pages, tokens and people (the defaults of `svara emulator`).
#[napi(catch_unwind)]
pub fn emulator_defaults() -> Value {
    use svara_emulator as e;
    json!({
        "page_id": e::DEFAULT_PAGE_ID,
        "page_token": e::DEFAULT_PAGE_TOKEN,
        "expired_page_token": e::EXPIRED_PAGE_TOKEN,
        "second_page_id": e::SECOND_PAGE_ID,
        "second_page_token": e::SECOND_PAGE_TOKEN,
        "dev_mode_page_id": e::DEV_MODE_PAGE_ID,
        "dev_mode_page_token": e::DEV_MODE_PAGE_TOKEN,
        "psid": e::DEFAULT_PSID,
        "psid_second": e::PSID_SECOND,
        "psid_outside_window": e::PSID_OUTSIDE_WINDOW,
        "psid_outside_human_agent_window": e::PSID_OUTSIDE_HUMAN_AGENT_WINDOW,
        "psid_blocked": e::PSID_BLOCKED,
        "psid_unavailable": e::PSID_UNAVAILABLE,
        "psid_app_tester": e::PSID_APP_TESTER,
        "psid_unknown": e::PSID_UNKNOWN,
    })
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
    let config = match (config_json, config_file) {
        (Some(_), Some(_)) => Err(Error::invalid_request(
            "Give the emulator scenario either inline or as configFile, not both.",
        )),
        (None, Some(path)) => EmulatorConfig::from_file(&path).map_err(|e| {
            Error::invalid_request(format!(
                "{e}; see the emulator's scenario format in the README."
            ))
        }),
        (Some(json), None) => EmulatorConfig::from_json_str(&json).map_err(|e| {
            Error::invalid_request(format!(
                "{e}; see the emulator's scenario format in the README."
            ))
        }),
        (None, None) => Ok(EmulatorConfig::default()),
    }
    .map_err(to_napi)?;
    let token = config
        .pages
        .iter()
        .flat_map(|p| p.tokens.first())
        .next()
        .map(|t| t.expose().to_owned())
        .unwrap_or_default();
    let psid = config
        .psids
        .first()
        .map(|p| p.id.clone())
        .unwrap_or_default();
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

    /// The first token of the first Page of the scenario.
    #[napi(getter, catch_unwind)]
    pub fn token(&self) -> String {
        self.token.clone()
    }

    /// The first PSID of the scenario.
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
