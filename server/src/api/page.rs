//! Cursor pagination shared by the lists (`/v1/messages`, `/v1/webhooks/{id}/deliveries`):
//! newest first by `(created_at, id)`, the cursor an opaque base64url of the last item's pair
//! (checked to be one of this list's ids, so a forged cursor is refused), `limit` 1 to 100.

use crate::error::ApiError;
use base64::Engine;

/// Most items per page.
pub const MAX_PAGE: i64 = 100;
/// Items per page by default.
pub const DEFAULT_PAGE: i64 = 20;

/// The cursor after the item `(created_at, id)`.
pub fn encode_cursor(created_at: i64, id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{created_at}:{id}"))
}

/// The `(created_at, id)` of a cursor whose id has the prefix `prefix` (`msg`, `whd`).
pub fn decode_cursor(c: &str, prefix: &str) -> Option<(i64, String)> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (t, id) = text.split_once(':')?;
    crate::ids::looks_like(id, prefix).then_some(())?;
    Some((t.parse().ok()?, id.to_owned()))
}

/// The `limit` query parameter.
pub fn limit(given: Option<&str>) -> Result<i64, ApiError> {
    match given.map(str::trim) {
        None | Some("") => Ok(DEFAULT_PAGE),
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| {
                ApiError::invalid_parameter(
                    "limit",
                    format!("limit must be a whole number from 1 to {MAX_PAGE}."),
                )
            }),
    }
}

/// The `cursor` query parameter.
pub fn cursor(given: Option<&str>, prefix: &str) -> Result<Option<(i64, String)>, ApiError> {
    match given {
        None | Some("") => Ok(None),
        Some(c) => decode_cursor(c, prefix).map(Some).ok_or_else(|| {
            ApiError::invalid_parameter(
                "cursor",
                "cursor is not one this server gave out; pass next_cursor of the previous page unchanged.",
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_forgeries() {
        let id = crate::ids::new_id("msg", 5);
        let c = encode_cursor(5, &id);
        assert_eq!(decode_cursor(&c, "msg"), Some((5, id)));
        assert_eq!(decode_cursor(&c, "whd"), None);
        assert_eq!(decode_cursor("not-a-cursor", "msg"), None);
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("5:x' OR 1=1");
        assert_eq!(decode_cursor(&forged, "msg"), None);
        assert_eq!(limit(None).unwrap(), 20);
        assert!(limit(Some("101")).is_err());
    }
}
