//! WhatsApp Cloud API errors -> Svara [`ErrorCode`]. Meta says to "build your app's error
//! handling around error codes instead of subcodes or HTTP response status codes" (subcodes
//! are deprecated since v16.0), so rows match `error.code` alone.
//!
//! Sources (keys of `/work/coord/platforms-research.md` section 0, table 2.7):
//! - W-ERR: WhatsApp "Error codes",
//!   <https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes> [D];
//! - W-AUDIO / W-MEDIA: "Audio messages" and "Media" (131053 = mismatched MIME or non-Opus Ogg),
//!   <https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/audio-messages> [D];
//! - W-ABOUT: pair rate limit (131056: one message every 6 s to the same user) [D];
//! - W-CALL: 131030 happens only with public test numbers [D];
//! - G-ERR: Graph "Handling Errors" (190 and its subcodes, 104) [D];
//! - upload MIME errors are code 100 with "Param file must be a file with one of the following
//!   types" ([I] fbsamples/whatsapp-api-examples#10).
//!
//! The mappings the issue fixes are marked "issue 14"; the others are the research's proposals
//! (inf).
//!
//! Retries: rate limits (4, 80007, 130429, 131056) and maintenance (131057) certainly were not
//! accepted. Codes 1, 2, 131000 and 131016 are ambiguous for a send (research 2.9): never
//! retried automatically, except for uploads, which deliver nothing.

use crate::error::{ErrorCode, GraphError};
use crate::platform::messenger::errors::{lookup, row, Row, Sub};
use crate::platform::meta::Meaning;
use crate::platform::{Call, Retry};

use ErrorCode as E;
use Retry::{No, Yes};
use Sub::Any;

/// The table by `error.code`, first match wins.
#[rustfmt::skip]
const TABLE: &[Row] = &[
    // Authorization (W-ERR, G-ERR).
    row(190, Any, E::InvalidToken, No, "WhatsApp rejected the access token: it is invalid, expired or revoked"), // issue 14
    row(0, Any, E::InvalidToken, No, "WhatsApp could not authenticate the app user (token expired, invalidated or access removed)"),
    row(104, Any, E::InvalidToken, No, "WhatsApp received no access token with the request"),
    row(3, Any, E::PermissionDenied, No, "The app lacks the capability or permission for this call"),
    row(10, Any, E::PermissionDenied, No, "A permission this call needs was not granted or was removed"),
    row(200, Any, E::PermissionDenied, No, "A permission this call needs was not granted"),
    // Throttling (W-ERR, W-TP, W-ABOUT).
    row(4, Any, E::RateLimited, Yes, "The app reached its API call rate limit"), // issue 14
    row(80007, Any, E::RateLimited, Yes, "The WhatsApp Business Account reached its rate limit"), // issue 14
    row(130429, Any, E::RateLimited, Yes, "The phone number's message throughput was reached (about 80 messages per second)"), // issue 14
    row(131056, Any, E::RateLimited, Yes, "Too many messages to this person in a short time (one every 6 seconds; other people can still be messaged)"), // issue 14
    row(131048, Any, E::RateLimited, No, "The phone number is restricted for spam: fewer messages may be sent until its quality recovers"),
    // Integrity and policy.
    row(368, Any, E::PermissionDenied, No, "The WhatsApp Business Account is restricted or disabled for a policy violation"),
    row(131031, Any, E::PermissionDenied, No, "The business account is locked"),
    row(130497, Any, E::MessageNotAllowed, No, "The business may not message users in this country"),
    row(131064, Any, E::MessageNotAllowed, No, "The account's messaging is limited after template violations"),
    // Recipients and windows.
    row(131026, Any, E::RecipientNotFound, No, "The message is undeliverable: the number is not on WhatsApp, has not accepted the terms, or uses an outdated app"), // issue 14
    row(131047, Any, E::MessageNotAllowed, No, "More than 24 hours have passed since the person last wrote (re-engagement needs a template)"), // issue 14
    row(470, Any, E::MessageNotAllowed, No, "The 24-hour window with this person is closed"),
    row(130403, Any, E::MessageNotAllowed, No, "This business has blocked the person on WhatsApp"),
    row(130472, Any, E::MessageNotAllowed, No, "The person is part of a marketing experiment and was not sent the message"),
    row(131049, Any, E::MessageNotAllowed, No, "WhatsApp did not deliver the message to keep the ecosystem healthy"),
    row(131050, Any, E::MessageNotAllowed, No, "The person stopped marketing messages from this business"),
    row(131021, Any, E::InvalidRequest, No, "The sender and the recipient phone number are the same"),
    row(131030, Any, E::PermissionDenied, No, "The recipient is not on the test number's allowed list (add it in the app's WhatsApp settings)"),
    // Media (W-AUDIO, W-MEDIA).
    row(131053, Any, E::UnsupportedAudio, No, "WhatsApp could not use the uploaded media (unsupported type, a MIME type that does not match the file, or Ogg that is not Opus)"), // issue 14
    // The account and the number.
    row(33, Any, E::InvalidRequest, No, "The phone_number_id does not exist (deleted or mistyped)"),
    row(131005, Any, E::PermissionDenied, No, "A permission this call needs was not granted or was removed"),
    row(131037, Any, E::PermissionDenied, No, "The phone number needs an approved display name"),
    row(131042, Any, E::PermissionDenied, No, "The business account has a payment problem"),
    row(131045, Any, E::PermissionDenied, No, "The phone number is not registered with the Cloud API"),
    row(133010, Any, E::PermissionDenied, No, "The phone number is not registered on the WhatsApp Business Platform"),
    // Requests.
    row(131008, Any, E::InvalidRequest, No, "A required parameter is missing"),
    row(131009, Any, E::InvalidRequest, No, "A parameter value is invalid"),
    row(131051, Any, E::InvalidRequest, No, "WhatsApp does not support this message type"),
    row(135000, Any, E::InvalidRequest, No, "WhatsApp refused the request's parameters"),
    row(100, Any, E::InvalidRequest, No, "WhatsApp refused a parameter of the request"),
    // Temporary: ambiguous for a send (research 2.9).
    row(131057, Any, E::TemporaryFailure, Yes, "The business account is in maintenance mode (about a minute)"),
    row(131000, Any, E::TemporaryFailure, No, "WhatsApp failed to send the message for an unknown reason; it may or may not have been sent"),
    row(131016, Any, E::TemporaryFailure, No, "A WhatsApp service is temporarily unavailable; the message may or may not have been sent"),
    row(2, Any, E::TemporaryFailure, No, "WhatsApp is temporarily down or overloaded; the message may or may not have been sent"),
    row(1, Any, E::TemporaryFailure, No, "WhatsApp reported an invalid request or a possible server error; the message may or may not have been sent"),
];

/// The Svara code, retry class and explanation of a WhatsApp error.
pub(crate) fn classify(g: &GraphError, call: Call) -> Meaning {
    let (code, retry, what) = if g.code == 100
        && g.message
            .contains("Param file must be a file with one of the following types")
    {
        (
            E::UnsupportedAudio,
            No,
            "WhatsApp refused the uploaded file's type",
        )
    } else if (132000..=132069).contains(&g.code) {
        (E::InvalidRequest, No, "WhatsApp refused the template")
    } else if (201..=299).contains(&g.code) {
        (
            E::PermissionDenied,
            No,
            "A permission this call needs was not granted",
        )
    } else if let Some(m) = lookup(TABLE, g) {
        m
    } else if g.is_transient == Some(true) {
        (
            E::TemporaryFailure,
            No,
            "WhatsApp reported a transient error",
        )
    } else {
        (
            E::ApiError,
            No,
            "WhatsApp returned an error Svara has no specific code for",
        )
    };
    // An upload delivers nothing: a temporary failure of one is always worth repeating.
    let retry = if call == Call::Upload && code == E::TemporaryFailure {
        Yes
    } else {
        retry
    };
    (code, retry, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(code: i64, message: &str) -> GraphError {
        GraphError {
            code,
            message: message.into(),
            ..GraphError::default()
        }
    }

    #[test]
    fn the_issues_mappings() {
        let c = |code| classify(&g(code, ""), Call::Send);
        assert_eq!(c(190).0, E::InvalidToken);
        assert_eq!(c(131047).0, E::MessageNotAllowed);
        assert_eq!(c(131026).0, E::RecipientNotFound);
        for code in [130429, 131056, 80007, 4] {
            assert_eq!(c(code), (E::RateLimited, Yes, c(code).2), "{code}");
        }
        assert_eq!(c(131053).0, E::UnsupportedAudio);
        assert_eq!(c(131000).1, No, "ambiguous for a send");
        assert_eq!(classify(&g(131000, ""), Call::Upload).1, Yes);
        let mime = g(100, "(#100) Param file must be a file with one of the following types: audio/aac, audio/ogg. Received file of type 'application/octet-stream'.");
        assert_eq!(classify(&mime, Call::Upload).0, E::UnsupportedAudio);
        assert_eq!(c(100).0, E::InvalidRequest);
        assert_eq!(c(132001).0, E::InvalidRequest);
        assert_eq!(c(999_999).0, E::ApiError);
    }
}
