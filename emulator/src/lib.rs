//! A behavioural emulator of the messaging APIs Svara sends voice notes through, on one port:
//! Meta's Graph Send API for Messenger bots (voice notes and any audio, text, images, video,
//! files, templates, sender actions, attachment uploads, profile reads), Instagram's messaging
//! API (`instagram/`), the WhatsApp Cloud API (`whatsapp/`) and the Telegram Bot API's
//! `sendVoice` (`telegram/`). Each checks what the real API checks (token, parameters,
//! recipient, window, file type and size, the audio itself, rate limits) and fails the way it
//! fails, in that API's own error shape, so bots and SDKs can be tested over real HTTP without
//! an account anywhere. Every accepted send is recorded with its platform.
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
//! Request flow (Messenger): connection (limits, timeouts) -> route and version -> faults ->
//! body (multipart, JSON or form, bounded) -> token and proof -> parameters -> rate limit ->
//! person and window -> media (file | url | attachment id) -> store -> answer -> (with
//! `webhooks`) the signed `message_deliveries` / `message_reads` events Meta would post. The
//! other platforms' folders run the same shape with their own rules.

mod auth;
mod config;
mod defaults;
mod duration;
mod faults;
mod fetch;
mod graph_error;
mod graph_json;
mod ids;
pub mod instagram;
mod media_check;
mod message;
mod people;
mod rate_limit;
mod request;
mod routes;
mod server;
mod state;
mod store;
pub mod telegram;
mod templates;
mod validate;
mod versions;
mod webhooks;
pub mod whatsapp;

pub use auth::appsecret_proof;
pub use config::*;
pub use defaults::{well_known, PlatformDefaults, WellKnown};
pub use duration::HumanDuration;
pub use faults::{FaultKind, FaultRule};
pub use message::{MessageKind, MAX_QUICK_REPLIES, MAX_TEXT_CHARS};
pub use rate_limit::BUC_HEADER;
pub use server::{Emulator, EmulatorError};
pub use store::{Attachment, AudioOrigin, Delivery, RecipientLog, Snapshot};
pub use versions::{NEWEST as NEWEST_GRAPH_VERSION, VERSION_HEADER};
pub use webhooks::{hub_signature, WebhookConfig, WebhookPost, WHATSAPP_BUSINESS_ACCOUNT_ID};
