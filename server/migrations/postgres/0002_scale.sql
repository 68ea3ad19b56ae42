-- Issue 15: several processes on one database, receipts and signed webhooks. The statements of
-- sqlite/0002_scale.sql with BIGINT and BYTEA; PostgreSQL changes the status CHECK in place
-- (SQLite rebuilds the table).

ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
    CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed'));
ALTER TABLE jobs ADD COLUMN page_id TEXT;            -- the platform's id of the sending Page, once known
ALTER TABLE jobs ADD COLUMN written_at BIGINT;       -- when the point of no return was committed
ALTER TABLE jobs ADD COLUMN delivered_at BIGINT;
ALTER TABLE jobs ADD COLUMN read_at BIGINT;
ALTER TABLE jobs ADD COLUMN webhook_url BYTEA;       -- the per-request webhook_url, sealed
CREATE INDEX jobs_by_message ON jobs (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX jobs_by_thread ON jobs (page_id, recipient, written_at) WHERE page_id IS NOT NULL;
CREATE INDEX jobs_leases ON jobs (lease_owner) WHERE lease_owner IS NOT NULL;

-- At most one generated test key per database, even when several processes start at once.
CREATE UNIQUE INDEX api_keys_one_generated ON api_keys (origin) WHERE origin = 'generated';

-- Upload bytes kept in the database (PostgreSQL: every process must see them); NULL when the
-- bytes are a file beside the database (SQLite).
ALTER TABLE uploads ADD COLUMN data BYTEA;

-- Per-Page pacing across processes: each send reserves the next slot of its Page.
CREATE TABLE page_pacing (
    pace_key TEXT PRIMARY KEY,           -- platform:page id (or a keyed hash of the token)
    next_slot_ms BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The Page behind a token (and target): learnt once, shared by every process.
CREATE TABLE page_ids (
    page_key TEXT PRIMARY KEY,
    page_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Webhook endpoints of an API key. The secret is sealed; during a rotation the previous ones
-- (sealed JSON [{secret, expires_at}]) still sign for a day.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,                 -- we_<time-sortable>
    key_id TEXT NOT NULL,
    url TEXT NOT NULL,                   -- scheme://host/path: the URL without its query
    url_sealed BYTEA NOT NULL,             -- the whole URL, sealed (its query may hold a token)
    events TEXT NOT NULL,                -- JSON array of event types
    description TEXT,
    secret BYTEA NOT NULL,
    old_secrets BYTEA,
    created_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX webhook_endpoints_by_key ON webhook_endpoints (key_id, created_at);

-- Events of a note's life, frozen when its status changed (in the same transaction).
CREATE TABLE events (
    id TEXT PRIMARY KEY,                 -- evt_<time-sortable>
    key_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    type TEXT NOT NULL,
    seq BIGINT NOT NULL,                -- 1, 2, ... in the order of the note's life
    body TEXT NOT NULL,                  -- the exact bytes every delivery sends
    created_at BIGINT NOT NULL,
    UNIQUE (job_id, seq)
);

-- One row per (event, destination): an endpoint, or the note's own webhook_url.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,                 -- whd_<time-sortable>
    event_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    key_id TEXT NOT NULL,
    endpoint_id TEXT,                    -- NULL: the note's webhook_url
    target TEXT NOT NULL,                -- endpoint id or 'request': order is kept per (target, job)
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_expires_at BIGINT,
    last_status_code BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (target, job_id, seq);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at, id);

-- Every HTTP attempt of a delivery (after Svix's messageattempt).
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL,
    n BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    status_code BIGINT,
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
    received_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,     -- passes that found a note of it still being sent
    processed_at BIGINT
);
CREATE INDEX inbound_events_pending ON inbound_events (received_at) WHERE processed_at IS NULL;
