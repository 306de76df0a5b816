//! What the user asked for: everything the wizard collects, a profile pre-fills, an answers file
//! holds and the journal records. Teams, departments, work hours and roles are referred to by
//! name, so answers carry across Halo instances; the plan resolves names to ids.
//! Never holds a secret.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::halo::model::{Access, MembershipLevel};

/// A team or department name meaning "every team / department of the instance".
pub const ALL: &str = "*";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Answers {
    /// Profile these answers started from (e.g. "topleft").
    pub profile: Option<String>,
    pub connection: ConnectionAnswers,
    pub role: RoleAnswers,
    pub agent: AgentAnswers,
    pub application: ApplicationAnswers,
    /// Scope names granted to the application (catalogue names only).
    pub scopes: Vec<String>,
}

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
pub struct ConnectionAnswers {
    pub mode: ConnectionMode,
    /// Hosted: the Halo URL.
    pub url: String,
    /// On-premise: resource server (…/api), authorisation server (…/auth), tenant.
    pub resource_url: String,
    pub auth_url: String,
    pub tenant: String,
    /// Bootstrap application client id (the secret is never stored).
    pub client_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "id")]
pub enum RoleMode {
    /// Create a new role named `RoleAnswers::name`.
    #[default]
    Create,
    /// Reuse the existing role with this id or name.
    Reuse(String),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoleAnswers {
    pub mode: RoleMode,
    pub name: String,
    pub notes: String,
    /// "Is a HaloPSA Administrator".
    pub is_admin: bool,
    /// Feature access per area key (`scopes::AREAS[].key`); missing = No Access.
    pub features: BTreeMap<String, Access>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TeamAnswer {
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
pub struct DepartmentAnswer {
    pub name: String,
    pub level: MembershipLevel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentAnswers {
    /// Username (Halo's `name`).
    pub name: String,
    pub firstname: String,
    pub surname: String,
    /// At most 3 characters.
    pub initials: String,
    pub email: String,
    pub active: bool,
    pub api_only: bool,
    /// Extra roles by name, besides the role of the Role step.
    pub extra_roles: Vec<String>,
    /// Default team by name; `None` = "No Default Team".
    pub default_team: Option<String>,
    pub teams: Vec<TeamAnswer>,
    pub departments: Vec<DepartmentAnswer>,
    /// Work hours by name, e.g. "Default Working Hours" or "24 Hours".
    pub workday: String,
    pub can_approve_purchaseorder: bool,
    pub can_approve_invoice: bool,
}

impl Default for AgentAnswers {
    fn default() -> Self {
        Self {
            name: String::new(),
            firstname: String::new(),
            surname: String::new(),
            initials: String::new(),
            email: String::new(),
            active: true,
            api_only: true,
            extra_roles: Vec::new(),
            default_team: None,
            teams: Vec::new(),
            departments: Vec::new(),
            workday: "Default Working Hours".into(),
            can_approve_purchaseorder: false,
            can_approve_invoice: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationAnswers {
    pub name: String,
    pub description: String,
    pub active: bool,
    /// Agent to log in as, by username; `None` = the agent of the Agent step.
    pub login_agent: Option<String>,
}

impl Default for ApplicationAnswers {
    fn default() -> Self {
        Self {
            name: String::new(),
            description: String::new(),
            active: true,
            login_agent: None,
        }
    }
}
