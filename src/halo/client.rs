//! Public surface of the Halo client: endpoint discovery, credentials, options, typed endpoints.
//! Signatures are the contract the wizard, the apply engine and the tests build on; the
//! machinery lives in the submodules.

mod auth;
mod endpoint;
mod errmap;
mod http;
mod list;
pub mod loopback;
mod options;
mod redact;
mod retry;
pub mod tls;
mod urls;

use std::sync::Arc;

use reqwest::Method;
use secrecy::SecretString;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use url::Url;

use self::auth::Auth;
use self::errmap::api_error;
use self::http::{Body, Http, Request, Response};
use self::retry::Access;
use super::error::{HaloError, Result};
use super::ids::{self, IdKind};
use super::model::*;

pub use self::auth::agent_id_from_jwt;
pub use self::endpoint::{Endpoint, check_auth_site, discover};
pub use self::options::{ClientOptions, Credentials, EventSink, ExtraCa, RequestEvent, TokenInfo};
pub use self::redact::{Redactor, redact};
pub use self::urls::normalise as normalise_url;

/// The response decoders, reachable for the fuzz tests (`tests/fuzz.rs`); not an API.
#[doc(hidden)]
pub mod decode {
    pub use super::errmap::body_message;
    pub use super::list::{Page, page, single, typed};
}

/// Every request the client makes to the resource server (`/api`), as (method, path template)
/// in the spelling of Halo's published API (`evidence/halo-api/paths.json`). The verification
/// probes are not here: they are the evidence's own paths (`evidence::areas()`). Tests hold
/// this table to the spec and to what the client really sends; `doctor` compares an
/// instance's own swagger with it.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/AuthInfo"),
    ("GET", "/Agent/me"),
    ("GET", "/Agent"),
    ("GET", "/Agent/{id}"),
    ("POST", "/Agent"),
    ("DELETE", "/Agent/{id}"),
    ("GET", "/Roles"),
    ("GET", "/Roles/{id}"),
    ("POST", "/Roles"),
    ("DELETE", "/Roles/{id}"),
    ("GET", "/Team"),
    ("GET", "/TopLevel"),
    ("GET", "/Workday"),
    ("GET", "/Application"),
    ("GET", "/Application/{id}"),
    ("POST", "/Application"),
    ("DELETE", "/Application/{id}"),
];

/// The envelope key of a configuration list (`evidence/lists.toml`), else the lower-case
/// plural.
fn list_key(resource: &str) -> String {
    crate::evidence::lists()
        .iter()
        .find(|l| {
            l.path
                .trim_start_matches('/')
                .eq_ignore_ascii_case(resource)
        })
        .map_or_else(
            || format!("{}s", resource.to_lowercase()),
            |l| l.key.clone(),
        )
}

/// Filters for `GET /api/Agent`.
#[derive(Debug, Clone, Default)]
pub struct AgentQuery {
    /// Only agents matching this text (Halo's `search`); `None` or blank lists all.
    pub search: Option<String>,
    /// Include API-only agents (`includeapiagents`), which Halo leaves out by default.
    pub include_api_agents: bool,
    /// Include disabled agents (`includedisabled`), which Halo leaves out by default.
    pub include_disabled: bool,
}

/// Cheap to clone; clones share the token cache.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: Endpoint,
    resource: Url,
    http: Http,
    auth: Auth,
    client_id: String,
}

/// Never prints the secret or a token.
impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint)
            .field("client_id", &self.inner.client_id)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for the instance at `endpoint`, after checking its addresses again; the first call
    /// fetches a token. The client secret is added to the redactor so no message or log ever shows it.
    pub fn new(endpoint: Endpoint, creds: Credentials, opts: ClientOptions) -> Result<Self> {
        Self::with_redactor(endpoint, creds, opts, Redactor::default())
    }

    fn with_redactor(
        endpoint: Endpoint,
        creds: Credentials,
        opts: ClientOptions,
        redactor: Redactor,
    ) -> Result<Self> {
        // The fields are public (and may come from a journal), so validate them again.
        urls::normalise(&endpoint.auth_url)?;
        let resource_str = urls::normalise(&endpoint.resource_url)?;
        let resource =
            Url::parse(&resource_str).map_err(|_| HaloError::InvalidUrl(resource_str.clone()))?;
        redactor.add(secrecy::ExposeSecret::expose_secret(&creds.client_secret));
        let client_id = creds.client_id.clone();
        let auth = Auth::new(&endpoint.auth_url, endpoint.tenant.as_deref(), creds)?;
        Ok(Self {
            inner: Arc::new(Inner {
                endpoint,
                resource,
                http: Http::new(opts, redactor)?,
                auth,
                client_id,
            }),
        })
    }

    /// The Halo addresses this client talks to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// This client on `endpoint`, with the token it holds (and the secrets its redactor
    /// knows): for a token fetched before discovery answered, once discovery named the same
    /// authorisation server (`endpoint` may add the tenant it reported).
    pub(crate) async fn moved_to(&self, endpoint: Endpoint) -> Result<Self> {
        let inner = &self.inner;
        let moved = Self::with_redactor(
            endpoint,
            inner.auth.credentials().clone(),
            inner.http.opts.clone(),
            inner.http.redactor.clone(),
        )?;
        moved.inner.auth.adopt(&inner.auth).await;
        Ok(moved)
    }

    /// Where this client reports its requests (the wizard's log), for a client made alongside
    /// it (the verification's, with the new credentials) to report to the same place.
    pub fn events(&self) -> Option<EventSink> {
        self.inner.http.opts.events.clone()
    }

    /// The certificate authority this client trusts besides the system's, for a client made
    /// alongside it (the verification's) to trust the same.
    pub fn ca(&self) -> Option<ExtraCa> {
        self.inner.http.opts.ca.clone()
    }

    /// Fetches (or reuses) a token and reports what it grants.
    pub async fn token(&self) -> Result<TokenInfo> {
        Ok(self.inner.auth.lease(&self.inner.http).await?.info)
    }

    /// The agent the token acts as (`GET /api/Agent/me`): for our application, its login agent.
    pub async fn me(&self) -> Result<Agent> {
        self.get_one(&["Agent", "me"], &[]).await
    }

    /// Agents matching the filters (`GET /api/Agent`), without their roles.
    pub async fn agents(&self, q: &AgentQuery) -> Result<Vec<Agent>> {
        let mut query = Vec::new();
        if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            query.push(("search", s.to_owned()));
        }
        if q.include_api_agents {
            query.push(("includeapiagents", "true".to_owned()));
        }
        if q.include_disabled {
            query.push(("includedisabled", "true".to_owned()));
        }
        self.list("Agent", &query, &list_key("Agent")).await
    }

    /// Every agent, API-only and disabled ones included, with the roles each holds (an
    /// audit, or who else holds a role before it is changed).
    pub(crate) async fn agents_with_roles(&self) -> Result<Vec<Agent>> {
        let query = [
            ("includeapiagents", "true".to_owned()),
            ("includedisabled", "true".to_owned()),
            ("includeroles", "true".to_owned()),
        ];
        self.list("Agent", &query, "agents").await
    }

    /// One agent by id, in full (`GET /api/Agent/{id}`).
    pub async fn get_agent(&self, id: i64) -> Result<Agent> {
        ids::check_int(IdKind::Agent, id)?;
        self.get_one(&["Agent", &id.to_string()], &[]).await
    }

    /// Create (no id) or update (id). Never retried blindly.
    pub async fn save_agent(&self, agent: &Agent) -> Result<Agent> {
        self.save("Agent", agent).await
    }

    /// Deletes an agent (`DELETE /api/Agent/{id}`). The caller proves the agent ours first.
    pub async fn delete_agent(&self, id: i64) -> Result<()> {
        ids::check_int(IdKind::Agent, id)?;
        self.delete(&["Agent", &id.to_string()]).await
    }

    /// Every role (`GET /api/Roles`).
    pub async fn roles(&self) -> Result<Vec<Role>> {
        self.list("Roles", &[], &list_key("Roles")).await
    }

    /// One role by GUID, with its claims (`GET /api/Roles/{id}`).
    pub async fn get_role(&self, id: &str) -> Result<Role> {
        ids::check(IdKind::Role, id)?;
        self.get_one(
            &["Roles", id],
            &[("includedetails", "true"), ("isconfig", "true")],
        )
        .await
    }

    /// Create (no id) or update (id) a role (`POST /api/Roles`); returns what Halo saved.
    /// Never retried blindly.
    pub async fn save_role(&self, role: &Role) -> Result<Role> {
        self.save("Roles", role).await
    }

    /// Deletes a role (`DELETE /api/Roles/{id}`). The caller proves the role ours first.
    pub async fn delete_role(&self, id: &str) -> Result<()> {
        ids::check(IdKind::Role, id)?;
        self.delete(&["Roles", id]).await
    }

    /// Every team (`GET /api/Team`).
    pub async fn teams(&self) -> Result<Vec<Team>> {
        self.list("Team", &[], &list_key("Team")).await
    }

    /// Every department (`GET /api/TopLevel`).
    pub async fn departments(&self) -> Result<Vec<Department>> {
        self.list("TopLevel", &[], &list_key("TopLevel")).await
    }

    /// Every set of work hours (`GET /api/Workday`).
    pub async fn workdays(&self) -> Result<Vec<Workday>> {
        self.list("Workday", &[], &list_key("Workday")).await
    }

    /// Every API application (`GET /api/Application`), without secrets.
    pub async fn applications(&self) -> Result<Vec<Application>> {
        self.list("Application", &[], &list_key("Application"))
            .await
    }

    /// One application by id with its scopes (`GET /api/Application/{id}?includedetails=true`).
    pub async fn get_application(&self, id: &str) -> Result<Application> {
        ids::check(IdKind::Application, id)?;
        self.get_one(&["Application", id], &[("includedetails", "true")])
            .await
    }

    /// Create (no id) or update (id) an application (`POST /api/Application`); returns what Halo
    /// saved. A secret in `app` is added to the redactor first. Never retried blindly.
    pub async fn save_application(&self, app: &Application) -> Result<Application> {
        // The new secret travels in the body; make sure no echo of it reaches a message.
        self.inner.http.redactor.add(&app.client_secret);
        self.save("Application", app).await
    }

    /// Deletes an application (`DELETE /api/Application/{id}`). The caller proves it ours first.
    pub async fn delete_application(&self, id: &str) -> Result<()> {
        ids::check(IdKind::Application, id)?;
        self.delete(&["Application", id]).await
    }

    /// Updates only the fields in `patch` (which holds the role's `id`); Halo keeps the rest.
    pub async fn update_role_fields(&self, patch: &Map<String, Value>) -> Result<Value> {
        self.save("Roles", &Value::Object(patch.clone())).await
    }

    /// Updates only the fields in `patch` (which holds the agent's `id`); Halo keeps the rest.
    pub async fn update_agent_fields(&self, patch: &Map<String, Value>) -> Result<Value> {
        self.save("Agent", &Value::Object(patch.clone())).await
    }

    /// Updates only the fields in `patch` (which holds the application's `id`); Halo keeps the
    /// rest. `secret` is the new secret the patch carries, if any: it never reaches a message.
    pub async fn update_application_fields(
        &self,
        patch: &Map<String, Value>,
        secret: Option<&SecretString>,
    ) -> Result<Value> {
        if let Some(s) = secret {
            self.inner
                .http
                .redactor
                .add(secrecy::ExposeSecret::expose_secret(s));
        }
        self.save("Application", &Value::Object(patch.clone()))
            .await
    }

    /// The application Halo answered a save with: a bare object or the first of a list;
    /// anything else reads as an empty application (nothing of Halo's own to take over).
    pub fn saved_application(answer: Value) -> Application {
        list::single(answer, "application")
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    /// GET any path under `/api` (used by verification probes), e.g. `/Tickets?count=1`.
    pub async fn get_json(&self, path: &str) -> Result<Value> {
        let raw = format!(
            "{}/{}",
            self.inner.resource.as_str().trim_end_matches('/'),
            path.trim().trim_start_matches('/')
        );
        let url = Url::parse(&raw).map_err(|_| HaloError::InvalidUrl(redact(&raw)))?;
        self.get_value(url).await
    }

    // --- plumbing -------------------------------------------------------------------------

    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.inner.resource.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// One API request with the bearer token; a 401 with a cached token means it expired
    /// (or was revoked) on Halo's side: fetch a new one once and replay once.
    async fn call(&self, method: Method, url: Url, body: Body, kind: Access) -> Result<Response> {
        let inner = &self.inner;
        let what = inner.http.redactor.redact(&urls::path_and_query(&url));
        let redactor = inner.http.redactor.clone();
        let map = move |status: u16, body: &[u8]| api_error(status, &what, body, &redactor);
        let lease = inner.auth.lease(&inner.http).await?;
        let mut req = Request {
            method,
            url,
            bearer: Some(lease.access.clone()),
            body,
        };
        match inner.http.exchange(&req, kind, &map).await {
            Err(HaloError::Unauthorized(_)) if !lease.fresh => {
                inner.auth.invalidate(&lease.access).await;
                req.bearer = Some(inner.auth.lease(&inner.http).await?.access);
                inner.http.exchange(&req, kind, &map).await
            }
            other => other,
        }
    }

    async fn get_value(&self, url: Url) -> Result<Value> {
        let what = urls::path_and_query(&url);
        let resp = self
            .call(Method::GET, url, Body::None, Access::Read)
            .await?;
        parse_json(&resp.body, &what)
    }

    async fn get_one<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<T> {
        let url = self.url(segments, query);
        let what = urls::path_and_query(&url);
        let v = list::single(self.get_value(url).await?, &what)?;
        serde_json::from_value(v).map_err(|e| HaloError::Decode(what, e.to_string()))
    }

    /// A whole list. Pages are requested only when Halo answered with an envelope whose
    /// `record_count` exceeds the rows it sent.
    async fn list<T: DeserializeOwned>(
        &self,
        resource: &str,
        query: &[(&str, String)],
        plural: &str,
    ) -> Result<Vec<T>> {
        // `plural`: the envelope key (`evidence/lists.toml`); the first array is taken when
        // Halo used another.
        let pairs: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let url = self.url(&[resource], &pairs);
        let what = urls::path_and_query(&url);
        let first = list::page(self.get_value(url).await?, plural, &what)?;
        let rows = match first.record_count {
            Some(total) if total > first.rows.len() => {
                self.pages(resource, &pairs, plural, total).await?
            }
            _ => first.rows,
        };
        list::typed(rows, &what)
    }

    /// Pages 1, 2, … of a paginated list. Halo's `record_count` is a hint, never a promise: the
    /// walk stops at the first empty page, a page shorter than the first one (the server's page
    /// size), a page seen before (a server that ignores paging), or when `record_count` rows are
    /// in; past [`list::MAX_PAGES`] it is an error rather than an endless walk.
    async fn pages(
        &self,
        resource: &str,
        query: &[(&str, &str)],
        plural: &str,
        total: usize,
    ) -> Result<Vec<Value>> {
        let size = list::PAGE_SIZE.to_string();
        let mut rows: Vec<Value> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut page_len: Option<usize> = None;
        for page_no in 1..=list::MAX_PAGES + 1 {
            let page_str = page_no.to_string();
            let mut pairs = query.to_vec();
            pairs.extend([
                ("pageinate", "true"),
                ("page_size", size.as_str()),
                ("page_no", page_str.as_str()),
            ]);
            let url = self.url(&[resource], &pairs);
            let what = urls::path_and_query(&url);
            if page_no > list::MAX_PAGES {
                return Err(HaloError::Decode(
                    what,
                    format!(
                        "Halo kept sending new pages past page {} (record_count {total}); stopped",
                        list::MAX_PAGES
                    ),
                ));
            }
            let page = list::page(self.get_value(url).await?, plural, &what)?;
            let n = page.rows.len();
            if n == 0 || !seen.insert(list::fingerprint(&page.rows)) {
                break;
            }
            let full = *page_len.get_or_insert(n);
            rows.extend(page.rows);
            if n < full || rows.len() >= page.record_count.unwrap_or(total).min(total) {
                break;
            }
        }
        Ok(rows)
    }

    /// Create or update: Halo takes a JSON array and answers with the saved object (or an
    /// array of them). Writes are never replayed after a possible apply (see `retry`).
    async fn save<T: Serialize + DeserializeOwned + Clone>(
        &self,
        resource: &str,
        item: &T,
    ) -> Result<T> {
        let url = self.url(&[resource], &[]);
        let what = urls::path_and_query(&url);
        let body = serde_json::to_vec(&[item])
            .map_err(|e| HaloError::Other(format!("could not encode {what}: {e}")))?;
        let resp = self
            .call(Method::POST, url, Body::Json(body), Access::Write)
            .await?;
        // A 204, an empty body or `[]`: Halo saved it but echoed nothing; the sent object
        // comes back and callers read back by id or search.
        let v = parse_json(&resp.body, &what)?;
        if v.is_null() || v.as_array().is_some_and(Vec::is_empty) {
            return Ok(item.clone());
        }
        let v = list::single(v, &what)?;
        serde_json::from_value(v).map_err(|e| HaloError::Decode(what, e.to_string()))
    }

    async fn delete(&self, segments: &[&str]) -> Result<()> {
        let url = self.url(segments, &[]);
        self.call(Method::DELETE, url, Body::None, Access::Write)
            .await
            .map(|_| ())
    }
}

/// Every JSON answer from Halo enters here: parsed (serde_json stops at nesting depth 128, so
/// a deeply nested body fails fast instead of exhausting memory) and cleaned of control and
/// bidi characters, so no name, message or id from Halo reaches a terminal, log or file raw.
fn parse_json(body: &[u8], what: &str) -> Result<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    let mut v = serde_json::from_slice(body)
        .map_err(|e| HaloError::Decode(what.to_owned(), format!("the answer is not JSON ({e})")))?;
    crate::text::clean_json(&mut v);
    Ok(v)
}
