//! The one error envelope of the HTTP API, `{"error": {"code", "message", "details"}}`, and its
//! codes. These are errors of the HTTP call itself; a voice note that fails to send is not one:
//! it is accepted (202) and later shows `status: failed` with Svara's send error codes.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// The documented codes of the HTTP API, each with its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiErrorCode {
    /// 400: the body is not JSON, not an object, or the request is malformed.
    BadRequest,
    /// 400: a parameter is missing, unknown, of the wrong type or out of range.
    InvalidParameter,
    /// 401: no API key, or not a key of this server.
    Unauthorized,
    /// 404: no such route, or no such object for this key.
    NotFound,
    /// 409: the `Idempotency-Key` was used with a different request.
    IdempotencyConflict,
    /// 413: the body is over its limit (refused as soon as it passes it).
    PayloadTooLarge,
    /// 422: well-formed but not processable (unsupported platform; audio a dry run cannot use).
    UnprocessableEntity,
    /// 429: too many requests (per key, or the server is at its concurrency limit).
    RateLimited,
    /// 500: a failure of the server itself.
    InternalError,
    /// 503: not ready (database unreachable, or shutting down).
    ServiceUnavailable,
}

impl ApiErrorCode {
    /// Every code, in documentation order.
    pub const ALL: [ApiErrorCode; 10] = [
        ApiErrorCode::BadRequest,
        ApiErrorCode::InvalidParameter,
        ApiErrorCode::Unauthorized,
        ApiErrorCode::NotFound,
        ApiErrorCode::IdempotencyConflict,
        ApiErrorCode::PayloadTooLarge,
        ApiErrorCode::UnprocessableEntity,
        ApiErrorCode::RateLimited,
        ApiErrorCode::InternalError,
        ApiErrorCode::ServiceUnavailable,
    ];

    /// The wire string, e.g. `invalid_parameter`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ApiErrorCode::BadRequest => "bad_request",
            ApiErrorCode::InvalidParameter => "invalid_parameter",
            ApiErrorCode::Unauthorized => "unauthorized",
            ApiErrorCode::NotFound => "not_found",
            ApiErrorCode::IdempotencyConflict => "idempotency_conflict",
            ApiErrorCode::PayloadTooLarge => "payload_too_large",
            ApiErrorCode::UnprocessableEntity => "unprocessable_entity",
            ApiErrorCode::RateLimited => "rate_limited",
            ApiErrorCode::InternalError => "internal_error",
            ApiErrorCode::ServiceUnavailable => "service_unavailable",
        }
    }

    /// The HTTP status it is sent with.
    pub const fn status(self) -> StatusCode {
        match self {
            ApiErrorCode::BadRequest | ApiErrorCode::InvalidParameter => StatusCode::BAD_REQUEST,
            ApiErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiErrorCode::NotFound => StatusCode::NOT_FOUND,
            ApiErrorCode::IdempotencyConflict => StatusCode::CONFLICT,
            ApiErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiErrorCode::UnprocessableEntity => StatusCode::UNPROCESSABLE_ENTITY,
            ApiErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ApiErrorCode::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            ApiErrorCode::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// An HTTP API error. The message is written by the server (never echoes a request value that
/// could be a secret) and says how to fix the call.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The code.
    pub code: ApiErrorCode,
    /// What went wrong and what to do.
    pub message: String,
    /// Structured details (`param`, the send error of a dry run, `retry_after`, ...).
    pub details: Option<Value>,
    /// Seconds for the `Retry-After` header (429, 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with a code and message.
    pub fn new(code: ApiErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    /// Adds details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// 400 `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(ApiErrorCode::BadRequest, message)
    }

    /// 400 `invalid_parameter` naming the parameter.
    pub fn invalid_parameter(param: &str, message: impl Into<String>) -> Self {
        ApiError::new(ApiErrorCode::InvalidParameter, message)
            .with_details(json!({ "param": param }))
    }

    /// 401 `unauthorized`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::new(ApiErrorCode::Unauthorized, message)
    }

    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(ApiErrorCode::NotFound, message)
    }

    /// 413 `payload_too_large`.
    pub fn payload_too_large(limit: u64, what: &str) -> Self {
        ApiError::new(
            ApiErrorCode::PayloadTooLarge,
            format!("The {what} is larger than its limit of {limit} bytes; send a smaller one."),
        )
        .with_details(json!({ "limit_bytes": limit }))
    }

    /// 429 `rate_limited` with `Retry-After`.
    pub fn rate_limited(message: impl Into<String>, retry_after: u64, details: Value) -> Self {
        let mut e = ApiError::new(ApiErrorCode::RateLimited, message).with_details(details);
        e.retry_after = Some(retry_after);
        e
    }

    /// 500 `internal_error`. The cause is logged by the caller, not shown.
    pub fn internal() -> Self {
        ApiError::new(
            ApiErrorCode::InternalError,
            "The server failed to handle this request; nothing was queued. Try again, and check the server's log if it persists.",
        )
    }

    /// 503 `service_unavailable`.
    pub fn unavailable(message: impl Into<String>) -> Self {
        let mut e = ApiError::new(ApiErrorCode::ServiceUnavailable, message);
        e.retry_after = Some(1);
        e
    }

    /// The envelope.
    pub fn body(&self) -> Value {
        json!({ "error": {
            "code": self.code.as_str(),
            "message": self.message,
            "details": self.details,
        }})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.code.status(), axum::Json(self.body())).into_response();
        if let Some(s) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if self.code == ApiErrorCode::Unauthorized {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"svara\""),
            );
        }
        resp
    }
}

/// The store failed: logged here (never with request values), shown as 500.
impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        tracing::error!(error = %e, "database error");
        ApiError::internal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses() {
        let codes: Vec<&str> = ApiErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        for documented in [
            "bad_request",
            "invalid_parameter",
            "unauthorized",
            "not_found",
            "idempotency_conflict",
            "payload_too_large",
            "unprocessable_entity",
            "rate_limited",
            "internal_error",
        ] {
            assert!(codes.contains(&documented), "{documented}");
        }
        assert_eq!(ApiErrorCode::IdempotencyConflict.status().as_u16(), 409);
        let body = ApiError::invalid_parameter("recipient", "x").body();
        assert_eq!(body["error"]["code"], "invalid_parameter");
        assert_eq!(body["error"]["details"]["param"], "recipient");
    }
}
