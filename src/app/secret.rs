//! A masked, append-only text field for the bootstrap client secret. The value lives in a
//! `SecretString` (zeroed on drop) and never appears in Debug output.

use secrecy::{ExposeSecret, SecretString};

/// What is typed into a secret field (the bootstrap secret, a secret copied from Halo): the
/// text hidden in a `SecretString`, its length known for the mask.
#[derive(Clone)]
pub struct SecretInput {
    value: SecretString,
    chars: usize,
}

impl Default for SecretInput {
    fn default() -> Self {
        Self {
            value: SecretString::from(String::new()),
            chars: 0,
        }
    }
}

impl std::fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretInput([redacted])")
    }
}

impl SecretInput {
    /// A field holding `value` (control characters dropped).
    pub fn new(value: &str) -> Self {
        let mut s = Self::default();
        s.push_str(value);
        s
    }
    /// A field holding a secret read elsewhere (the demo's, or a saved instance's secret source).
    pub fn from_secret(value: &SecretString) -> Self {
        Self::new(value.expose_secret())
    }
    /// Appends text; control characters (newlines from a paste) are dropped.
    pub fn push_str(&mut self, text: &str) {
        let mut next = String::with_capacity(self.value.expose_secret().len() + text.len());
        next.push_str(self.value.expose_secret());
        for c in text.chars().filter(|c| !c.is_control()) {
            next.push(c);
        }
        self.chars = next.chars().count();
        self.value = SecretString::from(next);
    }
    /// Removes the last character (Backspace).
    pub fn pop(&mut self) {
        let mut next = self.value.expose_secret().to_string();
        next.pop();
        self.chars = next.chars().count();
        self.value = SecretString::from(next);
    }
    /// Empties the field (Ctrl-U); the old value is zeroed as it drops.
    pub fn clear(&mut self) {
        *self = Self::default();
    }
    /// Nothing is typed.
    pub fn is_empty(&self) -> bool {
        self.chars == 0
    }
    /// Number of characters, for drawing the mask.
    pub fn chars(&self) -> usize {
        self.chars
    }
    /// The secret with surrounding whitespace trimmed, for the token request only.
    pub fn secret(&self) -> SecretString {
        SecretString::from(self.value.expose_secret().trim().to_string())
    }
}
