//! Raw HTTP against the emulator, as any Halo client would meet it: tokens, calls, and
//! applications made straight in its state.

use halo_onboard::sim::SimHandle;
use serde_json::{Value, json};

pub(crate) const ADMIN_SCOPES: &str = "all admin all:teams admin:webhooks";

pub(crate) fn http() -> reqwest::Client {
    crate::common::http()
}

/// `GET path` on the emulator, with a bearer token when given: the raw answer.
pub(crate) async fn fetch(sim: &SimHandle, path: &str, tok: Option<&str>) -> reqwest::Response {
    let mut rb = http().get(format!("{}{path}", sim.url));
    if let Some(t) = tok {
        rb = rb.bearer_auth(t);
    }
    rb.send().await.unwrap()
}

pub(crate) async fn token_resp(
    sim: &SimHandle,
    id: &str,
    secret: &str,
    scope: Option<&str>,
) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", id),
        ("client_secret", secret),
    ];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    let r = http()
        .post(format!("{}/auth/token", sim.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn token_for(sim: &SimHandle, id: &str, secret: &str, scope: &str) -> String {
    let (status, body) = token_resp(sim, id, secret, Some(scope)).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

pub(crate) async fn admin_token(sim: &SimHandle) -> String {
    token_for(sim, &sim.client_id, &sim.client_secret, ADMIN_SCOPES).await
}

pub(crate) async fn call(
    sim: &SimHandle,
    method: reqwest::Method,
    tok: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut rb = http()
        .request(method, format!("{}{path}", sim.url))
        .bearer_auth(tok);
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub(crate) async fn get(sim: &SimHandle, tok: &str, path: &str) -> (u16, Value) {
    call(sim, reqwest::Method::GET, tok, path, None).await
}

pub(crate) async fn post(sim: &SimHandle, tok: &str, path: &str, body: Value) -> (u16, Value) {
    call(sim, reqwest::Method::POST, tok, path, Some(body)).await
}

pub(crate) async fn delete(sim: &SimHandle, tok: &str, path: &str) -> (u16, Value) {
    call(sim, reqwest::Method::DELETE, tok, path, None).await
}

/// `POST /_sim/faults` with a partial settings object; the answer's status and body.
pub(crate) async fn set_faults(sim: &SimHandle, patch: Value) -> (u16, Value) {
    let r = http()
        .post(format!("{}/_sim/faults", sim.url))
        .json(&patch)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// An application logging in as `agent_id` with `scopes`, created directly in the state.
pub(crate) fn add_app(sim: &SimHandle, agent_id: i64, scopes: &[&str]) -> (String, String) {
    let id = uuid::Uuid::new_v4().to_string();
    let secret = format!("{id}-secret");
    let (i, s) = (id.clone(), secret.clone());
    let scopes: Vec<Value> = scopes.iter().map(|s| json!({ "name": s })).collect();
    sim.with_state(move |st| {
        st.add_application(json!({
            "id": i, "clientId": i, "clientSecret": s, "displayName": "test app",
            "grant_type": "client_credentials", "loginas_agent_id": agent_id, "scopes": scopes,
        }))
    });
    (id, secret)
}

/// A token for a new application logging in as `agent_id` with `scopes` (space-separated).
pub(crate) async fn token_as(sim: &SimHandle, agent_id: i64, scopes: &str) -> String {
    let list: Vec<&str> = scopes.split_whitespace().collect();
    let (id, secret) = add_app(sim, agent_id, &list);
    token_for(sim, &id, &secret, scopes).await
}

pub(crate) fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The ids of a list answer's rows (bare array or envelope under `key`).
pub(crate) fn ids(v: &Value, key: &str) -> Vec<i64> {
    let rows = if v.is_array() { v } else { &v[key] };
    rows.as_array()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}
