//! `GET /{version}/me` (the Page of the token) and `GET /{version}/{psid}?fields=...` (the
//! User Profile API), which bots call to greet people by name. Unknown ids answer 100/33,
//! unknown fields 100 "Tried accessing nonexisting field", and `locale`, `timezone`, `gender`
//! need the Page's `user_info_permissions` (100/2018247 without).

use crate::auth::{authenticate, find_token};
use crate::config::{PageConfig, PsidConfig};
use crate::graph_error::GraphErrorReply;
use crate::request::read_params;
use crate::state::AppState;
use axum::body::Body;
use axum::http::Request;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

const PAGE_FIELDS: [&str; 2] = ["id", "name"];
const USER_FIELDS: [&str; 8] = [
    "id",
    "name",
    "first_name",
    "last_name",
    "profile_pic",
    "locale",
    "timezone",
    "gender",
];

/// Answers a GET on a node.
pub(super) async fn node(state: &AppState, node: &str, req: Request<Body>) -> Response {
    let path = req.uri().path().to_owned();
    let headers = req.headers().clone();
    let result = async {
        let limits = &state.config.limits;
        let params = tokio::time::timeout(limits.body_timeout.0, read_params(req, 0, limits))
            .await
            .map_err(|_| GraphErrorReply::body_timeout(&limits.body_timeout))?
            .map_err(|(e, _)| e)?;
        let token_param = params
            .text("access_token")
            .or_else(|| params.text("oauth_token"));
        let token = find_token(token_param.as_deref(), &headers);
        let proof = params.text("appsecret_proof");
        let page = authenticate(&state.config, token.as_deref(), proof.as_deref())?;
        let fields = params.text("fields");
        if node == "me" || node == page.id {
            return page_object(&page, fields.as_deref());
        }
        let Some((person, _)) = state.people.lookup(&page.id, node) else {
            return Err(GraphErrorReply::unsupported("GET", node));
        };
        user_object(&page, &person, fields.as_deref())
    }
    .await;
    match result {
        Ok(v) => {
            super::pipeline::log_line("GET", &path, None, "200");
            Json(v).into_response()
        }
        Err(e) => {
            super::pipeline::log_line("GET", &path, None, &e.describe());
            e.into_response()
        }
    }
}

fn requested(fields: Option<&str>) -> Vec<&str> {
    match fields {
        Some(f) if !f.trim().is_empty() => f
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect(),
        _ => vec!["name", "id"],
    }
}

fn page_object(page: &PageConfig, fields: Option<&str>) -> Result<Value, GraphErrorReply> {
    let mut out = Map::new();
    for f in requested(fields) {
        match f {
            "id" => out.insert("id".into(), json!(page.id)),
            "name" => out.insert("name".into(), json!(page.name)),
            other if !PAGE_FIELDS.contains(&other) => {
                return Err(GraphErrorReply::nonexisting_field(other, "Page"))
            }
            _ => None,
        };
    }
    out.entry("id").or_insert_with(|| json!(page.id));
    Ok(Value::Object(out))
}

fn user_object(
    page: &PageConfig,
    person: &PsidConfig,
    fields: Option<&str>,
) -> Result<Value, GraphErrorReply> {
    let p = &person.profile;
    let tail: String = person
        .id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let first = p.first_name.clone().unwrap_or_else(|| "Test".to_owned());
    let last = p
        .last_name
        .clone()
        .unwrap_or_else(|| format!("User {tail}"));
    let mut out = Map::new();
    for f in requested(fields) {
        if !USER_FIELDS.contains(&f) {
            return Err(GraphErrorReply::nonexisting_field(f, "User"));
        }
        if matches!(f, "locale" | "timezone" | "gender") && !page.user_info_permissions {
            return Err(GraphErrorReply::profile_permission(f));
        }
        let v = match f {
            "id" => json!(person.id),
            "name" => json!(format!("{first} {last}")),
            "first_name" => json!(first),
            "last_name" => json!(last),
            "profile_pic" => json!(p.profile_pic.clone().unwrap_or_else(|| format!(
                "https://platform-lookaside.fbsbx.com/platform/profilepic/?psid={}&width=1024&ext=1&hash=svara-emulator",
                person.id
            ))),
            "locale" => json!(p.locale.clone().unwrap_or_else(|| "en_US".to_owned())),
            "timezone" => json!(p.timezone.unwrap_or(0)),
            // Meta leaves out fields a person has not made public.
            "gender" => match &p.gender {
                Some(g) => json!(g),
                None => continue,
            },
            _ => continue,
        };
        out.insert(f.to_owned(), v);
    }
    out.entry("id").or_insert_with(|| json!(person.id));
    Ok(Value::Object(out))
}
