//! The focusable fields of each step, what kind of widget each is, and how text fields map onto
//! `Answers`. The field list is computed from the model (e.g. on-premise shows three URL fields),
//! so focus is an index into `fields(model, step)`.

use crate::answers::{Answers, ConnectionMode, RoleMode as AnswerRoleMode};
use crate::halo::dialect::ClaimDef;
use crate::halo::dialect::claims;
use crate::halo::scopes;

use super::model::{Model, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    // Connect
    /// Opens the profile picker.
    Profile,
    Mode,
    Url,
    ResourceUrl,
    AuthUrl,
    Tenant,
    ClientId,
    ClientSecret,
    TestButton,
    // Role
    RoleMode,
    RolePick,
    RoleName,
    RoleNotes,
    RoleAdmin,
    /// Index into [`feature_areas`]: a Feature Access area or a role setting (ticket switch,
    /// appointments, restriction), each with its own Halo scale.
    RoleFeature(usize),
    // Agent
    AgentName,
    FirstName,
    Surname,
    Initials,
    Email,
    Active,
    ApiOnly,
    DefaultTeam,
    /// Index into the Halo teams lookup.
    Team(usize),
    TeamUnassigned(usize),
    TeamOthers(usize),
    /// Index into the Halo departments lookup.
    Department(usize),
    Workday,
    ApprovePo,
    ApproveInvoice,
    // Application
    AppName,
    AppDescription,
    AppActive,
    LoginAgent,
    // Permissions: index into `scopes::all_names()`.
    Scope(usize),
    // Submit
    ApplyButton,
    /// The log pane, as the last focus stop while it is shown.
    LogPane,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Secret,
    Toggle,
    Choice,
    Button,
    Log,
}

impl Field {
    pub fn kind(self) -> Kind {
        use Field::*;
        match self {
            Url | ResourceUrl | AuthUrl | Tenant | ClientId | RoleName | RoleNotes | AgentName
            | FirstName | Surname | Initials | Email | AppName | AppDescription => Kind::Text,
            ClientSecret => Kind::Secret,
            RoleAdmin | Active | ApiOnly | Team(_) | TeamUnassigned(_) | TeamOthers(_)
            | ApprovePo | ApproveInvoice | AppActive | Scope(_) => Kind::Toggle,
            Mode | RoleMode | RolePick | RoleFeature(_) | DefaultTeam | Department(_) | Workday
            | LoginAgent => Kind::Choice,
            Profile | TestButton | ApplyButton => Kind::Button,
            LogPane => Kind::Log,
        }
    }

    /// Typing goes into the field (so letters are not shortcuts).
    pub fn takes_text(self) -> bool {
        matches!(self.kind(), Kind::Text | Kind::Secret)
    }

    /// Every text field, to build the inputs from answers.
    pub const TEXT: [Field; 14] = [
        Field::Url,
        Field::ResourceUrl,
        Field::AuthUrl,
        Field::Tenant,
        Field::ClientId,
        Field::RoleName,
        Field::RoleNotes,
        Field::AgentName,
        Field::FirstName,
        Field::Surname,
        Field::Initials,
        Field::Email,
        Field::AppName,
        Field::AppDescription,
    ];
}

/// The role permissions the Role step offers: every Feature Access area (Users and Projects
/// included), then the other settings in Halo's order (ticket switches, appointments,
/// restrictions, other rights). "Is a HaloPSA Administrator" has its own toggle.
pub fn feature_areas() -> impl Iterator<Item = &'static ClaimDef> {
    claims::areas().chain(claims::settings())
}

pub fn feature_area(i: usize) -> Option<&'static ClaimDef> {
    feature_areas().nth(i)
}

pub fn scope_name(i: usize) -> Option<&'static str> {
    scopes::all_names().nth(i)
}

/// The focusable fields of `step`, top to bottom.
pub fn fields(m: &Model, step: Step) -> Vec<Field> {
    use Field::*;
    let mut v = Vec::new();
    match step {
        Step::Connect => {
            v.extend([Profile, Mode]);
            match m.answers.connection.mode {
                ConnectionMode::Hosted => v.push(Url),
                ConnectionMode::OnPremise => v.extend([ResourceUrl, AuthUrl, Tenant]),
            }
            v.extend([ClientId, ClientSecret, TestButton]);
        }
        Step::Role => {
            v.push(RoleMode);
            match m.answers.role.mode {
                AnswerRoleMode::Create => {
                    v.extend([RoleName, RoleNotes, RoleAdmin]);
                    v.extend((0..feature_areas().count()).map(RoleFeature));
                }
                AnswerRoleMode::Reuse(_) => v.push(RolePick),
            }
        }
        Step::Agent => {
            v.extend([
                AgentName,
                FirstName,
                Surname,
                Initials,
                Email,
                Active,
                ApiOnly,
                DefaultTeam,
            ]);
            for (i, t) in m.lookups.teams.iter().enumerate() {
                v.push(Team(i));
                if m.team_answer(&t.name).is_some() {
                    v.extend([TeamUnassigned(i), TeamOthers(i)]);
                }
            }
            v.extend((0..m.lookups.departments.len()).map(Department));
            v.extend([Workday, ApprovePo, ApproveInvoice]);
        }
        Step::Application => v.extend([AppName, AppDescription, AppActive, LoginAgent]),
        Step::Permissions => v.extend((0..scopes::all_names().count()).map(Scope)),
        Step::Submit => v.push(ApplyButton),
    }
    if m.log_visible {
        v.push(LogPane);
    }
    v
}

/// The answer a text field edits.
pub fn text_of(a: &Answers, f: Field) -> Option<&str> {
    use Field::*;
    Some(match f {
        Url => &a.connection.url,
        ResourceUrl => &a.connection.resource_url,
        AuthUrl => &a.connection.auth_url,
        Tenant => &a.connection.tenant,
        ClientId => &a.connection.client_id,
        RoleName => &a.role.name,
        RoleNotes => &a.role.notes,
        AgentName => &a.agent.name,
        FirstName => &a.agent.firstname,
        Surname => &a.agent.surname,
        Initials => &a.agent.initials,
        Email => &a.agent.email,
        AppName => &a.application.name,
        AppDescription => &a.application.description,
        _ => return None,
    })
}

/// Stores a text field's value into the answers, trimmed (non-ASCII kept as typed).
pub fn set_text(a: &mut Answers, f: Field, value: &str) {
    use Field::*;
    let v = value.trim().to_string();
    let slot = match f {
        Url => &mut a.connection.url,
        ResourceUrl => &mut a.connection.resource_url,
        AuthUrl => &mut a.connection.auth_url,
        Tenant => &mut a.connection.tenant,
        ClientId => &mut a.connection.client_id,
        RoleName => &mut a.role.name,
        RoleNotes => &mut a.role.notes,
        AgentName => &mut a.agent.name,
        FirstName => &mut a.agent.firstname,
        Surname => &mut a.agent.surname,
        Initials => &mut a.agent.initials,
        Email => &mut a.agent.email,
        AppName => &mut a.application.name,
        AppDescription => &mut a.application.description,
        _ => return,
    };
    *slot = v;
}

/// Label shown left of the field.
pub fn label(m: &Model, f: Field) -> String {
    use Field::*;
    match f {
        Profile => "Profile".into(),
        Mode => "Halo hosting".into(),
        Url => "Halo URL".into(),
        ResourceUrl => "Resource server".into(),
        AuthUrl => "Authorisation server".into(),
        Tenant => "Tenant".into(),
        ClientId => "Bootstrap client ID".into(),
        ClientSecret => "Client secret".into(),
        TestButton => "Test connection".into(),
        RoleMode => "Role".into(),
        RolePick => "Existing role".into(),
        RoleName => "Role name".into(),
        RoleNotes => "Notes".into(),
        RoleAdmin => "Is a HaloPSA Administrator".into(),
        RoleFeature(i) => feature_area(i).map(|a| a.label).unwrap_or("?").into(),
        AgentName => "Username".into(),
        FirstName => "First name".into(),
        Surname => "Last name".into(),
        Initials => "Initials".into(),
        Email => "Email".into(),
        Active => "Active".into(),
        ApiOnly => "API-only agent".into(),
        DefaultTeam => "Default team".into(),
        Team(i) => format!(
            "Team {}",
            m.lookups
                .teams
                .get(i)
                .map(|t| t.name.as_str())
                .unwrap_or("?")
        ),
        TeamUnassigned(_) => "  can see unassigned tickets".into(),
        TeamOthers(_) => "  can see other agents' tickets".into(),
        Department(i) => format!(
            "Department {}",
            m.lookups
                .departments
                .get(i)
                .map(|d| d.name.as_str())
                .unwrap_or("?")
        ),
        Workday => "Work hours".into(),
        ApprovePo => "Can approve purchase orders".into(),
        ApproveInvoice => "Can approve invoices".into(),
        AppName => "Application name".into(),
        AppDescription => "Description".into(),
        AppActive => "Active".into(),
        LoginAgent => "Agent to log in as".into(),
        Scope(i) => scope_name(i).unwrap_or("?").into(),
        ApplyButton => "Apply".into(),
        LogPane => "Log".into(),
    }
}
