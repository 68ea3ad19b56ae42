//! What a test helper needs from a running emulator, decided once here so the Python
//! (`svara.testing.Emulator`) and Node (`svara/testing`) helpers agree: the token and PSID a
//! test uses when it does not name one, the voice notes delivered (to a PSID), and the
//! well-known Pages, tokens and people of the default scenario.

use crate::config::*;
use crate::server::Emulator;
use crate::store::{Delivery, Snapshot};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

impl EmulatorConfig {
    /// The scenario a test helper was given: inline JSON, a `.json`/`.toml` file, or neither
    /// (the defaults); not both.
    pub fn from_scenario(json: Option<&str>, file: Option<&Path>) -> Result<Self, ConfigError> {
        match (json, file) {
            (Some(_), Some(_)) => Err(ConfigError::Invalid(
                "give the scenario either inline or as a file, not both".to_owned(),
            )),
            (Some(json), None) => EmulatorConfig::from_json_str(json),
            (None, Some(file)) => EmulatorConfig::from_file(file),
            (None, None) => Ok(EmulatorConfig::default()),
        }
    }

    /// The token a test uses by default: the first token of the first Page that has one.
    pub fn default_token(&self) -> Option<&str> {
        self.pages
            .iter()
            .find_map(|p| p.tokens.first())
            .map(|t| t.expose())
    }

    /// The PSID a test uses by default: [`DEFAULT_PSID`] when the scenario knows it (a person
    /// inside the 24-hour window), else the scenario's first person.
    pub fn default_psid(&self) -> Option<&str> {
        self.psids
            .iter()
            .find(|p| p.id == DEFAULT_PSID)
            .or_else(|| self.psids.first())
            .map(|p| p.id.as_str())
    }
}

impl Snapshot {
    /// The accepted voice notes, oldest first: all of them, or only those to `psid`.
    pub fn deliveries_to(&self, psid: Option<&str>) -> Vec<Delivery> {
        match psid {
            Some(p) => self.messages_for(p).to_vec(),
            None => self.deliveries(),
        }
    }
}

impl Emulator {
    /// [`EmulatorConfig::default_token`] of the running configuration.
    pub fn default_token(&self) -> Option<&str> {
        self.config().default_token()
    }

    /// [`EmulatorConfig::default_psid`] of the running configuration.
    pub fn default_psid(&self) -> Option<&str> {
        self.config().default_psid()
    }
}

/// The well-known Pages, tokens and people of [`EmulatorConfig::default`], by role. Python
/// exposes them as `svara.testing.PSIDS` and friends, Node as `emulator.defaults`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WellKnown {
    /// [`DEFAULT_PAGE_ID`].
    pub page_id: &'static str,
    /// [`DEFAULT_PAGE_TOKEN`].
    pub page_token: &'static str,
    /// [`EXPIRED_PAGE_TOKEN`].
    pub expired_page_token: &'static str,
    /// [`SECOND_PAGE_ID`].
    pub second_page_id: &'static str,
    /// [`SECOND_PAGE_TOKEN`].
    pub second_page_token: &'static str,
    /// [`DEV_MODE_PAGE_ID`].
    pub dev_mode_page_id: &'static str,
    /// [`DEV_MODE_PAGE_TOKEN`].
    pub dev_mode_page_token: &'static str,
    /// PSIDs by role: `default`, `second`, `outside_window`, `outside_human_agent_window`,
    /// `blocked`, `unavailable`, `app_tester`, `unknown`.
    pub psids: BTreeMap<&'static str, &'static str>,
    /// Instagram: `ig_user_id`, `token` (Instagram Login), `expired_token`, `page_id` and
    /// `page_token` (the linked Page, Facebook Login), and IGSIDs by role (`default`, `second`,
    /// `outside_window`, `blocked`, `unavailable`, `unknown`).
    pub instagram: PlatformDefaults,
    /// WhatsApp: `phone_number_id`, `token`, `expired_token`, and `wa_id`s by role
    /// (`default`, `second`, `outside_window`, `blocked`, `unknown`).
    pub whatsapp: PlatformDefaults,
    /// Telegram: `bot_id`, `token`, `revoked_token`, and chat ids by role (`default`,
    /// `second`, `blocked`, `not_started`, `voice_forbidden`, `deactivated`, `migrated_group`,
    /// `supergroup`, `unknown`).
    pub telegram: PlatformDefaults,
}

/// One platform's well-known sender values and recipients by role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformDefaults {
    /// Ids and tokens of the sender, by name.
    pub sender: BTreeMap<&'static str, &'static str>,
    /// Recipients by role.
    pub recipients: BTreeMap<&'static str, &'static str>,
}

/// The default scenario's well-known values.
pub fn well_known() -> WellKnown {
    WellKnown {
        page_id: DEFAULT_PAGE_ID,
        page_token: DEFAULT_PAGE_TOKEN,
        expired_page_token: EXPIRED_PAGE_TOKEN,
        second_page_id: SECOND_PAGE_ID,
        second_page_token: SECOND_PAGE_TOKEN,
        dev_mode_page_id: DEV_MODE_PAGE_ID,
        dev_mode_page_token: DEV_MODE_PAGE_TOKEN,
        psids: BTreeMap::from([
            ("default", DEFAULT_PSID),
            ("second", PSID_SECOND),
            ("outside_window", PSID_OUTSIDE_WINDOW),
            (
                "outside_human_agent_window",
                PSID_OUTSIDE_HUMAN_AGENT_WINDOW,
            ),
            ("blocked", PSID_BLOCKED),
            ("unavailable", PSID_UNAVAILABLE),
            ("app_tester", PSID_APP_TESTER),
            ("unknown", PSID_UNKNOWN),
        ]),
        instagram: {
            use crate::instagram::*;
            PlatformDefaults {
                sender: BTreeMap::from([
                    ("ig_user_id", DEFAULT_IG_USER_ID),
                    ("token", DEFAULT_INSTAGRAM_TOKEN),
                    ("expired_token", EXPIRED_INSTAGRAM_TOKEN),
                    ("page_id", INSTAGRAM_PAGE_ID),
                    ("page_token", INSTAGRAM_PAGE_TOKEN),
                ]),
                recipients: BTreeMap::from([
                    ("default", DEFAULT_IGSID),
                    ("second", IGSID_SECOND),
                    ("outside_window", IGSID_OUTSIDE_WINDOW),
                    ("blocked", IGSID_BLOCKED),
                    ("unavailable", IGSID_UNAVAILABLE),
                    ("unknown", IGSID_UNKNOWN),
                ]),
            }
        },
        whatsapp: {
            use crate::whatsapp::*;
            PlatformDefaults {
                sender: BTreeMap::from([
                    ("phone_number_id", DEFAULT_PHONE_NUMBER_ID),
                    ("token", DEFAULT_WHATSAPP_TOKEN),
                    ("expired_token", EXPIRED_WHATSAPP_TOKEN),
                ]),
                recipients: BTreeMap::from([
                    ("default", DEFAULT_WA_ID),
                    ("second", WA_ID_SECOND),
                    ("outside_window", WA_ID_OUTSIDE_WINDOW),
                    ("blocked", WA_ID_BLOCKED),
                    ("unknown", WA_ID_UNKNOWN),
                ]),
            }
        },
        telegram: {
            use crate::telegram::*;
            PlatformDefaults {
                sender: BTreeMap::from([
                    ("bot_id", DEFAULT_BOT_ID),
                    ("token", DEFAULT_BOT_TOKEN),
                    ("revoked_token", REVOKED_BOT_TOKEN),
                ]),
                recipients: BTreeMap::from([
                    ("default", DEFAULT_CHAT_ID),
                    ("second", CHAT_SECOND),
                    ("blocked", CHAT_BLOCKED),
                    ("not_started", CHAT_NOT_STARTED),
                    ("voice_forbidden", CHAT_VOICE_FORBIDDEN),
                    ("deactivated", CHAT_DEACTIVATED),
                    ("migrated_group", CHAT_MIGRATED_GROUP),
                    ("supergroup", CHAT_SUPERGROUP),
                    ("unknown", CHAT_UNKNOWN),
                ]),
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pick_the_documented_page_and_person() {
        let c = EmulatorConfig::default();
        assert_eq!(c.default_token(), Some(DEFAULT_PAGE_TOKEN));
        assert_eq!(c.default_psid(), Some(DEFAULT_PSID));
        let custom = EmulatorConfig {
            pages: vec![PageConfig::new("1", "P", "EAA-one")],
            psids: vec![PsidConfig::active("2001"), PsidConfig::active(DEFAULT_PSID)],
            ..EmulatorConfig::default()
        };
        assert_eq!(custom.default_token(), Some("EAA-one"));
        assert_eq!(
            custom.default_psid(),
            Some(DEFAULT_PSID),
            "the default person wins"
        );
        let none = EmulatorConfig {
            psids: vec![PsidConfig::active("2001")],
            ..EmulatorConfig::default()
        };
        assert_eq!(none.default_psid(), Some("2001"));
        assert_eq!(well_known().psids["blocked"], PSID_BLOCKED);
        assert!(EmulatorConfig::from_scenario(Some("{}"), Some(Path::new("x.toml"))).is_err());
        assert_eq!(
            EmulatorConfig::from_scenario(None, None).unwrap(),
            EmulatorConfig::default()
        );
    }
}
