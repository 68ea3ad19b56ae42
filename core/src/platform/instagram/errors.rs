//! Instagram's Graph errors -> Svara [`ErrorCode`]: Instagram's own `(code, subcode)` rows
//! first, then Messenger's table (the Instagram messaging API is Messenger's Send API for
//! Instagram and answers with the same codes, `crate::platform::messenger::errors`).
//!
//! Sources (keys of `/work/coord/platforms-research.md` section 0; tags [D] = Meta's docs,
//! [L] = client-library source, (inf) = our inference):
//! - M-ERR: Messenger Platform "Common Error Codes" (its Instagram rows),
//!   <https://developers.facebook.com/docs/messenger-platform/error-codes> [D];
//! - G-RL: Graph API "Rate Limits", Instagram Platform messaging limits and BUC code 80002,
//!   <https://developers.facebook.com/docs/graph-api/overview/rate-limiting> [D];
//! - I-SEND: "Send a Message",
//!   <https://developers.facebook.com/documentation/business-messaging/instagram-messaging/features/send-message> [D];
//! - L-BUILDERBOT: `codigoencasa/builderbot` provider-instagram (2534022 or 10 = window closed) [L].
//!
//! Retries: only what Instagram certainly did not accept (rate limits). Codes 1 and 2 and
//! server errors are ambiguous for a send (research section 3.8): no automatic retry, except
//! for uploads, which deliver nothing.

use crate::error::{ErrorCode, GraphError};
use crate::platform::messenger::errors::{self as messenger, lookup, row, Row, Sub};
use crate::platform::meta::Meaning;
use crate::platform::{Call, Retry, SendContext};

use ErrorCode as E;
use Retry::{No, Yes};
use Sub::{Absent, Any, Is};

/// Instagram's own rows, first match wins; anything else is read by Messenger's table.
#[rustfmt::skip]
const TABLE: &[Row] = &[
    // M-ERR; L-BUILDERBOT treats 2534022 (or code 10) as "window closed".
    row(10, Is(2534022), E::MessageNotAllowed, No, "The messaging window with this Instagram user is closed (24 hours, or 7 days with the HUMAN_AGENT tag)"),
    // M-ERR (inf: permission_denied).
    row(10, Is(2534077), E::PermissionDenied, No, "Meta cannot verify the link between the Instagram account, the user and the Page"),
    row(100, Is(2534013), E::PermissionDenied, No, "The Page is not linked to an Instagram professional account"),
    // M-ERR: "No matching Instagram user" (Instagram user ids are not accepted; use the IGSID).
    row(100, Is(2534014), E::RecipientNotFound, No, "No Instagram user matches this recipient IGSID for this account"),
    row(100, Is(2018001), E::RecipientNotFound, No, "No Instagram user matches this recipient IGSID for this account"),
    // M-ERR "Invalid message data" (inf: invalid_request; what unsupported audio returns is unconfirmed).
    row(100, Is(2534015), E::InvalidRequest, No, "Instagram refused the message data for this message type"),
    row(100, Is(2534029), E::PermissionDenied, No, "This business is blocked from sending through the Instagram messaging API"),
    // M-ERR: conversation routing (inf: message_not_allowed, like Messenger's handover).
    row(100, Is(2534037), E::MessageNotAllowed, No, "Another app owns this Instagram conversation (conversation routing)"),
    row(200, Is(2534041), E::PermissionDenied, No, "The account owner turned off access to Instagram messages for this app"),
    row(200, Is(1545041), E::MessageNotAllowed, No, "This Instagram user is not available right now"),
    row(551, Any, E::MessageNotAllowed, No, "This Instagram user isn't receiving messages from you right now (blocked or unavailable)"),
    // G-RL / M-ERR: 10 audio or video sends per second per Instagram account.
    row(613, Is(2534040), E::RateLimited, Yes, "The Instagram account's send rate limit was reached (about 10 audio sends per second)"),
    // G-RL: BUC 80002 is Instagram's business use case.
    row(80002, Any, E::RateLimited, Yes, "The Instagram business use case rate limit was reached"),
    row(36103, Any, E::PermissionDenied, No, "The Instagram account is not eligible for the messaging API yet"),
    // M-ERR "2 ... might also receive this error if a customer has blocked your business";
    // ambiguous for a send (research 3.8): never retried automatically.
    row(2, Any, E::TemporaryFailure, No, "Instagram had a temporary error; the message may or may not have been sent"),
    row(1, Absent, E::TemporaryFailure, No, "Instagram had an unknown error; the message may or may not have been sent"),
];

/// The Svara code, retry class and explanation of an Instagram Graph error.
pub(crate) fn classify(g: &GraphError, ctx: SendContext, call: Call) -> Meaning {
    let (code, retry, what) = lookup(TABLE, g).unwrap_or_else(|| messenger::classify(g, ctx));
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

    fn g(code: i64, sub: Option<i64>) -> GraphError {
        GraphError {
            code,
            subcode: sub,
            ..GraphError::default()
        }
    }

    #[test]
    fn instagram_rows_come_first_then_messenger() {
        let ctx = SendContext::default();
        let c = |code, sub| classify(&g(code, sub), ctx, Call::Send);
        assert_eq!(c(10, Some(2534022)).0, E::MessageNotAllowed);
        assert_eq!(c(100, Some(2534014)).0, E::RecipientNotFound);
        assert_eq!(
            c(613, Some(2534040)),
            (E::RateLimited, Yes, c(613, Some(2534040)).2)
        );
        assert_eq!(c(80002, None).0, E::RateLimited);
        assert_eq!(c(2, None).1, No, "ambiguous for a send");
        assert_eq!(classify(&g(2, None), ctx, Call::Upload).1, Yes);
        // Messenger's rows still apply.
        assert_eq!(c(190, Some(463)).0, E::InvalidToken);
        assert_eq!(c(100, Some(2018109)).0, E::AudioTooLarge);
        assert_eq!(c(100, Some(2018047)).0, E::UnsupportedAudio);
    }
}
