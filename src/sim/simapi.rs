//! Test control API under `/_sim/` (no auth, never rate limited or faulted):
//! - `GET /_sim/faults`, `POST /_sim/faults` (partial JSON of [`Faults`]: `latency_ms`, `fail_rate`,
//!   `rate_limit`, `rate_window_ms`, `rate_limit_preset` (`"450/300"`: sets both),
//!   `force_429`, `retry_after`, `drop_before`, `drop_after`, `refuse_writes` (e.g.
//!   `["application"]`: writes there answer 403), `refuse_reads` (e.g. `["tickets"]`: reads there
//!   answer 403), the variants `ticket_visibility`, `denial`, `agent_listing`, `secret_mode`,
//!   `secret_expiry` (`secret_expiry_days` alone selects `key_slots`), `list_shape`;
//!   answers the resulting settings)
//! - `POST /_sim/expire-tokens`
//! - `GET /_sim/requests`, `DELETE /_sim/requests`
//! - `GET /_sim/state` (client secrets removed)
//! - `POST /_sim/applications/{id}/generate-secret`: the admin presses Generate on the
//!   application's form and copies the secret: answers `{"client_secret": …}` (hidden mode's
//!   only way to learn a secret)

use axum::http::Method;
use axum::response::Response;
use serde_json::Value;

use super::crud;
use super::faults::Faults;
use super::reply::{self, bad_request};
use super::req::Req;
use super::shared::Shared;
use super::variants::RatePreset;

pub(crate) fn handle(sh: &Shared, req: &Req) -> Response {
    let mut g = sh.lock();
    match (req.method.clone(), req.path.as_str()) {
        (Method::GET, "/_sim/faults") => reply::json(200, &g.faults),
        (Method::POST, "/_sim/faults") => {
            let Ok(Value::Object(mut patch)) = serde_json::from_slice::<Value>(req.body) else {
                return bad_request("expected a JSON object of fault settings");
            };
            if let Some(p) = patch.remove("rate_limit_preset") {
                match serde_json::from_value::<RatePreset>(p) {
                    Ok(p) => {
                        let (n, window) = p.limits();
                        patch.insert("rate_limit".into(), n.into());
                        let ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
                        patch.insert("rate_window_ms".into(), ms.into());
                    }
                    Err(e) => return bad_request(&format!("invalid rate_limit_preset: {e}")),
                }
            }
            if patch
                .get("secret_expiry_days")
                .is_some_and(|d| !d.is_null())
                && !patch.contains_key("secret_expiry")
            {
                patch.insert("secret_expiry".into(), "key_slots".into());
            }
            let mut merged = serde_json::to_value(&g.faults).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut merged {
                m.extend(patch);
            }
            match serde_json::from_value::<Faults>(merged) {
                Ok(mut f) => {
                    f.fail_rate = f.fail_rate.clamp(0.0, 1.0);
                    if f.rate_limit != g.faults.rate_limit || f.rate_window != g.faults.rate_window
                    {
                        g.window.clear();
                    }
                    g.faults = f;
                    reply::json(200, &g.faults)
                }
                Err(e) => bad_request(&format!("invalid fault settings: {e}")),
            }
        }
        (Method::POST, "/_sim/expire-tokens") => {
            g.expire_tokens();
            reply::empty(204)
        }
        (Method::GET, "/_sim/requests") => reply::json(200, &g.log),
        (Method::DELETE, "/_sim/requests") => {
            g.log.clear();
            reply::empty(204)
        }
        (Method::GET, "/_sim/state") => {
            let mut s = g.state.clone();
            for a in &mut s.applications {
                a.remove("clientSecret");
            }
            reply::json(200, &s)
        }
        (Method::POST, path)
            if path.starts_with("/_sim/applications/") && path.ends_with("/generate-secret") =>
        {
            let id = path
                .trim_start_matches("/_sim/applications/")
                .trim_end_matches("/generate-secret");
            let days = g.faults.expiry_days();
            match crud::generate_secret(&mut g.state, id, days) {
                Some(secret) => {
                    sh.persist(&g.state);
                    reply::json(200, &serde_json::json!({ "client_secret": secret }))
                }
                None => reply::not_found(&format!("Application {id} not found")),
            }
        }
        _ => reply::not_found("No such emulator control endpoint"),
    }
}
