//! `send()` and `NativeClient`: the Send API calls of the core, run on napi's tokio runtime so
//! the JS event loop keeps turning while audio downloads, converts (on a blocking thread inside
//! the core) and uploads. Each call parses its options with the core ([`parse`]) and hands the
//! request to one core method (`svara::send`, `Client::send_request`, ...).

use crate::outcome::{to_value, wire, Outcome};
use crate::request::{guarded, parse};
use napi::bindgen_prelude::{Buffer, PromiseRaw};
use napi::Env;
use napi_derive::napi;
use serde_json::{json, Value};
use std::sync::Mutex;
use svara::{Client, Error, Operation, RecipientOutcome, Result};

/// One voice note from the documented request body (`{platform, recipient, audio_url, session:
/// {page_access_token}, ...}` as JSON) and optional audio bytes.
///
/// The request is read, and `META_PAGE_TOKEN` / `SVARA_GRAPH_URL` with it, here on the JS
/// thread, where `process.env` is written; the sending runs on the tokio runtime.
#[napi(catch_unwind)]
pub fn send(
    env: &Env,
    request_json: String,
    audio: Option<Buffer>,
) -> napi::Result<PromiseRaw<'_, Outcome>> {
    let ready = parse(Operation::Send, &request_json, audio).and_then(|request| {
        request.validate()?;
        let client = request.client_builder()?.build()?;
        Ok((client, request))
    });
    env.spawn_future(async move {
        Ok(match ready {
            Ok((client, request)) => Outcome::from_result(
                guarded(async move { client.send_request(request).await }).await,
            ),
            Err(e) => Outcome::error(&e),
        })
    })
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

    /// Builds the core client from the client options (JSON). Resolves to the public part of
    /// the configuration (never the token or app secret).
    #[napi(catch_unwind)]
    pub fn configure(&self, config_json: String) -> Outcome {
        let built = parse(Operation::ClientNew, &config_json, None)
            .and_then(|r| r.client_builder()?.build());
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
        let call = self.call(Operation::ClientSend, &request_json, audio);
        Outcome::from_result(
            async move {
                let (client, request) = call?;
                guarded(async move { client.send_request(request).await }).await
            }
            .await,
        )
    }

    /// Uploads once as a reusable attachment; resolves to `{attachment_id, converted, input, output}`.
    #[napi(catch_unwind)]
    pub async fn upload(&self, request_json: String, audio: Option<Buffer>) -> Outcome {
        let call = self.call(Operation::Upload, &request_json, audio);
        Outcome::from_result(
            async move {
                let (client, request) = call?;
                guarded(async move { client.upload_request(request).await }).await
            }
            .await,
        )
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
        let call = self.call(Operation::SendMany, &request_json, audio);
        let result = async move {
            let (client, request) = call?;
            let outcomes =
                guarded(async move { client.send_many_request(&recipients, request).await })
                    .await?;
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

    /// The client and the parsed request of one call.
    fn call(
        &self,
        operation: Operation,
        json: &str,
        audio: Option<Buffer>,
    ) -> Result<(Client, svara::SendRequest)> {
        let client = self.lock().clone().ok_or_else(|| {
            Error::invalid_request(
                "This Client is closed; create a new Client({ page_access_token, ... }) to send again.",
            )
        })?;
        Ok((client, parse(operation, json, audio)?))
    }
}

fn outcome_value(o: &RecipientOutcome) -> Result<Value> {
    Ok(match &o.result {
        Ok(result) => json!({ "recipient": o.recipient, "ok": true, "result": to_value(result)? }),
        Err(e) => json!({ "recipient": o.recipient, "ok": false, "error": wire(e) }),
    })
}
