//! STUB: a faithful HaloPSA emulator (axum on loopback). Filled in by the emulator work (issue 2).
//! Serves `--demo`, `halo-onboard sandbox` and the tests.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Emulator settings; every fault can also be changed at run time through [`SimHandle`].
#[derive(Debug, Clone)]
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
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            fail_rate: 0.0,
            rate_limit: 300,
            rate_window: Duration::from_secs(300),
            client_id: None,
            client_secret: None,
            tenant: "sandbox".into(),
            state_file: None,
            seed: 1,
        }
    }
}

/// A running emulator. Dropping it does not stop it; call [`SimHandle::shutdown`].
pub struct SimHandle {
    /// Base URL, e.g. `http://127.0.0.1:41234` (the resource server is `{url}/api`).
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
}

/// Starts the emulator on `addr` (port 0 picks a free port).
pub async fn spawn(_cfg: SimConfig, _addr: SocketAddr) -> std::io::Result<SimHandle> {
    Err(std::io::Error::other("emulator not built yet"))
}
