//! `audit`: every API application on an instance, read-only, with its risks in plain words.
//! What Halo shows is read with the bootstrap credentials only; what could not be read is said
//! (a role unreadable makes "administrator: unknown", never a guess).
//!
//! Risks and their levels:
//! - high: logs in as a HaloPSA Administrator; logs in as a person's account (not API-only).
//! - medium: the `all` scope; the `admin` scope; an active application whose agent is disabled
//!   (enabling the agent brings the credentials back); several applications with one name
//!   (one vendor, an old credential forgotten).
//!
//! A risk the managing setup's profile asks for (TopLeft's administrator role), the
//! credentials the audit runs with, and a rotation in progress are listed as accepted, with why.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::halo::model::{Agent, Application, LOGIN_ENTITY_AGENT, Role};
use crate::halo::{Client, HaloError};
use crate::journal::Session;
use crate::plan::inventory::{AgentRead, Integration, RoleRead};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Medium,
    High,
}

/// One risk of an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    pub level: Level,
    /// Stable: `admin-agent`, `person`, `all-scope`, `admin-scope`, `inactive-agent`, `duplicate`.
    pub code: &'static str,
    pub words: String,
    /// Why it is accepted (a profile asks for it, the audit's own credentials, a rotation in
    /// progress); an accepted risk does not count for the exit code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentInfo {
    pub id: i64,
    pub name: String,
    /// An API-only agent (else a person's account, which can log in and takes a licence).
    pub api_only: bool,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleInfo {
    pub id: String,
    pub name: String,
    /// "Is a HaloPSA Administrator"; `None`: the role could not be read.
    pub administrator: Option<bool>,
}

/// One application as the audit shows it (never a secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub application_id: String,
    pub name: String,
    pub client_id: String,
    pub active: bool,
    /// Authentication method as Halo stores it (`client_credentials` = Client ID and Secret).
    pub method: String,
    /// `agent`, or `other (loginentity N)` for a login type that is not an agent.
    pub login_type: String,
    pub agent: Option<AgentInfo>,
    /// Why the agent could not be read, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_unreadable: Option<String>,
    pub roles: Vec<RoleInfo>,
    /// The agent is a HaloPSA Administrator (its roles or its own claims); `None`: unknown.
    pub administrator: Option<bool>,
    pub scopes: Vec<String>,
    /// `all`, `edit` (some scope writes) or `read`.
    pub access: &'static str,
    /// The setup of this installation that manages it.
    pub managed_by: Option<String>,
    /// The credentials this audit connected with.
    pub this_audit: bool,
    pub risks: Vec<Risk>,
}

impl Row {
    /// The risks that count: high and not accepted.
    pub fn high(&self) -> usize {
        self.risks
            .iter()
            .filter(|r| r.level == Level::High && r.accepted.is_none())
            .count()
    }
}

/// The audit of one instance.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub applications: Vec<Row>,
    /// What could not be read, in words (e.g. "roles: 403 …: administrator unknown").
    pub unread: Vec<String>,
    /// High risks not accepted (the exit code's reason).
    pub high_risks: usize,
}

/// Each login agent by id, as read (or why not).
type Agents = BTreeMap<i64, Result<Agent, HaloError>>;
/// Each role the login agents hold: id, name, as read (or why not).
type Roles = Vec<(String, String, Result<Role, HaloError>)>;

/// What the audit reads: every application, every agent (with roles) and the roles the login
/// agents hold, with their details. Only the applications must be readable.
pub(crate) async fn read(client: &Client) -> Result<(Vec<Integration>, Vec<String>), HaloError> {
    let apps = client.applications().await?;
    let mut unread = Vec::new();
    let agents = login_agents(client, &apps, &mut unread).await;
    let roles = roles_held(client, &agents).await;
    if let Some((_, _, Err(e))) = roles.iter().find(|(_, _, r)| r.is_err()) {
        unread.push(format!(
            "roles ({e}): whether an agent is an administrator is unknown where its roles could not be read"
        ));
    }
    if let Some((id, Err(e))) = agents.iter().find(|(_, a)| a.is_err()) {
        unread.push(format!(
            "agent {id} ({e}) and any other agent that could not be read"
        ));
    }
    let integrations = apps
        .into_iter()
        .map(|app| {
            let agent = agent_read(&app, &agents);
            let roles = roles_read(&agent, &roles);
            Integration { app, agent, roles }
        })
        .collect();
    Ok((integrations, unread))
}

/// The agents the applications log in as, read at once: from the agent list when it shows
/// their roles, else each on its own (and the list's failure noted in `unread`).
async fn login_agents(client: &Client, apps: &[Application], unread: &mut Vec<String>) -> Agents {
    let listed = match client.agents_with_roles().await {
        Ok(a) => Some(a),
        Err(e) => {
            unread.push(format!(
                "the agent list ({e}): each login agent is read on its own"
            ));
            None
        }
    };
    let agent_of = |id: i64| {
        let listed = listed
            .as_ref()
            .and_then(|l| l.iter().find(|a| a.id == Some(id)).cloned());
        async move {
            match listed {
                Some(a) if !a.roles.is_empty() => Ok(a),
                _ => client.get_agent(id).await,
            }
        }
    };
    let mut ids: Vec<i64> = apps
        .iter()
        .filter_map(|a| a.loginas_agent_id)
        .filter(|i| *i > 0)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    futures::future::join_all(
        ids.iter()
            .map(|id| async move { (*id, agent_of(*id).await) }),
    )
    .await
    .into_iter()
    .collect()
}

/// Every role the agents read hold, each read once.
async fn roles_held(client: &Client, agents: &Agents) -> Roles {
    let mut role_ids: Vec<(String, String)> = agents
        .values()
        .filter_map(|a| a.as_ref().ok())
        .flat_map(|a| a.roles.iter().map(|r| (r.id.clone(), r.name.clone())))
        .collect();
    role_ids.sort();
    role_ids.dedup_by(|a, b| a.0.eq_ignore_ascii_case(&b.0));
    futures::future::join_all(role_ids.into_iter().map(|(id, name)| async move {
        let r = client.get_role(&id).await;
        (id, name, r)
    }))
    .await
}

/// The agent an application logs in as, as read.
fn agent_read(app: &Application, agents: &Agents) -> AgentRead {
    match app.loginas_agent_id.filter(|i| *i > 0) {
        None => AgentRead::None,
        Some(id) => match agents.get(&id) {
            Some(Ok(a)) => AgentRead::Read(Box::new(a.clone())),
            Some(Err(why)) => AgentRead::Unreadable {
                id,
                name: app.loginas_agent_name.clone(),
                why: why.to_string(),
            },
            None => AgentRead::None,
        },
    }
}

/// The roles of an agent read, each as read (or why not).
fn roles_read(agent: &AgentRead, roles: &Roles) -> Vec<RoleRead> {
    let AgentRead::Read(a) = agent else {
        return Vec::new();
    };
    a.roles
        .iter()
        .map(|rr| {
            match roles
                .iter()
                .find(|(id, _, _)| id.eq_ignore_ascii_case(&rr.id))
            {
                Some((_, _, Ok(role))) => RoleRead::Read(role.clone()),
                // Why it could not be read does not change the row: "administrator: unknown".
                Some((_, _, Err(_))) | None => RoleRead::Unreadable {
                    id: rr.id.clone(),
                    name: rr.name.clone(),
                },
            }
        })
        .collect()
}

/// What the setups of this installation say about the applications of the Halo at
/// `resource_url`: which manages which, and what its profile asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Managed {
    /// application id or client id (lower case) → (setup id, the risks its profile asks for).
    by_app: BTreeMap<String, (String, Vec<&'static str>)>,
    /// application ids in a rotation (old and new) → setup id.
    rotating: BTreeMap<String, String>,
}

impl Managed {
    /// From the journal's setups at this Halo.
    pub(crate) fn from_sessions(sessions: &[Session], resource_url: &str) -> Self {
        let norm = |u: &str| u.trim().trim_end_matches('/').to_ascii_lowercase();
        let here = norm(resource_url);
        let mut m = Self::default();
        // Oldest first, so the newest setup of an application wins.
        for s in sessions.iter().rev() {
            if s.endpoint
                .as_ref()
                .is_none_or(|e| norm(&e.resource_url) != here)
            {
                continue;
            }
            if s.status == crate::journal::Status::RolledBack {
                continue;
            }
            let mut asks = Vec::new();
            if s.answers.role.permissions.admin() {
                asks.push("admin-agent");
            }
            if !s.answers.agent.api_only {
                asks.push("person");
            }
            if s.answers.scopes.iter().any(|x| x == "all") {
                asks.push("all-scope");
            }
            if s.answers.scopes.iter().any(|x| x == "admin") {
                asks.push("admin-scope");
            }
            let o = &s.objects;
            for key in [o.application_id.as_deref(), o.client_id.as_deref()]
                .into_iter()
                .flatten()
                .filter(|k| !k.is_empty())
            {
                m.by_app
                    .insert(key.to_ascii_lowercase(), (s.id.clone(), asks.clone()));
            }
            if let Some(r) = &s.rotation {
                m.rotating
                    .insert(r.old_application_id.to_ascii_lowercase(), s.id.clone());
                if let Some(n) = &r.new_application_id {
                    m.rotating.insert(n.to_ascii_lowercase(), s.id.clone());
                    m.by_app
                        .insert(n.to_ascii_lowercase(), (s.id.clone(), asks.clone()));
                }
                m.by_app.insert(
                    r.old_application_id.to_ascii_lowercase(),
                    (s.id.clone(), asks.clone()),
                );
            }
        }
        m
    }

    fn of(&self, app: &Application) -> Option<&(String, Vec<&'static str>)> {
        let id = app.id.as_deref().unwrap_or_default().to_ascii_lowercase();
        self.by_app
            .get(&id)
            .or_else(|| self.by_app.get(&app.client_id.to_ascii_lowercase()))
    }
}

fn access_of(scopes: &[String]) -> &'static str {
    if scopes.iter().any(|s| s == "all") {
        "all"
    } else if scopes.iter().any(|s| {
        s == "admin"
            || s.starts_with("edit:")
            || s.starts_with("editMine:")
            || s.starts_with("admin:")
            || s.starts_with("all:")
    }) {
        "edit"
    } else {
        "read"
    }
}

/// Builds the report: one row per application, its risks, what could not be read.
pub(crate) fn report(
    integrations: &[Integration],
    unread: Vec<String>,
    managed: &Managed,
    this_client_id: &str,
) -> Report {
    let name_key = |a: &Application| a.display_name.trim().to_lowercase();
    let mut named: BTreeMap<String, usize> = BTreeMap::new();
    for i in integrations.iter().filter(|i| !i.app.inactive) {
        *named.entry(name_key(&i.app)).or_default() += 1;
    }
    let mut rows: Vec<Row> = integrations
        .iter()
        .map(|i| {
            row(
                i,
                managed,
                this_client_id,
                named.get(&name_key(&i.app)).copied().unwrap_or(0),
            )
        })
        .collect();
    rows.sort_by(|a, b| {
        b.high()
            .cmp(&a.high())
            .then(a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    let high_risks = rows.iter().map(Row::high).sum();
    Report {
        applications: rows,
        unread,
        high_risks,
    }
}

fn row(i: &Integration, managed: &Managed, this_client_id: &str, same_name: usize) -> Row {
    let app = &i.app;
    let app_id = app.id.clone().unwrap_or_default();
    let scopes = crate::halo::scopes::normalise(&app.scope_names());
    let (agent, agent_unreadable) = agent_info(&i.agent);
    let roles: Vec<RoleInfo> = i
        .roles
        .iter()
        .map(|r| RoleInfo {
            id: r.id().to_string(),
            name: r.name().to_string(),
            administrator: r.admin(),
        })
        .collect();
    let this_audit =
        !this_client_id.is_empty() && app.client_id.eq_ignore_ascii_case(this_client_id.trim());
    let accepted = Acceptance {
        this_audit,
        managed_by: managed.of(app).map(|(id, _)| id.clone()),
        asks: managed.of(app).map_or(&[], |(_, a)| a.as_slice()),
        rotating: managed.rotating.get(&app_id.to_ascii_lowercase()).cloned(),
    };
    let risks = if app.inactive {
        Vec::new()
    } else {
        risks(i, agent.as_ref(), &scopes, same_name, &accepted)
    };
    Row {
        application_id: app_id,
        name: app.display_name.clone(),
        client_id: app.client_id.clone(),
        active: !app.inactive,
        method: app.grant_type.clone(),
        login_type: if app.loginentity == LOGIN_ENTITY_AGENT {
            "agent".into()
        } else {
            format!("other (loginentity {})", app.loginentity)
        },
        agent,
        agent_unreadable,
        roles,
        administrator: i.admin(),
        access: access_of(&scopes),
        scopes,
        managed_by: accepted.managed_by,
        this_audit,
        risks,
    }
}

/// The login agent as the audit shows it, or why it could not be read.
fn agent_info(agent: &AgentRead) -> (Option<AgentInfo>, Option<String>) {
    match agent {
        AgentRead::Read(a) => (
            Some(AgentInfo {
                id: a.id.unwrap_or_default(),
                name: a.name.clone(),
                api_only: a.isapiagent,
                active: !a.isdisabled,
            }),
            None,
        ),
        AgentRead::Unreadable { id, name, why } => (
            None,
            Some(format!("agent {id} '{name}' could not be read: {why}")),
        ),
        AgentRead::None => (None, None),
    }
}

/// Why a risk of one application is accepted: the audit's own credentials, what the managing
/// setup's profile asks for, a rotation in progress.
struct Acceptance<'a> {
    this_audit: bool,
    managed_by: Option<String>,
    /// The risk codes the managing setup's profile asks for.
    asks: &'a [&'static str],
    /// The setup rotating this application.
    rotating: Option<String>,
}

impl Acceptance<'_> {
    fn of(&self, code: &str) -> Option<String> {
        if self.this_audit {
            Some("the bootstrap credentials this audit runs with (they need it to read applications and roles)".into())
        } else if self.asks.contains(&code) {
            Some(format!(
                "the profile of setup {} asks for it",
                self.managed_by.as_deref().unwrap_or("-")
            ))
        } else {
            None
        }
    }
}

/// The risks of an active application, high first.
fn risks(
    i: &Integration,
    agent: Option<&AgentInfo>,
    scopes: &[String],
    same_name: usize,
    accepted: &Acceptance,
) -> Vec<Risk> {
    let app = &i.app;
    let agent_name = agent.map_or_else(|| app.loginas_agent_name.clone(), |a| a.name.clone());
    let mut risks = Vec::new();
    if i.admin() == Some(true) {
        risks.push(Risk {
            level: Level::High,
            code: "admin-agent",
            words: format!(
                "logs in as a HaloPSA Administrator ('{agent_name}'): the vendor can do whatever an administrator can, within the scopes ticked"
            ),
            accepted: accepted.of("admin-agent"),
        });
    }
    if agent.is_some_and(|a| !a.api_only) {
        risks.push(Risk {
            level: Level::High,
            code: "person",
            words: format!(
                "logs in as a person's account ('{agent_name}', not an API-only agent): it can log in to Halo and takes a licence, and the integration breaks or keeps that person's rights when they leave or change role"
            ),
            accepted: accepted.of("person"),
        });
    }
    if scopes.iter().any(|s| s == "all") {
        risks.push(Risk {
            level: Level::Medium,
            code: "all-scope",
            words: "has the 'all' scope: every API area its agent's roles allow".into(),
            accepted: accepted.of("all-scope"),
        });
    }
    if scopes.iter().any(|s| s == "admin") {
        risks.push(Risk {
            level: Level::Medium,
            code: "admin-scope",
            words: "has the 'admin' scope: configuration (roles, agents, applications) where its agent is an administrator".into(),
            accepted: accepted.of("admin-scope"),
        });
    }
    if agent.is_some_and(|a| !a.active) {
        risks.push(Risk {
            level: Level::Medium,
            code: "inactive-agent",
            words: format!(
                "its agent '{agent_name}' is disabled but the application is still active: enabling the agent brings these credentials back; delete the application if nothing uses it"
            ),
            accepted: None,
        });
    }
    if same_name > 1 {
        risks.push(Risk {
            level: Level::Medium,
            code: "duplicate",
            words: format!(
                "{same_name} active applications are named '{}' (one vendor): an older one may be a forgotten credential",
                app.display_name
            ),
            accepted: accepted.rotating.as_ref().map(|s| format!("a rotation of setup {s} is in progress: `halo-onboard rotate --finish {s}` deletes the old one")),
        });
    }
    risks
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
