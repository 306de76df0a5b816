//! Routing and the permission model. A request is matched against Halo's published paths
//! (`evidence::spec()`): a path the spec lacks answers 404, a method the spec lacks on a path
//! 405, a spec path this emulator does not play 501 "not emulated" (never a made-up success).
//! An API call succeeds only when the token's scopes AND the agent's roles allow it
//! (halo-api.md §0).

use axum::http::Method;
use axum::response::Response;
use serde_json::json;

use super::crud::{self, Notes, Policy};
use super::record::Collection;
use super::reply;
use super::req::{Ctx, Req};
use super::shared::{Inner, Shared};
use super::variants::{AgentListing, Denial};
use super::{areas, auth};
use crate::evidence::{self, ProbeArea};

/// What the emulator does on one spec path and method.
#[derive(Debug, Clone, Copy)]
enum Route {
    AuthInfo,
    Me,
    List(Collection),
    Get(Collection),
    Post(Collection),
    Delete(Collection),
    Area(&'static ProbeArea),
    PostTickets,
}

/// Every (method, spec template) the emulator plays, and how (built once).
fn table() -> &'static [(&'static str, String, Route)] {
    static TABLE: std::sync::OnceLock<Vec<(&'static str, String, Route)>> =
        std::sync::OnceLock::new();
    TABLE.get_or_init(build_table)
}

fn build_table() -> Vec<(&'static str, String, Route)> {
    let mut t = vec![
        ("GET", "/AuthInfo".to_string(), Route::AuthInfo),
        ("GET", "/Agent/me".to_string(), Route::Me),
        ("POST", "/Tickets".to_string(), Route::PostTickets),
    ];
    for k in Collection::ALL {
        let p = k.path();
        t.push(("GET", p.to_string(), Route::List(k)));
        t.push(("POST", p.to_string(), Route::Post(k)));
        t.push(("GET", format!("{p}/{{id}}"), Route::Get(k)));
        t.push(("DELETE", format!("{p}/{{id}}"), Route::Delete(k)));
    }
    for a in evidence::areas() {
        t.push(("GET", a.path.clone(), Route::Area(a)));
    }
    t
}

/// Every (method, path template) the emulator serves under `/api` (for tests and the README).
pub fn routes() -> Vec<(&'static str, String)> {
    table().iter().map(|(m, p, _)| (*m, p.clone())).collect()
}

fn route_for(method: &str, template: &str) -> Option<Route> {
    table()
        .iter()
        .find(|(m, p, _)| m.eq_ignore_ascii_case(method) && p.eq_ignore_ascii_case(template))
        .map(|(_, _, r)| *r)
}

pub(crate) fn route(sh: &Shared, g: &mut Inner, req: &Req) -> Response {
    let path = req.path.as_str();
    if path == "/auth/token" {
        return if req.method == Method::POST {
            auth::token(sh, g, req)
        } else {
            reply::method_not_allowed()
        };
    }
    if !path.starts_with("/api/") {
        return reply::not_found("No such endpoint");
    }
    let spec = evidence::spec();
    let Some(found) = spec.find(path) else {
        return reply::not_found(&format!("No such endpoint: {}", req.raw_path));
    };
    let template = found.entry.template.clone();
    if !found
        .entry
        .methods
        .contains_key(&req.method.as_str().to_ascii_lowercase())
    {
        return reply::method_not_allowed();
    }
    let Some(route) = route_for(req.method.as_str(), &template) else {
        return reply::not_emulated(&format!("{} {template}", req.method));
    };
    let id = found.params.get("id").cloned().unwrap_or_default();
    if found.entry.id_type() == Some("integer") && !id.is_empty() && id.parse::<i64>().is_err() {
        return reply::bad_request(&format!("The value '{id}' is not valid for id"));
    }
    if matches!(route, Route::AuthInfo) {
        return authinfo(sh);
    }
    let ctx = match auth::bearer(g, req) {
        Ok(c) => c,
        Err(r) => return r,
    };
    serve(sh, g, req, &ctx, route, &id).unwrap_or_else(|r| r)
}

/// `GET /api/AuthInfo`, anonymous: where the authorisation server is, and the tenant.
fn authinfo(sh: &Shared) -> Response {
    reply::json(
        200,
        &json!({ "auth_url": format!("{}/auth", sh.base_url), "tenant_id": sh.tenant }),
    )
}

/// The policy of the emulated build, from the fault settings.
fn policy(g: &Inner) -> Policy {
    Policy {
        secret_mode: g.faults.secret_mode,
        expiry_days: g.faults.expiry_days(),
        drop_fields: g.faults.drop_fields.clone(),
        list_shape: g.faults.list_shape,
    }
}

fn serve(
    sh: &Shared,
    g: &mut Inner,
    req: &Req,
    ctx: &Ctx,
    route: Route,
    id: &str,
) -> Result<Response, Response> {
    let p = policy(g);
    match route {
        Route::AuthInfo => Ok(authinfo(sh)),
        Route::Me => {
            let me = g.state.agent(ctx.agent_id).unwrap_or(&ctx.agent);
            Ok(reply::json(200, &me.to_value()))
        }
        Route::List(k) => {
            need_read(ctx, k)?;
            if k == Collection::Agent
                && g.faults.agent_listing == AgentListing::Admin
                && !ctx.is_admin
            {
                return match g.faults.denial {
                    Denial::Forbidden => Err(ctx.role_refusal("administrator")),
                    Denial::Empty => Ok(reply::list(Vec::new(), &req.query, k.list_key(), true)),
                };
            }
            Ok(crud::list(&g.state, k, &req.query, &p))
        }
        Route::Get(k) => {
            need_read(ctx, k)?;
            crud::get(&g.state, k, id, &p)
        }
        Route::Post(k) => {
            ctx.need_admin()?;
            let mut notes = Notes::default();
            let r = crud::post(&mut g.state, k, req.body, &p, &mut notes);
            g.note(notes);
            let r = r?;
            sh.persist(&g.state);
            Ok(r)
        }
        Route::Delete(k) => {
            ctx.need_admin()?;
            let r = crud::delete(&mut g.state, k, id)?;
            sh.persist(&g.state);
            Ok(r)
        }
        Route::Area(a) => areas::get(&g.state, ctx, a, &req.query, &g.faults),
        Route::PostTickets => {
            let mut notes = Notes::default();
            let r = areas::post_tickets(&mut g.state, ctx, req.body, &mut notes);
            g.note(notes);
            let r = r?;
            sh.persist(&g.state);
            Ok(r)
        }
    }
}

/// Reading roles and applications is configuration (the admin scope and an administrator
/// role); agents, teams, departments and work hours need only a scope.
fn need_read(ctx: &Ctx, k: Collection) -> Result<(), Response> {
    match k {
        Collection::Role | Collection::Application => ctx.need_admin(),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route the emulator serves is a path and method of Halo's published API.
    #[test]
    fn every_route_is_a_spec_path() {
        let routes = routes();
        assert!(routes.len() > 30, "{routes:?}");
        for (m, p) in &routes {
            let found = evidence::spec().find(p).unwrap_or_else(|| panic!("{p}"));
            assert!(
                found.entry.template.eq_ignore_ascii_case(p),
                "{p} is the template {}",
                found.entry.template
            );
            assert!(evidence::spec().allows(m, p), "{m} {p}");
        }
        assert!(route_for("GET", "/Software").is_none());
        assert_eq!(
            route_for("get", "/release").map(|r| matches!(r, Route::Area(_))),
            Some(true)
        );
    }
}
