//! Graph API versions as Meta publishes them: which exist, which are still available, which
//! version serves a call. A version that never existed (`v99.0`) is refused with 2500; a
//! retired one is served by the oldest available version (Meta's documented behaviour); an
//! unversioned call by the app's default version. The served version goes back in the
//! `facebook-api-version` header of every Graph response.

use crate::config::EmulatorConfig;

/// The newest version Meta has released (Graph changelog, "The latest Graph API version").
pub const NEWEST: &str = "v25.0";

/// Name of the header that says which version served a call.
pub const VERSION_HEADER: &str = "facebook-api-version";

/// A Graph version as `(major, minor)`.
pub(crate) type Version = (u16, u16);

/// Versions from Meta's "Available Graph API Versions" table (Graph changelog, read in 2026)
/// with the last day each is available. Meta's table says "TBD" for v21.0 to v25.0; we
/// estimate two years after the successor's release, Meta's documented rule (the table's own
/// dates follow it within days). `None`: no end announced.
const AVAILABLE: [(Version, Option<&str>); 13] = [
    ((13, 0), Some("2024-05-28")),
    ((14, 0), Some("2024-09-17")),
    ((15, 0), Some("2024-11-20")),
    ((16, 0), Some("2025-05-14")),
    ((17, 0), Some("2025-09-12")),
    ((18, 0), Some("2026-01-26")),
    ((19, 0), Some("2026-05-21")),
    ((20, 0), Some("2026-09-24")),
    ((21, 0), Some("2027-01-21")),
    ((22, 0), Some("2027-05-29")),
    ((23, 0), Some("2027-10-08")),
    ((24, 0), Some("2028-02-18")),
    ((25, 0), None),
];

/// Versions released before v13.0, all retired: v1.0, v2.0 to v2.12, v3.0 to v3.3, v4.0 to v12.0.
fn is_old_release(v: Version) -> bool {
    match v {
        (1, 0) => true,
        (2, m) => m <= 12,
        (3, m) => m <= 3,
        (4..=12, 0) => true,
        _ => false,
    }
}

/// Parses `v25.0` (also `v2.10`); anything else is not a version.
pub(crate) fn parse(s: &str) -> Option<Version> {
    let (major, minor) = s.strip_prefix('v')?.split_once('.')?;
    let ok = |t: &str| !t.is_empty() && t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit());
    if !ok(major) || !ok(minor) {
        return None;
    }
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// `v25.0`.
pub(crate) fn format(v: Version) -> String {
    format!("v{}.{}", v.0, v.1)
}

/// Whether Meta ever released `v` (or the scenario lists it in `versions.extra`).
pub(crate) fn exists(config: &EmulatorConfig, v: Version) -> bool {
    is_old_release(v)
        || AVAILABLE.iter().any(|(a, _)| *a == v)
        || config.versions.extra.iter().any(|e| parse(e) == Some(v))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn parse_date(s: &str) -> i64 {
    let mut it = s.split('-').map(|p| p.parse::<i64>().unwrap_or(0));
    let (y, m, d) = (
        it.next().unwrap_or(0),
        it.next().unwrap_or(1),
        it.next().unwrap_or(1),
    );
    days_from_civil(y, m, d)
}

fn today() -> i64 {
    (crate::state::now_ms() / 86_400_000) as i64
}

/// The oldest version still available today (what serves calls to retired versions).
pub(crate) fn oldest_available(config: &EmulatorConfig) -> Version {
    if let Some(v) = config.versions.oldest_available.as_deref().and_then(parse) {
        return v;
    }
    let now = today();
    AVAILABLE
        .iter()
        .find(|(_, until)| until.is_none_or(|d| parse_date(d) >= now))
        .map(|(v, _)| *v)
        .unwrap_or((25, 0))
}

/// Whether `v` is retired today.
pub(crate) fn is_retired(config: &EmulatorConfig, v: Version) -> bool {
    let extra = config.versions.extra.iter().any(|e| parse(e) == Some(v));
    !extra && v < oldest_available(config)
}

/// The version that serves a call to `requested` (`None`: an unversioned path).
pub(crate) fn served(config: &EmulatorConfig, requested: Option<Version>) -> Version {
    match requested {
        None => parse(&config.versions.default).unwrap_or((25, 0)),
        Some(v) if is_retired(config, v) => oldest_available(config),
        Some(v) => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_classifies() {
        let c = EmulatorConfig::default();
        assert_eq!(parse("v25.0"), Some((25, 0)));
        assert_eq!(parse("v2.10"), Some((2, 10)));
        assert_eq!(parse("25.0"), None);
        assert_eq!(parse("v25"), None);
        assert_eq!(parse("latest"), None);
        assert!(exists(&c, (2, 6)) && exists(&c, (6, 0)) && exists(&c, (25, 0)));
        assert!(!exists(&c, (99, 0)) && !exists(&c, (2, 13)) && !exists(&c, (26, 0)));
        assert!(is_retired(&c, (2, 6)));
        assert!(!is_retired(&c, (25, 0)));
        assert_eq!(served(&c, Some((2, 6))), oldest_available(&c));
        assert_eq!(served(&c, None), (25, 0));
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(parse_date("2000-03-01"), 11_017);
        let mut c = EmulatorConfig::default();
        c.versions.extra.push("v26.0".into());
        assert!(exists(&c, (26, 0)));
        c.versions.oldest_available = Some("v23.0".into());
        assert_eq!(served(&c, Some((22, 0))), (23, 0));
    }
}
