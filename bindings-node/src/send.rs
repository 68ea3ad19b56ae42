//! `send()` and `NativeClient`: the Send API calls of the core, run on napi's tokio runtime so
//! the JS event loop keeps turning while audio downloads, converts (on a blocking thread inside
//! the core) and uploads.

use crate::outcome::{to_value, Outcome};
use crate::request::{guarded, parse};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use serde_json::{json, Value};
use std::sync::Mutex;
use svara::{Client, Error, RecipientOutcome, Result};

/// One voice note from the documented request body (`{platform, recipient, audio_url, session:
/// {page_access_token}, ...}` as JSON) and optional audio bytes.
#[napi(catch_unwind)]
pub async fn send(request_json: String, audio: Option<Buffer>) -> Outcome {
    let result = async move {
        let request = parse(&request_json, audio)?;
        guarded(svara::send(request)).await
    };
    Outcome::from_result(result.await)
}

/// A configured client: the connection pool and send limiter live here, in Rust, so the token
/// never sits in a JS property where `console.log(client)` could show it.
#[napi]
pub struct NativeClient {
    client: Mutex<Option<Client>>,
}

impl Default for NativeClient {
    fn default() -> Self {
        NativeClient::new()
    }
}

#[napi]
impl NativeClient {
    /// An unconfigured client; call [`NativeClient::configure`] next.
    #[napi(constructor)]
    pub fn new() -> Self {
        NativeClient {
            client: Mutex::new(None),
        }
    }

    /// Builds the core client from the client options (the documented body's names, JSON).
    /// Resolves to the public part of the configuration (never the token or app secret).
    #[napi(catch_unwind)]
    pub fn configure(&self, config_json: String) -> Outcome {
        let built = parse(&config_json, None).and_then(|r| r.client_builder()?.build());
        match built {
            Ok(client) => {
                let c = client.config();
                let description = json!({
                    "graph_url": c.graph_url,
                    "api_version": c.api_version,
                    "page_id": c.page_id,
                    "timeout_ms": c.timeout.as_millis() as u64,
                    "max_retries": c.max_retries,
                    "app_secret_proof": c.app_secret.is_some(),
                });
                *self.lock() = Some(client);
                Outcome::value(description)
            }
            Err(e) => Outcome::error(&e),
        }
    }

    /// Sends to one recipient (`recipient`, one audio source, per-send options).
    #[napi(catch_unwind)]
    pub async fn send(&self, request_json: String, audio: Option<Buffer>) -> Outcome {
        let client = self.current();
        let result = async move {
            let client = client?;
            let request = parse(&request_json, audio)?;
            let source = request.audio_source()?;
            let options = request.send_options()?;
            let recipient = request.recipient.clone();
            guarded(async move { client.send(&recipient, source, &options).await }).await
        };
        Outcome::from_result(result.await)
    }

    /// Uploads once as a reusable attachment; resolves to `{attachment_id, converted, input, output}`.
    #[napi(catch_unwind)]
    pub async fn upload(&self, request_json: String, audio: Option<Buffer>) -> Outcome {
        let client = self.current();
        let result = async move {
            let client = client?;
            let request = parse(&request_json, audio)?;
            let source = request.audio_source()?;
            let options = request.send_options()?;
            guarded(async move { client.upload(source, &options).await }).await
        };
        Outcome::from_result(result.await)
    }

    /// Uploads once and sends to every recipient; resolves to one `{recipient, ok, result |
    /// error}` per recipient, in order. Only a failure before anything was sent is an error.
    #[napi(catch_unwind)]
    pub async fn send_many(
        &self,
        recipients: Vec<String>,
        request_json: String,
        audio: Option<Buffer>,
    ) -> Outcome {
        let client = self.current();
        let result = async move {
            let client = client?;
            let request = parse(&request_json, audio)?;
            let source = request.audio_source()?;
            let options = request.send_options()?;
            let outcomes = send_many_off_thread(client, recipients, source, options).await?;
            outcomes
                .iter()
                .map(outcome_value)
                .collect::<Result<Vec<_>>>()
        };
        match result.await {
            Ok(list) => Outcome::value(Value::Array(list)),
            Err(e) => Outcome::error(&e),
        }
    }

    /// Drops the connection pool; later calls fail with `invalid_request`. Calls in flight
    /// finish (they hold their own handle).
    #[napi(catch_unwind)]
    pub fn close(&self) -> bool {
        self.lock().take().is_some()
    }

    /// True once [`NativeClient::close`] ran (or before `configure`).
    #[napi(getter, catch_unwind)]
    pub fn closed(&self) -> bool {
        self.lock().is_none()
    }
}

impl NativeClient {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Client>> {
        // A poisoned lock only means a panic elsewhere; the Option inside is still valid.
        self.client.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn current(&self) -> Result<Client> {
        self.lock().clone().ok_or_else(|| {
            Error::invalid_request(
                "This Client is closed; create a new Client({ page_access_token, ... }) to send again.",
            )
        })
    }
}

/// Runs `Client::send_many` on a blocking thread that drives it with `Handle::block_on`.
///
/// The core's `send_many` future is not provably `Send` (rustc's "FnOnce is not general
/// enough" limitation with `stream::iter(..).map(closure).buffered(..)` over borrowed `&str`),
/// so it cannot be handed to `tokio::spawn` or to napi's async machinery directly. `block_on`
/// needs no `Send`; the sends themselves still run concurrently inside it.
async fn send_many_off_thread(
    client: Client,
    recipients: Vec<String>,
    source: svara::AudioSource,
    options: svara::SendOptions,
) -> Result<Vec<RecipientOutcome>> {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        handle.block_on(async move { client.send_many(&recipients, source, &options).await })
    })
    .await
    .map_err(|e| crate::outcome::task_failed(&e))?
}

fn outcome_value(o: &RecipientOutcome) -> Result<Value> {
    Ok(match &o.result {
        Ok(result) => json!({ "recipient": o.recipient, "ok": true, "result": to_value(result)? }),
        Err(e) => {
            json!({ "recipient": o.recipient, "ok": false, "error": crate::outcome::error_value(e) })
        }
    })
}
