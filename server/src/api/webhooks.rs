//! Webhook endpoints of an API key: `POST /v1/webhooks {url, events}` answers the endpoint with
//! its signing secret (shown once), `GET /v1/webhooks` lists them, `GET /v1/webhooks/{id}`,
//! `DELETE /v1/webhooks/{id}`, `POST /v1/webhooks/{id}/rotate` (a new secret; the previous one
//! keeps signing for a day, so receivers can switch without losing events), and
//! `GET /v1/webhooks/{id}/deliveries` with every attempt. `GET /v1/webhooks/request-secret`
//! is the secret of the per-request `webhook_url` of `POST /v1/send`. A key sees only its own
//! endpoints.

use super::extract::{Auth, JsonBody};
use crate::clock::{iso8601, iso8601_ms};
use crate::error::ApiError;
use crate::keys::ApiKey;
use crate::model::{
    RequestSecret, WebhookAttempt, WebhookCreate, WebhookDeleted, WebhookDelivery,
    WebhookDeliveryList, WebhookEndpoint, WebhookList,
};
use crate::state::AppState;
use crate::store::events::EVENT_TYPES;
use crate::store::webhooks::{self as rows, Endpoint};
use crate::store::StoreError;
use crate::webhooks_out::deliver::{old_secrets_aad, secret_aad, url_aad, OldSecret};
use crate::webhooks_out::urls;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

/// How long a rotated-out secret keeps signing.
pub const ROTATION_GRACE_MS: i64 = 24 * 3600 * 1000;
/// Longest `description`.
pub const MAX_DESCRIPTION: usize = 500;

fn not_found() -> ApiError {
    ApiError::not_found(
        "No webhook endpoint with this id for this API key; list them with GET /v1/webhooks.",
    )
}

/// The endpoint `id` of this key (404 when another key's or gone).
async fn owned(state: &AppState, key: &ApiKey, id: &str) -> Result<Endpoint, ApiError> {
    rows::get(state.store.reader(), &key.id, id)
        .await
        .map_err(StoreError::from)?
        .ok_or_else(not_found)
}

fn view(
    state: &AppState,
    e: &Endpoint,
    secret: Option<String>,
    previous_until: Option<i64>,
) -> WebhookEndpoint {
    let url = state
        .crypto
        .open(&url_aad(&e.id), &e.url_sealed)
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| e.url.clone());
    WebhookEndpoint {
        id: e.id.clone(),
        object: "webhook_endpoint",
        url,
        events: serde_json::from_str(&e.events).unwrap_or_default(),
        description: e.description.clone(),
        created_at: iso8601(e.created_at),
        secret,
        previous_secret_expires_at: previous_until.map(iso8601),
    }
}

fn events_of(given: Option<Vec<String>>) -> Result<Vec<String>, ApiError> {
    let list = given.unwrap_or_else(|| vec!["*".to_owned()]);
    if list.is_empty() {
        return Err(ApiError::invalid_parameter(
            "events",
            format!(
                "events must list at least one of {} (or \"*\" for all).",
                EVENT_TYPES.join(", ")
            ),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for e in list {
        let e = e.trim().to_owned();
        if e != "*" && !EVENT_TYPES.contains(&e.as_str()) {
            return Err(ApiError::invalid_parameter(
                "events",
                format!(
                    "Unknown event type; use {} (or \"*\" for all).",
                    EVENT_TYPES.join(", ")
                ),
            ));
        }
        if !out.contains(&e) {
            out.push(e);
        }
    }
    if out.iter().any(|e| e == "*") {
        out = vec!["*".to_owned()];
    }
    Ok(out)
}

fn check_url(state: &AppState, key: &ApiKey, raw: &str, param: &str) -> Result<String, ApiError> {
    let policy = urls::policy(key.mode, state.config.webhooks.allow_private);
    urls::validate(raw, &policy)
        .map(|u| u.to_string())
        .map_err(|why| ApiError::invalid_parameter(param, format!("{param} is refused: {why}.")))
}

/// Checks the `webhook_url` of `POST /v1/send` like an endpoint's URL.
pub fn check_webhook_url(state: &AppState, key: &ApiKey, raw: &str) -> Result<String, ApiError> {
    check_url(state, key, raw, "webhook_url")
}

/// Create a webhook endpoint.
#[utoipa::path(
    post,
    path = "/v1/webhooks",
    tag = "webhooks",
    request_body = WebhookCreate,
    responses(
        (status = 201, description = "The endpoint, with its secret (shown only now).", body = WebhookEndpoint),
        (status = 400, description = "invalid_parameter (a refused URL, an unknown event type)", body = crate::model::ErrorEnvelope),
        (status = 401, body = crate::model::ErrorEnvelope),
        (status = 422, description = "unprocessable_entity: this key has as many endpoints as allowed", body = crate::model::ErrorEnvelope),
    ),
    security(("api_key" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Auth(key): Auth,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let req: WebhookCreate = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "The body must be {{\"url\": \"https://…\", \"events\": [\"voice_note.sent\", …], \"description\": \"…\"}} ({e})."
        ))
    })?;
    let url = check_url(&state, &key, &req.url, "url")?;
    let events = events_of(req.events)?;
    let description = req.description.map(|d| d.trim().to_owned());
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
    {
        return Err(ApiError::invalid_parameter(
            "description",
            format!("description must be at most {MAX_DESCRIPTION} characters."),
        ));
    }
    let now = state.store.now_ms();
    let id = crate::ids::new_id("we", now);
    let secret = crate::keys::generate(svara::webhooks::SECRET_PREFIX);
    let endpoint = Endpoint {
        id: id.clone(),
        key_id: key.id.clone(),
        url: urls::shown(&url),
        url_sealed: state.crypto.seal(&url_aad(&id), url.as_bytes()),
        events: serde_json::to_string(&events).map_err(|_| ApiError::internal())?,
        description,
        secret: state.crypto.seal(&secret_aad(&id), secret.as_bytes()),
        old_secrets: None,
        created_at: now,
    };
    let max = state.config.webhooks.max_endpoints_per_key;
    let stored = endpoint.clone();
    let inserted = state
        .store
        .write(Box::new(move |c| {
            Box::pin(async move { rows::insert(c, &stored, max).await })
        }))
        .await?;
    if !inserted {
        return Err(ApiError::new(
            crate::error::ApiErrorCode::UnprocessableEntity,
            format!("This API key has {max} webhook endpoints already; delete one first (DELETE /v1/webhooks/{{id}})."),
        ));
    }
    tracing::info!(target: "svara_server::webhooks", endpoint = %id, key = %key.id, url = %endpoint.url, "webhook endpoint created");
    Ok((
        StatusCode::CREATED,
        Json(view(&state, &endpoint, Some(secret), None)),
    )
        .into_response())
}

/// This key's webhook endpoints.
#[utoipa::path(
    get,
    path = "/v1/webhooks",
    tag = "webhooks",
    responses((status = 200, body = WebhookList), (status = 401, body = crate::model::ErrorEnvelope)),
    security(("api_key" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Auth(key): Auth,
) -> Result<Json<WebhookList>, ApiError> {
    let all = rows::list(state.store.reader(), &key.id)
        .await
        .map_err(StoreError::from)?;
    Ok(Json(WebhookList {
        object: "list",
        data: all.iter().map(|e| view(&state, e, None, None)).collect(),
        has_more: false,
    }))
}

/// One webhook endpoint.
#[utoipa::path(
    get,
    path = "/v1/webhooks/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "we_…")),
    responses((status = 200, body = WebhookEndpoint), (status = 404, body = crate::model::ErrorEnvelope)),
    security(("api_key" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    Auth(key): Auth,
    Path(id): Path<String>,
) -> Result<Json<WebhookEndpoint>, ApiError> {
    let e = owned(&state, &key, &id).await?;
    Ok(Json(view(&state, &e, None, None)))
}

/// Delete a webhook endpoint (its pending deliveries are cancelled).
#[utoipa::path(
    delete,
    path = "/v1/webhooks/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "we_…")),
    responses((status = 200, body = WebhookDeleted), (status = 404, body = crate::model::ErrorEnvelope)),
    security(("api_key" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    Auth(key): Auth,
    Path(id): Path<String>,
) -> Result<Json<WebhookDeleted>, ApiError> {
    let (k, i, now) = (key.id.clone(), id.clone(), state.store.now_ms());
    let deleted = state
        .store
        .write(Box::new(move |c| {
            Box::pin(async move { rows::delete(c, &k, &i, now).await })
        }))
        .await?;
    if !deleted {
        return Err(not_found());
    }
    Ok(Json(WebhookDeleted {
        id,
        object: "webhook_endpoint",
        deleted: true,
    }))
}

/// Rotate an endpoint's secret: the new one is shown once; the previous one keeps signing (a
/// second `v1=`) for 24 hours.
#[utoipa::path(
    post,
    path = "/v1/webhooks/{id}/rotate",
    tag = "webhooks",
    params(("id" = String, Path, description = "we_…")),
    responses((status = 200, body = WebhookEndpoint), (status = 404, body = crate::model::ErrorEnvelope)),
    security(("api_key" = []))
)]
pub async fn rotate(
    State(state): State<AppState>,
    Auth(key): Auth,
    Path(id): Path<String>,
) -> Result<Json<WebhookEndpoint>, ApiError> {
    let e = owned(&state, &key, &id).await?;
    let crypto = &state.crypto;
    let now = state.store.now_ms();
    let current = crypto
        .open(&secret_aad(&e.id), &e.secret)
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(ApiError::internal)?;
    let mut old: Vec<OldSecret> = e
        .old_secrets
        .as_deref()
        .and_then(|o| crypto.open(&old_secrets_aad(&e.id), o))
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    old.retain(|s| s.expires_at > now);
    let until = now + ROTATION_GRACE_MS;
    old.insert(
        0,
        OldSecret {
            secret: current,
            expires_at: until,
        },
    );
    old.truncate(10);
    let secret = crate::keys::generate(svara::webhooks::SECRET_PREFIX);
    let sealed = crypto.seal(&secret_aad(&e.id), secret.as_bytes());
    let sealed_old = crypto.seal(
        &old_secrets_aad(&e.id),
        &serde_json::to_vec(&old).map_err(|_| ApiError::internal())?,
    );
    let (k, i) = (key.id.clone(), id.clone());
    let rotated = state
        .store
        .write(Box::new(move |c| {
            Box::pin(async move { rows::rotate(c, &k, &i, &sealed, &sealed_old).await })
        }))
        .await?;
    if !rotated {
        return Err(not_found());
    }
    Ok(Json(view(&state, &e, Some(secret), Some(until))))
}

/// Query of the deliveries list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Deliveries per page, 1 to 100 (default 20).
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// An endpoint's deliveries, newest first, each with its attempts.
#[utoipa::path(
    get,
    path = "/v1/webhooks/{id}/deliveries",
    tag = "webhooks",
    params(("id" = String, Path, description = "we_…"), DeliveriesQuery),
    responses(
        (status = 200, body = WebhookDeliveryList),
        (status = 400, body = crate::model::ErrorEnvelope),
        (status = 404, body = crate::model::ErrorEnvelope),
    ),
    security(("api_key" = []))
)]
pub async fn deliveries(
    State(state): State<AppState>,
    Auth(key): Auth,
    Path(id): Path<String>,
    query: Result<Query<DeliveriesQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<WebhookDeliveryList>, ApiError> {
    let Query(q) = query.map_err(|_| {
        ApiError::bad_request("Unknown query parameter: this list takes limit and cursor.")
    })?;
    owned(&state, &key, &id).await?;
    let limit = super::page::limit(q.limit.as_deref())?;
    let before = super::page::cursor(q.cursor.as_deref(), "whd")?;
    let mut rows = rows::deliveries(state.store.reader(), &id, before, limit + 1)
        .await
        .map_err(StoreError::from)?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = has_more
        .then(|| {
            rows.last()
                .map(|d| super::page::encode_cursor(d.created_at, &d.id))
        })
        .flatten();
    Ok(Json(WebhookDeliveryList {
        object: "list",
        data: rows
            .into_iter()
            .map(|d| WebhookDelivery {
                next_attempt_at: (d.status == "pending").then(|| iso8601_ms(d.next_attempt_at)),
                id: d.id,
                event_id: d.event_id,
                event: d.event_type,
                message_id: d.job_id,
                status: d.status,
                created_at: iso8601(d.created_at),
                attempts: d
                    .attempts
                    .into_iter()
                    .map(|a| WebhookAttempt {
                        attempt: a.n,
                        started_at: iso8601_ms(a.started_at),
                        duration_ms: a.duration_ms,
                        status_code: a.status_code,
                        error: a.error,
                        response: a.response,
                    })
                    .collect(),
            })
            .collect(),
        has_more,
        next_cursor,
    }))
}

/// The secret that signs events posted to the `webhook_url` of this key's sends.
#[utoipa::path(
    get,
    path = "/v1/webhooks/request-secret",
    tag = "webhooks",
    responses((status = 200, body = RequestSecret), (status = 401, body = crate::model::ErrorEnvelope)),
    security(("api_key" = []))
)]
pub async fn request_secret(State(state): State<AppState>, Auth(key): Auth) -> Json<RequestSecret> {
    Json(RequestSecret {
        object: "webhook_request_secret",
        secret: state.crypto.request_webhook_secret(&key.id),
    })
}
