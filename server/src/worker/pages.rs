//! The Page behind a token: Meta counts sends per Page and names the Page (not the token) in its
//! delivery and read receipts, so before the first send of a Page client the worker learns its
//! id: the request's `page_id` if it gave one, else the id any process already learnt (the
//! `page_ids` table), else one `GET /{version}/me?fields=id` with the token (harmless to repeat;
//! at most once per token per process). When that fails the note is still sent, paced under the
//! keyed hash of its token, and only receipts by watermark (not by message id) miss it.

use crate::store::{pacing, Store};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use svara::Client;

/// Known Page ids by `page_key`, and the client that asks Graph.
pub struct PageIds {
    known: Mutex<HashMap<String, String>>,
    http: reqwest::Client,
}

impl Default for PageIds {
    fn default() -> Self {
        PageIds {
            known: Mutex::new(HashMap::new()),
            http: reqwest::Client::builder()
                .use_rustls_tls()
                .no_proxy()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a rustls client builds"),
        }
    }
}

/// The pacing key of a Page: `platform:mode:page:ID`, or `platform:mode:token:HASH` while the
/// id is unknown (test and live Pages never share a budget).
pub fn pace_key(platform: &str, mode: &str, page_id: Option<&str>, page_key: &str) -> String {
    match page_id {
        Some(id) => format!("{platform}:{mode}:page:{id}"),
        None => format!("{platform}:{mode}:token:{page_key}"),
    }
}

impl PageIds {
    /// The Page id of `client` (the job's `page_key` names its token and target).
    pub async fn resolve(&self, store: &Store, page_key: &str, client: &Client) -> Option<String> {
        if let Some(id) = &client.config().page_id {
            return Some(id.clone());
        }
        if client.platform() != svara::Platform::Messenger {
            // Only Messenger's receipts name the Page; the other senders are paced under the
            // keyed hash of their session.
            return None;
        }
        if let Some(id) = self
            .known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(page_key)
        {
            return Some(id.clone());
        }
        let found = match pacing::page_id(store.reader(), page_key).await {
            Ok(Some(id)) => Some(id),
            Ok(None) => match self.ask(client).await {
                Ok(id) => {
                    let (k, v, now) = (page_key.to_owned(), id.clone(), store.now_ms());
                    let _ = store
                        .write(Box::new(move |c| {
                            Box::pin(async move { pacing::set_page_id(c, &k, &v, now).await })
                        }))
                        .await;
                    Some(id)
                }
                Err(why) => {
                    tracing::warn!(
                        "cannot learn the Page id of a token ({why}); its receipts by watermark will not match"
                    );
                    None
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the Page ids");
                None
            }
        };
        if let Some(id) = &found {
            let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            if known.len() > 100_000 {
                known.clear();
            }
            known.insert(page_key.to_owned(), id.clone());
        }
        found
    }

    async fn ask(&self, client: &Client) -> Result<String, String> {
        let c = client.config();
        let mut url = url::Url::parse(&c.graph_url).map_err(|e| e.to_string())?;
        url.path_segments_mut()
            .map_err(|_| "graph_url cannot be a base".to_owned())?
            .pop_if_empty()
            .push(&c.api_version)
            .push("me");
        url.query_pairs_mut().append_pair("fields", "id");
        if let Some(secret) = &c.app_secret {
            url.query_pairs_mut()
                .append_pair("appsecret_proof", &svara::appsecret_proof(secret, &c.token));
        }
        let resp = self
            .http
            .get(url)
            .bearer_auth(c.token.expose())
            .send()
            .await
            .map_err(|e| format!("GET /me failed: {}", e.without_url()))?;
        let status = resp.status();
        let v: serde_json::Value = resp
            .json()
            .await
            .map_err(|_| format!("GET /me answered {status} without JSON"))?;
        match v.get("id") {
            Some(serde_json::Value::String(id)) if !id.is_empty() && id.len() <= 64 => {
                Ok(id.clone())
            }
            _ => Err(format!("GET /me answered {status} without an id")),
        }
    }
}
