//! Identifiers the API hands out: `msg_…` for voice notes and `aud_…` for uploads, time-sortable
//! (48-bit milliseconds then 80 random bits, Crockford base32, like a ULID) so that newest-first
//! listing and its cursor follow the id. Within one process ids only grow: in the same
//! millisecond the random part of the previous id is incremented (a monotonic ULID).

use rand::RngCore;
use std::sync::Mutex;

static LAST: Mutex<(i64, u128)> = Mutex::new((0, 0));

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A new id with `prefix` (`msg`, `aud`) for a creation time in Unix milliseconds.
pub fn new_id(prefix: &str, now_ms: i64) -> String {
    let mut bytes = [0u8; 10];
    rand::thread_rng().fill_bytes(&mut bytes);
    let mut random = bytes.iter().fold(0u128, |acc, b| (acc << 8) | *b as u128);
    let mut ms = now_ms.max(0) & 0xFFFF_FFFF_FFFF;
    {
        let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
        if ms <= last.0 {
            // Same (or an earlier, if the clock stepped back) millisecond: one more than the last.
            ms = last.0;
            random = (last.1 + 1) & ((1u128 << 80) - 1);
        }
        *last = (ms, random);
    }
    let value: u128 = ((ms as u128) << 80) | random;
    let mut out = String::with_capacity(prefix.len() + 27);
    out.push_str(prefix);
    out.push('_');
    for i in (0..26).rev() {
        out.push(ALPHABET[((value >> (i * 5)) & 31) as usize] as char);
    }
    out
}

/// True when `id` has the shape of an id made by [`new_id`] with `prefix`.
pub fn looks_like(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('_'))
        .is_some_and(|r| r.len() == 26 && r.bytes().all(|b| ALPHABET.contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sortable_and_recognisable() {
        let a = new_id("msg", 1_000);
        let b = new_id("msg", 2_000);
        assert!(a < b);
        assert!(looks_like(&a, "msg"));
        assert!(!looks_like(&a, "aud"));
        assert!(!looks_like("msg_../../etc", "msg"));
        assert_ne!(new_id("msg", 5), new_id("msg", 5));
        let burst: Vec<String> = (0..100).map(|_| new_id("msg", 3_000)).collect();
        let mut sorted = burst.clone();
        sorted.sort();
        assert_eq!(burst, sorted, "monotonic within a millisecond");
    }
}
