//! One job, from its lease to its outcome: open the sealed secrets, rebuild the core request,
//! take the Page's pooled client, learn the Page's id (pacing and receipts name the Page), get
//! the reusable attachment (fetched, converted and uploaded once per distinct audio per Page),
//! and send by attachment id under the pacing and point-of-no-return hook. What happened decides the outcome: sent; failed (a definite error, or a request that
//! may have reached Meta, which is never sent again); or back to the queue when nothing was
//! written (shutdown, a Page paused by Meta).

use super::clients::{JobContext, Phase, Refusal, CURRENT};
use super::media::{AudioBytes, UploadBytes};
use super::pages::pace_key;
use super::Shared;
use crate::api::send_body::core_request;
use crate::keys::Mode;
use crate::store::jobs::{Claimed, Sent};
use crate::store::uploads;
use serde_json::{Map, Value};
use std::time::Duration;
use svara::{Error, ErrorCode, Reuse};

/// Claims of one job before a Page pause stops being waited out.
pub const MAX_ATTEMPTS: i64 = 10;

/// What became of a job.
#[derive(Debug)]
pub enum Outcome {
    /// The platform accepted it.
    Sent(Sent),
    /// It failed (never sent again).
    Failed {
        /// Why.
        error: Error,
        /// The audio, when it was prepared.
        audio: Option<Value>,
    },
    /// Nothing was written: queue it again at this time (Unix ms).
    Requeue {
        /// When it may run again.
        run_at: i64,
        /// Meta asked the Page to pause this long (a 613): every process holds off.
        pause: Option<Duration>,
    },
    /// Another owner holds it now: leave it alone.
    Abandon,
}

/// The audio a job sends: uploaded already (its status summary), or bytes the send carries.
enum Prepared {
    Summary(Value),
    Bytes(std::sync::Arc<svara::PreparedAudio>),
}

impl Prepared {
    fn summary(self) -> Value {
        match self {
            Prepared::Summary(v) => v,
            Prepared::Bytes(p) => super::media::summary(&p),
        }
    }
}

fn failed(error: Error) -> Outcome {
    Outcome::Failed { error, audio: None }
}

fn unreadable(what: &str) -> Error {
    Error::invalid_request(format!(
        "The server could not read this job's {what} (SVARA_SECRET_KEY or the key file changed since it was queued?); send the voice note again."
    ))
}

/// Runs one claimed job.
pub async fn process(w: &Shared, job: &Claimed, ctx: &JobContext) -> Outcome {
    let Some(plain) = job
        .secrets
        .as_deref()
        .and_then(|s| w.state.crypto.open(&job.id, s))
    else {
        return failed(unreadable("sealed Page token"));
    };
    let (Ok(secrets), Ok(stored)) = (
        serde_json::from_slice::<Map<String, Value>>(&plain),
        serde_json::from_str::<Map<String, Value>>(&job.request),
    ) else {
        return failed(unreadable("stored request"));
    };
    let request = match core_request(&stored, &secrets) {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    let (options, builder) = match (request.send_options(), request.client_builder()) {
        (Ok(o), Ok(b)) => (o, b),
        (Err(e), _) | (_, Err(e)) => return failed(e),
    };
    let Some(mode) = Mode::parse(&job.mode) else {
        return failed(unreadable("key mode"));
    };
    let platform = svara::Platform::parse(&job.platform).unwrap_or_default();
    let client = match w.clients.get(&job.page_key, mode, platform, builder) {
        Ok(c) => c,
        Err(e) => return failed(e),
    };
    let page_id = w
        .page_ids
        .resolve(&w.state.store, &job.page_key, &client)
        .await;
    let key = pace_key(&job.platform, &job.mode, page_id.as_deref(), &job.page_key);
    ctx.set_page(page_id, key);

    let (attachment_id, audio) = match &request.attachment_id {
        Some(id) => (id.clone(), None),
        None => {
            let source = match &job.audio_id {
                Some(aid) => match uploads::get(w.state.store.reader(), aid).await {
                    Ok(Some(u)) => AudioBytes::Upload {
                        bytes: match w.state.store.backend() {
                            crate::store::Backend::Sqlite => {
                                UploadBytes::File(w.state.data.uploads().join(&u.id))
                            }
                            crate::store::Backend::Postgres => UploadBytes::Database {
                                store: w.state.store.clone(),
                                id: u.id.clone(),
                            },
                        },
                        sha256: u.sha256,
                    },
                    Ok(None) => {
                        return failed(Error::new(
                            ErrorCode::AudioFetchFailed,
                            "The uploaded audio of this job no longer exists; upload it again with POST /v1/audio.",
                        ))
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot read the upload");
                        return Outcome::Requeue {
                            run_at: w.state.store.now_ms() + 1000,
                            pause: None,
                        };
                    }
                },
                None => match secrets.get("audio_url").and_then(Value::as_str) {
                    Some(u) => AudioBytes::Url(u.to_owned()),
                    None => return failed(unreadable("audio URL")),
                },
            };
            if platform.spec().reuse == Reuse::FirstSend {
                // Telegram has no upload-only call: the send carries the (cached) prepared bytes.
                match w
                    .state
                    .media
                    .prepare(&job.platform, &source, &options.prepare)
                    .await
                {
                    Ok(p) => (String::new(), Some(Prepared::Bytes(p))),
                    Err(e) => return not_written(w.state.store.now_ms(), job, e, None),
                }
            } else {
                match w
                    .state
                    .media
                    .attachment(
                        &job.platform,
                        &job.page_key,
                        &client,
                        &source,
                        &options.prepare,
                    )
                    .await
                {
                    Ok(up) => (up.attachment_id, Some(Prepared::Summary(up.summary))),
                    Err(e) => return not_written(w.state.store.now_ms(), job, e, None),
                }
            }
        }
    };

    let sent = match &audio {
        Some(Prepared::Bytes(prepared)) => {
            CURRENT
                .scope(
                    ctx.clone(),
                    client.send_prepared(&job.recipient, prepared, &options),
                )
                .await
        }
        _ => {
            CURRENT
                .scope(
                    ctx.clone(),
                    client.send_attachment(&job.recipient, &attachment_id, &options),
                )
                .await
        }
    };
    let audio = audio.map(Prepared::summary);
    if let Some(at) = ctx.written_at() {
        w.state.metrics.send_call(&job.platform, at.elapsed());
    }
    match sent {
        Ok(r) => Outcome::Sent(Sent {
            message_id: r.message_id,
            attachment_id: r.attachment_id.or(Some(attachment_id)),
            audio: audio.map(|a| a.to_string()),
        }),
        Err(e) => match ctx.refusal() {
            Some(Refusal::LeaseLost) => Outcome::Abandon,
            Some(Refusal::Database) if ctx.phase() != Phase::Claimed => {
                Outcome::Failed { error: e, audio }
            }
            Some(Refusal::ShuttingDown) | Some(Refusal::Database) => Outcome::Requeue {
                run_at: w.state.store.now_ms(),
                pause: None,
            },
            None if ctx.phase() == Phase::Claimed => {
                not_written(w.state.store.now_ms(), job, e, audio)
            }
            None => Outcome::Failed { error: e, audio },
        },
    }
}

/// An error before anything was written: a Page paused by Meta waits in the queue (bounded by
/// [`MAX_ATTEMPTS`]) and the pause holds for every process; anything else is the note's
/// definite failure.
fn not_written(now: i64, job: &Claimed, e: Error, audio: Option<Value>) -> Outcome {
    if e.code() == ErrorCode::RateLimited && job.attempt < MAX_ATTEMPTS {
        let wait = e.retry_after().unwrap_or(Duration::from_secs(1));
        return Outcome::Requeue {
            run_at: now + wait.as_millis() as i64,
            pause: Some(wait),
        };
    }
    Outcome::Failed { error: e, audio }
}
