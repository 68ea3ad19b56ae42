//! Reads a Send API request the ways Meta accepts it: query parameters, then a multipart,
//! JSON or URL-encoded body (body fields win). Form fields holding JSON (`recipient`,
//! `message`) are parsed as Graph parses them ([`crate::graph_json`]), so every shape ends up
//! as the same [`Params`].
//!
//! Reading is bounded as the bytes arrive: at most one file part (a second `filedata` part is
//! refused on sight, 100/2018005), a file over the attachment limit is counted and dropped, not
//! kept, and every non-file field, the fields together and their number have limits
//! ([`ServerLimits`]). After a refusal the rest of the body is read and thrown away for a short
//! while, so that the client gets its answer instead of a reset connection.

use crate::config::ServerLimits;
use crate::graph_error::GraphErrorReply;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart};
use axum::http::{header, Request};
use bytes::{Bytes, BytesMut};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// How much of a refused body is read and discarded so the client sees the answer (reading
/// and dropping costs no memory).
const DRAIN_BYTES: u64 = 256 * 1024 * 1024;
/// How long a refused body is read and discarded at most.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// The file part of a multipart body.
#[derive(Clone)]
pub(crate) struct FilePart {
    /// The part's field name (`filedata`, WhatsApp's `file`, Telegram's `voice`).
    pub name: String,
    /// `filename` of its Content-Disposition.
    pub filename: Option<String>,
    /// Its Content-Type.
    pub content_type: Option<String>,
    /// The bytes (empty when over the limit).
    pub bytes: Bytes,
    /// Bytes received.
    pub size: u64,
}

/// Every parameter of a request, whatever its shape. No `Debug`: it holds the token.
#[derive(Default)]
pub(crate) struct Params {
    fields: HashMap<String, Value>,
    /// The file part, when one was sent.
    pub file: Option<FilePart>,
}

impl Params {
    /// A parameter as text (JSON values are serialised back).
    pub fn text(&self, name: &str) -> Option<String> {
        match self.fields.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// Whether the parameter was sent at all (even empty).
    pub fn has(&self, name: &str) -> bool {
        self.fields.get(name).is_some_and(|v| !v.is_null())
    }

    /// A parameter as JSON: objects as they are, strings parsed as (Graph's lenient) JSON when
    /// they hold JSON, other strings as strings.
    pub fn json(&self, name: &str) -> Option<Value> {
        match self.fields.get(name)? {
            Value::String(s) => {
                Some(crate::graph_json::parse(s).unwrap_or_else(|| Value::String(s.clone())))
            }
            Value::Null => None,
            other => Some(other.clone()),
        }
    }

    fn set(&mut self, name: &str, value: Value) {
        self.fields.insert(name.to_owned(), value);
    }
}

/// Counts fields against the limits.
struct Budget<'a> {
    limits: &'a ServerLimits,
    fields: usize,
    bytes: usize,
}

impl Budget<'_> {
    fn take(&mut self, name: &str, len: usize) -> Result<(), GraphErrorReply> {
        if len > self.limits.max_field_bytes {
            return Err(GraphErrorReply::param_too_large(
                name,
                self.limits.max_field_bytes,
            ));
        }
        self.bytes += len;
        if self.bytes > self.limits.max_fields_bytes {
            return Err(GraphErrorReply::params_too_large(
                self.limits.max_fields_bytes,
            ));
        }
        self.fields += 1;
        if self.fields > self.limits.max_fields {
            return Err(GraphErrorReply::too_many_params(self.limits.max_fields));
        }
        Ok(())
    }
}

/// A refusal while reading, with what was read before it (to count the attempt against the
/// recipient when the `recipient` field came first).
pub(crate) type ReadError = (GraphErrorReply, Params);

/// Parses the query string and the body. `max_file_bytes` is the attachment limit: a larger
/// file is read on (up to a cap, so the client gets an answer, not a reset) but not kept.
pub(crate) async fn read_params(
    req: Request<Body>,
    max_file_bytes: u64,
    limits: &ServerLimits,
) -> Result<Params, ReadError> {
    let mut params = Params::default();
    match read_into(req, max_file_bytes, limits, &mut params).await {
        Ok(()) => Ok(params),
        Err(e) => Err((e, params)),
    }
}

async fn read_into(
    req: Request<Body>,
    max_file_bytes: u64,
    limits: &ServerLimits,
    params: &mut Params,
) -> Result<(), GraphErrorReply> {
    let mut budget = Budget {
        limits,
        fields: 0,
        bytes: 0,
    };
    if let Some(q) = req.uri().query() {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            budget.take(&k, v.len())?;
            params.set(&k, Value::String(v.into_owned()));
        }
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        return read_multipart(req, max_file_bytes, &mut budget, params).await;
    }
    let bytes = read_limited(req.into_body(), limits.max_fields_bytes).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        for (k, v) in url::form_urlencoded::parse(&bytes) {
            budget.take(&k, v.len())?;
            params.set(&k, Value::String(v.into_owned()));
        }
        return Ok(());
    }
    let body: Value = serde_json::from_slice(&bytes).map_err(|e| {
        GraphErrorReply::param_invalid(format!(
            "The request body is not valid JSON ({e}); send application/json, multipart/form-data or application/x-www-form-urlencoded."
        ))
    })?;
    let Value::Object(map) = body else {
        return Err(GraphErrorReply::param_invalid(
            "The JSON body must be an object such as {\"recipient\":{\"id\":\"...\"},\"message\":{...}}.",
        ));
    };
    if map.len() > limits.max_fields {
        return Err(GraphErrorReply::too_many_params(limits.max_fields));
    }
    for (k, v) in map {
        params.set(&k, v);
    }
    Ok(())
}

async fn read_multipart(
    req: Request<Body>,
    max_file_bytes: u64,
    budget: &mut Budget<'_>,
    params: &mut Params,
) -> Result<(), GraphErrorReply> {
    // The body's declared length, to size the file buffer once instead of doubling it.
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|e| GraphErrorReply::param_invalid(format!("Invalid multipart request: {e}")))?;
    match read_parts(&mut multipart, max_file_bytes, declared, budget, params).await {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = tokio::time::timeout(DRAIN_TIME, drain(&mut multipart)).await;
            Err(e)
        }
    }
}

fn bad(e: axum::extract::multipart::MultipartError) -> GraphErrorReply {
    GraphErrorReply::param_invalid(format!("The multipart body could not be read: {e}"))
}

async fn read_parts(
    multipart: &mut Multipart,
    max_file_bytes: u64,
    declared: u64,
    budget: &mut Budget<'_>,
    params: &mut Params,
) -> Result<(), GraphErrorReply> {
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_owned();
        let filename = field.file_name().map(str::to_owned);
        if name == "filedata" || filename.is_some() {
            if params.file.is_some() {
                // Refused as it arrives: its bytes are never kept.
                return Err(GraphErrorReply::file_count());
            }
            let content_type = field.content_type().map(str::to_owned);
            let mut bytes = BytesMut::with_capacity(declared.min(max_file_bytes) as usize);
            let mut size: u64 = 0;
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                size += chunk.len() as u64;
                if size <= max_file_bytes {
                    bytes.extend_from_slice(&chunk);
                } else {
                    if !bytes.is_empty() {
                        bytes = BytesMut::new();
                    }
                    if size > max_file_bytes.saturating_add(DRAIN_BYTES) {
                        return Err(GraphErrorReply::too_large(max_file_bytes));
                    }
                }
            }
            params.file = Some(FilePart {
                name: name.clone(),
                filename,
                content_type,
                bytes: bytes.freeze(),
                size,
            });
        } else {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                if text.len() + chunk.len() > budget.limits.max_field_bytes {
                    return Err(GraphErrorReply::param_too_large(
                        &name,
                        budget.limits.max_field_bytes,
                    ));
                }
                text.extend_from_slice(&chunk);
            }
            budget.take(&name, text.len())?;
            let text = String::from_utf8(text).map_err(|_| {
                GraphErrorReply::param_invalid(format!("The form field {name} is not UTF-8 text."))
            })?;
            params.set(&name, Value::String(text));
        }
    }
    Ok(())
}

/// A whole non-multipart body up to `limit` bytes; a larger one is refused and the rest of it
/// read and dropped (within [`DRAIN_BYTES`] and [`DRAIN_TIME`]).
async fn read_limited(body: Body, limit: usize) -> Result<Bytes, GraphErrorReply> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut out = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            GraphErrorReply::param_invalid(format!("The request body could not be read: {e}"))
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if out.len() + data.len() > limit {
            let drain = async {
                let mut seen = 0u64;
                while let Some(Ok(f)) = body.frame().await {
                    seen += f.data_ref().map_or(0, |d| d.len() as u64);
                    if seen > DRAIN_BYTES {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(DRAIN_TIME, drain).await;
            return Err(GraphErrorReply::params_too_large(limit));
        }
        out.extend_from_slice(&data);
    }
    Ok(out.freeze())
}

/// Reads and discards what is left of a refused body, up to [`DRAIN_BYTES`].
async fn drain(multipart: &mut Multipart) {
    let mut seen: u64 = 0;
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(chunk)) = field.chunk().await {
            seen += chunk.len() as u64;
            if seen > DRAIN_BYTES {
                return;
            }
        }
    }
}
