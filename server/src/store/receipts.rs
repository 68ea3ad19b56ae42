//! Messenger's delivery and read receipts and WhatsApp's message statuses: each verified webhook
//! body is stored before Meta gets its 200 (`inbound_events`), then applied by a worker in a
//! transaction of its own. A `message_deliveries` item marks the notes named by
//! `delivery.mids`, and every earlier note of that Page and person up to `delivery.watermark`,
//! `delivered`; a `message_reads` item marks every note up to `read.watermark` `read` (and
//! `delivered`, if no receipt said so). A WhatsApp status names one message (`wamid`):
//! `delivered` marks it delivered, `read` read (and delivered first, if needed). Statuses only
//! move forward and only notes of the mode whose secret signed the event are touched, so
//! applying an event twice (Meta retries) changes nothing. An event naming a note whose answer
//! is still being recorded waits for a few passes.

use super::events;
use super::jobs::{self, JobView};
use serde_json::Value;
use sqlx::{AnyConnection, Row};

/// How long an event waits for notes of its recipient whose answer is still being recorded.
pub const DEFER_FOR_MS: i64 = 30_000;
/// Most `mids` read from one item (Meta lists the messages of one delivery, a handful).
const MAX_MIDS: usize = 1000;

/// Stores a verified body of `source` (`messenger`, `whatsapp`); the 200 follows the commit.
pub async fn insert(
    c: &mut AnyConnection,
    id: &str,
    source: &str,
    mode: &str,
    body: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO inbound_events (id, source, mode, body, received_at, attempts) \
         VALUES ($1, $5, $2, $3, $4, 0)",
    )
    .bind(id)
    .bind(mode)
    .bind(body)
    .bind(now)
    .bind(source)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// One receipt of a webhook body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    /// `message_deliveries`.
    Delivery {
        /// The Page (`recipient.id`).
        page_id: String,
        /// The person (`sender.id`).
        psid: String,
        /// `delivery.mids`.
        mids: Vec<String>,
        /// `delivery.watermark` (Unix ms).
        watermark: Option<i64>,
    },
    /// `message_reads`.
    Read {
        /// The Page.
        page_id: String,
        /// The person.
        psid: String,
        /// `read.watermark` (Unix ms).
        watermark: i64,
    },
    /// A WhatsApp message status, `delivered` or `read` (`sent` and `failed` are not applied).
    Status {
        /// The business number (`metadata.phone_number_id`).
        phone_number_id: String,
        /// The person (`recipient_id`, their `wa_id`).
        wa_id: String,
        /// The message (`id`, a `wamid.`).
        wamid: String,
        /// `read` rather than `delivered`.
        read: bool,
    },
}

/// An id of a webhook body: a number, or a non-empty string of at most `max` bytes.
fn short_id(v: Option<&Value>, max: usize) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() && s.len() <= max => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Longest Messenger id taken (PSIDs and Page ids are about 16 digits).
const MESSENGER_ID_MAX: usize = 64;
/// Longest WhatsApp id taken (a `wamid` is about 60 characters).
const WHATSAPP_ID_MAX: usize = 128;

/// `v.field.id` of a Messenger item (`sender`, `recipient`).
fn id_of(v: &Value, field: &str) -> Option<String> {
    short_id(v.get(field).and_then(|x| x.get("id")), MESSENGER_ID_MAX)
}

/// A WhatsApp id.
fn wa_id_of(v: Option<&Value>) -> Option<String> {
    short_id(v, WHATSAPP_ID_MAX)
}

/// The receipts of a body: Messenger's `{"object":"page","entry":[{"messaging":[…]}]}` or
/// WhatsApp's `{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{
/// "statuses":[…]}}]}]}`. Other objects and event kinds (messages, postbacks, echoes, incoming
/// WhatsApp messages) are ignored.
pub fn parse(body: &str) -> Vec<Receipt> {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return Vec::new();
    };
    match v.get("object").and_then(Value::as_str) {
        Some("page") => parse_messenger(&v),
        Some("whatsapp_business_account") => parse_whatsapp(&v),
        _ => Vec::new(),
    }
}

fn parse_whatsapp(v: &Value) -> Vec<Receipt> {
    let mut out = Vec::new();
    let entries = v.get("entry").and_then(Value::as_array);
    for entry in entries.into_iter().flatten() {
        let changes = entry.get("changes").and_then(Value::as_array);
        for value in changes.into_iter().flatten().filter_map(|c| c.get("value")) {
            let Some(phone_number_id) =
                wa_id_of(value.get("metadata").and_then(|m| m.get("phone_number_id")))
            else {
                continue;
            };
            let statuses = value.get("statuses").and_then(Value::as_array);
            for st in statuses.into_iter().flatten().take(MAX_MIDS) {
                let read = match st.get("status").and_then(Value::as_str) {
                    Some("delivered") => false,
                    Some("read") => true,
                    _ => continue,
                };
                let (Some(wamid), Some(wa_id)) =
                    (wa_id_of(st.get("id")), wa_id_of(st.get("recipient_id")))
                else {
                    continue;
                };
                out.push(Receipt::Status {
                    phone_number_id: phone_number_id.clone(),
                    wa_id,
                    wamid,
                    read,
                });
            }
        }
    }
    out
}

fn parse_messenger(v: &Value) -> Vec<Receipt> {
    let mut out = Vec::new();
    let entries = v.get("entry").and_then(Value::as_array);
    for entry in entries.into_iter().flatten() {
        let items = entry.get("messaging").and_then(Value::as_array);
        for item in items.into_iter().flatten() {
            let (Some(psid), Some(page_id)) = (id_of(item, "sender"), id_of(item, "recipient"))
            else {
                continue;
            };
            if let Some(d) = item.get("delivery") {
                let mids: Vec<String> = d
                    .get("mids")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m.as_str().map(str::to_owned))
                    .take(MAX_MIDS)
                    .collect();
                let watermark = d.get("watermark").and_then(Value::as_i64);
                if !mids.is_empty() || watermark.is_some() {
                    out.push(Receipt::Delivery {
                        page_id,
                        psid,
                        mids,
                        watermark,
                    });
                }
            } else if let Some(r) = item.get("read") {
                if let Some(watermark) = r.get("watermark").and_then(Value::as_i64) {
                    out.push(Receipt::Read {
                        page_id,
                        psid,
                        watermark,
                    });
                }
            }
        }
    }
    out
}

/// What applying receipts did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Bodies fully applied.
    pub events: u64,
    /// Bodies kept for another pass.
    pub deferred: u64,
    /// Notes moved to `delivered`.
    pub delivered: u64,
    /// Notes moved to `read`.
    pub read: u64,
    /// Of `delivered`, the WhatsApp notes.
    pub whatsapp_delivered: u64,
    /// Of `read`, the WhatsApp notes.
    pub whatsapp_read: u64,
    /// Webhook deliveries queued.
    pub deliveries: usize,
}

async fn changed(
    c: &mut AnyConnection,
    rows: Vec<sqlx::any::AnyRow>,
    event: &str,
    now: i64,
    out: &mut Applied,
) -> Result<u64, sqlx::Error> {
    let mut n = 0;
    for row in rows {
        let job: JobView = jobs::view(&row)?;
        out.deliveries += events::emit(c, &job, event, now).await?;
        n += 1;
    }
    Ok(n)
}

/// Whose notes a receipt is about: the mode whose secret signed it, the Page and the person.
struct Thread<'a> {
    mode: &'a str,
    page_id: &'a str,
    psid: &'a str,
}

/// `sent` -> `delivered` for the notes a receipt names.
async fn deliver(
    c: &mut AnyConnection,
    t: &Thread<'_>,
    mids: &[String],
    watermark: Option<i64>,
    now: i64,
    out: &mut Applied,
) -> Result<(), sqlx::Error> {
    let (mode, page_id, psid) = (t.mode, t.page_id, t.psid);
    let cols = jobs::VIEW_COLUMNS;
    for chunk in mids.chunks(100) {
        let list = (0..chunk.len())
            .map(|i| format!("${}", i + 4))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE jobs SET status = 'delivered', delivered_at = $1, updated_at = $1, \
             page_id = COALESCE(page_id, $3) WHERE mode = $2 AND status = 'sent' \
             AND message_id IN ({list}) RETURNING {cols}"
        );
        let mut q = sqlx::query(&sql).bind(now).bind(mode).bind(page_id);
        for m in chunk {
            q = q.bind(m);
        }
        let rows = q.fetch_all(&mut *c).await?;
        out.delivered += changed(c, rows, events::DELIVERED, now, out).await?;
    }
    if let Some(w) = watermark {
        let rows = sqlx::query(&format!(
            "UPDATE jobs SET status = 'delivered', delivered_at = $1, updated_at = $1 \
             WHERE mode = $2 AND page_id = $3 AND recipient = $4 AND status = 'sent' \
             AND written_at <= $5 RETURNING {cols}"
        ))
        .bind(now)
        .bind(mode)
        .bind(page_id)
        .bind(psid)
        .bind(w)
        .fetch_all(&mut *c)
        .await?;
        out.delivered += changed(c, rows, events::DELIVERED, now, out).await?;
    }
    Ok(())
}

/// `sent`/`delivered` -> `read` up to a watermark (a skipped `delivered` is recorded first).
async fn read(
    c: &mut AnyConnection,
    t: &Thread<'_>,
    watermark: i64,
    now: i64,
    out: &mut Applied,
) -> Result<(), sqlx::Error> {
    deliver(c, t, &[], Some(watermark), now, out).await?;
    let (mode, page_id, psid) = (t.mode, t.page_id, t.psid);
    let rows = sqlx::query(&format!(
        "UPDATE jobs SET status = 'read', read_at = $1, updated_at = $1 \
         WHERE mode = $2 AND page_id = $3 AND recipient = $4 AND status = 'delivered' \
         AND written_at <= $5 RETURNING {}",
        jobs::VIEW_COLUMNS
    ))
    .bind(now)
    .bind(mode)
    .bind(page_id)
    .bind(psid)
    .bind(watermark)
    .fetch_all(&mut *c)
    .await?;
    out.read += changed(c, rows, events::READ, now, out).await?;
    Ok(())
}

/// `delivered` -> `read` for the notes `mids` names (after [`deliver`] moved them from `sent`).
async fn read_named(
    c: &mut AnyConnection,
    mode: &str,
    mids: &[String],
    now: i64,
    out: &mut Applied,
) -> Result<(), sqlx::Error> {
    for chunk in mids.chunks(100) {
        let list = (0..chunk.len())
            .map(|i| format!("${}", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE jobs SET status = 'read', read_at = $1, updated_at = $1 \
             WHERE mode = $2 AND status = 'delivered' AND message_id IN ({list}) RETURNING {}",
            jobs::VIEW_COLUMNS
        );
        let mut q = sqlx::query(&sql).bind(now).bind(mode);
        for m in chunk {
            q = q.bind(m);
        }
        let rows = q.fetch_all(&mut *c).await?;
        out.read += changed(c, rows, events::READ, now, out).await?;
    }
    Ok(())
}

/// Whether a note of this platform (and mode) is past its point of no return but its answer
/// is not recorded yet: a status naming its `wamid` could arrive before the id is known (a
/// WhatsApp status does not say which of the person's numbers the note was addressed to).
async fn in_flight_on(
    c: &mut AnyConnection,
    mode: &str,
    platform: &str,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM jobs WHERE mode = $1 AND platform = $2 \
         AND status = 'sending' AND phase = 'request_written'",
    )
    .bind(mode)
    .bind(platform)
    .fetch_one(&mut *c)
    .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Whether a note of this person (and mode) is past its point of no return but its answer is
/// not recorded yet: a receipt naming it could arrive before its `message_id` is known.
async fn in_flight(
    c: &mut AnyConnection,
    mode: &str,
    psid: &str,
    watermark: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM jobs WHERE mode = $1 AND recipient = $2 \
         AND status = 'sending' AND phase = 'request_written' AND written_at <= $3",
    )
    .bind(mode)
    .bind(psid)
    .bind(watermark.unwrap_or(i64::MAX))
    .fetch_one(&mut *c)
    .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Whether a note of this mode has `message_id` (a status about a note already past it changes
/// nothing, and need not wait).
async fn known(c: &mut AnyConnection, mode: &str, message_id: &str) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM jobs WHERE mode = $1 AND message_id = $2")
        .bind(mode)
        .bind(message_id)
        .fetch_one(&mut *c)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Applies up to `limit` stored bodies (oldest first; with PostgreSQL, rows another process is
/// applying are skipped).
pub async fn apply_pending(
    c: &mut AnyConnection,
    skip_locked: &str,
    now: i64,
    limit: i64,
) -> Result<Applied, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT id, mode, body, received_at FROM inbound_events WHERE processed_at IS NULL \
         ORDER BY received_at, id LIMIT $1{skip_locked}"
    ))
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    let mut out = Applied::default();
    for row in rows {
        let id: String = row.try_get("id")?;
        let mode: String = row.try_get("mode")?;
        let body: String = row.try_get("body")?;
        let received_at: i64 = row.try_get("received_at")?;
        let mut wait = false;
        for r in parse(&body) {
            match r {
                Receipt::Delivery {
                    page_id,
                    psid,
                    mids,
                    watermark,
                } => {
                    let before = out.delivered;
                    let t = Thread {
                        mode: &mode,
                        page_id: &page_id,
                        psid: &psid,
                    };
                    deliver(c, &t, &mids, watermark, now, &mut out).await?;
                    let all_found = (out.delivered - before) as usize >= mids.len();
                    if !all_found || watermark.is_some() {
                        wait |= in_flight(c, &mode, &psid, watermark).await?;
                    }
                }
                Receipt::Read {
                    page_id,
                    psid,
                    watermark,
                } => {
                    let t = Thread {
                        mode: &mode,
                        page_id: &page_id,
                        psid: &psid,
                    };
                    read(c, &t, watermark, now, &mut out).await?;
                    wait |= in_flight(c, &mode, &psid, Some(watermark)).await?;
                }
                Receipt::Status {
                    phone_number_id,
                    wa_id,
                    wamid,
                    read,
                } => {
                    let (delivered_before, read_before) = (out.delivered, out.read);
                    let t = Thread {
                        mode: &mode,
                        page_id: &phone_number_id,
                        psid: &wa_id,
                    };
                    let named = std::slice::from_ref(&wamid);
                    deliver(c, &t, named, None, now, &mut out).await?;
                    if read {
                        read_named(c, &mode, named, now, &mut out).await?;
                    }
                    out.whatsapp_delivered += out.delivered - delivered_before;
                    out.whatsapp_read += out.read - read_before;
                    let moved = out.delivered > delivered_before || out.read > read_before;
                    if !moved && !known(c, &mode, &wamid).await? {
                        wait |= in_flight_on(c, &mode, "whatsapp").await?;
                    }
                }
            }
        }
        if wait && now - received_at < DEFER_FOR_MS {
            sqlx::query("UPDATE inbound_events SET attempts = attempts + 1 WHERE id = $1")
                .bind(&id)
                .execute(&mut *c)
                .await?;
            out.deferred += 1;
        } else {
            sqlx::query("UPDATE inbound_events SET processed_at = $2 WHERE id = $1")
                .bind(&id)
                .bind(now)
                .execute(&mut *c)
                .await?;
            out.events += 1;
        }
    }
    Ok(out)
}

/// Forgets applied bodies older than `before` (Unix ms).
pub async fn purge(c: &mut AnyConnection, before: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "DELETE FROM inbound_events WHERE processed_at IS NOT NULL AND processed_at < $1",
    )
    .bind(before)
    .execute(&mut *c)
    .await?
    .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_meta_payloads() {
        let body = r#"{"object":"page","entry":[{"id":"104","time":1,"messaging":[
            {"sender":{"id":"612"},"recipient":{"id":"104"},"delivery":{"mids":["m_a","m_b"],"watermark":1458668856253}},
            {"sender":{"id":"612"},"recipient":{"id":"104"},"timestamp":2,"read":{"watermark":1458668856300}},
            {"sender":{"id":"612"},"recipient":{"id":"104"},"delivery":{"watermark":5}},
            {"sender":{"id":"612"},"recipient":{"id":"104"},"message":{"mid":"m_x","text":"hi"}}
        ]}]}"#;
        let r = parse(body);
        assert_eq!(r.len(), 3);
        assert_eq!(
            r[0],
            Receipt::Delivery {
                page_id: "104".into(),
                psid: "612".into(),
                mids: vec!["m_a".into(), "m_b".into()],
                watermark: Some(1458668856253)
            }
        );
        assert!(matches!(
            &r[1],
            Receipt::Read {
                watermark: 1458668856300,
                ..
            }
        ));
        assert!(
            matches!(&r[2], Receipt::Delivery { mids, watermark: Some(5), .. } if mids.is_empty())
        );
        assert!(parse(r#"{"object":"instagram","entry":[]}"#).is_empty());
        assert!(parse(r#"{"object":"whatsapp_business_account","entry":[]}"#).is_empty());
        assert!(parse("not json").is_empty());
    }

    #[test]
    fn parses_whatsapp_statuses() {
        // The shape of Meta's WhatsApp Cloud API status webhooks (sent, delivered, read,
        // failed) beside an incoming message, which is not a receipt.
        let body = r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[
            {"field":"messages","value":{"messaging_product":"whatsapp",
              "metadata":{"display_phone_number":"15550100000","phone_number_id":"106540352242922"},
              "statuses":[
                {"id":"wamid.A","status":"sent","timestamp":"1700000000","recipient_id":"16505550101"},
                {"id":"wamid.A","status":"delivered","timestamp":"1700000001","recipient_id":"16505550101"},
                {"id":"wamid.B","status":"read","timestamp":"1700000002","recipient_id":"16505550101"},
                {"id":"wamid.C","status":"failed","timestamp":"1700000003","recipient_id":"16505550101",
                 "errors":[{"code":131053,"title":"Media upload error"}]},
                {"status":"read","recipient_id":"16505550101"}
              ]}},
            {"field":"messages","value":{"messaging_product":"whatsapp",
              "metadata":{"phone_number_id":"106540352242922"},
              "messages":[{"from":"16505550101","id":"wamid.IN","type":"text","text":{"body":"hi"}}]}}
        ]}]}"#;
        let status = |wamid: &str, read| Receipt::Status {
            phone_number_id: "106540352242922".into(),
            wa_id: "16505550101".into(),
            wamid: wamid.into(),
            read,
        };
        assert_eq!(
            parse(body),
            [status("wamid.A", false), status("wamid.B", true)]
        );
        // A Messenger-shaped body is not read as WhatsApp's, nor the other way round.
        assert!(parse(&body.replace("whatsapp_business_account", "page")).is_empty());
    }
}
