//! `POST /v1/send`: validate without the network, then insert the job (and its idempotency
//! row) in one transaction and answer 202 only after it committed. `dry_run` validates,
//! downloads and probes the audio, and answers 200 without queueing.

use super::extract::{Auth, JsonBody};
use super::send_body::{self, ParsedSend, Source};
use crate::clock::{iso8601, now_ms};
use crate::error::{ApiError, ApiErrorCode};
use crate::model::{Accepted, DryRun};
use crate::state::AppState;
use crate::store::jobs::{self, Idempotency, NewJob};
use crate::store::uploads;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Header of Stripe's idempotency semantics.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
/// Longest idempotency key (Stripe's limit).
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// Queue a voice note.
#[utoipa::path(
    post,
    path = "/v1/send",
    tag = "voice notes",
    request_body = crate::model::SendBody,
    params(
        ("Idempotency-Key" = Option<String>, Header,
         description = "Makes a retry safe: the same key with the same body returns the first answer and never queues a second note; with a different body it is 409 idempotency_conflict. Kept 24 h. At most 255 characters.")
    ),
    responses(
        (status = 202, description = "Durably queued: poll GET /v1/status/{id}.", body = Accepted),
        (status = 200, description = "dry_run: valid, audio usable; nothing queued.", body = DryRun),
        (status = 400, description = "bad_request or invalid_parameter", body = crate::model::ErrorEnvelope),
        (status = 401, description = "unauthorized", body = crate::model::ErrorEnvelope),
        (status = 409, description = "idempotency_conflict", body = crate::model::ErrorEnvelope),
        (status = 413, description = "payload_too_large", body = crate::model::ErrorEnvelope),
        (status = 422, description = "unprocessable_entity: unsupported platform, refused audio_url, or (dry_run) unusable audio", body = crate::model::ErrorEnvelope),
        (status = 429, description = "rate_limited", body = crate::model::ErrorEnvelope),
    ),
    security(("api_key" = []))
)]
pub async fn send(
    State(state): State<AppState>,
    Auth(key): Auth,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let parsed = send_body::parse(&body, &state.config.url_policy)?;
    let webhook_url = parsed
        .webhook_url
        .as_deref()
        .map(|u| super::webhooks::check_webhook_url(&state, &key, u))
        .transpose()?;
    if let Source::AudioId(id) = &parsed.source {
        check_upload(&state, &key.id, id).await?;
    }
    if parsed.dry_run {
        return dry_run(&state, key.mode.as_str(), &key.id, parsed).await;
    }
    let idem_key = idempotency_key(&headers)?;
    let now = state.store.now_ms();
    let id = crate::ids::new_id("msg", now);
    let accepted = Accepted {
        id: id.clone(),
        status: "queued",
        platform: parsed.platform.clone(),
        recipient: parsed.recipient.clone(),
        created_at: iso8601(now),
    };
    let response = serde_json::to_string(&accepted).map_err(|_| ApiError::internal())?;
    let mut material = parsed.client_material.clone();
    material["mode"] = Value::String(key.mode.as_str().to_owned());
    let page_key = state.crypto.page_key(&send_body::canonical_json(&material));
    let secrets = serde_json::to_vec(&parsed.secrets).map_err(|_| ApiError::internal())?;
    let job = NewJob {
        id: id.clone(),
        key_id: key.id.clone(),
        mode: key.mode.as_str(),
        platform: parsed.platform.clone(),
        recipient: parsed.recipient.clone(),
        page_key,
        audio_id: match &parsed.source {
            Source::AudioId(a) => Some(a.clone()),
            _ => None,
        },
        request: Value::Object(parsed.stored.clone()).to_string(),
        secrets: state.crypto.seal(&id, &secrets),
        webhook_url: webhook_url.map(|u| {
            state.crypto.seal(
                &crate::webhooks_out::deliver::webhook_url_aad(&id),
                u.as_bytes(),
            )
        }),
        created_at: now,
    };
    let idem = idem_key.map(|k| {
        let mut fingerprint = b"POST /v1/send\n".to_vec();
        fingerprint.extend_from_slice(&parsed.canonical);
        Idempotency {
            key: k,
            request_hash: state.crypto.request_hash(&fingerprint),
            expires_at: now + state.config.idempotency_ttl.as_millis() as i64,
        }
    });
    let stored_response = response.clone();
    let outcome = state
        .store
        .write(Box::new(move |c| {
            Box::pin(async move { jobs::accept(c, job, idem, stored_response).await })
        }))
        .await?;
    match outcome {
        jobs::Accepted::Created => {
            state.wake.notify_one();
            tracing::info!(target: "svara_server::send", id = %id, key = %key.id, mode = key.mode.as_str(), "queued");
            Ok(json_response(StatusCode::ACCEPTED, response, false))
        }
        jobs::Accepted::Replay { status, body } => Ok(json_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::ACCEPTED),
            body,
            true,
        )),
        jobs::Accepted::Conflict => Err(ApiError::new(
            ApiErrorCode::IdempotencyConflict,
            "This Idempotency-Key was already used with a different request; use a new key for a new voice note, or send exactly the same body to get the first answer.",
        )),
    }
}

fn json_response(status: StatusCode, body: String, replayed: bool) -> Response {
    let mut resp = (
        status,
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    if replayed {
        resp.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    resp
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let s = v.to_str().unwrap_or("").trim();
    if s.is_empty() || s.len() > MAX_IDEMPOTENCY_KEY || !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid_parameter(
            "Idempotency-Key",
            format!("Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII characters without spaces, e.g. a UUID."),
        ));
    }
    Ok(Some(s.to_owned()))
}

async fn check_upload(state: &AppState, key_id: &str, id: &str) -> Result<(), ApiError> {
    let found = uploads::get(state.store.reader(), id)
        .await
        .map_err(crate::store::StoreError::from)?;
    match found {
        Some(u) if u.key_id == key_id && u.expires_at > now_ms() => Ok(()),
        _ => Err(ApiError::invalid_parameter(
            "audio_id",
            "No upload with this audio_id for this API key (uploads expire after 24 h); upload the file again with POST /v1/audio.",
        )),
    }
}

async fn dry_run(
    state: &AppState,
    mode: &'static str,
    key_id: &str,
    parsed: ParsedSend,
) -> Result<Response, ApiError> {
    let audio = match &parsed.source {
        Source::AttachmentId(_) => None,
        Source::AudioId(id) => uploads::get(state.store.reader(), id)
            .await
            .map_err(crate::store::StoreError::from)?
            .filter(|u| u.key_id == key_id)
            .and_then(|u| serde_json::from_str::<Value>(&u.probe).ok()),
        Source::Url(url) => {
            let probed = state.media.fetch_and_probe(url).await.map_err(|e| {
                ApiError::new(
                    ApiErrorCode::UnprocessableEntity,
                    format!("The audio cannot be sent: {}", e.message()),
                )
                .with_details(serde_json::to_value(&e).unwrap_or(Value::Null))
            })?;
            Some(serde_json::to_value(probed).unwrap_or(Value::Null))
        }
    };
    let body = DryRun {
        dry_run: true,
        valid: true,
        platform: parsed.platform,
        recipient: parsed.recipient,
        mode,
        audio,
    };
    Ok((StatusCode::OK, axum::Json(json!(body))).into_response())
}
