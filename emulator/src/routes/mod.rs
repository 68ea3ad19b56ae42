//! The HTTP surface: the Graph Send API endpoints Meta serves, the `/__emulator/*` inspection
//! endpoints, and Graph-shaped answers for everything else.

mod attachments;
mod audio_source;
mod inspect;
mod messages;
mod pipeline;

use crate::graph_error::GraphErrorReply;
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
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
        .route("/{version}/{node}/messages", post(messages::versioned))
        .route("/{node}/messages", post(messages::unversioned))
        .route(
            "/{version}/{node}/message_attachments",
            post(attachments::versioned),
        )
        .route(
            "/{node}/message_attachments",
            post(attachments::unversioned),
        )
        .fallback(unsupported)
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

async fn unsupported(method: Method, uri: Uri) -> Response {
    let object = uri
        .path()
        .trim_matches('/')
        .split('/')
        .find(|s| !is_version(s))
        .unwrap_or("")
        .to_owned();
    GraphErrorReply::unsupported(method.as_str(), &object).into_response()
}

/// True for Graph version segments such as `v25.0`.
pub(crate) fn is_version(s: &str) -> bool {
    s.strip_prefix('v')
        .and_then(|r| r.split_once('.'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        })
}
