//! API keys: `sk_test_…` deliver to the built-in emulator, `sk_live_…` to Meta, and the mode is
//! frozen on each job at accept, so a test key never reaches Meta and a live key never the
//! emulator. Keys are kept as SHA-256 hashes and compared in constant time; with none
//! configured the server generates one test key, shows it once, and keeps only its hash.

use crate::config::Secret;
use crate::store::keys::{self as stored, StoredKey};
use crate::store::{Store, StoreError};
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Prefix of test keys.
pub const TEST_PREFIX: &str = "sk_test_";
/// Prefix of live keys.
pub const LIVE_PREFIX: &str = "sk_live_";
/// Longest `Authorization` value looked at.
pub const MAX_KEY_LEN: usize = 256;

/// Where a key's voice notes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The built-in emulator (simulated delivery).
    Test,
    /// Meta's Graph API (`SVARA_GRAPH_URL` overrides its URL).
    Live,
}

impl Mode {
    /// `test` or `live`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Test => "test",
            Mode::Live => "live",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "test" => Some(Mode::Test),
            "live" => Some(Mode::Live),
            _ => None,
        }
    }

    /// The mode a key's prefix gives it.
    pub fn of_key(key: &str) -> Option<Mode> {
        if key.starts_with(TEST_PREFIX) {
            Some(Mode::Test)
        } else if key.starts_with(LIVE_PREFIX) {
            Some(Mode::Live)
        } else {
            None
        }
    }
}

/// An authenticated key: what a request is allowed to see and where its notes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// `key_…` (derived from the hash; shown in logs instead of the key).
    pub id: String,
    /// Test or live.
    pub mode: Mode,
    hash: [u8; 32],
}

/// The keys this server accepts.
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    keys: Vec<ApiKey>,
}

/// What start-up did with the keys.
#[derive(Debug, Clone)]
pub enum KeySetup {
    /// The configured keys are in use.
    Configured(usize),
    /// A test key was generated now: shown once, here.
    Generated(Secret),
    /// A test key generated on an earlier start is in use (only its prefix is known).
    Existing(String),
}

fn hash(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

fn key_id(hash: &[u8; 32]) -> String {
    format!("key_{}", hex::encode(&hash[..8]))
}

fn display(key: &str) -> String {
    let cut = key
        .char_indices()
        .nth(TEST_PREFIX.len() + 4)
        .map(|(i, _)| i)
        .unwrap_or(key.len());
    format!("{}…", &key[..cut])
}

/// Why a configured key was refused.
#[derive(Debug, thiserror::Error)]
pub enum KeyConfigError {
    /// Wrong prefix or too short.
    #[error("API key #{index} must start with sk_test_ (test mode: the built-in emulator) or sk_live_ (Meta) and have at least 16 characters after it.")]
    Malformed {
        /// 1-based position in the configured list.
        index: usize,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl KeyRing {
    /// Registers the configured keys, or loads (creating on first start) the generated test key.
    pub async fn setup(
        store: &Store,
        configured: &[Secret],
        now: i64,
    ) -> Result<(KeyRing, KeySetup), KeyConfigError> {
        let mut ring = KeyRing::default();
        if !configured.is_empty() {
            for (i, k) in configured.iter().enumerate() {
                let k = k.expose().trim();
                let mode = Mode::of_key(k)
                    .filter(|_| k.len() >= TEST_PREFIX.len() + 16 && k.len() <= MAX_KEY_LEN)
                    .filter(|_| k.bytes().all(|b| b.is_ascii_graphic()))
                    .ok_or(KeyConfigError::Malformed { index: i + 1 })?;
                let h = hash(k);
                let row = StoredKey {
                    id: key_id(&h),
                    hash: h.to_vec(),
                    mode: mode.as_str().to_owned(),
                    display: display(k),
                    created_at: now,
                };
                register(store, row, "configured").await?;
                ring.push(h, mode);
            }
            return Ok((ring, KeySetup::Configured(configured.len())));
        }
        let existing = stored::generated(store.reader())
            .await
            .map_err(StoreError::from)?;
        if !existing.is_empty() {
            let shown = existing[0].display.clone();
            for k in existing {
                if let (Ok(h), Some(mode)) = (<[u8; 32]>::try_from(k.hash), Mode::parse(&k.mode)) {
                    ring.push(h, mode);
                }
            }
            return Ok((ring, KeySetup::Existing(shown)));
        }
        let key = generate(TEST_PREFIX);
        let h = hash(&key);
        let row = StoredKey {
            id: key_id(&h),
            hash: h.to_vec(),
            mode: Mode::Test.as_str().to_owned(),
            display: display(&key),
            created_at: now,
        };
        if !register(store, row, "generated").await? {
            // Another process on the database generated one at the same moment: use that one.
            for k in stored::generated(store.reader())
                .await
                .map_err(StoreError::from)?
            {
                let shown = k.display.clone();
                if let (Ok(h), Some(mode)) = (<[u8; 32]>::try_from(k.hash), Mode::parse(&k.mode)) {
                    ring.push(h, mode);
                    return Ok((ring, KeySetup::Existing(shown)));
                }
            }
            return Err(KeyConfigError::Store(StoreError::Corrupt(
                "no generated key after a conflicting insert".into(),
            )));
        }
        ring.push(h, Mode::Test);
        Ok((ring, KeySetup::Generated(Secret::new(key))))
    }

    fn push(&mut self, hash: [u8; 32], mode: Mode) {
        self.keys.push(ApiKey {
            id: key_id(&hash),
            mode,
            hash,
        });
    }

    /// The key a presented value is, compared hash to hash in constant time over every key.
    pub fn authenticate(&self, presented: &str) -> Option<ApiKey> {
        if presented.is_empty() || presented.len() > MAX_KEY_LEN {
            return None;
        }
        let h = hash(presented);
        let mut found = None;
        for k in &self.keys {
            if bool::from(k.hash.ct_eq(&h)) {
                found = Some(k.clone());
            }
        }
        found
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True with no key (never after `setup`).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

async fn register(store: &Store, row: StoredKey, origin: &'static str) -> Result<bool, StoreError> {
    store
        .write(Box::new(move |c| {
            Box::pin(async move { stored::upsert(c, &row, origin).await })
        }))
        .await
}

/// A new random key: the prefix and 32 base62 characters (190 bits) from the OS's generator.
pub fn generate(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rngs::OsRng;
    let body: String = (0..32)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authenticates_by_hash_only() {
        let mut ring = KeyRing::default();
        let key = generate(TEST_PREFIX);
        ring.push(hash(&key), Mode::Test);
        let live = generate(LIVE_PREFIX);
        ring.push(hash(&live), Mode::Live);
        assert_eq!(ring.authenticate(&key).unwrap().mode, Mode::Test);
        assert_eq!(ring.authenticate(&live).unwrap().mode, Mode::Live);
        assert!(ring.authenticate(&format!("{key}x")).is_none());
        assert!(ring.authenticate("").is_none());
        let id = ring.authenticate(&key).unwrap().id;
        assert!(id.starts_with("key_") && !id.contains(&key[8..]));
        assert!(!format!("{ring:?}").contains(&key[8..]));
        assert_eq!(display(&key).chars().count(), 13);
        assert!(display(&key).starts_with("sk_test_"));
    }

    #[test]
    fn modes_follow_prefixes() {
        assert_eq!(Mode::of_key("sk_test_x"), Some(Mode::Test));
        assert_eq!(Mode::of_key("sk_live_x"), Some(Mode::Live));
        assert_eq!(Mode::of_key("pk_live_x"), None);
    }
}
