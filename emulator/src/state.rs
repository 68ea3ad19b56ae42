//! The shared state behind every request: configuration, memory, limiter, fault dice, fetcher,
//! people, and each platform's own run-time state.

use crate::config::EmulatorConfig;
use crate::faults::FaultEngine;
use crate::fetch::Fetcher;
use crate::people::People;
use crate::rate_limit::RateLimiter;
use crate::store::Store;
use crate::webhooks::{WebhookSender, WhatsappNumber};
use std::collections::BTreeMap;
use std::time::Instant;

/// Everything a handler needs.
pub(crate) struct AppState {
    pub config: EmulatorConfig,
    pub store: Store,
    pub rate: RateLimiter,
    pub faults: FaultEngine,
    pub fetcher: Fetcher,
    pub people: People,
    /// Instagram's people (IGSIDs), scoped to their account.
    pub ig_people: People,
    pub whatsapp: crate::whatsapp::WhatsappState,
    pub telegram: crate::telegram::TelegramState,
    pub webhooks: WebhookSender,
}

impl AppState {
    pub(crate) fn new(config: EmulatorConfig) -> Self {
        let started = Instant::now();
        AppState {
            people: People::new(&config, started),
            ig_people: crate::instagram::people(&config, started),
            whatsapp: crate::whatsapp::WhatsappState::new(&config, started),
            telegram: crate::telegram::TelegramState::new(&config),
            store: Store::new(config.keep_audio_bytes),
            rate: RateLimiter::new(config.rate_limit.clone()),
            faults: FaultEngine::new(config.faults.clone(), config.fault_seed),
            fetcher: Fetcher::new(config.fetch.clone()),
            webhooks: WebhookSender::new(config.webhooks.as_ref(), config.app_secret.as_ref()),
            config,
        }
    }

    /// Forgets deliveries, attempts, attachments, rate-limit windows, fault counters and
    /// people added at run time.
    pub(crate) fn reset(&self) {
        self.people.reset();
        self.ig_people.reset();
        self.whatsapp.reset();
        self.telegram.reset();
        self.store.reset();
        self.rate.reset();
        self.faults.reset();
        self.webhooks.reset();
    }

    /// The person read every message they got: one `message_reads` per Page that messaged
    /// them (or only `page`); for WhatsApp, one body of `read` statuses per business number,
    /// naming its messages. (Telegram tells bots nothing of reads; Instagram's `messaging_seen`
    /// is not emulated.) False without a webhook URL.
    pub(crate) fn mark_read(&self, psid: &str, page: Option<&str>) -> bool {
        let snapshot = self.store.snapshot();
        let got: Vec<_> = snapshot
            .messages_for(psid)
            .iter()
            .filter(|d| page.is_none_or(|want| want == d.page_id))
            .collect();
        let mut pages: Vec<String> = got
            .iter()
            .filter(|d| d.platform == "messenger")
            .map(|d| d.page_id.clone())
            .collect();
        pages.sort();
        pages.dedup();
        let mut numbers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for d in got.iter().filter(|d| d.platform == "whatsapp") {
            numbers
                .entry(d.page_id.clone())
                .or_default()
                .push(d.message_id.clone());
        }
        let mut posted = self.webhooks.read(psid, pages);
        for (phone_number_id, wamids) in numbers {
            let display_phone_number = self
                .config
                .whatsapp
                .number(&phone_number_id)
                .map(|n| n.display_phone_number.clone())
                .unwrap_or_default();
            let number = WhatsappNumber {
                phone_number_id,
                display_phone_number,
            };
            posted |= self.webhooks.whatsapp_read(&number, psid, wamids);
        }
        posted
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
