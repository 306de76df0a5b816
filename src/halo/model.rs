//! Typed Halo objects. Every struct is `#[serde(default)]` and ignores unknown fields, because the
//! real API returns hundreds of fields per object and omits many on list endpoints.
//! Ids are `Option` so that a create (no `id`) and an update (`id`) serialise as Halo expects.

use serde::{Deserialize, Serialize};

fn is_false(b: &bool) -> bool {
    !*b
}

/// An agent (`Uname`). `name` is the username shown in Halo's UI.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Agent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub name: String,
    pub firstname: String,
    pub surname: String,
    pub initials: String,
    pub email: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub notes: String,
    pub isapiagent: bool,
    pub isdisabled: bool,
    pub is_admin: bool,
    /// Default team, by name; empty means "No Default Team".
    pub team: String,
    pub teams: Vec<AgentTeam>,
    pub departments: Vec<AgentDepartment>,
    pub roles: Vec<RoleRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workday_id: Option<i64>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub workday_name: String,
    pub can_approve_purchaseorder: bool,
    pub can_approve_invoice: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub colour: String,
}

/// Team membership of an agent (`UnameSection`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentTeam {
    pub team_id: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub team_name: String,
    /// "Can see Unassigned Tickets for this Team".
    pub unassigned_access: bool,
    /// "Can see Tickets assigned to other Agents in this Team".
    pub otheragent_access: bool,
}

/// Department membership of an agent (`UnameDepartment`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentDepartment {
    pub department_id: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub department_name: String,
    /// Membership level as Halo numbers it (see [`MembershipLevel`]).
    pub membershiplevel: i64,
}

/// Department membership level. The numeric encoding is inferred, so the client reads back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum MembershipLevel {
    #[default]
    ViewAll,
    ModifyAll,
    Member,
}

impl MembershipLevel {
    pub const ALL: [MembershipLevel; 3] = [Self::Member, Self::ViewAll, Self::ModifyAll];
    pub fn code(self) -> i64 {
        match self {
            Self::Member => 0,
            Self::ViewAll => 1,
            Self::ModifyAll => 2,
        }
    }
    pub fn from_code(c: i64) -> Self {
        match c {
            2 => Self::ModifyAll,
            0 => Self::Member,
            _ => Self::ViewAll,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Member => "Member",
            Self::ViewAll => "View All",
            Self::ModifyAll => "Modify All",
        }
    }
}

/// A role reference inside an agent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoleRef {
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
}

/// A role (`NHD_Roles`). The id is a GUID string; permissions are claims.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Role {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_int: Option<i64>,
    pub name: String,
    pub notes: String,
    pub claims: Vec<Claim>,
}

/// One permission claim of a role. Halo's vocabulary is undocumented; the client learns it by
/// reading the built-in Administrator role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Claim {
    #[serde(rename = "type")]
    pub claim_type: String,
    pub value: String,
}

/// Claim type used for "Is a HaloPSA Administrator" [inferred].
pub const CLAIM_IS_ADMIN: &str = "is_admin";

impl Role {
    pub fn is_admin(&self) -> bool {
        self.claims
            .iter()
            .any(|c| c.claim_type == CLAIM_IS_ADMIN && c.value.eq_ignore_ascii_case("true"))
    }
}

/// A team (`SectionDetail`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Team {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub name: String,
    pub department_id: i64,
    #[serde(skip_serializing_if = "is_false")]
    pub inactive: bool,
}

/// A department (`Tree`, served at `/api/TopLevel`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Department {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub name: String,
}

/// Work hours (`Workdays`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Workday {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub name: String,
    pub timezone: String,
}

/// One scope row of an application.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScopeRef {
    pub name: String,
}

/// Grant type Halo stores for "Client ID and Secret (Services)".
pub const GRANT_CLIENT_CREDENTIALS: &str = "client_credentials";
/// `loginentity` value for login type "Agent" [inferred].
pub const LOGIN_ENTITY_AGENT: i64 = 0;

/// An API application (`NHD_Identity_Application`). The id is a string.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Application {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "clientId")]
    pub client_id: String,
    /// Only ever sent on create or secret regeneration; Halo never returns it on GET.
    #[serde(rename = "clientSecret", skip_serializing_if = "String::is_empty")]
    pub client_secret: String,
    #[serde(rename = "displayName")]
    pub display_name: String,
    pub description: String,
    pub inactive: bool,
    pub grant_type: String,
    pub loginentity: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loginas_agent_id: Option<i64>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub loginas_agent_name: String,
    pub scopes: Vec<ScopeRef>,
}

impl Application {
    pub fn scope_names(&self) -> Vec<String> {
        self.scopes.iter().map(|s| s.name.clone()).collect()
    }
}

/// Debug never prints the secret, so an application can be logged or appear in a panic safely.
impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("id", &self.id)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &if self.client_secret.is_empty() {
                    ""
                } else {
                    "[redacted]"
                },
            )
            .field("display_name", &self.display_name)
            .field("inactive", &self.inactive)
            .field("grant_type", &self.grant_type)
            .field("loginas_agent_id", &self.loginas_agent_id)
            .field("scopes", &self.scope_names())
            .finish()
    }
}

/// Feature access level of a role for one area (UI: "No Access", "Read Only", "Read and Modify").
/// Encoded as a claim `feature:<area key>` = `none|read|edit` [inferred encoding; read back].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    #[default]
    None,
    Read,
    Edit,
}

impl Access {
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "No Access",
            Self::Read => "Read Only",
            Self::Edit => "Read and Modify",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Read => "read",
            Self::Edit => "edit",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "no access" => Some(Self::None),
            "read" | "read only" | "ro" => Some(Self::Read),
            "edit" | "read and modify" | "rm" => Some(Self::Edit),
            _ => None,
        }
    }
}

/// Claim type prefix for per-area feature access.
pub const CLAIM_FEATURE_PREFIX: &str = "feature:";

impl Role {
    /// Feature access for an area key (see `scopes::AREAS`); administrators have `Edit` everywhere.
    pub fn access(&self, area: &str) -> Access {
        if self.is_admin() {
            return Access::Edit;
        }
        self.claims
            .iter()
            .find(|c| c.claim_type.strip_prefix(CLAIM_FEATURE_PREFIX) == Some(area))
            .and_then(|c| Access::parse(&c.value))
            .unwrap_or(Access::None)
    }
}
