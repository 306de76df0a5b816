//! One request as the handlers see it, and who is calling it (the token's scopes and its
//! agent's permissions): the leaf every handler module builds on.

use axum::http::{HeaderMap, Method};
use axum::response::Response;

use super::perms::Perms;
use super::record::Record;
use super::reply::{self, forbidden};
use super::state::State;
use crate::evidence;

/// Everything the dispatcher needs about one request.
pub(crate) struct Req<'a> {
    pub method: &'a Method,
    /// Lower-cased path without a trailing slash.
    pub path: String,
    /// The path as sent (for messages).
    pub raw_path: &'a str,
    pub query: reply::Query,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// Who is calling: the token's scopes and the agent the application logs in as, with what its
/// own and its roles' claims allow.
pub(crate) struct Ctx {
    pub scopes: Vec<String>,
    pub agent_id: i64,
    pub agent: Record,
    pub is_admin: bool,
    pub perms: Perms,
}

impl Ctx {
    /// Scope layer: 403 unless a granted scope covers `needed` (`evidence/scopes.toml` rules).
    pub(super) fn need_scope(&self, needed: &str) -> Result<(), Response> {
        if evidence::scopes().any_grants(&self.scopes, needed) {
            Ok(())
        } else {
            Err(forbidden(&format!(
                "The application does not have the {needed} permission"
            )))
        }
    }

    /// The role layer's refusal.
    pub(super) fn role_refusal(&self, what: &str) -> Response {
        forbidden(&format!(
            "Agent {} does not have {what} access through its roles",
            self.agent.str("name")
        ))
    }

    /// Role layer: 403 unless one of the agent's roles grants `what`.
    pub(super) fn need_role(&self, ok: bool, what: &str) -> Result<(), Response> {
        if ok {
            Ok(())
        } else {
            Err(self.role_refusal(what))
        }
    }

    /// Configuration calls: the `admin` scope and an administrator role.
    pub(super) fn need_admin(&self) -> Result<(), Response> {
        self.need_scope("admin")?;
        self.need_role(self.is_admin, "administrator")
    }
}

/// Builds the caller context for a token's agent.
pub(crate) fn context(state: &State, scopes: Vec<String>, agent: &Record) -> Ctx {
    let perms = state.perms(agent);
    Ctx {
        scopes,
        agent_id: agent.i64("id").unwrap_or_default(),
        is_admin: perms.admin(),
        perms,
        agent: agent.clone(),
    }
}
