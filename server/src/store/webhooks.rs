//! Webhook endpoints (per API key, secrets sealed) and the delivery queue: claimed with a lease
//! like jobs but at least once (an expired lease puts the delivery back: a receiver may see an
//! event twice, never zero times, and de-duplicates on `Svara-Event-Id`), only the oldest
//! unfinished delivery of a note per destination at a time (so events arrive in the order of the
//! note's life), every HTTP attempt recorded.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

/// An endpoint as stored.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// `we_…`.
    pub id: String,
    /// The API key's id.
    pub key_id: String,
    /// Where events are posted, without the query (for logs).
    pub url: String,
    /// The whole URL, sealed.
    pub url_sealed: Vec<u8>,
    /// Event types (JSON array).
    pub events: String,
    /// Free text of the owner.
    pub description: Option<String>,
    /// The sealed `whsec_…` secret.
    pub secret: Vec<u8>,
    /// Sealed JSON `[{"secret","expires_at"}]` of secrets replaced by a rotation.
    pub old_secrets: Option<Vec<u8>>,
    /// Unix ms.
    pub created_at: i64,
}

const ENDPOINT_COLUMNS: &str =
    "id, key_id, url, url_sealed, events, description, secret, old_secrets, created_at";

fn endpoint(r: &AnyRow) -> Result<Endpoint, sqlx::Error> {
    Ok(Endpoint {
        id: r.try_get("id")?,
        key_id: r.try_get("key_id")?,
        url: r.try_get("url")?,
        url_sealed: r.try_get("url_sealed")?,
        events: r.try_get("events")?,
        description: r.try_get("description")?,
        secret: r.try_get("secret")?,
        old_secrets: r.try_get("old_secrets")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Inserts an endpoint unless the key already has `max` of them; false when it has.
pub async fn insert(c: &mut AnyConnection, e: &Endpoint, max: usize) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM webhook_endpoints WHERE key_id = $1 AND deleted_at IS NULL",
    )
    .bind(&e.key_id)
    .fetch_one(&mut *c)
    .await?
    .try_get("n")?;
    if n as usize >= max {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, key_id, url, url_sealed, events, description, \
         secret, old_secrets, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&e.id)
    .bind(&e.key_id)
    .bind(&e.url)
    .bind(&e.url_sealed)
    .bind(&e.events)
    .bind(&e.description)
    .bind(&e.secret)
    .bind(&e.old_secrets)
    .bind(e.created_at)
    .execute(&mut *c)
    .await?;
    Ok(true)
}

/// A key's endpoints, oldest first.
pub async fn list(pool: &AnyPool, key_id: &str) -> Result<Vec<Endpoint>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE key_id = $1 \
         AND deleted_at IS NULL ORDER BY created_at, id"
    ))
    .bind(key_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(endpoint)
    .collect()
}

/// One endpoint of a key (None when deleted or another key's).
pub async fn get(pool: &AnyPool, key_id: &str, id: &str) -> Result<Option<Endpoint>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE key_id = $1 AND id = $2 \
         AND deleted_at IS NULL"
    ))
    .bind(key_id)
    .bind(id)
    .fetch_optional(pool)
    .await?
    .as_ref()
    .map(endpoint)
    .transpose()
}

/// An endpoint by id, for the delivery worker (deleted ones too: their deliveries are cancelled).
pub async fn by_id(pool: &AnyPool, id: &str) -> Result<Option<(Endpoint, bool)>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS}, CAST(CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END AS BIGINT) \
         AS deleted FROM webhook_endpoints WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| Ok((endpoint(&r)?, r.try_get::<i64, _>("deleted")? != 0)))
        .transpose()
}

/// Deletes an endpoint of a key and cancels its pending deliveries; false when there is none.
pub async fn delete(
    c: &mut AnyConnection,
    key_id: &str,
    id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE webhook_endpoints SET deleted_at = $3 WHERE key_id = $1 AND id = $2 \
         AND deleted_at IS NULL",
    )
    .bind(key_id)
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint deleted', \
         finished_at = $2, updated_at = $2 WHERE endpoint_id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(true)
}

/// Replaces an endpoint's secret (the previous ones are in `old_secrets`).
pub async fn rotate(
    c: &mut AnyConnection,
    key_id: &str,
    id: &str,
    secret: &[u8],
    old_secrets: &[u8],
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE webhook_endpoints SET secret = $3, old_secrets = $4 WHERE key_id = $1 AND id = $2 \
         AND deleted_at IS NULL",
    )
    .bind(key_id)
    .bind(id)
    .bind(secret)
    .bind(old_secrets)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A delivery the worker holds a lease on, with its event.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    /// `whd_…`.
    pub id: String,
    /// `evt_…`.
    pub event_id: String,
    /// `voice_note.…`.
    pub event_type: String,
    /// The frozen body.
    pub body: String,
    /// The note.
    pub job_id: String,
    /// The API key's id.
    pub key_id: String,
    /// The endpoint (None: the note's webhook_url).
    pub endpoint_id: Option<String>,
    /// This attempt's number, from 1 (the fence of its outcome).
    pub attempt: i64,
    /// When the event was created (Unix ms): the schedule gives up a day after it.
    pub created_at: i64,
    /// The note's mode (`test` webhooks may reach loopback).
    pub mode: String,
}

/// Claims due deliveries: pending, due, and the oldest unfinished one of their note for their
/// destination. With PostgreSQL the candidates are locked (`FOR UPDATE SKIP LOCKED`) until the
/// claim commits.
pub async fn claim(
    c: &mut AnyConnection,
    skip_locked: &str,
    owner: &str,
    now: i64,
    lease_until: i64,
    limit: usize,
) -> Result<Vec<ClaimedDelivery>, sqlx::Error> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = sqlx::query(&format!(
        "SELECT d.id FROM webhook_deliveries d WHERE d.status = 'pending' \
         AND d.next_attempt_at <= $1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e \
         WHERE e.target = d.target AND e.job_id = d.job_id AND e.seq < d.seq \
         AND e.status IN ('pending', 'sending')) ORDER BY d.next_attempt_at, d.id LIMIT $2{skip_locked}"
    ))
    .bind(now)
    .bind(limit as i64)
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|r| r.try_get("id"))
    .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(4, ids.len());
    let update = format!(
        "UPDATE webhook_deliveries SET status = 'sending', attempts = attempts + 1, \
         lease_owner = $1, lease_expires_at = $2, updated_at = $3 \
         WHERE status = 'pending' AND id IN ({list})"
    );
    let mut q = sqlx::query(&update).bind(owner).bind(lease_until).bind(now);
    for id in &ids {
        q = q.bind(id);
    }
    q.execute(&mut *c).await?;
    let list = placeholders(2, ids.len());
    let select = format!(
        "SELECT d.id, d.event_id, e.type, e.body, d.job_id, d.key_id, d.endpoint_id, d.attempts, \
         e.created_at, j.mode FROM webhook_deliveries d JOIN events e ON e.id = d.event_id \
         JOIN jobs j ON j.id = d.job_id \
         WHERE d.lease_owner = $1 AND d.status = 'sending' AND d.id IN ({list}) ORDER BY d.id"
    );
    let mut q = sqlx::query(&select).bind(owner);
    for id in &ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| {
            Ok(ClaimedDelivery {
                id: r.try_get("id")?,
                event_id: r.try_get("event_id")?,
                event_type: r.try_get("type")?,
                body: r.try_get("body")?,
                job_id: r.try_get("job_id")?,
                key_id: r.try_get("key_id")?,
                endpoint_id: r.try_get("endpoint_id")?,
                attempt: r.try_get("attempts")?,
                created_at: r.try_get("created_at")?,
                mode: r.try_get("mode")?,
            })
        })
        .collect()
}

fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One HTTP attempt, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// 1, 2, ...
    pub n: i64,
    /// Unix ms.
    pub started_at: i64,
    /// How long it took.
    pub duration_ms: i64,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<i64>,
    /// Why it failed without an answer (timeout, refused address, ...), or the non-2xx summary.
    pub error: Option<String>,
    /// The first 4 KiB of the answer's body.
    pub response: Option<String>,
}

/// What becomes of a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// The receiver answered 2xx.
    Delivered,
    /// Try again at this time (Unix ms).
    Retry(i64),
    /// Give up (the schedule is over, or the destination is gone).
    Failed,
}

/// Records an attempt and its consequence, if this worker still holds the delivery.
pub async fn finish(
    c: &mut AnyConnection,
    id: &str,
    owner: &str,
    attempt: &Attempt,
    next: Next,
    now: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_attempts (delivery_id, n, started_at, duration_ms, status_code, \
         error, response) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (delivery_id, n) DO NOTHING",
    )
    .bind(id)
    .bind(attempt.n)
    .bind(attempt.started_at)
    .bind(attempt.duration_ms)
    .bind(attempt.status_code)
    .bind(&attempt.error)
    .bind(&attempt.response)
    .execute(&mut *c)
    .await?;
    let (status, next_at, finished) = match next {
        Next::Delivered => ("delivered", now, Some(now)),
        Next::Retry(at) => ("pending", at, None),
        Next::Failed => ("failed", now, Some(now)),
    };
    let r = sqlx::query(
        "UPDATE webhook_deliveries SET status = $3, next_attempt_at = $4, finished_at = $5, \
         last_status_code = $6, last_error = $7, lease_owner = NULL, lease_expires_at = NULL, \
         updated_at = $8 WHERE id = $1 AND lease_owner = $2 AND status = 'sending'",
    )
    .bind(id)
    .bind(owner)
    .bind(status)
    .bind(next_at)
    .bind(finished)
    .bind(attempt.status_code)
    .bind(&attempt.error)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Renews the leases of the deliveries this worker holds.
pub async fn heartbeat(c: &mut AnyConnection, owner: &str, until: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE webhook_deliveries SET lease_expires_at = $2 WHERE lease_owner = $1 \
         AND status = 'sending'",
    )
    .bind(owner)
    .bind(until)
    .execute(&mut *c)
    .await?
    .rows_affected())
}

/// Deliveries whose worker is gone (lease expired) go back to pending: at least once. `all`
/// (start of the only process on a SQLite file) takes every one in flight.
pub async fn sweep(c: &mut AnyConnection, now: i64, all: bool) -> Result<u64, sqlx::Error> {
    let guard = if all {
        ""
    } else {
        " AND lease_expires_at < $1"
    };
    Ok(sqlx::query(&format!(
        "UPDATE webhook_deliveries SET status = 'pending', lease_owner = NULL, \
         lease_expires_at = NULL, updated_at = $1 WHERE status = 'sending'{guard}"
    ))
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected())
}

/// Depth of the delivery queue (`pending`, `sending`), across every process.
pub async fn depth(pool: &AnyPool) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query(
        "SELECT status, COUNT(*) AS n FROM webhook_deliveries \
         WHERE status IN ('pending', 'sending') GROUP BY status",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
    .collect()
}

/// A delivery with its attempts, for `GET /v1/webhooks/{id}/deliveries`.
#[derive(Debug, Clone)]
pub struct DeliveryView {
    /// `whd_…`.
    pub id: String,
    /// `evt_…`.
    pub event_id: String,
    /// `voice_note.…`.
    pub event_type: String,
    /// The note (`msg_…`).
    pub job_id: String,
    /// `pending`, `sending`, `delivered` or `failed`.
    pub status: String,
    /// Unix ms.
    pub created_at: i64,
    /// When the next attempt is due (pending).
    pub next_attempt_at: i64,
    /// When it ended.
    pub finished_at: Option<i64>,
    /// Every attempt, oldest first.
    pub attempts: Vec<Attempt>,
}

/// An endpoint's deliveries, newest first, strictly before the cursor `(created_at, id)`.
pub async fn deliveries(
    pool: &AnyPool,
    endpoint_id: &str,
    before: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<DeliveryView>, sqlx::Error> {
    let mut sql = String::from(
        "SELECT d.id, d.event_id, e.type, d.job_id, d.status, d.created_at, d.next_attempt_at, \
         d.finished_at FROM webhook_deliveries d JOIN events e ON e.id = d.event_id \
         WHERE d.endpoint_id = $1",
    );
    if before.is_some() {
        sql.push_str(" AND (d.created_at < $3 OR (d.created_at = $3 AND d.id < $4))");
    }
    sql.push_str(" ORDER BY d.created_at DESC, d.id DESC LIMIT $2");
    let mut q = sqlx::query(&sql).bind(endpoint_id).bind(limit);
    if let Some((t, id)) = before {
        q = q.bind(t).bind(id);
    }
    let rows = q.fetch_all(pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: String = r.try_get("id")?;
        let attempts = sqlx::query(
            "SELECT n, started_at, duration_ms, status_code, error, response FROM \
             webhook_attempts WHERE delivery_id = $1 ORDER BY n",
        )
        .bind(&id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|a| {
            Ok(Attempt {
                n: a.try_get("n")?,
                started_at: a.try_get("started_at")?,
                duration_ms: a.try_get("duration_ms")?,
                status_code: a.try_get("status_code")?,
                error: a.try_get("error")?,
                response: a.try_get("response")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        out.push(DeliveryView {
            id,
            event_id: r.try_get("event_id")?,
            event_type: r.try_get("type")?,
            job_id: r.try_get("job_id")?,
            status: r.try_get("status")?,
            created_at: r.try_get("created_at")?,
            next_attempt_at: r.try_get("next_attempt_at")?,
            finished_at: r.try_get("finished_at")?,
            attempts,
        });
    }
    Ok(out)
}

/// Forgets finished deliveries, their attempts and events older than `before` (Unix ms).
pub async fn purge(c: &mut AnyConnection, before: i64) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries \
         WHERE finished_at IS NOT NULL AND finished_at < $1)",
    )
    .bind(before)
    .execute(&mut *c)
    .await?;
    let n = sqlx::query(
        "DELETE FROM webhook_deliveries WHERE finished_at IS NOT NULL AND finished_at < $1",
    )
    .bind(before)
    .execute(&mut *c)
    .await?
    .rows_affected();
    sqlx::query(
        "DELETE FROM events WHERE created_at < $1 AND NOT EXISTS (SELECT 1 FROM \
         webhook_deliveries d WHERE d.event_id = events.id)",
    )
    .bind(before)
    .execute(&mut *c)
    .await?;
    Ok(n)
}
