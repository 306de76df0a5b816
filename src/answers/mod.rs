//! What the user asked for: everything the wizard collects, a profile pre-fills, an answers file
//! holds and the journal records. Teams, departments, work hours and roles are referred to by
//! name, so answers carry across Halo instances; the plan resolves names to ids.
//! Never holds a secret.

#![warn(missing_docs)]

use serde::{Deserialize, Serialize};

use crate::halo::model::MembershipLevel;
use crate::halo::scopes;

pub(crate) mod agent;
pub(crate) mod application;
pub(crate) mod role;

pub use agent::AgentDetails;
pub use application::ApplicationAnswers;
pub use role::{AnswersError, RoleAnswers, RoleMode};

/// A team or department name meaning "every team / department of the instance".
pub const ALL: &str = "*";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
/// One setup's answers, step by step; an answers file (TOML) and the journal hold exactly this.
pub struct Answers {
    /// Profile these answers started from (e.g. "topleft").
    pub profile: Option<String>,
    /// Where the Halo is and the bootstrap application that sets it up (Connect step).
    pub connection: ConnectionAnswers,
    /// The role to create or reuse and its permissions (Role step).
    pub role: RoleAnswers,
    /// The API agent, its teams, departments and extra roles (Agent step).
    pub agent: AgentAnswers,
    /// The API application (Application step); its scopes are [`Answers::scopes`].
    pub application: ApplicationAnswers,
    /// Scope names granted to the application (catalogue names only).
    pub scopes: Vec<String>,
}

impl Answers {
    /// What the application Halo gets is built from (`agent_id`: the agent it logs in as,
    /// 0 while it is not made).
    pub fn application_want(&self, agent_id: i64) -> application::Want<'_> {
        application::Want {
            answers: &self.application,
            agent: &self.agent.name,
            scopes: &self.scopes,
            agent_id,
        }
    }

    /// Ticks or unticks a scope: ticking `edit:X` ticks `read:X`, unticking `read:X` unticks
    /// `edit:X`; a name that is not Halo's is not ticked.
    pub fn toggle_scope(&mut self, name: &str) {
        let v = &mut self.scopes;
        if let Some(pos) = v.iter().position(|s| s == name) {
            v.remove(pos);
            if let Some(area) = name.strip_prefix("read:") {
                let edit = format!("edit:{area}");
                v.retain(|s| *s != edit);
            }
        } else if scopes::is_known(name) {
            v.push(name.to_string());
        }
        *v = scopes::normalise(v);
    }
}

/// How the Halo's address is given: one hosted URL, or on-premise servers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConnectionMode {
    /// One URL, e.g. https://acme.halopsa.com; auth server and tenant discovered.
    #[default]
    Hosted,
    /// Separate resource server, authorisation server and tenant.
    OnPremise,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
/// The Connect step: which Halo, and which bootstrap application signs in to it.
pub struct ConnectionAnswers {
    /// Which of the address fields below are used.
    pub mode: ConnectionMode,
    /// Hosted: the Halo URL.
    pub url: String,
    /// On-premise: resource server (…/api).
    pub resource_url: String,
    /// On-premise: authorisation server (…/auth).
    pub auth_url: String,
    /// On-premise: the tenant added to token requests; empty: none.
    pub tenant: String,
    /// Bootstrap application client id (the secret is never stored).
    pub client_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
/// A team the agent joins, with the two visibility switches of Halo's agent Teams tab.
pub struct TeamAnswer {
    /// The team's name in Halo (resolved to its id by the plan), or [`ALL`] for every team.
    pub name: String,
    /// "Can see Unassigned Tickets for this Team".
    pub unassigned_access: bool,
    /// "Can see Tickets assigned to other Agents in this Team".
    pub otheragent_access: bool,
}

impl Default for TeamAnswer {
    fn default() -> Self {
        Self {
            name: String::new(),
            unassigned_access: true,
            otheragent_access: true,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
/// A department the agent joins, and at what level.
pub struct DepartmentAnswer {
    /// The department's name in Halo (resolved to its id by the plan), or [`ALL`] for every
    /// department.
    pub name: String,
    /// Halo's membership level (`membershiplevel`): member, view all, modify all.
    pub level: MembershipLevel,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
/// The Agent step: the API agent's attributes and memberships. Derefs to [`AgentDetails`].
pub struct AgentAnswers {
    /// The plain attributes (`agent::ROWS`): `a.agent.name` reads through to them.
    #[serde(flatten)]
    pub details: AgentDetails,
    /// Extra roles by name, besides the role of the Role step.
    pub extra_roles: Vec<String>,
    /// Default team by name; `None` = "No Default Team".
    pub default_team: Option<String>,
    /// Teams the agent joins; empty: none.
    pub teams: Vec<TeamAnswer>,
    /// Departments the agent joins; empty: none.
    pub departments: Vec<DepartmentAnswer>,
}

impl std::ops::Deref for AgentAnswers {
    type Target = AgentDetails;
    fn deref(&self) -> &AgentDetails {
        &self.details
    }
}

impl std::ops::DerefMut for AgentAnswers {
    fn deref_mut(&mut self) -> &mut AgentDetails {
        &mut self.details
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_permissions_round_trip_with_halo_labels() {
        let mut a = Answers::default();
        a.role.name = "R".into();
        a.role
            .permissions
            .set_labels("tickets", "Read and Modify")
            .unwrap();
        a.role.permissions.set_labels("add_tickets", "Yes").unwrap();
        let text = toml::to_string(&a).unwrap();
        assert!(text.contains("tickets = \"Read and Modify\""), "{text}");
        assert!(
            !text.contains("is_admin") && !text.contains("features"),
            "{text}"
        );
        let back: Answers = toml::from_str(&text).unwrap();
        assert_eq!(back, a);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Answers>(&json).unwrap(), a);
    }

    /// Journals and answers files written before halo-onboard spoke Halo's codes still load.
    #[test]
    fn old_is_admin_and_features_still_load() {
        let old = r#"{"role":{"mode":{"kind":"create"},"name":"R","notes":"","is_admin":true,"features":{"tickets":"edit","assets":"read"}}}"#;
        let a: Answers = serde_json::from_str(old).unwrap();
        assert!(a.role.permissions.admin());
        assert_eq!(
            a.role.permissions.get("Tx").unwrap().label,
            "Read and Modify"
        );
        assert_eq!(a.role.permissions.get("Dx").unwrap().label, "Read Only");
        let bad = r#"{"role":{"access":{"tickets":"View (Names Only)"}}}"#;
        let e = serde_json::from_str::<Answers>(bad)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("role.access.tickets") && e.contains("Read and Modify"),
            "{e}"
        );
    }
}
