//! JSON in form and query values, read the way Graph reads it: Meta's own samples send
//! `recipient={'id':'<PSID>'}` (single-quoted strings) and a `message` with a zero-width
//! space between two braces (`{"is_reusable":true}\u{200b}}` in the Saving Assets sample).
//! Strict JSON is tried first; then single-quoted strings become double-quoted ones and
//! Unicode white space between tokens is dropped.

use serde_json::Value;

/// Parses a parameter value that holds JSON, strictly or in Graph's lenient form. `None`
/// when it is not JSON at all.
pub(crate) fn parse(text: &str) -> Option<Value> {
    let trimmed = text.trim_matches(is_space);
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return serde_json::from_str(trimmed).ok();
    }
    serde_json::from_str(trimmed)
        .ok()
        .or_else(|| serde_json::from_str(&normalise(trimmed)?).ok())
}

/// White space Graph skips between tokens: JSON's own, every Unicode white space, and the
/// invisible characters that copy-and-paste from web pages carries.
fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200b}' | '\u{2060}' | '\u{feff}')
}

/// Rewrites single-quoted strings as JSON strings and drops white space outside strings.
fn normalise(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push('"');
                loop {
                    let c = chars.next()?;
                    out.push(c);
                    match c {
                        '\\' => out.push(chars.next()?),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '\'' => {
                out.push('"');
                loop {
                    match chars.next()? {
                        '\'' => break,
                        '"' => out.push_str("\\\""),
                        '\\' => match chars.next()? {
                            '\'' => out.push('\''),
                            e => {
                                out.push('\\');
                                out.push(e);
                            }
                        },
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            c if is_space(c) => {}
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_what_meta_samples_send() {
        assert_eq!(parse("{'id':'123'}"), Some(json!({"id": "123"})));
        assert_eq!(
            parse("{'text':'hello, world'}"),
            Some(json!({"text": "hello, world"}))
        );
        assert_eq!(
            parse("{'text':'it\\'s \"quoted\"'}"),
            Some(json!({"text": "it's \"quoted\""}))
        );
        assert_eq!(
            parse(
                "{\"attachment\":{\"type\":\"image\", \"payload\":{\"is_reusable\":true}\u{200b}}}"
            ),
            Some(json!({"attachment": {"type": "image", "payload": {"is_reusable": true}}}))
        );
        // Spaces inside strings are kept.
        assert_eq!(parse("{ 'a' : 'b c' }"), Some(json!({"a": "b c"})));
        assert_eq!(parse("{'id':"), None);
        assert_eq!(parse("RESPONSE"), None);
        assert_eq!(parse("12"), Some(json!(12)));
    }
}
