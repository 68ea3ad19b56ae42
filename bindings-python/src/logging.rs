//! Sends the core's `tracing` events (retries, Graph calls, emulator requests) to Python's
//! `logging`, under the logger `svara` (`svara.emulator` for the emulator), so applications
//! configure Svara's logs like any other library's. Nothing the core logs carries the token.

use std::fmt::Write as _;

use pyo3::prelude::*;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Installs the bridge as this module's global `tracing` subscriber (once; a no-op if the
/// process already has one, e.g. another extension built from the same crates).
pub(crate) fn install() {
    let subscriber = tracing_subscriber::registry().with(PythonLogging);
    let _ = tracing::subscriber::set_global_default(subscriber);
}

struct PythonLogging;

/// Collects `message` and the other fields as `key=value`.
#[derive(Default)]
struct Text {
    message: String,
    fields: String,
}

impl Visit for Text {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

fn python_level(level: Level) -> u8 {
    match level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => 5,
    }
}

impl<S: Subscriber> Layer<S> for PythonLogging {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let target = meta.target();
        let logger_name = if target.starts_with("svara_emulator") {
            "svara.emulator"
        } else if target.starts_with("svara") {
            "svara"
        } else {
            return;
        };
        let level = python_level(*meta.level());
        let mut text = Text::default();
        event.record(&mut text);
        // During interpreter shutdown there is nobody to log to: drop the record.
        let _ = Python::try_attach(|py| -> PyResult<()> {
            let logger = py
                .import("logging")?
                .call_method1("getLogger", (logger_name,))?;
            if logger.call_method1("isEnabledFor", (level,))?.is_truthy()? {
                let line = format!("{}{}", text.message, text.fields);
                logger.call_method1("log", (level, "%s", line))?;
            }
            Ok(())
        });
    }
}
