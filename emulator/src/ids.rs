//! Identifiers that look like Meta's: `m_...` message ids, numeric attachment ids and
//! `fbtrace_id`s. Message ids are unique for the life of the process and random beyond
//! their first characters; attachment ids are random.

use rand::Rng;
use std::sync::atomic::{AtomicU64, Ordering};

const URL_SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

static SEQUENCE: AtomicU64 = AtomicU64::new(1);

/// Scrambles a sequence number without losing uniqueness (multiplying by an odd constant
/// is a bijection on u64), so ids do not start with a run of `A`s.
fn scramble(seq: u64) -> u64 {
    seq.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5DEE_CE66_D1CE_4E5B
}

fn random_chars(alphabet: &[u8], n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

/// Encodes `n` in the URL-safe base64 alphabet, most significant digit first, fixed width.
fn encode_seq(mut n: u64, width: usize) -> String {
    let mut out = vec![b'A'; width];
    for slot in out.iter_mut().rev() {
        *slot = URL_SAFE[(n % 64) as usize];
        n /= 64;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// A new message id: `m_` followed by 86 base64url characters, like Meta's `mid`s. The first
/// 11 characters carry a (scrambled) process-wide sequence number, so ids never repeat.
pub fn message_id() -> String {
    let seq = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    format!(
        "m_{}{}",
        encode_seq(scramble(seq), 11),
        random_chars(URL_SAFE, 75)
    )
}

/// A new attachment id: 16 random decimal digits, like Meta's (`1857777774821032`), so ids
/// differ from run to run and a test cannot depend on one by accident. The caller retries on
/// the (vanishingly rare) collision with a saved id.
pub fn attachment_id() -> String {
    let n: u64 = rand::thread_rng().gen_range(1_000_000_000_000_000..10_000_000_000_000_000);
    n.to_string()
}

/// A new `fbtrace_id`: 11 alphanumeric characters.
pub fn fbtrace_id() -> String {
    random_chars(ALNUM, 11)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_have_meta_shapes_and_never_repeat() {
        let mut seen = HashSet::new();
        for _ in 0..1000 {
            let m = message_id();
            assert!(m.starts_with("m_") && m.len() == 88, "{m}");
            assert!(m[2..].bytes().all(|b| URL_SAFE.contains(&b)));
            assert!(seen.insert(m));
            let a = attachment_id();
            assert_eq!(a.len(), 16);
            assert!(a.bytes().all(|b| b.is_ascii_digit()));
            assert!(seen.insert(a));
        }
        assert_eq!(fbtrace_id().len(), 11);
    }
}
