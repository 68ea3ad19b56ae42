//! Downloads `payload.url` the way Meta does: within a time limit (10 s), a size limit
//! (25 MB, checked against Content-Length and while streaming) and only when the server says
//! the body is audio.

use crate::audio_check::is_audio_type;
use crate::config::FetchConfig;
use crate::graph_error::GraphErrorReply;
use futures::StreamExt;

/// What a successful download gives.
pub(crate) struct Fetched {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

/// An HTTP client with Meta's fetch limits.
pub(crate) struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
}

impl Fetcher {
    pub(crate) fn new(config: FetchConfig) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::limited(config.max_redirects))
            .user_agent("facebookexternalhit/1.1 (svara-emulator)")
            .build()
            .unwrap_or_default();
        Fetcher { client, config }
    }

    /// Downloads `url`, or says why Meta would refuse it.
    pub(crate) async fn fetch(&self, url: &str) -> Result<Fetched, GraphErrorReply> {
        let parsed = url::Url::parse(url)
            .map_err(|_| GraphErrorReply::fetch_failed("the url is not a valid absolute URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(GraphErrorReply::fetch_failed(
                "only http and https URLs can be fetched",
            ));
        }
        match tokio::time::timeout(self.config.timeout.0, self.download(parsed)).await {
            Ok(r) => r,
            Err(_) => Err(GraphErrorReply::fetch_failed(&format!(
                "the server did not deliver the file within {}",
                self.config.timeout
            ))),
        }
    }

    async fn download(&self, url: url::Url) -> Result<Fetched, GraphErrorReply> {
        let resp = self.client.get(url).send().await.map_err(|e| {
            GraphErrorReply::fetch_failed(if e.is_redirect() {
                "too many redirects"
            } else if e.is_connect() {
                "could not connect to the server"
            } else {
                "the request failed"
            })
        })?;
        let status = resp.status();
        if !status.is_success() {
            return Err(GraphErrorReply::fetch_failed(&format!(
                "the server answered HTTP {}",
                status.as_u16()
            )));
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        if !is_audio_type(&content_type) {
            return Err(GraphErrorReply::fetch_not_audio(&content_type));
        }
        let max = self.config.max_bytes;
        if resp.content_length().is_some_and(|n| n > max) {
            return Err(GraphErrorReply::too_large(max));
        }
        let mut bytes = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| {
                GraphErrorReply::fetch_failed("the connection failed while downloading the file")
            })?;
            if bytes.len() as u64 + chunk.len() as u64 > max {
                return Err(GraphErrorReply::too_large(max));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            bytes,
            content_type,
        })
    }
}
