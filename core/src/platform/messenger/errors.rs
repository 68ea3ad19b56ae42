//! Meta's `(code, error_subcode)` -> Svara [`ErrorCode`] for the Messenger Send API: the one
//! table that decides what a Graph error means, whether it may be retried, and what to tell
//! the caller. Instagram's table adds its own rows in front of this one.
//!
//! Mapped on the pair, never on `code` alone (100 means both "no such user" and "could not
//! fetch"). Source: Messenger Platform "Common Error Codes",
//! <https://developers.facebook.com/docs/messenger-platform/error-codes> (copied with its
//! history in `../shared/reference/messenger-send-api.md` section 4.2, D-ERR); rows marked
//! "none" there got the nearest Svara code, noted in the comments below.

use crate::error::{ErrorCode, GraphError};
use crate::platform::meta::Meaning;
use crate::platform::{Retry, SendContext};

/// Which subcodes a row matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sub {
    /// Exactly this subcode.
    Is(i64),
    /// No subcode at all.
    Absent,
    /// Any subcode, or none.
    Any,
}

/// One row: `(code, subcode) -> (ErrorCode, retry, what it means)`.
pub(crate) struct Row {
    code: i64,
    sub: Sub,
    error: ErrorCode,
    retry: Retry,
    what: &'static str,
}

pub(crate) const fn row(
    code: i64,
    sub: Sub,
    error: ErrorCode,
    retry: Retry,
    what: &'static str,
) -> Row {
    Row {
        code,
        sub,
        error,
        retry,
        what,
    }
}

use ErrorCode as E;
use Retry::{No, Yes};
use Sub::{Absent, Any, Is};

/// The table, first match wins (specific subcodes come before `Any`).
/// (100, no subcode) is decided by [`classify`] from the request and the message.
#[rustfmt::skip]
pub(crate) const TABLE: &[Row] = &[
    row(190, Any, E::InvalidToken, No, "Meta rejected the Page access token: it is invalid, expired or revoked"),
    row(102, Any, E::InvalidToken, No, "Meta rejected the API session of this Page access token"),
    row(104, Any, E::InvalidToken, No, "Meta received no access token with the request"),
    row(100, Is(2018001), E::RecipientNotFound, No, "No Messenger user matches this recipient PSID for this Page"),
    row(100, Is(33), E::RecipientNotFound, No, "The recipient does not exist or is not visible to this Page"),
    row(100, Is(2018008), E::AudioFetchFailed, No, "Meta could not download the audio file"),
    row(100, Is(2018047), E::UnsupportedAudio, No, "Meta refused the uploaded file as not playable audio of the declared type"),
    // "none (re-upload)" in the reference: the caller passed an id Meta does not know.
    row(100, Is(2018074), E::InvalidRequest, No, "The attachment_id is unknown, expired (90 days) or belongs to another Page; upload the audio again"),
    row(100, Is(2018109), E::AudioTooLarge, No, "Meta refused the attachment as larger than allowed"),
    // "none (client bug)": Svara always names the file; seeing this means a bug in Svara.
    row(100, Is(2018005), E::InvalidRequest, No, "Meta saw the wrong number of uploaded files (a file part without a file name); please report this to Svara"),
    row(100, Is(2018014), E::InvalidRequest, No, "Meta refused a request carrying both message and sender_action"),
    row(100, Any, E::InvalidRequest, No, "Meta refused a parameter of the request"),
    // "none (nearest audio_fetch_failed)": the file was not of an allowed type (an HTML page).
    row(546, Any, E::AudioFetchFailed, No, "Meta refused the file type (a web page instead of audio?)"),
    row(10, Is(2018278), E::MessageNotAllowed, No, "The 24-hour messaging window with this person is closed"),
    row(10, Is(2534022), E::MessageNotAllowed, No, "The messaging window with this person is closed"),
    row(10, Is(2018065), E::MessageNotAllowed, No, "The messaging window is closed and this Page lacks the subscription messaging permission"),
    row(10, Is(2018108), E::MessageNotAllowed, No, "This person can't receive your messages right now"),
    row(10, Is(1893063), E::MessageNotAllowed, No, "The Page is temporarily restricted from messaging for policy reasons"),
    row(10, Any, E::PermissionDenied, No, "Meta denied the permission this call needs"),
    row(200, Is(1545041), E::MessageNotAllowed, No, "The person is not available to receive messages"),
    row(200, Any, E::PermissionDenied, No, "The app is not live or pages_messaging is not approved, so only its admins, developers and testers can be messaged"),
    row(551, Any, E::MessageNotAllowed, No, "This person isn't receiving messages from the Page (blocked or unavailable)"),
    row(230, Any, E::MessageNotAllowed, No, "The permissions do not allow messaging this person"),
    row(2018300, Any, E::MessageNotAllowed, No, "Another app controls this conversation (handover protocol)"),
    row(4, Any, E::RateLimited, Yes, "The app's request limit was reached"),
    row(17, Any, E::RateLimited, Yes, "The user token's rate limit was reached"),
    row(32, Any, E::RateLimited, Yes, "The Pages API rate limit was reached"),
    // A warning about abusive tagged messages: slowing down is the fix, a burst retry is not.
    row(613, Is(2018338), E::RateLimited, No, "Tagged messages to this person look abusive to Meta; slow down"),
    row(613, Any, E::RateLimited, Yes, "The Page's send rate limit was reached"),
    row(80001, Any, E::RateLimited, Yes, "The Page's business use case rate limit was reached"),
    row(80006, Any, E::RateLimited, Yes, "The Messenger business use case rate limit was reached"),
    row(341, Any, E::RateLimited, Yes, "The application limit was reached"),
    // "none (new: temporary)": Meta's own advice is to try again later.
    row(1200, Any, E::TemporaryFailure, Yes, "Meta could not send the message right now"),
    row(2, Any, E::TemporaryFailure, Yes, "Meta had an unexpected or temporary error"),
    row(1, Absent, E::TemporaryFailure, Yes, "Meta had an unknown error"),
    row(1, Is(99), E::PermissionDenied, No, "Meta reported an unknown error that usually means a missing permission or access level"),
    row(1, Any, E::ApiError, No, "Meta had an unknown error"),
    // "none": the Page is blocked from messaging for a while, like 10/1893063.
    row(368, Any, E::MessageNotAllowed, No, "The Page is temporarily blocked from messaging for policy violations"),
    row(2022, Any, E::ApiError, No, "Commerce messages are disabled for this Page after a policy violation"),
];

/// The first row of `table` that matches `g`.
pub(crate) fn lookup(table: &[Row], g: &GraphError) -> Option<Meaning> {
    table.iter().find_map(|r| {
        let sub_ok = match r.sub {
            Is(s) => g.subcode == Some(s),
            Absent => g.subcode.is_none(),
            Any => true,
        };
        (r.code == g.code && sub_ok).then_some((r.error, r.retry, r.what))
    })
}

/// Tags Meta retired on 2026-04-27; requests carrying them get a bare `(#100)`.
pub const RETIRED_TAGS: &[&str] = &[
    "CONFIRMED_EVENT_UPDATE",
    "ACCOUNT_UPDATE",
    "POST_PURCHASE_UPDATE",
];

/// The Svara code, retry class and explanation of a Graph error.
pub(crate) fn classify(g: &GraphError, ctx: SendContext) -> Meaning {
    if g.code == 100 && g.subcode.is_none() {
        let m = g.message.to_ascii_lowercase();
        if ctx.retired_tag || m.contains("tag") {
            return (
                E::MessageNotAllowed,
                No,
                "Meta refused the message tag (CONFIRMED_EVENT_UPDATE, ACCOUNT_UPDATE and POST_PURCHASE_UPDATE were retired on 2026-04-27; use HUMAN_AGENT or send inside the 24-hour window)",
            );
        }
        if m.contains("user") || m.contains("recipient") || m.contains("fbid") || m.contains("psid")
        {
            return (
                E::RecipientNotFound,
                No,
                "No Messenger user matches this recipient ID for this Page",
            );
        }
    }
    if let Some(m) = lookup(TABLE, g) {
        return m;
    }
    if g.is_transient == Some(true) {
        return (E::TemporaryFailure, Yes, "Meta reported a transient error");
    }
    (
        E::ApiError,
        No,
        "Meta returned an error Svara has no specific code for",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(code: i64, sub: Option<i64>, msg: &str) -> GraphError {
        GraphError {
            code,
            subcode: sub,
            message: msg.into(),
            ..GraphError::default()
        }
    }

    #[test]
    fn pair_not_code_decides() {
        let ctx = SendContext::default();
        assert_eq!(
            classify(&g(100, Some(2018001), ""), ctx).0,
            E::RecipientNotFound
        );
        assert_eq!(
            classify(&g(100, Some(2018008), ""), ctx).0,
            E::AudioFetchFailed
        );
        assert_eq!(
            classify(&g(100, Some(2018109), ""), ctx).0,
            E::AudioTooLarge
        );
        assert_eq!(classify(&g(613, Some(2018338), ""), ctx).1, No);
        assert_eq!(classify(&g(613, None, ""), ctx).1, Yes);
        assert_eq!(classify(&g(1, None, ""), ctx).0, E::TemporaryFailure);
        assert_eq!(classify(&g(1, Some(99), ""), ctx).0, E::PermissionDenied);
        assert_eq!(
            classify(&g(100, None, "x"), SendContext { retired_tag: true }).0,
            E::MessageNotAllowed
        );
        let mut t = g(9999, None, "");
        t.is_transient = Some(true);
        assert_eq!(classify(&t, ctx).0, E::TemporaryFailure);
        assert_eq!(classify(&g(9999, None, ""), ctx).0, E::ApiError);
    }
}
