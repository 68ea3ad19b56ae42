//! The other half of Messenger: the webhook events Meta posts to a bot about what it sent. With
//! `webhooks.url` set, the emulator posts signed `message_deliveries` shortly after it accepts a
//! message (`delivery_delay`), and `message_reads` when a test asks (`POST /__emulator/read
//! {"psid"}`, [`crate::Emulator::mark_read`]) or `read_delay` after the delivery, in Meta's
//! shape: `{"object":"page","entry":[{"id","time","messaging":[{"sender":{"id":PSID},
//! "recipient":{"id":PAGE_ID},"timestamp","delivery":{"mids":[…],"watermark"}}]}]}`, signed
//! `X-Hub-Signature-256: sha256=HEX(HMAC-SHA256(app_secret, body))` over the exact bytes sent.
//! An endpoint that does not answer 2xx is retried (Meta retries too), a few times with
//! growing waits. Every post is recorded (`GET /__emulator/webhooks`).
//!
//! WhatsApp's Cloud API reports the same moments as message statuses: a `delivered` status
//! `delivery_delay` after a message is accepted and a `read` one when the person reads (as
//! above), posted to `whatsapp_url` (or `url`) in Meta's shape: `{"object":
//! "whatsapp_business_account","entry":[{"id","changes":[{"field":"messages","value":{
//! "messaging_product":"whatsapp","metadata":{"display_phone_number","phone_number_id"},
//! "statuses":[{"id":WAMID,"status","timestamp","recipient_id"}]}}]}]}`, signed the same way.
//! (The real API also posts a `sent` status first; the emulator leaves it out, a send's answer
//! already says so.) Instagram messages get no events: Instagram's messaging webhooks have no
//! delivery event, and its `messaging_seen` is not emulated yet.

use crate::config::Secret;
use crate::duration::HumanDuration;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where and how the emulator posts Messenger webhook events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// The bot's webhook URL (what the App Dashboard's Callback URL would be).
    pub url: String,
    /// Signs `X-Hub-Signature-256`; unset: the emulator's `app_secret` (one of them is needed).
    pub app_secret: Option<Secret>,
    /// A message's `message_deliveries` follows its acceptance this late (unset: no delivery
    /// events). Default 200 ms.
    pub delivery_delay: Option<HumanDuration>,
    /// A `message_reads` follows the delivery event this late (unset: only when asked with
    /// `POST /__emulator/read`).
    pub read_delay: Option<HumanDuration>,
    /// List the message in `delivery.mids` (default true); false sends the watermark only, as
    /// some Messenger clients do.
    pub include_mids: bool,
    /// Posts per event when the endpoint does not answer 2xx (default 5: waits of 0.5, 1, 2 and
    /// 4 s between them).
    pub max_attempts: u32,
    /// Time the endpoint has to answer (default 5 s).
    pub timeout: HumanDuration,
    /// Where WhatsApp's status events go (a WhatsApp Business Account's callback URL); unset:
    /// `url`.
    pub whatsapp_url: Option<String>,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            url: String::new(),
            app_secret: None,
            delivery_delay: Some(HumanDuration::millis(200)),
            read_delay: None,
            include_mids: true,
            max_attempts: 5,
            timeout: HumanDuration::secs(5),
            whatsapp_url: None,
        }
    }
}

/// One event the emulator posted (or tried to).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookPost {
    /// `message_deliveries` or `message_reads` (Messenger); `statuses.delivered` or
    /// `statuses.read` (WhatsApp).
    pub field: String,
    /// The Page (WhatsApp: the business number's `phone_number_id`).
    pub page_id: String,
    /// The person (WhatsApp: their `wa_id`).
    pub psid: String,
    /// `delivery.mids` (empty for reads and watermark-only deliveries); WhatsApp: the `wamid`s
    /// of the statuses.
    pub mids: Vec<String>,
    /// The watermark (Unix ms).
    pub watermark: u64,
    /// Posts made.
    pub attempts: u32,
    /// The endpoint's last HTTP status (None: no answer).
    pub status: Option<u16>,
    /// Whether an attempt got a 2xx.
    pub delivered: bool,
}

/// Posts events; cheap to clone.
#[derive(Clone)]
pub(crate) struct WebhookSender {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    config: WebhookConfig,
    secret: Secret,
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
    log: Mutex<VecDeque<WebhookPost>>,
}

/// Posts kept for `GET /__emulator/webhooks`.
const KEPT: usize = 2000;

/// `sha256=HEX` of `body` with `secret`: what Meta puts in `X-Hub-Signature-256`.
pub fn hub_signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl WebhookSender {
    /// A sender for `config` (inactive without a URL). Needs a tokio runtime (the emulator's).
    pub(crate) fn new(config: Option<&WebhookConfig>, app_secret: Option<&Secret>) -> Self {
        let inner = config.filter(|c| !c.url.trim().is_empty()).and_then(|c| {
            let secret = c.app_secret.clone().or_else(|| app_secret.cloned())?;
            let runtime = tokio::runtime::Handle::try_current().ok()?;
            let client = reqwest::Client::builder()
                .use_rustls_tls()
                .no_proxy()
                .timeout(c.timeout.0)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .ok()?;
            Some(Arc::new(Inner {
                config: c.clone(),
                secret,
                client,
                runtime,
                log: Mutex::new(VecDeque::new()),
            }))
        });
        WebhookSender { inner }
    }

    /// Whether events are posted.
    pub(crate) fn active(&self) -> bool {
        self.inner.is_some()
    }

    /// What was posted, oldest first.
    pub(crate) fn log(&self) -> Vec<WebhookPost> {
        match &self.inner {
            Some(i) => i
                .log
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .cloned()
                .collect(),
            None => Vec::new(),
        }
    }

    /// Forgets the log.
    pub(crate) fn reset(&self) {
        if let Some(i) = &self.inner {
            i.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }

    /// A message was accepted: its delivery (and read) events follow, if configured.
    pub(crate) fn message_accepted(&self, page_id: &str, psid: &str, mid: &str) {
        let Some(inner) = self.inner.clone() else {
            return;
        };
        let Some(delay) = inner.config.delivery_delay else {
            return;
        };
        let (page, psid, mid) = (page_id.to_owned(), psid.to_owned(), mid.to_owned());
        inner.runtime.clone().spawn(async move {
            tokio::time::sleep(delay.0).await;
            let mids = if inner.config.include_mids {
                vec![mid]
            } else {
                Vec::new()
            };
            post(&inner, "message_deliveries", &page, &psid, mids).await;
            if let Some(read) = inner.config.read_delay {
                tokio::time::sleep(read.0).await;
                post(&inner, "message_reads", &page, &psid, Vec::new()).await;
            }
        });
    }

    /// The person read everything `pages` sent them: one `message_reads` per Page, posted in
    /// the background. False when no webhook URL is configured.
    pub(crate) fn read(&self, psid: &str, pages: Vec<String>) -> bool {
        let Some(inner) = self.inner.clone() else {
            return false;
        };
        let psid = psid.to_owned();
        inner.runtime.clone().spawn(async move {
            for page in pages {
                post(&inner, "message_reads", &page, &psid, Vec::new()).await;
            }
        });
        true
    }

    /// A WhatsApp message was accepted: its `delivered` status (and `read`) follow, if
    /// configured.
    pub(crate) fn whatsapp_accepted(&self, number: &WhatsappNumber, wa_id: &str, wamid: &str) {
        let Some(inner) = self.inner.clone() else {
            return;
        };
        let Some(delay) = inner.config.delivery_delay else {
            return;
        };
        let (number, wa_id, wamids) = (number.clone(), wa_id.to_owned(), vec![wamid.to_owned()]);
        inner.runtime.clone().spawn(async move {
            tokio::time::sleep(delay.0).await;
            post_statuses(&inner, "delivered", &number, &wa_id, wamids.clone()).await;
            if let Some(read) = inner.config.read_delay {
                tokio::time::sleep(read.0).await;
                post_statuses(&inner, "read", &number, &wa_id, wamids).await;
            }
        });
    }

    /// The person `wa_id` read the messages `wamids` of `number`: one body of `read` statuses,
    /// posted in the background. False when no webhook URL is configured.
    pub(crate) fn whatsapp_read(
        &self,
        number: &WhatsappNumber,
        wa_id: &str,
        wamids: Vec<String>,
    ) -> bool {
        let Some(inner) = self.inner.clone() else {
            return false;
        };
        let (number, wa_id) = (number.clone(), wa_id.to_owned());
        inner.runtime.clone().spawn(async move {
            post_statuses(&inner, "read", &number, &wa_id, wamids).await;
        });
        true
    }
}

/// The business number a WhatsApp status is about.
#[derive(Debug, Clone)]
pub(crate) struct WhatsappNumber {
    /// `metadata.phone_number_id`.
    pub phone_number_id: String,
    /// `metadata.display_phone_number`.
    pub display_phone_number: String,
}

/// The WhatsApp Business Account id of the emulated numbers (`entry[].id`; the one of Meta's
/// webhook samples).
pub const WHATSAPP_BUSINESS_ACCOUNT_ID: &str = "102290129340398";

fn now_ms() -> u64 {
    crate::state::now_ms()
}

async fn post_statuses(
    inner: &Inner,
    status: &str,
    number: &WhatsappNumber,
    wa_id: &str,
    wamids: Vec<String>,
) {
    let now = now_ms();
    let statuses: Vec<serde_json::Value> = wamids
        .iter()
        .map(|id| {
            json!({
                "id": id,
                "status": status,
                "timestamp": (now / 1000).to_string(),
                "recipient_id": wa_id,
            })
        })
        .collect();
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": WHATSAPP_BUSINESS_ACCOUNT_ID,
            "changes": [{
                "field": "messages",
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {
                        "display_phone_number": number.display_phone_number,
                        "phone_number_id": number.phone_number_id,
                    },
                    "statuses": statuses,
                },
            }],
        }],
    })
    .to_string();
    let record = WebhookPost {
        field: format!("statuses.{status}"),
        page_id: number.phone_number_id.clone(),
        psid: wa_id.to_owned(),
        mids: wamids,
        watermark: now,
        attempts: 0,
        status: None,
        delivered: false,
    };
    let url = inner
        .config
        .whatsapp_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or(&inner.config.url)
        .to_owned();
    deliver(inner, &url, body, record).await;
}

async fn post(inner: &Inner, field: &str, page: &str, psid: &str, mids: Vec<String>) {
    let now = now_ms();
    let item = if field == "message_deliveries" {
        json!({
            "sender": {"id": psid},
            "recipient": {"id": page},
            "timestamp": now,
            "delivery": {"mids": mids, "watermark": now},
        })
    } else {
        json!({
            "sender": {"id": psid},
            "recipient": {"id": page},
            "timestamp": now,
            "read": {"watermark": now},
        })
    };
    let mut item = item;
    if field == "message_deliveries" && mids.is_empty() {
        if let Some(d) = item.get_mut("delivery").and_then(|d| d.as_object_mut()) {
            d.remove("mids");
        }
    }
    let body = json!({
        "object": "page",
        "entry": [{"id": page, "time": now, "messaging": [item]}],
    })
    .to_string();
    let record = WebhookPost {
        field: field.to_owned(),
        page_id: page.to_owned(),
        psid: psid.to_owned(),
        mids,
        watermark: now,
        attempts: 0,
        status: None,
        delivered: false,
    };
    deliver(inner, &inner.config.url, body, record).await;
}

/// Posts `body`, signed, to `url` until a 2xx or `max_attempts`, and records it.
async fn deliver(inner: &Inner, url: &str, body: String, mut record: WebhookPost) {
    let signature = hub_signature(inner.secret.expose(), body.as_bytes());
    let mut wait = Duration::from_millis(500);
    while record.attempts < inner.config.max_attempts.max(1) {
        record.attempts += 1;
        let sent = inner
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", &signature)
            .body(body.clone())
            .send()
            .await;
        match sent {
            Ok(resp) => {
                let status = resp.status().as_u16();
                record.status = Some(status);
                if (200..300).contains(&status) {
                    record.delivered = true;
                    break;
                }
            }
            Err(_) => record.status = None,
        }
        if record.attempts < inner.config.max_attempts {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    tracing::info!(
        target: "svara_emulator",
        "webhook {} page={} recipient={} -> {}",
        record.field,
        record.page_id,
        record.psid.chars().take(32).collect::<String>(),
        match (record.delivered, record.status) {
            (true, Some(s)) => format!("{s}"),
            (false, Some(s)) => format!("{s} after {} attempts", record.attempts),
            (false, None) => format!("no answer after {} attempts", record.attempts),
            (true, None) => "ok".to_owned(),
        }
    );
    let mut log = inner.log.lock().unwrap_or_else(|e| e.into_inner());
    if log.len() >= KEPT {
        log.pop_front();
    }
    log.push_back(record);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_meta() {
        // HMAC-SHA256 keyed "secret" of the two bytes "{}", computed with Python's hmac.
        assert_eq!(
            hub_signature("secret", b"{}"),
            "sha256=77325902caca812dc259733aacd046b73817372c777b8d95b402647474516e13"
        );
        assert_ne!(hub_signature("a", b"x"), hub_signature("b", b"x"));
    }
}
