//! The Svara API server (`svara serve`): the documented `POST /v1/send`, self-hosted, over a
//! durable queue, so a bot in any language (or one service for many bots) can send voice notes.
//!
//! Data flow: route ([`api`]: validate without the network) -> store ([`store`]: the job row is
//! the queue entry, committed before the 202) -> worker ([`worker`]: lease, one fetch,
//! conversion and upload per distinct audio per Page, the point of no return, the core client)
//! -> status ([`api::status`]). Webhooks and PostgreSQL come next (issue 15): the store is one
//! query layer with portable SQL, so a second backend is a migrations folder and a few branches.

pub mod api;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod error;
pub mod ids;
pub mod keys;
pub mod model;
pub mod openapi;
pub mod ratelimit;
pub mod serve;
pub mod ssrf;
pub mod state;
pub mod store;
pub mod worker;

pub use config::{
    test_mode_emulator, Limits, Secret, ServerConfig, WorkerSettings, DEFAULT_DATABASE_URL,
};
pub use keys::{KeySetup, Mode};
pub use openapi::openapi_json;
pub use serve::{start, RunningServer, StartError};
pub use ssrf::UrlPolicy;
pub use worker::media::MediaStats;
