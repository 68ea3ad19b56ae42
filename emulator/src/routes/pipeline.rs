//! The path every send and upload takes, in the order Meta reports errors:
//!
//! 1. faults decided before the body (share-based rules, like an outage);
//! 2. the body, read within `limits.body_timeout` and its size limits;
//! 3. faults for the recipient (rules naming PSIDs);
//! 4. token, `appsecret_proof`, the Page in the path;
//! 5. parameters: `sender_action` or `message` (valid JSON, text or attachment, templates,
//!    quick replies, the file part), then `recipient`, `messaging_type`, `tag` (and its
//!    policy: HUMAN_AGENT granted, CUSTOMER_FEEDBACK only with its template),
//!    `notification_type`;
//! 6. the rate limit: only sends that got this far count (audio and video in one budget,
//!    everything else in another); uploads do not;
//! 7. the person: known PSID, blocked, unavailable, app not live, the window;
//! 8. the media: saved id, URL download or the uploaded file, its type, size and bytes;
//! 9. recorded, answered; slow and dropped-after-body faults are applied to the answer.
//!
//! Every request is counted exactly once, as accepted or refused (per error code).

use super::Endpoint;
use crate::auth::{authenticate, find_token};
use crate::config::PageConfig;
use crate::faults::{Fault, FaultKind};
use crate::graph_error::GraphErrorReply;
use crate::message::{read_content, Content};
use crate::rate_limit::BUC_HEADER;
use crate::request::{read_params, Params};
use crate::server::ConnectionKill;
use crate::state::AppState;
use crate::validate::recipient_psid;
use crate::versions::Version;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;

/// Which of Meta's messaging surfaces a Graph call is for: Messenger, or Instagram (the
/// Instagram messaging API takes the same requests, with its own people, rules and errors:
/// `crate::instagram`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Surface {
    Messenger,
    Instagram,
}

impl Surface {
    /// The platform name in the record.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Surface::Messenger => "messenger",
            Surface::Instagram => "instagram",
        }
    }
}

/// What an endpoint's own work sees.
pub(crate) struct Call<'a> {
    pub state: &'a AppState,
    /// The sender: a Page (an Instagram account appears as a Page with the account's id).
    pub page: &'a PageConfig,
    pub surface: Surface,
    pub params: &'a Params,
    pub content: &'a Content,
    /// The version in the path (`v25.0`), empty when unversioned.
    pub api_version: &'a str,
    /// The version that serves the call.
    pub served: Version,
}

/// Runs a request through the shared steps, then the endpoint's work.
pub(crate) async fn run(
    state: Arc<AppState>,
    endpoint: Endpoint,
    version: String,
    served: Version,
    node: String,
    req: Request<Body>,
) -> Response {
    let kill = req.extensions().get::<ConnectionKill>().cloned();
    let headers = req.headers().clone();
    // The path only: the query string may carry the token.
    let path = req.uri().path().to_owned();
    let upload = endpoint == Endpoint::Attachments;
    let refuse = |psid: Option<&str>, key: &str| {
        let known = psid.is_some_and(|p| state.people.is_known(p));
        state.store.refuse(upload, psid, known, key);
    };
    let early = state.faults.pick(None);
    if early.is_some_and(|f| f.kind == FaultKind::DropBeforeBody) {
        refuse(None, "fault:drop_before_body");
        log_line(
            "POST",
            &path,
            None,
            "fault: connection dropped before the body",
        );
        return drop_connection(kill).await;
    }
    let limits = &state.config.limits;
    let read = read_params(req, state.config.audio.max_bytes, limits);
    let params = match tokio::time::timeout(limits.body_timeout.0, read).await {
        Ok(Ok(p)) => p,
        Ok(Err((e, partial))) => {
            let psid = (!upload).then(|| recipient_psid(&partial)).flatten();
            refuse(psid.as_deref(), &e.key());
            log_line("POST", &path, psid.as_deref(), &e.describe());
            return e.into_response();
        }
        Err(_) => {
            let e = GraphErrorReply::body_timeout(&limits.body_timeout);
            refuse(None, &e.key());
            log_line("POST", &path, None, &e.describe());
            return e.into_response();
        }
    };
    let psid = (!upload).then(|| recipient_psid(&params)).flatten();
    let fault = early.or_else(|| psid.as_deref().and_then(|p| state.faults.pick(Some(p))));
    if let Some(f) = fault {
        let reply = match f.kind {
            FaultKind::DropBeforeBody => {
                refuse(psid.as_deref(), "fault:drop_before_body");
                log_line(
                    "POST",
                    &path,
                    psid.as_deref(),
                    "fault: connection dropped, not processed",
                );
                return drop_connection(kill).await;
            }
            FaultKind::Http500 => Some(GraphErrorReply::internal_500()),
            FaultKind::Error1200 => Some(GraphErrorReply::temporary_1200()),
            FaultKind::Error2 => Some(GraphErrorReply::unexpected_2()),
            FaultKind::Slow | FaultKind::DropAfterBody => None,
        };
        if let Some(reply) = reply {
            refuse(psid.as_deref(), &reply.key());
            log_line(
                "POST",
                &path,
                psid.as_deref(),
                &format!("fault: {}", reply.describe()),
            );
            return reply.into_response();
        }
    }
    let mut buc = None;
    let result = authorised(
        &state, endpoint, &params, &headers, &node, &version, served, &mut buc,
    )
    .await;
    let mut response = match result {
        Ok(body) => {
            let id = body
                .get("message_id")
                .or_else(|| body.get("attachment_id"))
                .and_then(Value::as_str)
                .unwrap_or("");
            log_line("POST", &path, psid.as_deref(), &format!("200 {id}"));
            Json(body).into_response()
        }
        Err(e) => {
            refuse(psid.as_deref(), &e.key());
            log_line("POST", &path, psid.as_deref(), &e.describe());
            e.into_response()
        }
    };
    if let Some(value) = buc.and_then(|v| HeaderValue::from_str(&v).ok()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(BUC_HEADER), value);
    }
    after_fault(fault, kill, response).await
}

#[allow(clippy::too_many_arguments)]
async fn authorised(
    state: &AppState,
    endpoint: Endpoint,
    params: &Params,
    headers: &axum::http::HeaderMap,
    node: &str,
    version: &str,
    served: Version,
    buc: &mut Option<String>,
) -> Result<Value, GraphErrorReply> {
    let token_param = params
        .text("access_token")
        .or_else(|| params.text("oauth_token"));
    let token = find_token(token_param.as_deref(), headers);
    let proof = params.text("appsecret_proof");
    if let Some(who) = crate::instagram::identify(state, token.as_deref(), params) {
        return crate::instagram::handle(
            state,
            endpoint,
            params,
            who,
            proof.as_deref(),
            (node, version, served),
            buc,
        )
        .await;
    }
    let page = authenticate(&state.config, token.as_deref(), proof.as_deref())?;
    if node != "me" && node != page.id {
        return Err(GraphErrorReply::unsupported("POST", node));
    }
    let content = read_content(params, endpoint == Endpoint::Attachments)?;
    let call = Call {
        state,
        page: &page,
        surface: Surface::Messenger,
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
                return Err(GraphErrorReply::rate_limited());
            }
            crate::validate::check_recipient(&state.people, &page, &envelope)?;
            super::send::work(call, envelope).await
        }
        Endpoint::Attachments => super::upload::work(call).await,
    }
}

async fn after_fault(
    fault: Option<Fault>,
    kill: Option<ConnectionKill>,
    response: Response,
) -> Response {
    match fault.map(|f| (f.kind, f.delay)) {
        Some((FaultKind::Slow, delay)) => {
            tracing::info!(target: "svara_emulator", "fault: answer held back {delay:?}");
            tokio::time::sleep(delay).await;
            response
        }
        Some((FaultKind::DropAfterBody, _)) => {
            tracing::info!(target: "svara_emulator", "fault: processed, connection dropped before the answer");
            drop_connection(kill).await
        }
        _ => response,
    }
}

/// Closes the connection without an answer (the handler never completes).
async fn drop_connection(kill: Option<ConnectionKill>) -> Response {
    match kill {
        Some(k) => {
            k.fire();
            std::future::pending::<Response>().await
        }
        None => GraphErrorReply::internal_500().into_response(),
    }
}

/// One line per request: method, path (never the query), recipient (cut to 32 characters),
/// outcome. Never the token.
pub(crate) fn log_line(method: &str, path: &str, psid: Option<&str>, outcome: &str) {
    let psid: String = psid.unwrap_or("-").chars().take(32).collect();
    let path: String = path.chars().take(200).collect();
    tracing::info!(target: "svara_emulator", "{method} {path} recipient={psid} -> {outcome}");
}
