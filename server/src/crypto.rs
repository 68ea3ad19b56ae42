//! Secrets at rest: the Page token (and app secret, and the audio URL, which may be a signed
//! link) of a queued job are sealed with XChaCha20-Poly1305 (`nonce(24) || ciphertext`, the job
//! id as associated data) and erased when the job ends. The key comes from `SVARA_SECRET_KEY` or
//! a 0600 key file created next to the database; separate subkeys (HMAC-SHA256 of a label) seal
//! tokens, fingerprint request bodies for idempotency, and name Pages without naming tokens.

use crate::config::Secret;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::io::Write;
use std::path::Path;

/// Why the key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// `SVARA_SECRET_KEY` is too short to be a key.
    #[error("SVARA_SECRET_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`).")]
    TooShort,
    /// The key file could not be read or created.
    #[error("cannot use the key file {path}: {source}")]
    File {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The key file is readable by others.
    #[error(
        "the key file {path} is readable by other users (mode {mode:o}); run `chmod 600 {path}`."
    )]
    Permissions {
        /// The file.
        path: String,
        /// Its mode bits.
        mode: u32,
    },
    /// The key file does not hold a key.
    #[error("the key file {path} does not hold a 64-hex-digit key; restore it (queued jobs need it) or set SVARA_SECRET_KEY.")]
    Malformed {
        /// The file.
        path: String,
    },
}

/// The server's key material, derived once at start-up.
#[derive(Clone)]
pub struct Keys {
    aead: XChaCha20Poly1305,
    request_hash: [u8; 32],
    page_key: [u8; 32],
    request_webhook: [u8; 32],
    fingerprint: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(<redacted>)")
    }
}

fn derive(master: &[u8], label: &str) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("HMAC takes any key");
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

impl Keys {
    /// Derives the subkeys from master key material.
    pub fn from_master(master: &[u8]) -> Keys {
        let aead_key = derive(master, "svara/v1/token-aead");
        Keys {
            aead: XChaCha20Poly1305::new((&aead_key).into()),
            request_hash: derive(master, "svara/v1/request-hash"),
            page_key: derive(master, "svara/v1/page-key"),
            request_webhook: derive(master, "svara/v1/request-webhook-secret"),
            fingerprint: hex::encode(&derive(master, "svara/v1/fingerprint")[..8]),
        }
    }

    /// `SVARA_SECRET_KEY` if given, else the key file beside the database (created with 0600
    /// permissions on first start).
    pub fn load(secret: Option<&Secret>, key_file: &Path) -> Result<Keys, KeyError> {
        if let Some(s) = secret {
            if s.expose().trim().len() < 32 {
                return Err(KeyError::TooShort);
            }
            return Ok(Keys::from_master(s.expose().trim().as_bytes()));
        }
        let shown = key_file.display().to_string();
        let file_err = |source| KeyError::File {
            path: shown.clone(),
            source,
        };
        match std::fs::read_to_string(key_file) {
            Ok(text) => {
                check_permissions(key_file)?;
                let raw = hex::decode(text.trim()).ok().filter(|k| k.len() == 32);
                raw.map(|k| Keys::from_master(&k))
                    .ok_or(KeyError::Malformed { path: shown })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut f = options.open(key_file).map_err(file_err)?;
                f.write_all(format!("{}\n", hex::encode(key)).as_bytes())
                    .and_then(|_| f.sync_all())
                    .map_err(file_err)?;
                Ok(Keys::from_master(&key))
            }
            Err(e) => Err(file_err(e)),
        }
    }

    /// A short, non-secret name of this key, stored in the database so that a server started
    /// with another key refuses to start instead of failing every queued job.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Seals `plaintext` for the row `id`.
    pub fn seal(&self, id: &str, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = self
            .aead
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: id.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encrypts any length we use");
        let mut out = Vec::with_capacity(24 + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Opens what [`Keys::seal`] sealed for `id`; `None` when the key or the id differs.
    pub fn open(&self, id: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 24 {
            return None;
        }
        let (nonce, ct) = sealed.split_at(24);
        self.aead
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: id.as_bytes(),
                },
            )
            .ok()
    }

    /// A keyed fingerprint of a request body (for `Idempotency-Key` comparison): the body holds
    /// a token, so a plain hash would let the database confirm guesses of it.
    pub fn request_hash(&self, bytes: &[u8]) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.request_hash).expect("any key");
        mac.update(bytes);
        mac.finalize().into_bytes().to_vec()
    }

    /// The name of a Page client (token and target) in the database and in memory: a keyed
    /// hash, so it identifies the Page for pacing and de-duplication without holding the token.
    pub fn page_key(&self, material: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.page_key).expect("any key");
        mac.update(material);
        format!("pg_{}", hex::encode(&mac.finalize().into_bytes()[..16]))
    }
}

impl Keys {
    /// The secret that signs the deliveries to `webhook_url`s of `POST /v1/send` for one API
    /// key (`whsec_…`): derived, so every process computes the same one and nothing is stored;
    /// the key's holder reads it at `GET /v1/webhooks/request-secret`.
    pub fn request_webhook_secret(&self, key_id: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.request_webhook).expect("any key");
        mac.update(key_id.as_bytes());
        format!(
            "{}{}",
            svara::webhooks::SECRET_PREFIX,
            hex::encode(&mac.finalize().into_bytes()[..24])
        )
    }
}

fn check_permissions(path: &Path) -> Result<(), KeyError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).map_err(|source| KeyError::File {
            path: path.display().to_string(),
            source,
        })?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyError::Permissions {
                path: path.display().to_string(),
                mode,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_binds_the_id_and_refuses_other_keys() {
        let k = Keys::from_master(b"0123456789abcdef0123456789abcdef");
        let sealed = k.seal("msg_1", b"EAAtoken");
        assert!(!sealed.windows(8).any(|w| w == b"EAAtoken"));
        assert_eq!(k.open("msg_1", &sealed).unwrap(), b"EAAtoken");
        assert!(k.open("msg_2", &sealed).is_none(), "bound to its row");
        let other = Keys::from_master(b"another key of at least 32 chars!");
        assert!(other.open("msg_1", &sealed).is_none());
        assert_ne!(k.fingerprint(), other.fingerprint());
        assert_ne!(k.seal("msg_1", b"x"), k.seal("msg_1", b"x"), "fresh nonces");
        let rs = k.request_webhook_secret("key_1");
        assert!(rs.starts_with("whsec_") && rs.len() == 54, "{rs}");
        assert_eq!(rs, k.request_webhook_secret("key_1"));
        assert_ne!(rs, k.request_webhook_secret("key_2"));
        assert_ne!(rs, other.request_webhook_secret("key_1"));
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = std::env::temp_dir().join(format!("svara-key-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("secret.key");
        let a = Keys::load(None, &path).unwrap();
        let b = Keys::load(None, &path).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(
                Keys::load(None, &path),
                Err(KeyError::Permissions { .. })
            ));
        }
        assert!(matches!(
            Keys::load(Some(&Secret::new("short")), &path),
            Err(KeyError::TooShort)
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
