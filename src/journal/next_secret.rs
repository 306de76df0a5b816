//! A rotation's new secret, kept apart (`<id>.next`, 0600) until it is handed over.

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

use super::error::{JournalError, Result};
use super::fsutil;
use super::session::valid_id;
use super::store::Journal;

impl Journal {
    fn next_path(&self, id: &str) -> PathBuf {
        self.dir().join("sessions").join(format!("{id}.next"))
    }

    /// Keeps a rotation's new secret until it is handed over (journaled before the create
    /// sends it, so a kill at any instant leaves the secret that goes with the application).
    pub fn store_next_secret(&self, id: &str, secret: &SecretString) -> Result<()> {
        if !valid_id(id) {
            return Err(JournalError::NotFound(id.into()));
        }
        let path = self.next_path(id);
        fsutil::write_atomic(&path, secret.expose_secret().as_bytes())
            .map_err(|source| JournalError::Io { path, source })
    }

    /// A rotation's new secret kept by [`Journal::store_next_secret`]; `None` if there is none, the
    /// id is invalid or the file is unreadable.
    pub fn load_next_secret(&self, id: &str) -> Option<SecretString> {
        if !valid_id(id) {
            return None;
        }
        let bytes =
            crate::limits::read_regular_capped(&self.next_path(id), crate::limits::MAX_SECRET_FILE)
                .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let t = text.trim();
        (!t.is_empty() && !t.contains('\0')).then(|| SecretString::from(t.to_string()))
    }

    /// Removes a rotation's new secret (handed over, or the rotation abandoned).
    pub fn wipe_next_secret(&self, id: &str) -> Result<()> {
        if !valid_id(id) {
            return Err(JournalError::NotFound(id.into()));
        }
        let path = self.next_path(id);
        fsutil::wipe(&path).map_err(|source| JournalError::Io { path, source })
    }
}
