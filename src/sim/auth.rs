//! The authorisation server (`POST /auth/token`, client credentials, OpenIddict-style errors)
//! and bearer validation for the resource server.

use std::time::Instant;

use axum::http::header;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;

use super::record::Record;
use super::reply::{self, oauth_error, unauthorized};
use super::req::{Ctx, Req, context};
use super::shared::{Inner, Shared, TokenRec};
use super::state::GRANT_CLIENT_CREDENTIALS;
use crate::evidence;

fn random_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// `Authorization: Basic base64(id:secret)` (client_secret_basic).
fn basic_credentials(req: &Req) -> Option<(String, String)> {
    let value = req.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, b64) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(b64.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

pub(crate) fn token(sh: &Shared, g: &mut Inner, req: &Req) -> Response {
    let form: reply::Query = url::form_urlencoded::parse(req.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let granted = grant(sh, req, &form)
        .and_then(|()| client(g, req, &form))
        .and_then(|(app, agent)| Ok((scopes_granted(&form, &app)?, app, agent)));
    match granted {
        Ok((granted, app, agent)) => issue(sh, g, &app, &agent, granted),
        Err(refused) => refused,
    }
}

/// The grant type (client credentials only) and the tenant, when one is named.
fn grant(sh: &Shared, req: &Req, form: &reply::Query) -> Result<(), Response> {
    match form.get("grant_type").map(String::as_str) {
        Some(GRANT_CLIENT_CREDENTIALS) => {}
        None | Some("") => {
            return Err(oauth_error(
                400,
                "invalid_request",
                "The mandatory 'grant_type' parameter is missing.",
            ));
        }
        Some(_) => {
            return Err(oauth_error(
                400,
                "unsupported_grant_type",
                "The specified 'grant_type' is not supported.",
            ));
        }
    }
    let tenant = req.query.get("tenant").or_else(|| form.get("tenant"));
    if let Some(t) = tenant.filter(|t| !t.is_empty()) {
        if !t.eq_ignore_ascii_case(&sh.tenant) {
            return Err(oauth_error(
                400,
                "invalid_request",
                "The specified tenant is invalid.",
            ));
        }
    }
    Ok(())
}

/// The application the credentials name and the agent it logs in as, both usable.
fn client(g: &Inner, req: &Req, form: &reply::Query) -> Result<(Record, Record), Response> {
    let (client_id, secret) = match (form.get("client_id"), form.get("client_secret")) {
        (Some(id), Some(s)) => (id.clone(), s.clone()),
        _ => match basic_credentials(req) {
            Some(c) => c,
            None => {
                return Err(oauth_error(
                    400,
                    "invalid_request",
                    "The mandatory 'client_id' parameter is missing.",
                ));
            }
        },
    };
    let Some(app) = g
        .state
        .applications
        .iter()
        .find(|a| a.str("clientId").eq_ignore_ascii_case(&client_id))
        .cloned()
    else {
        return Err(oauth_error(
            401,
            "invalid_client",
            "The client application was not found.",
        ));
    };
    if app.str("clientSecret") != secret {
        return Err(oauth_error(
            401,
            "invalid_client",
            "The specified client credentials are invalid.",
        ));
    }
    if app.bool("inactive") {
        return Err(oauth_error(
            401,
            "invalid_client",
            "The client application is inactive.",
        ));
    }
    let Some(agent) = app
        .i64("loginas_agent_id")
        .and_then(|id| g.state.agent(id))
        .cloned()
    else {
        return Err(oauth_error(
            400,
            "invalid_grant",
            "The application has no agent to log in as.",
        ));
    };
    if agent.bool("isdisabled") {
        return Err(oauth_error(
            400,
            "invalid_grant",
            &format!(
                "The agent {} the application logs in as is disabled.",
                agent.str("name")
            ),
        ));
    }
    Ok((app, agent))
}

/// The scopes granted: those requested that the application has (`all`: every one of its
/// own); none requested, none granted.
fn scopes_granted(form: &reply::Query, app: &Record) -> Result<Vec<String>, Response> {
    let scopes = evidence::scopes();
    let app_scopes = app.names("scopes");
    Ok(match form.get("scope") {
        None => Vec::new(),
        Some(requested) => {
            let requested: Vec<&str> = requested.split_whitespace().collect();
            if let Some(bad) = requested.iter().find(|s| !scopes.is_scope(s)) {
                return Err(oauth_error(
                    400,
                    "invalid_scope",
                    &format!("The specified scope '{bad}' is not valid."),
                ));
            }
            let mut granted: Vec<String> = Vec::new();
            for r in requested {
                let add: Vec<String> = if r == "all" {
                    app_scopes.clone()
                } else if scopes.any_grants(&app_scopes, r) {
                    vec![r.to_string()]
                } else {
                    Vec::new()
                };
                for s in add {
                    if !granted.contains(&s) {
                        granted.push(s);
                    }
                }
            }
            if granted.is_empty() {
                return Err(oauth_error(
                    400,
                    "invalid_scope",
                    "The application is not allowed any of the requested scopes.",
                ));
            }
            granted
        }
    })
}

/// Issues the access token: remembered with its agent and scopes, answered with an id token
/// whose claims carry the agent's id.
fn issue(
    sh: &Shared,
    g: &mut Inner,
    app: &Record,
    agent: &Record,
    granted: Vec<String>,
) -> Response {
    let access_token = random_token();
    let agent_id = agent.i64("id").unwrap_or_default();
    g.tokens.insert(
        access_token.clone(),
        TokenRec {
            app_id: app.key(),
            agent_id,
            scopes: granted.clone(),
            expires_at: Instant::now() + sh.token_lifetime,
        },
    );
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT","kid":"halo-sim"}"#);
    let claims = json!({
        "id": agent_id,
        "sub": agent_id.to_string(),
        "name": agent.str("name"),
        "email": agent.str("email"),
        "client_id": app.str("clientId"),
        "iss": format!("{}/auth", sh.base_url),
    });
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes());
    reply::json(
        200,
        &json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": sh.token_lifetime.as_secs(),
            "scope": granted.join(" "),
            "id_token": format!("{header}.{payload}.{signature}"),
        }),
    )
}

/// Validates `Authorization: Bearer`; every failure is a 401, as Halo answers.
pub(crate) fn bearer(g: &Inner, req: &Req) -> Result<Ctx, Response> {
    let value = req
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthorized("missing bearer token"))?;
    let token = match value.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => t.trim(),
        _ => return Err(unauthorized("missing bearer token")),
    };
    let rec = g
        .tokens
        .get(token)
        .ok_or_else(|| unauthorized("unknown token"))?;
    if Instant::now() >= rec.expires_at {
        return Err(unauthorized("the token has expired"));
    }
    if rec.scopes.is_empty() {
        return Err(unauthorized("the token has no scope"));
    }
    match g.state.application(&rec.app_id) {
        Some(app) if !app.bool("inactive") => {}
        _ => return Err(unauthorized("the application is gone or inactive")),
    }
    let agent = match g.state.agent(rec.agent_id) {
        Some(a) if !a.bool("isdisabled") => a,
        _ => return Err(unauthorized("the agent is gone or disabled")),
    };
    Ok(context(&g.state, rec.scopes.clone(), agent))
}
