//! The OpenAPI document: generated from the types, equal to the committed
//! `server/openapi.json` (CI fails when they drift; regenerate with SVARA_UPDATE_OPENAPI=1),
//! served at `/openapi.json`, and its schemas equal to what the core and server really send.

use crate::support::*;
use serde_json::Value;
use std::collections::BTreeSet;

fn committed_path() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

fn props(doc: &Value, schema: &str) -> BTreeSet<String> {
    doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("schema {schema}"))
        .keys()
        .cloned()
        .collect()
}

#[test]
fn committed_document_matches_the_code() {
    let generated = svara_server::openapi_json();
    if std::env::var("SVARA_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(committed_path(), &generated).unwrap();
    }
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "server/openapi.json is out of date: run `SVARA_UPDATE_OPENAPI=1 cargo test -p svara-server --test api openapi` and commit it"
    );
    let doc: Value = serde_json::from_str(&generated).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/send",
        "/v1/audio",
        "/v1/status/{id}",
        "/v1/messages/{id}",
        "/v1/messages",
        "/v1/usage",
        "/healthz",
        "/readyz",
        "/openapi.json",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path}");
    }
}

#[test]
fn schemas_are_the_shapes_the_code_sends() {
    let doc: Value = serde_json::from_str(&svara_server::openapi_json()).unwrap();
    // The send error is the core's wire shape.
    let e = serde_json::to_value(svara::Error::new(svara::ErrorCode::RateLimited, "x")).unwrap();
    let keys: BTreeSet<String> = e.as_object().unwrap().keys().cloned().collect();
    assert_eq!(props(&doc, "SendError"), keys);
    // The probe is the core's AudioInfo.
    let info = svara::probe(&std::fs::read(fixture("speech-aac.m4a")).unwrap()).unwrap();
    let keys: BTreeSet<String> = serde_json::to_value(info)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(props(&doc, "AudioProbe"), keys);
    // The error codes are the server's.
    let listed: BTreeSet<String> = doc["components"]["schemas"]["ApiErrorCodeValue"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let ours: BTreeSet<String> = svara_server::error::ApiErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    assert_eq!(listed, ours);
    // The body: the core's fields, less the four refused over HTTP, plus the server's own.
    let mut expected: BTreeSet<String> = svara_server::api::send_body::core_fields()
        .into_iter()
        .collect();
    for refused in ["audio_path", "audio", "graph_url", "telegram_url"] {
        assert!(expected.remove(refused), "{refused}");
    }
    expected.extend(
        svara_server::api::send_body::SERVER_FIELDS
            .iter()
            .map(|s| s.to_string()),
    );
    assert_eq!(props(&doc, "SendBody"), expected);
}

#[tokio::test]
async fn served_at_openapi_json_without_a_key() {
    let t = TestServer::start().await;
    let (code, v) = t.get("/openapi.json", None).await;
    assert_eq!(code, 200);
    assert_eq!(
        v.to_string(),
        serde_json::from_str::<Value>(&svara_server::openapi_json())
            .unwrap()
            .to_string()
    );
    let (code, v) = t.get("/readyz", None).await;
    assert_eq!((code, v["status"].as_str()), (200, Some("ready")));
    t.stop().await;
}

#[test]
fn readme_documents_every_api_error_code_with_its_status() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    for code in svara_server::error::ApiErrorCode::ALL {
        let row = format!("| {} | `{}` |", code.status().as_u16(), code.as_str());
        assert!(
            readme.contains(&row),
            "README's server error table has no row {row}"
        );
    }
}
