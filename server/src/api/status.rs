//! Reading voice notes back: one by id (`/v1/status/{id}`, alias `/v1/messages/{id}`), a
//! key's notes newest first with cursor pagination (`/v1/messages`), and counts (`/v1/usage`).
//! A key sees only its own notes: another key's id is `not_found`, exactly like a missing one.

use super::extract::Auth;
use crate::clock::{now_ms, start_of_utc_day, utc_date};
use crate::error::ApiError;
use crate::model::{MessageList, Usage, UsageCounts, VoiceNote};
use crate::state::AppState;
use crate::store::jobs::{self, JobView, STATUSES};
use crate::store::StoreError;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;

pub use super::page::{DEFAULT_PAGE, MAX_PAGE};

/// The API shape of a stored job.
pub fn voice_note(j: JobView) -> VoiceNote {
    VoiceNote::from(j)
}

fn not_found(id: &str) -> ApiError {
    let shown = if crate::ids::looks_like(id, "msg") {
        id
    } else {
        "this id"
    };
    ApiError::not_found(format!(
        "No voice note {shown} for this API key; use the id that POST /v1/send returned with the same key."
    ))
}

/// The status of one voice note.
#[utoipa::path(
    get,
    path = "/v1/status/{id}",
    tag = "voice notes",
    params(("id" = String, Path, description = "The id POST /v1/send returned (msg_…).")),
    responses(
        (status = 200, body = VoiceNote),
        (status = 401, body = crate::model::ErrorEnvelope),
        (status = 404, description = "not_found (also for another key's id)", body = crate::model::ErrorEnvelope),
    ),
    security(("api_key" = []))
)]
pub async fn status(
    State(state): State<AppState>,
    Auth(key): Auth,
    Path(id): Path<String>,
) -> Result<Json<VoiceNote>, ApiError> {
    if !crate::ids::looks_like(&id, "msg") {
        return Err(not_found(&id));
    }
    let job = jobs::get(state.store.reader(), &key.id, &id)
        .await
        .map_err(StoreError::from)?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(voice_note(job)))
}

/// The same as `GET /v1/status/{id}`.
#[utoipa::path(
    get,
    path = "/v1/messages/{id}",
    tag = "voice notes",
    params(("id" = String, Path, description = "The id POST /v1/send returned (msg_…).")),
    responses(
        (status = 200, body = VoiceNote),
        (status = 401, body = crate::model::ErrorEnvelope),
        (status = 404, body = crate::model::ErrorEnvelope),
    ),
    security(("api_key" = []))
)]
pub async fn message(
    state: State<AppState>,
    key: Auth,
    id: Path<String>,
) -> Result<Json<VoiceNote>, ApiError> {
    status(state, key, id).await
}

/// Query of `/v1/messages`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only notes with this status (`queued`, `sending`, `sent`, `delivered`, `read`, `failed`).
    pub status: Option<String>,
    /// Notes per page, 1 to 100 (default 20).
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A key's voice notes, newest first.
#[utoipa::path(
    get,
    path = "/v1/messages",
    tag = "voice notes",
    params(ListQuery),
    responses(
        (status = 200, body = MessageList),
        (status = 400, description = "invalid_parameter", body = crate::model::ErrorEnvelope),
        (status = 401, body = crate::model::ErrorEnvelope),
    ),
    security(("api_key" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Auth(key): Auth,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<MessageList>, ApiError> {
    let Query(q) = query.map_err(|_| {
        ApiError::bad_request(
            "Unknown query parameter: /v1/messages takes status, limit and cursor.",
        )
    })?;
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) if STATUSES.contains(&s) => Some(s.to_owned()),
        Some(_) => {
            return Err(ApiError::invalid_parameter(
                "status",
                format!("status must be one of {}.", STATUSES.join(", ")),
            ))
        }
    };
    let limit = super::page::limit(q.limit.as_deref())?;
    let before = super::page::cursor(q.cursor.as_deref(), "msg")?;
    let mut rows = jobs::list(
        state.store.reader(),
        &key.id,
        status.as_deref(),
        before,
        limit + 1,
    )
    .await
    .map_err(StoreError::from)?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if has_more {
        rows.last()
            .map(|j| super::page::encode_cursor(j.created_at, &j.id))
    } else {
        None
    };
    Ok(Json(MessageList {
        object: "list",
        data: rows.into_iter().map(voice_note).collect(),
        has_more,
        next_cursor,
    }))
}

fn counts(map: std::collections::HashMap<String, i64>) -> UsageCounts {
    let get = |s: &str| map.get(s).copied().unwrap_or(0);
    UsageCounts {
        queued: get("queued"),
        sending: get("sending"),
        sent: get("sent"),
        delivered: get("delivered"),
        read: get("read"),
        failed: get("failed"),
        total: map.values().sum(),
    }
}

/// Voice notes per status for this key: today (UTC) and all time.
#[utoipa::path(
    get,
    path = "/v1/usage",
    tag = "account",
    responses((status = 200, body = Usage), (status = 401, body = crate::model::ErrorEnvelope)),
    security(("api_key" = []))
)]
pub async fn usage(
    State(state): State<AppState>,
    Auth(key): Auth,
) -> Result<Json<Usage>, ApiError> {
    let now = now_ms();
    let pool = state.store.reader();
    let today = jobs::count_by_status(pool, &key.id, Some(start_of_utc_day(now)))
        .await
        .map_err(StoreError::from)?;
    let all = jobs::count_by_status(pool, &key.id, None)
        .await
        .map_err(StoreError::from)?;
    Ok(Json(Usage {
        object: "usage",
        mode: key.mode.as_str(),
        date: utc_date(now),
        today: counts(today),
        all_time: counts(all),
    }))
}
