//! The profile's types as a TOML file spells them: what a vendor needs in Halo and back, and
//! the `[[cite]]` / `[[inferred]]` entries that say where each setting comes from. A leaf: the
//! loading, conversion, validation and provenance modules build on it, the folder's root
//! re-exports it (issue 19: no import circle in `src/profile`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::answers::AgentDetails;
use crate::answers::role::{RoleError, RoleWire};
use crate::halo::dialect::Permissions;
use crate::halo::model::MembershipLevel;

/// Team name that stands for "every team" in [`crate::answers::AgentAnswers::teams`];
/// the plan expands it to all teams of the instance.
pub const ALL_TEAMS: &str = crate::answers::ALL;
/// Department name that stands for "every department" in the answers' department list.
pub const ALL_DEPARTMENTS: &str = crate::answers::ALL;

/// One vendor's integration profile, as a built-in or user TOML file spells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Short lowercase id used on the command line, e.g. `topleft`.
    pub id: String,
    /// Vendor display name.
    pub vendor: String,
    /// One line on what the integration does, for listings (optional).
    #[serde(default)]
    pub summary: String,
    /// URL(s) of the vendor guide(s) this profile follows.
    #[serde(default)]
    pub source: Vec<String>,
    /// How well the vendor's documentation supports this profile.
    pub confidence: Confidence,
    /// Catalogue scope names for the API application.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Least-privilege profile: the wizard asks which areas are read or edited and derives
    /// scopes and role access (see [`least_privilege`](super::least_privilege)). `scopes` must then be empty.
    #[serde(default)]
    pub ask_areas: bool,
    /// What the vendor needs back, in the form it expects.
    #[serde(default)]
    pub handover: Vec<HandoverField>,
    /// Per-field remarks on the hand-over (e.g. "on-premise only").
    #[serde(default)]
    pub handover_notes: BTreeMap<HandoverField, String>,
    /// What the guide leaves unstated and which default the profile uses instead.
    #[serde(default)]
    pub notes: Vec<String>,
    /// The role the vendor's agent needs (`[role]`).
    #[serde(default)]
    pub role: RoleSpec,
    /// The API agent and its memberships (`[agent]`).
    #[serde(default)]
    pub agent: AgentSpec,
    /// The API application (`[application]`).
    #[serde(default)]
    pub application: ApplicationSpec,
    /// Known pitfalls and manual steps the API cannot do.
    #[serde(default)]
    pub traps: Vec<Trap>,
    /// The guide sections that state the settings (see [`Provenance`](super::Provenance)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cite: Vec<Cite>,
    /// The settings no guide states, each with the reason it is set so.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inferred: Vec<Inferred>,
    /// The user file this profile came from; `None` for built-ins.
    #[serde(skip)]
    pub file: Option<std::path::PathBuf>,
}

/// How well the vendor's own documentation supports the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Confidence {
    /// The vendor's current documentation states the scopes and the agent/role settings.
    H,
    /// Vendor documentation, but part is missing or old.
    M,
    /// Inferred or unofficial.
    L,
}

impl Confidence {
    /// The letter as profiles write it and listings show it: `H`, `M` or `L`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::H => "H",
            Self::M => "M",
            Self::L => "L",
        }
    }
}

/// Written as answers files write a role (`answers::role::RoleWire`), with `reuse` for
/// `mode`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RoleWire", into = "RoleWire")]
pub struct RoleSpec {
    /// Name of the role to create.
    pub name: String,
    /// Use this existing role (by name, e.g. "Administrator") instead of creating one.
    pub reuse: Option<String>,
    /// Notes stored on the role in Halo.
    pub notes: String,
    /// The permissions the guide asks for, in Halo's vocabulary: `administrator = true`
    /// ("Is a HaloPSA Administrator"), `[role.access]` (area = level, with the label Halo shows
    /// on that area's own scale, e.g. `clients = "View (Names Only)"`) and `[role.settings]`
    /// (ticket switches, appointments, restrictions, e.g. `add_tickets = true`).
    pub permissions: Permissions,
    /// Role settings the guide asks for that Halo's claim vocabulary cannot express (or the
    /// guide only shows as an image); shown as manual steps on the plan, the hand-over and in
    /// headless output.
    pub other_permissions: Vec<String>,
}

impl TryFrom<RoleWire> for RoleSpec {
    type Error = RoleError;
    fn try_from(w: RoleWire) -> Result<Self, RoleError> {
        if w.mode.is_some() {
            return Err(RoleError::ModeInProfile);
        }
        let permissions = w.permissions().map_err(RoleError::Permissions)?;
        Ok(Self {
            name: w.name,
            reuse: w.reuse,
            notes: w.notes,
            permissions,
            other_permissions: w.other_permissions,
        })
    }
}

impl From<RoleSpec> for RoleWire {
    fn from(r: RoleSpec) -> Self {
        Self {
            reuse: r.reuse,
            ..RoleWire::write(r.name, r.notes, &r.permissions, r.other_permissions)
        }
    }
}

/// The agent of a profile: its plain attributes, spelled as in answers files (the table
/// `answers::agent::ROWS`), and the rules for its memberships. `a.agent.name` reads through to
/// the attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentSpec {
    /// Username, names, flags and work hours, as in an answers file's `[agent]`.
    #[serde(flatten)]
    pub details: AgentDetails,
    /// Roles by name in addition to the profile's role (e.g. "Administrator").
    pub extra_roles: Vec<String>,
    /// The agent's Default Team: none, asked, or named.
    pub default_team: DefaultTeam,
    /// Which teams the agent joins (`[agent.teams]`).
    pub teams: TeamRule,
    /// Which departments the agent joins (`[agent.departments]`).
    pub departments: DepartmentRule,
}

impl std::ops::Deref for AgentSpec {
    type Target = AgentDetails;
    fn deref(&self) -> &AgentDetails {
        &self.details
    }
}

impl std::ops::DerefMut for AgentSpec {
    fn deref_mut(&mut self) -> &mut AgentDetails {
        &mut self.details
    }
}

/// The agent's Default Team.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DefaultTeam {
    /// "No Default Team".
    #[default]
    None,
    /// The guide requires a default team but the name depends on the instance: the wizard asks.
    Ask,
    /// This team, by name.
    Named(String),
}

/// Which teams or departments the agent joins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pick {
    /// No team / department.
    #[default]
    None,
    /// Only the default team (teams only).
    Default,
    /// Every team / department of the instance.
    All,
    /// The guide names no specific ones ("add the target teams"): the wizard asks.
    Ask,
    /// The names listed in `names`.
    Named,
}

/// Which teams the agent joins, and the two visibility switches each gets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TeamRule {
    /// How the teams are chosen.
    pub pick: Pick,
    /// The team names when `pick` is [`Pick::Named`]; otherwise unused.
    pub names: Vec<String>,
    /// "Can see Unassigned Tickets for this Team".
    pub unassigned_access: bool,
    /// "Can see Tickets assigned to other Agents in this Team".
    pub otheragent_access: bool,
}

impl Default for TeamRule {
    fn default() -> Self {
        Self {
            pick: Pick::None,
            names: Vec::new(),
            unassigned_access: true,
            otheragent_access: true,
        }
    }
}

/// Which departments the agent joins, and at what level.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DepartmentRule {
    /// How the departments are chosen ([`Pick::Default`] picks none).
    pub pick: Pick,
    /// The department names when `pick` is [`Pick::Named`]; otherwise unused.
    pub names: Vec<String>,
    /// Halo's membership level in every department joined.
    pub level: MembershipLevel,
}

/// The API application a profile asks for (its scopes are the profile's `scopes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApplicationSpec {
    /// The application's name in Halo (`displayName`).
    pub name: String,
    /// Halo's `description` (optional).
    pub description: String,
    /// Whether the application can sign in; default on.
    pub active: bool,
}

impl Default for ApplicationSpec {
    fn default() -> Self {
        Self {
            name: String::new(),
            description: String::new(),
            active: true,
        }
    }
}

/// A value the vendor needs back, in the exact form it expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverField {
    /// The new application's Client ID.
    ClientId,
    /// The new application's Client Secret (Halo shows it once).
    ClientSecret,
    /// Resource server, full URL with `/api`: `https://acme.halopsa.com/api`.
    ResourceUrl,
    /// Instance URL without `/api`: `https://acme.halopsa.com`.
    BaseUrl,
    /// Host name only, no scheme, no `/api`: `acme.halopsa.com`.
    Hostname,
    /// Subdomain only: `acme`.
    Subdomain,
    /// Authorisation server URL: `https://acme.halopsa.com/auth`.
    AuthUrl,
    /// Authorisation server without scheme: `acme.halopsa.com/auth`.
    AuthHostname,
    /// Tenant from the API Details page.
    Tenant,
    /// Halo id of the new agent.
    AgentId,
}

impl HandoverField {
    /// Every field, in the order hand-overs list them.
    pub const ALL: [HandoverField; 10] = [
        Self::ClientId,
        Self::ClientSecret,
        Self::ResourceUrl,
        Self::BaseUrl,
        Self::Hostname,
        Self::Subdomain,
        Self::AuthUrl,
        Self::AuthHostname,
        Self::Tenant,
        Self::AgentId,
    ];

    /// The field's key in profiles (`handover = [...]`) and hand-over files, e.g. `client_id`.
    pub fn key(self) -> &'static str {
        match self {
            Self::ClientId => "client_id",
            Self::ClientSecret => "client_secret",
            Self::ResourceUrl => "resource_url",
            Self::BaseUrl => "base_url",
            Self::Hostname => "hostname",
            Self::Subdomain => "subdomain",
            Self::AuthUrl => "auth_url",
            Self::AuthHostname => "auth_hostname",
            Self::Tenant => "tenant",
            Self::AgentId => "agent_id",
        }
    }

    /// What the field is called on screen and in hand-over files, e.g. "Client ID".
    pub fn label(self) -> &'static str {
        match self {
            Self::ClientId => "Client ID",
            Self::ClientSecret => "Client Secret",
            Self::ResourceUrl => "Resource server URL (with /api)",
            Self::BaseUrl => "Halo URL (without /api)",
            Self::Hostname => "Host name (no https://, no /api)",
            Self::Subdomain => "Subdomain only",
            Self::AuthUrl => "Authorisation server URL",
            Self::AuthHostname => "Authorisation server (no https://)",
            Self::Tenant => "Tenant",
            Self::AgentId => "Agent ID",
        }
    }

    /// What a value looks like, for `profiles show` (never a real value).
    pub fn example(self) -> &'static str {
        match self {
            Self::ClientId => "a GUID",
            Self::ClientSecret => "shown once by Halo",
            Self::ResourceUrl => "https://acme.halopsa.com/api",
            Self::BaseUrl => "https://acme.halopsa.com",
            Self::Hostname => "acme.halopsa.com",
            Self::Subdomain => "acme",
            Self::AuthUrl => "https://acme.halopsa.com/auth",
            Self::AuthHostname => "acme.halopsa.com/auth",
            Self::Tenant => "acme (blank or \"Not set\" when self-hosted)",
            Self::AgentId => "a number, e.g. 42",
        }
    }

    /// The URL-derived value of this field for an instance, given its resource server URL
    /// (`…/api`) and authorisation server URL. `None` for credentials, tenant and agent id.
    pub fn url_form(self, resource_url: &str, auth_url: &str) -> Option<String> {
        let base = resource_url.trim_end_matches('/');
        let base = base.strip_suffix("/api").unwrap_or(base);
        let no_scheme = |s: &str| {
            s.trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string()
        };
        let auth = auth_url.trim_end_matches('/');
        match self {
            Self::ResourceUrl => Some(format!("{base}/api")),
            Self::BaseUrl => Some(base.to_string()),
            Self::Hostname => Some(no_scheme(base)),
            Self::Subdomain => no_scheme(base).split('.').next().map(str::to_string),
            Self::AuthUrl => Some(auth.to_string()),
            Self::AuthHostname => Some(no_scheme(auth)),
            Self::ClientId | Self::ClientSecret | Self::Tenant | Self::AgentId => None,
        }
    }
}

/// A known pitfall or a manual step the API cannot do, shown on the plan, the hand-over and
/// in headless output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trap {
    /// What to know or do, in the guide's and Halo's words.
    pub text: String,
    /// How much it matters; default [`Severity::Warning`].
    #[serde(default)]
    pub severity: Severity,
}

/// How much a [`Trap`] matters, least first (so they sort).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Good to know, or a follow-up step in the vendor's product.
    Info,
    /// A manual step in Halo, or something that breaks part of the integration.
    #[default]
    Warning,
    /// Gets this wrong and the integration does not work at all.
    Critical,
}

impl Severity {
    /// The word as profiles write it: `info`, `warning` or `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Critical => "critical",
        }
    }
}

impl Profile {
    /// Short scope summary for tables: the scopes, or what the wizard will ask.
    pub fn scopes_summary(&self) -> String {
        if self.ask_areas {
            "(asked: areas read / edited)".into()
        } else if self.scopes.is_empty() {
            "(none)".into()
        } else if self.scopes.len() > 3 {
            format!("{} scopes: {}", self.scopes.len(), self.scopes.join(", "))
        } else {
            self.scopes.join(", ")
        }
    }
}

/// A section of a vendor guide and the settings it states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cite {
    /// The guide: one of the profile's `source` URLs; omitted, the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guide: Option<String>,
    /// The section heading as the guide writes it (with the step, where that helps).
    pub section: String,
    /// What the guide says there, in brief (optional).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub says: String,
    /// The settings this section states, by path.
    pub covers: Vec<String>,
}

/// Settings the guide does not state (or states only in an image), and why the profile sets
/// them as it does. A setting left at a safe default because the guide is silent belongs here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inferred {
    /// Why the profile sets them so, e.g. a safe default where the guide is silent.
    pub reason: String,
    /// The settings, by path (as [`Cite::covers`]).
    pub covers: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms() {
        let r = "https://acme.halopsa.com/api/";
        let a = "https://acme.halopsa.com/auth";
        assert_eq!(
            HandoverField::BaseUrl.url_form(r, a).as_deref(),
            Some("https://acme.halopsa.com")
        );
        assert_eq!(
            HandoverField::ResourceUrl.url_form(r, a).as_deref(),
            Some("https://acme.halopsa.com/api")
        );
        assert_eq!(
            HandoverField::Hostname.url_form(r, a).as_deref(),
            Some("acme.halopsa.com")
        );
        assert_eq!(
            HandoverField::Subdomain.url_form(r, a).as_deref(),
            Some("acme")
        );
        assert_eq!(
            HandoverField::AuthHostname.url_form(r, a).as_deref(),
            Some("acme.halopsa.com/auth")
        );
        assert_eq!(HandoverField::ClientSecret.url_form(r, a), None);
    }
}
