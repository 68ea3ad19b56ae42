//! Telegram Bot API errors -> Svara [`ErrorCode`]. The Bot API answers `{"ok": false,
//! "error_code": N, "description": "...", "parameters": {"retry_after", "migrate_to_chat_id"}}`
//! with the HTTP status equal to `error_code`; `error_code` alone is too coarse (every refusal
//! of a chat is a 400 or a 403), so rows match the status and a piece of the description
//! (case-insensitive). The docs say descriptions "are subject to change"; a description no row
//! knows still gets a code from its status.
//!
//! Sources (keys of `/work/coord/platforms-research.md` section 0, table 1.5):
//! - T-API: Bot API, <https://core.telegram.org/bots/api#making-requests>,
//!   `#responseparameters`, `#sendvoice` [D];
//! - T-FAQ: <https://core.telegram.org/bots/faq> (limits, 429) [D];
//! - T-SRV: the Bot API server's source, `tdlib/telegram-bot-api` `Client.cpp`,
//!   `ClientManager.cpp`, `Query.cpp` (how descriptions are built) [S];
//! - T-TD: TDLib `MessagesManager.cpp`, `MessageContent.cpp` (USER_IS_BLOCKED, PEER_ID_INVALID,
//!   voice-note privacy) [S];
//! - L-PTB: python-telegram-bot (401 and 404 mean a bad token) [L];
//! - telegraf/telegraf#982, tdlib/telegram-bot-api#720: 413 on over-size uploads [I].
//!
//! The mappings the issue fixes are marked "issue 14"; the others are the research's proposals
//! (inf).
//!
//! Retries: only 429 (after `retry_after`). Every other 4xx was refused before a message
//! existed, and a 5xx may come after the message was sent (T-SRV even has a 500 for a message
//! that was sent): never retried, reported as "may have been delivered".

use crate::error::ErrorCode;
use crate::platform::Retry;

use ErrorCode as E;
use Retry::{No, Yes};

/// One row: the HTTP status (`error_code`), a piece of the description (empty: any), and
/// what it means.
struct Row {
    status: u16,
    contains: &'static str,
    error: ErrorCode,
    retry: Retry,
    what: &'static str,
}

const fn row(
    status: u16,
    contains: &'static str,
    error: ErrorCode,
    retry: Retry,
    what: &'static str,
) -> Row {
    Row {
        status,
        contains,
        error,
        retry,
        what,
    }
}

/// First match wins: specific descriptions before the status-only rows.
#[rustfmt::skip]
const TABLE: &[Row] = &[
    // T-SRV get_closing_error / ClientManager; issue 14.
    row(401, "", E::InvalidToken, No, "Telegram rejected the bot token (invalid or revoked)"),
    // L-PTB: "TG returns 404 Not found for malformed tokens"; Svara builds the path itself, so a
    // 404 means the token (inf).
    row(404, "", E::InvalidToken, No, "Telegram does not know this bot token (Not Found)"),
    row(421, "", E::InvalidToken, No, "This Bot API server does not serve this bot token"),
    // T-SRV check_chat / TdOnCheckChatCallback; issue 14.
    row(400, "chat_id is empty", E::InvalidRequest, No, "Telegram received no chat_id"),
    row(400, "chat not found", E::RecipientNotFound, No, "No chat with this chat_id is known to the bot"),
    row(400, "group chat was upgraded to a supergroup", E::RecipientNotFound, No, "The group became a supergroup with a new chat_id"),
    row(400, "message thread not found", E::InvalidRequest, No, "The forum topic does not exist"),
    // T-TD MessageContent.cpp; observed as VOICE_MESSAGES_FORBIDDEN (openclaw/openclaw#1725).
    row(400, "voice_messages_forbidden", E::MessageNotAllowed, No, "The person does not accept voice messages (privacy settings)"),
    row(400, "restricted receiving of voice note", E::MessageNotAllowed, No, "The person does not accept voice messages (privacy settings)"),
    row(400, "not enough rights to send voice", E::MessageNotAllowed, No, "The bot may not send voice notes to this chat"),
    // issue 14 (a getFile error on the server, also possible for URL sends).
    row(400, "file is too big", E::AudioTooLarge, No, "Telegram refused the file as too big"),
    row(400, "file must be non-empty", E::InvalidRequest, No, "Telegram received an empty file"),
    row(400, "file identifier", E::InvalidRequest, No, "The file_id is unknown or belongs to another bot; upload the audio again"),
    row(400, "can't use file of type", E::InvalidRequest, No, "The file_id is of another type than a voice note; upload the audio again"),
    row(400, "type of file mismatch", E::InvalidRequest, No, "The file_id is of another type than a voice note; upload the audio again"),
    row(400, "there is no voice in the request", E::InvalidRequest, No, "Telegram found no voice file in the request"),
    row(400, "failed to get http url content", E::AudioFetchFailed, No, "Telegram could not download the audio URL"),
    row(400, "wrong type of the web page content", E::AudioFetchFailed, No, "The audio URL served something other than a file"),
    row(400, "can't upload file by url", E::AudioFetchFailed, No, "Telegram could not upload the file from the URL"),
    row(400, "caption is too long", E::InvalidRequest, No, "The caption is longer than 1024 characters"),
    // T-TD process_send_message_fail_error (USER_IS_BLOCKED, PEER_ID_INVALID); issue 14.
    row(403, "bot was blocked by the user", E::MessageNotAllowed, No, "The person blocked the bot"),
    row(403, "can't initiate conversation", E::MessageNotAllowed, No, "The person has not started the bot, so it cannot write first"),
    row(403, "user is deactivated", E::RecipientNotFound, No, "The person's Telegram account was deleted"),
    row(403, "send messages to the bot", E::InvalidRequest, No, "Bots cannot send messages to other bots"),
    row(403, "send messages to bots", E::InvalidRequest, No, "Bots cannot send messages to other bots"),
    row(403, "bot was kicked", E::MessageNotAllowed, No, "The bot was removed from this chat"),
    row(403, "bot is not a member", E::MessageNotAllowed, No, "The bot is not a member of this chat"),
    row(403, "chat was deleted", E::MessageNotAllowed, No, "The chat was deleted"),
    row(403, "", E::MessageNotAllowed, No, "Telegram does not let the bot send to this chat"),
    // [I] telegraf#982, tdlib/telegram-bot-api#720 (inf: checked locally first).
    row(413, "", E::AudioTooLarge, No, "Telegram refused the upload as too large"),
    // T-SRV Query.cpp, T-API responseparameters; issue 14.
    row(429, "", E::RateLimited, Yes, "Telegram's flood control refused the message"),
    // T-SRV Client.cpp: the message was sent and cannot be returned.
    row(500, "sent message was immediately deleted", E::TemporaryFailure, No, "Telegram sent the message but could not return it"),
    row(500, "restart", E::TemporaryFailure, No, "The Bot API server is restarting"),
];

/// What a Telegram error means: the Svara code, the retry class, a sentence.
pub(crate) fn classify(status: u16, description: &str) -> (ErrorCode, Retry, &'static str) {
    let d = description.to_ascii_lowercase();
    if let Some(r) = TABLE
        .iter()
        .find(|r| r.status == status && (r.contains.is_empty() || d.contains(r.contains)))
    {
        return (r.error, r.retry, r.what);
    }
    match status {
        500..=599 => (
            E::TemporaryFailure,
            No,
            "Telegram had a server error; the message may or may not have been sent",
        ),
        400 => (
            E::ApiError,
            No,
            "Telegram refused the request for a reason Svara has no specific code for",
        ),
        _ => (
            E::ApiError,
            No,
            "Telegram returned an error Svara has no specific code for",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issues_mappings() {
        assert_eq!(classify(401, "Unauthorized").0, E::InvalidToken);
        assert_eq!(
            classify(400, "Bad Request: chat not found").0,
            E::RecipientNotFound
        );
        assert_eq!(
            classify(403, "Forbidden: bot was blocked by the user").0,
            E::MessageNotAllowed
        );
        assert_eq!(
            classify(
                403,
                "Forbidden: bot can't initiate conversation with a user"
            )
            .0,
            E::MessageNotAllowed
        );
        assert_eq!(
            classify(429, "Too Many Requests: retry after 3"),
            (E::RateLimited, Yes, classify(429, "").2)
        );
        assert_eq!(
            classify(400, "Bad Request: file is too big").0,
            E::AudioTooLarge
        );
        assert_eq!(
            classify(400, "Bad Request: VOICE_MESSAGES_FORBIDDEN").0,
            E::MessageNotAllowed
        );
        assert_eq!(
            classify(413, "Request Entity Too Large").0,
            E::AudioTooLarge
        );
        assert_eq!(
            classify(502, "Bad Gateway"),
            (E::TemporaryFailure, No, classify(502, "").2)
        );
        assert_eq!(classify(400, "Bad Request: something new").0, E::ApiError);
    }
}
