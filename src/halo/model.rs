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
    /// The agent's phone number (`Uname.sms`).
    pub sms: String,
    pub isapiagent: bool,
    pub isdisabled: bool,
    /// Default team, by name; empty means "No Default Team".
    pub team: String,
    pub teams: Vec<AgentTeam>,
    pub departments: Vec<AgentDepartment>,
    pub roles: Vec<RoleRef>,
    /// The agent's own permission claims (`Uname.claims`, DB `NHD_UserClaims`); they count
    /// together with its roles' claims.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<Claim>,
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

/// One permission claim (`NHD_Claim`): a Halo claim code and its value, both strings (see
/// `dialect::claims` for the vocabulary).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Claim {
    #[serde(rename = "type")]
    pub claim_type: String,
    pub value: String,
}

// `Role::permissions` and `Role::is_admin` read the claims in Halo's vocabulary, so they live
// in `dialect::claims`: the model stays a leaf the dialect and the client both build on.

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

impl Team {
    /// A team with this id and name (in no department).
    pub fn new(id: i64, name: &str) -> Self {
        Self {
            id: Some(id),
            name: name.into(),
            ..Self::default()
        }
    }
}

impl Department {
    pub fn new(id: i64, name: &str) -> Self {
        Self {
            id: Some(id),
            name: name.into(),
        }
    }
}

impl Workday {
    /// Work hours with this id and name (no timezone).
    pub fn new(id: i64, name: &str) -> Self {
        Self {
            id: Some(id),
            name: name.into(),
            ..Self::default()
        }
    }
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

/// A Halo id as people read it: "id 4", or "none".
pub fn id_words(id: Option<i64>) -> String {
    id.map_or_else(|| "none".into(), |i| format!("id {i}"))
}

/// Grant type Halo stores for "Client ID and Secret (Services)".
pub const GRANT_CLIENT_CREDENTIALS: &str = "client_credentials";
/// `loginentity` value for login type "Agent" [inferred].
pub const LOGIN_ENTITY_AGENT: i64 = 0;

/// An API application (`NHD_Identity_Application`). The id is a string. It has no description
/// or notes property in Halo's published schema, so it carries no marker
/// (`plan::ownership` proves it ours by its Client ID and login agent).
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
    pub inactive: bool,
    pub grant_type: String,
    pub loginentity: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loginas_agent_id: Option<i64>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub loginas_agent_name: String,
    pub scopes: Vec<ScopeRef>,
    /// What Halo reports as the days a new secret stays valid, where it reports it: a field
    /// of the 2026 DB catalogue, not of the API schema (`dialect::fields::REPORTED_ONLY`).
    /// Read as "Halo reports …", never written (the client's bodies never set it).
    #[serde(rename = "apiKeyExpiryDays", skip_serializing_if = "Option::is_none")]
    pub secret_expiry_days: Option<i64>,
    /// What Halo reports as the current secret's expiry (ISO 8601), where it reports it: as
    /// uncertain as `secret_expiry_days`.
    #[serde(rename = "apiKey1ExpiryDate", skip_serializing_if = "String::is_empty")]
    pub secret_expires: String,
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
            .field("secret_expires", &self.secret_expires)
            .finish()
    }
}
