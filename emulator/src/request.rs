//! Reads a Send API request the ways Meta accepts it: query parameters, then a multipart,
//! JSON or URL-encoded body (body fields win). Form fields holding JSON (`recipient`,
//! `message`) are parsed, so every shape ends up as the same [`Params`].

use crate::graph_error::GraphErrorReply;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart};
use axum::http::{header, Request};
use serde_json::Value;
use std::collections::HashMap;

/// Largest non-file body (JSON, URL-encoded) or text part.
const MAX_FIELDS_BYTES: usize = 2 * 1024 * 1024;

/// A file part of a multipart body.
#[derive(Clone)]
pub(crate) struct FilePart {
    /// `filename` of its Content-Disposition.
    pub filename: Option<String>,
    /// Its Content-Type.
    pub content_type: Option<String>,
    /// The bytes (empty when over the limit).
    pub bytes: Vec<u8>,
    /// Bytes received.
    pub size: u64,
}

/// Every parameter of a request, whatever its shape. No `Debug`: it holds the token.
#[derive(Default)]
pub(crate) struct Params {
    fields: HashMap<String, Value>,
    /// File parts.
    pub files: Vec<FilePart>,
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

    /// A parameter as JSON: objects as they are, strings parsed as JSON when they are JSON.
    pub fn json(&self, name: &str) -> Option<Value> {
        match self.fields.get(name)? {
            Value::String(s) => Some(serde_json::from_str(s).unwrap_or(Value::String(s.clone()))),
            Value::Null => None,
            other => Some(other.clone()),
        }
    }

    fn set(&mut self, name: &str, value: Value) {
        self.fields.insert(name.to_owned(), value);
    }
}

/// Parses the query string and the body. `max_file_bytes` is the attachment limit: a larger
/// file is read to the end (so the client gets an answer, not a reset) but not kept.
pub(crate) async fn read_params(
    req: Request<Body>,
    max_file_bytes: u64,
) -> Result<Params, GraphErrorReply> {
    let mut params = Params::default();
    if let Some(q) = req.uri().query() {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
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
        read_multipart(req, max_file_bytes, &mut params).await?;
    } else {
        let bytes = axum::body::to_bytes(req.into_body(), MAX_FIELDS_BYTES)
            .await
            .map_err(|_| GraphErrorReply::param_invalid("The request body is too large or was cut off; send the audio as a multipart filedata part."))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(params);
        }
        if content_type.starts_with("application/x-www-form-urlencoded") {
            for (k, v) in url::form_urlencoded::parse(&bytes) {
                params.set(&k, Value::String(v.into_owned()));
            }
        } else {
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
            for (k, v) in map {
                params.set(&k, v);
            }
        }
    }
    Ok(params)
}

async fn read_multipart(
    req: Request<Body>,
    max_file_bytes: u64,
    params: &mut Params,
) -> Result<(), GraphErrorReply> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        GraphErrorReply::param_invalid(format!("The multipart body could not be read: {e}"))
    };
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|e| GraphErrorReply::param_invalid(format!("Invalid multipart request: {e}")))?;
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_owned();
        let filename = field.file_name().map(str::to_owned);
        if name == "filedata" || filename.is_some() {
            let content_type = field.content_type().map(str::to_owned);
            let mut bytes = Vec::new();
            let mut size: u64 = 0;
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                size += chunk.len() as u64;
                if size <= max_file_bytes {
                    bytes.extend_from_slice(&chunk);
                } else if !bytes.is_empty() {
                    bytes = Vec::new();
                }
            }
            params.files.push(FilePart {
                filename,
                content_type,
                bytes,
                size,
            });
        } else {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                if text.len() + chunk.len() > MAX_FIELDS_BYTES {
                    return Err(GraphErrorReply::param_invalid(format!(
                        "The form field {name} is too large."
                    )));
                }
                text.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(text).map_err(|_| {
                GraphErrorReply::param_invalid(format!("The form field {name} is not UTF-8 text."))
            })?;
            params.set(&name, Value::String(text));
        }
    }
    Ok(())
}
