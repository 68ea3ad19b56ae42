//! Liveness (`/healthz`: the process answers), readiness (`/readyz`: the database answers and
//! the server is not shutting down), Prometheus metrics (`/metrics`, behind
//! `SVARA_METRICS_TOKEN` when set) and the OpenAPI document (`/openapi.json`), without an API
//! key.

use crate::error::ApiError;
use crate::model::Health;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::time::Duration;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The database answers and the server takes work.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "service_unavailable", body = crate::model::ErrorEnvelope)
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    if !state.is_ready() {
        return Err(ApiError::unavailable(
            "The server is shutting down; send to another instance or retry after it restarts.",
        ));
    }
    if !state.store.ping(Duration::from_secs(2)).await {
        return Err(ApiError::unavailable(
            "The database does not answer; check the disk and the server's log.",
        ));
    }
    Ok(Json(Health { status: "ready" }))
}

/// Prometheus metrics of this process, and the queue depths of the whole database.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses(
        (status = 200, description = "The Prometheus text exposition format (version 0.0.4)."),
        (status = 401, description = "unauthorized: SVARA_METRICS_TOKEN is set and the Bearer token differs", body = crate::model::ErrorEnvelope),
    )
)]
pub async fn metrics(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = &state.config.metrics_token {
        use subtle::ConstantTimeEq;
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !bool::from(given.trim().as_bytes().ct_eq(token.expose().as_bytes())) {
            return Err(ApiError::unauthorized(
                "GET /metrics needs `Authorization: Bearer <SVARA_METRICS_TOKEN>`.",
            ));
        }
    }
    let pool = state.store.reader();
    let queue = crate::store::jobs::queue_depth(pool)
        .await
        .map_err(crate::store::StoreError::from)?;
    let queue: Vec<(String, i64)> = queue.into_iter().collect();
    let hooks = crate::store::webhooks::depth(pool)
        .await
        .map_err(crate::store::StoreError::from)?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&queue, &hooks),
    )
        .into_response())
}

/// This API as OpenAPI 3.1 (generate a client from it in any language).
#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses((status = 200, description = "The OpenAPI 3.1 document.")))]
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::openapi_json(),
    )
        .into_response()
}
