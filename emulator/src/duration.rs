//! Human-friendly durations for scenario files: `"1500ms"`, `"90s"`, `"30m"`, `"26h"`, `"8d"`,
//! or a bare number of seconds, so a TOML file can say `last_message_ago = "26h"`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::time::Duration;

/// A [`Duration`] that reads and writes as `"26h"`, `"90s"`, `"250ms"` or a number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct HumanDuration(pub Duration);

impl HumanDuration {
    /// From whole seconds.
    pub const fn secs(s: u64) -> Self {
        HumanDuration(Duration::from_secs(s))
    }

    /// From milliseconds.
    pub const fn millis(ms: u64) -> Self {
        HumanDuration(Duration::from_millis(ms))
    }

    /// From whole hours.
    pub const fn hours(h: u64) -> Self {
        HumanDuration(Duration::from_secs(h * 3600))
    }

    /// From whole days.
    pub const fn days(d: u64) -> Self {
        HumanDuration(Duration::from_secs(d * 86_400))
    }

    /// Parses `"250ms"`, `"90s"`, `"30m"`, `"26h"`, `"8d"` or `"42"` (seconds).
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let n: u64 = num
            .parse()
            .map_err(|_| format!("{text:?} is not a duration; write e.g. \"250ms\", \"90s\", \"30m\", \"26h\" or \"8d\""))?;
        let d = match unit.trim() {
            "ms" => Duration::from_millis(n),
            "" | "s" => Duration::from_secs(n),
            "m" | "min" => Duration::from_secs(n * 60),
            "h" => Duration::from_secs(n * 3600),
            "d" => Duration::from_secs(n * 86_400),
            other => {
                return Err(format!(
                    "unknown duration unit {other:?} in {text:?}; use ms, s, m, h or d"
                ))
            }
        };
        Ok(HumanDuration(d))
    }
}

impl From<Duration> for HumanDuration {
    fn from(d: Duration) -> Self {
        HumanDuration(d)
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if !ms.is_multiple_of(1000) {
            write!(f, "{ms}ms")
        } else {
            let s = self.0.as_secs();
            if s != 0 && s.is_multiple_of(86_400) {
                write!(f, "{}d", s / 86_400)
            } else if s != 0 && s.is_multiple_of(3600) {
                write!(f, "{}h", s / 3600)
            } else if s != 0 && s.is_multiple_of(60) {
                write!(f, "{}m", s / 60)
            } else {
                write!(f, "{s}s")
            }
        }
    }
}

impl Serialize for HumanDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Secs(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Secs(s) => Ok(HumanDuration::secs(s)),
            Raw::Text(t) => HumanDuration::parse(&t).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_unit() {
        for (text, secs_ms) in [
            ("250ms", 250),
            ("90s", 90_000),
            ("30m", 1_800_000),
            ("26h", 93_600_000),
            ("8d", 691_200_000),
            ("42", 42_000),
        ] {
            let d = HumanDuration::parse(text).unwrap();
            assert_eq!(d.0.as_millis(), secs_ms, "{text}");
            assert_eq!(HumanDuration::parse(&d.to_string()).unwrap(), d);
        }
        assert!(HumanDuration::parse("3 weeks").is_err());
        assert!(HumanDuration::parse("h").is_err());
    }
}
