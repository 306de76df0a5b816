//! Client-credentials tokens: the request, the cache shared by concurrent callers, renewal
//! before expiry, and what a token grants (scopes, agent id from the `id_token`).

use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use super::errmap::token_error;
use super::http::{Body, Http, Request};
use super::options::{Credentials, TokenInfo};
use super::retry::Access;
use crate::halo::error::{HaloError, Result};

/// Lifetime assumed when Halo omits `expires_in`.
const DEFAULT_LIFETIME: u64 = 3600;
/// Longest lifetime believed: a server may claim anything (`expires_in: 1e30`), and a day is
/// longer than any run of this program.
const MAX_LIFETIME: u64 = 86_400;
/// Renew this long before expiry so a token never dies mid-request.
const RENEW_MARGIN: Duration = Duration::from_secs(60);

#[derive(Clone)]
struct Cached {
    access: SecretString,
    renew_at: Instant,
    info: TokenInfo,
}

/// A token handed to one request. `fresh` means it was fetched for this request, so a 401
/// with it is final rather than a sign of expiry.
pub(super) struct Lease {
    pub access: SecretString,
    pub info: TokenInfo,
    pub fresh: bool,
}

pub(super) struct Auth {
    token_url: Url,
    creds: Credentials,
    cache: tokio::sync::Mutex<Option<Cached>>,
}

impl Auth {
    pub(super) fn new(auth_url: &str, tenant: Option<&str>, creds: Credentials) -> Result<Self> {
        let raw = format!("{}/token", auth_url.trim_end_matches('/'));
        let mut token_url = Url::parse(&raw).map_err(|_| HaloError::InvalidUrl(raw.clone()))?;
        if let Some(t) = tenant.map(str::trim).filter(|t| !t.is_empty()) {
            token_url.query_pairs_mut().append_pair("tenant", t);
        }
        Ok(Self {
            token_url,
            creds,
            cache: tokio::sync::Mutex::new(None),
        })
    }

    /// A valid token: the cached one, or a new one. The lock is held during the fetch so
    /// concurrent callers wait for one token request instead of each sending their own.
    pub(super) async fn lease(&self, http: &Http) -> Result<Lease> {
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref().filter(|c| Instant::now() < c.renew_at) {
            return Ok(Lease {
                access: c.access.clone(),
                info: c.info.clone(),
                fresh: false,
            });
        }
        let fetched = self.fetch(http).await?;
        let lease = Lease {
            access: fetched.access.clone(),
            info: fetched.info.clone(),
            fresh: true,
        };
        *cache = Some(fetched);
        Ok(lease)
    }

    /// Takes over the token `other` holds (if it still has one): a token fetched before
    /// discovery answered, from the authorisation server discovery then named (see
    /// [`crate::plan::session::connect`]). Not fresh: a 401 with it fetches a new one.
    pub(super) async fn adopt(&self, other: &Auth) {
        let taken = other.cache.lock().await.clone();
        if taken.is_some() {
            *self.cache.lock().await = taken;
        }
    }

    pub(super) fn credentials(&self) -> &Credentials {
        &self.creds
    }

    /// Drops the cached token if it is still the one that was refused.
    pub(super) async fn invalidate(&self, refused: &SecretString) {
        let mut cache = self.cache.lock().await;
        if cache
            .as_ref()
            .is_some_and(|c| c.access.expose_secret() == refused.expose_secret())
        {
            *cache = None;
        }
    }

    async fn fetch(&self, http: &Http) -> Result<Cached> {
        let scope = if self.creds.scopes.is_empty() {
            // Without a scope Halo issues a token that every API call refuses.
            "all".to_owned()
        } else {
            self.creds.scopes.join(" ")
        };
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &self.creds.client_id)
            .append_pair("client_secret", self.creds.client_secret.expose_secret())
            .append_pair("scope", &scope)
            .finish();
        let req = Request {
            method: Method::POST,
            url: self.token_url.clone(),
            bearer: None,
            body: Body::Form(form),
        };
        let redactor = http.redactor.clone();
        let map = move |status: u16, body: &[u8]| token_error(status, body, &redactor);
        // Token requests are idempotent: retried like reads.
        let resp = http.exchange(&req, Access::Read, &map).await?;
        let parsed = parse_token(&resp.body).ok_or_else(|| {
            HaloError::TokenError(
                resp.status,
                "the answer did not contain an access_token".into(),
            )
        })?;
        http.redactor.add(&parsed.access);
        if let Some(id) = &parsed.id_token {
            http.redactor.add(id);
        }
        let lifetime = Duration::from_secs(parsed.expires_in);
        // Very short lifetimes (tests, odd servers) renew at half-life instead.
        let margin = RENEW_MARGIN.min(lifetime / 2);
        let now = Instant::now();
        Ok(Cached {
            access: SecretString::from(parsed.access),
            // The lifetime is clamped, and the addition checked all the same: a token must
            // never be a way to panic.
            renew_at: now
                .checked_add(lifetime.checked_sub(margin).unwrap())
                .unwrap_or(now),
            info: TokenInfo {
                scopes: parsed.scopes,
                expires_in: parsed.expires_in,
                agent_id: parsed.id_token.as_deref().and_then(agent_id_from_jwt),
            },
        })
    }
}

struct ParsedToken {
    access: String,
    expires_in: u64,
    scopes: Vec<String>,
    id_token: Option<String>,
}

fn parse_token(body: &[u8]) -> Option<ParsedToken> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let access = v.get("access_token")?.as_str()?.trim().to_owned();
    if access.is_empty() {
        return None;
    }
    let expires_in = v
        .get("expires_in")
        .and_then(|e| {
            e.as_u64()
                .or_else(|| e.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
                .or_else(|| e.as_str().and_then(|s| s.trim().parse().ok()))
        })
        .unwrap_or(DEFAULT_LIFETIME)
        .min(MAX_LIFETIME);
    // Scope names are shown and logged: cleaned like any other text from Halo.
    let scopes = v
        .get("scope")
        .and_then(Value::as_str)
        .map(|s| s.split_whitespace().map(crate::text::line).collect())
        .unwrap_or_default();
    let id_token = v.get("id_token").and_then(Value::as_str).map(str::to_owned);
    Some(ParsedToken {
        access,
        expires_in,
        scopes,
        id_token,
    })
}

/// The Halo agent id (`id` claim) from a JWT's payload; anything malformed gives `None`.
pub fn agent_id_from_jwt(jwt: &str) -> Option<i64> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    let id = claims.get("id")?;
    id.as_i64()
        .or_else(|| id.as_str().and_then(|s| s.trim().parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let p = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
        format!("eyJhbGciOiJub25lIn0.{p}.sig")
    }

    #[test]
    fn agent_id_claim() {
        assert_eq!(agent_id_from_jwt(&jwt(r#"{"id":42,"name":"x"}"#)), Some(42));
        assert_eq!(agent_id_from_jwt(&jwt(r#"{"id":"17"}"#)), Some(17));
        assert_eq!(agent_id_from_jwt(&jwt(r#"{"name":"x"}"#)), None);
        assert_eq!(agent_id_from_jwt(&jwt("not json")), None);
        assert_eq!(agent_id_from_jwt("onlyonepart"), None);
        assert_eq!(agent_id_from_jwt("a.!!!.c"), None);
        assert_eq!(agent_id_from_jwt(""), None);
    }

    #[test]
    fn token_fields() {
        let t = parse_token(br#"{"access_token":"abc","expires_in":"120","scope":"all  admin"}"#)
            .unwrap();
        assert_eq!(t.expires_in, 120);
        assert_eq!(t.scopes, vec!["all", "admin"]);
        let t = parse_token(br#"{"access_token":"abc"}"#).unwrap();
        assert_eq!(t.expires_in, DEFAULT_LIFETIME);
        // Absurd lifetimes are clamped (an Instant overflow used to panic).
        for huge in ["1e30", "18446744073709551615", "\"99999999999999999999\""] {
            let body = format!(r#"{{"access_token":"abc","expires_in":{huge}}}"#);
            let t = parse_token(body.as_bytes()).unwrap();
            assert!(t.expires_in <= MAX_LIFETIME, "{huge}: {}", t.expires_in);
        }
        let t = parse_token(b"{\"access_token\":\"a\",\"scope\":\"all \\u001b[2Jadmin\"}").unwrap();
        assert_eq!(t.scopes, vec!["all", "\\x1b[2Jadmin"]);
        assert!(parse_token(br#"{"token_type":"Bearer"}"#).is_none());
        assert!(parse_token(b"<html>").is_none());
    }
}
