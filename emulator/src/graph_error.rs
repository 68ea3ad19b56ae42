//! Every error the emulator answers, in Meta's shape
//! (`{"error":{"message","type","code","error_subcode","is_transient","fbtrace_id"}}`), in one
//! table so that a code, a subcode, a message or an HTTP status is easy to change when Meta's
//! behaviour is confirmed (see the reference's section 9). Messages never quote the token.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// One Graph API error response.
#[derive(Debug, Clone)]
pub struct GraphErrorReply {
    /// HTTP status (400 for most, 500 for internal errors).
    pub status: StatusCode,
    /// `error.code`.
    pub code: i64,
    /// `error.error_subcode`.
    pub subcode: Option<i64>,
    /// `error.type`.
    pub error_type: &'static str,
    /// `error.message`.
    pub message: String,
    /// `error.is_transient`.
    pub is_transient: bool,
    /// `error.error_data` (WhatsApp's `{"messaging_product", "details"}`); WhatsApp answers
    /// carry no `is_transient`.
    pub error_data: Option<serde_json::Value>,
}

const OAUTH: &str = "OAuthException";
const GRAPH_METHOD: &str = "GraphMethodException";

impl GraphErrorReply {
    fn new(code: i64, subcode: Option<i64>, message: impl Into<String>) -> Self {
        GraphErrorReply {
            status: StatusCode::BAD_REQUEST,
            code,
            subcode,
            error_type: OAUTH,
            message: message.into(),
            is_transient: false,
            error_data: None,
        }
    }

    /// Any Graph error (the platform folders build their own with it).
    pub(crate) fn custom(code: i64, subcode: Option<i64>, message: impl Into<String>) -> Self {
        Self::new(code, subcode, message)
    }

    /// The same with another HTTP status.
    pub(crate) fn with_status(self, status: StatusCode) -> Self {
        self.status(status)
    }

    /// The same as WhatsApp writes it: `error_data` with the details, no `is_transient`.
    pub(crate) fn whatsapp(mut self, details: impl Into<String>) -> Self {
        self.error_data = Some(json!({"messaging_product": "whatsapp", "details": details.into()}));
        self
    }

    fn transient(mut self) -> Self {
        self.is_transient = true;
        self
    }

    fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    fn kind(mut self, t: &'static str) -> Self {
        self.error_type = t;
        self
    }

    /// `code` or `code/subcode`: how refusals are counted in `rejected_by_error`.
    pub fn key(&self) -> String {
        match self.subcode {
            Some(sub) => format!("{}/{sub}", self.code),
            None => self.code.to_string(),
        }
    }

    /// `400 error 100/2018001`, for the log line.
    pub fn describe(&self) -> String {
        format!("{} error {}", self.status.as_u16(), self.key())
    }

    /// The JSON body, with a fresh `fbtrace_id`.
    pub fn body(&self) -> serde_json::Value {
        let mut e = json!({
            "message": self.message,
            "type": self.error_type,
            "code": self.code,
            "is_transient": self.is_transient,
            "fbtrace_id": crate::ids::fbtrace_id(),
        });
        if let Some(sub) = self.subcode {
            e["error_subcode"] = json!(sub);
        }
        if let Some(data) = &self.error_data {
            e["error_data"] = data.clone();
            if let Some(m) = e.as_object_mut() {
                m.remove("is_transient");
            }
        }
        json!({ "error": e })
    }

    // --- tokens and proofs -------------------------------------------------------------------

    /// No token anywhere (104).
    pub fn token_missing() -> Self {
        Self::new(
            104,
            None,
            "An access token is required to request this resource.",
        )
    }

    /// A token the emulator does not know (190/467).
    pub fn token_invalid() -> Self {
        Self::new(
            190,
            Some(467),
            "Invalid OAuth access token - Cannot parse access token",
        )
    }

    /// An expired token (190/463).
    pub fn token_expired() -> Self {
        Self::new(
            190,
            Some(463),
            "Error validating access token: Session has expired. The current time is later than the token's expiry time.",
        )
    }

    /// No `appsecret_proof` while the app requires one (100).
    pub fn proof_missing() -> Self {
        Self::new(
            100,
            None,
            "API calls from the server require an appsecret_proof argument",
        )
        .kind(GRAPH_METHOD)
    }

    /// A wrong `appsecret_proof` (100).
    pub fn proof_invalid() -> Self {
        Self::new(
            100,
            None,
            "Invalid appsecret_proof provided in the API argument",
        )
        .kind(GRAPH_METHOD)
    }

    /// `/{page-id}/...` names a Page the token does not belong to, or an unknown route (100/33).
    pub fn unsupported(method: &str, object: &str) -> Self {
        Self::new(
            100,
            Some(33),
            format!(
                "Unsupported {} request. Object with ID '{object}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
                method.to_ascii_lowercase()
            ),
        )
        .kind(GRAPH_METHOD)
    }

    /// A path whose first segment looks like a version Meta never released (`v99.0`), or
    /// path components Graph does not know (2500).
    pub fn unknown_path(path: &str, hint: &str) -> Self {
        Self::new(2500, None, format!("Unknown path components: {path}{hint}"))
    }

    /// A field the node type does not have (`?fields=`) (100).
    pub fn nonexisting_field(field: &str, node_type: &str) -> Self {
        Self::new(
            100,
            None,
            format!(
                "(#100) Tried accessing nonexisting field ({field}) on node type ({node_type})"
            ),
        )
    }

    /// The User Profile API field needs a permission the app lacks (100/2018247).
    pub fn profile_permission(field: &str) -> Self {
        Self::new(
            100,
            Some(2_018_247),
            format!("(#100) Insufficient permission to access user profile. ({field} needs the pages_user_{field} permission; set user_info_permissions = true on the Page in the scenario)"),
        )
    }

    // --- parameters ----------------------------------------------------------------------------

    /// A required parameter is missing (100).
    pub fn param_required(name: &str) -> Self {
        Self::new(
            100,
            None,
            format!("(#100) The parameter {name} is required"),
        )
    }

    /// A parameter has a bad value (100).
    pub fn param_invalid(detail: impl Into<String>) -> Self {
        Self::new(100, None, format!("(#100) {}", detail.into()))
    }

    /// A non-file field over [`crate::config::ServerLimits::max_field_bytes`] (100).
    pub fn param_too_large(name: &str, limit: usize) -> Self {
        Self::new(
            100,
            None,
            format!("(#100) Param {name} is too long: more than {limit} bytes (svara-emulator limits.max_field_bytes)"),
        )
    }

    /// The non-file fields together are over the limit (100).
    pub fn params_too_large(limit: usize) -> Self {
        Self::new(
            100,
            None,
            format!("(#100) The request parameters are too large: more than {limit} bytes outside the filedata part (svara-emulator limits.max_fields_bytes; send audio as a multipart filedata part)"),
        )
    }

    /// Too many parameters (100).
    pub fn too_many_params(limit: usize) -> Self {
        Self::new(
            100,
            None,
            format!(
                "(#100) Too many parameters: more than {limit} (svara-emulator limits.max_fields)"
            ),
        )
    }

    /// The body did not arrive in time (100).
    pub fn body_timeout(limit: &crate::duration::HumanDuration) -> Self {
        Self::new(
            100,
            None,
            format!("(#100) The request body did not arrive within {limit} (svara-emulator limits.body_timeout)"),
        )
    }

    /// `message` and `sender_action` together (100/2018014).
    pub fn message_and_action() -> Self {
        Self::new(
            100,
            Some(2_018_014),
            "(#100) Cannot send both message and state at the same time. Send the sender_action in a request of its own.",
        )
    }

    /// `message.text` over 2,000 characters (100).
    pub fn text_too_long(chars: usize) -> Self {
        Self::new(
            100,
            None,
            format!("(#100) Length of param message[text] must be less than or equal to 2000 (got {chars} characters)"),
        )
    }

    /// A retired message tag (100).
    pub fn tag_retired(tag: &str) -> Self {
        Self::new(
            100,
            None,
            format!("(#100) The message tag {tag} is no longer supported since April 27, 2026. Use HUMAN_AGENT for human replies within 7 days, or message inside the 24-hour window."),
        )
    }

    /// HUMAN_AGENT without the Human Agent feature (10).
    pub fn human_agent_not_granted() -> Self {
        Self::new(
            10,
            None,
            "(#10) Application does not have permission for this action. The HUMAN_AGENT tag needs the Human Agent feature (App Review > Permissions and Features); in svara-emulator set human_agent = true on the Page.",
        )
    }

    /// CUSTOMER_FEEDBACK on anything but the customer feedback template (100).
    pub fn customer_feedback_misuse() -> Self {
        Self::new(
            100,
            None,
            "(#100) The CUSTOMER_FEEDBACK tag can only be used with the customer feedback template (message.attachment.type template, payload.template_type customer_feedback).",
        )
    }

    // --- recipients ----------------------------------------------------------------------------

    /// Unknown PSID (100/2018001).
    pub fn recipient_unknown() -> Self {
        Self::new(100, Some(2_018_001), "(#100) No matching user found")
    }

    /// Outside the messaging window (10/2018278).
    pub fn outside_window() -> Self {
        Self::new(
            10,
            Some(2_018_278),
            "(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview",
        )
    }

    /// The person blocked the Page (551/1545041).
    pub fn blocked() -> Self {
        Self::new(
            551,
            Some(1_545_041),
            "(#551) This person isn't available right now.",
        )
    }

    /// The person cannot receive messages now (10/2018108).
    pub fn unavailable() -> Self {
        Self::new(
            10,
            Some(2_018_108),
            "(#10) This person can't receive your messages right now.",
        )
    }

    /// App not live; only admins, developers and testers can be messaged (200/2018028).
    pub fn app_not_live() -> Self {
        Self::new(
            200,
            Some(2_018_028),
            "(#200) Cannot message users who are not admins, developers or testers of the app until pages_messaging permission is reviewed and the app is live.",
        )
    }

    // --- attachments ---------------------------------------------------------------------------

    /// Not exactly one file, or a file without a filename (100/2018005).
    pub fn file_count() -> Self {
        Self::new(
            100,
            Some(2_018_005),
            "(#100) Incorrect number of files uploaded. Must upload exactly one file with a filename.",
        )
    }

    /// The file is not audio of the declared type, or not playable (100/2018047).
    pub fn upload_failed(detail: &str) -> Self {
        Self::new(
            100,
            Some(2_018_047),
            format!("(#100) Upload attachment failure: {detail}"),
        )
    }

    /// Over the size limit (100/2018109).
    pub fn too_large(limit: u64) -> Self {
        Self::new(
            100,
            Some(2_018_109),
            format!("(#100) Attachment size exceeds allowable limit of {limit} bytes"),
        )
    }

    /// Unknown, foreign, expired or non-reusable attachment id (100/2018074); `why` says which.
    pub fn attachment_unknown(why: &str) -> Self {
        Self::new(
            100,
            Some(2_018_074),
            format!("(#100) Possible invalid ID or you do not own the attachment. ({why})"),
        )
    }

    /// `payload.url` could not be downloaded (100/2018008).
    pub fn fetch_failed(detail: &str) -> Self {
        Self::new(
            100,
            Some(2_018_008),
            format!("(#100) Failed to fetch the file from the url: {detail}"),
        )
    }

    /// `payload.url` served something that is not of the attachment's type (546).
    pub fn fetch_wrong_type(kind: &str, content_type: &str) -> Self {
        Self::new(
            546,
            None,
            format!("(#546) The type of file you're trying to upload is not allowed: the url served Content-Type {content_type:?}, not {kind}/*."),
        )
    }

    // --- limits and transient failures -------------------------------------------------------

    /// Rate limit (613), transient.
    pub fn rate_limited() -> Self {
        Self::new(
            613,
            None,
            "(#613) Calls to this api have exceeded the rate limit.",
        )
        .transient()
    }

    /// Temporary send failure (1200), transient.
    pub fn temporary_1200() -> Self {
        Self::new(
            1200,
            None,
            "(#1200) Temporary send message failure. Please try again later",
        )
        .transient()
    }

    /// Unexpected error (2), transient, HTTP 500.
    pub fn unexpected_2() -> Self {
        Self::new(
            2,
            None,
            "An unexpected error has occurred. Please retry your request later.",
        )
        .transient()
        .status(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// Every connection slot is taken (HTTP 503, code 1, transient).
    pub fn too_many_connections(limit: usize) -> Self {
        Self::new(
            1,
            None,
            format!("An unknown error has occurred. (svara-emulator: {limit} connections are open, limits.max_connections; retry when one closes)"),
        )
        .transient()
        .status(StatusCode::SERVICE_UNAVAILABLE)
    }

    /// Unknown error (1), transient, HTTP 500.
    pub fn internal_500() -> Self {
        Self::new(1, None, "An unknown error has occurred.")
            .transient()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for GraphErrorReply {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_meta_shape() {
        let b = GraphErrorReply::outside_window().body();
        let e = &b["error"];
        assert_eq!(e["code"], 10);
        assert_eq!(e["error_subcode"], 2_018_278);
        assert_eq!(e["type"], "OAuthException");
        assert_eq!(e["is_transient"], false);
        assert_eq!(e["fbtrace_id"].as_str().unwrap().len(), 11);
        let b = GraphErrorReply::rate_limited().body();
        assert!(b["error"].get("error_subcode").is_none());
        assert_eq!(b["error"]["is_transient"], true);
    }
}
