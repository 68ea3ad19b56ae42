//! The HTTP surface: the Graph endpoints Meta serves for a bot (`POST /messages`,
//! `POST /message_attachments`, `GET /me`, `GET /{psid}`; Instagram's calls on the same edges,
//! `crate::instagram`), the WhatsApp Cloud API's `/{phone_number_id}/media` and `/messages`
//! (`crate::whatsapp`), the Telegram Bot API's `/bot{token}/...` (`crate::telegram`), the
//! `/__emulator/*` inspection endpoints, and Graph-shaped JSON for everything else — unknown
//! routes, unsupported methods, malformed paths and versions that never existed — never an
//! empty 405. Every Graph response carries the `facebook-api-version` header of the version
//! that served it.

mod graph_get;
mod inspect;
pub(crate) mod media;
pub(crate) mod pipeline;
pub(crate) mod send;
pub(crate) mod upload;

use crate::graph_error::GraphErrorReply;
use crate::state::AppState;
use crate::versions::{self, Version, VERSION_HEADER};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, Method, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// Builds the router.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/__emulator/messages", get(inspect::messages))
        .route("/__emulator/reset", post(inspect::reset))
        .route("/__emulator/health", get(inspect::health))
        .route("/__emulator/psids", post(inspect::upsert_psid))
        .route("/__emulator/audio/{sha256}", get(inspect::audio))
        .route("/__emulator/read", post(inspect::read))
        .route("/__emulator/webhooks", get(inspect::webhooks))
        .method_not_allowed_fallback(inspect::method_not_allowed)
        .fallback(graph)
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

/// Which endpoint family a request hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `/messages`: send.
    Messages,
    /// `/message_attachments`: upload only.
    Attachments,
}

/// A Graph path, split: the version (when the first segment is one) and the rest.
struct GraphPath {
    version: Option<Version>,
    segments: Vec<String>,
}

fn split_path(path: &str) -> GraphPath {
    let mut segments: Vec<String> = path
        .strip_prefix('/')
        .unwrap_or(path)
        .split('/')
        .map(percent_decode)
        .collect();
    if segments.last().is_some_and(String::is_empty) && segments.len() > 1 {
        segments.pop();
    }
    let version = segments.first().and_then(|s| versions::parse(s));
    if version.is_some() {
        segments.remove(0);
    }
    GraphPath { version, segments }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Every request that is not `/__emulator/*`: dispatched by method and path like Graph.
async fn graph(State(state): State<Arc<AppState>>, req: Request<Body>) -> Response {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let parsed = split_path(&path);
    let config = &state.config;
    // The Bot API: `/bot{token}/{method}`, whatever the HTTP method (Telegram takes GET too).
    if parsed.version.is_none() {
        if let Some(token) = parsed.segments.first().and_then(|s| s.strip_prefix("bot")) {
            if parsed.segments.len() >= 2 {
                let rest: Vec<&str> = parsed.segments[1..].iter().map(String::as_str).collect();
                return crate::telegram::route(&state, token, &rest, req).await;
            }
        }
    }
    if let Some(v) = parsed.version {
        if !versions::exists(config, v) {
            let reply = GraphErrorReply::unknown_path(
                &path,
                &format!(
                    " ({} is not a Graph API version; the newest is {})",
                    versions::format(v),
                    versions::NEWEST
                ),
            );
            return with_version(reply.into_response(), versions::served(config, None));
        }
    }
    let served = versions::served(config, parsed.version);
    let version_text = parsed.version.map(versions::format).unwrap_or_default();
    let segs: Vec<&str> = parsed.segments.iter().map(String::as_str).collect();
    let response = match (&method, segs.as_slice()) {
        (&Method::POST, [node, "media"])
            if crate::whatsapp::serves(&state, node) || config.accept_any_token =>
        {
            crate::whatsapp::route(&state, crate::whatsapp::Edge::Media, node, req).await
        }
        (&Method::POST, [node, "messages"]) if crate::whatsapp::serves(&state, node) => {
            crate::whatsapp::route(&state, crate::whatsapp::Edge::Messages, node, req).await
        }
        (&Method::POST, [node, "messages"]) if config.accept_any_token && is_json(&req) => {
            // Test mode knows no phone numbers: a WhatsApp send is recognised by its body.
            let (is_whatsapp, req) = sniff_whatsapp(req, config.limits.max_fields_bytes).await;
            if is_whatsapp {
                crate::whatsapp::route(&state, crate::whatsapp::Edge::Messages, node, req).await
            } else {
                pipeline::run(
                    state.clone(),
                    Endpoint::Messages,
                    version_text,
                    served,
                    (*node).to_owned(),
                    req,
                )
                .await
            }
        }
        (&Method::POST, [node, "messages"]) if !node.is_empty() => {
            pipeline::run(
                state.clone(),
                Endpoint::Messages,
                version_text,
                served,
                (*node).to_owned(),
                req,
            )
            .await
        }
        (&Method::POST, [node, "message_attachments"]) if !node.is_empty() => {
            pipeline::run(
                state.clone(),
                Endpoint::Attachments,
                version_text,
                served,
                (*node).to_owned(),
                req,
            )
            .await
        }
        (&Method::GET, [node]) if !node.is_empty() => graph_get::node(&state, node, req).await,
        (m, [node] | [node, _]) if !node.is_empty() && !segs.contains(&"") => {
            pipeline::log_line(m.as_str(), &path, None, "100/33 unsupported");
            GraphErrorReply::unsupported(m.as_str(), node).into_response()
        }
        _ => GraphErrorReply::unknown_path(&path, "").into_response(),
    };
    with_version(response, served)
}

fn is_json(req: &Request<Body>) -> bool {
    req.headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"))
}

/// Reads a JSON body (within `limit`) to see whether it is a WhatsApp send
/// (`messaging_product: "whatsapp"`), and puts it back into the request.
async fn sniff_whatsapp(req: Request<Body>, limit: usize) -> (bool, Request<Body>) {
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            let whatsapp = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v.get("messaging_product").cloned())
                .is_some();
            (whatsapp, Request::from_parts(parts, Body::from(bytes)))
        }
        Err(_) => (false, Request::from_parts(parts, Body::empty())),
    }
}

fn with_version(mut response: Response, served: Version) -> Response {
    if let Ok(v) = HeaderValue::from_str(&versions::format(served)) {
        response.headers_mut().insert(VERSION_HEADER, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_like_graph() {
        let p = split_path("/v25.0/me/messages");
        assert_eq!(p.version, Some((25, 0)));
        assert_eq!(p.segments, vec!["me", "messages"]);
        let p = split_path("/me/messages/");
        assert_eq!(p.version, None);
        assert_eq!(p.segments, vec!["me", "messages"]);
        let p = split_path("/v99.0/%7Bx%7D");
        assert_eq!(p.version, Some((99, 0)));
        assert_eq!(p.segments, vec!["{x}"]);
    }
}
