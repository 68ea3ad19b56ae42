//! The OpenAPI 3.1 document, generated from the route and body types; `server/openapi.json` is
//! the committed copy that a test keeps equal to it (regenerate with
//! `SVARA_UPDATE_OPENAPI=1 cargo test -p svara-server --test api openapi`).

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Svara API",
        description = "Send any voice recording as a native Messenger voice note. `POST /v1/send` answers 202 once the note is durably queued; `GET /v1/status/{id}` follows it to `sent` (with Messenger's `m_…` id) or `failed` (with Svara's error code). `sk_test_` keys deliver to the built-in emulator, `sk_live_` keys to Meta.",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        crate::api::send::send,
        crate::api::audio::upload,
        crate::api::status::status,
        crate::api::status::message,
        crate::api::status::list,
        crate::api::status::usage,
        crate::api::webhooks::create,
        crate::api::webhooks::list,
        crate::api::webhooks::get,
        crate::api::webhooks::delete,
        crate::api::webhooks::rotate,
        crate::api::webhooks::deliveries,
        crate::api::webhooks::request_secret,
        crate::api::health::healthz,
        crate::api::health::readyz,
        crate::api::health::metrics,
        crate::api::health::openapi,
    ),
    components(schemas(
        crate::model::SendBody,
        crate::model::SessionBody,
        crate::model::Accepted,
        crate::model::DryRun,
        crate::model::VoiceNote,
        crate::model::AudioSummary,
        crate::model::AudioProbe,
        crate::model::SendError,
        crate::model::MessageList,
        crate::model::Usage,
        crate::model::UsageCounts,
        crate::model::AudioUpload,
        crate::model::Health,
        crate::model::ErrorEnvelope,
        crate::model::ErrorBody,
        crate::model::ApiErrorCodeValue,
        crate::model::StatusValue,
        crate::model::WebhookCreate,
        crate::model::WebhookEndpoint,
        crate::model::WebhookList,
        crate::model::WebhookDeleted,
        crate::model::WebhookAttempt,
        crate::model::WebhookDelivery,
        crate::model::WebhookDeliveryList,
        crate::model::RequestSecret,
        crate::model::WebhookEvent,
    )),
    modifiers(&BearerKey),
)]
struct ApiDoc;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.description = Some(
            "An API key: `Authorization: Bearer sk_test_…` (test mode, built-in emulator) or `sk_live_…` (Meta)."
                .to_owned(),
        );
        components.add_security_scheme("api_key", SecurityScheme::Http(http));
    }
}

/// The document as pretty JSON (what `GET /openapi.json` serves and `server/openapi.json` holds).
pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let mut s = doc.to_pretty_json().expect("the document serializes");
    s.push('\n');
    s
}
