//! Every row of the reference's `(code, error_subcode)` table (section 4.2), produced by a real
//! Meta-shaped error response over HTTP, arrives as the right Svara code with Meta's fields kept.
//! The emulator produces the common rows (see `client_send.rs`); a scripted local server
//! produces all of them here.

mod client_support;

use client_support::*;
use std::time::Duration;
use svara::{AudioSource, ErrorCode as E, MessagingType, SendOptions};

/// `(code, subcode, HTTP status, Meta's message, expected Svara code)`, one line per row and
/// subcode of the table.
#[rustfmt::skip]
const ROWS: &[(i64, Option<i64>, u16, &str, E)] = &[
    (190, None, 400, "Invalid OAuth access token.", E::InvalidToken),
    (190, Some(458), 400, "Error validating access token: The user has not authorized application.", E::InvalidToken),
    (190, Some(459), 400, "Error validating access token: You cannot access the app till you log in to www.facebook.com.", E::InvalidToken),
    (190, Some(460), 400, "Error validating access token: The session has been invalidated because the user changed their password.", E::InvalidToken),
    (190, Some(463), 400, "Error validating access token: Session has expired.", E::InvalidToken),
    (190, Some(464), 400, "Error validating access token: Sessions for the user are not allowed because the user is not a confirmed user.", E::InvalidToken),
    (190, Some(467), 400, "Error validating access token: The access token is invalid.", E::InvalidToken),
    (190, Some(492), 400, "Error validating access token: The user does not have a role on the Page.", E::InvalidToken),
    (102, None, 400, "API Session is invalid.", E::InvalidToken),
    (104, None, 400, "An access token is required to request this resource.", E::InvalidToken),
    (100, None, 400, "(#100) No matching user found", E::RecipientNotFound),
    (100, Some(2018001), 400, "(#100) No matching user found", E::RecipientNotFound),
    (100, Some(33), 400, "Unsupported post request. Object with ID '6128493027184956' does not exist.", E::RecipientNotFound),
    (100, Some(2018008), 400, "(#100) Failed to fetch the file from the url", E::AudioFetchFailed),
    (100, Some(2018047), 400, "(#100) Upload attachment failure.", E::UnsupportedAudio),
    (100, Some(2018074), 400, "(#100) Attachment id is invalid or does not belong to this page.", E::InvalidRequest),
    (100, Some(2018109), 400, "(#100) Attachment size exceeds allowable limit", E::AudioTooLarge),
    (100, Some(2018005), 400, "(#100) Incorrect number of files uploaded. Must upload exactly one file.", E::InvalidRequest),
    (100, Some(2018014), 400, "(#100) Only one of message and sender_action may be specified.", E::InvalidRequest),
    (100, None, 400, "(#100) Tag is no longer supported: ACCOUNT_UPDATE", E::MessageNotAllowed),
    (546, None, 400, "(#546) The type of file uploaded is not allowed.", E::AudioFetchFailed),
    (10, None, 403, "(#10) Application does not have permission for this action", E::PermissionDenied),
    (10, Some(2018278), 400, "(#10) This message is sent outside of allowed window.", E::MessageNotAllowed),
    (10, Some(2534022), 400, "(#10) This message is sent outside of allowed window.", E::MessageNotAllowed),
    (10, Some(2018065), 400, "(#10) This message is sent outside of allowed window. You need page_messaging_subscriptions permission.", E::MessageNotAllowed),
    (10, Some(2018108), 400, "(#10) This person isn't available right now.", E::MessageNotAllowed),
    (10, Some(1893063), 400, "(#10) This Page is temporarily restricted.", E::MessageNotAllowed),
    (200, None, 403, "(#200) Requires pages_messaging permission to manage the object", E::PermissionDenied),
    (200, Some(2018028), 403, "(#200) Cannot message users who are not admins, developers or testers of the app until pages_messaging permission is reviewed and the app is live.", E::PermissionDenied),
    (200, Some(2018027), 403, "(#200) Cannot message users until pages_messaging_phone_number is approved.", E::PermissionDenied),
    (200, Some(2018021), 403, "(#200) Requires phone matching access fee to be paid by this page.", E::PermissionDenied),
    (200, Some(1545041), 400, "(#200) Message Not Sent: This person isn't available right now.", E::MessageNotAllowed),
    (551, None, 400, "(#551) This person isn't available right now.", E::MessageNotAllowed),
    (551, Some(1545041), 400, "(#551) This person isn't available right now.", E::MessageNotAllowed),
    (230, None, 403, "(#230) Requires pages_messaging permission to message this user.", E::MessageNotAllowed),
    (2018300, None, 400, "(#2018300) Another app is controlling this thread now.", E::MessageNotAllowed),
    (4, None, 400, "(#4) Application request limit reached", E::RateLimited),
    (4, Some(2018022), 400, "(#4) Too many send requests to phone numbers", E::RateLimited),
    (17, None, 400, "(#17) User request limit reached", E::RateLimited),
    (32, None, 400, "(#32) Page request limit reached", E::RateLimited),
    (613, None, 400, "(#613) Calls to this api have exceeded the rate limit.", E::RateLimited),
    (613, Some(2534040), 400, "(#613) Calls to this api have exceeded the rate limit.", E::RateLimited),
    (613, Some(2018338), 400, "(#613) Tagged messages to this user may be considered abusive.", E::RateLimited),
    (80001, None, 400, "(#80001) There have been too many calls to this Page account.", E::RateLimited),
    (80006, None, 400, "(#80006) There have been too many messages sent to this user.", E::RateLimited),
    (341, None, 400, "(#341) Application limit reached", E::RateLimited),
    (1200, None, 500, "(#1200) Temporary send message failure. Please try again later.", E::TemporaryFailure),
    (2, None, 500, "An unexpected error has occurred. Please retry your request later.", E::TemporaryFailure),
    (1, None, 500, "An unknown error has occurred.", E::TemporaryFailure),
    (1, Some(99), 400, "An unknown error occurred", E::PermissionDenied),
    (1, Some(1357046), 400, "Received Invalid JSON reply.", E::ApiError),
    (368, None, 400, "(#368) The action attempted has been deemed abusive or is otherwise disallowed", E::MessageNotAllowed),
    (2022, None, 400, "(#2022) Commerce messages are disabled for this page.", E::ApiError),
    (987654, None, 400, "A code nobody documented", E::ApiError),
];

#[tokio::test]
async fn every_table_row_arrives_as_its_code() {
    let mock = MockGraph::start(Reply::sent("m_unused")).await;
    let client = builder(&mock.url(), "EAAerrorTableToken")
        .max_retries(0)
        .build()
        .unwrap();
    for &(code, sub, status, msg, want) in ROWS {
        mock.set_fallback(Reply::graph_error(status, code, sub, msg));
        let e = client
            .send(
                "6128493027184956",
                AudioSource::Bytes(sample_m4a()),
                &SendOptions::default(),
            )
            .await
            .unwrap_err();
        let row = format!("({code}, {sub:?})");
        assert_eq!(e.code(), want, "{row}: {e}");
        assert_eq!(e.graph_code(), Some(code), "{row}");
        assert_eq!(e.graph_subcode(), sub, "{row}");
        assert_eq!(e.http_status(), Some(status), "{row}");
        assert_eq!(e.fbtrace_id(), Some("AbCdEfGhIjK"), "{row}");
        assert_eq!(
            e.graph().unwrap().error_type.as_deref(),
            Some("OAuthException")
        );
        assert_eq!(e.graph().unwrap().message, msg);
        assert!(e.message().contains(msg), "{row}: Meta's words kept: {e}");
        assert!(e.message().contains(&code.to_string()), "{row}: {e}");
        assert!(!e.may_have_been_delivered(), "{row}");
        assert!(e.hint().ends_with('.'));
        assert!(e.to_string().starts_with(want.as_str()), "{e}");
    }
    assert_eq!(mock.hits(), ROWS.len(), "max_retries(0): one call per row");
}

#[tokio::test]
async fn a_bare_100_is_a_retired_tag_when_one_was_sent() {
    let mock = MockGraph::start(Reply::graph_error(
        400,
        100,
        None,
        "(#100) Invalid parameter",
    ))
    .await;
    let client = builder(&mock.url(), "EAAtok")
        .max_retries(0)
        .build()
        .unwrap();
    let tagged = SendOptions {
        messaging_type: MessagingType::MessageTag,
        tag: Some("POST_PURCHASE_UPDATE".into()),
        ..SendOptions::default()
    };
    let e = client
        .send("61", AudioSource::AttachmentId("1".into()), &tagged)
        .await
        .unwrap_err();
    assert_eq!(e.code(), E::MessageNotAllowed, "{e}");
    assert!(e.message().contains("HUMAN_AGENT"), "{e}");
    let e = client
        .send(
            "61",
            AudioSource::AttachmentId("1".into()),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), E::InvalidRequest, "{e}");
}

#[tokio::test]
async fn is_transient_makes_an_unknown_code_temporary() {
    let mut r = Reply::graph_error(500, 424242, None, "Something transient");
    let mut body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    body["error"]["is_transient"] = true.into();
    r.body = body.to_string();
    let mock = MockGraph::start(r).await;
    let client = builder(&mock.url(), "EAAtok")
        .max_retries(0)
        .build()
        .unwrap();
    let e = client
        .send(
            "61",
            AudioSource::AttachmentId("1".into()),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), E::TemporaryFailure);
    assert_eq!(e.is_transient(), Some(true));
}

#[tokio::test]
async fn bodies_that_are_not_graph_errors() {
    let mock = MockGraph::start(Reply::sent("x")).await;
    let client = builder(&mock.url(), "EAAtok")
        .max_retries(0)
        .build()
        .unwrap();
    let cases = [
        (
            Reply::raw(
                502,
                "text/html",
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
            ),
            E::TemporaryFailure,
            false,
        ),
        (
            Reply::raw(503, "text/plain", ""),
            E::TemporaryFailure,
            false,
        ),
        (
            Reply::raw(429, "text/plain", "slow down"),
            E::RateLimited,
            false,
        ),
        (
            Reply::raw(404, "text/plain", "no such route"),
            E::ApiError,
            false,
        ),
        (
            Reply::json(400, serde_json::json!({"error": "just a string"})),
            E::ApiError,
            false,
        ),
        (
            Reply::raw(200, "text/html", "<html>ok?</html>"),
            E::ApiError,
            true,
        ),
        (
            Reply::json(200, serde_json::json!({"recipient_id": "61"})),
            E::ApiError,
            true,
        ),
    ];
    for (reply, want, may) in cases {
        let status = reply.status;
        mock.set_fallback(reply);
        let e = client
            .send(
                "61",
                AudioSource::AttachmentId("1".into()),
                &SendOptions::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), want, "HTTP {status}: {e}");
        assert_eq!(e.may_have_been_delivered(), may, "HTTP {status}: {e}");
        assert_eq!(e.graph(), None);
        if status != 200 || !may {
            assert_eq!(e.http_status(), Some(status));
        }
        if status == 502 {
            assert!(
                e.message().contains("502 Bad Gateway"),
                "a snippet of the body: {e}"
            );
        }
    }
}

#[tokio::test]
async fn business_use_case_header_becomes_retry_after() {
    let buc = r#"{"104857600123456":[{"type":"messenger","call_count":100,"total_cputime":12,"total_time":9,"estimated_time_to_regain_access":2}]}"#;
    let mock = MockGraph::start(
        Reply::graph_error(
            400,
            80006,
            None,
            "(#80006) There have been too many messages sent to this user.",
        )
        .header("X-Business-Use-Case-Usage", buc),
    )
    .await;
    let client = builder(&mock.url(), "EAAtok").build().unwrap();
    let started = std::time::Instant::now();
    let e = client
        .send(
            "61",
            AudioSource::AttachmentId("1".into()),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), E::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(120)), "2 minutes");
    assert_eq!(
        mock.hits(),
        1,
        "a 2-minute wait is handed to the caller, not slept through"
    );
    assert!(started.elapsed() < Duration::from_secs(5));

    // Meta asked the Page to pause: the same client does not call again meanwhile.
    let e = client
        .send(
            "62",
            AudioSource::AttachmentId("1".into()),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), E::RateLimited, "{e}");
    assert!(e.retry_after().unwrap() > Duration::from_secs(100), "{e:?}");
    assert!(e.graph().is_none(), "decided locally");
    assert_eq!(mock.hits(), 1);

    // A plain Retry-After header (seconds) is honoured too.
    let client = builder(&mock.url(), "EAAtok").build().unwrap();
    mock.set_fallback(
        Reply::graph_error(
            400,
            613,
            None,
            "(#613) Calls to this api have exceeded the rate limit.",
        )
        .header("Retry-After", "90"),
    );
    let e = client
        .send(
            "61",
            AudioSource::AttachmentId("1".into()),
            &SendOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(90)));
}
