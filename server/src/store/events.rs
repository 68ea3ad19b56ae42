//! Events of a note's life (`voice_note.sent`, `.delivered`, `.read`, `.failed`): recorded in the
//! same transaction as the status change that causes them, with one delivery row per
//! destination (each endpoint of the note's API key subscribed to the type, and the note's own
//! `webhook_url`). The job row is the queue entry of the note, and the delivery row the queue
//! entry of the webhook: no commit can leave an event without its deliveries, or a status change
//! without its event (the gap Svix's separate queue has).

use super::jobs::JobView;
use crate::clock::iso8601;
use crate::model::VoiceNote;
use serde_json::json;
use sqlx::{AnyConnection, Row};

/// A note was accepted by the platform (`status: sent`).
pub const SENT: &str = "voice_note.sent";
/// The platform reported it delivered to the person's device.
pub const DELIVERED: &str = "voice_note.delivered";
/// The platform reported it read (heard).
pub const READ: &str = "voice_note.read";
/// It failed (or may have been delivered: see `error.may_have_been_delivered`).
pub const FAILED: &str = "voice_note.failed";
/// Every event type, in the order of a note's life.
pub const EVENT_TYPES: [&str; 4] = [SENT, DELIVERED, READ, FAILED];

/// Where a delivery goes when it is the note's own `webhook_url`.
pub const REQUEST_TARGET: &str = "request";

/// The body every delivery of an event sends, byte for byte:
/// `{"id":"evt_…","event","created_at","data":{…the /v1/status object…}}`.
pub fn body(id: &str, event: &str, now: i64, job: &JobView) -> String {
    json!({
        "id": id,
        "event": event,
        "created_at": iso8601(now),
        "data": VoiceNote::from(job.clone()),
    })
    .to_string()
}

/// Whether an endpoint subscribed to `events` (a JSON array; `"*"` is every type) takes `event`.
pub fn subscribed(events: &str, event: &str) -> bool {
    serde_json::from_str::<Vec<String>>(events)
        .map(|list| list.iter().any(|e| e == event || e == "*"))
        .unwrap_or(false)
}

/// Records `event` for `job` (its state after the change) and queues its deliveries; returns
/// how many. Runs in the caller's transaction, after the job's row was updated (which orders
/// concurrent changes of one note, so `seq` follows the note's life).
pub async fn emit(
    c: &mut AnyConnection,
    job: &JobView,
    event: &str,
    now: i64,
) -> Result<usize, sqlx::Error> {
    let seq: i64 = sqlx::query(
        "SELECT CAST(COALESCE(MAX(seq), 0) + 1 AS BIGINT) AS n FROM events WHERE job_id = $1",
    )
    .bind(&job.id)
    .fetch_one(&mut *c)
    .await?
    .try_get("n")?;
    let id = crate::ids::new_id("evt", now);
    sqlx::query(
        "INSERT INTO events (id, key_id, job_id, type, seq, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&job.key_id)
    .bind(&job.id)
    .bind(event)
    .bind(seq)
    .bind(body(&id, event, now, job))
    .bind(now)
    .execute(&mut *c)
    .await?;
    let endpoints = sqlx::query(
        "SELECT id, events FROM webhook_endpoints WHERE key_id = $1 AND deleted_at IS NULL",
    )
    .bind(&job.key_id)
    .fetch_all(&mut *c)
    .await?;
    let mut targets: Vec<Option<String>> = Vec::new();
    for row in endpoints {
        let events: String = row.try_get("events")?;
        if subscribed(&events, event) {
            targets.push(Some(row.try_get("id")?));
        }
    }
    if job.has_webhook_url {
        targets.push(None);
    }
    for endpoint in &targets {
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, event_id, job_id, seq, key_id, endpoint_id, \
             target, status, attempts, next_attempt_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8, $8)",
        )
        .bind(crate::ids::new_id("whd", now))
        .bind(&id)
        .bind(&job.id)
        .bind(seq)
        .bind(&job.key_id)
        .bind(endpoint.as_deref())
        .bind(endpoint.as_deref().unwrap_or(REQUEST_TARGET))
        .bind(now)
        .execute(&mut *c)
        .await?;
    }
    Ok(targets.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions() {
        assert!(subscribed(r#"["voice_note.sent"]"#, SENT));
        assert!(!subscribed(r#"["voice_note.sent"]"#, READ));
        assert!(subscribed(r#"["*"]"#, FAILED));
        assert!(!subscribed("not json", SENT));
    }
}
