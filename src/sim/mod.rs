//! A HaloPSA emulator (axum on loopback) built from `evidence/` only: it serves only the paths of
//! Halo's published API (anything else 404, a spec path it does not play 501), stores only the
//! properties of each object's published schema, speaks the role claim codes of the claims table
//! and the scope names and rules of the scopes file, and plays every reading of each behaviour
//! the evidence leaves open (`variants`). It imports nothing of the client side. Serves
//! `--demo`, `halo-onboard sandbox` and the tests.

// Handlers return `Err(Response)` for the early-exit error answer; one per request, so the size
// of the error variant does not matter.
#![allow(clippy::result_large_err)]

mod api;
mod areas;
mod auth;
mod crud;
mod faults;
pub mod perms;
pub mod record;
mod reply;
pub mod sandbox;
mod schema;
pub mod seeds;
mod server;
mod simapi;
pub mod state;
pub mod variants;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

pub use api::routes;
pub use faults::{DropMode, Faults};
pub use perms::SimDialect;
pub use record::Record;
pub use state::State;
pub use variants::{
    AgentListing, Denial, ListShape, RatePreset, SecretExpiry, SecretMode, TicketVisibility,
};

/// Emulator settings; every fault can also be changed at run time through [`SimHandle`].
#[derive(Clone)]
pub struct SimConfig {
    /// Fixed extra latency per request.
    pub latency: Duration,
    /// Probability (0..1) that an API request answers 500/502/503.
    pub fail_rate: f64,
    /// Rolling-window rate limit: requests per window.
    pub rate_limit: u32,
    pub rate_window: Duration,
    /// Bootstrap admin application credentials (random when `None`).
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub tenant: String,
    /// Persist state here across restarts.
    pub state_file: Option<PathBuf>,
    /// Seed for the fault RNG, so fault tests are repeatable.
    pub seed: u64,
    /// Access token lifetime (`expires_in`); Halo's is one hour.
    pub token_lifetime: Duration,
    /// Log one line per request on stderr (method, path, status; never secrets or tokens).
    pub log_requests: bool,
    /// How application secrets are issued (`secret_issuance`).
    pub secret_mode: SecretMode,
    /// Whether applications report their secret's expiry (`secret_expiry`).
    pub secret_expiry: SecretExpiry,
    /// Days a new secret lives under `key_slots` (90 when unset); setting it selects
    /// `key_slots`.
    pub secret_expiry_days: Option<i64>,
    /// The claim vocabulary of a freshly seeded instance.
    pub dialect: SimDialect,
    pub ticket_visibility: TicketVisibility,
    pub denial: Denial,
    pub agent_listing: AgentListing,
    pub list_shape: ListShape,
    /// What a new instance holds besides a fresh tenant (`--seed audit`).
    pub seed_data: seeds::SeedData,
}

impl Default for SimConfig {
    fn default() -> Self {
        let (rate_limit, rate_window) = RatePreset::default().limits();
        Self {
            latency: Duration::ZERO,
            fail_rate: 0.0,
            rate_limit,
            rate_window,
            client_id: None,
            client_secret: None,
            tenant: "sandbox".into(),
            state_file: None,
            seed: 1,
            token_lifetime: Duration::from_secs(3600),
            log_requests: false,
            secret_mode: SecretMode::default(),
            secret_expiry: SecretExpiry::default(),
            secret_expiry_days: None,
            dialect: SimDialect::Current,
            ticket_visibility: TicketVisibility::default(),
            denial: Denial::default(),
            agent_listing: AgentListing::default(),
            list_shape: ListShape::default(),
            seed_data: seeds::SeedData::default(),
        }
    }
}

/// Debug never prints the bootstrap secret.
impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("latency", &self.latency)
            .field("fail_rate", &self.fail_rate)
            .field("rate_limit", &self.rate_limit)
            .field("rate_window", &self.rate_window)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("tenant", &self.tenant)
            .field("state_file", &self.state_file)
            .field("seed", &self.seed)
            .field("token_lifetime", &self.token_lifetime)
            .field("secret_mode", &self.secret_mode)
            .field("secret_expiry", &self.secret_expiry)
            .field("secret_expiry_days", &self.secret_expiry_days)
            .field("dialect", &self.dialect)
            .field("ticket_visibility", &self.ticket_visibility)
            .field("denial", &self.denial)
            .field("agent_listing", &self.agent_listing)
            .field("list_shape", &self.list_shape)
            .field("seed_data", &self.seed_data)
            .finish()
    }
}

/// One request the emulator answered (or dropped), for tests and `GET /_sim/requests`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
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
    inner: Mutex<Inner>,
    pub base_url: String,
    pub tenant: String,
    pub state_file: Option<PathBuf>,
    pub token_lifetime: Duration,
    pub log_requests: bool,
}

impl Shared {
    /// A panic in one handler must not wedge the emulator, so a poisoned lock is reused.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Persists the state when a state file is configured; failures are reported, not fatal.
    pub fn persist(&self, state: &State) {
        if let Some(path) = &self.state_file {
            if let Err(e) = state.save(path) {
                eprintln!("sim: could not save state to {}: {e}", path.display());
            }
        }
    }
}

/// A running emulator. Dropping it does not stop it; call [`SimHandle::shutdown`].
pub struct SimHandle {
    /// Base URL, e.g. `http://127.0.0.1:41234` (the resource server is `{url}/api`).
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
    pub tenant: String,
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("url", &self.url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

impl SimHandle {
    /// Runs `f` on the live state (e.g. change an application's scopes, disable an agent) and
    /// persists the result. The state keeps only schema fields: whatever `f` set that the
    /// object's schema lacks is dropped, as Halo would drop it (and named on stderr).
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut g = self.shared.lock();
        let r = f(&mut g.state);
        let dropped = g.state.sanitize();
        if !dropped.is_empty() {
            eprintln!(
                "sim: not stored (not in Halo's schema): {}",
                dropped.join(", ")
            );
        }
        self.shared.persist(&g.state);
        r
    }

    /// Current fault settings.
    pub fn faults(&self) -> Faults {
        self.shared.lock().faults.clone()
    }

    /// Changes fault settings in place.
    pub fn with_faults(&self, f: impl FnOnce(&mut Faults)) {
        f(&mut self.shared.lock().faults);
    }

    pub fn set_latency(&self, latency: Duration) {
        self.with_faults(|f| f.latency = latency);
    }

    pub fn set_fail_rate(&self, p: f64) {
        self.with_faults(|f| f.fail_rate = p.clamp(0.0, 1.0));
    }

    pub fn set_rate_limit(&self, limit: u32, window: Duration) {
        let mut g = self.shared.lock();
        g.faults.rate_limit = limit;
        g.faults.rate_window = window;
        g.window.clear();
    }

    /// The next `n` requests answer 429, with `Retry-After: secs` when given.
    pub fn force_429(&self, n: u32, retry_after: Option<u64>) {
        self.with_faults(|f| {
            f.force_429 = n;
            f.retry_after = retry_after;
        });
    }

    /// Drops the connection of the next `n` requests, before or after applying them.
    pub fn drop_connections(&self, n: u32, mode: DropMode) {
        self.with_faults(|f| match mode {
            DropMode::BeforeProcessing => f.drop_before = n,
            DropMode::AfterProcessing => f.drop_after = n,
        });
    }

    /// Drops the `(skip+1)`-th API write (POST/DELETE) from now on, before or after applying it.
    pub fn drop_nth_write(&self, skip: u32, mode: DropMode) {
        self.with_faults(|f| {
            f.drop_writes_only = true;
            f.drop_skip = skip;
        });
        self.drop_connections(1, mode);
    }

    /// Writes (POST/DELETE) to these resources (e.g. `"application"`) answer 403 from now on;
    /// an empty list lifts the refusal.
    pub fn refuse_writes(&self, resources: &[&str]) {
        self.with_faults(|f| {
            f.refuse_writes = resources.iter().map(|r| r.to_ascii_lowercase()).collect();
        });
    }

    /// How application secrets are issued from now on.
    pub fn set_secret_mode(&self, mode: SecretMode) {
        self.with_faults(|f| f.secret_mode = mode);
    }

    /// Plays the admin pressing Generate on the application's form and copying the secret:
    /// sets a new secret and returns it (`None` for an unknown application).
    pub fn generate_secret(&self, application_id: &str) -> Option<String> {
        let mut g = self.shared.lock();
        let days = g.faults.expiry_days();
        let secret = crud::generate_secret(&mut g.state, application_id, days)?;
        self.shared.persist(&g.state);
        Some(secret)
    }

    /// Every issued token stops working now.
    pub fn expire_tokens(&self) {
        self.shared.lock().expire_tokens();
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.lock().log.clone()
    }

    pub fn clear_requests(&self) {
        self.shared.lock().log.clear();
    }

    /// Stops accepting connections and waits for the server task to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Inner {
    /// Keeps what a request left unstored or unused, for its log record.
    pub(crate) fn note(&mut self, n: crud::Notes) {
        self.notes = n;
    }

    pub fn expire_tokens(&mut self) {
        let now = Instant::now();
        for t in self.tokens.values_mut() {
            t.expires_at = now;
        }
    }
}

/// Starts the emulator on `addr` (port 0 picks a free port).
pub async fn spawn(cfg: SimConfig, addr: SocketAddr) -> std::io::Result<SimHandle> {
    let loaded = match &cfg.state_file {
        Some(p) => State::load(p)?,
        None => None,
    };
    let mut state = match loaded {
        Some(s) => s,
        None => {
            let mut s = State::seed_with(
                cfg.client_id.clone().unwrap_or_else(state::new_guid),
                cfg.client_secret.clone().unwrap_or_else(state::new_secret),
                cfg.dialect,
            );
            if cfg.seed_data == seeds::SeedData::Audit {
                s.seed_audit();
            }
            s
        }
    };
    // Credentials given on the command line win over the ones saved in the state file.
    let boot_id = state.bootstrap_app_id.clone();
    let app = state
        .application_mut(&boot_id)
        .ok_or_else(|| std::io::Error::other("state file has no bootstrap application"))?;
    if let Some(id) = &cfg.client_id {
        app.set("clientId", id.clone());
    }
    if let Some(secret) = &cfg.client_secret {
        app.set("clientSecret", secret.clone());
    }
    let (client_id, client_secret) = (
        app.str("clientId").to_string(),
        app.str("clientSecret").to_string(),
    );

    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let url = format!("http://{local}");
    let shared = Arc::new(Shared {
        inner: Mutex::new(Inner {
            state,
            tokens: HashMap::new(),
            faults: Faults::from_config(&cfg),
            window: VecDeque::new(),
            log: Vec::new(),
            rng: StdRng::seed_from_u64(cfg.seed),
            notes: crud::Notes::default(),
        }),
        base_url: url.clone(),
        tenant: cfg.tenant.clone(),
        state_file: cfg.state_file.clone(),
        token_lifetime: cfg.token_lifetime,
        log_requests: cfg.log_requests,
    });
    shared.persist(&shared.lock().state);

    let app = axum::Router::new()
        .fallback(server::handle)
        .with_state(shared.clone());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stop_rx.await;
        });
        if let Err(e) = serve.await {
            eprintln!("sim: server stopped: {e}");
        }
    });
    Ok(SimHandle {
        url,
        client_id,
        client_secret,
        tenant: cfg.tenant,
        addr: local,
        shared,
        stop: Some(stop_tx),
        task: Some(task),
    })
}
