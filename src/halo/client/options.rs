//! What a client is made with: the credentials, its options (timeouts, retries, an extra
//! certificate authority, where it reports its requests) and what a token grants.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::halo::error::{HaloError, Result};

/// Client credentials. The secret lives in a `SecretString` and is never logged.
#[derive(Clone)]
pub struct Credentials {
    /// The application's Client ID, as Halo shows it.
    pub client_id: String,
    /// The application's Client Secret; shown by Halo once, never logged or printed.
    pub client_secret: SecretString,
    /// Scopes requested at token time (space separated on the wire; never empty: Halo gives a
    /// useless token without scope).
    pub scopes: Vec<String>,
}

impl Credentials {
    /// Credentials with the ID and secret trimmed of surrounding whitespace (a paste's newline).
    pub fn new(client_id: &str, client_secret: &str, scopes: &[&str]) -> Self {
        Self {
            client_id: client_id.trim().to_owned(),
            client_secret: SecretString::from(client_secret.trim().to_owned()),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

/// Never prints the secret.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// One finished HTTP exchange, for the live log pane. Never carries a secret or a token.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestEvent {
    /// HTTP method, such as `GET` or `POST`.
    pub method: String,
    /// Path and query, secrets redacted.
    pub path: String,
    /// Final status; `None` when no answer arrived (transport failure).
    pub status: Option<u16>,
    /// From the first attempt to the final answer, backoff waits included.
    pub latency: Duration,
    /// Retries this logical request needed (0 = first attempt succeeded or failed for good).
    pub retries: u32,
    /// What failed, for people (redacted); `None` when the request succeeded.
    pub error: Option<String>,
    /// Set while the request waits this long before its next attempt (a 429 backoff, a 5xx
    /// retry); `None` once it has finished (the one final event per logical request).
    pub waiting: Option<Duration>,
}

impl RequestEvent {
    /// One line for a finished exchange: `GET /api/Roles -> 200 13 ms (1 retries): error`
    /// (the path is already redacted; no secret is in it).
    pub fn line(&self) -> String {
        let status = self.status.map_or_else(|| "---".into(), |s| s.to_string());
        let mut s = format!(
            "{} {} -> {} {} ms",
            self.method,
            self.path,
            status,
            self.latency.as_millis()
        );
        if self.retries > 0 {
            s.push_str(&format!(" ({} retries)", self.retries));
        }
        if let Some(err) = &self.error {
            s.push_str(&format!(": {err}"));
        }
        s
    }
}

/// Where a client reports its requests: any function, e.g. one that puts them on the wizard's
/// one message channel (so they stay in order with what the tasks report), or a channel.
#[derive(Clone)]
pub struct EventSink(Arc<dyn Fn(RequestEvent) + Send + Sync>);

impl EventSink {
    /// A sink that hands each event to `f`; `f` must return quickly (it runs on the request's task).
    pub fn new(f: impl Fn(RequestEvent) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// Reports `event`; a receiver that is gone does not fail the request.
    pub fn send(&self, event: RequestEvent) {
        (self.0)(event);
    }
}

impl From<tokio::sync::mpsc::UnboundedSender<RequestEvent>> for EventSink {
    fn from(tx: tokio::sync::mpsc::UnboundedSender<RequestEvent>) -> Self {
        Self::new(move |e| {
            let _ = tx.send(e);
        })
    }
}

/// How a client behaves on the network: timeouts, retries, extra trust, request reporting.
#[derive(Clone)]
pub struct ClientOptions {
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries for transient failures (429, 502-504, timeouts, dropped connections) on reads
    /// and token requests; writes are retried only after a 429, which Halo sends before applying.
    pub max_retries: u32,
    /// First backoff delay; doubles with jitter up to `backoff_max`.
    pub backoff_base: Duration,
    /// Longest wait between retries.
    pub backoff_max: Duration,
    /// Where each request is reported (the log pane); `None` reports nothing.
    pub events: Option<EventSink>,
    /// A certificate authority to trust besides the system's (`--ca-file`, `ca_file`): a Halo
    /// on a private CA.
    pub ca: Option<ExtraCa>,
}

/// A certificate authority the admin trusts for Halo (a PEM file), read once.
#[derive(Clone)]
pub struct ExtraCa {
    /// The PEM file the authority was read from, shown in messages.
    pub path: std::path::PathBuf,
    pub(super) certs: Arc<Vec<reqwest::Certificate>>,
}

impl std::fmt::Debug for ExtraCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtraCa")
            .field("path", &self.path)
            .field("certificates", &self.certs.len())
            .finish()
    }
}

impl ExtraCa {
    /// Reads the PEM certificates of `path` (at most 1 MiB; a folder, pipe or device is
    /// refused, so a wrong path cannot hang or flood the read).
    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        let shown = path.display().to_string();
        let bytes = crate::limits::read_capped(path, crate::limits::MAX_TEXT_FILE)
            .map_err(|e| HaloError::CaFile(shown.clone(), e.to_string()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&bytes)
            .map_err(|e| HaloError::CaFile(shown.clone(), format!("not PEM certificates ({e})")))?;
        if certs.is_empty() {
            return Err(HaloError::CaFile(
                shown,
                "it holds no -----BEGIN CERTIFICATE----- block".into(),
            ));
        }
        // Canonical, so the same file named two ways shares one HTTP client.
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        Ok(Self {
            path,
            certs: Arc::new(certs),
        })
    }
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            max_retries: 5,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(60),
            events: None,
            ca: None,
        }
    }
}

/// What a token grants (no token material).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Scopes the token grants, as the token endpoint's `scope` lists them.
    pub scopes: Vec<String>,
    /// Seconds the token stays valid, from the token endpoint's `expires_in`.
    pub expires_in: u64,
    /// Agent id from the id_token, when Halo sends one.
    pub agent_id: Option<i64>,
}
