//! Instagram Direct through Meta's Instagram messaging API: AAC in M4A (Instagram lists aac,
//! m4a, wav and mp4 for audio; Ogg only for video), 25 MB, 10 audio sends per second per
//! account. Two hosts, one shape:
//! - Instagram Login: `{access_token, ig_user_id}` on `graph.instagram.com`, the token in an
//!   `Authorization: Bearer` header, `/{ig_user_id}/...` (`/me/...` without the id);
//! - Facebook Login: `{page_access_token}` of the Page linked to the account, on
//!   `graph.facebook.com`, `/me/...` (or `/{page_id}/...`), the token as on Messenger.
//!
//! The audio is uploaded once (`message_attachments` with `platform=instagram`, reusable) and
//! sent by its `attachment_id`: an upload is always safe to retry, a send is a small JSON call,
//! and `send_many` reuses the id (research section 3.8).
//!
//! Sources (`/work/coord/platforms-research.md` section 3): I-SEND ("Send a Message"), I-UP
//! ("Upload Media for Instagram Messaging"), I-IGL ("Send Messages", Instagram API with
//! Instagram Login), I-HOST (hosts and tokens), G-RL (rate limits). The multipart upload on
//! the Instagram Login host is documented only by third-party code (L-BUILDERBOT): see the
//! README's platform notes.

pub(crate) mod errors;

use super::messenger::{graph_send_result, request};
use super::meta::{self, GraphReader};
use super::{
    foreign_session_key, string_field, Built, Call, Credentials, Failure, Media, Platform,
    PlatformApi, PlatformSpec, Reuse, SendContext, SessionKey,
};
use crate::audio::TargetFormat;
use crate::client::TokenPlacement;
use crate::client::{AudioFile, AuthFields, ClientConfig, SendOptions, SendResult};
use crate::error::{Error, ErrorCode, Result};
use crate::request::Session;
use crate::secret::PageToken;
use reqwest::header::HeaderMap;

/// Environment variable holding an Instagram user access token (Instagram Login).
pub const TOKEN_ENV: &str = "INSTAGRAM_ACCESS_TOKEN";

/// The Instagram Login host (research I-HOST).
pub const DEFAULT_INSTAGRAM_URL: &str = "https://graph.instagram.com";

/// Instagram's facts.
pub const SPEC: PlatformSpec = PlatformSpec {
    name: "instagram",
    title: "Instagram",
    target: TargetFormat::M4aAac,
    // I-SEND: audio "aac, m4a, wav, mp4", max 25 MB.
    max_bytes: 26_214_400,
    max_bytes_text: "25 MB",
    inline_player_bytes: None,
    // G-RL: 10 calls per second for audio or video per Instagram professional account.
    sends_per_second: 10.0,
    per_recipient_interval: None,
    reuse: Reuse::UploadCall,
    recipient: "the person's Instagram-scoped ID (IGSID) from a webhook event of this account",
    recipient_example: "17841400000000001",
    session: &[
        SessionKey {
            name: "access_token",
            secret: true,
            required: true,
            env: Some(TOKEN_ENV),
            description: "the Instagram user access token (Instagram Login)",
        },
        SessionKey {
            name: "ig_user_id",
            secret: false,
            required: false,
            env: None,
            description: "the Instagram professional account id (Instagram Login; /me when absent)",
        },
        SessionKey {
            name: "page_access_token",
            secret: true,
            required: false,
            env: None,
            description: "the token of the Page linked to the account (Facebook Login)",
        },
    ],
    session_forms: &["{access_token, ig_user_id}", "{page_access_token}"],
    reusable_id: "attachment_id",
};

/// `{access_token, ig_user_id}` (Instagram Login), or `{page_access_token}` / the client's own
/// token (Facebook Login), or `INSTAGRAM_ACCESS_TOKEN` (Instagram Login).
pub(crate) fn credentials(
    session: &Session,
    client_token: Option<&PageToken>,
) -> Result<Credentials> {
    if let Some(key) = session
        .given()
        .into_iter()
        .find(|k| !matches!(*k, "access_token" | "ig_user_id" | "page_access_token"))
    {
        return Err(foreign_session_key(Platform::Instagram, key));
    }
    let page_token = match (session.page_access_token.as_ref(), client_token) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid_request(
                "Give the token once: either page_access_token or session.page_access_token.",
            ))
        }
        (a, b) => a.or(b).filter(|t| !t.is_blank()).cloned(),
    };
    let user_token = session.access_token.clone().filter(|t| !t.is_blank());
    let ig_user_id = match session.ig_user_id.as_deref().map(str::trim) {
        Some(id) if id.is_empty() || id.contains(['/', '?', '#']) || id.contains(char::is_whitespace) => {
            return Err(Error::invalid_request(
                "session.ig_user_id must be the numeric id of the Instagram professional account (or leave it out to send as /me).",
            ))
        }
        other => other.map(str::to_owned),
    };
    match (user_token, page_token) {
        (Some(_), Some(_)) => Err(Error::invalid_request(
            "Give one Instagram token: session.access_token (Instagram Login, with ig_user_id) or session.page_access_token (Facebook Login), not both.",
        )),
        (None, Some(_)) if ig_user_id.is_some() => Err(Error::invalid_request(
            "session.ig_user_id goes with session.access_token (Instagram Login); with a Page token (Facebook Login) the Page's linked account sends, optionally through page_id.",
        )),
        (None, Some(token)) => Ok(Credentials::token(token)),
        (Some(token), None) => Ok(Credentials {
            instagram_login: true,
            ig_user_id,
            ..Credentials::token(token)
        }),
        (None, None) => match super::env_token(TOKEN_ENV) {
            Some(token) => Ok(Credentials {
                instagram_login: true,
                ig_user_id,
                ..Credentials::token(token)
            }),
            None => Err(Error::invalid_request(format!(
                "The Instagram token is missing: pass session.access_token with session.ig_user_id (Instagram Login; or set {TOKEN_ENV}), or session.page_access_token (Facebook Login)."
            ))),
        },
    }
}

/// Instagram's sentences where the general hint would point at Messenger.
pub(crate) fn hint(code: ErrorCode) -> Option<&'static str> {
    Some(match code {
        ErrorCode::InvalidToken => "Pass a valid Instagram user access token as session.access_token (Instagram Login, or INSTAGRAM_ACCESS_TOKEN), or the linked Page's token as session.page_access_token (Facebook Login); generate a new one if it expired.",
        ErrorCode::RecipientNotFound => "Use the Instagram-scoped ID (IGSID) from a webhook event of this same account; Instagram user ids and usernames are not accepted.",
        ErrorCode::MessageNotAllowed => "The person must message the account first (24-hour window), or send with messaging_type MESSAGE_TAG and tag HUMAN_AGENT within 7 days; people who blocked the account cannot be reached.",
        ErrorCode::RateLimited => "Slow down: Instagram allows about 10 audio sends per second per account; wait retry_after seconds before trying again.",
        ErrorCode::PermissionDenied => "Grant instagram_business_manage_messages (Instagram Login) or instagram_manage_messages (Facebook Login), link the Page to the account, and allow access to messages in the Instagram app's settings.",
        _ => return None,
    })
}

/// The messaging calls of one Instagram professional account.
pub(crate) struct Instagram {
    base: String,
    version: String,
    node: String,
    token: PageToken,
    bearer: bool,
    auth: AuthFields,
}

impl Instagram {
    pub(crate) fn new(config: &ClientConfig) -> Result<Self> {
        // Instagram Login documents the token in the Authorization header only.
        let placement = if config.instagram_login {
            TokenPlacement::BearerHeader
        } else {
            config.token_placement
        };
        let node = if config.instagram_login {
            config.ig_user_id.clone()
        } else {
            config.page_id.clone()
        };
        Ok(Instagram {
            base: config.graph_url.clone(),
            version: config.api_version.clone(),
            node: node.unwrap_or_else(|| "me".to_owned()),
            token: config.token.clone(),
            bearer: placement == TokenPlacement::BearerHeader,
            auth: meta::auth_fields(config, placement),
        })
    }
}

impl PlatformApi for Instagram {
    fn platform(&self) -> Platform {
        Platform::Instagram
    }

    fn url(&self, call: Call) -> Result<url::Url> {
        let edge = match call {
            Call::Upload => "message_attachments",
            Call::Send => "messages",
        };
        meta::graph_url(&self.base, &self.version, &self.node, edge)
    }

    fn bearer(&self) -> Option<&PageToken> {
        self.bearer.then_some(&self.token)
    }

    fn secret(&self) -> &PageToken {
        &self.token
    }

    fn sends_files(&self) -> bool {
        false
    }

    fn upload_body(&self, file: &AudioFile) -> Option<Built> {
        Some(request::upload_form(file, &self.auth, Some("instagram")))
    }

    fn send_body(&self, recipient: &str, media: Media<'_>, options: &SendOptions) -> Built {
        match media {
            Media::Id(id) => request::attachment_json(recipient, options, id, &self.auth, false),
            // Not asked for (`sends_files` is false); Meta's one-call form is the fallback.
            Media::File(file) => request::send_form(recipient, options, file, &self.auth),
        }
    }

    fn read_upload(&self, answer: &serde_json::Map<String, serde_json::Value>) -> Result<String> {
        string_field(answer, "attachment_id")
            .ok_or_else(|| super::no_upload_id(Platform::Instagram))
    }

    fn read_send(
        &self,
        answer: &serde_json::Map<String, serde_json::Value>,
        _recipient: &str,
    ) -> Result<SendResult> {
        graph_send_result(Platform::Instagram, answer)
    }

    fn read_error(
        &self,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
        call: Call,
        ctx: SendContext,
    ) -> Failure {
        GraphReader {
            who: "Instagram",
            label: "Graph error",
            token: &self.token,
            call,
            retry_server_errors_on_send: false,
        }
        .read(status, headers, body, |g| errors::classify(g, ctx, call))
    }
}
