//! The Svara API server (`svara serve`): the documented `POST /v1/send`, self-hosted, over a
//! durable queue, so a bot in any language (or one service for many bots) can send voice notes.
//!
//! Data flow: route ([`api`]: validate without the network) -> store ([`store`]: the job row is
//! the queue entry, committed before the 202; SQLite for one process, PostgreSQL for many) ->
//! worker ([`worker`]: lease, one fetch, conversion and upload per distinct audio per Page, the
//! Page's pacing slot and the point of no return, the core client) -> status ([`api::status`])
//! -> webhook ([`webhooks_out`]: the status change's event, signed, delivered at least once).
//! Messenger's delivery and read receipts come back in through [`webhooks_in`] and move the
//! status on, with their own events.

pub mod api;
pub mod background;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod error;
pub mod ids;
pub mod keys;
pub mod metrics;
pub mod model;
pub mod openapi;
pub mod ratelimit;
pub mod serve;
pub mod ssrf;
pub mod state;
pub mod store;
pub mod webhooks_in;
pub mod webhooks_out;
pub mod worker;

pub use config::{
    test_mode_emulator, Backend, Limits, MetaWebhookSettings, Secret, ServerConfig, TestReceipts,
    WebhookSettings, WorkerSettings, DEFAULT_DATABASE_URL, DEFAULT_DATA_DIR,
    DEFAULT_SENDS_PER_SECOND,
};
pub use keys::{KeySetup, Mode};
pub use openapi::openapi_json;
pub use serve::{start, RunningServer, StartError};
pub use ssrf::UrlPolicy;
pub use worker::media::MediaStats;
