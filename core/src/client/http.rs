//! The Graph API transport: one connection pool per client, the token in the body or a header
//! (never the URL), the client-side limiter, response classification, and retries only where
//! the message certainly was not accepted.

use super::before_request::RequestEvent;
use super::config::{ClientConfig, TokenPlacement};
use super::fetch;
use super::graph_codes::{RequestContext, Retry};
use super::limiter::RateLimiter;
use super::multipart::{AuthFields, BodyProgress, RequestBody};
use super::proof::appsecret_proof;
use super::response;
use super::retry::{backoff, RetryEvent};
use crate::error::{Error, ErrorCode, Result};
use reqwest::header::CONTENT_TYPE;
use std::time::Duration;

/// The Graph edges Svara calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// `/{page}/messages`.
    Messages,
    /// `/{page}/message_attachments`.
    MessageAttachments,
}

impl Edge {
    fn as_str(self) -> &'static str {
        match self {
            Edge::Messages => "messages",
            Edge::MessageAttachments => "message_attachments",
        }
    }
}

/// Shared by all clones of a client: the pool, the limiter and the configuration.
pub struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) config: ClientConfig,
    pub(crate) limiter: RateLimiter,
    auth: AuthFields,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Builds the pool for a validated configuration.
    pub fn new(config: ClientConfig) -> Result<Transport> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .redirect(fetch::redirect_policy())
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorCode::NetworkError,
                    format!(
                        "Could not initialise the HTTP client: {}.",
                        fetch::describe_reqwest_error(&e)
                    ),
                )
            })?;
        let mut auth = Vec::new();
        if config.token_placement == TokenPlacement::FormField {
            auth.push(("access_token", config.token.expose().to_owned()));
        }
        if let Some(secret) = &config.app_secret {
            auth.push(("appsecret_proof", appsecret_proof(secret, &config.token)));
        }
        Ok(Transport {
            http,
            limiter: RateLimiter::new(config.sends_per_second),
            config,
            auth: AuthFields(auth),
        })
    }

    /// `{graph_url}/{version}/{page-id or me}/{edge}`, never with a token in it.
    pub fn url(&self, edge: Edge) -> Result<url::Url> {
        let mut url = url::Url::parse(&self.config.graph_url)
            .map_err(|e| Error::invalid_request(format!("graph_url is not a valid URL ({e}).")))?;
        let page = self.config.page_id.as_deref().unwrap_or("me");
        url.path_segments_mut()
            .map_err(|_| {
                Error::invalid_request("graph_url cannot be a base URL (use http(s)://host).")
            })?
            .pop_if_empty()
            .push(&self.config.api_version)
            .push(page)
            .push(edge.as_str());
        Ok(url)
    }

    /// POSTs a body built fresh for every attempt, retrying what certainly was not accepted,
    /// and returns the JSON object of a successful answer.
    pub async fn post(
        &self,
        operation: &'static str,
        edge: Edge,
        ctx: RequestContext,
        build: impl Fn(&AuthFields) -> (RequestBody, BodyProgress),
    ) -> Result<serde_json::Map<String, serde_json::Value>> {
        let url = self.url(edge)?;
        let max_retries = self.config.max_retries;
        let mut attempt = 0u32;
        loop {
            if let Err(left) = self.limiter.acquire(self.config.max_retry_wait).await {
                return Err(Error::new(
                    ErrorCode::RateLimited,
                    format!(
                        "Not sent: Meta asked this Page to pause sending for another {} s after a rate limit answer.",
                        left.as_secs().max(1)
                    ),
                )
                .with_retry_after(left));
            }
            if let Some(hook) = &self.config.before_request {
                hook.call(RequestEvent { operation, attempt }).await?;
            }
            tracing::debug!(target: "svara::client", operation, attempt, url = %url, "graph call");
            let (body, progress) = build(&self.auth);
            let outcome = self.attempt(&url, body, &progress, ctx).await;
            let (err, retry) = match outcome {
                Ok(v) => {
                    self.limiter.reward();
                    return Ok(v);
                }
                Err(e) => e,
            };
            if err.code() == ErrorCode::RateLimited {
                self.limiter
                    .penalize(err.retry_after().unwrap_or(Duration::from_secs(1)));
            }
            let wait = backoff(attempt + 1, err.retry_after());
            if retry == Retry::No || attempt >= max_retries || wait > self.config.max_retry_wait {
                return Err(finish(err));
            }
            attempt += 1;
            let event = RetryEvent {
                operation,
                attempt,
                max_retries,
                code: err.code(),
                message: err.message().to_owned(),
                wait,
            };
            tracing::warn!(
                target: "svara::retry",
                operation,
                attempt,
                max_retries,
                code = err.code().as_str(),
                wait_ms = wait.as_millis() as u64,
                reason = err.message(),
                "retrying Graph call"
            );
            if let Some(hook) = &self.config.retry_hook {
                hook.call(&event);
            }
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(
        &self,
        url: &url::Url,
        body: RequestBody,
        progress: &BodyProgress,
        ctx: RequestContext,
    ) -> std::result::Result<serde_json::Map<String, serde_json::Value>, (Error, Retry)> {
        let mut req = self.http.post(url.clone()).timeout(self.config.timeout);
        if self.config.token_placement == TokenPlacement::BearerHeader {
            req = req.bearer_auth(self.config.token.expose());
        }
        req = match body {
            RequestBody::Form(form) => req.multipart(form),
            RequestBody::Json(b) => req.header(CONTENT_TYPE, "application/json").body(b),
        };
        let resp = req
            .send()
            .await
            .map_err(|e| self.network_error(&e, progress))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.map_err(|e| {
            let mut err = self.network_error(&e, progress);
            // Meta answered, so it had the whole request: never retry this one.
            err.0 = err
                .0
                .with_may_have_been_delivered(true)
                .with_http_status(status);
            (err.0, Retry::No)
        })?;
        let token = &self.config.token;
        if (200..300).contains(&status) {
            match serde_json::from_slice::<serde_json::Value>(&bytes) {
                Ok(serde_json::Value::Object(map)) if !map.contains_key("error") => Ok(map),
                Ok(serde_json::Value::Object(_)) => {
                    Err(response::error_from_response(status, &headers, &bytes, token, ctx))
                }
                _ => Err((
                    Error::new(
                        ErrorCode::ApiError,
                        format!(
                            "The Graph API answered HTTP {status} with a body that is not a JSON object, so the result is unknown; the voice note may have been delivered{}",
                            response::body_snippet(&bytes, token)
                        ),
                    )
                    .with_http_status(status)
                    .with_may_have_been_delivered(true),
                    Retry::No,
                )),
            }
        } else {
            Err(response::error_from_response(
                status, &headers, &bytes, token, ctx,
            ))
        }
    }

    /// A transport failure: retryable only when the request certainly did not arrive whole.
    fn network_error(&self, e: &reqwest::Error, progress: &BodyProgress) -> (Error, Retry) {
        let host = self
            .url(Edge::Messages)
            .ok()
            .map(|u| fetch::display_url(&u))
            .unwrap_or_default();
        let cause = response::redact(&fetch::describe_reqwest_error(e), &self.config.token);
        if e.is_connect() {
            let msg =
                format!("Could not connect to the Graph API at {host}: {cause}. Nothing was sent.");
            return (Error::new(ErrorCode::NetworkError, msg), Retry::Yes);
        }
        if !progress.complete() {
            let msg = format!(
                "The connection to the Graph API at {host} failed while the request was being sent ({cause}); it was not sent completely, so nothing was delivered."
            );
            return (Error::new(ErrorCode::NetworkError, msg), Retry::Yes);
        }
        let msg = if e.is_timeout() {
            format!(
                "The Graph API at {host} did not answer within {:.1} s after the request was sent; the voice note may have been delivered, check the thread before resending.",
                self.config.timeout.as_secs_f64()
            )
        } else {
            format!(
                "The connection to the Graph API at {host} failed after the request was sent ({cause}); the voice note may have been delivered, check the thread before resending."
            )
        };
        (
            Error::new(ErrorCode::NetworkError, msg).with_may_have_been_delivered(true),
            Retry::No,
        )
    }
}

/// Gives a final `rate_limited` error a `retry_after` even when Meta did not send one.
fn finish(err: Error) -> Error {
    if err.code() == ErrorCode::RateLimited && err.retry_after().is_none() {
        err.with_retry_after(Duration::from_secs(1))
    } else {
        err
    }
}
