//! The area endpoints the verification probes call (`scopes::AREAS[..].probe`): read-only lists
//! in Halo's envelope form, guarded by `read:<area>` and the role's feature access. Tickets also
//! apply team visibility: without `all:teams` or an administrator role, an agent sees only the
//! tickets of its teams (an empty list, not an error, like real Halo).

use axum::response::Response;
use serde_json::{Value, json};

use super::api::Ctx;
use super::reply::{self, Query};
use super::state::State;
use crate::halo::model::Access;
use crate::halo::scopes::{AREAS, Area, any_grants};

/// Lower-cased endpoint name of an area's probe (`/Tickets?count=1` → `tickets`).
fn endpoint(area: &Area) -> Option<String> {
    let probe = area.probe?;
    let path = probe.split('?').next().unwrap_or(probe);
    Some(path.trim_start_matches('/').to_ascii_lowercase())
}

pub(crate) fn find(segment: &str) -> Option<&'static Area> {
    AREAS
        .iter()
        .find(|a| endpoint(a).as_deref() == Some(segment))
}

/// Envelope key of an area endpoint.
fn plural(area: &Area) -> &'static str {
    match area.key {
        "teams" => "webhooks",
        "calendar" => "appointments",
        "customers" => "clients",
        "crm" => "notes",
        "contracts" => "contracts",
        "items" => "items",
        "quotes" => "quotes",
        "sos" => "salesorders",
        "pos" => "purchaseorders",
        "reporting" => "reports",
        "softwarelicensing" => "licences",
        "kb" => "articles",
        other => other,
    }
}

fn rows(state: &State, ctx: &Ctx, area: &Area) -> Vec<Value> {
    match area.key {
        "tickets" => {
            let all_visible = ctx.is_admin || any_grants(&ctx.scopes, "all:teams");
            state
                .tickets
                .iter()
                .filter(|t| all_visible || ctx.agent.teams.iter().any(|m| m.team_id == t.team_id))
                .map(|t| json!(t))
                .collect()
        }
        "customers" => ["Acme Ltd", "Globex", "Initech"]
            .iter()
            .zip(1..)
            .map(|(name, id)| json!({ "id": id, "name": name }))
            .collect(),
        "assets" => [
            (1, "ACME-LAPTOP-01", 1),
            (2, "ACME-FW-01", 1),
            (3, "GLOBEX-SRV-01", 2),
        ]
        .iter()
        .map(|(id, tag, client)| json!({ "id": id, "inventory_number": tag, "client_id": client }))
        .collect(),
        _ => (1..=3)
            .map(|i| json!({ "id": i, "name": format!("{} {i}", area.label) }))
            .collect(),
    }
}

pub(crate) fn get(
    state: &State,
    ctx: &Ctx,
    area: &'static Area,
    q: &Query,
) -> Result<Response, Response> {
    if area.key == "teams" {
        // Webhooks are configuration: the webhook scope and an administrator role.
        ctx.need_scope("admin:webhooks")?;
        ctx.need_role(ctx.is_admin, "administrator")?;
    } else {
        ctx.need_scope(&format!("read:{}", area.key))?;
        let access = state.agent_access(&ctx.agent, area.key);
        ctx.need_role(access >= Access::Read, area.key)?;
    }
    Ok(reply::list(rows(state, ctx, area), q, plural(area), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_probe_resolves() {
        for a in AREAS.iter().filter(|a| a.probe.is_some()) {
            let seg = endpoint(a).unwrap();
            assert_eq!(find(&seg).map(|x| x.key), Some(a.key), "{seg}");
        }
        assert_eq!(find("tickets").map(|a| a.key), Some("tickets"));
        assert!(find("agent").is_none());
    }
}
