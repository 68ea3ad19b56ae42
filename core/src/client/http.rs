//! The one transport of every platform: one connection pool per client, the platform's
//! authentication (a body field or a header; Telegram's token in the path, which is never
//! printed), the client-side limiters, the platform's reading of its answers, and retries only
//! where the message certainly was not accepted.

use super::before_request::RequestEvent;
use super::config::ClientConfig;
use super::fetch;
use super::limiter::{RateLimiter, RecipientSpacing};
use super::multipart::{BodyProgress, RequestBody};
use super::retry::{backoff, RetryEvent};
use crate::error::{Error, ErrorCode, Result};
use crate::platform::{redact, Built, Call, Failure, PlatformApi, Retry, SendContext};
use reqwest::header::CONTENT_TYPE;
use std::time::Duration;

/// Shared by all clones of a client: the pool, the limiters, the platform and the
/// configuration.
pub struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) config: ClientConfig,
    pub(crate) limiter: RateLimiter,
    spacing: Option<RecipientSpacing>,
    pub(crate) api: Box<dyn PlatformApi>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// One call to make: what it is (for the hook, the logs and the retry rules), which endpoint,
/// for whom (per-recipient pacing), and the context its errors are read in.
pub(crate) struct Request<'a> {
    pub operation: &'static str,
    pub call: Call,
    pub recipient: Option<&'a str>,
    pub ctx: SendContext,
}

impl Transport {
    /// Builds the pool and the platform's calls for a validated configuration.
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
        let api = config.platform.api(&config)?;
        let spacing = config
            .platform
            .spec()
            .per_recipient_interval
            .map(RecipientSpacing::new);
        Ok(Transport {
            http,
            limiter: RateLimiter::new(config.sends_per_second),
            spacing,
            config,
            api,
        })
    }

    /// POSTs a body built fresh for every attempt, retrying what certainly was not accepted,
    /// and returns the JSON object of a successful answer. Every error says which platform
    /// answered.
    pub(crate) async fn post(
        &self,
        request: Request<'_>,
        build: impl Fn() -> Built,
    ) -> Result<serde_json::Map<String, serde_json::Value>> {
        let platform = self.api.platform();
        self.post_inner(request, build)
            .await
            .map_err(|e| e.with_platform(platform))
    }

    async fn post_inner(
        &self,
        request: Request<'_>,
        build: impl Fn() -> Built,
    ) -> Result<serde_json::Map<String, serde_json::Value>> {
        let Request {
            operation,
            call,
            recipient,
            ctx,
        } = request;
        let url = self.api.url(call)?;
        let shown = self.api.shown_url(call);
        let max_retries = self.config.max_retries;
        let mut attempt = 0u32;
        loop {
            if let Err(left) = self.limiter.acquire(self.config.max_retry_wait).await {
                return Err(Error::new(
                    ErrorCode::RateLimited,
                    format!(
                        "Not sent: {} asked this sender to pause for another {} s after a rate limit answer.",
                        self.config.platform.spec().title,
                        left.as_secs().max(1)
                    ),
                )
                .with_retry_after(left));
            }
            if let (Some(spacing), Some(r), Call::Send) = (&self.spacing, recipient, call) {
                spacing.acquire(r).await;
            }
            if let Some(hook) = &self.config.before_request {
                hook.call(RequestEvent { operation, attempt }).await?;
            }
            tracing::debug!(target: "svara::client", operation, attempt, url = %shown, "platform call");
            let (body, progress) = build();
            let outcome = self.attempt(&url, &shown, body, &progress, call, ctx).await;
            let Failure {
                error: err,
                retry,
                pause_sender,
            } = match outcome {
                Ok(v) => {
                    self.limiter.reward();
                    return Ok(v);
                }
                Err(e) => e,
            };
            if err.code() == ErrorCode::RateLimited && pause_sender {
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
                "retrying platform call"
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
        shown: &str,
        body: RequestBody,
        progress: &BodyProgress,
        call: Call,
        ctx: SendContext,
    ) -> std::result::Result<serde_json::Map<String, serde_json::Value>, Failure> {
        let mut req = self.http.post(url.clone()).timeout(self.config.timeout);
        if let Some(token) = self.api.bearer() {
            req = req.bearer_auth(token.expose());
        }
        req = match body {
            RequestBody::Form(form) => req.multipart(form),
            RequestBody::Json(b) => req.header(CONTENT_TYPE, "application/json").body(b),
        };
        let resp = req
            .send()
            .await
            .map_err(|e| self.network_error(&e, progress, shown))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.map_err(|e| {
            let mut f = self.network_error(&e, progress, shown);
            // The platform answered, so it had the whole request: never retry this one.
            f.error = f
                .error
                .with_may_have_been_delivered(call == Call::Send)
                .with_http_status(status);
            f.retry = Retry::No;
            f
        })?;
        if (200..300).contains(&status) {
            match serde_json::from_slice::<serde_json::Value>(&bytes) {
                Ok(serde_json::Value::Object(map)) if !self.api.is_error_answer(&map) => Ok(map),
                Ok(serde_json::Value::Object(_)) => {
                    Err(self.api.read_error(status, &headers, &bytes, call, ctx))
                }
                _ => Err(Failure::new(
                    Error::new(
                        ErrorCode::ApiError,
                        format!(
                            "{} answered HTTP {status} with a body that is not a JSON object, so the result is unknown; the voice note may have been delivered{}",
                            self.config.platform.spec().title,
                            crate::platform::body_snippet(&bytes, self.api.secret())
                        ),
                    )
                    .with_http_status(status)
                    .with_may_have_been_delivered(call == Call::Send),
                    Retry::No,
                )),
            }
        } else {
            Err(self.api.read_error(status, &headers, &bytes, call, ctx))
        }
    }

    /// A transport failure: retryable only when the request certainly did not arrive whole.
    /// The message names the endpoint as [`PlatformApi::shown_url`] shows it and is scrubbed of
    /// the token (reqwest's own text may hold the URL).
    fn network_error(&self, e: &reqwest::Error, progress: &BodyProgress, shown: &str) -> Failure {
        let who = self.config.platform.spec().title;
        let cause = redact(&fetch::describe_reqwest_error(e), self.api.secret());
        if e.is_connect() {
            let msg = format!("Could not connect to {who} at {shown}: {cause}. Nothing was sent.");
            return Failure::new(Error::new(ErrorCode::NetworkError, msg), Retry::Yes);
        }
        if !progress.complete() {
            let msg = format!(
                "The connection to {who} at {shown} failed while the request was being sent ({cause}); it was not sent completely, so nothing was delivered."
            );
            return Failure::new(Error::new(ErrorCode::NetworkError, msg), Retry::Yes);
        }
        let msg = if e.is_timeout() {
            format!(
                "{who} at {shown} did not answer within {:.1} s after the request was sent; the voice note may have been delivered, check the chat before resending.",
                self.config.timeout.as_secs_f64()
            )
        } else {
            format!(
                "The connection to {who} at {shown} failed after the request was sent ({cause}); the voice note may have been delivered, check the chat before resending."
            )
        };
        Failure::new(
            Error::new(ErrorCode::NetworkError, msg).with_may_have_been_delivered(true),
            Retry::No,
        )
    }
}

/// Gives a final `rate_limited` error a `retry_after` even when the platform did not send one.
fn finish(err: Error) -> Error {
    if err.code() == ErrorCode::RateLimited && err.retry_after().is_none() {
        err.with_retry_after(Duration::from_secs(1))
    } else {
        err
    }
}
