//! The area endpoints the verification probes call (`scopes::AREAS[..].probe`): lists in Halo's
//! envelope form, guarded by `read:<area>` and the area's level in the agent's claims (its own
//! and its roles', in Halo's codes and scales). Tickets also apply team visibility: without
//! `all:teams` or an administrator role, an agent sees only the tickets of its teams (an empty
//! list, not an error, like real Halo). Clients at "View (Names Only)" show names only. Tickets
//! can be written (`POST /api/Tickets`): `edit:tickets` and Tickets "Read and Modify", plus
//! "Can add new Tickets" for a new one — a read-only Tickets level refuses the write.

use axum::response::Response;
use serde_json::{Value, json};

use super::api::Ctx;
use super::reply::bad_request;
use super::reply::{self, Query};
use super::state::State;
use super::state::Ticket;
use crate::halo::dialect::Grade;
use crate::halo::dialect::claims::area_for_scope;
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
        "customers" => {
            // The Clients level itself (Users share the scope but not this list).
            let names_only =
                area_for_scope("customers").is_some_and(|d| ctx.perms.grade(d.code) < Grade::Read);
            ["Acme Ltd", "Globex", "Initech"]
                .iter()
                .zip(1..)
                .map(|(name, id)| {
                    if names_only {
                        json!({ "id": id, "name": name })
                    } else {
                        json!({ "id": id, "name": name, "inactive": false, "toplevel_name": "Support", "website": format!("https://{}.example", name.to_lowercase().replace(' ', "")) })
                    }
                })
                .collect()
        }
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
        // The level of the Halo area behind this list (Clients for /Client), on its own scale.
        let (label, grade) = match area_for_scope(area.key) {
            Some(d) => (d.label, ctx.perms.grade(d.code)),
            None => (area.key, ctx.perms.grade_for_scope(area.key)),
        };
        ctx.need_role(grade >= Grade::Names, label)?;
    }
    Ok(reply::list(rows(state, ctx, area), q, plural(area), true))
}

/// `POST /api/Tickets`: a JSON array of tickets; no id = new ticket. Needs `edit:tickets`,
/// Tickets at "Read and Modify", and "Can add new Tickets" (`l6`) for a new one.
pub(crate) fn post_tickets(
    state: &mut State,
    ctx: &Ctx,
    body: &[u8],
) -> Result<Response, Response> {
    ctx.need_scope("edit:tickets")?;
    ctx.need_role(
        ctx.perms.grade_for_scope("tickets") >= Grade::Modify,
        "Tickets Read and Modify",
    )?;
    let items: Vec<Value> = match serde_json::from_slice(body) {
        Ok(Value::Array(a)) if !a.is_empty() => a,
        _ => {
            return Err(bad_request(
                "The request body must be a non-empty JSON array",
            ));
        }
    };
    let mut out = Vec::new();
    for item in items {
        let id = item.get("id").and_then(Value::as_i64).unwrap_or(0);
        let summary = item
            .get("summary")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if id == 0 {
            ctx.need_role(ctx.perms.allows("l6"), "\"Can add new Tickets\"")?;
            let next = state.tickets.iter().map(|t| t.id).max().unwrap_or(1000) + 1;
            let team_id = item.get("team_id").and_then(Value::as_i64).unwrap_or(1);
            let team = state
                .teams
                .iter()
                .find(|t| t.id == Some(team_id))
                .map(|t| t.name.clone())
                .unwrap_or_default();
            let t = Ticket {
                id: next,
                summary,
                team_id,
                team,
                status: "New".into(),
                ..Ticket::default()
            };
            state.tickets.push(t.clone());
            out.push(json!(t));
        } else {
            let Some(t) = state.tickets.iter_mut().find(|t| t.id == id) else {
                return Err(bad_request(&format!("Ticket {id} does not exist")));
            };
            if !summary.is_empty() {
                t.summary = summary;
            }
            out.push(json!(t));
        }
    }
    Ok(match out.len() {
        1 => reply::json(201, &out[0]),
        _ => reply::json(201, &out),
    })
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
