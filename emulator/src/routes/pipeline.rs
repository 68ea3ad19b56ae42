//! The path every Send API request takes: faults decided before the body, body read, attempt
//! counted, faults for the recipient, token and proof, Page in the path, rate limit, then the
//! endpoint's own work; slow and dropped-after-body faults are applied to the answer.

use crate::auth::{authenticate, find_token};
use crate::config::PageConfig;
use crate::faults::{Fault, FaultKind};
use crate::graph_error::GraphErrorReply;
use crate::rate_limit::BUC_HEADER;
use crate::request::{read_params, Params};
use crate::server::ConnectionKill;
use crate::state::AppState;
use crate::validate::recipient_psid;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;

/// Which endpoint family a request hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `/messages`: send.
    Messages,
    /// `/message_attachments`: upload only.
    Attachments,
}

/// What an endpoint's own work sees.
pub(crate) struct Call<'a> {
    pub state: &'a AppState,
    pub page: &'a PageConfig,
    pub params: &'a Params,
    pub api_version: &'a str,
}

/// Runs a request through the shared steps, then the endpoint's work.
pub(crate) async fn run(
    state: Arc<AppState>,
    endpoint: Endpoint,
    version: String,
    node: String,
    req: Request<Body>,
) -> Response {
    let kill = req.extensions().get::<ConnectionKill>().cloned();
    let headers = req.headers().clone();
    // The path only: the query string may carry the token.
    let path = req.uri().path().to_owned();
    let count = |psid: Option<&str>| match endpoint {
        Endpoint::Messages => state.store.count_attempt(psid),
        Endpoint::Attachments => state.store.count_upload_attempt(),
    };
    if !version.is_empty() && !super::is_version(&version) {
        count(None);
        return GraphErrorReply::unknown_path(&version).into_response();
    }
    let early = state.faults.pick(None);
    if early.is_some_and(|f| f.kind == FaultKind::DropBeforeBody) {
        count(None);
        log(&path, None, "fault: connection dropped before the body");
        return drop_connection(kill).await;
    }
    let params = match read_params(req, state.config.audio.max_bytes).await {
        Ok(p) => p,
        Err(e) => {
            count(None);
            log(&path, None, &describe_error(&e));
            return e.into_response();
        }
    };
    let psid = (endpoint == Endpoint::Messages)
        .then(|| recipient_psid(&params))
        .flatten();
    count(psid.as_deref());
    let fault = early.or_else(|| psid.as_deref().and_then(|p| state.faults.pick(Some(p))));
    if let Some(f) = fault {
        let reply = match f.kind {
            FaultKind::DropBeforeBody => {
                log(
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
            log(
                &path,
                psid.as_deref(),
                &format!("fault: {}", describe_error(&reply)),
            );
            return reply.into_response();
        }
    }
    let mut buc = None;
    let result = authorised(
        &state, endpoint, &params, &headers, &node, &version, &mut buc,
    )
    .await;
    let mut response = match result {
        Ok(body) => {
            let id = body
                .get("message_id")
                .or_else(|| body.get("attachment_id"))
                .and_then(Value::as_str)
                .unwrap_or("");
            log(&path, psid.as_deref(), &format!("200 {id}"));
            Json(body).into_response()
        }
        Err(e) => {
            log(&path, psid.as_deref(), &describe_error(&e));
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

async fn authorised(
    state: &AppState,
    endpoint: Endpoint,
    params: &Params,
    headers: &axum::http::HeaderMap,
    node: &str,
    version: &str,
    buc: &mut Option<String>,
) -> Result<Value, GraphErrorReply> {
    let token_param = params
        .text("access_token")
        .or_else(|| params.text("oauth_token"));
    let token = find_token(token_param.as_deref(), headers);
    let proof = params.text("appsecret_proof");
    let page = authenticate(&state.config, token.as_deref(), proof.as_deref())?;
    if node != "me" && node != page.id {
        return Err(GraphErrorReply::unsupported("POST", node));
    }
    let usage = state.rate.acquire(&page.id, Instant::now());
    *buc = Some(state.rate.header(&page.id, &usage));
    if !usage.admitted {
        return Err(GraphErrorReply::rate_limited());
    }
    let call = Call {
        state,
        page: &page,
        params,
        api_version: version,
    };
    match endpoint {
        Endpoint::Messages => super::messages::work(call).await,
        Endpoint::Attachments => super::attachments::work(call).await,
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

/// One line per request: path (never the query), recipient, outcome. Never the token.
fn log(path: &str, psid: Option<&str>, outcome: &str) {
    tracing::info!(target: "svara_emulator", "POST {path} recipient={} -> {outcome}", psid.unwrap_or("-"));
}

fn describe_error(e: &GraphErrorReply) -> String {
    match e.subcode {
        Some(sub) => format!("{} error {}/{sub}", e.status.as_u16(), e.code),
        None => format!("{} error {}", e.status.as_u16(), e.code),
    }
}
