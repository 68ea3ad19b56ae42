//! Instagram's messaging API on the emulator's Graph routes: the Instagram Login host
//! (`graph.instagram.com`: `POST /{v}/{ig_user_id or me}/messages` and `/message_attachments`
//! with an Instagram user token in `Authorization: Bearer`) and Facebook Login
//! (`graph.facebook.com`: the same edges with the token of the Page linked to the account).
//! Both are served on the same port as Messenger: a call is Instagram's when its token is an
//! Instagram Login token, or a linked Page's token on a request for Instagram (an upload with
//! `platform=instagram`, a saved Instagram attachment, or a known IGSID).
//!
//! What differs from Messenger (research section 3, I-SEND, I-UP, M-ERR, G-RL): the people are
//! the account's IGSIDs (unknown: 100/2534014 "No matching Instagram user"), the window closes
//! with 10/2534022, an unavailable person is 200/1545041, the budget is 10 audio sends per
//! second per account (613/2534040), and audio must be aac, m4a, wav or mp4 (Ogg is listed for
//! video only: refused with 100/2018047, our choice where Meta's exact answer is unconfirmed).

mod config;

pub use config::*;

use crate::config::PsidStatus;
use crate::graph_error::GraphErrorReply;
use crate::message::{read_content, MessageKind};
use crate::people::People;
use crate::request::Params;
use crate::routes::pipeline::{Call, Surface};
use crate::routes::Endpoint;
use crate::state::AppState;
use crate::validate::Envelope;
use crate::versions::Version;
use serde_json::Value;
use std::time::Instant;
use svara::AudioInfo;

/// Who is calling on Instagram.
pub(crate) struct Who {
    account: InstagramAccountConfig,
    /// An Instagram Login token (else the linked Page's token, Facebook Login).
    login: bool,
    expired: bool,
    token: String,
}

/// The people of every account, scoped to their account.
pub(crate) fn people(config: &crate::config::EmulatorConfig, started: Instant) -> People {
    let list = config
        .instagram
        .accounts
        .iter()
        .flat_map(|a| {
            a.people.iter().map(|p| {
                let mut p = p.clone();
                p.page_id = Some(a.id.clone());
                p
            })
        })
        .collect();
    People::from_list(list, config.accept_any_psid, started)
}

/// The account a test-mode token stands for: id `17841` and 12 digits of the token's hash.
fn account_for_unknown_token(token: &str) -> InstagramAccountConfig {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(token.as_bytes());
    let n = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes")) % 1_000_000_000_000;
    InstagramAccountConfig {
        id: format!("17841{n:012}"),
        username: "svara.test.mode".to_owned(),
        tokens: vec![token.into()],
        ..InstagramAccountConfig::default()
    }
}

/// Whether a request with a Page token is for Instagram: an upload with `platform=instagram`,
/// a send of a saved Instagram attachment, or a send to a known IGSID.
fn for_instagram(state: &AppState, params: &Params) -> bool {
    if params
        .text("platform")
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("instagram"))
    {
        return true;
    }
    let saved = params
        .json("message")
        .and_then(|m| {
            m.pointer("/attachment/payload/attachment_id")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .and_then(|id| state.store.attachment(&id));
    if saved.is_some_and(|a| a.platform == "instagram") {
        return true;
    }
    crate::validate::recipient_psid(params).is_some_and(|r| state.ig_people.is_known(&r))
}

/// The Instagram account of a call, if it is one.
pub(crate) fn identify(state: &AppState, token: Option<&str>, params: &Params) -> Option<Who> {
    let token = token?;
    let config = &state.config;
    if let Some((account, expired)) = config.instagram.account_for_token(token) {
        return Some(Who {
            account: account.clone(),
            login: true,
            expired,
            token: token.to_owned(),
        });
    }
    let configured = config.pages.iter().find(|p| {
        p.tokens
            .iter()
            .chain(&p.expired_tokens)
            .any(|t| t.expose() == token)
    });
    match configured {
        Some(page) => {
            let account = config.instagram.account_of_page(&page.id)?;
            for_instagram(state, params).then(|| Who {
                account: account.clone(),
                login: false,
                expired: false,
                token: token.to_owned(),
            })
        }
        None if config.accept_any_token && !token.trim().is_empty() => for_instagram(state, params)
            .then(|| Who {
                account: account_for_unknown_token(token),
                login: true,
                expired: false,
                token: token.to_owned(),
            }),
        None => None,
    }
}

/// Instagram's own refusals.
fn no_matching_user() -> GraphErrorReply {
    GraphErrorReply::custom(100, Some(2_534_014), "(#100) No matching Instagram user")
}

fn outside_window() -> GraphErrorReply {
    GraphErrorReply::custom(
        10,
        Some(2_534_022),
        "(#10) This message is sent outside of allowed window.",
    )
}

fn unavailable() -> GraphErrorReply {
    GraphErrorReply::custom(
        200,
        Some(1_545_041),
        "(#200) Message Not Sent: This person isn't available right now.",
    )
}

fn rate_limited() -> GraphErrorReply {
    let mut e = GraphErrorReply::custom(
        613,
        Some(2_534_040),
        "(#613) Calls to this api have exceeded the rate limit.",
    );
    e.is_transient = true;
    e
}

/// Instagram's audio rule: "aac, m4a, wav, mp4" (I-SEND); a file name must be ASCII (I-UP).
pub(crate) fn check_audio(
    kind: MessageKind,
    audio: Option<&AudioInfo>,
    filename: Option<&str>,
) -> Result<(), GraphErrorReply> {
    if kind != MessageKind::Audio {
        return Ok(());
    }
    if filename.is_some_and(|n| !n.is_ascii()) {
        return Err(GraphErrorReply::upload_failed(
            "media file names with non-ASCII characters are not supported for Instagram attachment uploads",
        ));
    }
    match audio {
        Some(a) if a.container == "mp4" || a.container == "wav" => Ok(()),
        Some(a) => Err(GraphErrorReply::upload_failed(&format!(
            "Instagram takes audio as aac, m4a, wav or mp4, not {} in {} (svara-emulator's reading of Meta's format list; Meta's exact answer to other audio is unconfirmed)",
            a.codec, a.container
        ))),
        None => Ok(()),
    }
}

/// The person: a known IGSID of the account, reachable, inside the window.
fn check_person(
    people: &People,
    account_id: &str,
    envelope: &Envelope,
) -> Result<(), GraphErrorReply> {
    let (person, age) = people
        .lookup(account_id, &envelope.recipient)
        .ok_or_else(no_matching_user)?;
    match person.status {
        PsidStatus::Blocked => return Err(GraphErrorReply::blocked()),
        PsidStatus::Unavailable => return Err(unavailable()),
        PsidStatus::Active => {}
    }
    if age > envelope.window {
        return Err(outside_window());
    }
    Ok(())
}

/// Runs an Instagram call through the shared Send API steps with Instagram's rules.
pub(crate) async fn handle(
    state: &AppState,
    endpoint: Endpoint,
    params: &Params,
    who: Who,
    proof: Option<&str>,
    (node, version, served): (&str, &str, Version),
    buc: &mut Option<String>,
) -> Result<Value, GraphErrorReply> {
    if who.expired {
        return Err(GraphErrorReply::token_expired());
    }
    if !who.login {
        // Facebook Login: the linked Page's token, with its appsecret_proof rules.
        crate::auth::authenticate(&state.config, Some(&who.token), proof)?;
    }
    let account = &who.account;
    let linked = account.page_id.as_deref() == Some(node) && !who.login;
    if node != "me" && node != account.id && !linked {
        return Err(GraphErrorReply::unsupported("POST", node));
    }
    let page = account.as_page();
    let content = read_content(params, endpoint == Endpoint::Attachments)?;
    let call = Call {
        state,
        page: &page,
        surface: Surface::Instagram,
        params,
        content: &content,
        api_version: version,
        served,
    };
    match endpoint {
        Endpoint::Messages => {
            let envelope = crate::validate::check_envelope(&state.config, &page, params, &content)?;
            let usage = state
                .rate
                .acquire(&page.id, content.kind().is_heavy(), Instant::now());
            *buc = Some(state.rate.header(&page.id, &usage));
            if !usage.admitted {
                return Err(rate_limited());
            }
            check_person(&state.ig_people, &account.id, &envelope)?;
            crate::routes::send::work(call, envelope).await
        }
        Endpoint::Attachments => crate::routes::upload::work(call).await,
    }
}
