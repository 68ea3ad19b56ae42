//! A behavioural emulator of Meta's Graph Send API for Messenger voice notes: it checks what
//! the real Send API checks (token, appsecret_proof, PSID, 24-hour window, tags, file type,
//! size, rate limit) and fails the way it fails, in Meta's JSON error shape, so bots and SDKs
//! can be tested over real HTTP without a Meta account.
//!
//! ```no_run
//! # async fn demo() -> Result<(), svara_emulator::EmulatorError> {
//! use svara_emulator::{Emulator, EmulatorConfig, DEFAULT_PAGE_TOKEN, DEFAULT_PSID};
//! let emulator = Emulator::start(EmulatorConfig::default()).await?;
//! // Point the client at emulator.base_url() with DEFAULT_PAGE_TOKEN, send to DEFAULT_PSID...
//! let received = emulator.snapshot();
//! println!("{} voice notes for {DEFAULT_PSID}", received.messages_for(DEFAULT_PSID).len());
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Request flow: connection -> faults -> body (multipart, JSON or form) -> attempt counted -> token and
//! proof -> rate limit -> envelope rules -> audio (file | url | attachment id) -> store -> answer.

mod audio_check;
mod auth;
mod config;
mod defaults;
mod duration;
mod faults;
mod fetch;
mod graph_error;
mod ids;
mod people;
mod rate_limit;
mod request;
mod routes;
mod server;
mod state;
mod store;
mod validate;

pub use auth::appsecret_proof;
pub use config::*;
pub use defaults::{well_known, WellKnown};
pub use duration::HumanDuration;
pub use faults::{FaultKind, FaultRule};
pub use rate_limit::BUC_HEADER;
pub use server::{Emulator, EmulatorError};
pub use store::{Attachment, AudioOrigin, Delivery, RecipientLog, Snapshot};
