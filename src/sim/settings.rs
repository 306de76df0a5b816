//! The emulator's settings: what `spawn` starts with; every fault can also be changed at run
//! time through `SimHandle` or `POST /_sim/faults`.

use std::path::PathBuf;
use std::time::Duration;

use super::perms::SimDialect;
use super::seeds;
use super::variants::{
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
    /// The rolling window of `rate_limit`.
    pub rate_window: Duration,
    /// Bootstrap admin application credentials (random when `None`).
    pub client_id: Option<String>,
    /// The bootstrap application's secret (random when `None`).
    pub client_secret: Option<String>,
    /// The tenant the token endpoint expects and reports.
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
    /// Which tickets an agent that may read tickets sees in a list (`ticket_visibility`).
    pub ticket_visibility: TicketVisibility,
    /// What is answered when the role denies an area the scope allows (`denial`).
    pub denial: Denial,
    /// Who may list agents, `GET /api/Agent` (`agent_listing`).
    pub agent_listing: AgentListing,
    /// The shape of configuration lists without `pageinate=true` (`list_shape`).
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
