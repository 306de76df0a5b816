//! Routing and the permission model: an API call succeeds only when the token's scopes AND the
//! agent's roles allow it (halo-api.md §0).

use axum::http::Method;
use axum::response::Response;
use serde_json::json;

use super::crud::{self, Record};
use super::reply::{self, forbidden};
use super::server::Req;
use super::state::State;
use super::{Inner, Shared, auth, probes};
use crate::halo::dialect::Permissions;
use crate::halo::model::{Agent, Application, Department, Role, Team, Workday};
use crate::halo::scopes::any_grants;

/// Who is calling: the token's scopes and the agent the application logs in as, with what
/// its own and its roles' claims allow.
pub(crate) struct Ctx {
    pub scopes: Vec<String>,
    pub agent: Agent,
    pub is_admin: bool,
    pub perms: Permissions,
}

impl Ctx {
    /// Scope layer: 403 unless a granted scope covers `needed`.
    pub fn need_scope(&self, needed: &str) -> Result<(), Response> {
        if any_grants(&self.scopes, needed) {
            Ok(())
        } else {
            Err(forbidden(&format!(
                "The application does not have the {needed} permission"
            )))
        }
    }

    /// Role layer: 403 unless one of the agent's roles grants `what`.
    pub fn need_role(&self, ok: bool, what: &str) -> Result<(), Response> {
        if ok {
            Ok(())
        } else {
            Err(forbidden(&format!(
                "Agent {} does not have {what} access through its roles",
                self.agent.name
            )))
        }
    }

    /// Configuration calls: the `admin` scope and an administrator role.
    pub fn need_admin(&self) -> Result<(), Response> {
        self.need_scope("admin")?;
        self.need_role(self.is_admin, "administrator")
    }
}

pub(crate) fn route(sh: &Shared, g: &mut Inner, req: &Req) -> Response {
    let path = req.path.as_str();
    if path == "/api/authinfo" {
        return if req.method == Method::GET {
            reply::json(
                200,
                &json!({ "auth_url": format!("{}/auth", sh.base_url), "tenant_id": sh.tenant }),
            )
        } else {
            reply::method_not_allowed()
        };
    }
    if path == "/auth/token" {
        return if req.method == Method::POST {
            auth::token(sh, g, req)
        } else {
            reply::method_not_allowed()
        };
    }
    let Some(rest) = path.strip_prefix("/api/") else {
        return reply::not_found("No such endpoint");
    };
    let ctx = match auth::bearer(g, req) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let segs: Vec<&str> = rest.split('/').collect();
    let result = match segs[0] {
        "agent" => agent_route(sh, g, req, &ctx, &segs[1..]),
        "roles" => config::<Role>(sh, g, req, &ctx, &segs[1..]),
        "team" => config::<Team>(sh, g, req, &ctx, &segs[1..]),
        "toplevel" => config::<Department>(sh, g, req, &ctx, &segs[1..]),
        "workday" => config::<Workday>(sh, g, req, &ctx, &segs[1..]),
        "application" => config::<Application>(sh, g, req, &ctx, &segs[1..]),
        other => match probes::find(other) {
            Some(p) if segs.len() == 1 => match req.method.clone() {
                Method::GET => probes::get(&g.state, &ctx, p, &req.query),
                Method::POST if p.key == "tickets" => {
                    let r = probes::post_tickets(&mut g.state, &ctx, req.body);
                    sh.persist(&g.state);
                    r
                }
                _ => Ok(reply::method_not_allowed()),
            },
            _ => Ok(reply::not_found(&format!("No such endpoint: /api/{rest}"))),
        },
    };
    result.unwrap_or_else(|r| r)
}

fn agent_route(
    sh: &Shared,
    g: &mut Inner,
    req: &Req,
    ctx: &Ctx,
    segs: &[&str],
) -> Result<Response, Response> {
    if segs == ["me"] {
        return if req.method == Method::GET {
            let me = g
                .state
                .agent(ctx.agent.id.unwrap_or_default())
                .cloned()
                .unwrap_or_else(|| ctx.agent.clone());
            Ok(reply::json(200, &me))
        } else {
            Ok(reply::method_not_allowed())
        };
    }
    config::<Agent>(sh, g, req, ctx, segs)
}

/// List / get / create-or-update / delete of a configuration resource.
fn config<R: Record>(
    sh: &Shared,
    g: &mut Inner,
    req: &Req,
    ctx: &Ctx,
    segs: &[&str],
) -> Result<Response, Response> {
    let reading = req.method == Method::GET;
    if R::ADMIN_READ || !reading {
        ctx.need_admin()?;
    }
    match (req.method.clone(), segs) {
        (Method::GET, []) => Ok(crud::list::<R>(&g.state, &req.query)),
        (Method::GET, [id]) => crud::get::<R>(&g.state, id),
        (Method::POST, []) => {
            let faults = g.faults.clone();
            let policy = crud::Policy::from(&faults);
            let mut dropped = Vec::new();
            let r = crud::post::<R>(&mut g.state, req.body, &policy, &mut dropped);
            g.dropped = dropped;
            let r = r?;
            sh.persist(&g.state);
            Ok(r)
        }
        (Method::DELETE, [id]) => {
            let r = crud::delete::<R>(&mut g.state, id)?;
            sh.persist(&g.state);
            Ok(r)
        }
        (_, [] | [_]) => Ok(reply::method_not_allowed()),
        _ => Ok(reply::not_found("No such endpoint")),
    }
}

/// Builds the caller context for a token's agent.
pub(crate) fn context(state: &State, scopes: Vec<String>, agent: &Agent) -> Ctx {
    let perms = state.agent_permissions(agent);
    Ctx {
        scopes,
        is_admin: perms.admin(),
        perms,
        agent: agent.clone(),
    }
}
