//! The `api_keys` table: hashes, modes and display prefixes, never the keys themselves.

use sqlx::{AnyConnection, AnyPool, Row};

/// A key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// `key_…`.
    pub id: String,
    /// SHA-256 of the key.
    pub hash: Vec<u8>,
    /// `test` or `live`.
    pub mode: String,
    /// `sk_test_AbCd…`.
    pub display: String,
    /// Unix ms.
    pub created_at: i64,
}

/// Inserts a key unless its hash is already there (configured keys are registered on every
/// start; their id stays the same, so their messages stay theirs). A generated key is only
/// inserted when the database has none (a unique index holds even when several processes start
/// at once): true when this call inserted it.
pub async fn upsert(
    c: &mut AnyConnection,
    key: &StoredKey,
    origin: &'static str,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "INSERT INTO api_keys (id, hash, mode, display, origin, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(&key.id)
    .bind(&key.hash)
    .bind(&key.mode)
    .bind(&key.display)
    .bind(origin)
    .bind(key.created_at)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The keys the server generated itself (used when none is configured).
pub async fn generated(pool: &AnyPool) -> Result<Vec<StoredKey>, sqlx::Error> {
    sqlx::query(
        "SELECT id, hash, mode, display, created_at FROM api_keys WHERE origin = 'generated' \
         ORDER BY created_at",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(StoredKey {
            id: r.try_get("id")?,
            hash: r.try_get("hash")?,
            mode: r.try_get("mode")?,
            display: r.try_get("display")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .collect()
}
