//! What Halo has for a setup, read before anything is planned: the look-ups (roles with their
//! details, teams, departments, workdays, agents, applications) and who the bootstrap
//! credential is. A leaf of `plan`: the apply engine and the session both read it.

use crate::answers::{Answers, RoleMode};
use crate::halo::model::Agent;
use crate::halo::roles::read_roles;
use crate::halo::{AgentQuery, Client, HaloError};
use crate::plan::build::Lookups;

/// Whose objects the look-ups are read for.
#[derive(Debug, Clone, Copy)]
pub enum For<'a> {
    /// Everything the wizard's steps pick from: every agent, the roles' details that confirm
    /// Halo's claim vocabulary.
    Picking,
    /// One setup: the agents with its username (disabled ones too), the roles it names.
    Setup(&'a Answers),
}

/// The roles a setup names (its own, a reused one, extra roles): read with their details.
pub fn wanted_roles(a: &Answers) -> Vec<String> {
    let mut out = vec![a.role.name.trim().to_string()];
    if let RoleMode::Reuse(key) = &a.role.mode {
        out.push(key.clone());
    }
    out.extend(a.agent.extra_roles.iter().cloned());
    out
}

/// Everything the plan needs from Halo, fetched in parallel: the lists in one round trip, the
/// details (claims) of the roles that matter in a second (see
/// [`crate::halo::roles::read_roles`]).
pub async fn lookups(c: &Client, scope: For<'_>) -> Result<Lookups, HaloError> {
    let (q, wanted) = match scope {
        For::Picking => (
            AgentQuery {
                include_api_agents: true,
                ..AgentQuery::default()
            },
            Vec::new(),
        ),
        For::Setup(a) => (
            AgentQuery {
                search: Some(a.agent.name.trim().to_string()),
                include_api_agents: true,
                include_disabled: true,
            },
            wanted_roles(a),
        ),
    };
    let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
    let (roles, teams, departments, workdays, mut agents, applications) = tokio::try_join!(
        read_roles(c, &wanted),
        c.teams(),
        c.departments(),
        c.workdays(),
        c.agents(&q),
        c.applications()
    )?;
    // Ownership of an agent is proven by the roles it holds: where the list left them out,
    // read the agents with the setup's username in full (none on a first apply).
    if let For::Setup(a) = scope {
        let name = a.agent.name.trim();
        let details = agents.iter().enumerate().filter_map(|(i, g)| {
            let wanted = g.roles.is_empty() && g.name.trim().eq_ignore_ascii_case(name);
            let id = g.id.filter(|_| wanted)?;
            Some(async move { (i, c.get_agent(id).await) })
        });
        for (i, got) in futures::future::join_all(details).await {
            agents[i] = got?;
        }
    }
    Ok(Lookups {
        roles,
        teams,
        departments,
        workdays,
        agents,
        applications,
        recorded: Default::default(),
    })
}

/// Who the bootstrap credential is and what Halo has: independent reads, one round trip.
pub async fn survey(c: &Client, scope: For<'_>) -> Result<(Agent, Lookups), HaloError> {
    tokio::try_join!(c.me(), lookups(c, scope))
}
