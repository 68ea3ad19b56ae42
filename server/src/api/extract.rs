//! Extractors shared by the routes: the API key (`Authorization: Bearer`, with the optional
//! per-key rate limit) and a JSON body read under its size limit and timeout, refused as soon as
//! it passes the limit (at once when `Content-Length` says so, without reading it).

use crate::error::ApiError;
use crate::keys::ApiKey;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use http_body_util::{BodyExt, Limited};
use serde_json::json;

/// The authenticated API key of a request.
pub struct Auth(pub ApiKey);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::unauthorized(
                "Missing API key: send `Authorization: Bearer <key>` with the test key svara serve printed at its first start, or a key it was started with (SVARA_API_KEYS or --api-key).",
            ));
        };
        let presented = value
            .to_str()
            .ok()
            .and_then(|v| {
                let v = v.trim();
                let (scheme, rest) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "The Authorization header must be `Bearer <key>` (a key starting with sk_test_ or sk_live_).",
                )
            })?;
        let key = state.keys.authenticate(presented).ok_or_else(|| {
            ApiError::unauthorized(
                "This API key is not valid for this server: use the test key it printed at its first start, or a key it was started with (SVARA_API_KEYS or --api-key).",
            )
        })?;
        if let Some(d) = state.rate.check(&key.id) {
            if let Some(slot) = parts.extensions.get::<RateSlot>() {
                *slot.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(d);
            }
            if !d.allowed {
                let wait = d.reset_in.as_secs_f64().ceil().max(1.0) as u64;
                return Err(ApiError::rate_limited(
                    format!(
                        "This API key made more than {} requests in a second; wait {wait} s and slow down.",
                        d.limit
                    ),
                    wait,
                    json!({ "limit": d.limit, "window": "1s", "retry_after": wait }),
                ));
            }
        }
        Ok(Auth(key))
    }
}

/// Where the per-key rate limit's decision for a request is left, so that the answer carries
/// `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (see [`rate_headers`]).
#[derive(Clone, Default)]
pub struct RateSlot(pub std::sync::Arc<std::sync::Mutex<Option<crate::ratelimit::Decision>>>);

/// Adds the `X-RateLimit-*` headers to every answer of an authenticated request when a per-key
/// limit is configured (`Reset` is a Unix time in seconds, as documented).
pub async fn rate_headers(
    mut req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let slot = RateSlot::default();
    req.extensions_mut().insert(slot.clone());
    let mut resp = next.run(req).await;
    let decision = *slot.0.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(d) = decision {
        let reset = (crate::clock::now_ms() as u64 / 1000) + d.reset_in.as_secs_f64().ceil() as u64;
        let h = resp.headers_mut();
        h.insert("x-ratelimit-limit", d.limit.into());
        h.insert("x-ratelimit-remaining", d.remaining.into());
        h.insert("x-ratelimit-reset", reset.into());
    }
    resp
}

/// A JSON body (bytes, not parsed yet), within the configured limit and time.
pub struct JsonBody(pub Bytes);

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let limits = &state.config.limits;
        let limit = limits.json_body_bytes;
        let (parts, body) = req.into_parts();
        if let Some(ct) = parts.headers.get(header::CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
            let essence = ct.split(';').next().unwrap_or("").trim();
            if essence != "application/json" && !essence.ends_with("+json") {
                return Err(ApiError::bad_request(
                    "This endpoint takes a JSON body: send it with `Content-Type: application/json`.",
                ));
            }
        }
        if content_length(&parts.headers).is_some_and(|n| n > limit as u64) {
            return Err(ApiError::payload_too_large(limit as u64, "request body"));
        }
        let collected =
            tokio::time::timeout(limits.body_timeout, Limited::new(body, limit).collect()).await;
        match collected {
            Err(_) => Err(ApiError::bad_request(format!(
                "The request body did not arrive within {} s; send it in one go.",
                limits.body_timeout.as_secs()
            ))),
            Ok(Err(e)) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
                Err(ApiError::payload_too_large(limit as u64, "request body"))
            }
            Ok(Err(_)) => Err(ApiError::bad_request(
                "The request body could not be read (the connection broke?); send the request again.",
            )),
            Ok(Ok(c)) => Ok(JsonBody(c.to_bytes())),
        }
    }
}
