//! The Telegram bots the emulator knows: their tokens and the chats they are in, each with what
//! happens when the bot sends there, plus Telegram's flood limits.

use crate::config::Secret;
use serde::{Deserialize, Serialize};

/// The default bot's id (the part of its token before the colon).
pub const DEFAULT_BOT_ID: &str = "7000000001";
/// Its username.
pub const DEFAULT_BOT_USERNAME: &str = "svara_test_bot";
/// A valid token of the default bot.
pub const DEFAULT_BOT_TOKEN: &str = "7000000001:AAESvaraEmulatorBotToken0DefaultBot";
/// A revoked token of the default bot (401 Unauthorized).
pub const REVOKED_BOT_TOKEN: &str = "7000000001:AAESvaraEmulatorBotToken0RevokedBot";
/// A private chat with a person who started the bot.
pub const DEFAULT_CHAT_ID: &str = "700000101";
/// A second such chat.
pub const CHAT_SECOND: &str = "700000102";
/// The person blocked the bot: 403 "Forbidden: bot was blocked by the user".
pub const CHAT_BLOCKED: &str = "700000103";
/// The person never started the bot: 403 "Forbidden: bot can't initiate conversation with a user".
pub const CHAT_NOT_STARTED: &str = "700000104";
/// The person does not accept voice messages: 400 "Bad Request: VOICE_MESSAGES_FORBIDDEN".
pub const CHAT_VOICE_FORBIDDEN: &str = "700000105";
/// The person's account was deleted: 403 "Forbidden: user is deactivated".
pub const CHAT_DEACTIVATED: &str = "700000106";
/// A group that became a supergroup: 400 with `parameters.migrate_to_chat_id`.
pub const CHAT_MIGRATED_GROUP: &str = "-700000107";
/// The supergroup it became (the bot is a member).
pub const CHAT_SUPERGROUP: &str = "-1001700000107";
/// Not a chat of the bot: 400 "Bad Request: chat not found".
pub const CHAT_UNKNOWN: &str = "700000999";

/// What sending to a chat does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatStatus {
    /// Messages arrive.
    #[default]
    Active,
    /// The person blocked the bot.
    Blocked,
    /// The person never pressed Start.
    NotStarted,
    /// The person accepts no voice messages (privacy settings).
    VoiceForbidden,
    /// The account was deleted.
    Deactivated,
    /// The group became a supergroup (`migrate_to_chat_id`).
    Migrated,
}

/// One chat of a bot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelegramChatConfig {
    /// The chat id (negative for groups).
    pub id: String,
    /// `private`, `group`, `supergroup` or `channel`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What sending there does.
    pub status: ChatStatus,
    /// With `migrated`: the supergroup's id.
    pub migrate_to_chat_id: Option<String>,
}

impl Default for TelegramChatConfig {
    fn default() -> Self {
        TelegramChatConfig {
            id: String::new(),
            kind: "private".to_owned(),
            status: ChatStatus::Active,
            migrate_to_chat_id: None,
        }
    }
}

impl TelegramChatConfig {
    /// An active private chat.
    pub fn private(id: &str) -> Self {
        TelegramChatConfig {
            id: id.to_owned(),
            ..TelegramChatConfig::default()
        }
    }

    fn with(mut self, status: ChatStatus) -> Self {
        self.status = status;
        self
    }
}

/// A bot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelegramBotConfig {
    /// The bot's username (without `@`).
    pub username: String,
    /// Valid tokens (`<bot id>:<secret>`).
    pub tokens: Vec<Secret>,
    /// Revoked tokens (401 Unauthorized).
    pub revoked_tokens: Vec<Secret>,
    /// The chats the bot is in.
    pub chats: Vec<TelegramChatConfig>,
}

impl TelegramBotConfig {
    /// The bot's id: the digits before the colon of its first token.
    pub fn id(&self) -> String {
        self.tokens
            .first()
            .and_then(|t| t.expose().split(':').next())
            .unwrap_or("")
            .to_owned()
    }
}

/// Telegram's part of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelegramConfig {
    /// The bots.
    pub bots: Vec<TelegramBotConfig>,
    /// Messages per second per bot before 429 (T-FAQ: about 30); 0 disables it.
    pub messages_per_second: u32,
    /// Messages per chat within a second before 429 (T-FAQ: one per second, "short bursts" are
    /// tolerated: 3 by default, our choice); 0 disables it.
    pub chat_messages_per_second: u32,
    /// The largest upload (T-API: 50 MB).
    pub max_upload_bytes: u64,
}

impl Default for TelegramConfig {
    fn default() -> Self {
        let chat = TelegramChatConfig::private;
        TelegramConfig {
            bots: vec![TelegramBotConfig {
                username: DEFAULT_BOT_USERNAME.to_owned(),
                tokens: vec![DEFAULT_BOT_TOKEN.into()],
                revoked_tokens: vec![REVOKED_BOT_TOKEN.into()],
                chats: vec![
                    chat(DEFAULT_CHAT_ID),
                    chat(CHAT_SECOND),
                    chat(CHAT_BLOCKED).with(ChatStatus::Blocked),
                    chat(CHAT_NOT_STARTED).with(ChatStatus::NotStarted),
                    chat(CHAT_VOICE_FORBIDDEN).with(ChatStatus::VoiceForbidden),
                    chat(CHAT_DEACTIVATED).with(ChatStatus::Deactivated),
                    TelegramChatConfig {
                        id: CHAT_MIGRATED_GROUP.to_owned(),
                        kind: "group".to_owned(),
                        status: ChatStatus::Migrated,
                        migrate_to_chat_id: Some(CHAT_SUPERGROUP.to_owned()),
                    },
                    TelegramChatConfig {
                        id: CHAT_SUPERGROUP.to_owned(),
                        kind: "supergroup".to_owned(),
                        ..TelegramChatConfig::default()
                    },
                ],
            }],
            messages_per_second: 30,
            chat_messages_per_second: 3,
            max_upload_bytes: 50 * 1024 * 1024,
        }
    }
}
