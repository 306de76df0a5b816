//! What the user asked for: everything the wizard collects, a profile pre-fills, an answers file
//! holds and the journal records. Teams, departments, work hours and roles are referred to by
//! name, so answers carry across Halo instances; the plan resolves names to ids.
//! Never holds a secret.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::halo::dialect::{Permissions, PermissionsWire};
use crate::halo::model::MembershipLevel;
use crate::halo::scopes;

pub mod agent;

pub use agent::AgentDetails;

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

impl Answers {
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
#[serde(try_from = "RoleAnswersWire", into = "RoleAnswersWire")]
pub struct RoleAnswers {
    pub mode: RoleMode,
    pub name: String,
    pub notes: String,
    /// The role's permissions in Halo's vocabulary (administrator, area levels, ticket
    /// switches, restrictions).
    pub permissions: Permissions,
    /// Role settings Halo's claim vocabulary cannot express, in Halo's words: manual steps.
    pub other_permissions: Vec<String>,
}

/// How role answers are written: the permissions as `administrator`, `[role.access]` and
/// `[role.settings]` with Halo's labels. Files written before halo-onboard spoke Halo's codes
/// (`is_admin`, `features = { area = "read|edit" }`) still load: they are mapped onto today's
/// areas and levels.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct RoleAnswersWire {
    mode: RoleMode,
    name: String,
    notes: String,
    #[serde(flatten)]
    permissions: PermissionsWire,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    other_permissions: Vec<String>,
    #[serde(skip_serializing)]
    is_admin: bool,
    #[serde(skip_serializing)]
    features: BTreeMap<String, String>,
}

/// What is wrong with an answers file beyond its TOML/JSON syntax (serde reports that).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswersError {
    /// The role's permissions are not in Halo's vocabulary (named from `role.` down).
    #[error("role.{0}")]
    Role(crate::halo::dialect::DialectError),
}

impl TryFrom<RoleAnswersWire> for RoleAnswers {
    type Error = AnswersError;
    fn try_from(w: RoleAnswersWire) -> Result<Self, AnswersError> {
        let permissions = w
            .permissions
            .parse_with_legacy(w.is_admin, &w.features)
            .map_err(AnswersError::Role)?;
        Ok(Self {
            mode: w.mode,
            name: w.name,
            notes: w.notes,
            permissions,
            other_permissions: w.other_permissions,
        })
    }
}

impl From<RoleAnswers> for RoleAnswersWire {
    fn from(r: RoleAnswers) -> Self {
        Self {
            mode: r.mode,
            name: r.name,
            notes: r.notes,
            permissions: PermissionsWire::from_permissions(&r.permissions),
            other_permissions: r.other_permissions,
            is_admin: false,
            features: BTreeMap::new(),
        }
    }
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

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentAnswers {
    /// The plain attributes (`agent::ROWS`): `a.agent.name` reads through to them.
    #[serde(flatten)]
    pub details: AgentDetails,
    /// Extra roles by name, besides the role of the Role step.
    pub extra_roles: Vec<String>,
    /// Default team by name; `None` = "No Default Team".
    pub default_team: Option<String>,
    pub teams: Vec<TeamAnswer>,
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
