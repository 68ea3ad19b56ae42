//! The queue's SQL: accept (with the idempotency row in the same transaction), claim with a
//! lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so processes never claim the same job), the
//! point of no return, outcomes, and the crash rule of the sweeper. Every UPDATE repeats the
//! state it expects (status, phase, owner, attempt, lease expiry) in its own WHERE, so a stale
//! worker, or a sweep that read an old state, changes nothing: the row is re-checked when it is
//! written (PostgreSQL re-evaluates the WHERE on the row's latest version after a lock wait).
//! Every status change records its event ([`super::events`]) in the same transaction.

use super::events;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::HashMap;

/// The statuses a voice note goes through: queued -> sending -> sent -> delivered -> read, or
/// failed.
pub const STATUSES: [&str; 6] = ["queued", "sending", "sent", "delivered", "read", "failed"];

/// A job to insert.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// `msg_…`.
    pub id: String,
    /// The API key's id.
    pub key_id: String,
    /// `test` or `live`, frozen at accept.
    pub mode: &'static str,
    /// `messenger`.
    pub platform: String,
    /// The PSID.
    pub recipient: String,
    /// Keyed hash of token and target.
    pub page_key: String,
    /// An upload of `POST /v1/audio`, when that is the audio.
    pub audio_id: Option<String>,
    /// The validated body without secrets (JSON).
    pub request: String,
    /// The sealed secrets.
    pub secrets: Vec<u8>,
    /// The sealed per-request `webhook_url`.
    pub webhook_url: Option<Vec<u8>>,
    /// Unix ms.
    pub created_at: i64,
}

/// The `Idempotency-Key` of an accept.
#[derive(Debug, Clone)]
pub struct Idempotency {
    /// The header's value.
    pub key: String,
    /// Keyed fingerprint of method, path and canonical body.
    pub request_hash: Vec<u8>,
    /// When the key may be forgotten (Unix ms).
    pub expires_at: i64,
}

/// What an accept did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// The job was inserted.
    Created,
    /// The same key was used with the same request: its first answer.
    Replay {
        /// HTTP status of the first answer.
        status: u16,
        /// Its body.
        body: String,
    },
    /// The same key was used with a different request.
    Conflict,
}

/// Inserts a job (and its idempotency row), or replays / refuses per the idempotency key. The
/// key row is written first with an upsert that only replaces an expired row: a concurrent
/// request with the same key (in this or another process) waits on the key's unique index until
/// the first one commits, then sees its row, so a key never queues two notes.
pub async fn accept(
    c: &mut AnyConnection,
    job: NewJob,
    idem: Option<Idempotency>,
    response: String,
) -> Result<Accepted, sqlx::Error> {
    if let Some(idem) = &idem {
        let claimed = sqlx::query(
            "INSERT INTO idempotency_keys (key_id, idem_key, request_hash, status_code, response, \
             job_id, created_at, expires_at) VALUES ($1, $2, $3, 202, $4, $5, $6, $7) \
             ON CONFLICT (key_id, idem_key) DO UPDATE SET request_hash = excluded.request_hash, \
             status_code = excluded.status_code, response = excluded.response, \
             job_id = excluded.job_id, created_at = excluded.created_at, \
             expires_at = excluded.expires_at WHERE idempotency_keys.expires_at <= $6 \
             RETURNING job_id",
        )
        .bind(&job.key_id)
        .bind(&idem.key)
        .bind(&idem.request_hash)
        .bind(&response)
        .bind(&job.id)
        .bind(job.created_at)
        .bind(idem.expires_at)
        .fetch_optional(&mut *c)
        .await?;
        if claimed.is_none() {
            let row = sqlx::query(
                "SELECT request_hash, status_code, response FROM idempotency_keys \
                 WHERE key_id = $1 AND idem_key = $2",
            )
            .bind(&job.key_id)
            .bind(&idem.key)
            .fetch_one(&mut *c)
            .await?;
            let hash: Vec<u8> = row.try_get("request_hash")?;
            return Ok(if hash == idem.request_hash {
                Accepted::Replay {
                    status: row.try_get::<i64, _>("status_code")? as u16,
                    body: row.try_get("response")?,
                }
            } else {
                Accepted::Conflict
            });
        }
    }
    sqlx::query(
        "INSERT INTO jobs (id, key_id, mode, platform, recipient, page_key, audio_id, status, \
         attempts, run_at, request, secrets, webhook_url, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $9, $10, $11, $8, $8)",
    )
    .bind(&job.id)
    .bind(&job.key_id)
    .bind(job.mode)
    .bind(&job.platform)
    .bind(&job.recipient)
    .bind(&job.page_key)
    .bind(&job.audio_id)
    .bind(job.created_at)
    .bind(&job.request)
    .bind(&job.secrets)
    .bind(&job.webhook_url)
    .execute(&mut *c)
    .await?;
    Ok(Accepted::Created)
}

/// A job the worker holds a lease on.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// `msg_…`.
    pub id: String,
    /// `test` or `live`.
    pub mode: String,
    /// `messenger`.
    pub platform: String,
    /// The PSID.
    pub recipient: String,
    /// Keyed hash of token and target.
    pub page_key: String,
    /// An upload, when that is the audio.
    pub audio_id: Option<String>,
    /// The stored body without secrets.
    pub request: String,
    /// The sealed secrets (None if already erased).
    pub secrets: Option<Vec<u8>>,
    /// This claim's attempt number (the fence of every later update).
    pub attempt: i64,
}

/// What a claim may take.
#[derive(Debug, Clone)]
pub struct ClaimRequest {
    /// This process's owner id.
    pub owner: String,
    /// Unix ms.
    pub now: i64,
    /// Lease expiry.
    pub lease_until: i64,
    /// Most jobs to take.
    pub limit: usize,
    /// Most jobs of one Page in flight.
    pub per_page: usize,
    /// Jobs of each Page already in flight in this process.
    pub busy: HashMap<String, usize>,
    /// [`super::Store::skip_locked`].
    pub skip_locked: &'static str,
}

/// Claims due jobs, oldest first, at most `per_page` in flight per Page (saturated Pages are
/// skipped in SQL, so one busy Page does not starve the others). On PostgreSQL the candidates
/// are locked with `FOR UPDATE SKIP LOCKED` until the claim commits: another process's claim
/// skips them instead of waiting or taking them too.
pub async fn claim(c: &mut AnyConnection, req: ClaimRequest) -> Result<Vec<Claimed>, sqlx::Error> {
    if req.limit == 0 {
        return Ok(Vec::new());
    }
    let saturated: Vec<&String> = req
        .busy
        .iter()
        .filter(|(_, n)| **n >= req.per_page)
        .map(|(k, _)| k)
        .collect();
    let mut sql =
        String::from("SELECT id, page_key FROM jobs WHERE status = 'queued' AND run_at <= $1");
    if !saturated.is_empty() {
        sql.push_str(" AND page_key NOT IN (");
        for i in 0..saturated.len() {
            sql.push_str(&format!("{}${}", if i > 0 { ", " } else { "" }, i + 3));
        }
        sql.push(')');
    }
    sql.push_str(" ORDER BY run_at, id LIMIT $2");
    sql.push_str(req.skip_locked);
    let lookahead = (req.limit * 4).max(64) as i64;
    let mut q = sqlx::query(&sql).bind(req.now).bind(lookahead);
    for page in &saturated {
        q = q.bind(page.as_str());
    }
    let candidates = q.fetch_all(&mut *c).await?;
    let mut taken: HashMap<String, usize> = HashMap::new();
    let mut chosen = Vec::new();
    for row in candidates {
        let id: String = row.try_get("id")?;
        let page: String = row.try_get("page_key")?;
        let already = req.busy.get(&page).copied().unwrap_or(0);
        let n = taken.entry(page).or_insert(0);
        if already + *n < req.per_page {
            *n += 1;
            chosen.push(id);
            if chosen.len() >= req.limit {
                break;
            }
        }
    }
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = String::from(
        "UPDATE jobs SET status = 'sending', phase = 'claimed', attempts = attempts + 1, \
         lease_owner = $1, lease_expires_at = $2, updated_at = $3 \
         WHERE status = 'queued' AND id IN (",
    );
    for i in 0..chosen.len() {
        sql.push_str(&format!("{}${}", if i > 0 { ", " } else { "" }, i + 4));
    }
    sql.push_str(
        ") RETURNING id, mode, platform, recipient, page_key, audio_id, request, secrets, attempts",
    );
    let mut q = sqlx::query(&sql)
        .bind(&req.owner)
        .bind(req.lease_until)
        .bind(req.now);
    for id in &chosen {
        q = q.bind(id.as_str());
    }
    let rows = q.fetch_all(&mut *c).await?;
    let mut claimed = rows
        .iter()
        .map(|r| {
            Ok(Claimed {
                id: r.try_get("id")?,
                mode: r.try_get("mode")?,
                platform: r.try_get("platform")?,
                recipient: r.try_get("recipient")?,
                page_key: r.try_get("page_key")?,
                audio_id: r.try_get("audio_id")?,
                request: r.try_get("request")?,
                secrets: r.try_get("secrets")?,
                attempt: r.try_get("attempts")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    // RETURNING does not promise an order: keep the queue's.
    claimed.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(claimed)
}

/// The point of no return: the job's Send API request is about to be written (and the Page it
/// goes out from, when known, is recorded with it: receipts name the Page). True when this
/// worker still holds the job (only then may it send).
pub async fn mark_request_written(
    c: &mut AnyConnection,
    id: &str,
    owner: &str,
    attempt: i64,
    now: i64,
    page_id: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE jobs SET phase = 'request_written', written_at = $4, updated_at = $4, \
         page_id = COALESCE($5, page_id) \
         WHERE id = $1 AND lease_owner = $2 AND attempts = $3 AND status = 'sending'",
    )
    .bind(id)
    .bind(owner)
    .bind(attempt)
    .bind(now)
    .bind(page_id)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// What a finished send recorded.
#[derive(Debug, Clone)]
pub struct Sent {
    /// Messenger's `m_…`.
    pub message_id: String,
    /// The reusable attachment id used.
    pub attachment_id: Option<String>,
    /// The audio summary (JSON).
    pub audio: Option<String>,
}

/// What a status change did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Transition {
    /// The row changed (false: another owner or a sweep got there first).
    pub changed: bool,
    /// Webhook deliveries queued for its event.
    pub deliveries: usize,
}

/// Records a note Messenger accepted, erases its secrets and records `voice_note.sent`. A late
/// success may replace a `failed` (may have been delivered) written by a sweep for the same
/// attempt; nothing else moves a job out of `failed`.
pub async fn finish_sent(
    c: &mut AnyConnection,
    id: &str,
    attempt: i64,
    sent: &Sent,
    now: i64,
) -> Result<Transition, sqlx::Error> {
    let row = sqlx::query(&format!(
        "UPDATE jobs SET status = 'sent', phase = NULL, lease_owner = NULL, \
         lease_expires_at = NULL, secrets = NULL, message_id = $3, attachment_id = $4, \
         audio = $5, error = NULL, sent_at = $6, updated_at = $6 \
         WHERE id = $1 AND attempts = $2 AND status IN ('sending', 'failed') \
         RETURNING {VIEW_COLUMNS}"
    ))
    .bind(id)
    .bind(attempt)
    .bind(&sent.message_id)
    .bind(&sent.attachment_id)
    .bind(&sent.audio)
    .bind(now)
    .fetch_optional(&mut *c)
    .await?;
    transition(c, row, events::SENT, now).await
}

/// Records a failure (svara's error wire shape), erases the job's secrets and records
/// `voice_note.failed`.
pub async fn finish_failed(
    c: &mut AnyConnection,
    id: &str,
    attempt: i64,
    error: &str,
    audio: Option<&str>,
    now: i64,
) -> Result<Transition, sqlx::Error> {
    let row = sqlx::query(&format!(
        "UPDATE jobs SET status = 'failed', phase = NULL, lease_owner = NULL, \
         lease_expires_at = NULL, secrets = NULL, error = $3, audio = COALESCE($4, audio), \
         updated_at = $5 WHERE id = $1 AND attempts = $2 AND status = 'sending' \
         RETURNING {VIEW_COLUMNS}"
    ))
    .bind(id)
    .bind(attempt)
    .bind(error)
    .bind(audio)
    .bind(now)
    .fetch_optional(&mut *c)
    .await?;
    transition(c, row, events::FAILED, now).await
}

async fn transition(
    c: &mut AnyConnection,
    row: Option<AnyRow>,
    event: &str,
    now: i64,
) -> Result<Transition, sqlx::Error> {
    let Some(row) = row else {
        return Ok(Transition::default());
    };
    let job = view(&row)?;
    let deliveries = events::emit(c, &job, event, now).await?;
    Ok(Transition {
        changed: true,
        deliveries,
    })
}

/// Puts a job this worker holds back in the queue; only while nothing was written to Meta.
pub async fn requeue(
    c: &mut AnyConnection,
    id: &str,
    owner: &str,
    attempt: i64,
    run_at: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE jobs SET status = 'queued', phase = NULL, lease_owner = NULL, \
         lease_expires_at = NULL, run_at = $4, updated_at = $5 \
         WHERE id = $1 AND lease_owner = $2 AND attempts = $3 AND status = 'sending' \
         AND phase = 'claimed'",
    )
    .bind(id)
    .bind(owner)
    .bind(attempt)
    .bind(run_at)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Renews the leases of every job this worker holds.
pub async fn heartbeat(c: &mut AnyConnection, owner: &str, until: i64) -> Result<u64, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE jobs SET lease_expires_at = $2 WHERE lease_owner = $1 AND status = 'sending'",
    )
    .bind(owner)
    .bind(until)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected())
}

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    /// Jobs put back in the queue (nothing had been written to Meta).
    pub requeued: Vec<String>,
    /// Jobs ended `failed` with `may_have_been_delivered` (their request may have reached Meta):
    /// id and platform.
    pub failed: Vec<(String, String)>,
    /// Webhook deliveries queued for the failures' events.
    pub deliveries: usize,
}

/// The crash rule, for jobs whose worker is gone: `claimed` goes back to `queued`;
/// `request_written` ends `failed` with `error` (network_error, may_have_been_delivered) and
/// is never sent again. `only_expired`: touch only leases that ran out (several processes, or
/// periodic sweeps); false only at the start of the only process on a SQLite file (the
/// previous one is dead). Each UPDATE carries its whole guard (status, phase, lease expiry),
/// so a job that finished or was renewed after any earlier read is left alone.
pub async fn sweep(
    c: &mut AnyConnection,
    now: i64,
    only_expired: bool,
    error: &str,
) -> Result<Swept, sqlx::Error> {
    let expired = if only_expired {
        " AND lease_expires_at < $1"
    } else {
        ""
    };
    let requeued = sqlx::query(&format!(
        "UPDATE jobs SET status = 'queued', phase = NULL, lease_owner = NULL, \
         lease_expires_at = NULL, updated_at = $1 \
         WHERE status = 'sending' AND (phase = 'claimed' OR phase IS NULL){expired} RETURNING id"
    ))
    .bind(now)
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>("id"))
    .collect::<Result<Vec<_>, _>>()?;
    let rows = sqlx::query(&format!(
        "UPDATE jobs SET status = 'failed', phase = NULL, lease_owner = NULL, \
         lease_expires_at = NULL, secrets = NULL, error = $2, updated_at = $1 \
         WHERE status = 'sending' AND phase = 'request_written'{expired} \
         RETURNING {VIEW_COLUMNS}"
    ))
    .bind(now)
    .bind(error)
    .fetch_all(&mut *c)
    .await?;
    let mut swept = Swept {
        requeued,
        ..Swept::default()
    };
    for row in rows {
        let job = view(&row)?;
        swept.deliveries += events::emit(c, &job, events::FAILED, now).await?;
        swept.failed.push((job.id, job.platform));
    }
    Ok(swept)
}

/// At shutdown: every job this worker claimed but did not write goes back to the queue.
pub async fn release_claimed(
    c: &mut AnyConnection,
    owner: &str,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE jobs SET status = 'queued', phase = NULL, lease_owner = NULL, \
         lease_expires_at = NULL, updated_at = $2 \
         WHERE lease_owner = $1 AND status = 'sending' AND phase = 'claimed'",
    )
    .bind(owner)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected())
}

/// Depth of the queue: jobs `queued` and `sending`, across every process on the database.
pub async fn queue_depth(pool: &AnyPool) -> Result<HashMap<String, i64>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT status, COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'sending') \
         GROUP BY status",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<String, _>("status")?, r.try_get::<i64, _>("n")?)))
        .collect()
}

/// The sealed `webhook_url` of a job.
pub async fn webhook_url(pool: &AnyPool, id: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let row = sqlx::query("SELECT webhook_url FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.try_get("webhook_url")).transpose()?.flatten())
}

/// Forgets idempotency keys past their expiry.
pub async fn purge_idempotency(c: &mut AnyConnection, now: i64) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM idempotency_keys WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected(),
    )
}

/// A job as `/v1/status` shows it.
#[derive(Debug, Clone)]
pub struct JobView {
    /// `msg_…`.
    pub id: String,
    /// `test` or `live`.
    pub mode: String,
    /// `messenger`.
    pub platform: String,
    /// The PSID.
    pub recipient: String,
    /// One of [`STATUSES`].
    pub status: String,
    /// Claims so far.
    pub attempts: i64,
    /// `m_…` once sent.
    pub message_id: Option<String>,
    /// The reusable attachment id used.
    pub attachment_id: Option<String>,
    /// The audio summary (JSON).
    pub audio: Option<String>,
    /// The error (JSON).
    pub error: Option<String>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
    /// Unix ms.
    pub sent_at: Option<i64>,
    /// Unix ms, once Messenger reported it delivered.
    pub delivered_at: Option<i64>,
    /// Unix ms, once Messenger reported it read.
    pub read_at: Option<i64>,
    /// The API key's id.
    pub key_id: String,
    /// The platform's id of the sending Page, once known.
    pub page_id: Option<String>,
    /// Whether the note has its own `webhook_url`.
    pub has_webhook_url: bool,
}

/// The columns [`JobView`] reads.
pub const VIEW_COLUMNS: &str = "id, mode, platform, recipient, status, attempts, message_id, \
     attachment_id, audio, error, created_at, updated_at, sent_at, delivered_at, read_at, key_id, \
     page_id, CAST(CASE WHEN webhook_url IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_webhook_url";

/// Reads a row of [`VIEW_COLUMNS`].
pub fn view(r: &AnyRow) -> Result<JobView, sqlx::Error> {
    Ok(JobView {
        id: r.try_get("id")?,
        mode: r.try_get("mode")?,
        platform: r.try_get("platform")?,
        recipient: r.try_get("recipient")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        message_id: r.try_get("message_id")?,
        attachment_id: r.try_get("attachment_id")?,
        audio: r.try_get("audio")?,
        error: r.try_get("error")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        sent_at: r.try_get("sent_at")?,
        delivered_at: r.try_get("delivered_at")?,
        read_at: r.try_get("read_at")?,
        key_id: r.try_get("key_id")?,
        page_id: r.try_get("page_id")?,
        has_webhook_url: r.try_get::<i64, _>("has_webhook_url")? != 0,
    })
}

/// One job of one key.
pub async fn get(pool: &AnyPool, key_id: &str, id: &str) -> Result<Option<JobView>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {VIEW_COLUMNS} FROM jobs WHERE key_id = $1 AND id = $2"
    ))
    .bind(key_id)
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(view).transpose()
}

/// A page of one key's jobs, newest first, strictly after the cursor `(created_at, id)`.
pub async fn list(
    pool: &AnyPool,
    key_id: &str,
    status: Option<&str>,
    before: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<JobView>, sqlx::Error> {
    let mut sql = format!("SELECT {VIEW_COLUMNS} FROM jobs WHERE key_id = $1");
    let mut n = 1;
    if status.is_some() {
        n += 1;
        sql.push_str(&format!(" AND status = ${n}"));
    }
    if before.is_some() {
        sql.push_str(&format!(
            " AND (created_at < ${a} OR (created_at = ${a} AND id < ${b}))",
            a = n + 1,
            b = n + 2
        ));
        n += 2;
    }
    sql.push_str(&format!(
        " ORDER BY created_at DESC, id DESC LIMIT ${}",
        n + 1
    ));
    let mut q = sqlx::query(&sql).bind(key_id);
    if let Some(s) = status {
        q = q.bind(s);
    }
    if let Some((t, id)) = before {
        q = q.bind(t).bind(id);
    }
    q.bind(limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(view)
        .collect()
}

/// Counts of one key's jobs per status, created at or after `since` (all time when None).
pub async fn count_by_status(
    pool: &AnyPool,
    key_id: &str,
    since: Option<i64>,
) -> Result<HashMap<String, i64>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT status, COUNT(*) AS n FROM jobs WHERE key_id = $1 AND created_at >= $2 \
         GROUP BY status",
    )
    .bind(key_id)
    .bind(since.unwrap_or(i64::MIN))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<String, _>("status")?, r.try_get::<i64, _>("n")?)))
        .collect()
}
