//! What Halo shows about its API integrations, read-only: each application, the agent it logs
//! in as, that agent's roles with their permissions. Reads that fail are kept as what could not
//! be read (an audit says so; nothing is guessed). Used by `audit`, `adopt` and `tighten`.

use crate::halo::dialect::Permissions;
use crate::halo::model::{Agent, Application, Role};
use crate::halo::{Client, HaloError};

/// A role of an agent: read with its permissions, or why not.
#[derive(Debug, Clone)]
pub(crate) enum RoleRead {
    Read(Role),
    Unreadable { id: String, name: String },
}

impl RoleRead {
    pub(crate) fn id(&self) -> &str {
        match self {
            Self::Read(r) => r.id.as_deref().unwrap_or_default(),
            Self::Unreadable { id, .. } => id,
        }
    }
    pub(crate) fn name(&self) -> &str {
        match self {
            Self::Read(r) => &r.name,
            Self::Unreadable { name, .. } => name,
        }
    }
    /// "Is a HaloPSA Administrator"; `None` when the role could not be read.
    pub(crate) fn admin(&self) -> Option<bool> {
        match self {
            Self::Read(r) => Some(r.is_admin()),
            Self::Unreadable { .. } => None,
        }
    }
}

/// The agent an application logs in as: read, or why not.
#[derive(Debug, Clone)]
pub(crate) enum AgentRead {
    Read(Box<Agent>),
    /// The application names no agent to log in as.
    None,
    Unreadable {
        id: i64,
        name: String,
        why: String,
    },
}

/// One integration as Halo shows it.
#[derive(Debug, Clone)]
pub(crate) struct Integration {
    pub app: Application,
    pub agent: AgentRead,
    pub roles: Vec<RoleRead>,
}

impl Integration {
    pub(crate) fn agent(&self) -> Option<&Agent> {
        match &self.agent {
            AgentRead::Read(a) => Some(a),
            _ => None,
        }
    }

    /// The agent's permissions: its own claims and every readable role's.
    pub(crate) fn permissions(&self) -> Permissions {
        let mut p = self
            .agent()
            .map(|a| Permissions::from_claims(&a.claims))
            .unwrap_or_default();
        for r in &self.roles {
            if let RoleRead::Read(role) = r {
                p.merge(&role.permissions());
            }
        }
        p
    }

    /// Is the login agent a HaloPSA Administrator (its own claims or a role)? `None` when that
    /// cannot be told: a role could not be read and none read says so.
    pub(crate) fn admin(&self) -> Option<bool> {
        let agent = self.agent()?;
        if Permissions::from_claims(&agent.claims).admin() {
            return Some(true);
        }
        let mut unknown = false;
        for r in &self.roles {
            match r.admin() {
                Some(true) => return Some(true),
                Some(false) => {}
                None => unknown = true,
            }
        }
        (!unknown).then_some(false)
    }
}

/// Reads the roles `agent` holds, with their details; one that cannot be read is kept as such.
pub(crate) async fn roles_of(client: &Client, agent: &Agent) -> Vec<RoleRead> {
    let reads = agent.roles.iter().map(|r| async move {
        match client.get_role(&r.id).await {
            Ok(role) => RoleRead::Read(role),
            Err(_) => RoleRead::Unreadable {
                id: r.id.clone(),
                name: r.name.clone(),
            },
        }
    });
    futures::future::join_all(reads).await
}

/// Reads one application and the agent it logs in as, with that agent's roles. The
/// application must be readable; the rest is kept as what could not be read.
pub(crate) async fn integration(
    client: &Client,
    application_id: &str,
) -> Result<Integration, HaloError> {
    let app = client.get_application(application_id).await?;
    Ok(around(client, app).await)
}

/// The agent and roles around an application already read.
pub(crate) async fn around(client: &Client, app: Application) -> Integration {
    let agent = match app.loginas_agent_id.filter(|i| *i > 0) {
        None => AgentRead::None,
        Some(id) => match client.get_agent(id).await {
            Ok(a) => AgentRead::Read(Box::new(a)),
            Err(e) => AgentRead::Unreadable {
                id,
                name: app.loginas_agent_name.clone(),
                why: e.to_string(),
            },
        },
    };
    let roles = match &agent {
        AgentRead::Read(a) => roles_of(client, a).await,
        _ => Vec::new(),
    };
    Integration { app, agent, roles }
}

/// The agents (of `agents`) that hold role `role_id`.
pub(crate) fn holders<'a>(agents: &'a [Agent], role_id: &str) -> Vec<&'a Agent> {
    agents
        .iter()
        .filter(|a| a.roles.iter().any(|r| r.id.eq_ignore_ascii_case(role_id)))
        .collect()
}
