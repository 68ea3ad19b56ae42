//! Time as the server stores it (integer Unix milliseconds, portable across databases) and
//! as the API shows it (ISO 8601 UTC, like the documented `created_at`).

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `2026-03-14T12:00:00Z` for a Unix time in milliseconds (whole seconds, as documented).
pub fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// `2026-03-14T12:00:00.250Z`: [`iso8601`] with milliseconds (webhook attempts).
pub fn iso8601_ms(ms: i64) -> String {
    let whole = iso8601(ms);
    format!(
        "{}.{:03}Z",
        whole.trim_end_matches('Z'),
        ms.rem_euclid(1000)
    )
}

/// `2026-03-14` (UTC) for a Unix time in milliseconds.
pub fn utc_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(1000).div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The start of the UTC day containing `ms`.
pub fn start_of_utc_day(ms: i64) -> i64 {
    ms.div_euclid(86_400_000) * 86_400_000
}

/// Howard Hinnant's `civil_from_days`: (year, month, day) of a day count from 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601_ms(1_773_489_600_250), "2026-03-14T12:00:00.250Z");
        assert_eq!(iso8601(1_773_489_600_000), "2026-03-14T12:00:00Z");
        assert_eq!(iso8601(951_782_400_999), "2000-02-29T00:00:00Z");
        assert_eq!(utc_date(1_773_489_600_000), "2026-03-14");
        assert_eq!(start_of_utc_day(1_773_489_600_000), 1_773_446_400_000);
    }
}
