//! The Page access token as a type that cannot leak: its `Debug` and `Display` print a
//! placeholder, so a token cannot reach a log line, an error message or a panic by accident.

use std::fmt;

/// A Page access token. Read it with [`PageToken::expose`] only where it goes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct PageToken(String);

impl PageToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        PageToken(token.into())
    }

    /// The token itself, for the request body or header and the appsecret_proof HMAC only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the token is empty or whitespace.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for PageToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PageToken(<redacted>)")
    }
}

impl fmt::Display for PageToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for PageToken {
    fn from(s: String) -> Self {
        PageToken(s)
    }
}

impl From<&str> for PageToken {
    fn from(s: &str) -> Self {
        PageToken(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_token() {
        let t = PageToken::new("EAAB-secret-123");
        assert!(!format!("{t:?}").contains("secret"));
        assert!(!format!("{t}").contains("secret"));
        assert_eq!(t.expose(), "EAAB-secret-123");
    }
}
