//! The people (PSIDs) the emulator knows while it runs: those of the configuration plus any
//! added or updated through `POST /__emulator/psids` ("this person just wrote to the Page"),
//! with the moment they last wrote measured on the emulator's clock, so windows keep closing.

use crate::config::{EmulatorConfig, PsidConfig};
use std::sync::RwLock;
use std::time::{Duration, Instant};

struct Person {
    config: PsidConfig,
    /// When they last wrote, in milliseconds relative to the emulator's start (negative:
    /// before it started).
    wrote_at_ms: i128,
}

/// Who can be messaged, and how long ago each person last wrote.
pub(crate) struct People {
    started: Instant,
    initial: Vec<PsidConfig>,
    accept_any: bool,
    people: RwLock<Vec<Person>>,
}

fn at_start(config: &PsidConfig) -> Person {
    Person {
        config: config.clone(),
        wrote_at_ms: -(config.last_message_ago.0.as_millis() as i128),
    }
}

impl People {
    pub(crate) fn new(config: &EmulatorConfig, started: Instant) -> Self {
        People::from_list(config.psids.clone(), config.accept_any_psid, started)
    }

    /// People of another platform (IGSIDs, WhatsApp ids), each scoped to its sender by
    /// `page_id`.
    pub(crate) fn from_list(list: Vec<PsidConfig>, accept_any: bool, started: Instant) -> Self {
        People {
            started,
            people: RwLock::new(list.iter().map(at_start).collect()),
            initial: list,
            accept_any,
        }
    }

    fn elapsed_ms(&self) -> i128 {
        self.started.elapsed().as_millis() as i128
    }

    /// Back to the configured people.
    pub(crate) fn reset(&self) {
        *self.people.write().unwrap_or_else(|e| e.into_inner()) =
            self.initial.iter().map(at_start).collect();
    }

    /// Adds a person, or replaces the one with the same id and Page; `last_message_ago`
    /// counts from now.
    pub(crate) fn upsert(&self, config: PsidConfig) {
        let wrote_at_ms = self.elapsed_ms() - config.last_message_ago.0.as_millis() as i128;
        let mut people = self.people.write().unwrap_or_else(|e| e.into_inner());
        people.retain(|p| !(p.config.id == config.id && p.config.page_id == config.page_id));
        people.push(Person {
            config,
            wrote_at_ms,
        });
    }

    /// Whether `psid` is a configured or added person (of any Page).
    pub(crate) fn is_known(&self, psid: &str) -> bool {
        self.people
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|p| p.config.id == psid)
    }

    /// The person `psid` as seen by `page_id`, and how long ago they last wrote.
    pub(crate) fn lookup(&self, page_id: &str, psid: &str) -> Option<(PsidConfig, Duration)> {
        let now = self.elapsed_ms();
        let people = self.people.read().unwrap_or_else(|e| e.into_inner());
        let age_of = |wrote_at: i128| Duration::from_millis((now - wrote_at).max(0) as u64);
        // A Page-specific entry wins over one every Page knows.
        let specific = people
            .iter()
            .rev()
            .find(|p| p.config.id == psid && p.config.page_id.as_deref() == Some(page_id));
        let general = || {
            people
                .iter()
                .rev()
                .find(|p| p.config.id == psid && p.config.page_id.is_none())
        };
        if let Some(p) = specific.or_else(general) {
            return Some((p.config.clone(), age_of(p.wrote_at_ms)));
        }
        let any = self.accept_any && !psid.is_empty() && psid.bytes().all(|b| b.is_ascii_digit());
        any.then(|| {
            let person = PsidConfig::active(psid);
            let age = person.last_message_ago.0;
            (person, age)
        })
    }
}
