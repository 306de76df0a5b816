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
    /// Halo's agent id (`Uname.id`); `None` on a create, set on anything read from Halo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The agent's username, unique in Halo and shown as the agent's name in its UI.
    pub name: String,
    /// First name (`Uname.firstname`).
    pub firstname: String,
    /// Surname (`Uname.surname`).
    pub surname: String,
    /// Initials Halo shows on tickets (`Uname.initials`).
    pub initials: String,
    /// Email address (`Uname.email`).
    pub email: String,
    /// The agent's phone number (`Uname.sms`).
    pub sms: String,
    /// `Uname.isapiagent`, "Is an API-only Agent": takes no licence and cannot log in to Halo's
    /// web or mobile apps.
    pub isapiagent: bool,
    /// `Uname.isdisabled`: the agent cannot log in or be used by an application.
    pub isdisabled: bool,
    /// Default team, by name; empty means "No Default Team".
    pub team: String,
    /// Teams the agent belongs to, each with its ticket visibility flags.
    pub teams: Vec<AgentTeam>,
    /// Departments the agent belongs to, each with a membership level.
    pub departments: Vec<AgentDepartment>,
    /// Roles the agent holds; their claims grant its permissions.
    pub roles: Vec<RoleRef>,
    /// The agent's own permission claims (`Uname.claims`, DB `NHD_UserClaims`); they count
    /// together with its roles' claims.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<Claim>,
    /// Work hours id (`Uname.workday_id`); `None` leaves Halo's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workday_id: Option<i64>,
    /// Work hours name as Halo reports it; never sent (empty is skipped).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub workday_name: String,
    /// `Uname.can_approve_purchaseorder`: may approve purchase orders.
    pub can_approve_purchaseorder: bool,
    /// `Uname.can_approve_invoice`: may approve invoices.
    pub can_approve_invoice: bool,
    /// Colour Halo shows for the agent (`Uname.colour`); empty leaves Halo's default.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub colour: String,
}

/// Team membership of an agent (`UnameSection`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentTeam {
    /// Id of the team (`SectionDetail.id`).
    pub team_id: i64,
    /// Team name as Halo reports it; not needed on a write.
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
    /// Id of the department (`Tree.id`).
    pub department_id: i64,
    /// Department name as Halo reports it; not needed on a write.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub department_name: String,
    /// Membership level as Halo numbers it (see [`MembershipLevel`]).
    pub membershiplevel: i64,
}

/// Department membership level. The numeric encoding is inferred, so the client reads back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum MembershipLevel {
    /// "View All": sees the department's tickets (our guess at code 1).
    #[default]
    ViewAll,
    /// "Modify All": may change the department's tickets (our guess at code 2).
    ModifyAll,
    /// Plain member (our guess at code 0).
    Member,
}

impl MembershipLevel {
    /// Every level, in the order a picker offers them.
    pub const ALL: [MembershipLevel; 3] = [Self::Member, Self::ViewAll, Self::ModifyAll];
    /// The number sent as `membershiplevel` (inferred, see the type).
    pub fn code(self) -> i64 {
        match self {
            Self::Member => 0,
            Self::ViewAll => 1,
            Self::ModifyAll => 2,
        }
    }
    /// The level a `membershiplevel` number means; unknown numbers read as View All.
    pub fn from_code(c: i64) -> Self {
        match c {
            2 => Self::ModifyAll,
            0 => Self::Member,
            _ => Self::ViewAll,
        }
    }
    /// The level's name in Halo's UI.
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
    /// The role's GUID (`NHD_Roles.id`).
    pub id: String,
    /// The role's name as Halo reports it; not needed on a write.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
}

/// A role (`NHD_Roles`). The id is a GUID string; permissions are claims.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Role {
    /// The role's GUID (`NHD_Roles.id`); `None` on a create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Halo's integer id for the role (`id_int`), alongside the GUID; only ever read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_int: Option<i64>,
    /// Role name as Halo's Roles list shows it.
    pub name: String,
    /// Role notes; setups we create carry our ownership marker here.
    pub notes: String,
    /// The role's permission claims, which together are its permissions.
    pub claims: Vec<Claim>,
}

/// One permission claim (`NHD_Claim`): a Halo claim code and its value, both strings (see
/// `dialect::claims` for the vocabulary).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Claim {
    /// The claim code (`type`), such as `SA` or `Tx`.
    #[serde(rename = "type")]
    pub claim_type: String,
    /// The claim's value; its meaning (access level, yes/no) depends on the code.
    pub value: String,
}

// `Role::permissions` and `Role::is_admin` read the claims in Halo's vocabulary, so they live
// in `dialect::claims`: the model stays a leaf the dialect and the client both build on.

/// A team (`SectionDetail`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Team {
    /// Halo's team id (`SectionDetail.id`); `None` on a create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Team name as Halo's UI shows it.
    pub name: String,
    /// Department the team belongs to (`SectionDetail.department_id`).
    pub department_id: i64,
    /// `SectionDetail.inactive`: a retired team; omitted from bodies when false.
    #[serde(skip_serializing_if = "is_false")]
    pub inactive: bool,
}

/// A department (`Tree`, served at `/api/TopLevel`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Department {
    /// Halo's department id (`Tree.id`); `None` on a create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Department name.
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
    /// A department with this id and name.
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
    /// Halo's work hours id (`Workdays.id`); `None` on a create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Name of the work hours shown in Halo's UI.
    pub name: String,
    /// Timezone of the work hours as Halo names it; empty when Halo reports none.
    pub timezone: String,
}

/// One scope row of an application.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScopeRef {
    /// The scope name, such as `all` or `read:tickets`.
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
    /// Halo's application id (a string); `None` on a create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The Client ID Halo generates for the application; the token request sends it.
    #[serde(rename = "clientId")]
    pub client_id: String,
    /// Only ever sent on create or secret regeneration; Halo never returns it on GET.
    #[serde(rename = "clientSecret", skip_serializing_if = "String::is_empty")]
    pub client_secret: String,
    /// Application name shown in Halo's UI (`displayName`).
    #[serde(rename = "displayName")]
    pub display_name: String,
    /// `inactive`: the application is switched off in Halo ("Active" unticked).
    pub inactive: bool,
    /// How the application obtains tokens; ours is [`GRANT_CLIENT_CREDENTIALS`].
    pub grant_type: String,
    /// Which kind of account the application logs in as (`loginentity`); see [`LOGIN_ENTITY_AGENT`].
    pub loginentity: i64,
    /// Agent the application acts as (`loginas_agent_id`) when it logs in as an agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loginas_agent_id: Option<i64>,
    /// Name of that agent as Halo reports it; never sent.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub loginas_agent_name: String,
    /// Permission scopes granted to the application's tokens.
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
    /// The scope names, in Halo's order.
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
