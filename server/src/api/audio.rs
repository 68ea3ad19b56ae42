//! `POST /v1/audio`: a local file through the HTTP interface. The multipart field `file` streams
//! to a file of the data folder (never whole in memory on the way in), is refused as soon as
//! it passes Messenger's 25 MB, is probed by the audio engine (refused if it is not audio), and
//! is kept until it expires (SQLite: that file, beside the database; PostgreSQL: in the
//! database, so every process can send it); `POST /v1/send` then takes its `audio_id`.

use super::extract::Auth;
use crate::clock::{iso8601, now_ms};
use crate::error::{ApiError, ApiErrorCode};
use crate::model::AudioUpload;
use crate::state::AppState;
use crate::store::uploads::{self, Upload};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

/// Upload a recording for `audio_id`.
#[utoipa::path(
    post,
    path = "/v1/audio",
    tag = "audio",
    request_body(content_type = "multipart/form-data", description = "The recording in the field `file` (at most 25 MB, 26,214,400 bytes; any format the audio engine reads)."),
    responses(
        (status = 201, body = AudioUpload),
        (status = 400, body = crate::model::ErrorEnvelope),
        (status = 401, body = crate::model::ErrorEnvelope),
        (status = 413, body = crate::model::ErrorEnvelope),
        (status = 422, description = "not audio (details carry the send error, e.g. unsupported_audio)", body = crate::model::ErrorEnvelope),
        (status = 429, description = "rate_limited: this key's uploads fill its quota (2 GiB by default) until they expire", body = crate::model::ErrorEnvelope),
    ),
    security(("api_key" = []))
)]
pub async fn upload(
    State(state): State<AppState>,
    Auth(key): Auth,
    req: Request,
) -> Result<Response, ApiError> {
    let limit = svara::audio::MAX_AUDIO_BYTES;
    // The multipart framing adds a little to the file itself.
    let envelope = limit + 64 * 1024;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > envelope) {
        return Err(too_large(limit));
    }
    let _permit =
        state.uploads.acquire().await.map_err(|_| {
            ApiError::unavailable("The server is shutting down; try again shortly.")
        })?;
    let quota = state.config.limits.upload_bytes_per_key;
    let kept = uploads::total_bytes(state.store.reader(), &key.id)
        .await
        .map_err(crate::store::StoreError::from)? as u64;
    if kept >= quota {
        return Err(over_quota(quota));
    }
    let mut multipart = Multipart::from_request(req, &state).await.map_err(|e| {
        ApiError::bad_request(format!(
            "Send the recording as multipart/form-data with the field `file` ({}).",
            e.body_text()
        ))
    })?;
    let now = now_ms();
    let id = crate::ids::new_id("aud", now);
    let dir = state.data.uploads();
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| internal("cannot create the uploads folder", e))?;
    let partial = dir.join(format!("{id}.part"));
    let result = receive(&state, &mut multipart, &partial, limit).await;
    let (size, sha) = match result {
        Ok(v) => v,
        Err(e) => {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(e);
        }
    };
    if kept + size > quota {
        let _ = tokio::fs::remove_file(&partial).await;
        return Err(over_quota(quota));
    }
    let path = state.data.uploads().join(&id);
    let probe = {
        let partial = partial.clone();
        let _cpu = state.media.cpu_permit().await;
        tokio::task::spawn_blocking(move || -> svara::Result<svara::AudioInfo> {
            let bytes = std::fs::read(&partial).map_err(|e| {
                svara::Error::new(
                    svara::ErrorCode::AudioFetchFailed,
                    format!("The upload could not be read back ({e})."),
                )
            })?;
            svara::probe(&bytes)
        })
        .await
        .map_err(|e| internal("the audio probe stopped", e))?
    };
    let probe = match probe {
        Ok(p) => p,
        Err(e) => {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(ApiError::new(
                ApiErrorCode::UnprocessableEntity,
                format!("The file is not audio Svara can send: {}", e.message()),
            )
            .with_details(serde_json::to_value(&e).unwrap_or_default()));
        }
    };
    let in_db = state.store.backend() == crate::store::Backend::Postgres;
    let data = if in_db {
        let bytes = tokio::fs::read(&partial)
            .await
            .map_err(|e| internal("cannot read the upload back", e));
        let _ = tokio::fs::remove_file(&partial).await;
        Some(bytes?)
    } else {
        tokio::fs::rename(&partial, &path)
            .await
            .map_err(|e| internal("cannot store the upload", e))?;
        None
    };
    let probe_json = serde_json::to_value(&probe).map_err(|_| ApiError::internal())?;
    let row = Upload {
        id: id.clone(),
        key_id: key.id.clone(),
        size_bytes: size as i64,
        sha256: sha,
        probe: probe_json.to_string(),
        created_at: now,
        expires_at: now + state.config.upload_ttl.as_millis() as i64,
    };
    let expires_at = row.expires_at;
    let stored = state
        .store
        .write(Box::new(move |c| {
            Box::pin(async move { uploads::insert(c, &row, data.as_deref()).await })
        }))
        .await;
    if let Err(e) = stored {
        if !in_db {
            let _ = tokio::fs::remove_file(&path).await;
        }
        return Err(e.into());
    }
    let body = AudioUpload {
        audio_id: id,
        size_bytes: size,
        probe: probe_json,
        expires_at: iso8601(expires_at),
    };
    Ok((StatusCode::CREATED, axum::Json(json!(body))).into_response())
}

fn over_quota(quota: u64) -> ApiError {
    ApiError::rate_limited(
        format!(
            "This API key keeps {quota} bytes of uploads already; send the uploaded notes (uploads expire after 24 h) or use audio_url."
        ),
        3600,
        json!({ "reason": "upload_quota", "limit_bytes": quota }),
    )
}

fn too_large(limit: u64) -> ApiError {
    ApiError::payload_too_large(limit, "audio file")
        .with_details(json!({ "limit_bytes": limit, "code": "audio_too_large" }))
}

fn internal(what: &str, e: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "{what}");
    ApiError::internal()
}

/// Streams the field `file` to `partial`: size and SHA-256, refusing past `limit`.
async fn receive(
    state: &AppState,
    multipart: &mut Multipart,
    partial: &PathBuf,
    limit: u64,
) -> Result<(u64, String), ApiError> {
    let idle = state.config.limits.upload_idle_timeout;
    let mut seen_file = false;
    let mut result = None;
    loop {
        let next = match tokio::time::timeout(idle, multipart.next_field()).await {
            Err(_) => return Err(stalled(idle)),
            Ok(r) => r.map_err(multipart_error)?,
        };
        let Some(mut field) = next else { break };
        if field.name() != Some("file") {
            continue;
        }
        if seen_file {
            return Err(ApiError::invalid_parameter(
                "file",
                "Send exactly one field `file`.",
            ));
        }
        seen_file = true;
        let mut out = tokio::fs::File::create(partial)
            .await
            .map_err(|e| internal("cannot create an upload file", e))?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        loop {
            let chunk = match tokio::time::timeout(idle, field.chunk()).await {
                Err(_) => return Err(stalled(idle)),
                Ok(r) => r.map_err(multipart_error)?,
            };
            let Some(chunk) = chunk else { break };
            size += chunk.len() as u64;
            if size > limit {
                return Err(too_large(limit));
            }
            hasher.update(&chunk);
            out.write_all(&chunk)
                .await
                .map_err(|e| internal("cannot write an upload", e))?;
        }
        out.flush()
            .await
            .map_err(|e| internal("cannot write an upload", e))?;
        if size == 0 {
            return Err(ApiError::invalid_parameter(
                "file",
                "The field `file` is empty; attach the recording.",
            ));
        }
        result = Some((size, hex::encode(hasher.finalize())));
    }
    result.ok_or_else(|| {
        ApiError::invalid_parameter(
            "file",
            "No field `file`: send the recording as multipart/form-data, e.g. curl -F file=@note.m4a.",
        )
    })
}

fn stalled(idle: std::time::Duration) -> ApiError {
    ApiError::bad_request(format!(
        "The upload stalled for more than {} s; send it again.",
        idle.as_secs()
    ))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(svara::audio::MAX_AUDIO_BYTES);
    }
    ApiError::bad_request(format!(
        "The multipart body is malformed ({}); send the recording as multipart/form-data with the field `file`.",
        e.body_text()
    ))
}
