-- Issue 15: several processes on one database, receipts and signed webhooks. The same statements
-- as postgres/0002_scale.sql but for SQLite's types; SQLite cannot change a CHECK constraint, so
-- `jobs` is rebuilt (the statuses gain 'delivered' and 'read').

CREATE TABLE jobs_v2 (
    id TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    platform TEXT NOT NULL,
    recipient TEXT NOT NULL,
    page_key TEXT NOT NULL,
    audio_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed')),
    phase TEXT CHECK (phase IN ('claimed', 'request_written')),
    attempts INTEGER NOT NULL DEFAULT 0,
    run_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    request TEXT NOT NULL,
    secrets BLOB,
    message_id TEXT,
    attachment_id TEXT,
    audio TEXT,
    error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    sent_at INTEGER,
    page_id TEXT,                        -- the platform's id of the sending Page, once known
    written_at INTEGER,                  -- when the point of no return was committed
    delivered_at INTEGER,
    read_at INTEGER,
    webhook_url BLOB                     -- the per-request webhook_url, sealed (it may carry a token)
);
INSERT INTO jobs_v2 (id, key_id, mode, platform, recipient, page_key, audio_id, status, phase,
    attempts, run_at, lease_owner, lease_expires_at, request, secrets, message_id, attachment_id,
    audio, error, created_at, updated_at, sent_at)
SELECT id, key_id, mode, platform, recipient, page_key, audio_id, status, phase, attempts, run_at,
    lease_owner, lease_expires_at, request, secrets, message_id, attachment_id, audio, error,
    created_at, updated_at, sent_at FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_v2 RENAME TO jobs;
CREATE INDEX jobs_claim ON jobs (status, run_at, id);
CREATE INDEX jobs_by_key ON jobs (key_id, created_at, id);
CREATE INDEX jobs_by_audio ON jobs (audio_id) WHERE audio_id IS NOT NULL;
CREATE INDEX jobs_by_message ON jobs (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX jobs_by_thread ON jobs (page_id, recipient, written_at) WHERE page_id IS NOT NULL;
CREATE INDEX jobs_leases ON jobs (lease_owner) WHERE lease_owner IS NOT NULL;

-- At most one generated test key per database, even when several processes start at once.
CREATE UNIQUE INDEX api_keys_one_generated ON api_keys (origin) WHERE origin = 'generated';

-- Upload bytes kept in the database (PostgreSQL: every process must see them); NULL when the
-- bytes are a file beside the database (SQLite).
ALTER TABLE uploads ADD COLUMN data BLOB;

-- Per-Page pacing across processes: each send reserves the next slot of its Page.
CREATE TABLE page_pacing (
    pace_key TEXT PRIMARY KEY,           -- platform:page id (or a keyed hash of the token)
    next_slot_ms INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The Page behind a token (and target): learnt once, shared by every process.
CREATE TABLE page_ids (
    page_key TEXT PRIMARY KEY,
    page_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Webhook endpoints of an API key. The secret is sealed; during a rotation the previous ones
-- (sealed JSON [{secret, expires_at}]) still sign for a day.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,                 -- we_<time-sortable>
    key_id TEXT NOT NULL,
    url TEXT NOT NULL,                   -- scheme://host/path: the URL without its query
    url_sealed BLOB NOT NULL,             -- the whole URL, sealed (its query may hold a token)
    events TEXT NOT NULL,                -- JSON array of event types
    description TEXT,
    secret BLOB NOT NULL,
    old_secrets BLOB,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
);
CREATE INDEX webhook_endpoints_by_key ON webhook_endpoints (key_id, created_at);

-- Events of a note's life, frozen when its status changed (in the same transaction).
CREATE TABLE events (
    id TEXT PRIMARY KEY,                 -- evt_<time-sortable>
    key_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    type TEXT NOT NULL,
    seq INTEGER NOT NULL,                -- 1, 2, ... in the order of the note's life
    body TEXT NOT NULL,                  -- the exact bytes every delivery sends
    created_at INTEGER NOT NULL,
    UNIQUE (job_id, seq)
);

-- One row per (event, destination): an endpoint, or the note's own webhook_url.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,                 -- whd_<time-sortable>
    event_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    endpoint_id TEXT,                    -- NULL: the note's webhook_url
    target TEXT NOT NULL,                -- endpoint id or 'request': order is kept per (target, job)
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    last_status_code INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (target, job_id, seq);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at, id);

-- Every HTTP attempt of a delivery (after Svix's messageattempt).
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    status_code INTEGER,
    error TEXT,
    response TEXT,                       -- the first 4 KiB of the answer's body
    PRIMARY KEY (delivery_id, n)
);

-- Messenger webhook events, stored verified before the 200 and applied by a worker.
CREATE TABLE inbound_events (
    id TEXT PRIMARY KEY,                 -- in_<time-sortable>
    source TEXT NOT NULL,                -- 'messenger'
    mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    body TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,     -- passes that found a note of it still being sent
    processed_at INTEGER
);
CREATE INDEX inbound_events_pending ON inbound_events (received_at) WHERE processed_at IS NULL;
