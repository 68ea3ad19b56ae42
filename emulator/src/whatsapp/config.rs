//! The WhatsApp business phone numbers the emulator knows: their ids, tokens and the people
//! (WhatsApp ids) who wrote to them, plus the throughput limits.

use crate::config::{PsidConfig, PsidStatus, Secret};
use crate::duration::HumanDuration;
use serde::{Deserialize, Serialize};

/// The default business phone number's id (`phone_number_id`).
pub const DEFAULT_PHONE_NUMBER_ID: &str = "106540352242922";
/// Its number as people see it.
pub const DEFAULT_DISPLAY_PHONE_NUMBER: &str = "+1 555-010-0000";
/// A valid access token of the default number.
pub const DEFAULT_WHATSAPP_TOKEN: &str = "EAASvaraEmulatorWhatsAppToken0Default";
/// An expired token (190/463).
pub const EXPIRED_WHATSAPP_TOKEN: &str = "EAASvaraEmulatorWhatsAppToken0Expired";
/// A person who wrote 5 minutes before start (inside the 24-hour window).
pub const DEFAULT_WA_ID: &str = "16505550101";
/// A second person inside the window.
pub const WA_ID_SECOND: &str = "16505550102";
/// Last wrote 26 hours before start: 131047.
pub const WA_ID_OUTSIDE_WINDOW: &str = "16505550103";
/// Blocked by the business: 130403.
pub const WA_ID_BLOCKED: &str = "16505550104";
/// Not a WhatsApp number: 131026.
pub const WA_ID_UNKNOWN: &str = "16505550999";

/// A business phone number of the WhatsApp Cloud API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WhatsappNumberConfig {
    /// The id the API takes (`/{phone_number_id}/media`, `/messages`).
    pub phone_number_id: String,
    /// The number itself, as shown (`+1 555-010-0000`); its digits are the sender's `wa_id`.
    pub display_phone_number: String,
    /// Valid access tokens.
    pub tokens: Vec<Secret>,
    /// Expired ones (190/463).
    pub expired_tokens: Vec<Secret>,
    /// The people who wrote to the number: `id` is their `wa_id` (digits of their number);
    /// `blocked` means the business blocked them (130403), `unavailable` that the number
    /// cannot receive (131026); `page_id` is ignored.
    pub contacts: Vec<PsidConfig>,
}

impl WhatsappNumberConfig {
    /// The number's own `wa_id` (the digits of `display_phone_number`).
    pub(crate) fn own_wa_id(&self) -> String {
        self.display_phone_number
            .chars()
            .filter(char::is_ascii_digit)
            .collect()
    }
}

/// WhatsApp's part of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WhatsappConfig {
    /// The business phone numbers.
    pub numbers: Vec<WhatsappNumberConfig>,
    /// Messages per second per number before 130429 (W-TP: 80); 0 disables it.
    pub messages_per_second: u32,
    /// Messages to one person in a burst before 131056 (W-ABOUT: up to 45 in 6 s); 0 disables.
    pub pair_burst: u32,
    /// The pair rate's refill: one message per this interval to the same person (W-ABOUT: 6 s).
    pub pair_interval: HumanDuration,
    /// The largest media upload (W-MEDIA: 16 MB for audio).
    pub max_media_bytes: u64,
}

impl Default for WhatsappConfig {
    fn default() -> Self {
        let person = PsidConfig::active;
        WhatsappConfig {
            numbers: vec![WhatsappNumberConfig {
                phone_number_id: DEFAULT_PHONE_NUMBER_ID.to_owned(),
                display_phone_number: DEFAULT_DISPLAY_PHONE_NUMBER.to_owned(),
                tokens: vec![DEFAULT_WHATSAPP_TOKEN.into()],
                expired_tokens: vec![EXPIRED_WHATSAPP_TOKEN.into()],
                contacts: vec![
                    person(DEFAULT_WA_ID),
                    person(WA_ID_SECOND),
                    person(WA_ID_OUTSIDE_WINDOW).last_message_ago(HumanDuration::hours(26)),
                    person(WA_ID_BLOCKED).status(PsidStatus::Blocked),
                ],
            }],
            messages_per_second: 80,
            pair_burst: 45,
            pair_interval: HumanDuration::secs(6),
            max_media_bytes: 16 * 1024 * 1024,
        }
    }
}

impl WhatsappConfig {
    /// The number of a `phone_number_id`.
    pub(crate) fn number(&self, id: &str) -> Option<&WhatsappNumberConfig> {
        self.numbers.iter().find(|n| n.phone_number_id == id)
    }
}
