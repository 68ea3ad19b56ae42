-- The queue of `svara serve` on PostgreSQL: the statements of sqlite/0001_queue.sql with BIGINT
-- for INTEGER (Unix milliseconds for times) and BYTEA for BLOB. The job row is the queue entry:
-- committed before the 202, never pushed elsewhere.

-- Settings of this database (the fingerprint of the key that seals tokens).
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- API keys, by SHA-256 only; the key itself is shown once and never stored.
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,                 -- key_<16 hex digits of the hash>
    hash BYTEA NOT NULL UNIQUE,
    mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    display TEXT NOT NULL,               -- sk_test_AbCd… (prefix and 4 characters)
    origin TEXT NOT NULL CHECK (origin IN ('generated', 'configured')),
    created_at BIGINT NOT NULL
);

-- One voice note. status: queued -> sending -> sent | failed. While sending, phase says how far
-- it got: 'claimed' (nothing written to Meta yet: safe to redo) or 'request_written' (the point
-- of no return: never sent again).
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,                 -- msg_<time-sortable>
    key_id TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    platform TEXT NOT NULL,
    recipient TEXT NOT NULL,
    page_key TEXT NOT NULL,              -- keyed hash of token + target: pacing and de-duplication
    audio_id TEXT,                       -- an upload of POST /v1/audio, kept while the job needs it
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    phase TEXT CHECK (phase IN ('claimed', 'request_written')),
    attempts BIGINT NOT NULL DEFAULT 0,
    run_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_expires_at BIGINT,
    request TEXT NOT NULL,               -- the validated body without its secrets (JSON)
    secrets BYTEA,                        -- sealed {token, app secret, audio_url}; NULL once ended
    message_id TEXT,
    attachment_id TEXT,
    audio TEXT,                          -- {codec, duration_ms, size_bytes, converted} (JSON)
    error TEXT,                          -- svara's error wire shape (JSON)
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX jobs_claim ON jobs (status, run_at, id);
CREATE INDEX jobs_by_key ON jobs (key_id, created_at, id);
CREATE INDEX jobs_by_audio ON jobs (audio_id) WHERE audio_id IS NOT NULL;

-- Idempotency-Key (Stripe's semantics): the first answer, replayed for the same request.
CREATE TABLE idempotency_keys (
    key_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash BYTEA NOT NULL,
    status_code BIGINT NOT NULL,
    response TEXT NOT NULL,
    job_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (key_id, idem_key)
);
CREATE INDEX idempotency_expiry ON idempotency_keys (expires_at);

-- Uploads of POST /v1/audio (the bytes are a file in uploads/ beside the database).
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,                 -- aud_<time-sortable>
    key_id TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    probe TEXT NOT NULL,                 -- the audio engine's probe (JSON)
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX uploads_expiry ON uploads (expires_at);
