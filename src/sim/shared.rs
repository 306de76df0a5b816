//! The emulator's live state behind one lock, shared by every handler, and the request log.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

use super::crud;
use super::faults::Faults;
use super::state::State;

/// One request the emulator answered (or dropped), for tests and `GET /_sim/requests`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// Path as sent (original casing), without the query.
    pub path: String,
    /// Status the emulator produced; 0 when the connection was dropped before processing.
    pub status: u16,
    /// The connection was dropped instead of answering.
    pub dropped: bool,
    /// Milliseconds since the Unix epoch.
    pub ts_ms: u64,
    /// Fields of the request body Halo's schema does not have (or this build drops): not stored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped_fields: Vec<String>,
    /// Role claims stored but meaning nothing to this instance (`type=value`): an unknown type
    /// or a value off its scale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored_claims: Vec<String>,
}

/// An issued access token.
#[derive(Debug, Clone)]
pub(crate) struct TokenRec {
    pub app_id: String,
    pub agent_id: i64,
    pub scopes: Vec<String>,
    pub expires_at: Instant,
}

/// Mutable emulator state behind one lock; handlers never await while holding it.
pub(crate) struct Inner {
    pub state: State,
    pub tokens: HashMap<String, TokenRec>,
    pub faults: Faults,
    /// Arrival times of the requests inside the current rate window.
    pub window: VecDeque<Instant>,
    pub log: Vec<RequestRecord>,
    pub rng: StdRng,
    /// What the request being handled left unstored or unused (moved into its log record).
    pub notes: crud::Notes,
}

pub(crate) struct Shared {
    pub(super) inner: Mutex<Inner>,
    pub base_url: String,
    pub tenant: String,
    pub state_file: Option<PathBuf>,
    pub token_lifetime: Duration,
    pub log_requests: bool,
}

impl Shared {
    /// A panic in one handler must not wedge the emulator, so a poisoned lock is reused.
    pub(super) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Persists the state when a state file is configured; failures are reported, not fatal.
    pub(super) fn persist(&self, state: &State) {
        if let Some(path) = &self.state_file {
            if let Err(e) = state.save(path) {
                eprintln!("sim: could not save state to {}: {e}", path.display());
            }
        }
    }
}

impl Inner {
    /// Keeps what a request left unstored or unused, for its log record.
    pub(crate) fn note(&mut self, n: crud::Notes) {
        self.notes = n;
    }

    pub(super) fn expire_tokens(&mut self) {
        let now = Instant::now();
        for t in self.tokens.values_mut() {
            t.expires_at = now;
        }
    }
}
