//! A HaloPSA emulator (axum on loopback) built from `evidence/` only: it serves only the paths of
//! Halo's published API (anything else 404, a spec path it does not play 501), stores only the
//! properties of each object's published schema, speaks the role claim codes of the claims table
//! and the scope names and rules of the scopes file, and plays every reading of each behaviour
//! the evidence leaves open (`variants`). It imports nothing of the client side. Serves
//! `--demo`, `halo-onboard sandbox` and the tests.

#![warn(missing_docs)]
// Handlers return `Err(Response)` for the early-exit error answer; one per request, so the size
// of the error variant does not matter.
#![allow(clippy::result_large_err)]

mod api;
mod areas;
mod auth;
mod crud;
mod error;
mod faults;
mod gate;
pub(crate) mod perms;
pub(crate) mod record;
mod reply;
mod req;
pub mod sandbox;
mod schema;
pub mod seeds;
mod server;
mod settings;
mod shared;
mod simapi;
pub mod state;
mod tenant;
pub mod variants;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;

pub use api::routes;
pub use faults::{DropMode, Faults};
pub use perms::SimDialect;
pub use record::Record;
pub use settings::SimConfig;
pub use shared::RequestRecord;
use shared::{Inner, Shared};
pub use state::State;
pub use variants::{
    AgentListing, Denial, ListShape, RatePreset, SecretExpiry, SecretMode, TicketVisibility,
};

/// A running emulator. Dropping it does not stop it; call [`SimHandle::shutdown`].
pub struct SimHandle {
    /// Base URL, e.g. `http://127.0.0.1:41234` (the resource server is `{url}/api`).
    pub url: String,
    /// The seeded bootstrap application's Client ID (admin scopes), as a Halo admin would
    /// hand it to halo-onboard.
    pub client_id: String,
    /// That application's secret; never shown by `Debug`.
    pub client_secret: String,
    /// The tenant the token endpoint expects (`SimConfig::tenant`).
    pub tenant: String,
    /// The loopback address the server listens on (the host and port of `url`).
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

    /// Every request waits this long before it is answered, from now on.
    pub fn set_latency(&self, latency: Duration) {
        self.with_faults(|f| f.latency = latency);
    }

    /// The share of API requests (0 to 1, clamped) that answer a random 500/502/503 from now
    /// on.
    pub fn set_fail_rate(&self, p: f64) {
        self.with_faults(|f| f.fail_rate = p.clamp(0.0, 1.0));
    }

    /// At most `limit` requests per rolling `window` from now on (0: no limit); the window
    /// starts empty.
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

    /// Every request answered (or dropped) since start or the last [`Self::clear_requests`],
    /// in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.lock().log.clone()
    }

    /// Forgets the requests logged so far (a test then counts only what follows).
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
