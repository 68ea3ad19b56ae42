//! The `uploads` table: audio received by `POST /v1/audio`, kept until it expires and no
//! queued job needs it any more. With SQLite the bytes live in a file beside the database; with
//! PostgreSQL in the row (`data`), since the process that sends may not be the one that
//! received the upload.

use sqlx::{AnyConnection, AnyPool, Row};

/// An upload as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// `aud_…`.
    pub id: String,
    /// The key that uploaded it.
    pub key_id: String,
    /// Its size.
    pub size_bytes: i64,
    /// Hex SHA-256 of the bytes (the de-duplication key of conversions and uploads to Meta).
    pub sha256: String,
    /// The probe (JSON).
    pub probe: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub expires_at: i64,
}

/// Records an upload: its file is in place (SQLite), or its bytes are `data` (PostgreSQL).
pub async fn insert(
    c: &mut AnyConnection,
    u: &Upload,
    data: Option<&[u8]>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO uploads (id, key_id, size_bytes, sha256, probe, created_at, expires_at, \
         data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&u.id)
    .bind(&u.key_id)
    .bind(u.size_bytes)
    .bind(&u.sha256)
    .bind(&u.probe)
    .bind(u.created_at)
    .bind(u.expires_at)
    .bind(data)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// One upload (of any key: callers check the owner).
pub async fn get(pool: &AnyPool, id: &str) -> Result<Option<Upload>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, key_id, size_bytes, sha256, probe, created_at, expires_at FROM uploads \
         WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(Upload {
            id: r.try_get("id")?,
            key_id: r.try_get("key_id")?,
            size_bytes: r.try_get("size_bytes")?,
            sha256: r.try_get("sha256")?,
            probe: r.try_get("probe")?,
            created_at: r.try_get("created_at")?,
            expires_at: r.try_get("expires_at")?,
        })
    })
    .transpose()
}

/// The bytes of an upload kept in the database (None when they are a file, or it is gone).
pub async fn data(pool: &AnyPool, id: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let row = sqlx::query("SELECT data FROM uploads WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.try_get("data")).transpose()?.flatten())
}

/// Deletes expired uploads that no queued or sending job refers to; returns their ids (the
/// caller removes the files).
pub async fn delete_expired(c: &mut AnyConnection, now: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query(
        "DELETE FROM uploads WHERE expires_at < $1 AND NOT EXISTS (SELECT 1 FROM jobs \
         WHERE jobs.audio_id = uploads.id AND jobs.status IN ('queued', 'sending')) RETURNING id",
    )
    .bind(now)
    .fetch_all(&mut *c)
    .await?;
    rows.iter().map(|r| r.try_get::<String, _>("id")).collect()
}

/// Total bytes of one key's uploads still kept (for its quota).
pub async fn total_bytes(pool: &AnyPool, key_id: &str) -> Result<i64, sqlx::Error> {
    let row =
        // PostgreSQL sums a BIGINT as NUMERIC: cast back.
        sqlx::query(
            "SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) AS n FROM uploads WHERE key_id = $1",
        )
            .bind(key_id)
            .fetch_one(pool)
            .await?;
    row.try_get("n")
}
