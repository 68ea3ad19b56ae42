//! The one table of ranges: bitrate, timeouts, retries, pace, durations, sizes. Validation,
//! fix-it messages, the bindings' types and the README read them from here.

pub use crate::audio::MAX_AUDIO_BYTES;

use crate::error::{Error, Result};

/// How a range reads in a message: "bits per second between 8000 and 320000" or "0 to 10
/// retries".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// "between MIN and MAX".
    Between,
    /// "MIN to MAX".
    To,
    /// "more than MIN" (no upper bound worth stating).
    Above,
}

/// The allowed values of a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// Smallest value (allowed unless `min_exclusive`).
    pub min: f64,
    /// Largest value allowed.
    pub max: f64,
    /// False when `min` itself is not allowed ("longer than zero").
    pub min_inclusive: bool,
    /// The value used when the caller gives none, if any.
    pub default: Option<f64>,
    /// The unit, as a noun phrase: "bits per second", "seconds".
    pub unit: &'static str,
    /// How the range reads.
    pub style: Style,
}

impl Limit {
    /// True when `value` is in range.
    pub fn allows(&self, value: f64) -> bool {
        value.is_finite()
            && value <= self.max
            && (value > self.min || (self.min_inclusive && value == self.min))
    }

    /// The range as the end of a fix-it sentence: "bits per second between 8000 and 320000
    /// (default 64000)".
    pub fn describe(&self) -> String {
        let (min, max, unit) = (num(self.min), num(self.max), self.unit);
        let range = match self.style {
            Style::Between => format!("{unit} between {min} and {max}"),
            Style::To => format!("{min} to {max} {unit}"),
            Style::Above => format!("more than {min} {unit}"),
        };
        let default = self
            .default
            .map(|d| format!(" (default {})", num(d)))
            .unwrap_or_default();
        format!("{range}{default}")
    }

    /// The default (for a limit that has one).
    pub fn default_value(&self) -> f64 {
        self.default.expect("this limit has a default")
    }

    /// Refuses `value` (shown as `shown`) outside the range: "`name` 1 is out of range; give
    /// bits per second between 8000 and 320000 (default 64000)."
    pub fn check(&self, name: &str, value: f64, shown: impl std::fmt::Display) -> Result<()> {
        if self.allows(value) {
            return Ok(());
        }
        Err(Error::invalid_request(format!(
            "{name} {shown} {}; give {}.",
            self.problem(value),
            self.describe()
        )))
    }

    /// What is wrong with `value`, a phrase after "`name` VALUE": "is too many" for a count
    /// over its maximum, else "is out of range".
    pub fn problem(&self, value: f64) -> &'static str {
        if self.style == Style::To && value > self.max {
            "is too many"
        } else {
            "is out of range"
        }
    }
}

/// A number as people write it: `64000`, `0.5`.
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

const fn limit(
    min: f64,
    max: f64,
    default: Option<f64>,
    unit: &'static str,
    style: Style,
) -> Limit {
    Limit {
        min,
        max,
        min_inclusive: true,
        default,
        unit,
        style,
    }
}

/// The bitrate of converted audio: the widest range of the two targets (AAC 8 to 320 kb/s,
/// Opus 6 to 256 kb/s, `TargetFormat::bitrate_range`); the default is the target's own.
pub const BITRATE: Limit = limit(6_000.0, 320_000.0, None, "bits per second", Style::Between);
/// Whole-request timeout of Graph calls, in seconds.
pub const TIMEOUT_SECONDS: Limit = Limit {
    min_inclusive: false,
    ..limit(0.0, 3_600.0, Some(60.0), "seconds", Style::Between)
};
/// The same in milliseconds.
pub const TIMEOUT_MS: Limit = limit(
    1.0,
    3_600_000.0,
    Some(60_000.0),
    "milliseconds",
    Style::Between,
);
/// Automatic retries.
pub const MAX_RETRIES: Limit = limit(0.0, 10.0, Some(2.0), "retries", Style::To);
/// The longest recording a caller accepts, in seconds (a day at most: longer is a mistake).
pub const MAX_DURATION_SECONDS: Limit = Limit {
    min_inclusive: false,
    ..limit(0.0, 86_400.0, None, "seconds", Style::Between)
};
/// The same in milliseconds.
pub const MAX_DURATION_MS: Limit = limit(1.0, 86_400_000.0, None, "milliseconds", Style::Between);
/// Client-side sends per second per sender (the default is the platform's,
/// `PlatformSpec::sends_per_second`: 10 for Messenger and Instagram, 80 for WhatsApp, 30 for
/// Telegram).
pub const SENDS_PER_SECOND: Limit = Limit {
    min_inclusive: false,
    ..limit(0.0, 10_000.0, None, "sends per second", Style::Between)
};
/// Sends in flight during `send_many`.
pub const CONCURRENCY: Limit = limit(1.0, 256.0, Some(8.0), "sends in flight", Style::To);
/// Caption length in characters (Telegram's `sendVoice` takes 0 to 1024).
pub const CAPTION_CHARS: Limit = limit(0.0, 1_024.0, None, "characters", Style::To);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_as_documented() {
        assert_eq!(
            BITRATE.describe(),
            "bits per second between 6000 and 320000"
        );
        assert_eq!(MAX_RETRIES.describe(), "0 to 10 retries (default 2)");
        assert_eq!(MAX_RETRIES.problem(99.0), "is too many");
        assert!(BITRATE.allows(6_000.0) && !BITRATE.allows(5_999.0) && !BITRATE.allows(f64::NAN));
        assert!(!TIMEOUT_SECONDS.allows(0.0) && TIMEOUT_SECONDS.allows(0.5));
        assert!(!SENDS_PER_SECOND.allows(0.0));
    }

    #[test]
    fn the_range_covers_both_targets() {
        for f in crate::TargetFormat::ALL {
            let (low, high) = f.bitrate_range();
            assert!(BITRATE.allows(f64::from(low)) && BITRATE.allows(f64::from(high)));
        }
    }
}
