//! Liveness (`/healthz`: the process answers), readiness (`/readyz`: the database answers and
//! the server is not shutting down) and the OpenAPI document (`/openapi.json`), all without a key.

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

/// This API as OpenAPI 3.1 (generate a client from it in any language).
#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses((status = 200, description = "The OpenAPI 3.1 document.")))]
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::openapi_json(),
    )
        .into_response()
}
