//! The Instagram professional accounts the emulator knows: their ids, their Instagram Login
//! tokens, the Page each is linked to (Facebook Login), and the people (IGSIDs) who wrote to
//! them.

use crate::config::{PageConfig, PsidConfig, PsidStatus, Secret};
use crate::duration::HumanDuration;
use serde::{Deserialize, Serialize};

/// The default account's id (`ig_user_id`).
pub const DEFAULT_IG_USER_ID: &str = "17841400000000000";
/// Its username.
pub const DEFAULT_IG_USERNAME: &str = "svara.test";
/// A valid Instagram user access token of the default account (Instagram Login).
pub const DEFAULT_INSTAGRAM_TOKEN: &str = "IGAASvaraEmulatorInstagramToken0Default";
/// An expired token of the default account (190/463).
pub const EXPIRED_INSTAGRAM_TOKEN: &str = "IGAASvaraEmulatorInstagramToken0Expired";
/// The Page linked to the default account (Facebook Login).
pub const INSTAGRAM_PAGE_ID: &str = "104857600888888";
/// A valid token of [`INSTAGRAM_PAGE_ID`].
pub const INSTAGRAM_PAGE_TOKEN: &str = "EAASvaraEmulatorPageToken0InstagramPage";
/// A person (IGSID) who wrote 5 minutes before start.
pub const DEFAULT_IGSID: &str = "17841400000000101";
/// A second person inside the window.
pub const IGSID_SECOND: &str = "17841400000000102";
/// Last wrote 26 hours before start: 10/2534022 unless HUMAN_AGENT.
pub const IGSID_OUTSIDE_WINDOW: &str = "17841400000000103";
/// Blocked the account: 551/1545041.
pub const IGSID_BLOCKED: &str = "17841400000000104";
/// Not available right now: 200/1545041.
pub const IGSID_UNAVAILABLE: &str = "17841400000000105";
/// Not known to the account: 100/2534014.
pub const IGSID_UNKNOWN: &str = "17841400000000999";

/// An Instagram professional account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InstagramAccountConfig {
    /// The account id (`ig_user_id`, what `/{ig_user_id}/messages` takes; `me` resolves to it).
    pub id: String,
    /// The username, for the banner.
    pub username: String,
    /// Valid Instagram user access tokens (Instagram Login, `graph.instagram.com`).
    pub tokens: Vec<Secret>,
    /// Expired ones (190/463).
    pub expired_tokens: Vec<Secret>,
    /// The Page linked to the account (Facebook Login): a Page of `pages` whose token sends to
    /// this account's people.
    pub page_id: Option<String>,
    /// The people (IGSIDs) who wrote to the account; `page_id` is ignored.
    pub people: Vec<PsidConfig>,
}

impl InstagramAccountConfig {
    /// The account as the Send API pipeline's sender: a live Page with the account's id.
    pub(crate) fn as_page(&self) -> PageConfig {
        PageConfig::new(&self.id, &self.username, "")
    }
}

/// Instagram's part of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InstagramConfig {
    /// The accounts.
    pub accounts: Vec<InstagramAccountConfig>,
}

impl Default for InstagramConfig {
    fn default() -> Self {
        let person = PsidConfig::active;
        InstagramConfig {
            accounts: vec![InstagramAccountConfig {
                id: DEFAULT_IG_USER_ID.to_owned(),
                username: DEFAULT_IG_USERNAME.to_owned(),
                tokens: vec![DEFAULT_INSTAGRAM_TOKEN.into()],
                expired_tokens: vec![EXPIRED_INSTAGRAM_TOKEN.into()],
                page_id: Some(INSTAGRAM_PAGE_ID.to_owned()),
                people: vec![
                    person(DEFAULT_IGSID),
                    person(IGSID_SECOND),
                    person(IGSID_OUTSIDE_WINDOW).last_message_ago(HumanDuration::hours(26)),
                    person(IGSID_BLOCKED).status(PsidStatus::Blocked),
                    person(IGSID_UNAVAILABLE).status(PsidStatus::Unavailable),
                ],
            }],
        }
    }
}

impl InstagramConfig {
    /// The account an Instagram Login token belongs to, and whether the token is expired.
    pub(crate) fn account_for_token(&self, token: &str) -> Option<(&InstagramAccountConfig, bool)> {
        self.accounts.iter().find_map(|a| {
            if a.tokens.iter().any(|t| t.expose() == token) {
                Some((a, false))
            } else if a.expired_tokens.iter().any(|t| t.expose() == token) {
                Some((a, true))
            } else {
                None
            }
        })
    }

    /// The account linked to a Page.
    pub(crate) fn account_of_page(&self, page_id: &str) -> Option<&InstagramAccountConfig> {
        self.accounts
            .iter()
            .find(|a| a.page_id.as_deref() == Some(page_id))
    }
}
