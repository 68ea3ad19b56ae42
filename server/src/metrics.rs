//! Prometheus metrics at `GET /metrics` (text exposition format): queue depths read from the
//! database at each scrape (so every process reports the whole queue), and this process's
//! counters and histograms: sends by platform and outcome code, conversion and send latency,
//! pacing waits, webhook deliveries by outcome and their latency, receipts, and lease rescues.
//! `platform` is a label everywhere, so a new platform needs no new metric.

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Duration;

/// `{platform, outcome}`: `outcome` is `sent` or the error code of a failure.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SendLabels {
    /// `messenger`, ...
    pub platform: String,
    /// `sent`, `invalid_token`, `network_error`, ...
    pub outcome: String,
}

/// `{platform}`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PlatformLabels {
    /// `messenger`, ...
    pub platform: String,
}

/// `{status}`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabels {
    /// A status of the queue.
    pub status: String,
}

/// `{outcome}`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// What happened.
    pub outcome: String,
}

/// `{queue, outcome}` of a lease rescue.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RescueLabels {
    /// `jobs` or `webhooks`.
    pub queue: String,
    /// `requeued` (nothing was sent) or `failed` (may have been delivered, never sent again).
    pub outcome: String,
}

/// `{platform, kind}` of a receipt.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReceiptLabels {
    /// `messenger`.
    pub platform: String,
    /// `delivered` or `read`.
    pub kind: String,
}

/// This process's metrics.
pub struct Metrics {
    registry: Registry,
    queue_depth: Family<StatusLabels, Gauge>,
    webhook_queue_depth: Family<StatusLabels, Gauge>,
    sends: Family<SendLabels, Counter>,
    conversion_seconds: Family<PlatformLabels, Histogram>,
    send_seconds: Family<PlatformLabels, Histogram>,
    pacing_wait_seconds: Family<PlatformLabels, Histogram>,
    webhook_deliveries: Family<OutcomeLabels, Counter>,
    webhook_latency_seconds: Histogram,
    receipts: Family<ReceiptLabels, Counter>,
    lease_rescues: Family<RescueLabels, Counter>,
}

fn latency_buckets() -> impl Iterator<Item = f64> {
    [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
    ]
    .into_iter()
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("svara");
        let queue_depth = Family::<StatusLabels, Gauge>::default();
        registry.register(
            "queue_depth",
            "Voice notes in the queue by status (queued, sending), read from the database: every process on it",
            queue_depth.clone(),
        );
        let webhook_queue_depth = Family::<StatusLabels, Gauge>::default();
        registry.register(
            "webhook_queue_depth",
            "Webhook deliveries waiting (pending) or in flight (sending), read from the database",
            webhook_queue_depth.clone(),
        );
        let sends = Family::<SendLabels, Counter>::default();
        registry.register(
            "sends",
            "Voice notes this process finished, by platform and outcome (sent, or the error code)",
            sends.clone(),
        );
        let conversion_seconds = Family::<PlatformLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(latency_buckets())
        });
        registry.register(
            "conversion_seconds",
            "Time to prepare audio (download excluded): conversion, or the pass-through check",
            conversion_seconds.clone(),
        );
        let send_seconds = Family::<PlatformLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(latency_buckets())
        });
        registry.register(
            "send_seconds",
            "Time of the platform's send call, from writing the request to its answer",
            send_seconds.clone(),
        );
        let pacing_wait_seconds = Family::<PlatformLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(latency_buckets())
        });
        registry.register(
            "pacing_wait_seconds",
            "Time a send waited for its Page's slot (10 sends per second per Page over all processes)",
            pacing_wait_seconds.clone(),
        );
        let webhook_deliveries = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "webhook_deliveries",
            "Webhook attempts by outcome: delivered (2xx), retry (scheduled again), failed (given up)",
            webhook_deliveries.clone(),
        );
        let webhook_latency_seconds = Histogram::new(latency_buckets());
        registry.register(
            "webhook_latency_seconds",
            "From a note's status change to its receiver's 2xx",
            webhook_latency_seconds.clone(),
        );
        let receipts = Family::<ReceiptLabels, Counter>::default();
        registry.register(
            "receipts",
            "Notes moved to delivered or read by the platform's receipts",
            receipts.clone(),
        );
        let lease_rescues = Family::<RescueLabels, Counter>::default();
        registry.register(
            "lease_rescues",
            "Expired leases taken over by this process (a crashed or stalled owner)",
            lease_rescues.clone(),
        );
        // Known label sets start at 0, so dashboards and alerts see them before the first event.
        for (queue, outcome) in [
            ("jobs", "requeued"),
            ("jobs", "failed"),
            ("webhooks", "requeued"),
        ] {
            let _ = lease_rescues.get_or_create(&RescueLabels {
                queue: queue.to_owned(),
                outcome: outcome.to_owned(),
            });
        }
        for outcome in ["delivered", "retry", "failed"] {
            let _ = webhook_deliveries.get_or_create(&OutcomeLabels {
                outcome: outcome.to_owned(),
            });
        }
        for kind in ["delivered", "read"] {
            let _ = receipts.get_or_create(&ReceiptLabels {
                platform: "messenger".to_owned(),
                kind: kind.to_owned(),
            });
        }
        Metrics {
            registry,
            queue_depth,
            webhook_queue_depth,
            sends,
            conversion_seconds,
            send_seconds,
            pacing_wait_seconds,
            webhook_deliveries,
            webhook_latency_seconds,
            receipts,
            lease_rescues,
        }
    }

    /// A note ended: `outcome` is `sent` or its error code.
    pub fn send_finished(&self, platform: &str, outcome: &str) {
        self.sends
            .get_or_create(&SendLabels {
                platform: platform.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Audio was prepared.
    pub fn conversion(&self, platform: &str, took: Duration) {
        self.conversion_seconds
            .get_or_create(&PlatformLabels {
                platform: platform.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// A send call returned.
    pub fn send_call(&self, platform: &str, took: Duration) {
        self.send_seconds
            .get_or_create(&PlatformLabels {
                platform: platform.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// A send waited for its Page's slot.
    pub fn pacing_wait(&self, platform: &str, took: Duration) {
        self.pacing_wait_seconds
            .get_or_create(&PlatformLabels {
                platform: platform.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// A webhook attempt ended: `delivered`, `retry` or `failed`; `latency` from the event to
    /// the 2xx.
    pub fn webhook_attempt(&self, outcome: &str, latency: Option<Duration>) {
        self.webhook_deliveries
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_owned(),
            })
            .inc();
        if let Some(l) = latency {
            self.webhook_latency_seconds.observe(l.as_secs_f64());
        }
    }

    /// Receipts moved `n` notes to `kind`.
    pub fn receipts(&self, platform: &str, kind: &str, n: u64) {
        if n > 0 {
            self.receipts
                .get_or_create(&ReceiptLabels {
                    platform: platform.to_owned(),
                    kind: kind.to_owned(),
                })
                .inc_by(n);
        }
    }

    /// Expired leases of `queue` were rescued.
    pub fn rescued(&self, queue: &str, outcome: &str, n: u64) {
        if n > 0 {
            self.lease_rescues
                .get_or_create(&RescueLabels {
                    queue: queue.to_owned(),
                    outcome: outcome.to_owned(),
                })
                .inc_by(n);
        }
    }

    /// The text exposition, with the queue depths given (read from the database just before).
    pub fn render(&self, queue: &[(String, i64)], webhooks: &[(String, i64)]) -> String {
        for (family, values, statuses) in [
            (&self.queue_depth, queue, &["queued", "sending"]),
            (&self.webhook_queue_depth, webhooks, &["pending", "sending"]),
        ] {
            for status in statuses.iter() {
                let n = values
                    .iter()
                    .find(|(s, _)| s == status)
                    .map(|(_, n)| *n)
                    .unwrap_or(0);
                family
                    .get_or_create(&StatusLabels {
                        status: (*status).to_owned(),
                    })
                    .set(n);
            }
        }
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_documented_names() {
        let m = Metrics::new();
        m.send_finished("messenger", "sent");
        m.send_finished("messenger", "invalid_token");
        m.conversion("messenger", Duration::from_millis(30));
        m.send_call("messenger", Duration::from_millis(80));
        m.webhook_attempt("delivered", Some(Duration::from_millis(12)));
        m.rescued("jobs", "failed", 2);
        let text = m.render(&[("queued".into(), 7)], &[]);
        for needle in [
            r#"svara_queue_depth{status="queued"} 7"#,
            r#"svara_queue_depth{status="sending"} 0"#,
            r#"svara_sends_total{platform="messenger",outcome="invalid_token"} 1"#,
            "svara_conversion_seconds_bucket",
            r#"svara_send_seconds_count{platform="messenger"} 1"#,
            r#"svara_webhook_deliveries_total{outcome="delivered"} 1"#,
            r#"svara_lease_rescues_total{queue="jobs",outcome="failed"} 2"#,
            r#"svara_webhook_queue_depth{status="pending"} 0"#,
        ] {
            assert!(text.contains(needle), "{needle} in\n{text}");
        }
    }
}
