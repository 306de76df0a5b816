//! Removes secrets from text that may reach a log line, an event or an error message:
//! `client_secret=...` style fields, bearer tokens, and literal secret values we know about.

use std::sync::{Arc, Mutex};

/// Field names whose values are always secret, in query strings, form bodies and JSON.
const SECRET_KEYS: &[&str] = &[
    "client_secret",
    "clientsecret",
    "access_token",
    "refresh_token",
    "id_token",
    "password",
];

const MASK: &str = "[redacted]";

/// Keeps at most this many known values (the client secret plus the last few tokens).
const MAX_KNOWN: usize = 8;

/// Redacts [`SECRET_KEYS`] values and `Bearer` tokens from any text (no known values needed).
pub fn redact(text: &str) -> String {
    redact_bearer(&redact_keys(text))
}

/// A redactor that also knows literal secret values (the client secret, issued tokens).
/// Cheap to clone; clones share the list.
#[derive(Clone, Default)]
pub struct Redactor {
    known: Arc<Mutex<Vec<String>>>,
}

impl Redactor {
    /// Remembers a secret value; values shorter than 4 characters are ignored (they would
    /// mask ordinary words).
    pub fn add(&self, secret: &str) {
        if secret.len() < 4 {
            return;
        }
        let mut known = self
            .known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if known.iter().any(|k| k == secret) {
            return;
        }
        // The first entry is the client secret: keep it, rotate the tokens after it.
        if known.len() >= MAX_KNOWN {
            known.remove(1);
        }
        known.push(secret.to_owned());
    }

    /// `text` with secret-named values, `Bearer` tokens and every remembered secret masked.
    pub fn redact(&self, text: &str) -> String {
        let mut out = redact(text);
        let known = self
            .known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for k in known.iter() {
            if out.contains(k.as_str()) {
                out = out.replace(k.as_str(), MASK);
            }
        }
        out
    }
}

/// Ends a secret value in a query string, form body, JSON or free text.
fn is_value_end(c: char) -> bool {
    c.is_whitespace() || matches!(c, '&' | ',' | '"' | '\'' | '}' | ']' | ';' | ')' | '<')
}

/// Copies `text[pos..value_start]` to `out`, then a mask for the value that starts there;
/// returns where the value ends.
fn mask_value(text: &str, out: &mut String, pos: usize, value_start: usize) -> usize {
    let rest = &text[value_start..];
    let value_len = rest.find(is_value_end).unwrap_or(rest.len());
    out.push_str(&text[pos..value_start]);
    if value_len > 0 {
        out.push_str(MASK);
    }
    value_start + value_len
}

fn redact_keys(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    while pos < text.len() {
        // Earliest next key occurrence.
        let next = SECRET_KEYS
            .iter()
            .filter_map(|k| lower[pos..].find(k).map(|i| (pos + i, k.len())))
            .min_by_key(|(i, _)| *i);
        let Some((start, klen)) = next else { break };
        let after_key = start + klen;
        // Skip: optional closing quote, spaces, separator (= or :), spaces, optional opening quote.
        let rest = &text[after_key..];
        let trimmed = rest.trim_start_matches(['"', '\'']).trim_start();
        let Some(sep_rest) = trimmed.strip_prefix(['=', ':']) else {
            out.push_str(&text[pos..after_key]);
            pos = after_key;
            continue;
        };
        let value_part = sep_rest.trim_start().trim_start_matches(['"', '\'']);
        pos = mask_value(text, &mut out, pos, text.len() - value_part.len());
    }
    out.push_str(&text[pos..]);
    out
}

fn redact_bearer(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    while let Some(i) = lower[pos..].find("bearer ") {
        pos = mask_value(text, &mut out, pos, pos + i + "bearer ".len());
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_and_query_fields() {
        let s =
            redact("grant_type=client_credentials&client_id=abc&client_secret=s3cr3t-x&scope=all");
        assert_eq!(
            s,
            "grant_type=client_credentials&client_id=abc&client_secret=[redacted]&scope=all"
        );
    }

    #[test]
    fn json_fields_any_case() {
        let s = redact(r#"{"access_token": "eyJabc.def", "Client_Secret":"zz99", "x":1}"#);
        assert!(!s.contains("eyJabc"), "{s}");
        assert!(!s.contains("zz99"), "{s}");
        assert!(s.contains(r#""x":1"#));
    }

    #[test]
    fn bearer_tokens() {
        let s = redact("Authorization: Bearer abc.def.ghi then more");
        assert_eq!(s, "Authorization: Bearer [redacted] then more");
    }

    #[test]
    fn key_without_separator_is_left_alone() {
        assert_eq!(
            redact("the client_secret is wrong"),
            "the client_secret is wrong"
        );
    }

    #[test]
    fn known_values_anywhere() {
        let r = Redactor::default();
        r.add("hunter2-very-secret");
        r.add("ab"); // too short to mask safely
        let s = r.redact("echo: hunter2-very-secret / ab");
        assert_eq!(s, "echo: [redacted] / ab");
    }

    #[test]
    fn known_list_keeps_first_and_rotates() {
        let r = Redactor::default();
        r.add("the-client-secret");
        for i in 0..20 {
            r.add(&format!("token-number-{i}"));
        }
        assert!(r.redact("the-client-secret").contains(MASK));
        assert!(r.redact("token-number-19").contains(MASK));
    }

    #[test]
    fn utf8_is_safe() {
        let s = redact("héllo client_secret=ünïcode€ fin");
        assert_eq!(s, "héllo client_secret=[redacted] fin");
    }
}
