//! Facebook Messenger through Meta's Send API: AAC in M4A, 25 MB, 10 audio sends per second
//! per Page, one multipart call that uploads and sends, or a small JSON send of a reusable
//! `attachment_id`. The session is `{page_access_token}` (`META_PAGE_TOKEN`).
//!
//! Sources: `../shared/reference/messenger-send-api.md` (Send API, Attachment Upload API, the
//! (code, subcode) table, rate limits).

pub(crate) mod errors;
pub(crate) mod request;

pub use errors::RETIRED_TAGS;

use super::meta::{self, GraphReader};
use super::{
    foreign_session_key, string_field, Built, Call, Credentials, Failure, Media, Platform,
    PlatformApi, PlatformSpec, Reuse, SendContext, SessionKey,
};
use crate::audio::TargetFormat;
use crate::client::{AudioFile, AuthFields, ClientConfig, SendOptions, SendResult};
use crate::client::{TokenPlacement, TOKEN_ENV};
use crate::error::{Error, Result};
use crate::request::Session;
use crate::secret::PageToken;
use reqwest::header::HeaderMap;

/// Messenger's facts.
pub const SPEC: PlatformSpec = PlatformSpec {
    name: "messenger",
    title: "Messenger",
    target: TargetFormat::M4aAac,
    // "Attachment size limit: 25 MB" (Send API reference; MSG-REF section 3).
    max_bytes: 26_214_400,
    max_bytes_text: "25 MB",
    inline_player_bytes: None,
    // 10 audio/video sends per second per Page (MSG-REF section 5).
    sends_per_second: 10.0,
    per_recipient_interval: None,
    reuse: Reuse::UploadCall,
    recipient: "the person's Page-Scoped ID (PSID) from a webhook event of this Page",
    recipient_example: "6128493027184956",
    session: &[SessionKey {
        name: "page_access_token",
        secret: true,
        required: true,
        env: Some(TOKEN_ENV),
        description: "the access token of the Page that sends (with pages_messaging)",
    }],
    session_forms: &["{page_access_token}"],
    reusable_id: "attachment_id",
};

/// `{page_access_token}`, or the client's own token, or `META_PAGE_TOKEN`.
pub(crate) fn credentials(
    session: &Session,
    client_token: Option<&PageToken>,
) -> Result<Credentials> {
    if let Some(key) = session
        .given()
        .into_iter()
        .find(|k| *k != "page_access_token")
    {
        return Err(foreign_session_key(Platform::Messenger, key));
    }
    let given = match (session.page_access_token.as_ref(), client_token) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid_request(
                "Give the token once: either page_access_token or session.page_access_token.",
            ))
        }
        (a, b) => a.or(b).cloned(),
    };
    given
        .filter(|t| !t.is_blank())
        .or_else(|| super::env_token(TOKEN_ENV))
        .map(Credentials::token)
        .ok_or_else(|| {
            Error::invalid_request(format!(
                "The Page access token is missing: pass session.page_access_token (or set {TOKEN_ENV})."
            ))
        })
}

/// The Send API calls of one Page.
pub(crate) struct Messenger {
    base: String,
    version: String,
    node: String,
    token: PageToken,
    placement: TokenPlacement,
    auth: AuthFields,
}

impl Messenger {
    pub(crate) fn new(config: &ClientConfig) -> Result<Self> {
        Ok(Messenger {
            base: config.graph_url.clone(),
            version: config.api_version.clone(),
            node: config.page_id.clone().unwrap_or_else(|| "me".to_owned()),
            token: config.token.clone(),
            placement: config.token_placement,
            auth: meta::auth_fields(config, config.token_placement),
        })
    }
}

/// The result of a Graph send: `{"recipient_id", "message_id"}` (+ `attachment_id`).
pub(crate) fn graph_send_result(
    platform: Platform,
    answer: &serde_json::Map<String, serde_json::Value>,
) -> Result<SendResult> {
    let message_id =
        string_field(answer, "message_id").ok_or_else(|| super::no_message_id(platform))?;
    let mut result = SendResult::new(platform, message_id);
    result.recipient_id = string_field(answer, "recipient_id");
    result.attachment_id = string_field(answer, "attachment_id");
    Ok(result)
}

impl PlatformApi for Messenger {
    fn platform(&self) -> Platform {
        Platform::Messenger
    }

    fn url(&self, call: Call) -> Result<url::Url> {
        let edge = match call {
            Call::Upload => "message_attachments",
            Call::Send => "messages",
        };
        meta::graph_url(&self.base, &self.version, &self.node, edge)
    }

    fn bearer(&self) -> Option<&PageToken> {
        (self.placement == TokenPlacement::BearerHeader).then_some(&self.token)
    }

    fn secret(&self) -> &PageToken {
        &self.token
    }

    fn sends_files(&self) -> bool {
        true
    }

    fn upload_body(&self, file: &AudioFile) -> Option<Built> {
        Some(request::upload_form(file, &self.auth, None))
    }

    fn send_body(&self, recipient: &str, media: Media<'_>, options: &SendOptions) -> Built {
        match media {
            Media::File(file) => request::send_form(recipient, options, file, &self.auth),
            Media::Id(id) => request::attachment_json(recipient, options, id, &self.auth, true),
        }
    }

    fn read_upload(&self, answer: &serde_json::Map<String, serde_json::Value>) -> Result<String> {
        string_field(answer, "attachment_id")
            .ok_or_else(|| super::no_upload_id(Platform::Messenger))
    }

    fn read_send(
        &self,
        answer: &serde_json::Map<String, serde_json::Value>,
        _recipient: &str,
    ) -> Result<SendResult> {
        graph_send_result(Platform::Messenger, answer)
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
            who: "The Graph API",
            label: "Graph error",
            token: &self.token,
            call,
            retry_server_errors_on_send: true,
        }
        .read(status, headers, body, |g| errors::classify(g, ctx))
    }
}
