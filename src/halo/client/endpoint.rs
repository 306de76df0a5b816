//! Where a Halo instance lives (resource server, authorisation server, tenant), found from
//! `/api/authinfo`, and the refusal of an authorisation server the user did not confirm.

use serde_json::Value;
use url::Url;

use super::errmap::api_error;
use super::http::{Http, Request};
use super::options::ClientOptions;
use super::redact::Redactor;
use super::retry::Access;
use super::urls;
use crate::halo::error::{HaloError, Result};

/// Where a Halo instance lives: resource server (`.../api`), authorisation server (`.../auth`),
/// and the tenant (hosted, shared-auth instances only).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Endpoint {
    /// Base of Halo's REST API, ending in `/api`; every API path is joined to it.
    pub resource_url: String,
    /// Base of Halo's authorisation server, ending in `/auth`; the token is fetched from `{auth_url}/token`.
    pub auth_url: String,
    /// Tenant name, sent as `?tenant=` on the token URL of hosted, shared-auth instances; `None`
    /// for an instance with its own authorisation server.
    pub tenant: Option<String>,
}

impl Endpoint {
    /// `https://acme.halopsa.com` (with or without `/api`) → resource `.../api`, auth `.../auth`.
    /// Plain http is refused except for loopback hosts.
    pub fn hosted(base: &str) -> Result<Self> {
        let base = urls::hosted_base(base)?;
        Ok(Self {
            resource_url: format!("{base}/api"),
            auth_url: format!("{base}/auth"),
            tenant: None,
        })
    }
    /// Separate resource server, authorisation server and tenant (on-premise or shared auth).
    /// A resource URL given as a bare host gets `/api` (Halo's API Details page always shows it).
    pub fn on_premise(resource: &str, auth: &str, tenant: Option<&str>) -> Result<Self> {
        let mut resource_url = urls::normalise(resource)?;
        if Url::parse(&resource_url).is_ok_and(|u| u.path() == "/" || u.path().is_empty()) {
            resource_url.push_str("/api");
        }
        Ok(Self {
            resource_url,
            auth_url: urls::normalise(auth)?,
            tenant: tenant
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        })
    }
    /// Whether the authorisation server is on another origin (scheme, host, port) than the
    /// resource server: the client secret would go to a server the user did not type.
    pub fn auth_elsewhere(&self) -> bool {
        !urls::same_origin(&self.resource_url, &self.auth_url)
    }

    /// Whether `other` sends the client secret to the same authorisation server: scheme, host,
    /// port and path (the tenant aside).
    pub(crate) fn same_auth_server(&self, other: &Endpoint) -> bool {
        urls::same_place(&self.auth_url, &other.auth_url)
    }

    /// The same endpoint with an authorisation server the user named (`--auth-url`).
    pub(crate) fn with_auth_url(self, auth: &str) -> Result<Self> {
        Ok(Self {
            auth_url: urls::normalise(auth)?,
            ..self
        })
    }

    /// The token endpoint the client secret is sent to.
    pub(crate) fn token_url(&self) -> String {
        format!("{}/token", self.auth_url.trim_end_matches('/'))
    }

    /// The resource URL without `/api` (the form most vendors ask for).
    pub fn base_url(&self) -> &str {
        self.resource_url
            .strip_suffix("/api")
            .unwrap_or(&self.resource_url)
    }
}

/// `GET {base}/api/authinfo` → endpoint with the auth server and tenant Halo reports;
/// falls back to `{base}/auth` when authinfo is missing. Only a missing or refusing authinfo
/// (4xx other than 429) or a non-JSON answer falls back; an unreachable host, a TLS failure or
/// a 5xx is reported, since the token request would fail the same way.
pub async fn discover(base: &str, opts: &ClientOptions) -> Result<Endpoint> {
    let base = urls::hosted_base(base)?;
    let fallback = Endpoint {
        resource_url: format!("{base}/api"),
        auth_url: format!("{base}/auth"),
        tenant: None,
    };
    let raw = format!("{base}/api/authinfo");
    let url = Url::parse(&raw).map_err(|_| HaloError::InvalidUrl(raw))?;
    let http = Http::new(opts.clone(), Redactor::default())?;
    let what = urls::path_and_query(&url);
    let redactor = http.redactor.clone();
    let map = move |status: u16, body: &[u8]| api_error(status, &what, body, &redactor);
    let resp = match http.exchange(&Request::get(url), Access::Read, &map).await {
        Ok(r) => r,
        Err(
            HaloError::NotFound(_)
            | HaloError::Unauthorized(_)
            | HaloError::Forbidden(..)
            | HaloError::BadRequest(..)
            | HaloError::Http(400..=499, ..),
        ) => return Ok(fallback),
        Err(e) => return Err(e),
    };
    let Ok(Value::Object(info)) = serde_json::from_slice::<Value>(&resp.body) else {
        return Ok(fallback);
    };
    // First of `keys` present (any case) with a non-empty string or number value.
    let field = |keys: &[&str]| {
        keys.iter().find_map(|want| {
            info.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(want))
                .and_then(|(_, v)| match v {
                    Value::String(s) => Some(s.trim().to_owned()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .filter(|s| !s.is_empty())
        })
    };
    let auth_url = match field(&["auth_url", "authurl", "auth_server"]) {
        // A path relative to the Halo host.
        Some(u) if u.starts_with('/') => {
            let joined = Url::parse(&base)
                .and_then(|b| b.join(&u))
                .map_err(|_| HaloError::InvalidUrl(u.clone()))?;
            urls::normalise(joined.as_str())?
        }
        Some(u) => urls::normalise(&u)?,
        None => fallback.auth_url.clone(),
    };
    Ok(Endpoint {
        auth_url,
        // Shown and written to the hand-over file: one clean line. (The auth URL is not
        // cleaned but parsed: an escaped one could read as another URL.)
        tenant: field(&["tenant_id", "tenantid", "tenant"]).map(|t| crate::text::line(&t)),
        ..fallback
    })
}

/// Refuses an endpoint whose authorisation server is on another origin than its resource server
/// unless the user confirmed exactly that server (`trusted`): `/api/authinfo` is the server's
/// word, and a hostile or hijacked one would otherwise receive the client secret.
pub fn check_auth_site(ep: &Endpoint, trusted: Option<&str>) -> Result<()> {
    let confirmed = trusted
        .and_then(|t| urls::normalise(t).ok())
        .is_some_and(|t| t == ep.auth_url);
    if ep.auth_elsewhere() && !confirmed {
        return Err(HaloError::AuthElsewhere(
            ep.base_url().to_owned(),
            ep.auth_url.clone(),
        ));
    }
    Ok(())
}
