//! STUB: public surface of the Halo client. Bodies are filled in by the client work (issue 2).
//! Signatures are the contract the wizard, the apply engine and the tests build on.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use super::error::{HaloError, Result};
use super::model::*;

/// Where a Halo instance lives: resource server (`.../api`), authorisation server (`.../auth`),
/// and the tenant (hosted, shared-auth instances only).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Endpoint {
    pub resource_url: String,
    pub auth_url: String,
    pub tenant: Option<String>,
}

impl Endpoint {
    /// `https://acme.halopsa.com` (with or without `/api`) → resource `.../api`, auth `.../auth`.
    /// Plain http is refused except for loopback hosts.
    pub fn hosted(_base: &str) -> Result<Self> {
        Err(HaloError::Other("not built yet".into()))
    }
    /// Separate resource server, authorisation server and tenant (on-premise or shared auth).
    pub fn on_premise(_resource: &str, _auth: &str, _tenant: Option<&str>) -> Result<Self> {
        Err(HaloError::Other("not built yet".into()))
    }
    /// The resource URL without `/api` (the form most vendors ask for).
    pub fn base_url(&self) -> &str {
        self.resource_url
            .strip_suffix("/api")
            .unwrap_or(&self.resource_url)
    }
}

/// `GET {base}/api/authinfo` → endpoint with the auth server and tenant Halo reports;
/// falls back to `{base}/auth` when authinfo is missing.
pub async fn discover(_base: &str, _opts: &ClientOptions) -> Result<Endpoint> {
    Err(HaloError::Other("not built yet".into()))
}

/// Client credentials. The secret lives in a `SecretString` and is never logged.
#[derive(Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: SecretString,
    /// Scopes requested at token time (space separated on the wire; never empty: Halo gives a
    /// useless token without scope).
    pub scopes: Vec<String>,
}

/// One finished HTTP exchange, for the live log pane. Never carries a secret or a token.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestEvent {
    pub method: String,
    /// Path and query, secrets redacted.
    pub path: String,
    pub status: Option<u16>,
    pub latency: Duration,
    pub retries: u32,
    pub error: Option<String>,
}

pub type EventSink = tokio::sync::mpsc::UnboundedSender<RequestEvent>;

#[derive(Clone)]
pub struct ClientOptions {
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries for transient failures on idempotent requests.
    pub max_retries: u32,
    /// First backoff delay; doubles with jitter up to `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    pub events: Option<EventSink>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            max_retries: 5,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(60),
            events: None,
        }
    }
}

/// What a token grants (no token material).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub scopes: Vec<String>,
    pub expires_in: u64,
    /// Agent id from the id_token, when Halo sends one.
    pub agent_id: Option<i64>,
}

/// Filters for `GET /api/Agent`.
#[derive(Debug, Clone, Default)]
pub struct AgentQuery {
    pub search: Option<String>,
    pub include_api_agents: bool,
    pub include_disabled: bool,
}

/// Cheap to clone; clones share the token cache.
#[derive(Clone)]
pub struct Client {
    _inner: Arc<()>,
}

#[allow(unused_variables)]
impl Client {
    pub fn new(endpoint: Endpoint, creds: Credentials, opts: ClientOptions) -> Result<Self> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub fn endpoint(&self) -> &Endpoint {
        unimplemented!()
    }
    /// Fetches (or reuses) a token and reports what it grants.
    pub async fn token(&self) -> Result<TokenInfo> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn me(&self) -> Result<Agent> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn agents(&self, q: &AgentQuery) -> Result<Vec<Agent>> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn get_agent(&self, id: i64) -> Result<Agent> {
        Err(HaloError::Other("not built yet".into()))
    }
    /// Create (no id) or update (id). Never retried blindly.
    pub async fn save_agent(&self, agent: &Agent) -> Result<Agent> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn delete_agent(&self, id: i64) -> Result<()> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn roles(&self) -> Result<Vec<Role>> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn get_role(&self, id: &str) -> Result<Role> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn save_role(&self, role: &Role) -> Result<Role> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn delete_role(&self, id: &str) -> Result<()> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn teams(&self) -> Result<Vec<Team>> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn departments(&self) -> Result<Vec<Department>> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn workdays(&self) -> Result<Vec<Workday>> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn applications(&self) -> Result<Vec<Application>> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn get_application(&self, id: &str) -> Result<Application> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn save_application(&self, app: &Application) -> Result<Application> {
        Err(HaloError::Other("not built yet".into()))
    }
    pub async fn delete_application(&self, id: &str) -> Result<()> {
        Err(HaloError::Other("not built yet".into()))
    }
    /// GET any path under `/api` (used by verification probes).
    pub async fn get_json(&self, path: &str) -> Result<serde_json::Value> {
        Err(HaloError::Other("not built yet".into()))
    }
}
