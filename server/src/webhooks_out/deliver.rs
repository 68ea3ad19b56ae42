//! One delivery attempt: find the destination (an endpoint and its live secrets, or the note's
//! own `webhook_url` and the key's request secret), sign the frozen body now, POST it under the
//! URL guard, read at most a little of the answer, record the attempt, and decide what follows:
//! delivered (2xx), another attempt on the schedule (with ±20 % jitter, honouring `Retry-After`
//! within [wait, 2 × wait]), or failed once a day has passed since the event.

use super::urls::{self, KEPT_RESPONSE_BYTES, MAX_RESPONSE_BYTES};
use crate::keys::Mode;
use crate::state::AppState;
use crate::store::jobs;
use crate::store::webhooks::{self as rows, Attempt, ClaimedDelivery, Next};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The `User-Agent` of deliveries.
pub const USER_AGENT: &str = concat!("Svara-Webhooks/", env!("CARGO_PKG_VERSION"));

/// A secret replaced by a rotation, still signing until `expires_at` (Unix ms).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OldSecret {
    /// `whsec_…`.
    pub secret: String,
    /// Unix ms.
    pub expires_at: i64,
}

/// Associated data of an endpoint's sealed secret.
pub fn secret_aad(endpoint_id: &str) -> String {
    format!("{endpoint_id}/secret")
}

/// Associated data of an endpoint's sealed previous secrets.
pub fn old_secrets_aad(endpoint_id: &str) -> String {
    format!("{endpoint_id}/old-secrets")
}

/// Associated data of an endpoint's sealed URL.
pub fn url_aad(endpoint_id: &str) -> String {
    format!("{endpoint_id}/url")
}

/// Associated data of a note's sealed `webhook_url`.
pub fn webhook_url_aad(job_id: &str) -> String {
    format!("{job_id}/webhook_url")
}

/// Makes attempts.
pub struct Deliverer {
    /// The server's state.
    pub state: AppState,
    /// Lease owner id of this process's webhook worker.
    pub owner: Arc<str>,
    live: reqwest::Client,
    test: reqwest::Client,
}

enum Destination {
    Post { url: String, secrets: Vec<String> },
    Gone(String),
}

/// What an attempt's answer means for the delivery.
#[allow(clippy::too_many_arguments)]
pub fn next_after(
    status: Option<u16>,
    attempt: i64,
    retry_after: Option<Duration>,
    event_at: i64,
    now: i64,
    schedule: &[Duration],
    give_up_after: Duration,
    jitter: f64,
) -> Next {
    if status.is_some_and(|s| (200..300).contains(&s)) {
        return Next::Delivered;
    }
    let Some(last) = schedule.last() else {
        return Next::Failed;
    };
    let base = schedule
        .get((attempt.max(1) - 1) as usize)
        .unwrap_or(last)
        .mul_f64(jitter.clamp(0.8, 1.2));
    let wait = match retry_after {
        Some(r) => r.clamp(base, base * 2),
        None => base,
    };
    let at = now + wait.as_millis() as i64;
    if at > event_at + give_up_after.as_millis() as i64 {
        Next::Failed
    } else {
        Next::Retry(at)
    }
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim()
        .parse::<u64>()
        .ok()
        .map(|s| Duration::from_secs(s.min(24 * 3600)))
}

fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("timed out after {} s", timeout.as_secs());
    }
    let mut msg = if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    let mut depth = 0;
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
        depth += 1;
        if depth > 4 {
            break;
        }
    }
    msg.chars().take(500).collect()
}

impl Deliverer {
    /// The deliverer of `state`, with one guarded client per key mode.
    pub fn new(state: AppState) -> Deliverer {
        let settings = &state.config.webhooks;
        let live = crate::ssrf::guarded_client(
            &urls::policy(Mode::Live, settings.allow_private),
            settings.timeout,
            USER_AGENT,
        );
        let test = crate::ssrf::guarded_client(
            &urls::policy(Mode::Test, settings.allow_private),
            settings.timeout,
            USER_AGENT,
        );
        Deliverer {
            owner: Arc::from(crate::ids::new_id("whw", crate::clock::now_ms())),
            state,
            live,
            test,
        }
    }

    async fn destination(&self, d: &ClaimedDelivery) -> Result<Destination, String> {
        let crypto = &self.state.crypto;
        let pool = self.state.store.reader();
        match &d.endpoint_id {
            Some(eid) => {
                let Some((e, deleted)) = rows::by_id(pool, eid).await.map_err(|e| e.to_string())?
                else {
                    return Ok(Destination::Gone("the endpoint no longer exists".into()));
                };
                if deleted {
                    return Ok(Destination::Gone("the endpoint was deleted".into()));
                }
                let current = crypto
                    .open(&secret_aad(&e.id), &e.secret)
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or("the endpoint's secret cannot be opened (SVARA_SECRET_KEY changed?)")?;
                let mut secrets = vec![current];
                let now = self.state.store.now_ms();
                if let Some(old) = e
                    .old_secrets
                    .as_deref()
                    .and_then(|o| crypto.open(&old_secrets_aad(&e.id), o))
                    .and_then(|b| serde_json::from_slice::<Vec<OldSecret>>(&b).ok())
                {
                    secrets.extend(
                        old.into_iter()
                            .filter(|s| s.expires_at > now)
                            .map(|s| s.secret),
                    );
                }
                let url = crypto
                    .open(&url_aad(&e.id), &e.url_sealed)
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or("the endpoint's URL cannot be opened (SVARA_SECRET_KEY changed?)")?;
                Ok(Destination::Post { url, secrets })
            }
            None => {
                let sealed = jobs::webhook_url(pool, &d.job_id)
                    .await
                    .map_err(|e| e.to_string())?;
                let Some(url) = sealed
                    .and_then(|s| crypto.open(&webhook_url_aad(&d.job_id), &s))
                    .and_then(|b| String::from_utf8(b).ok())
                else {
                    return Ok(Destination::Gone(
                        "the note's webhook_url cannot be read".into(),
                    ));
                };
                Ok(Destination::Post {
                    url,
                    secrets: vec![crypto.request_webhook_secret(&d.key_id)],
                })
            }
        }
    }

    /// Makes one attempt of `d` and records it.
    pub async fn attempt(&self, d: ClaimedDelivery) {
        let settings = &self.state.config.webhooks;
        let started_at = self.state.store.now_ms();
        let t0 = Instant::now();
        let mut shown = String::new();
        let (status, error, response, wait_hint, gone) = match self.destination(&d).await {
            Err(why) => (None, Some(why), None, None, false),
            Ok(Destination::Gone(why)) => (None, Some(why), None, None, true),
            Ok(Destination::Post { url, secrets }) => {
                shown = urls::shown(&url);
                let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
                let header = svara::webhooks::signature_header(
                    d.body.as_bytes(),
                    &refs,
                    svara::webhooks::unix_now(),
                );
                let client = if d.mode == Mode::Test.as_str() {
                    &self.test
                } else {
                    &self.live
                };
                let sent = client
                    .post(&url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .header(svara::webhooks::SIGNATURE_HEADER, header)
                    .header(svara::webhooks::EVENT_ID_HEADER, &d.event_id)
                    .header("Svara-Event-Type", &d.event_type)
                    .header("Svara-Delivery-Id", &d.id)
                    .header("Svara-Delivery-Attempt", d.attempt.to_string())
                    .body(d.body.clone())
                    .send()
                    .await;
                match sent {
                    Err(e) => (
                        None,
                        Some(describe(&e, settings.timeout)),
                        None,
                        None,
                        false,
                    ),
                    Ok(mut resp) => {
                        let code = resp.status().as_u16();
                        let hint = retry_after(resp.headers());
                        let mut kept = Vec::new();
                        let mut read = 0usize;
                        while read < MAX_RESPONSE_BYTES {
                            match resp.chunk().await {
                                Ok(Some(chunk)) => {
                                    read += chunk.len();
                                    let room = KEPT_RESPONSE_BYTES.saturating_sub(kept.len());
                                    kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
                                }
                                _ => break,
                            }
                        }
                        let body = String::from_utf8_lossy(&kept).into_owned();
                        let error = (!(200..300).contains(&code)).then(|| {
                            if (300..400).contains(&code) {
                                format!(
                                    "HTTP {code}: redirects are not followed; give the final URL"
                                )
                            } else {
                                format!("HTTP {code}")
                            }
                        });
                        (Some(code), error, Some(body), hint, false)
                    }
                }
            }
        };
        let now = self.state.store.now_ms();
        let next = if gone {
            Next::Failed
        } else {
            next_after(
                status,
                d.attempt,
                wait_hint,
                d.created_at,
                now,
                &settings.schedule,
                settings.give_up_after,
                rand::thread_rng().gen_range(0.8..=1.2),
            )
        };
        let attempt = Attempt {
            n: d.attempt,
            started_at,
            duration_ms: t0.elapsed().as_millis() as i64,
            status_code: status.map(i64::from),
            error: error.clone(),
            response,
        };
        let outcome = match next {
            Next::Delivered => "delivered",
            Next::Retry(_) => "retry",
            Next::Failed => "failed",
        };
        tracing::info!(
            target: "svara_server::webhooks",
            id = %d.job_id,
            event = %d.event_id,
            delivery = %d.id,
            url = %shown,
            attempt = d.attempt,
            status = status.unwrap_or(0),
            error = error.as_deref().unwrap_or(""),
            "webhook {outcome}"
        );
        let latency = (next == Next::Delivered)
            .then(|| Duration::from_millis((now - d.created_at).max(0) as u64));
        self.state.metrics.webhook_attempt(outcome, latency);
        let (id, owner) = (d.id.clone(), self.owner.to_string());
        match self
            .state
            .store
            .write(Box::new(move |c| {
                Box::pin(async move { rows::finish(c, &id, &owner, &attempt, next, now).await })
            }))
            .await
        {
            Ok(true) => {
                if next == Next::Delivered {
                    // The next event of this note for this destination may now go.
                    self.state.webhook_wake.notify_one();
                }
            }
            Ok(false) => {
                tracing::warn!(delivery = %d.id, "the delivery changed hands before its attempt was recorded")
            }
            Err(e) => {
                tracing::error!(error = %e, delivery = %d.id, "cannot record a webhook attempt (its lease expires and it is retried)")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_then_give_up() {
        let schedule: Vec<Duration> = [1, 5, 30, 120, 600, 3600]
            .into_iter()
            .map(Duration::from_secs)
            .collect();
        let day = Duration::from_secs(86_400);
        let next = |status, attempt, hint, now| {
            next_after(status, attempt, hint, 0, now, &schedule, day, 1.0)
        };
        assert_eq!(next(Some(204), 1, None, 0), Next::Delivered);
        assert_eq!(next(Some(500), 1, None, 0), Next::Retry(1_000));
        assert_eq!(next(None, 2, None, 0), Next::Retry(5_000));
        assert_eq!(next(Some(302), 3, None, 0), Next::Retry(30_000));
        assert_eq!(next(Some(500), 5, None, 0), Next::Retry(600_000));
        assert_eq!(next(Some(500), 9, None, 0), Next::Retry(3_600_000));
        // Retry-After is honoured within [wait, 2 x wait].
        assert_eq!(
            next(Some(429), 2, Some(Duration::from_secs(60)), 0),
            Next::Retry(10_000)
        );
        assert_eq!(
            next(Some(429), 2, Some(Duration::from_secs(7)), 0),
            Next::Retry(7_000)
        );
        // A day after the event, it is given up.
        assert_eq!(next(Some(500), 30, None, 86_000_000), Next::Failed);
        let jittered = next_after(Some(500), 1, None, 0, 0, &schedule, day, 1.2);
        assert_eq!(jittered, Next::Retry(1_200));
    }
}
