//! Per-Page pacing across processes: one row per Page holds the time of its next free send
//! slot. Reserving a slot is one upsert (`next = max(next, now) + interval`, returning the slot
//! taken), so any number of processes on one database share a Page's budget without a lock held
//! across a network call. A rate-limit answer (613) pushes the Page's next slot past the pause
//! for every process.

use super::Backend;
use sqlx::{AnyConnection, Row};

/// Takes the next slot of `pace_key` at `now` (Unix ms on the database's clock) for a send
/// `interval_ms` after the previous one; returns the slot's time.
pub async fn reserve(
    c: &mut AnyConnection,
    backend: Backend,
    pace_key: &str,
    now: i64,
    interval_ms: i64,
) -> Result<i64, sqlx::Error> {
    let greatest = match backend {
        Backend::Sqlite => "MAX",
        Backend::Postgres => "GREATEST",
    };
    let row = sqlx::query(&format!(
        "INSERT INTO page_pacing (pace_key, next_slot_ms, updated_at) VALUES ($1, $2 + $3, $2) \
         ON CONFLICT (pace_key) DO UPDATE SET \
         next_slot_ms = {greatest}(page_pacing.next_slot_ms, $2) + $3, updated_at = $2 \
         RETURNING next_slot_ms"
    ))
    .bind(pace_key)
    .bind(now)
    .bind(interval_ms)
    .fetch_one(&mut *c)
    .await?;
    Ok(row.try_get::<i64, _>("next_slot_ms")? - interval_ms)
}

/// Meta asked the Page to pause: no process takes a slot before `until`.
pub async fn pause(
    c: &mut AnyConnection,
    backend: Backend,
    pace_key: &str,
    until: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let greatest = match backend {
        Backend::Sqlite => "MAX",
        Backend::Postgres => "GREATEST",
    };
    sqlx::query(&format!(
        "INSERT INTO page_pacing (pace_key, next_slot_ms, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (pace_key) DO UPDATE SET \
         next_slot_ms = {greatest}(page_pacing.next_slot_ms, $2), updated_at = $3"
    ))
    .bind(pace_key)
    .bind(until)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Forgets Pages idle for a day (their next slot is long past).
pub async fn purge(c: &mut AnyConnection, now: i64) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM page_pacing WHERE next_slot_ms < $1 AND updated_at < $1")
            .bind(now - 24 * 3600 * 1000)
            .execute(&mut *c)
            .await?
            .rows_affected(),
    )
}

/// The Page id learnt for a `page_key` by any process.
pub async fn page_id(pool: &sqlx::AnyPool, page_key: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT page_id FROM page_ids WHERE page_key = $1")
        .bind(page_key)
        .fetch_optional(pool)
        .await?;
    row.map(|r| r.try_get("page_id")).transpose()
}

/// Records the Page id of a `page_key`.
pub async fn set_page_id(
    c: &mut AnyConnection,
    page_key: &str,
    page_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO page_ids (page_key, page_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (page_key) DO UPDATE SET page_id = excluded.page_id",
    )
    .bind(page_key)
    .bind(page_id)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(())
}
