//! The secrets Svara handles, as types that cannot leak: a [`PageToken`] (what every Graph call
//! carries) and an [`AppSecret`] (the key of `appsecret_proof`, never sent itself). Both hold a
//! `secrecy::SecretString`, which is wiped from memory when dropped; their `Debug` and `Display`
//! print a placeholder, so a secret cannot reach a log line, an error message or a panic by
//! accident, and the two cannot be swapped by mistake.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident, $label:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Wraps a secret.
            pub fn new(secret: impl Into<String>) -> Self {
                $name(SecretString::from(secret.into()))
            }

            /// The secret itself, for the one place it goes (the request, or the HMAC key).
            pub fn expose(&self) -> &str {
                self.0.expose_secret()
            }

            /// True when the secret is empty or whitespace.
            pub fn is_blank(&self) -> bool {
                self.expose().trim().is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!($label, "(<redacted>)"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("<redacted>")
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.expose() == other.expose()
            }
        }

        impl Eq for $name {}

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name::new(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name::new(s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map($name::new)
            }
        }
    };
}

secret_type!(
    /// A Page access token (`session.page_access_token`). Read it with [`PageToken::expose`]
    /// only where it goes on the wire.
    PageToken,
    "PageToken"
);

secret_type!(
    /// The Meta App secret: the key of `appsecret_proof` (see [`crate::appsecret_proof`]). It is
    /// never sent itself.
    AppSecret,
    "AppSecret"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_secrets() {
        let t = PageToken::new("EAAB-secret-123");
        let s = AppSecret::new("app-secret-456");
        for text in [
            format!("{t:?}"),
            format!("{t}"),
            format!("{s:?}"),
            format!("{s}"),
        ] {
            assert!(!text.contains("secret-"), "{text}");
        }
        assert_eq!(format!("{s:?}"), "AppSecret(<redacted>)");
        assert_eq!(t.expose(), "EAAB-secret-123");
        assert_eq!(s.expose(), "app-secret-456");
        assert!(PageToken::new("  ").is_blank());
    }
}
